/* initfs.h: the Redox initfs archive (redox/formats.md section 1), writer and reader.
 *
 * The writer reproduces redox-initfs-ar's page-granular bump allocator and its post-order
 * inode numbering, with children in the manifest's sorted order, so its output is the real
 * tool's output byte for byte except for the creation time (SOURCE_DATE_EPOCH, nsec 0) and
 * the owners (taken from the manifest; the real tool always writes 0). */
#ifndef KILN_INITFS_H
#define KILN_INITFS_H

#include <stddef.h>
#include <stdint.h>

#include "manifest.h"
#include "util.h"

#define INITFS_HEADER_SIZE 44          /* packed header at offset 0 */
#define INITFS_PAGE 4096               /* allocation granule and page_size field */
#define INITFS_INODE_SIZE 20           /* one inode table record */
#define INITFS_ENTRY_SIZE 8            /* one directory entry */
#define INITFS_NO_ENTRY UINT64_MAX     /* bootstrap_entry without a bootstrap */
#define INITFS_DEFAULT_MAX (64u << 20) /* --max-size default, as the release tool */

enum { INITFS_FILE = 0, INITFS_DIR = 1, INITFS_SYMLINK = 2 };

/* what initfs_write needs besides the manifest */
struct initfs_opts {
	const unsigned char *boot;  /* bootstrap ELF bytes, or NULL */
	size_t bootlen;             /* its length */
	uint64_t entry;             /* its e_entry (ignored without boot) */
	uint64_t max_size;          /* limit on page-rounded allocation ends */
};

/* write the initfs of manifest m to out atomically; fatal (exit 2) on any error */
void initfs_write(struct manifest *m, const char *out, const struct initfs_opts *o);

/* a parsed image: header fields and the bytes they describe (not owned) */
struct initfs {
	const unsigned char *data;  /* whole image */
	size_t len;                 /* its length */
	uint32_t itab;              /* inode_table_offset */
	uint64_t sec;               /* creation_time.sec */
	uint32_t nsec;              /* creation_time.nsec */
	uint16_t ninodes;           /* inode_count */
	uint64_t entry;             /* bootstrap_entry */
	uint64_t size;              /* initfs_size */
	uint16_t page;              /* page_size */
};

/* one decoded inode */
struct initfs_inode {
	uint32_t num;               /* inode number */
	unsigned type;              /* INITFS_FILE, INITFS_DIR, INITFS_SYMLINK (else unknown) */
	unsigned mode;              /* permission bits, 07777 */
	uint32_t len, off;          /* data range in the image (checked against its length) */
	uint32_t uid, gid;
};

/* check the header like InitFs::new (plus page_size 4096); 0, or -1 with a reason in err */
int initfs_open(struct initfs *fs, const unsigned char *data, size_t len, struct buf *err);
/* decode inode num with its data range checked; 0, or -1 with a reason in err */
int initfs_inode(const struct initfs *fs, uint32_t num, struct initfs_inode *ino, struct buf *err);
/* called for each entry in depth-first, stored order; path is "/" for the root, name the last
 * component ("" for the root); a non-zero return stops the walk and is returned */
typedef int initfs_visit(void *ctx, const char *path, const struct initfs_inode *ino);
/* walk the tree from inode 0, validating every entry (names without '/', not "", "." or
 * "..", no directory reached twice, every range inside the image); 0, the visitor's non-zero
 * value, or -1 with a reason in err */
int initfs_walk(const struct initfs *fs, initfs_visit *fn, void *ctx, struct buf *err);

#endif
