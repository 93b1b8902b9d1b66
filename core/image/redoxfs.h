/* redoxfs.h: RedoxFS on-disk version 8 (redox/formats.md section 2): writer, reader, checker.
 *
 * The writer lays the whole filesystem out once, bottom-up, the way formats.md 2.13 describes:
 * header ring zeroed, blocks handed out upward from 257 with buddy alignment (gaps are reused
 * first-fit and listed free), per entry in manifest order its data blocks then its node,
 * then the tree lists (all level-0 lists, then level 1, 2, 3), then the allocation log, then
 * the header (generation 0, slot 0). File content is streamed record by record through a
 * bounded ring (read ahead, compressed and hashed on rfs_opts.jobs threads, allocated and
 * written in order, so the image does not depend on the thread count); only metadata and the
 * ring are kept in memory. A record above level 0 is stored LZ4-compressed (formats.md
 * 2.6) when that takes a smaller level, as the real writer does; the zero padding of a record
 * is left a hole in the image file.
 *
 * The reader never trusts the image: every block read is range- and hash-checked, loops are
 * bounded, and errors come back as text instead of exiting, so the fuzz driver can use it. */
#ifndef KILN_REDOXFS_H
#define KILN_REDOXFS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "manifest.h"
#include "util.h"

#define RFS_BLOCK 4096u          /* block size */
#define RFS_RING 256u            /* header slots 0..255 after the base */
#define RFS_SCAN 65536u          /* blocks searched for the first valid header, as Redox does */
#define RFS_FIRST 257u           /* first block the writer hands out (256 stays a hole) */
#define RFS_VERSION 8u
#define RFS_NAME_MAX 252u        /* longest directory entry name */
#define RFS_INLINE_MAX 3968u     /* data shorter than this lives in the node */
#define RFS_DIRLIST_DATA 4092u   /* entry bytes of one DirList; count at 4092, used at 4094 */
#define RFS_HTREE_SLOTS 204u     /* 20-byte slots per HTree node */
#define RFS_TREE_PTRS 254u       /* pointers per TreeList */
#define RFS_ALLOC_ENTRIES 255u   /* entries per AllocList */
#define RFS_FILE_RECLEVEL 5u     /* record_level of regular files: 128 KiB records */
#define RFS_MAX_LEVEL 5u         /* highest level a record block may have */

/* header field offsets */
enum {
	RFS_H_SIG = 0, RFS_H_VERSION = 8, RFS_H_UUID = 16, RFS_H_SIZE = 32, RFS_H_GEN = 40,
	RFS_H_TREE = 48, RFS_H_ALLOC = 64, RFS_H_KEYS = 80, RFS_H_RELEASE = 3152,
	RFS_H_ENCHASH = 4072, RFS_H_HASH = 4088,
};
/* node field offsets */
enum {
	RFS_N_MODE = 0, RFS_N_UID = 2, RFS_N_GID = 6, RFS_N_LINKS = 10, RFS_N_SIZE = 14,
	RFS_N_BLOCKS = 22, RFS_N_CTIME = 30, RFS_N_MTIME = 42, RFS_N_ATIME = 54,
	RFS_N_RECLEVEL = 66, RFS_N_FLAGS = 70, RFS_N_DATA = 128,
};
#define RFS_MODE_TYPE 0xF000u
#define RFS_MODE_FILE 0x8000u
#define RFS_MODE_DIR 0x4000u
#define RFS_MODE_SYMLINK 0xA000u
#define RFS_FLAG_INLINE 1u

/* BlockAddr: bits 0..3 level, 4..7 decompressed level, 8..63 index; null when index is 0 */
static inline uint64_t rfs_addr(uint64_t index, unsigned level) { return index << 8 | level; }
static inline uint64_t rfs_addr_index(uint64_t a) { return a >> 8; }
static inline unsigned rfs_addr_level(uint64_t a) { return (unsigned)(a & 0xF); }
static inline unsigned rfs_addr_dlevel(uint64_t a) { return (unsigned)(a >> 4 & 0xF); }
/* directory marker pointer: addr 0xFFFF_FFFF_FFFF_FFF0 | n, hash all ones */
#define RFS_MARKER(n) (0xFFFFFFFFFFFFFFF0ULL | (uint64_t)(n))

/* where a node's level-k pointer arrays start in the node, and how many each has */
extern const unsigned rfs_level_off[5];
extern const unsigned rfs_level_n[5];

/* the htree hash of a name: low 32 bits of its seahash, 0xFFFFFFFF turned into 0xFFFFFFFE */
uint32_t rfs_namehash(const char *name, size_t len);
/* 0 when a manifest name may be a RedoxFS entry name; else a static reason */
const char *rfs_badname(const char *name, size_t len);

/* ---- writer ---- */

/* what rfs_write needs besides the manifest */
struct rfs_opts {
	uint64_t size;               /* image bytes (the header says this rounded down to 4096) */
	unsigned char uuid[16];      /* header uuid */
	uint64_t time;               /* ctime = mtime = atime of every node */
	int compress;                /* store records LZ4-compressed when that takes a smaller level */
	unsigned jobs;               /* threads that compress records (0 or 1: the caller alone);
	                              * the image is the same for any number */
};

/* write the filesystem of m into fd (already sized, all zero: blocks of zeros are not written)
 * at byte off; name for messages. 0, or when the image is too small the number of blocks the
 * content needs (what was written is then garbage); fatal (exit 2) on a bad name or a source
 * that changed */
uint64_t rfs_write(struct manifest *m, int fd, uint64_t off, const char *name,
                   const struct rfs_opts *o);

/* ---- reader ---- */

/* an opened image; the bytes come from fd at off, or from mem (fuzzing) */
struct rfs {
	int fd;                      /* image file, or -1 */
	const unsigned char *mem;    /* image bytes when fd is -1 */
	uint64_t off;                /* byte offset of the base block */
	uint64_t len;                /* image bytes after off */
	const char *name;            /* for messages */
	unsigned char hdr[4096];     /* the header in use: the newest valid one of slot 0's uuid */
	uint64_t nblocks;            /* its size / 4096 */
	uint64_t gen;                /* its generation */
	uint64_t gen0;               /* the generation in slot 0 (when slot 0 is valid) */
	unsigned slot;               /* the ring slot it came from */
	const char *slot0_bad;       /* why slot 0 is not a valid header, or NULL */
	uint64_t base;               /* blocks from the given offset to the ring's start */
	char err[1024];              /* the reason of the last failure */
	char first[1024];            /* the first problem rfs_check found ("block N: cause") */
	unsigned char *cache;        /* last blocks read: one per tree level (3..0), then a node */
	uint64_t cache_addr[5];      /* the BlockPtr each holds (addr 0: empty) */
	uint64_t cache_hash[5];
	uint64_t budget;             /* block reads left before a listing gives up */
	uint64_t used;               /* blocks in use, as the last rfs_check counted them */
};

/* fuzzing only: when set, hashes are not compared, so mutated inputs reach the parsers */
extern int rfs_fuzz_nohash;

/* find the header as Redox does: the first valid header among the first 65536 blocks names
 * its ring, the newest valid header of the ring is the filesystem (slot 0 may be invalid);
 * 0, or -1 with fs->err set */
int rfs_open(struct rfs *fs, int fd, const unsigned char *mem, uint64_t len, uint64_t off,
             const char *name);
/* release what rfs_open and later calls allocated */
void rfs_close(struct rfs *fs);
/* print every path: type, mode, uid, gid, size, links, path (and -> target); 0 or -1 */
int rfs_list(struct rfs *fs, FILE *out);
/* write the content of the file (or link target) at path to out; 0 or -1 */
int rfs_cat(struct rfs *fs, const char *path, FILE *out);
/* verify every hash and reference, one line per problem on out (the first also in
 * fs->first); the number of problems, or -1 when the image cannot be opened far enough to
 * check */
long rfs_check(struct rfs *fs, FILE *out);

#endif
