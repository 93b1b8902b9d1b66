/* manifest.h: the file manifest that feeds every image (docs/manifest.md).
 *
 * A manifest lists every entry of a filesystem image: type, path, mode, uid, gid and the
 * content (a host file or inline bytes). Ownership and modes come only from here, never from
 * the host. Every image writer (initfs, RedoxFS, FAT) reads its input through this module. */
#ifndef KILN_MANIFEST_H
#define KILN_MANIFEST_H

#include <stdint.h>
#include <stdio.h>

#include "util.h"

enum mtype {
	M_DIR,
	M_FILE,
	M_SYMLINK,
	M_HARDLINK, /* a second name for an M_FILE entry (same node where the format has nodes) */
};

struct mnode {
	char *name;              /* last path component; "" for the root */
	char *path;              /* absolute path inside the image, normalised */
	enum mtype type;
	unsigned mode;           /* permission bits, at most 07777 */
	uint32_t uid, gid;
	char *src;               /* M_FILE: host file the content comes from, or NULL */
	char *data;              /* M_FILE inline content (src NULL); M_SYMLINK target */
	size_t datalen;          /* bytes in data */
	uint64_t size;           /* M_FILE: content size, taken when the manifest is loaded */
	struct mnode *target;    /* M_HARDLINK: the M_FILE entry it names again */
	unsigned nlink;          /* M_FILE: 1 + number of hard links to it */
	struct mnode *parent;    /* containing directory; NULL for the root */
	struct mnode **child;    /* M_DIR: children sorted by name, bytewise */
	size_t nchild;
	char *where;             /* "manifest-file:line" for messages; "(implicit)" for parents */
	uint64_t id;             /* free for a writer's own numbering */
};

struct manifest {
	char *path;              /* the file it was read from */
	struct mnode *root;      /* "/" */
	struct mnode **all;      /* every entry, root first, then depth-first in sorted order */
	size_t nall;
	uint64_t total;          /* sum of the sizes of all M_FILE entries */
};

/* parse and validate a manifest; on any error print "file:line: cause" and exit 2.
 * Missing parent directories are created as 0755 0:0. Source files are stat'ed now, so a
 * missing source is reported here with the manifest line that names it. */
struct manifest *manifest_load(const char *path);
/* the same, from text in memory (name is used in messages) */
struct manifest *manifest_parse(const char *name, const char *text, size_t len);
void manifest_free(struct manifest *m);
/* find an entry by absolute image path, or NULL */
struct mnode *manifest_lookup(struct manifest *m, const char *path);
/* open an M_FILE's (or M_HARDLINK's target's) content for reading; fatal on failure */
FILE *mnode_open(struct mnode *n);
/* copy an M_FILE's (or M_HARDLINK's target's) content into fd at off (out names fd in
 * messages); fatal on a read error or when the source no longer has its manifest size */
void mnode_copy(struct mnode *n, int fd, uint64_t off, const char *out);
/* read a whole M_FILE's content into memory (for small files); *len gets its size */
char *mnode_read_all(struct mnode *n, size_t *len);
/* append s to b escaped for a manifest field (backslash escapes, see docs/manifest.md) */
void manifest_escape(struct buf *b, const char *s, size_t len);

#endif
