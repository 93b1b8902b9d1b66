/* fat.c: `kiln fat create|list|cat`: FAT12/16/32 ESP images from a manifest, and a reader.
 *
 * The writer lays the tree out in one pass (directories and files get contiguous cluster
 * runs in depth-first, sorted order), so it knows the space needed before writing anything.
 * Names that are valid upper-case 8.3 names get one short entry; every other name gets VFAT
 * long-name entries and a generated, unique NAME~N.EXT short name. */
#define _POSIX_C_SOURCE 200809L
#define _DARWIN_C_SOURCE  /* macOS hides part of POSIX.1-2008 (O_NOFOLLOW) without it; others ignore it */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cmd.h"
#include "fat.h"

#define SECTOR 512
#define DIRENT 32
#define ATTR_RO 0x01
#define ATTR_VOLUME 0x08
#define ATTR_DIR 0x10
#define ATTR_ARCHIVE 0x20
#define ATTR_LFN 0x0F
#define MAX_DEPTH 1024

static const unsigned char bootcode[129] = {
	0x0E, 0x1F, 0xBE, 0x77, 0x7C, 0xAC, 0x22, 0xC0, 0x74, 0x0B, 0x56, 0xB4, 0x0E, 0xBB, 0x07, 0x00,
	0xCD, 0x10, 0x5E, 0xEB, 0xF0, 0x32, 0xE4, 0xCD, 0x16, 0xCD, 0x19, 0xEB, 0xFE,
	'T', 'h', 'i', 's', ' ', 'i', 's', ' ', 'n', 'o', 't', ' ', 'a', ' ', 'b', 'o', 'o', 't', 'a',
	'b', 'l', 'e', ' ', 'd', 'i', 's', 'k', '.', ' ', ' ', 'P', 'l', 'e', 'a', 's', 'e', ' ', 'i',
	'n', 's', 'e', 'r', 't', ' ', 'a', ' ', 'b', 'o', 'o', 't', 'a', 'b', 'l', 'e', ' ', 'f', 'l',
	'o', 'p', 'p', 'y', ' ', 'a', 'n', 'd', '\r', '\n', 'p', 'r', 'e', 's', 's', ' ', 'a', 'n', 'y',
	' ', 'k', 'e', 'y', ' ', 't', 'o', ' ', 't', 'r', 'y', ' ', 'a', 'g', 'a', 'i', 'n', ' ', '.',
	'.', '.', ' ', '\r', '\n',
};

static int
type_of(uint64_t clusters)
{
	return clusters < 4085 ? 12 : clusters < 65525 ? 16 : 32;
}

static uint64_t
pow2_up(uint64_t x)
{
	uint64_t p = 1;

	while (p < x)
		p <<= 1;
	return p;
}

static uint32_t
cluster_bytes(uint64_t bytes)
{
	const uint64_t K = 1024, M = K * K, G = M * K;
	uint64_t c;

	if (bytes < 4200 * K)
		c = pow2_up(bytes) / M * 512;
	else if (bytes < 512 * M)
		c = bytes <= 16 * M ? K : bytes <= 128 * M ? 2 * K : pow2_up(bytes) / (64 * M) * K;
	else
		c = bytes <= 260 * M ? 512 : bytes <= 8 * G ? 4 * K : pow2_up(bytes) / (2 * G) * K;
	if (c < SECTOR)
		c = SECTOR;
	if (c > 32 * K)
		c = 32 * K;
	return (uint32_t)c;
}

int
fat_geometry(uint64_t total, struct fat_geom *g)
{
	static const int order[3] = { 32, 16, 12 };
	uint32_t spc;
	int i;

	if (total > UINT32_MAX)
		return -1;
	spc = cluster_bytes(total * SECTOR) / SECTOR;
	for (i = 0; i < 3; i++) {
		int t = order[i];
		uint64_t t0, t1, t2, ds;

		memset(g, 0, sizeof *g);
		g->type = t;
		g->bps = SECTOR;
		g->spc = spc;
		g->nfats = 2;
		g->reserved = t == 32 ? 32 : 1;
		g->rootents = t == 32 ? 0 : 512;
		g->rootsecs = g->rootents * DIRENT / SECTOR;
		g->rootclus = t == 32 ? 2 : 0;
		g->total = total;
		if (total <= (uint64_t)g->reserved + g->rootsecs + 8)
			continue;
		t0 = total - g->reserved - g->rootsecs;
		t1 = t0 + 2 * (uint64_t)spc;
		t2 = (uint64_t)spc * SECTOR * 8 / (unsigned)t + g->nfats;
		g->fatsz = (uint32_t)((t1 + t2 - 1) / t2);
		if (t0 <= (uint64_t)g->nfats * g->fatsz)
			continue;
		ds = t0 - (uint64_t)g->nfats * g->fatsz;
		if (type_of(ds / spc) != t || ds / spc > 0x0FFFFFF5u)
			continue;
		if (t != 32 && g->fatsz > 0xFFFF)
			continue;
		g->nclus = (uint32_t)(ds / spc);
		g->data = g->reserved + g->nfats * g->fatsz + g->rootsecs;
		return 0;
	}
	return -1;
}

/* --- names ------------------------------------------------------------------------------- */

/* characters allowed in a short name besides A-Z and 0-9 */
static int
short_ok(int c)
{
	return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || (c && strchr("!#$%&'()-@^_`{}~", c));
}

/* the 11-byte short name when name is a valid upper-case 8.3 name; 0 if it is not */
static int
fits83(const char *name, unsigned char out[11])
{
	const char *dot = strchr(name, '.');
	size_t nb = dot ? (size_t)(dot - name) : strlen(name), ne = dot ? strlen(dot + 1) : 0, i;

	if (nb == 0 || nb > 8 || ne > 3 || (dot && (ne == 0 || strchr(dot + 1, '.'))))
		return 0;
	for (i = 0; i < nb; i++)
		if (!short_ok((unsigned char)name[i]))
			return 0;
	for (i = 0; i < ne; i++)
		if (!short_ok((unsigned char)dot[1 + i]))
			return 0;
	memset(out, ' ', 11);
	memcpy(out, name, nb);
	if (dot)
		memcpy(out + 8, dot + 1, ne);
	if (out[0] == 0xE5)
		out[0] = 0x05;
	return 1;
}

/* UTF-8 name to UTF-16 units (at most 255); -1 if not UTF-8, too long or not allowed on FAT */
static int
to_utf16(const char *name, uint16_t *u, size_t *n)
{
	const unsigned char *s = (const unsigned char *)name;
	size_t k = 0, len = strlen(name);

	if (len == 0 || name[len - 1] == '.' || name[len - 1] == ' ')
		return -1;
	while (*s) {
		uint32_t c;
		int m, i;

		if (*s < 0x80) c = *s, m = 0;
		else if ((*s & 0xE0) == 0xC0) c = *s & 0x1F, m = 1;
		else if ((*s & 0xF0) == 0xE0) c = *s & 0x0F, m = 2;
		else if ((*s & 0xF8) == 0xF0) c = *s & 0x07, m = 3;
		else return -1;
		for (i = 1; i <= m; i++) {
			if ((s[i] & 0xC0) != 0x80)
				return -1;
			c = c << 6 | (s[i] & 0x3F);
		}
		s += m + 1;
		if (c < 0x20 || (c < 0x80 && strchr("\\/:*?\"<>|", (int)c)))
			return -1;
		if (c >= 0x10000) {
			if (k + 2 > 255)
				return -1;
			u[k++] = (uint16_t)(0xD800 + ((c - 0x10000) >> 10));
			u[k++] = (uint16_t)(0xDC00 + ((c - 0x10000) & 0x3FF));
		} else {
			if (k + 1 > 255)
				return -1;
			u[k++] = (uint16_t)c;
		}
	}
	*n = k;
	return 0;
}

static unsigned char
lfn_sum(const unsigned char s[11])
{
	unsigned char sum = 0;
	int i;

	for (i = 0; i < 11; i++)
		sum = (unsigned char)(((sum & 1) << 7) + (sum >> 1) + s[i]);
	return sum;
}

/* --- writer ------------------------------------------------------------------------------ */

/* per manifest entry (indexed by mnode.id) */
struct fnode {
	unsigned char sname[11];  /* short name */
	uint16_t *lfn;            /* long name, or NULL when the short name is the name */
	size_t nlfn;              /* its UTF-16 units */
	uint32_t first;           /* first cluster, 0 for none */
	uint32_t nclus;           /* clusters in its run */
	uint32_t nent;            /* directories: 32-byte entries */
};

/* a hash table of 11-byte short names, each with a value */
struct names {
	unsigned char (*s)[11];  /* names; s[i][0] == 0 marks a free slot */
	unsigned long *v;        /* their values */
	size_t cap, n;
};

static size_t
nhash(const unsigned char *s)
{
	size_t h = 5381;
	int i;

	for (i = 0; i < 11; i++)
		h = h * 33 + s[i];
	return h;
}

/* the slot of s, inserted with value 0 when absent (*isnew then set) */
static size_t
names_slot(struct names *t, const unsigned char *s, int *isnew)
{
	size_t i, j;

	if ((t->n + 1) * 2 > t->cap) {
		struct names o = *t;

		t->cap = t->cap ? t->cap * 2 : 64;
		t->s = xcalloc(t->cap, 11);
		t->v = xcalloc(t->cap, sizeof *t->v);
		t->n = 0;
		for (i = 0; i < o.cap; i++) {
			if (o.s[i][0]) {
				int dummy;

				j = names_slot(t, o.s[i], &dummy);
				t->v[j] = o.v[i];
			}
		}
		free(o.s);
		free(o.v);
	}
	*isnew = 0;
	for (i = nhash(s) & (t->cap - 1); t->s[i][0]; i = (i + 1) & (t->cap - 1))
		if (!memcmp(t->s[i], s, 11))
			return i;
	memcpy(t->s[i], s, 11);
	t->v[i] = 0;
	t->n++;
	*isnew = 1;
	return i;
}

/* add s; 0, or -1 when it is already there */
static int
names_add(struct names *t, const unsigned char *s)
{
	int isnew;

	names_slot(t, s, &isnew);
	return isnew ? 0 : -1;
}

static void
names_free(struct names *t)
{
	free(t->s);
	free(t->v);
}

/* a unique NAME~N.EXT short name for a long name; bases remembers the last N per basis so
 * thousands of similar names cost one try each */
static void
gen_short(const char *name, struct names *used, struct names *bases, unsigned char out[11])
{
	char base[9] = {0}, ext[4] = {0}, tail[12];
	const char *dot = strrchr(name, '.'), *p;
	unsigned char key[11];
	size_t nb = 0, ne = 0, keep, slot;
	unsigned long n;
	int isnew;

	if (dot == name)
		dot = NULL;
	for (p = name; *p && p != dot; p++) {
		int c = (unsigned char)*p;

		if (c == '.' || c == ' ')
			continue;
		c = c >= 'a' && c <= 'z' ? c - 32 : c;
		if (nb < 8)
			base[nb++] = short_ok(c) ? (char)c : '_';
	}
	for (p = dot ? dot + 1 : ""; *p; p++) {
		int c = (unsigned char)*p;

		if (c == ' ')
			continue;
		c = c >= 'a' && c <= 'z' ? c - 32 : c;
		if (ne < 3)
			ext[ne++] = short_ok(c) ? (char)c : '_';
	}
	if (nb == 0)
		base[nb++] = '_';
	memset(key, ' ', 11);
	memcpy(key, base, nb);
	memcpy(key + 8, ext, ne);
	slot = names_slot(bases, key, &isnew);
	for (n = bases->v[slot] + 1;; n++) {
		snprintf(tail, sizeof tail, "~%lu", n);
		keep = 8 - strlen(tail) < nb ? 8 - strlen(tail) : nb;
		memset(out, ' ', 11);
		memcpy(out, base, keep);
		memcpy(out + keep, tail, strlen(tail));
		memcpy(out + 8, ext, ne);
		if (names_add(used, out) == 0)
			break;
	}
	bases->v[slot] = n;
}

static int
bycase(const void *a, const void *b)
{
	return strcasecmp((*(struct mnode *const *)a)->name, (*(struct mnode *const *)b)->name);
}

/* writer state */
struct fw {
	struct manifest *m;
	struct fat_geom g;
	struct fnode *f;
	uint32_t csize;       /* bytes per cluster */
	uint64_t next;        /* next free cluster */
	uint16_t time, date;  /* DOS timestamp of every entry */
};

static void
dos_time(uint64_t t, uint16_t *time, uint16_t *date)
{
	int64_t days = (int64_t)(t / 86400), secs = (int64_t)(t % 86400), y, m, d, era, doe, yoe,
	        doy, mp;

	/* civil-from-days (proleptic Gregorian) */
	days += 719468;
	era = days / 146097;
	doe = days - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d = doy - (153 * mp + 2) / 5 + 1;
	m = mp < 10 ? mp + 3 : mp - 9;
	y += m <= 2;
	if (y < 1980) { /* FAT cannot say earlier: 1980-01-01 00:00:00 */
		y = 1980, m = 1, d = 1, secs = 0;
	} else if (y > 2107) {
		y = 2107, m = 12, d = 31, secs = 86399;
	}
	*time = (uint16_t)((secs / 3600) << 11 | (secs / 60 % 60) << 5 | (secs % 60) / 2);
	*date = (uint16_t)((y - 1980) << 9 | m << 5 | d);
}

/* names for the children of d, and its entry count; fatal on a name FAT cannot hold */
static void
name_dir(struct fw *w, struct mnode *d)
{
	struct names used = {0}, bases = {0};
	struct mnode **sorted;
	uint16_t u[256];
	size_t i, n;

	/* FAT compares names without case: two names differing only in case collide */
	sorted = xreallocarray(NULL, d->nchild ? d->nchild : 1, sizeof *sorted);
	if (d->nchild) {  /* an empty directory has no child array (memcpy from NULL is undefined) */
		memcpy(sorted, d->child, d->nchild * sizeof *sorted);
		qsort(sorted, d->nchild, sizeof *sorted, bycase);
	}
	for (i = 1; i < d->nchild; i++)
		if (!strcasecmp(sorted[i - 1]->name, sorted[i]->name))
			fatal("%s: %s: FAT names ignore case, and %s is in the same directory",
			      sorted[i]->where, sorted[i]->path, sorted[i - 1]->path);
	free(sorted);
	w->f[d->id].nent = d->parent ? 2 : 0;
	/* names that are already 8.3 first, so generated ones avoid them */
	for (i = 0; i < d->nchild; i++) {
		struct mnode *c = d->child[i];
		struct fnode *f = &w->f[c->id];

		if (c->type == M_SYMLINK)
			fatal("%s: %s: FAT has no symlinks (make it a file or a hardlink)", c->where, c->path);
		if (to_utf16(c->name, u, &n) != 0)
			fatal("%s: %s: name not allowed on FAT (not UTF-8, over 255 UTF-16 units, a "
			      "control character or one of \\/:*?\"<>|, or a trailing dot or space)",
			      c->where, c->path);
		if (fits83(c->name, f->sname) && names_add(&used, f->sname) == 0) {
			f->nlfn = 0;
		} else {
			f->lfn = xreallocarray(NULL, n, sizeof *u);
			memcpy(f->lfn, u, n * sizeof *u);
			f->nlfn = n;
			f->sname[0] = 0;
		}
	}
	for (i = 0; i < d->nchild; i++) {
		struct fnode *f = &w->f[d->child[i]->id];

		if (f->nlfn)
			gen_short(d->child[i]->name, &used, &bases, f->sname);
		w->f[d->id].nent += 1 + (uint32_t)((f->nlfn + 12) / 13);
	}
	names_free(&used);
	names_free(&bases);
	if (w->f[d->id].nent > 65536)
		fatal("%s: directory %s needs %u entries (long names take several), FAT allows 65536",
		      d->where, d->path, w->f[d->id].nent);
	for (i = 0; i < d->nchild; i++)
		if (d->child[i]->type == M_DIR)
			name_dir(w, d->child[i]);
}

static uint64_t
size_of(const struct mnode *n)
{
	return n->type == M_HARDLINK ? n->target->size : n->size;
}

/* clusters needed by the tree for a cluster size (and whether the FAT12/16 root fits) */
static uint64_t
need(struct fw *w, uint32_t csize, int fixedroot)
{
	uint64_t c = 0;
	size_t i;

	for (i = 0; i < w->m->nall; i++) {
		struct mnode *n = w->m->all[i];

		if (n->type == M_DIR && (n->parent || !fixedroot))
			c += ((uint64_t)w->f[n->id].nent * DIRENT + csize - 1) / csize + !w->f[n->id].nent;
		else if (n->type == M_FILE || n->type == M_HARDLINK)
			c += (size_of(n) + csize - 1) / csize;
	}
	return c;
}

/* place d and everything below it, depth-first in sorted order */
static void
place(struct fw *w, struct mnode *d)
{
	struct fnode *f = &w->f[d->id];
	size_t i;

	if (d->parent || w->g.type == 32) {
		f->nclus = (uint32_t)(((uint64_t)f->nent * DIRENT + w->csize - 1) / w->csize);
		if (f->nclus == 0)
			f->nclus = 1;
		f->first = (uint32_t)w->next;
		w->next += f->nclus;
	}
	for (i = 0; i < d->nchild; i++) {
		struct mnode *c = d->child[i];
		struct fnode *fc = &w->f[c->id];

		if (c->type == M_DIR) {
			place(w, c);
		} else {
			if (size_of(c) > UINT32_MAX)
				fatal("%s: %s: %llu bytes, FAT files are below 4 GiB", c->where, c->path,
				      (unsigned long long)size_of(c));
			fc->nclus = (uint32_t)((size_of(c) + w->csize - 1) / w->csize);
			fc->first = fc->nclus ? (uint32_t)w->next : 0;
			w->next += fc->nclus;
		}
	}
}

static void
fat_set(unsigned char *fat, int type, uint32_t i, uint32_t v)
{
	if (type == 12) {
		unsigned char *p = fat + i + i / 2;

		if (i & 1) {
			p[0] = (unsigned char)((p[0] & 0x0F) | (v & 0x0F) << 4);
			p[1] = (unsigned char)(v >> 4);
		} else {
			p[0] = (unsigned char)v;
			p[1] = (unsigned char)((p[1] & 0xF0) | (v >> 8 & 0x0F));
		}
	} else if (type == 16) {
		wr16(fat + 2 * (size_t)i, (uint16_t)v);
	} else {
		wr32(fat + 4 * (size_t)i, v);
	}
}

static void
put_short(unsigned char *e, const unsigned char *name, unsigned char attr, uint32_t clus,
          uint32_t size, const struct fw *w)
{
	memset(e, 0, DIRENT);
	memcpy(e, name, 11);
	e[11] = attr;
	wr16(e + 14, w->time);   /* created */
	wr16(e + 16, w->date);
	wr16(e + 18, w->date);   /* accessed */
	wr16(e + 20, (uint16_t)(clus >> 16));
	wr16(e + 22, w->time);   /* written */
	wr16(e + 24, w->date);
	wr16(e + 26, (uint16_t)clus);
	wr32(e + 28, size);
}

/* the entries of directory d */
static unsigned char *
dir_bytes(struct fw *w, struct mnode *d, size_t *len)
{
	struct fnode *f = &w->f[d->id];
	size_t cap = d->parent || w->g.type == 32 ? (size_t)f->nclus * w->csize
	                                          : (size_t)w->g.rootsecs * SECTOR;
	unsigned char *b = xcalloc(1, cap), *e = b;
	size_t i;

	if (d->parent) {
		static const unsigned char dot[11] = ".          ", dotdot[11] = "..         ";
		/* ".." of a child of the root is cluster 0, even on FAT32 */
		uint32_t up = d->parent->parent ? w->f[d->parent->id].first : 0;

		put_short(e, dot, ATTR_DIR, f->first, 0, w), e += DIRENT;
		put_short(e, dotdot, ATTR_DIR, up, 0, w), e += DIRENT;
	}
	for (i = 0; i < d->nchild; i++) {
		struct mnode *c = d->child[i];
		struct fnode *fc = &w->f[c->id];
		size_t nl = (fc->nlfn + 12) / 13, k, j;
		unsigned char sum = lfn_sum(fc->sname);

		for (k = nl; k > 0; k--) {
			static const int pos[13] = { 1, 3, 5, 7, 9, 14, 16, 18, 20, 22, 24, 28, 30 };

			memset(e, 0, DIRENT);
			e[0] = (unsigned char)(k | (k == nl ? 0x40 : 0));
			e[11] = ATTR_LFN;
			e[13] = sum;
			for (j = 0; j < 13; j++) {
				size_t u = (k - 1) * 13 + j;
				uint16_t v = u < fc->nlfn ? fc->lfn[u] : u == fc->nlfn ? 0 : 0xFFFF;

				wr16(e + pos[j], v);
			}
			e += DIRENT;
		}
		put_short(e, fc->sname, c->type == M_DIR ? ATTR_DIR : ATTR_ARCHIVE, fc->first,
		          c->type == M_DIR ? 0 : (uint32_t)size_of(c), w);
		e += DIRENT;
	}
	*len = cap;
	return b;
}

static uint64_t
clus_off(const struct fw *w, uint32_t c)
{
	return ((uint64_t)w->g.data + (uint64_t)(c - 2) * w->g.spc) * SECTOR;
}

/* smallest size, in whole MiB steps, that would hold the tree */
static uint64_t
min_size(struct fw *w, uint64_t from)
{
	uint64_t s = (from / (1u << 20) + 1) * (1u << 20);
	struct fat_geom g;

	for (; s / SECTOR <= UINT32_MAX; s += 1u << 20)
		if (fat_geometry(s / SECTOR, &g) == 0 &&
		    need(w, g.spc * SECTOR, g.type != 32) <= g.nclus &&
		    (g.type == 32 || w->f[w->m->root->id].nent <= g.rootents))
			return s;
	return 0;
}

void
fat_write(struct manifest *m, const char *out, uint64_t size)
{
	struct fw w = {0};
	struct afile *a;
	unsigned char bs[SECTOR], *fat, *d;
	uint64_t fatbytes, used, c;
	size_t i, len;

	if (size % SECTOR)
		fatal("--size %llu is not a multiple of 512", (unsigned long long)size);
	w.m = m;
	w.f = xcalloc(m->nall, sizeof *w.f);
	for (i = 0; i < m->nall; i++)
		m->all[i]->id = i;
	name_dir(&w, m->root);
	if (size / SECTOR > UINT32_MAX)
		fatal("%s: --size %llu: FAT volumes hold at most 2^32 - 1 sectors (2 TiB)", out,
		      (unsigned long long)size);
	if (fat_geometry(size / SECTOR, &w.g) != 0) {
		uint64_t s = min_size(&w, size);

		fatal("%s: --size %llu: too small for a FAT volume; this content needs --size %llu", out,
		      (unsigned long long)size, (unsigned long long)s);
	}
	w.csize = w.g.spc * SECTOR;
	if (w.g.type != 32 && w.f[m->root->id].nent > w.g.rootents)
		fatal("%s: the root directory needs %u entries, FAT%d holds %u there (use fewer or "
		      "shorter names in /, or a FAT32-sized image)", out, w.f[m->root->id].nent,
		      w.g.type, w.g.rootents);
	used = need(&w, w.csize, w.g.type != 32);
	if (used > w.g.nclus) {
		uint64_t s = min_size(&w, size);

		fatal("%s: image too small: the content needs %llu clusters of %u bytes, FAT%d at "
		      "--size %llu has %u; it needs --size %llu (%llu bytes more)", out,
		      (unsigned long long)used, w.csize, w.g.type, (unsigned long long)size, w.g.nclus,
		      (unsigned long long)s, (unsigned long long)(s - size));
	}
	dos_time(source_date_epoch(), &w.time, &w.date);
	w.next = 2;
	place(&w, m->root);

	/* the FAT: media entries, chains, end-of-chain after the last cluster (as fatfs) */
	fatbytes = (uint64_t)w.g.fatsz * SECTOR;
	fat = xcalloc(1, fatbytes);
	fat_set(fat, w.g.type, 0, w.g.type == 12 ? 0xFF8 : w.g.type == 16 ? 0xFFF8 : 0x0FFFFFF8);
	fat_set(fat, w.g.type, 1, w.g.type == 12 ? 0xFFF : w.g.type == 16 ? 0xFFFF : 0x0FFFFFFF);
	for (i = 0; i < m->nall; i++) {
		struct fnode *f = &w.f[i];

		for (c = 0; c < f->nclus; c++)
			fat_set(fat, w.g.type, f->first + (uint32_t)c,
			        c + 1 < f->nclus ? f->first + (uint32_t)c + 1
			                         : w.g.type == 12 ? 0xFFF : w.g.type == 16 ? 0xFFFF : 0x0FFFFFFF);
	}
	for (c = (uint64_t)w.g.nclus + 2; c < fatbytes * 8 / (unsigned)w.g.type; c++)
		fat_set(fat, w.g.type, (uint32_t)c, w.g.type == 12 ? 0xFFF : w.g.type == 16 ? 0xFFFF
		                                                                         : 0x0FFFFFFF);

	memset(bs, 0, sizeof bs);
	memcpy(bs, "\xEB\x58\x90MSWIN4.1", 11);
	wr16(bs + 11, SECTOR);
	bs[13] = (unsigned char)w.g.spc;
	wr16(bs + 14, (uint16_t)w.g.reserved);
	bs[16] = (unsigned char)w.g.nfats;
	wr16(bs + 17, (uint16_t)w.g.rootents);
	if (w.g.type != 32 && w.g.total < 65536)
		wr16(bs + 19, (uint16_t)w.g.total);
	else
		wr32(bs + 32, (uint32_t)w.g.total);
	bs[21] = 0xF8;
	wr16(bs + 24, 32);
	wr16(bs + 26, 64);
	if (w.g.type == 32) {
		wr32(bs + 36, w.g.fatsz);
		wr32(bs + 44, w.g.rootclus);
		wr16(bs + 48, 1);
		wr16(bs + 50, 6);
		bs[64] = 0x80;
		bs[66] = 0x29;
		wr32(bs + 67, 0x12345678);
		memcpy(bs + 71, "NO NAME    FAT32   ", 19);
		memcpy(bs + 90, bootcode, sizeof bootcode);
	} else {
		bs[1] = 0x3C;
		wr16(bs + 22, (uint16_t)w.g.fatsz);
		bs[36] = w.g.type == 12 ? 0x00 : 0x80;
		bs[38] = 0x29;
		wr32(bs + 39, 0x12345678);
		memcpy(bs + 43, w.g.type == 12 ? "NO NAME    FAT12   " : "NO NAME    FAT16   ", 19);
		memcpy(bs + 62, bootcode, sizeof bootcode);
		wr16(bs + 62 + 3, 0x7C00 + 62 + 29);
	}
	bs[510] = 0x55, bs[511] = 0xAA;

	a = afile_open(out);
	if (ftruncate(a->fd, (off_t)size) != 0)
		fatal("%s: ftruncate to %llu bytes: %s", out, (unsigned long long)size, strerror(errno));
	xpwrite(a->fd, bs, SECTOR, 0, out);
	if (w.g.type == 32) {
		unsigned char fi[SECTOR] = {0};

		xpwrite(a->fd, bs, SECTOR, 6 * SECTOR, out);
		memcpy(fi, "RRaA", 4);
		memcpy(fi + 484, "rrAa", 4);
		wr32(fi + 488, w.g.nclus - (uint32_t)(w.next - 2));
		wr32(fi + 492, w.next - 2 < w.g.nclus ? (uint32_t)w.next : 0xFFFFFFFF);
		fi[510] = 0x55, fi[511] = 0xAA;
		xpwrite(a->fd, fi, SECTOR, 1 * SECTOR, out);
		xpwrite(a->fd, fi, SECTOR, 7 * SECTOR, out);
	}
	for (i = 0; i < w.g.nfats; i++)
		xpwrite(a->fd, fat, fatbytes, ((uint64_t)w.g.reserved + i * w.g.fatsz) * SECTOR, out);
	for (i = 0; i < m->nall; i++) {
		struct mnode *n = m->all[i];

		if (n->type == M_DIR) {
			d = dir_bytes(&w, n, &len);
			xpwrite(a->fd, d, len, n->parent || w.g.type == 32 ? clus_off(&w, w.f[i].first)
			        : ((uint64_t)w.g.reserved + (uint64_t)w.g.nfats * w.g.fatsz) * SECTOR, out);
			free(d);
		} else if (w.f[i].nclus) {
			mnode_copy(n, a->fd, clus_off(&w, w.f[i].first), out);
		}
	}
	afile_commit(a);
	for (i = 0; i < m->nall; i++)
		free(w.f[i].lfn);
	free(w.f);
	free(fat);
}

/* --- reader ------------------------------------------------------------------------------ */

int
fat_open(struct fat *fs, const unsigned char *d, size_t len, struct buf *err)
{
	struct fat_geom *g = &fs->g;
	uint64_t total, fatsz, ds;
	const unsigned char *lab;

	memset(fs, 0, sizeof *fs);
	if (len < SECTOR) {
		buf_printf(err, "%zu bytes, shorter than a boot sector", len);
		return -1;
	}
	if (d[510] != 0x55 || d[511] != 0xAA) {
		buf_printf(err, "offset 510: no 55 AA boot signature: not a FAT volume");
		return -1;
	}
	g->bps = rd16(d + 11);
	g->spc = d[13];
	g->reserved = rd16(d + 14);
	g->nfats = d[16];
	g->rootents = rd16(d + 17);
	total = rd16(d + 19) ? rd16(d + 19) : rd32(d + 32);
	fatsz = rd16(d + 22) ? rd16(d + 22) : rd32(d + 36);
	if (g->bps < 512 || g->bps > 4096 || (g->bps & (g->bps - 1)) || g->spc == 0 ||
	    (g->spc & (g->spc - 1)) || g->reserved == 0 || g->nfats == 0 || fatsz == 0) {
		buf_printf(err, "offset 11: bad BPB (%u bytes per sector, %u sectors per cluster, %u "
		           "reserved, %u FATs of %llu sectors)", g->bps, g->spc, g->reserved, g->nfats,
		           (unsigned long long)fatsz);
		return -1;
	}
	g->fatsz = (uint32_t)fatsz;
	g->total = total;
	g->rootsecs = (g->rootents * DIRENT + g->bps - 1) / g->bps;
	ds = (uint64_t)g->reserved + (uint64_t)g->nfats * fatsz + g->rootsecs;
	if (ds >= total) {
		buf_printf(err, "offset 11: reserved, FAT and root sectors (%llu) fill the whole volume "
		           "(%llu sectors)", (unsigned long long)ds, (unsigned long long)total);
		return -1;
	}
	g->data = (uint32_t)ds;
	g->nclus = (uint32_t)((total - ds) / g->spc);
	g->type = type_of(g->nclus);
	if (total * g->bps > len) {
		buf_printf(err, "offset 19: the volume has %llu sectors (%llu bytes), the image only %zu",
		           (unsigned long long)total, (unsigned long long)(total * g->bps), len);
		return -1;
	}
	if (fatsz * g->bps * 8 / (unsigned)g->type < (uint64_t)g->nclus + 2) {
		buf_printf(err, "offset 22: a FAT of %llu sectors cannot map %u clusters",
		           (unsigned long long)fatsz, g->nclus);
		return -1;
	}
	if (g->type == 32) {
		if (g->rootents != 0) {
			buf_printf(err, "offset 17: FAT32 volume with %u fixed root entries", g->rootents);
			return -1;
		}
		g->rootclus = rd32(d + 44);
		if (g->rootclus < 2 || g->rootclus >= g->nclus + 2) {
			buf_printf(err, "offset 44: root cluster %u outside 2..%u", g->rootclus, g->nclus + 1);
			return -1;
		}
		fs->volid = rd32(d + 67);
		lab = d + 71;
	} else {
		if (g->rootents == 0) {
			buf_printf(err, "offset 17: FAT%d volume without root entries", g->type);
			return -1;
		}
		fs->volid = rd32(d + 39);
		lab = d + 43;
	}
	memcpy(fs->label, lab, 11);
	fs->label[11] = '\0';
	fs->data = d;
	fs->len = len;
	return 0;
}

static uint32_t
fat_get(const struct fat *fs, uint32_t c)
{
	const unsigned char *f = fs->data + (size_t)fs->g.reserved * fs->g.bps;

	if (fs->g.type == 12) {
		const unsigned char *p = f + c + c / 2;

		return c & 1 ? (uint32_t)(p[0] >> 4 | p[1] << 4) : (uint32_t)(p[0] | (p[1] & 0x0F) << 8);
	}
	if (fs->g.type == 16)
		return rd16(f + 2 * (size_t)c);
	return rd32(f + 4 * (size_t)c) & 0x0FFFFFFF;
}

static int
is_eoc(const struct fat *fs, uint32_t v)
{
	return v >= (fs->g.type == 12 ? 0xFF8u : fs->g.type == 16 ? 0xFFF8u : 0x0FFFFFF8u);
}

/* append the bytes of the chain at first (at most max bytes, 0: whole chain) to out (or
 * only check the chain when out is NULL); with used, every cluster is marked there and one
 * already marked is an error (cross-linked), which bounds a walk to one pass over the FAT */
static int
read_chain(const struct fat *fs, uint32_t first, uint64_t max, struct buf *out, struct buf *err,
           const char *what, unsigned char *used)
{
	uint64_t csize = (uint64_t)fs->g.spc * fs->g.bps, got = 0, steps = 0;
	uint32_t c = first;

	while (max == 0 || got < max) {
		uint64_t k;

		if (c < 2 || c >= fs->g.nclus + 2) {
			buf_printf(err, "%s: cluster %u outside 2..%u", what, c, fs->g.nclus + 1);
			return -1;
		}
		if (++steps > fs->g.nclus) {
			buf_printf(err, "%s: cluster chain loops", what);
			return -1;
		}
		if (used) {
			if (used[c / 8] & (1 << c % 8)) {
				buf_printf(err, "%s: cluster %u is used twice (a loop in the chain, or "
				           "cross-linked with another file or directory)", what, c);
				return -1;
			}
			used[c / 8] |= (unsigned char)(1 << c % 8);
		}
		k = max && max - got < csize ? max - got : csize;
		if (out)
			buf_put(out, fs->data + ((uint64_t)fs->g.data + (uint64_t)(c - 2) * fs->g.spc) * fs->g.bps,
		        (size_t)k);
		got += k;
		c = fat_get(fs, c);
		if (is_eoc(fs, c))
			break;
	}
	if (max && got < max) {
		buf_printf(err, "%s: chain ends after %llu of %llu bytes", what, (unsigned long long)got,
		           (unsigned long long)max);
		return -1;
	}
	return 0;
}

int
fat_read(const struct fat *fs, const struct fat_dirent *e, struct buf *out, struct buf *err)
{
	if (e->size == 0)
		return 0;
	return read_chain(fs, e->first, e->size, out, err, "file", NULL);
}

struct walk {
	const struct fat *fs;
	fat_visit *fn;
	void *ctx;
	struct buf *err;
	struct buf path;
	unsigned char *seen;  /* directory start clusters entered */
	unsigned char *used;  /* clusters of every chain walked so far */
};

/* a UTF-16 long name to UTF-8 in b; -1 if it has a NUL, '/' or a bad surrogate */
static int
lfn_utf8(const uint16_t *u, size_t n, struct buf *b)
{
	size_t i;

	for (i = 0; i < n; i++) {
		uint32_t c = u[i];

		if (c >= 0xD800 && c < 0xDC00 && i + 1 < n && u[i + 1] >= 0xDC00 && u[i + 1] < 0xE000)
			c = 0x10000 + ((c - 0xD800) << 10) + (u[++i] - 0xDC00);
		else if (c >= 0xD800 && c < 0xE000)
			return -1;
		if (c == 0 || c == '/')
			return -1;
		if (c < 0x80) {
			buf_putc(b, (int)c);
		} else if (c < 0x800) {
			buf_putc(b, (int)(0xC0 | c >> 6));
			buf_putc(b, (int)(0x80 | (c & 63)));
		} else if (c < 0x10000) {
			buf_putc(b, (int)(0xE0 | c >> 12));
			buf_putc(b, (int)(0x80 | (c >> 6 & 63)));
			buf_putc(b, (int)(0x80 | (c & 63)));
		} else {
			buf_putc(b, (int)(0xF0 | c >> 18));
			buf_putc(b, (int)(0x80 | (c >> 12 & 63)));
			buf_putc(b, (int)(0x80 | (c >> 6 & 63)));
			buf_putc(b, (int)(0x80 | (c & 63)));
		}
	}
	return 0;
}

static int walk_dir(struct walk *w, const unsigned char *d, size_t len, int depth);

static int
walk_entry(struct walk *w, const unsigned char *e, const uint16_t *lfn, size_t nlfn, int depth)
{
	struct fat_dirent de;
	size_t base = w->path.len, i, nb, ne;
	const char *where;
	int r = 0;

	buf_putc(&w->path, '/');
	if (!nlfn || lfn_utf8(lfn, nlfn, &w->path) != 0) {
		w->path.len = base + 1;
		for (nb = 8; nb > 0 && e[nb - 1] == ' '; nb--)
			;
		for (ne = 3; ne > 0 && e[8 + ne - 1] == ' '; ne--)
			;
		for (i = 0; i < nb; i++)
			buf_putc(&w->path, i == 0 && e[0] == 0x05 ? 0xE5 : e[i]);
		if (ne) {
			buf_putc(&w->path, '.');
			buf_put(&w->path, e + 8, ne);
		}
	}
	where = w->path.s;
	{
		const char *nm = w->path.s + base + 1;
		size_t nl = w->path.len - base - 1;

		if (nl == 0 || memchr(nm, '/', nl) || memchr(nm, '\0', nl) || !strcmp(nm, ".") ||
		    !strcmp(nm, "..")) {
			buf_printf(w->err, "%s: entry with an unsafe name", where);
			r = -1;
			goto out;
		}
	}
	de.attr = e[11];
	de.dir = !!(e[11] & ATTR_DIR);
	de.first = (uint32_t)rd16(e + 20) << 16 | rd16(e + 26);
	if (w->fs->g.type != 32)
		de.first &= 0xFFFF;
	de.size = rd32(e + 28);
	if (de.first == 1 || (de.first && de.first >= w->fs->g.nclus + 2)) {
		buf_printf(w->err, "%s: first cluster %u outside 2..%u", where, de.first,
		           w->fs->g.nclus + 1);
		r = -1;
		goto out;
	}
	if (!de.dir && de.size && !de.first) {
		buf_printf(w->err, "%s: %u bytes but no cluster", where, de.size);
		r = -1;
		goto out;
	}
	if (!de.dir && de.size &&
	    (r = read_chain(w->fs, de.first, de.size, NULL, w->err, where, w->used)) != 0)
		goto out;
	if ((r = w->fn(w->ctx, where, &de)) != 0)
		goto out;
	if (de.dir) {
		struct buf sub = {0};

		if (!de.first) {
			buf_printf(w->err, "%s: directory without a cluster", where);
			r = -1;
		} else if (w->seen[de.first / 8] & (1 << de.first % 8)) {
			buf_printf(w->err, "%s: directory cluster %u reached twice (a loop)", where, de.first);
			r = -1;
		} else if (depth >= MAX_DEPTH) {
			buf_printf(w->err, "%s: directories nested deeper than %d", where, MAX_DEPTH);
			r = -1;
		} else {
			w->seen[de.first / 8] |= (unsigned char)(1 << de.first % 8);
			r = read_chain(w->fs, de.first, 0, &sub, w->err, where, w->used);
			if (r == 0)
				r = walk_dir(w, (const unsigned char *)sub.s, sub.len, depth + 1);
		}
		buf_free(&sub);
	}
out:
	w->path.len = base;
	w->path.s[base] = '\0';
	return r;
}

static int
walk_dir(struct walk *w, const unsigned char *d, size_t len, int depth)
{
	uint16_t lfn[20 * 13];
	size_t off, nlfn = 0;
	int expect = 0, r;
	unsigned char sum = 0;

	for (off = 0; off + DIRENT <= len; off += DIRENT) {
		const unsigned char *e = d + off;

		if (e[0] == 0x00)
			break;
		if (e[0] == 0xE5) {
			expect = 0;
			continue;
		}
		if ((e[11] & 0x3F) == ATTR_LFN) {
			static const int pos[13] = { 1, 3, 5, 7, 9, 14, 16, 18, 20, 22, 24, 28, 30 };
			int seq = e[0] & 0x1F, j;

			if (e[0] & 0x40) {
				if (seq < 1 || seq > 20) {
					expect = 0;
					continue;
				}
				expect = seq;
				nlfn = (size_t)seq * 13;
				sum = e[13];
			} else if (!expect || seq != expect || e[13] != sum) {
				expect = 0;
				continue;
			}
			for (j = 0; j < 13; j++)
				lfn[(seq - 1) * 13 + j] = rd16(e + pos[j]);
			expect = seq - 1 ? seq - 1 : -1; /* -1: complete, the short entry is next */
			continue;
		}
		if (e[11] & ATTR_VOLUME) {
			expect = 0;
			continue;
		}
		if (e[0] == '.' && (e[1] == ' ' || (e[1] == '.' && e[2] == ' '))) {
			expect = 0;
			continue;
		}
		if (expect == -1 && lfn_sum(e) == sum) {
			size_t n = 0;

			while (n < nlfn && lfn[n] != 0)
				n++;
			r = walk_entry(w, e, lfn, n, depth);
		} else {
			r = walk_entry(w, e, NULL, 0, depth);
		}
		expect = 0;
		if (r)
			return r;
	}
	return 0;
}

int
fat_walk(const struct fat *fs, fat_visit *fn, void *ctx, struct buf *err)
{
	struct walk w = {0};
	struct buf root = {0};
	int r;

	w.fs = fs;
	w.fn = fn;
	w.ctx = ctx;
	w.err = err;
	w.seen = xcalloc(1, fs->g.nclus / 8 + 2);
	w.used = xcalloc(1, fs->g.nclus / 8 + 2);
	buf_puts(&w.path, "");
	if (fs->g.type == 32) {
		w.seen[fs->g.rootclus / 8] |= (unsigned char)(1 << fs->g.rootclus % 8);
		r = read_chain(fs, fs->g.rootclus, 0, &root, err, "/", w.used);
	} else {
		buf_put(&root, fs->data + ((size_t)fs->g.reserved + (size_t)fs->g.nfats * fs->g.fatsz) *
		        fs->g.bps, (size_t)fs->g.rootents * DIRENT);
		r = 0;
	}
	if (r == 0)
		r = walk_dir(&w, (const unsigned char *)root.s, root.len, 0);
	buf_free(&root);
	buf_free(&w.path);
	free(w.seen);
	free(w.used);
	return r;
}

struct find {
	const char *path;
	struct fat_dirent e;
	int found;
};

static int
find_one(void *ctx, const char *path, const struct fat_dirent *e)
{
	struct find *f = ctx;

	if (!strcasecmp(path, f->path)) {
		f->e = *e;
		f->found = 1;
		return 1;
	}
	return 0;
}

int
fat_lookup(const struct fat *fs, const char *path, struct fat_dirent *e, struct buf *err)
{
	struct find f = {0};
	char *p = xasprintf("%s%s", path[0] == '/' ? "" : "/", path);
	int r;

	f.path = p;
	r = fat_walk(fs, find_one, &f, err);
	free(p);
	if (r < 0)
		return -1;
	if (!f.found) {
		buf_printf(err, "%s: no such file", path);
		return -1;
	}
	*e = f.e;
	return 0;
}

/* --- the command ------------------------------------------------------------------------- */

static unsigned char *
load(const char *img, struct fat *fs, size_t *len)
{
	struct buf err = {0};
	const char *why;
	unsigned char *d = read_input(img, len, &why);

	if (!d)
		fatal("%s: %s", img, why);
	if (fat_open(fs, d, *len, &err) != 0)
		fatal("%s: %s", img, err.s);
	return d;
}

static int
nop(void *ctx, const char *path, const struct fat_dirent *e)
{
	return 0;
}

static int
list_one(void *ctx, const char *path, const struct fat_dirent *e)
{
	struct buf b = {0};

	buf_printf(&b, "%-4s %10u ", e->dir ? "dir" : "file", e->dir ? 0 : e->size);
	manifest_escape(&b, path, strlen(path));
	puts(b.s);
	buf_free(&b);
	return 0;
}

static int
do_list(const char *img)
{
	struct fat fs;
	struct buf err = {0};
	size_t len;
	unsigned char *d = load(img, &fs, &len);

	/* validate everything (names, every chain, loops, cross-links) before printing */
	if (fat_walk(&fs, nop, NULL, &err) != 0)
		fatal("%s: %s", img, err.s);
	printf("type FAT%d\nbytes_per_sector %u\nsectors_per_cluster %u\nreserved %u\nfats %u x %u "
	       "sectors\nroot_entries %u\nsectors %llu\nclusters %u\nvolume_id 0x%08X\nlabel %s\n",
	       fs.g.type, fs.g.bps, fs.g.spc, fs.g.reserved, fs.g.nfats, fs.g.fatsz, fs.g.rootents,
	       (unsigned long long)fs.g.total, fs.g.nclus, fs.volid, fs.label);
	fat_walk(&fs, list_one, NULL, &err);
	free(d);
	if (fflush(stdout) != 0)
		fatal("writing the listing: %s", strerror(errno));
	return 0;
}

static int
do_cat(const char *img, const char *path)
{
	struct fat fs;
	struct fat_dirent e;
	struct buf err = {0}, out = {0};
	size_t len;
	unsigned char *d = load(img, &fs, &len);

	if (fat_walk(&fs, nop, NULL, &err) != 0)
		fatal("%s: %s", img, err.s);
	if (fat_lookup(&fs, path, &e, &err) != 0)
		fatal("%s: %s", img, err.s);
	if (e.dir)
		fatal("%s: %s is a directory", img, path);
	if (fat_read(&fs, &e, &out, &err) != 0)
		fatal("%s: %s: %s", img, path, err.s);
	if (fwrite(out.s ? out.s : "", 1, out.len, stdout) != out.len || fflush(stdout) != 0)
		fatal("writing %s: %s", path, strerror(errno));
	buf_free(&out);
	free(d);
	return 0;
}

const char usage_fat[] =
	"usage: kiln fat create MANIFEST -o OUT --size N\n"
	"       kiln fat list IMG\n"
	"       kiln fat cat IMG PATH\n"
	"\n"
	"create: writes a FAT12/16/32 volume of N bytes (K, M, G suffixes) holding the entries of\n"
	"MANIFEST (docs/manifest.md) to OUT, with the geometry redox_installer's formatter uses\n"
	"(the EFI system partition), without mtools or mounting.\n"
	"list: the boot sector's geometry and every entry of IMG (type, size, path)\n"
	"cat: the content of the file PATH of IMG on stdout\n";

int
cmd_fat(int argc, char *argv[])
{
	const char *pos[2] = {0}, *out = NULL, *why;
	uint64_t size = 0;
	int i, npos = 0;

	if (argc < 2)
		usage_error("which fat command? create, list or cat");
	for (i = 2; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "-o") && i + 1 < argc) {
			out = argv[++i];
		} else if (!strcmp(a, "--size") && i + 1 < argc) {
			if ((why = size_parse(argv[++i], &size)))
				fatal("--size %s: %s", argv[i], why);
			if (size == 0)
				fatal("--size 0: an image needs a size above 0");
		} else if (npos < 1 && (!strcmp(a, "-o") || !strcmp(a, "--size"))) {
			usage_error("%s needs a value", a);
		} else if (a[0] == '-' && a[1] && npos < 1) {
			unknown_option(a);
		} else if (npos < 2) {
			pos[npos++] = a;
		} else {
			usage_error("unexpected argument '%s'", a);
		}
	}
	if (!strcmp(argv[1], "create")) {
		struct manifest *m;

		if (npos != 1 || !out || !size)
			usage_error("create needs one MANIFEST, -o OUT and --size N");
		m = manifest_load(pos[0]);
		fat_write(m, out, size);
		manifest_free(m);
		return 0;
	}
	if (!strcmp(argv[1], "list") && npos == 1 && !out)
		return do_list(pos[0]);
	if (!strcmp(argv[1], "cat") && npos == 2 && !out)
		return do_cat(pos[0], pos[1]);
	if (!strcmp(argv[1], "list") || !strcmp(argv[1], "cat"))
		usage_error("%s needs IMG%s and nothing else", argv[1], strcmp(argv[1], "cat") ? "" : " PATH");
	{
		static const char *const subs[] = { "create", "list", "cat" };

		unknown_subcommand(argv[1], subs, 3);
	}
}
