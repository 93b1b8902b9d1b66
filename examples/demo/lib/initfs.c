/* initfs.c: bounds-checked reader of Redox initfs images (see initfs.h) */
#include "initfs.h"

uint16_t
initfs_rd16(const unsigned char *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

uint32_t
initfs_rd32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

uint64_t
initfs_rd64(const unsigned char *p)
{
	return (uint64_t)initfs_rd32(p) | (uint64_t)initfs_rd32(p + 4) << 32;
}

/* does [off, off + len) lie inside the image? (no overflow: both are below 2^32 or checked) */
static int
inside(const struct initfs *fs, uint64_t off, uint64_t len)
{
	return off <= fs->size && len <= fs->size - off;
}

const char *
initfs_open(struct initfs *fs, const unsigned char *base, uint64_t avail)
{
	static const char magic[8] = "RedoxFtw";
	const unsigned char *h = base;
	int i, zero = 1;

	if (avail < INITFS_HEADER_SIZE)
		return "image shorter than the 44-byte header";
	for (i = 0; i < 8; i++) {
		if (h[i])
			zero = 0;
	}
	if (zero)
		return "no initfs (the magic bytes are zero: nothing was loaded there)";
	for (i = 0; i < 8; i++) {
		if (h[i] != (unsigned char)magic[i])
			return "bad magic (expected RedoxFtw)";
	}
	fs->base = base;
	fs->itable = initfs_rd32(h + 0x08);
	fs->ninodes = initfs_rd16(h + 0x18);
	fs->entry = initfs_rd64(h + 0x1A);
	fs->size = initfs_rd64(h + 0x22);
	if (fs->size < INITFS_HEADER_SIZE)
		return "initfs_size is smaller than the header";
	if (fs->size > avail || fs->size >= 0x100000000ull)
		return "initfs_size is larger than the space the image was loaded into";
	if (initfs_rd16(h + 0x2A) != INITFS_PAGE)
		return "page_size is not 4096";
	if (fs->ninodes == 0)
		return "inode_count is 0 (no root directory)";
	if (fs->itable < INITFS_HEADER_SIZE)
		return "inode_table_offset points into the header";
	if (!inside(fs, fs->itable, (uint64_t)fs->ninodes * INITFS_INODE_SIZE))
		return "inode table extends past initfs_size";
	return 0;
}

const char *
initfs_inode(const struct initfs *fs, uint32_t n, struct initfs_inode *ino)
{
	const unsigned char *p;
	uint32_t tm;

	if (n >= fs->ninodes)
		return "inode number past the inode table";
	p = fs->base + fs->itable + (uint64_t)n * INITFS_INODE_SIZE;
	tm = initfs_rd32(p);
	ino->type = tm >> 28;
	ino->mode = tm & 07777;
	ino->len = initfs_rd32(p + 4);
	ino->off = initfs_rd32(p + 8);
	if (!inside(fs, ino->off, ino->len))
		return "inode data extends past initfs_size";
	if (ino->type == INITFS_DIR && ino->len % INITFS_DIRENT_SIZE)
		return "directory length is not a multiple of 8";
	return 0;
}

const char *
initfs_dirent(const struct initfs *fs, const struct initfs_inode *dir, uint32_t i,
    uint32_t *child, const unsigned char **name, uint32_t *namelen)
{
	const unsigned char *e;
	uint32_t noff;

	if (dir->type != INITFS_DIR)
		return "not a directory";
	if (i >= dir->len / INITFS_DIRENT_SIZE)
		return "directory entry index out of range";
	e = fs->base + dir->off + (uint64_t)i * INITFS_DIRENT_SIZE;
	*child = initfs_rd16(e);
	*namelen = initfs_rd16(e + 2);
	noff = initfs_rd32(e + 4);
	if (*child >= fs->ninodes)
		return "directory entry names an inode past the inode table";
	if (!inside(fs, noff, *namelen))
		return "directory entry name extends past initfs_size";
	*name = fs->base + noff;
	return 0;
}

const char *
initfs_lookup(const struct initfs *fs, const char *path, uint32_t *n)
{
	struct initfs_inode dir;
	const unsigned char *name;
	const char *err, *comp;
	uint32_t cur = 0, i, child, nlen, clen;

	if (*path != '/')
		return "path is not absolute";
	for (;;) {
		while (*path == '/')
			path++;
		if (!*path)
			break;
		comp = path;
		while (*path && *path != '/')
			path++;
		clen = (uint32_t)(path - comp);
		if ((err = initfs_inode(fs, cur, &dir)))
			return err;
		if (dir.type != INITFS_DIR)
			return "a path component is not a directory";
		for (i = 0; i < dir.len / INITFS_DIRENT_SIZE; i++) {
			if ((err = initfs_dirent(fs, &dir, i, &child, &name, &nlen)))
				return err;
			if (nlen == clen) {
				uint32_t k = 0;
				while (k < clen && name[k] == (unsigned char)comp[k])
					k++;
				if (k == clen)
					break;
			}
		}
		if (i == dir.len / INITFS_DIRENT_SIZE)
			return "not found";
		cur = child;
	}
	*n = cur;
	return 0;
}

struct walk {
	const struct initfs *fs;
	initfs_visit *visit;
	void *ctx;
	uint32_t budget;             /* entries left to visit: a valid tree has ninodes - 1 */
	char path[INITFS_WALK_PATH];
};

static const char *
walk_dir(struct walk *w, uint32_t n, unsigned plen, unsigned depth)
{
	struct initfs_inode dir, ino;
	const unsigned char *name;
	const char *err;
	uint32_t i, child, nlen, k;
	unsigned len;

	if ((err = initfs_inode(w->fs, n, &dir)))
		return err;
	for (i = 0; i < dir.len / INITFS_DIRENT_SIZE; i++) {
		if (!w->budget--)
			return "more directory entries than inodes (a directory cycle?)";
		if ((err = initfs_dirent(w->fs, &dir, i, &child, &name, &nlen)) ||
		    (err = initfs_inode(w->fs, child, &ino)))
			return err;
		len = plen;
		if (len < INITFS_WALK_PATH - 1)
			w->path[len++] = '/';
		for (k = 0; k < nlen && len < INITFS_WALK_PATH - 1; k++)
			w->path[len++] = name[k] >= 0x20 && name[k] < 0x7f ? (char)name[k] : '?';
		w->path[len] = 0;
		w->visit(w->ctx, child, &ino, w->path);
		if (ino.type == INITFS_DIR) {
			if (depth >= INITFS_WALK_DEPTH)
				return "directories nested too deep";
			if ((err = walk_dir(w, child, len, depth + 1)))
				return err;
		}
	}
	return 0;
}

const char *
initfs_walk(const struct initfs *fs, initfs_visit *visit, void *ctx)
{
	struct walk w;

	w.fs = fs;
	w.visit = visit;
	w.ctx = ctx;
	w.budget = fs->ninodes;
	w.path[0] = 0;
	return walk_dir(&w, 0, 0, 0);
}
