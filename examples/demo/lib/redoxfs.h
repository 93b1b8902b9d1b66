/* redoxfs.h: a small read-only reader of RedoxFS version 8 (shared/redox/formats.md
 * section 2), shared by the demo bootloader (through UEFI block I/O) and the demo kernel
 * (through virtio-blk). It reads the header ring, walks the node tree, reads records through
 * their indirect tables (plain or LZ4-compressed), and directories as DirLists and HTrees.
 * Every block is checked against its seahash and against the filesystem's size before it
 * is used; every function returns NULL or a static message saying what is wrong. */
#ifndef DEMO_REDOXFS_H
#define DEMO_REDOXFS_H

#include <stdint.h>

#define RFS_BLOCK 4096u
#define RFS_MAX_LEVEL 5                               /* records are at most 128 KiB */
#define RFS_RECORD_MAX (RFS_BLOCK << RFS_MAX_LEVEL)
#define RFS_HTREE_MAX 3                               /* deepest HTree this reader follows */
#define RFS_MODE_TYPE 0xF000u
#define RFS_MODE_FILE 0x8000u
#define RFS_MODE_DIR 0x4000u
#define RFS_MODE_LINK 0xA000u
#define RFS_ROOT 1u                                   /* node id of the root directory */

/* read len bytes at byte offset off of the filesystem (its header slot 0 is at 0) into buf */
typedef const char *rfs_read_fn(void *ctx, uint64_t off, unsigned char *buf, uint64_t len);

struct rfs {
	rfs_read_fn *read;           /* how blocks are read */
	void *ctx;                   /* passed to read */
	uint64_t avail;              /* bytes the device has from the filesystem's start */
	uint64_t size;               /* the header's size in bytes, checked against avail */
	uint64_t generation;         /* generation of the newest valid header in the ring */
	unsigned char uuid[16];      /* the header's uuid */
	unsigned char tree[16];      /* the header's BlockPtr to the level-3 tree list */
	unsigned char *rec;          /* caller's RFS_RECORD_MAX bytes: one stored record */
	unsigned char *raw;          /* caller's RFS_RECORD_MAX bytes: one decompressed record */
	uint64_t rec_key;            /* which record raw holds: node id << 32 | record, or ~0 */
	uint64_t rec_len;            /* bytes of it that are data (the rest reads as zero) */
	unsigned char blk[RFS_BLOCK];/* scratch for tree lists, block lists and DirLists */
	unsigned char htree[RFS_HTREE_MAX][RFS_BLOCK]; /* one HTree node per level */
};

struct rfs_node {
	uint32_t id;                 /* node id (TreePtr) */
	uint32_t mode;               /* type (RFS_MODE_TYPE bits) and permissions */
	uint64_t size;               /* bytes of data */
	uint32_t record_level;       /* records are RFS_BLOCK << record_level bytes */
	uint32_t flags;              /* bit 0: data inline in the node */
	unsigned char b[RFS_BLOCK];  /* the node block: level pointers or inline data */
};

/* open the filesystem: header slot 0, then the newest valid header of the 256-slot ring */
const char *rfs_open(struct rfs *fs, rfs_read_fn *read, void *ctx, uint64_t avail,
    unsigned char *rec, unsigned char *raw);
/* read node id through the four-level tree */
const char *rfs_node(struct rfs *fs, uint32_t id, struct rfs_node *n);
/* find name (len bytes) in directory dir; *id = its node */
const char *rfs_find(struct rfs *fs, const struct rfs_node *dir, const char *name, uint32_t len,
    uint32_t *id);
/* resolve an absolute path from the root; n gets the node */
const char *rfs_lookup(struct rfs *fs, const char *path, struct rfs_node *n);
/* read up to len bytes at off of a file or link; *got = bytes read (short only at its end) */
const char *rfs_read(struct rfs *fs, const struct rfs_node *n, uint64_t off, unsigned char *buf,
    uint64_t len, uint64_t *got);

/* called for each entry of a directory: its node id and name (len bytes, no NUL) */
typedef void rfs_visit(void *ctx, uint32_t id, const unsigned char *name, uint32_t len);
/* visit every entry of directory dir (DirList order, HTree slot order) */
const char *rfs_list(struct rfs *fs, const struct rfs_node *dir, rfs_visit *visit, void *ctx);

#endif
