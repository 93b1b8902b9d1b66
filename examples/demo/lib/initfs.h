/* initfs.h: a bounds-checked, allocation-free reader of Redox initfs images
 * (shared/redox/formats.md section 1), used by the demo kernel and the demo bootstrap.
 * Every function validates what it reads against initfs_size and returns an error string
 * (a static message) instead of trusting the image; NULL means success. Byte access only,
 * so it works with the MMU off, where unaligned loads fault. */
#ifndef DEMO_INITFS_H
#define DEMO_INITFS_H

#include <stdint.h>

#define INITFS_HEADER_SIZE 0x2C   /* bytes of the packed header */
#define INITFS_INODE_SIZE 20      /* bytes of one inode record */
#define INITFS_DIRENT_SIZE 8      /* bytes of one directory entry */
#define INITFS_PAGE 4096          /* the only page size readers accept */
#define INITFS_NO_BOOTSTRAP 0xFFFFFFFFFFFFFFFFull /* bootstrap_entry when none was packed */

enum { INITFS_FILE = 0, INITFS_DIR = 1, INITFS_SYMLINK = 2 };

struct initfs {
	const unsigned char *base; /* first byte of the image (the header) */
	uint64_t size;             /* initfs_size from the header, checked against the space */
	uint32_t itable;           /* inode_table_offset */
	uint16_t ninodes;          /* inode_count, root included */
	uint64_t entry;            /* bootstrap_entry */
};

struct initfs_inode {
	unsigned type;             /* INITFS_FILE, INITFS_DIR, INITFS_SYMLINK, or other = unknown */
	unsigned mode;             /* permission bits, 0..07777 */
	uint32_t len;              /* bytes of data */
	uint32_t off;              /* image offset of the data, checked: off + len <= size */
};

/* little-endian loads, one byte at a time */
uint16_t initfs_rd16(const unsigned char *p);
uint32_t initfs_rd32(const unsigned char *p);
uint64_t initfs_rd64(const unsigned char *p);

/* check the header of the image at base, of which avail bytes may be read, and fill fs */
const char *initfs_open(struct initfs *fs, const unsigned char *base, uint64_t avail);
/* read inode n, checking its number and its data range */
const char *initfs_inode(const struct initfs *fs, uint32_t n, struct initfs_inode *ino);
/* entry i of directory dir: child inode number and its name (not NUL-terminated), checked */
const char *initfs_dirent(const struct initfs *fs, const struct initfs_inode *dir, uint32_t i,
    uint32_t *child, const unsigned char **name, uint32_t *namelen);
/* resolve an absolute path component by component from the root (inode 0) */
const char *initfs_lookup(const struct initfs *fs, const char *path, uint32_t *n);

#define INITFS_WALK_DEPTH 16  /* deepest directory initfs_walk descends into */
#define INITFS_WALK_PATH 256  /* bytes of the path buffer initfs_walk hands out */

/* called by initfs_walk for each entry with its inode number, inode and path (absolute,
 * truncated to INITFS_WALK_PATH - 1 bytes, bytes outside printable ASCII shown as '?') */
typedef void initfs_visit(void *ctx, uint32_t n, const struct initfs_inode *ino,
    const char *path);
/* visit every entry below the root, depth first, in entry order; stops with an error at a
 * corrupt entry, a tree deeper than INITFS_WALK_DEPTH, or more entries than inodes (a
 * directory cycle) */
const char *initfs_walk(const struct initfs *fs, initfs_visit *visit, void *ctx);

#endif
