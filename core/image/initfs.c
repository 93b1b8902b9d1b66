/* initfs.c: Redox initfs archives (redox/formats.md section 1): create, list, extract.
 *
 * create lays the archive out in two passes. The first pass replays redox-initfs-ar's bump
 * allocator (every non-empty allocation starts on a page and ends on the next page boundary)
 * in its exact order: header page, bootstrap, inode table, then write_dir(root), which
 * allocates a directory's entry table, and for each child its content (recursing for a
 * directory), its inode number (post-order counter) and its name. Nothing is written until the
 * whole layout is known, so an over-size archive is reported with the size it needs. */
#define _POSIX_C_SOURCE 200809L
#define _DARWIN_C_SOURCE  /* macOS hides part of POSIX.1-2008 (O_NOFOLLOW) without it; others ignore it */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd.h"
#include "elf/elf_check.h"
#include "initfs.h"

#define PAGE_UP(x) (((x) + INITFS_PAGE - 1) / INITFS_PAGE * INITFS_PAGE)
#define MAX_INODES 65535u
#define MAX_DEPTH 4096

/* where the layout pass put one manifest entry (indexed by mnode.id) */
struct rec {
	uint32_t ino;     /* inode number */
	uint64_t off;     /* data: file bytes, link target or entry table */
	uint64_t len;     /* its length */
	uint64_t name;    /* offset of the name */
	char *link;       /* M_SYMLINK: the stored, root-relative target */
};

/* state of the layout pass */
struct lay {
	uint64_t cur;         /* bump cursor: next allocation starts here */
	uint64_t end;         /* end of the last non-empty allocation: the archive length */
	uint32_t next;        /* inode counter (pre-incremented) */
	struct rec *r;
	const char *high;     /* first thing placed at or beyond 4 GiB, or NULL */
};

static uint64_t
alloc(struct lay *l, uint64_t size, const char *what)
{
	uint64_t at = l->cur;

	if (size == 0)
		return at;
	l->cur = PAGE_UP(at + size);
	l->end = at + size;
	if (at + size > UINT32_MAX && !l->high)
		l->high = what;
	return at;
}

/* the symlink target as redox-initfs-ar stores it (formats.md 1.6): a relative target joined
 * to the link's directory, relative to the archive root, with its ".." components as written
 * ("/d/l2 -> ../f" is "d/../f"); empty and "." components go, as Rust's Path::components drops
 * them. An absolute target, which the real tool rewrites relative to the host directory it
 * archives, is stored relative to the archive root ("/etc/hostname" is "etc/hostname"). A
 * target naming the root itself is "." (the real tool would store an empty target). */
static char *
link_target(const struct mnode *n)
{
	struct buf in = {0}, out = {0};
	size_t i = 0, j;

	if (n->datalen && n->data[0] != '/') {
		buf_puts(&in, n->parent->path);
		buf_putc(&in, '/');
	}
	buf_put(&in, n->data, n->datalen);
	buf_putc(&out, '\0');
	out.len = 0;
	while (i < in.len) {
		for (j = i; j < in.len && in.s[j] != '/'; j++)
			;
		if (j > i && !(j - i == 1 && in.s[i] == '.')) {
			if (out.len)
				buf_putc(&out, '/');
			buf_put(&out, in.s + i, j - i);
		}
		i = j + 1;
	}
	if (out.len == 0)
		buf_putc(&out, '.');
	buf_free(&in);
	return out.s;
}

static void
lay_dir(struct lay *l, struct mnode *d)
{
	struct rec *rd = &l->r[d->id];
	size_t i;

	rd->len = (uint64_t)INITFS_ENTRY_SIZE * d->nchild;
	rd->off = alloc(l, rd->len, d->path);
	for (i = 0; i < d->nchild; i++) {
		struct mnode *c = d->child[i];
		struct rec *rc = &l->r[c->id];

		switch (c->type) {
		case M_DIR:
			lay_dir(l, c);
			break;
		case M_FILE:
			if (c->size > UINT32_MAX)
				fatal("%s: %s: file too large for an initfs (%llu bytes, at most 4 GiB - 1)",
				      c->where, c->path, (unsigned long long)c->size);
			rc->len = c->size;
			rc->off = alloc(l, rc->len, c->path);
			break;
		case M_SYMLINK:
			rc->link = link_target(c);
			rc->len = strlen(rc->link);
			rc->off = alloc(l, rc->len, c->path);
			break;
		case M_HARDLINK:
			break; /* shares its target's data, filled in after the layout */
		}
		rc->ino = ++l->next;
		if (strlen(c->name) > 0xFFFF)
			fatal("%s: %s: name longer than 65535 bytes", c->where, c->path);
		rc->name = alloc(l, strlen(c->name), c->path);
	}
}

static int
bysize(const void *a, const void *b)
{
	const struct mnode *x = *(struct mnode *const *)a, *y = *(struct mnode *const *)b;

	if (x->size != y->size)
		return x->size < y->size ? 1 : -1;
	return strcmp(x->path, y->path);
}

/* fatal with the size needed and the five largest files */
static _Noreturn void
too_big(struct manifest *m, const char *out, uint64_t need, uint64_t max)
{
	struct mnode **f = xreallocarray(NULL, m->nall, sizeof *f);
	struct buf b = {0};
	size_t i, n = 0;

	for (i = 0; i < m->nall; i++)
		if (m->all[i]->type == M_FILE)
			f[n++] = m->all[i];
	qsort(f, n, sizeof *f, bysize);
	for (i = 0; i < n && i < 5; i++)
		buf_printf(&b, "%s%s (%llu)", i ? ", " : "", f[i]->path, (unsigned long long)f[i]->size);
	fatal("%s: archive needs %llu bytes (page-rounded), over --max-size %llu by %llu; "
	      "largest files: %s", out, (unsigned long long)need, (unsigned long long)max,
	      (unsigned long long)(need - max), n ? b.s : "(none)");
}

void
initfs_write(struct manifest *m, const char *out, const struct initfs_opts *o)
{
	struct lay l = {0};
	struct afile *a;
	unsigned char hdr[INITFS_HEADER_SIZE] = {0}, *itab, e[INITFS_ENTRY_SIZE];
	uint64_t itaboff;
	size_t i, k;

	if (m->nall > MAX_INODES)
		fatal("%s: %zu entries, an initfs holds at most %u inodes (root included)", m->path,
		      m->nall, MAX_INODES);
	l.r = xcalloc(m->nall, sizeof *l.r);
	for (i = 0; i < m->nall; i++)
		m->all[i]->id = i;
	alloc(&l, INITFS_PAGE, "header");
	if (o->boot)
		alloc(&l, o->bootlen, "bootstrap");
	itaboff = alloc(&l, (uint64_t)INITFS_INODE_SIZE * m->nall, "inode table");
	lay_dir(&l, m->root);
	for (i = 0; i < m->nall; i++) {
		struct mnode *n = m->all[i];

		if (n->type == M_HARDLINK) {
			l.r[i].off = l.r[n->target->id].off;
			l.r[i].len = l.r[n->target->id].len;
		}
	}
	if (l.cur > o->max_size)
		too_big(m, out, l.cur, o->max_size);
	if (l.high)
		fatal("%s: offset too high: %s would lie beyond 4 GiB", out, l.high);

	a = afile_open(out);
	itab = xcalloc(m->nall, INITFS_INODE_SIZE);
	if (o->boot)
		xpwrite(a->fd, o->boot, o->bootlen, INITFS_PAGE, out);
	for (i = 0; i < m->nall; i++) {
		struct mnode *n = m->all[i], *src = n->type == M_HARDLINK ? n->target : n;
		struct rec *r = &l.r[i];
		unsigned char *p = itab + (size_t)r->ino * INITFS_INODE_SIZE;
		uint32_t type = n->type == M_DIR ? INITFS_DIR : n->type == M_SYMLINK ? INITFS_SYMLINK
		                                                                      : INITFS_FILE;

		wr32(p, type << 28 | (src->mode & 07777));
		wr32(p + 4, (uint32_t)r->len);
		wr32(p + 8, (uint32_t)r->off);
		wr32(p + 12, src->uid);
		wr32(p + 16, src->gid);
		if (n->parent)
			xpwrite(a->fd, n->name, strlen(n->name), r->name, out);
		switch (n->type) {
		case M_DIR:
			for (k = 0; k < n->nchild; k++) {
				struct mnode *c = n->child[k];

				wr16(e, (uint16_t)l.r[c->id].ino);
				wr16(e + 2, (uint16_t)strlen(c->name));
				wr32(e + 4, (uint32_t)l.r[c->id].name);
				xpwrite(a->fd, e, sizeof e, r->off + k * INITFS_ENTRY_SIZE, out);
			}
			break;
		case M_FILE:
			mnode_copy(n, a->fd, r->off, out);
			break;
		case M_SYMLINK:
			xpwrite(a->fd, r->link, r->len, r->off, out);
			break;
		case M_HARDLINK:
			break;
		}
	}
	xpwrite(a->fd, itab, m->nall * INITFS_INODE_SIZE, itaboff, out);
	memcpy(hdr, "RedoxFtw", 8);
	wr32(hdr + 0x08, (uint32_t)itaboff);
	wr64(hdr + 0x0C, source_date_epoch());
	wr32(hdr + 0x14, 0);
	wr16(hdr + 0x18, (uint16_t)m->nall);
	wr64(hdr + 0x1A, o->boot ? o->entry : INITFS_NO_ENTRY);
	wr64(hdr + 0x22, l.end);
	wr16(hdr + 0x2A, INITFS_PAGE);
	xpwrite(a->fd, hdr, sizeof hdr, 0, out);
	if (ftruncate(a->fd, (off_t)l.end) != 0)
		fatal("%s: ftruncate: %s", out, strerror(errno));
	afile_commit(a);
	for (i = 0; i < m->nall; i++)
		free(l.r[i].link);
	free(l.r);
	free(itab);
}

/* --- reader ------------------------------------------------------------------------------ */

int
initfs_open(struct initfs *fs, const unsigned char *d, size_t len, struct buf *err)
{
	memset(fs, 0, sizeof *fs);
	if (len < INITFS_HEADER_SIZE) {
		buf_printf(err, "%zu bytes, shorter than the 44-byte header", len);
		return -1;
	}
	if ((uint64_t)len > UINT32_MAX) {
		buf_printf(err, "%zu bytes, an initfs is shorter than 4 GiB", len);
		return -1;
	}
	if (memcmp(d, "RedoxFtw", 8) != 0) {
		buf_printf(err, "offset 0: bad magic (not RedoxFtw): not an initfs");
		return -1;
	}
	fs->data = d;
	fs->len = len;
	fs->itab = rd32(d + 0x08);
	fs->sec = rd64(d + 0x0C);
	fs->nsec = rd32(d + 0x14);
	fs->ninodes = rd16(d + 0x18);
	fs->entry = rd64(d + 0x1A);
	fs->size = rd64(d + 0x22);
	fs->page = rd16(d + 0x2A);
	if (fs->itab < INITFS_HEADER_SIZE) {
		buf_printf(err, "offset 0x8: inode_table_offset 0x%x lies inside the header", fs->itab);
		return -1;
	}
	if ((uint64_t)fs->itab + (uint64_t)INITFS_INODE_SIZE * fs->ninodes > len) {
		buf_printf(err, "offset 0x8: inode table 0x%x + %u x 20 bytes runs past the end (%zu)",
		           fs->itab, fs->ninodes, len);
		return -1;
	}
	if (fs->page != INITFS_PAGE) {
		buf_printf(err, "offset 0x2a: page_size %u, expected 4096", fs->page);
		return -1;
	}
	if (fs->ninodes == 0) {
		buf_printf(err, "offset 0x18: inode_count 0, no root directory");
		return -1;
	}
	return 0;
}

int
initfs_inode(const struct initfs *fs, uint32_t num, struct initfs_inode *ino, struct buf *err)
{
	const unsigned char *p;
	uint32_t tm;

	if (num >= fs->ninodes) {
		buf_printf(err, "inode %u out of range (inode_count %u)", num, fs->ninodes);
		return -1;
	}
	p = fs->data + fs->itab + (size_t)num * INITFS_INODE_SIZE;
	tm = rd32(p);
	ino->num = num;
	ino->type = tm >> 28;
	ino->mode = tm & 07777;
	ino->len = rd32(p + 4);
	ino->off = rd32(p + 8);
	ino->uid = rd32(p + 12);
	ino->gid = rd32(p + 16);
	if ((uint64_t)ino->off + ino->len > fs->len) {
		buf_printf(err, "inode %u (offset 0x%zx): data 0x%x + %u bytes runs past the end (%zu)",
		           num, (size_t)(p - fs->data), ino->off, ino->len, fs->len);
		return -1;
	}
	return 0;
}

struct walk {
	const struct initfs *fs;
	initfs_visit *fn;
	void *ctx;
	struct buf *err;
	struct buf path;
	unsigned char seen[65536 / 8];  /* directory inodes already entered */
};

struct name {
	const unsigned char *s;
	size_t len;
};

static int
byname(const void *a, const void *b)
{
	const struct name *x = a, *y = b;
	int r = memcmp(x->s, y->s, x->len < y->len ? x->len : y->len);

	return r ? r : (x->len > y->len) - (x->len < y->len);
}

static int
walk_dir(struct walk *w, const struct initfs_inode *d, int depth)
{
	const struct initfs *fs = w->fs;
	struct name *names;
	uint32_t n = d->len / INITFS_ENTRY_SIZE, i;
	size_t base = w->path.len;
	int r = 0;

	if (depth > MAX_DEPTH) {
		buf_printf(w->err, "%s: directories nested deeper than %d", w->path.s, MAX_DEPTH);
		return -1;
	}
	if (w->seen[d->num / 8] & (1 << d->num % 8)) {
		buf_printf(w->err, "%s: directory inode %u reached twice (a cycle or a shared directory)",
		           w->path.len ? w->path.s : "/", d->num);
		return -1;
	}
	w->seen[d->num / 8] |= 1 << d->num % 8;
	if (d->len % INITFS_ENTRY_SIZE) {
		buf_printf(w->err, "%s: directory inode %u: entry table length %u is not a multiple of 8",
		           w->path.len ? w->path.s : "/", d->num, d->len);
		return -1;
	}
	/* check the names first (and that they are unique) so that no visitor sees half a
	 * directory of a corrupt image */
	names = xreallocarray(NULL, n ? n : 1, sizeof *names);
	for (i = 0; i < n; i++) {
		const unsigned char *e = fs->data + d->off + (size_t)i * INITFS_ENTRY_SIZE;
		uint32_t nlen = rd16(e + 2), noff = rd32(e + 4);
		const unsigned char *s = fs->data + noff;

		if ((uint64_t)noff + nlen > fs->len) {
			buf_printf(w->err, "%s: entry %u (offset 0x%x): name 0x%x + %u runs past the end (%zu)",
			           w->path.len ? w->path.s : "/", i, d->off + i * INITFS_ENTRY_SIZE,
			           noff, nlen, fs->len);
			free(names);
			return -1;
		}
		if (nlen == 0 || memchr(s, '/', nlen) || memchr(s, '\0', nlen) ||
		    (nlen == 1 && s[0] == '.') || (nlen == 2 && s[0] == '.' && s[1] == '.')) {
			buf_printf(w->err, "%s: entry %u (offset 0x%x): unsafe name (empty, '.', '..', or "
			           "with '/' or NUL)", w->path.len ? w->path.s : "/", i,
			           d->off + i * INITFS_ENTRY_SIZE);
			free(names);
			return -1;
		}
		names[i].s = s;
		names[i].len = nlen;
	}
	qsort(names, n, sizeof *names, byname);
	for (i = 1; i < n; i++) {
		if (!byname(&names[i - 1], &names[i])) {
			buf_printf(w->err, "%s: two entries named '%.*s'", w->path.len ? w->path.s : "/",
			           (int)names[i].len, (const char *)names[i].s);
			free(names);
			return -1;
		}
	}
	free(names);
	for (i = 0; i < n && r == 0; i++) {
		const unsigned char *e = fs->data + d->off + (size_t)i * INITFS_ENTRY_SIZE;
		struct initfs_inode c;

		w->path.len = base;
		buf_putc(&w->path, '/');
		buf_put(&w->path, fs->data + rd32(e + 4), rd16(e + 2));
		if (initfs_inode(fs, rd16(e), &c, w->err) != 0) {
			buf_printf(w->err, " (entry %s)", w->path.s);
			r = -1;
			break;
		}
		r = w->fn(w->ctx, w->path.s, &c);
		if (r == 0 && c.type == INITFS_DIR)
			r = walk_dir(w, &c, depth + 1);
	}
	w->path.len = base;
	w->path.s[base] = '\0';
	return r;
}

int
initfs_walk(const struct initfs *fs, initfs_visit *fn, void *ctx, struct buf *err)
{
	struct walk *w = xcalloc(1, sizeof *w);
	struct initfs_inode root;
	int r;

	w->fs = fs;
	w->fn = fn;
	w->ctx = ctx;
	w->err = err;
	buf_puts(&w->path, "");
	if (initfs_inode(fs, 0, &root, err) != 0) {
		r = -1;
	} else if (root.type != INITFS_DIR) {
		buf_printf(err, "inode 0 (the root) is not a directory (type %u)", root.type);
		r = -1;
	} else {
		r = fn(ctx, "/", &root);
		if (r == 0)
			r = walk_dir(w, &root, 0);
	}
	buf_free(&w->path);
	free(w);
	return r;
}

/* --- the command ------------------------------------------------------------------------- */

static const char *
type_name(unsigned t)
{
	return t == INITFS_FILE ? "file" : t == INITFS_DIR ? "dir" : t == INITFS_SYMLINK ? "symlink"
	                                                                              : "unknown";
}

static unsigned char *
load(const char *path, size_t *len, struct initfs *fs)
{
	struct buf err = {0};
	const char *why;
	unsigned char *d = read_input(path, len, &why);

	if (!d)
		fatal("%s: %s", path, why);
	if (initfs_open(fs, d, *len, &err) != 0)
		fatal("%s: %s", path, err.s);
	return d;
}

static int
list_one(void *ctx, const char *path, const struct initfs_inode *ino)
{
	const struct initfs *fs = ctx;
	struct buf b = {0};

	buf_printf(&b, "%-7s %04o %u %u %u ", type_name(ino->type), ino->mode, ino->uid, ino->gid,
	           ino->len);
	manifest_escape(&b, path, strlen(path));
	if (ino->type == INITFS_SYMLINK) {
		buf_puts(&b, " -> ");
		manifest_escape(&b, (const char *)fs->data + ino->off, ino->len);
	}
	puts(b.s);
	buf_free(&b);
	return 0;
}

static int
nop(void *ctx, const char *path, const struct initfs_inode *ino)
{
	return 0;
}

static int
do_list(const char *img)
{
	struct initfs fs;
	struct buf err = {0};
	size_t len;
	unsigned char *d = load(img, &len, &fs);

	/* validate everything before printing anything */
	if (initfs_walk(&fs, nop, NULL, &err) != 0)
		fatal("%s: %s", img, err.s);
	printf("magic RedoxFtw\ninode_table_offset 0x%x\ncreation_time %llu.%09u\n"
	       "inode_count %u\nbootstrap_entry 0x%llx%s\ninitfs_size %llu\npage_size %u\n",
	       fs.itab, (unsigned long long)fs.sec, fs.nsec, fs.ninodes,
	       (unsigned long long)fs.entry, fs.entry == INITFS_NO_ENTRY ? " (no bootstrap)" : "",
	       (unsigned long long)fs.size, fs.page);
	initfs_walk(&fs, list_one, &fs, &err);
	free(d);
	if (fflush(stdout) != 0 || ferror(stdout))
		fatal("writing the listing: %s", strerror(errno));
	return 0;
}

/* extraction state: where the tree goes, directories to chmod last, symlinks to make last */
struct ext {
	const struct initfs *fs;
	const char *dir;
	struct buf err;
	char **dpath; unsigned *dmode; size_t nd;
	char **lpath; char **ltarget; size_t nl;
};

static int
ext_check(void *ctx, const char *path, const struct initfs_inode *ino)
{
	struct ext *x = ctx;

	if (ino->type > INITFS_SYMLINK) {
		buf_printf(&x->err, "%s: inode %u has unknown type %u", path, ino->num, ino->type);
		return -1;
	}
	if (ino->type == INITFS_SYMLINK &&
	    (ino->len == 0 || memchr(x->fs->data + ino->off, '\0', ino->len))) {
		buf_printf(&x->err, "%s: symlink inode %u has an empty target or one with a NUL byte",
		           path, ino->num);
		return -1;
	}
	return 0;
}

static int
ext_one(void *ctx, const char *path, const struct initfs_inode *ino)
{
	struct ext *x = ctx;
	char *p = xasprintf("%s%s", x->dir, strcmp(path, "/") ? path : "");
	const char *s;
	int fd;

	switch (ino->type) {
	case INITFS_DIR:
		if (strcmp(path, "/") && mkdir(p, 0700) != 0)
			fatal("%s: mkdir: %s", p, strerror(errno));
		x->dpath = xreallocarray(x->dpath, x->nd + 1, sizeof *x->dpath);
		x->dmode = xreallocarray(x->dmode, x->nd + 1, sizeof *x->dmode);
		x->dpath[x->nd] = p;
		x->dmode[x->nd++] = ino->mode;
		return 0;
	case INITFS_FILE:
		fd = open(p, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0600);
		if (fd < 0)
			fatal("%s: %s", p, strerror(errno));
		xpwrite(fd, x->fs->data + ino->off, ino->len, 0, p);
		if (fchmod(fd, ino->mode & 07777) != 0 || close(fd) != 0)
			fatal("%s: %s", p, strerror(errno));
		break;
	case INITFS_SYMLINK:
		/* made after everything else, so no write can go through a link */
		x->lpath = xreallocarray(x->lpath, x->nl + 1, sizeof *x->lpath);
		x->ltarget = xreallocarray(x->ltarget, x->nl + 1, sizeof *x->ltarget);
		{
			struct buf t = {0};

			/* the stored target is relative to the archive root: climb to it */
			for (s = strchr(path + 1, '/'); s; s = strchr(s + 1, '/'))
				buf_puts(&t, "../");
			buf_put(&t, x->fs->data + ino->off, ino->len);
			x->ltarget[x->nl] = t.s;
		}
		x->lpath[x->nl++] = p;
		return 0;
	}
	free(p);
	return 0;
}

static int
do_extract(const char *img, const char *dir)
{
	struct initfs fs;
	struct ext x = {0};
	struct stat st;
	size_t len, i;
	unsigned char *d = load(img, &len, &fs);

	x.fs = &fs;
	x.dir = dir;
	if (initfs_walk(&fs, ext_check, &x, &x.err) != 0)
		fatal("%s: %s", img, x.err.s);
	if (mkdir(dir, 0700) != 0 && (errno != EEXIST || stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)))
		fatal("%s: cannot create the output directory: %s", dir, strerror(errno));
	initfs_walk(&fs, ext_one, &x, &x.err);
	for (i = 0; i < x.nl; i++) {
		if (symlink(x.ltarget[i], x.lpath[i]) != 0)
			fatal("%s: symlink: %s", x.lpath[i], strerror(errno));
		free(x.lpath[i]);
		free(x.ltarget[i]);
	}
	for (i = x.nd; i-- > 0;) {
		if (chmod(x.dpath[i], x.dmode[i] & 07777) != 0)
			fatal("%s: chmod: %s", x.dpath[i], strerror(errno));
		free(x.dpath[i]);
	}
	free(x.lpath); free(x.ltarget); free(x.dpath); free(x.dmode);
	free(d);
	return 0;
}

static int
do_create(const char *man, const char *out, const char *boot, int noboot, uint64_t max)
{
	struct initfs_opts o = {0};
	struct manifest *m;
	struct buf why = {0};
	unsigned char *b = NULL;
	size_t blen = 0;

	o.max_size = max;
	if (boot) {
		const char *cause;

		if (!(b = read_input(boot, &blen, &cause)))
			fatal("--bootstrap %s: %s", boot, cause);
		if (elf_entry(b, blen, &o.entry) != 0)
			fatal("%s: not an ELF executable (cannot read e_entry)", boot);
		if (elf_check_in_place(b, blen, 0x2000, &why) != 0)
			fatal("%s: bootstrap cannot run in place at 0x2000: %s [F9]", boot,
			      why.len ? why.s : "rejected by the ELF check");
		if (o.entry == 0 || o.entry == INITFS_NO_ENTRY)
			fatal("%s: bootstrap e_entry is 0x%llx, the kernel would not enter it", boot,
			      (unsigned long long)o.entry);
		o.boot = b;
		o.bootlen = blen;
	} else if (!noboot) {
		warn("%s: no --bootstrap: the kernel will jump to 0xFFFFFFFFFFFFFFFF (a non-bootable "
		     "initfs); pass --no-bootstrap if that is intended [F7]", out);
	}
	m = manifest_load(man);
	initfs_write(m, out, &o);
	manifest_free(m);
	free(b);
	buf_free(&why);
	return 0;
}

const char usage_initfs[] =
	"usage: kiln initfs create MANIFEST -o OUT [--bootstrap ELF | --no-bootstrap] [--max-size N]\n"
	"       kiln initfs list IMG\n"
	"       kiln initfs extract IMG -o DIR\n"
	"\n"
	"create: writes the Redox initfs archive of MANIFEST (docs/manifest.md) to OUT, as\n"
	"redox-initfs-ar does, with the bootstrap ELF embedded so the kernel can run it in place.\n"
	"  --bootstrap ELF    the bootstrap program (checked: entry point, segments)\n"
	"  --no-bootstrap     an archive without one (the kernel cannot boot it)\n"
	"  --max-size N       fail when the archive would exceed N bytes (K, M, G suffixes;\n"
	"                     default 64M)\n"
	"list: the header and every entry of IMG (type, mode, owner, size, path)\n"
	"extract: writes the entries of IMG below DIR\n";

int
cmd_initfs(int argc, char *argv[])
{
	const char *pos[2] = {0}, *out = NULL, *boot = NULL, *sub;
	uint64_t max = INITFS_DEFAULT_MAX;
	int i, npos = 0, noboot = 0;

	if (argc < 2)
		usage_error("which initfs command? create, list or extract");
	sub = argv[1];
	for (i = 2; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "-o") && i + 1 < argc) out = argv[++i];
		else if (!strncmp(a, "-o", 2) && a[2]) out = a + 2;
		else if (!strcmp(a, "--bootstrap") && i + 1 < argc) boot = argv[++i];
		else if (!strncmp(a, "--bootstrap=", 12)) boot = a + 12;
		else if (!strcmp(a, "--no-bootstrap")) noboot = 1;
		else if ((!strcmp(a, "--max-size") && i + 1 < argc) || !strncmp(a, "--max-size=", 11)) {
			const char *v = a[10] == '=' ? a + 11 : argv[++i];

			const char *why = size_parse(v, &max);

			if (why)
				fatal("--max-size %s: %s", v, why);
		} else if (!strcmp(a, "-o") || !strcmp(a, "--bootstrap") || !strcmp(a, "--max-size")) {
			usage_error("%s needs a value", a);
		} else if (a[0] == '-' && a[1]) {
			unknown_option(a);
		} else if (npos < 2) {
			pos[npos++] = a;
		} else {
			usage_error("unexpected argument '%s'", a);
		}
	}
	if (!strcmp(sub, "create")) {
		if (npos != 1 || !out)
			usage_error("create needs one MANIFEST and -o OUT");
		if (boot && noboot)
			fatal("--bootstrap and --no-bootstrap contradict each other");
		return do_create(pos[0], out, boot, noboot, max);
	}
	if (!strcmp(sub, "list") && npos == 1 && !out)
		return do_list(pos[0]);
	if (!strcmp(sub, "extract") && npos == 1 && out)
		return do_extract(pos[0], out);
	if (!strcmp(sub, "list") || !strcmp(sub, "extract"))
		usage_error("%s needs one IMG%s", sub, !strcmp(sub, "list") ? " and nothing else" : " and -o DIR");
	{
		static const char *const subs[] = { "create", "list", "extract" };

		unknown_subcommand(sub, subs, 3);
	}
}
