/* redoxfs_read.c: the RedoxFS v8 reader and checker (see redoxfs.h).
 *
 * Nothing read from the image is trusted: block indices are range-checked, every pointed-to
 * block is hash-checked, every loop is bounded by the image's own size, and allocations are
 * bounded by what the image can hold. Failures come back as -1 with fs->err set; the checker
 * prints each problem ("IMG: block N: cause") and goes on with the next structure. */
#define _POSIX_C_SOURCE 200809L
#define _DARWIN_C_SOURCE  /* macOS hides part of POSIX.1-2008 (O_NOFOLLOW) without it; others ignore it */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "redoxfs.h"
#include "seahash.h"
#include "util.h"

int rfs_fuzz_nohash;

#define MAX_DEPTH 4096        /* deepest directory tree list and check walk */
#define RECBUF ((size_t)RFS_BLOCK << RFS_MAX_LEVEL)

/* the checker's state: which blocks are used, free, and which nodes exist */
struct nodeinfo {
	uint32_t id;
	uint64_t blk;         /* node block index */
	uint32_t links;       /* links field */
	uint32_t refs;        /* directory entries found naming it */
	unsigned mode;
};

struct chk {
	FILE *out;
	long n;               /* problems reported */
	uint64_t nbits;       /* blocks covered by the bitmaps */
	unsigned char *used, *freed;
	struct nodeinfo *node;
	size_t nnode;
	int incomplete;       /* some node or directory could not be read: skip link counts */
};

/* a directory entry read from the image */
struct rent {
	uint32_t id;
	uint32_t hash;
	size_t len;
	char name[RFS_NAME_MAX + 1];
	uint64_t blk;         /* DirList it is in */
};

/* set fs->err to "IMAGE: block N: cause" (an image name too long for fs->err is cut at the
 * front, so that the cause always fits), count and print it for the checker; returns -1 */
static int
bad(struct rfs *fs, struct chk *c, uint64_t blk, const char *fmt, ...)
{
	size_t room = sizeof fs->err / 2, len = strlen(fs->name), at;
	const char *name = len > room ? fs->name + len - room : fs->name;
	va_list ap;
	int n;

	n = snprintf(fs->err, sizeof fs->err, "%s%s: ", name != fs->name ? "..." : "", name);
	if (n < 0 || (size_t)n >= sizeof fs->err)
		n = 0;
	at = (size_t)n;
	n = snprintf(fs->err + at, sizeof fs->err - at, "block %llu: ", (unsigned long long)blk);
	if (n < 0 || (size_t)n >= sizeof fs->err - at)
		n = 0;
	va_start(ap, fmt);
	vsnprintf(fs->err + at + (size_t)n, sizeof fs->err - at - (size_t)n, fmt, ap);
	va_end(ap);
	if (c) {
		if (c->n == 0)
			snprintf(fs->first, sizeof fs->first, "%s", fs->err + at);
		c->n++;
		if (c->out && c->n <= 10000)
			fprintf(c->out, "%s\n", fs->err);
	}
	return -1;
}

static int
bit(const unsigned char *m, uint64_t i)
{
	return m[i / 8] >> (i % 8) & 1;
}

static void
setbit(unsigned char *m, uint64_t i, int v)
{
	if (v)
		m[i / 8] |= (unsigned char)(1u << (i % 8));
	else
		m[i / 8] &= (unsigned char)~(1u << (i % 8));
}

/* ---- blocks ---- */

/* read 4096 << level bytes at block index; no hash check */
static int
rd(struct rfs *fs, struct chk *c, uint64_t index, unsigned level, unsigned char *b, const char *what)
{
	uint64_t n = (uint64_t)1 << level;

	if (fs->budget == 0)
		return bad(fs, c, index, "%s: too many blocks read (loop in the image?)", what);
	fs->budget--;
	if (index >= fs->nblocks || n > fs->nblocks - index)
		return bad(fs, c, index, "%s: level-%u block lies beyond the filesystem size (%llu blocks)",
		           what, level, (unsigned long long)fs->nblocks);
	if ((index + n) * RFS_BLOCK > fs->len)
		return bad(fs, c, index, "%s: block lies beyond the end of the image (truncated?)", what);
	if (fs->mem) {
		memcpy(b, fs->mem + fs->off + index * RFS_BLOCK, (size_t)(n * RFS_BLOCK));
	} else if (xpread(fs->fd, b, (size_t)(n * RFS_BLOCK), fs->off + index * RFS_BLOCK) < 0) {
		return bad(fs, c, index, "%s: cannot read: %s", what, errno ? strerror(errno) : "short read");
	}
	return 0;
}

/* follow a BlockPtr that must be level lvl (or at most lvl when max is set) and hash-check it */
static int
rdptr(struct rfs *fs, struct chk *c, const unsigned char *p, unsigned lvl, int max,
      unsigned char *b, const char *what, uint64_t from)
{
	uint64_t addr = rd64(p), hash = rd64(p + 8), idx = rfs_addr_index(addr);
	unsigned l = rfs_addr_level(addr);

	if (idx == 0)
		return bad(fs, c, from, "%s: null pointer", what);
	if (max ? l > lvl : l != lvl)
		return bad(fs, c, idx, "%s: invalid block level %u (pointer in block %llu)", what, l,
		           (unsigned long long)from);
	if (rd(fs, c, idx, l, b, what) < 0)
		return -1;
	if (!rfs_fuzz_nohash && seahash(b, (size_t)RFS_BLOCK << l) != hash)
		return bad(fs, c, idx, "%s: hash mismatch (stored %016llx, computed %016llx; pointer in block %llu)",
		           what, (unsigned long long)hash,
		           (unsigned long long)seahash(b, (size_t)RFS_BLOCK << l), (unsigned long long)from);
	return 0;
}

static int
isnull(const unsigned char *p)
{
	return rfs_addr_index(rd64(p)) == 0;
}

static int
ismarker(const unsigned char *p)
{
	return (rd64(p) | 0xF) == UINT64_MAX && rd64(p + 8) == UINT64_MAX;
}

/* ---- header ---- */

/* 0 when b is a header the real library takes (signature, version 8, hash); else a static
 * reason. An encrypted header is valid here: rfs_open refuses it after the ring is read. */
static const char *
hdr_bad(const unsigned char *b)
{
	uint64_t h;

	if (memcmp(b, "RedoxFS", 8))
		return "no RedoxFS signature";
	if (rd64(b + RFS_H_VERSION) != RFS_VERSION)
		return "version is not 8";
	h = rfs_fuzz_nohash ? rd64(b + RFS_H_HASH) : seahash(b, RFS_H_ENCHASH);
	if (rd64(b + RFS_H_HASH) != h)
		return "header hash mismatch";
	return NULL;
}

/* an unencrypted header: encrypted_hash repeats the hash and is followed by zero */
static int
hdr_encrypted(const unsigned char *b)
{
	return rd64(b + RFS_H_ENCHASH) != rd64(b + RFS_H_HASH) || rd64(b + RFS_H_ENCHASH + 8) != 0;
}

/* read block i (relative to fs->off) as a header candidate into b: 0 when it is valid; most
 * blocks are not headers, so the signature is looked at before the block is read */
static int
hdr_at(struct rfs *fs, uint64_t i, unsigned char *b, const char **why)
{
	unsigned char sig[8];

	*why = "no RedoxFS signature";
	if ((i + 1) * RFS_BLOCK > fs->len)
		return -1;
	if (fs->mem ? memcmp(fs->mem + fs->off + i * RFS_BLOCK, "RedoxFS", 8) != 0
	            : xpread(fs->fd, sig, 8, fs->off + i * RFS_BLOCK) < 0 || memcmp(sig, "RedoxFS", 8) != 0)
		return -1;
	fs->budget = 1;
	fs->nblocks = i + 1;
	if (rd(fs, NULL, i, 0, b, "header") < 0) {
		*why = "cannot read";
		return -1;
	}
	return (*why = hdr_bad(b)) ? -1 : 0;
}

/* Finds the header as the real library's FileSystem::open does (formats.md 2.3): the first
 * valid header among blocks 0..65535 names its ring (it sits in slot generation mod 256), and
 * the valid header with the highest generation in that ring is the filesystem, whatever is in
 * slot 0. The base block moves to the ring's start. */
int
rfs_open(struct rfs *fs, int fd, const unsigned char *mem, uint64_t len, uint64_t off,
         const char *name)
{
	unsigned char b[RFS_BLOCK];
	const char *why, *why0 = NULL;
	uint64_t cand, base, i, g;

	memset(fs, 0, sizeof *fs);
	fs->fd = fd;
	fs->mem = mem;
	fs->len = len;
	fs->off = off;
	fs->name = name;
	for (cand = 0; cand < RFS_SCAN; cand++) {
		if (hdr_at(fs, cand, fs->hdr, &why) == 0)
			break;
		if (cand == 0)
			why0 = why;
		if ((cand + 2) * RFS_BLOCK > len)
			cand = RFS_SCAN - 1;  /* nothing past the end */
	}
	if (cand == RFS_SCAN)
		return bad(fs, NULL, 0, "%s%s", why0, len >= 2 * RFS_BLOCK ?
		           " (and no valid header in the blocks after it)" : "");
	g = rd64(fs->hdr + RFS_H_GEN);
	if (cand < g % RFS_RING)
		return bad(fs, NULL, cand, "header of generation %llu belongs in ring slot %llu, which would put the ring before the start of the image",
		           (unsigned long long)g, (unsigned long long)(g % RFS_RING));
	base = cand - g % RFS_RING;
	fs->off = off + base * RFS_BLOCK;
	fs->len = len - base * RFS_BLOCK;
	fs->gen = g;
	fs->slot = (unsigned)(g % RFS_RING);
	for (i = 0; i < RFS_RING; i++) {
		if (hdr_at(fs, i, b, &why) != 0) {
			if (i == 0)
				fs->slot0_bad = why;
			continue;
		}
		if (i == 0)
			fs->gen0 = rd64(b + RFS_H_GEN);
		if (rd64(b + RFS_H_GEN) > fs->gen) {
			memcpy(fs->hdr, b, RFS_BLOCK);
			fs->gen = rd64(b + RFS_H_GEN);
			fs->slot = (unsigned)i;
		}
	}
	fs->base = base;
	fs->nblocks = 1;
	if (hdr_encrypted(fs->hdr))
		return bad(fs, NULL, fs->slot, "encrypted header (or a corrupt encrypted_hash field): kiln reads unencrypted RedoxFS only");
	fs->nblocks = rd64(fs->hdr + RFS_H_SIZE) / RFS_BLOCK;
	if (fs->nblocks <= RFS_RING)
		return bad(fs, NULL, fs->slot, "filesystem size %llu bytes is too small to hold the header ring",
		           (unsigned long long)rd64(fs->hdr + RFS_H_SIZE));
	/* a last-resort bound on block reads: a valid image needs far fewer (each entry of each
	 * dir list reads at most its node, and the image holds at most 819 entries per block) */
	fs->budget = 64 + (len / RFS_BLOCK + 1) * 1024;
	fs->cache = xmalloc(5 * RFS_BLOCK);
	return 0;
}

void
rfs_close(struct rfs *fs)
{
	free(fs->cache);
	fs->cache = NULL;
}

/* ---- nodes ---- */

/* read the hash-checked block of BlockPtr p into cache slot k, unless it is there already */
static int
cached(struct rfs *fs, int k, const unsigned char *p, const char *what, uint64_t from)
{
	unsigned char *b = fs->cache + (size_t)k * RFS_BLOCK;

	if (fs->cache_addr[k] && fs->cache_addr[k] == rd64(p) && fs->cache_hash[k] == rd64(p + 8))
		return 0;
	fs->cache_addr[k] = 0;
	if (rdptr(fs, NULL, p, 0, 0, b, what, from) < 0)
		return -1;
	fs->cache_addr[k] = rd64(p);
	fs->cache_hash[k] = rd64(p + 8);
	return 0;
}

/* read the node block of id through the tree; *blk gets its index */
static int
node_get(struct rfs *fs, uint32_t id, unsigned char *node, uint64_t *blk)
{
	const unsigned char *p = fs->hdr + RFS_H_TREE;
	uint64_t from = 0;
	int l;

	if (id == 0)
		return bad(fs, NULL, 0, "node id 0 is reserved");
	for (l = 3; l >= 0; l--) {
		unsigned k = id >> (8 * l) & 0xFF;
		if (k >= RFS_TREE_PTRS)
			return bad(fs, NULL, from, "node id %lu is not a valid tree id", (unsigned long)id);
		if (cached(fs, 3 - l, p, "tree list", from) < 0)
			return -1;
		from = rfs_addr_index(rd64(p));
		p = fs->cache + (size_t)(3 - l) * RFS_BLOCK + 16 * k;
		if (isnull(p))
			return bad(fs, NULL, from, "node id %lu is not in the tree", (unsigned long)id);
	}
	if (cached(fs, 4, p, "node", from) < 0)
		return -1;
	*blk = rfs_addr_index(rd64(p));
	memcpy(node, fs->cache + 4 * (size_t)RFS_BLOCK, RFS_BLOCK);
	return 0;
}

/* the type letter of a node mode */
static char
typechar(unsigned mode)
{
	switch (mode & RFS_MODE_TYPE) {
	case RFS_MODE_DIR: return 'd';
	case RFS_MODE_FILE: return 'f';
	case RFS_MODE_SYMLINK: return 'l';
	case 0xC000: return 's';
	default: return '?';
	}
}

/* ---- LZ4 raw blocks ---- */

/* decompress src into dst (cap bytes); the length written, or -1 on malformed input */
static long
lz4_block(const unsigned char *src, size_t n, unsigned char *dst, size_t cap)
{
	size_t i = 0, o = 0, len, off;
	unsigned t;

	while (i < n) {
		t = src[i++];
		len = t >> 4;
		if (len == 15) {
			do {
				if (i >= n || len > cap) return -1;
				len += src[i];
			} while (src[i++] == 255);
		}
		if (len > n - i || len > cap - o) return -1;
		memcpy(dst + o, src + i, len);
		i += len;
		o += len;
		if (i == n)
			break;
		if (n - i < 2) return -1;
		off = src[i] | (size_t)src[i + 1] << 8;
		i += 2;
		if (off == 0 || off > o) return -1;
		len = (t & 15);
		if (len == 15) {
			do {
				if (i >= n || len > cap) return -1;
				len += src[i];
			} while (src[i++] == 255);
		}
		len += 4;
		if (len > cap - o) return -1;
		for (; len; len--, o++)
			dst[o] = dst[o - off];
	}
	return (long)o;
}

/* ---- file data ---- */

/* a walk over a file's records: called for each non-null record pointer */
typedef int (*rec_fn)(struct rfs *fs, void *ctx, uint64_t r, const unsigned char *ptr, uint64_t from);

/* visit every record pointer of node in order; BlockLists are read and hash-checked,
 * and reported to c (marked) when checking; *nlists counts them */
static int
walk_lists(struct rfs *fs, struct chk *c, const unsigned char *p, unsigned depth, uint64_t first,
           uint64_t nrec, uint64_t from, rec_fn fn, void *ctx, uint64_t *nlists, unsigned char *scratch);

static int
walk_records(struct rfs *fs, struct chk *c, const unsigned char *node, uint64_t nodeblk,
             uint64_t nrec, rec_fn fn, void *ctx, uint64_t *nlists)
{
	unsigned char *scratch = xmalloc(4 * RFS_BLOCK);
	uint64_t base = 0;
	unsigned k, j;
	int rc = 0;

	for (k = 0; k < 5; k++) {
		uint64_t per = (uint64_t)1 << (8 * k);
		for (j = 0; j < rfs_level_n[k]; j++, base += per) {
			const unsigned char *p = node + rfs_level_off[k] + 16 * j;
			if (isnull(p))
				continue;
			if (base >= nrec) {
				rc = bad(fs, c, nodeblk, "pointer to records beyond the file size");
				if (!c) goto out;
				continue;
			}
			if (k == 0) {
				if (fn(fs, ctx, base, p, nodeblk) < 0 && !c) { rc = -1; goto out; }
			} else if (walk_lists(fs, c, p, k, base, nrec, nodeblk, fn, ctx, nlists, scratch) < 0) {
				rc = -1;
				if (!c) goto out;
			}
		}
	}
out:
	free(scratch);
	return rc;
}

static void mark(struct rfs *fs, struct chk *c, uint64_t idx, uint64_t n, const char *what);

static int
walk_lists(struct rfs *fs, struct chk *c, const unsigned char *p, unsigned depth, uint64_t first,
           uint64_t nrec, uint64_t from, rec_fn fn, void *ctx, uint64_t *nlists, unsigned char *scratch)
{
	unsigned char *b = scratch + (size_t)(depth - 1) * RFS_BLOCK;
	uint64_t per = (uint64_t)1 << (8 * (depth - 1)), blk = rfs_addr_index(rd64(p));
	unsigned i;
	int rc = 0;

	if (rdptr(fs, c, p, 0, 0, b, "indirect block list", from) < 0)
		return -1;
	mark(fs, c, blk, 1, "indirect block list");
	(*nlists)++;
	for (i = 0; i < 256; i++) {
		const unsigned char *q = b + 16 * i;
		uint64_t r = first + i * per;
		if (isnull(q))
			continue;
		if (r >= nrec) {
			rc = bad(fs, c, blk, "pointer to records beyond the file size");
			if (!c) return -1;
			continue;
		}
		if (depth == 1 ? fn(fs, ctx, r, q, blk) < 0
		               : walk_lists(fs, c, q, depth - 1, r, nrec, blk, fn, ctx, nlists, scratch) < 0) {
			rc = -1;
			if (!c) return -1;
		}
	}
	return rc;
}

/* output of one file: records in order, holes as zeros */
struct catctx {
	FILE *out;
	uint64_t size, rsz;     /* file size and record size */
	unsigned reclevel;
	uint64_t done;          /* records written so far */
	unsigned char *buf, *dbuf;
};

static int
cat_zeros(struct catctx *k, uint64_t upto)
{
	static const unsigned char z[4096];

	for (; k->done < upto; k->done++) {
		uint64_t len = k->size - k->done * k->rsz < k->rsz ? k->size - k->done * k->rsz : k->rsz, i;
		for (i = 0; k->out && i < len; i += sizeof z)
			fwrite(z, 1, len - i < sizeof z ? (size_t)(len - i) : sizeof z, k->out);
	}
	return 0;
}

/* read a record (hash-checked, decompressed) into k->dbuf; its stored bytes count in *n */
static int
rec_read(struct rfs *fs, struct chk *c, const unsigned char *p, unsigned reclevel,
         unsigned char *buf, unsigned char *dbuf, uint64_t from, unsigned char **data)
{
	uint64_t addr = rd64(p), idx = rfs_addr_index(addr);
	unsigned l = rfs_addr_level(addr), dl = rfs_addr_dlevel(addr);
	size_t cap = (size_t)RFS_BLOCK << reclevel;
	long n;

	if (rdptr(fs, c, p, reclevel, 1, buf, "record", from) < 0)
		return -1;
	*data = buf;
	if (dl) {
		size_t clen = rd16(buf);
		if (dl > reclevel || dl <= l)
			return bad(fs, c, idx, "record: invalid decompressed level %u (level %u, record level %u)",
			           dl, l, reclevel);
		if (clen + 2 > ((size_t)RFS_BLOCK << l))
			return bad(fs, c, idx, "record: compressed length %zu exceeds the block", clen);
		memset(dbuf, 0, cap);
		n = lz4_block(buf + 2, clen, dbuf, (size_t)RFS_BLOCK << dl);
		if (n < 0)
			return bad(fs, c, idx, "record: malformed LZ4 data");
		*data = dbuf;
	} else if (l < reclevel) {
		memset(buf + ((size_t)RFS_BLOCK << l), 0, cap - ((size_t)RFS_BLOCK << l));
	}
	return 0;
}

static int
cat_rec(struct rfs *fs, void *ctx, uint64_t r, const unsigned char *p, uint64_t from)
{
	struct catctx *k = ctx;
	unsigned char *data;
	uint64_t len;

	cat_zeros(k, r);
	if (rec_read(fs, NULL, p, k->reclevel, k->buf, k->dbuf, from, &data) < 0)
		return -1;
	len = k->size - r * k->rsz < k->rsz ? k->size - r * k->rsz : k->rsz;
	if (k->out)
		fwrite(data, 1, (size_t)len, k->out);
	k->done = r + 1;
	return 0;
}

/* write a non-directory node's content to out (NULL: only read it) */
static int
node_content(struct rfs *fs, const unsigned char *node, uint64_t blk, FILE *out)
{
	uint64_t size = rd64(node + RFS_N_SIZE), nrec, nlists = 0;
	unsigned rl = rd32(node + RFS_N_RECLEVEL);
	struct catctx k = { 0 };
	int rc;

	if (rd32(node + RFS_N_FLAGS) & RFS_FLAG_INLINE) {
		if (size > RFS_BLOCK - RFS_N_DATA)
			return bad(fs, NULL, blk, "inline node with size %llu", (unsigned long long)size);
		if (out)
			fwrite(node + RFS_N_DATA, 1, (size_t)size, out);
		return 0;
	}
	if (rl > RFS_MAX_LEVEL)
		return bad(fs, NULL, blk, "record level %u above 5", rl);
	/* sparse files may be larger than the filesystem, but not absurdly so */
	if (size / 16 > fs->nblocks * RFS_BLOCK)
		return bad(fs, NULL, blk, "implausible file size %llu", (unsigned long long)size);
	k.out = out;
	k.size = size;
	k.reclevel = rl;
	k.rsz = (uint64_t)RFS_BLOCK << rl;
	nrec = (size + k.rsz - 1) / k.rsz;
	k.buf = xmalloc(RECBUF);
	k.dbuf = xmalloc(RECBUF);
	rc = walk_records(fs, NULL, node, blk, nrec, cat_rec, &k, &nlists);
	if (rc == 0)
		cat_zeros(&k, nrec);
	free(k.buf);
	free(k.dbuf);
	return rc;
}

/* ---- directories ---- */

/* entries of a directory, appended to *e (capacity grows, bounded by the blocks read) */
struct dirwalk {
	struct rent *e;
	size_t n, cap;
	uint64_t nblocks;   /* DirList and HTree blocks seen */
	struct chk *c;
	const char *want;   /* lookup: only this name (by hash), else every entry */
	size_t wantlen;
	uint32_t wanthash;
};

/* read one DirList or HTree subtree of depth d; lo..hi is the hash range its parent allows */
static int
dir_sub(struct rfs *fs, struct dirwalk *w, const unsigned char *p, unsigned d, uint64_t from,
        uint32_t lo, uint32_t hi, uint32_t *maxh, unsigned char *scratch)
{
	unsigned char *b = scratch + (size_t)d * RFS_BLOCK;
	uint64_t blk = rfs_addr_index(rd64(p));
	struct chk *c = w->c;
	unsigned i;
	int rc = 0, taking = 0;

	if (rdptr(fs, c, p, 0, 0, b, d ? "htree node" : "dir list", from) < 0)
		return -1;
	mark(fs, c, blk, 1, d ? "htree node" : "dir list");
	w->nblocks++;
	*maxh = 0;
	if (d == 0) {
		unsigned cnt = rd16(b + RFS_DIRLIST_DATA), used = rd16(b + RFS_DIRLIST_DATA + 2);
		size_t o = 0;
		if (used > RFS_DIRLIST_DATA)
			return bad(fs, c, blk, "dir list: used %u exceeds 4092 bytes", used);
		for (i = 0; i < cnt; i++) {
			struct rent *r;
			const char *why;
			size_t len;
			if (o + 5 > used || o + 5 + b[o + 4] > used)
				return bad(fs, c, blk, "dir list: entry %u runs past the %u used bytes", i, used);
			len = b[o + 4];
			if ((why = rfs_badname((const char *)b + o + 5, len)))
				return bad(fs, c, blk, "dir list: entry %u: %s", i, why);
			if (w->n == w->cap) {
				w->cap = w->cap ? 2 * w->cap : 64;
				w->e = xreallocarray(w->e, w->cap, sizeof *w->e);
			}
			r = &w->e[w->n];
			r->id = rd32(b + o);
			r->len = len;
			memcpy(r->name, b + o + 5, len);
			r->name[len] = '\0';
			r->hash = rfs_namehash(r->name, len);
			r->blk = blk;
			o += 5 + len;
			if (r->id == 0) {
				rc = bad(fs, c, blk, "dir list: entry '%s' names node 0", r->name);
				continue;
			}
			if (r->hash > *maxh)
				*maxh = r->hash;
			if ((r->hash < lo || r->hash > hi))
				rc = bad(fs, c, blk, "dir list: name '%s' (hash %08lx) is outside its htree range %08lx..%08lx",
				         r->name, (unsigned long)r->hash, (unsigned long)lo, (unsigned long)hi);
			if (!w->want || (r->len == w->wantlen && !memcmp(r->name, w->want, len)))
				w->n++;
		}
		if (o != used)
			rc = bad(fs, c, blk, "dir list: %u entries take %zu bytes, but used says %u", cnt, o, used);
		return rc;
	}
	for (i = 0; i < RFS_HTREE_SLOTS; i++) {
		const unsigned char *s = b + 20 * i;
		uint32_t key = rd32(s), prev = i ? rd32(s - 20) : lo, m;
		if (isnull(s + 4)) {
			if (key != 0xFFFFFFFFu)
				rc = bad(fs, c, blk, "htree node: empty slot %u has hash %08lx, not ffffffff",
				         i, (unsigned long)key);
			continue;
		}
		if (i && isnull(s - 16))
			rc = bad(fs, c, blk, "htree node: slot %u used after an empty slot", i);
		if (key < prev)
			rc = bad(fs, c, blk, "htree node: slot %u hash %08lx is below the previous %08lx",
			         i, (unsigned long)key, (unsigned long)prev);
		if (key > hi)
			rc = bad(fs, c, blk, "htree node: slot %u hash %08lx is above its parent's %08lx",
			         i, (unsigned long)key, (unsigned long)hi);
		if (w->want) {
			/* lookup: the first slot with key >= h, then more while the previous key was h */
			if (!taking) {
				if (key < w->wanthash)
					continue;
				taking = 1;
			} else if (prev != w->wanthash) {
				break;
			}
		}
		if (dir_sub(fs, w, s + 4, d - 1, blk, prev, key, &m, scratch) < 0) {
			rc = -1;
			if (!c) return -1;
			continue;
		}
		if (m > *maxh)
			*maxh = m;
	}
	return rc;
}

/* read every entry of a directory node (or, with w->want, the entries with that name) */
static int
dir_read(struct rfs *fs, struct dirwalk *w, const unsigned char *node, uint64_t blk)
{
	const unsigned char *p = node + RFS_N_DATA;
	unsigned char *scratch;
	unsigned n, i;
	uint32_t maxh;
	int rc;

	if (isnull(p)) {
		for (i = 1; i < RFS_BLOCK / 16 - RFS_N_DATA / 16; i++)
			if (rd64(p + 16 * i) || rd64(p + 16 * i + 8))
				return bad(fs, w->c, blk, "empty directory with non-null pointers");
		return 0;
	}
	if (!ismarker(p))
		return bad(fs, w->c, blk, "directory without its marker pointer");
	n = rd64(p) & 0xF;
	for (i = 2; i < RFS_BLOCK / 16 - RFS_N_DATA / 16; i++)
		if (rd64(p + 16 * i) || rd64(p + 16 * i + 8))
			return bad(fs, w->c, blk, "directory pointer %u is not null", i);
	scratch = xmalloc((size_t)(n + 1) * RFS_BLOCK);
	rc = dir_sub(fs, w, p + 16, n, blk, 0, 0xFFFFFFFFu, &maxh, scratch);
	free(scratch);
	return rc;
}

static int
rentcmp(const void *a, const void *b)
{
	const struct rent *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->name, y->name, n);

	return c ? c : (x->len > y->len) - (x->len < y->len);
}

/* ---- list and cat ---- */

/* a set of directory ids already listed (open addressing) */
struct idset {
	uint32_t *v;
	size_t cap, n;
};

/* add id; 1 if it was new, 0 if it was there already */
static int
idset_add(struct idset *s, uint32_t id)
{
	size_t i;

	if (2 * (s->n + 1) > s->cap) {
		struct idset t = { xcalloc(s->cap ? 2 * s->cap : 64, sizeof *t.v), s->cap ? 2 * s->cap : 64, 0 };
		for (i = 0; i < s->cap; i++)
			if (s->v[i])
				idset_add(&t, s->v[i]);
		free(s->v);
		*s = t;
	}
	for (i = (id * 2654435761u) & (s->cap - 1); s->v[i]; i = (i + 1) & (s->cap - 1))
		if (s->v[i] == id)
			return 0;
	s->v[i] = id;
	s->n++;
	return 1;
}

static void
print_path(FILE *out, struct buf *path)
{
	struct buf e = { 0 };

	manifest_escape(&e, path->len ? path->s : "/", path->len ? path->len : 1);
	fputs(e.s, out);
	buf_free(&e);
}

static int
list_dir(struct rfs *fs, FILE *out, uint32_t id, const unsigned char *dnode, uint64_t dblk,
         struct buf *path, struct idset *seen, unsigned depth)
{
	struct dirwalk w = { 0 };
	unsigned char *node = xmalloc(RFS_BLOCK);
	size_t i, plen = path->len;
	int rc = 0;

	if (depth > MAX_DEPTH) {
		free(node);
		return bad(fs, NULL, dblk, "directory tree deeper than %d levels", MAX_DEPTH);
	}
	if (dir_read(fs, &w, dnode, dblk) < 0)
		goto fail;
	if (w.n)
		qsort(w.e, w.n, sizeof *w.e, rentcmp);
	for (i = 0; i < w.n; i++) {
		uint64_t blk;
		unsigned mode;
		if (i && !rentcmp(&w.e[i - 1], &w.e[i])) {
			bad(fs, NULL, w.e[i].blk, "duplicate name '%s'", w.e[i].name);
			goto fail;
		}
		if (node_get(fs, w.e[i].id, node, &blk) < 0)
			goto fail;
		path->len = plen;
		buf_putc(path, '/');
		buf_put(path, w.e[i].name, w.e[i].len);
		mode = rd16(node + RFS_N_MODE);
		fprintf(out, "%c %04o %lu %lu %llu %lu ", typechar(mode), mode & 07777,
		        (unsigned long)rd32(node + RFS_N_UID), (unsigned long)rd32(node + RFS_N_GID),
		        (unsigned long long)rd64(node + RFS_N_SIZE), (unsigned long)rd32(node + RFS_N_LINKS));
		print_path(out, path);
		if ((mode & RFS_MODE_TYPE) == RFS_MODE_SYMLINK) {
			struct buf t = { 0 };
			FILE *f;
			char *s = NULL;
			size_t n = 0;
			fputs(" -> ", out);
			if (rd64(node + RFS_N_SIZE) > 65536) {
				bad(fs, NULL, blk, "symlink target of %llu bytes is too long",
				    (unsigned long long)rd64(node + RFS_N_SIZE));
				goto fail;
			}
			f = open_memstream(&s, &n);
			if (!f)
				fatal("open_memstream: %s", strerror(errno));
			rc = node_content(fs, node, blk, f);
			fclose(f);
			if (rc == 0) {
				manifest_escape(&t, s, n);
				fputs(t.s ? t.s : "", out);
			}
			buf_free(&t);
			free(s);
			if (rc < 0)
				goto fail;
		}
		fputc('\n', out);
		if ((mode & RFS_MODE_TYPE) == RFS_MODE_DIR) {
			if (!idset_add(seen, w.e[i].id)) {
				bad(fs, NULL, blk, "directory node %lu is linked twice (cycle?)",
				    (unsigned long)w.e[i].id);
				goto fail;
			}
			if (list_dir(fs, out, w.e[i].id, node, blk, path, seen, depth + 1) < 0)
				goto fail;
		}
	}
	free(w.e);
	free(node);
	path->len = plen;
	return 0;
fail:
	free(w.e);
	free(node);
	path->len = plen;
	return -1;
}

int
rfs_list(struct rfs *fs, FILE *out)
{
	unsigned char node[RFS_BLOCK];
	struct buf path = { 0 };
	struct idset seen = { 0 };
	uint64_t blk;
	unsigned mode;
	int rc;

	if (node_get(fs, 1, node, &blk) < 0)
		return -1;
	mode = rd16(node + RFS_N_MODE);
	if ((mode & RFS_MODE_TYPE) != RFS_MODE_DIR)
		return bad(fs, NULL, blk, "the root node is not a directory");
	fprintf(out, "d %04o %lu %lu %llu %lu /\n", mode & 07777, (unsigned long)rd32(node + RFS_N_UID),
	        (unsigned long)rd32(node + RFS_N_GID), (unsigned long long)rd64(node + RFS_N_SIZE),
	        (unsigned long)rd32(node + RFS_N_LINKS));
	idset_add(&seen, 1);
	buf_grow(&path, 0);
	rc = list_dir(fs, out, 1, node, blk, &path, &seen, 0);
	buf_free(&path);
	free(seen.v);
	return rc;
}

int
rfs_cat(struct rfs *fs, const char *path, FILE *out)
{
	unsigned char node[RFS_BLOCK];
	const char *s = path, *e;
	uint64_t blk;
	unsigned depth = 0;

	if (node_get(fs, 1, node, &blk) < 0)
		return -1;
	while (*s) {
		struct dirwalk w = { 0 };
		uint32_t id;
		while (*s == '/')
			s++;
		if (!*s)
			break;
		for (e = s; *e && *e != '/'; e++)
			;
		if ((rd16(node + RFS_N_MODE) & RFS_MODE_TYPE) != RFS_MODE_DIR)
			return bad(fs, NULL, blk, "%s: '%.*s' is below something that is not a directory",
			           path, (int)(e - s), s);
		if (++depth > MAX_DEPTH || (size_t)(e - s) > RFS_NAME_MAX)
			return bad(fs, NULL, blk, "%s: no such file", path);
		w.want = s;
		w.wantlen = (size_t)(e - s);
		w.wanthash = rfs_namehash(s, w.wantlen);
		if (dir_read(fs, &w, node, blk) < 0) {
			free(w.e);
			return -1;
		}
		if (w.n == 0) {
			free(w.e);
			snprintf(fs->err, sizeof fs->err, "%s: %s: no such file or directory", fs->name, path);
			return -1;
		}
		id = w.e[0].id;
		free(w.e);
		if (node_get(fs, id, node, &blk) < 0)
			return -1;
		s = e;
	}
	if ((rd16(node + RFS_N_MODE) & RFS_MODE_TYPE) == RFS_MODE_DIR) {
		snprintf(fs->err, sizeof fs->err, "%s: %s: is a directory", fs->name, path);
		return -1;
	}
	return node_content(fs, node, blk, out);
}

/* ---- check ---- */

/* mark n blocks from idx used by what; a block used twice is a problem */
static void
mark(struct rfs *fs, struct chk *c, uint64_t idx, uint64_t n, const char *what)
{
	uint64_t i;

	if (!c)
		return;
	for (i = idx; i < idx + n; i++) {
		if (i >= c->nbits) {
			bad(fs, c, i, "%s: beyond the image", what);
			return;
		}
		if (bit(c->used, i)) {
			bad(fs, c, i, "%s: block is already used by another structure", what);
			return;
		}
		setbit(c->used, i, 1);
	}
}

/* record a checked record: mark it and count its blocks */
struct chkrec {
	struct chk *c;
	unsigned reclevel;
	uint64_t blocks;
	unsigned char *buf, *dbuf;
};

static int
chk_rec(struct rfs *fs, void *ctx, uint64_t r, const unsigned char *p, uint64_t from)
{
	struct chkrec *k = ctx;
	unsigned char *data;
	uint64_t addr = rd64(p);

	k->blocks += (uint64_t)1 << rfs_addr_level(addr);
	if (rec_read(fs, k->c, p, k->reclevel, k->buf, k->dbuf, from, &data) < 0)
		return -1;
	mark(fs, k->c, rfs_addr_index(addr), (uint64_t)1 << rfs_addr_level(addr), "record");
	return 0;
}

/* a non-directory node: type, flags, records, indirect lists, blocks */
static void
chk_file(struct rfs *fs, struct chk *c, const unsigned char *node, uint64_t blk, uint32_t id)
{
	uint64_t size = rd64(node + RFS_N_SIZE), blocks = rd64(node + RFS_N_BLOCKS), nlists = 0;
	unsigned rl = rd32(node + RFS_N_RECLEVEL), flags = rd32(node + RFS_N_FLAGS);
	struct chkrec k = { 0 };

	if (flags & ~RFS_FLAG_INLINE)
		bad(fs, c, blk, "node %lu: unknown flags %#x", (unsigned long)id, flags);
	if (flags & RFS_FLAG_INLINE) {
		if (size > RFS_BLOCK - RFS_N_DATA)
			bad(fs, c, blk, "node %lu: inline data of %llu bytes does not fit in the node",
			    (unsigned long)id, (unsigned long long)size);
		if (blocks != 1)
			bad(fs, c, blk, "node %lu: blocks is %llu, an inline node has 1", (unsigned long)id,
			    (unsigned long long)blocks);
		return;
	}
	if (rl > RFS_MAX_LEVEL) {
		bad(fs, c, blk, "node %lu: record level %u above 5", (unsigned long)id, rl);
		return;
	}
	k.c = c;
	k.reclevel = rl;
	k.blocks = 1;
	k.buf = xmalloc(RECBUF);
	k.dbuf = xmalloc(RECBUF);
	walk_records(fs, c, node, blk, (size + ((uint64_t)RFS_BLOCK << rl) - 1) >> (12 + rl),
	             chk_rec, &k, &nlists);
	k.blocks += nlists;
	if (k.blocks != blocks)
		bad(fs, c, blk, "node %lu: blocks is %llu, but the node owns %llu", (unsigned long)id,
		    (unsigned long long)blocks, (unsigned long long)k.blocks);
	free(k.buf);
	free(k.dbuf);
}

static void
addnode(struct chk *c, uint32_t id, uint64_t blk, const unsigned char *node)
{
	struct nodeinfo *n;

	c->node = xreallocarray(c->node, c->nnode + 1, sizeof *c->node);
	n = &c->node[c->nnode++];
	n->id = id;
	n->blk = blk;
	n->links = rd32(node + RFS_N_LINKS);
	n->refs = 0;
	n->mode = rd16(node + RFS_N_MODE);
}

/* one TreeList of level lvl (3 = root) whose ids start with prefix; 1 when it is full */
static int
chk_tree(struct rfs *fs, struct chk *c, const unsigned char *p, int lvl, uint32_t prefix,
         uint64_t from)
{
	unsigned char *b = xmalloc(RFS_BLOCK), *node = NULL;
	uint64_t blk = rfs_addr_index(rd64(p));
	unsigned k, nfull = 0;

	if (rdptr(fs, c, p, 0, 0, b, "tree list", from) < 0) {
		c->incomplete = 1;
		free(b);
		return 0;
	}
	mark(fs, c, blk, 1, "tree list");
	if (b[4064 + 31] & 0xC0)
		bad(fs, c, blk, "tree list: full bits set for the nonexistent slots 254 and 255");
	for (k = 0; k < RFS_TREE_PTRS; k++) {
		const unsigned char *q = b + 16 * k;
		int full = b[4064 + k / 8] >> (k % 8) & 1, isfull;
		uint32_t id = prefix << 8 | k;
		if (lvl == 0 && id == 0) {
			if (!isnull(q))
				bad(fs, c, blk, "tree list: the reserved node id 0 has a pointer");
			if (!full)
				bad(fs, c, blk, "tree list: the reserved node id 0 is not marked full");
			nfull += full;
			continue;
		}
		if (isnull(q)) {
			if (full)
				bad(fs, c, blk, "tree list: slot %u is marked full but empty", k);
			continue;
		}
		if (lvl > 0) {
			isfull = chk_tree(fs, c, q, lvl - 1, id, blk);
			if (full != isfull)
				bad(fs, c, blk, "tree list: slot %u is %smarked full, but its list is %sfull",
				    k, full ? "" : "not ", isfull ? "" : "not ");
			nfull += isfull;
			continue;
		}
		if (!full)
			bad(fs, c, blk, "tree list: node %lu is used but not marked full", (unsigned long)id);
		nfull++;
		if (!node)
			node = xmalloc(RFS_BLOCK);
		if (rdptr(fs, c, q, 0, 0, node, "node", blk) < 0) {
			/* keep the id known so entries naming it are not reported again */
			c->incomplete = 1;
			memset(node, 0, RFS_BLOCK);
			addnode(c, id, rfs_addr_index(rd64(q)), node);
			continue;
		}
		mark(fs, c, rfs_addr_index(rd64(q)), 1, "node");
		addnode(c, id, rfs_addr_index(rd64(q)), node);
		switch (rd16(node + RFS_N_MODE) & RFS_MODE_TYPE) {
		case RFS_MODE_DIR:
			break;
		case RFS_MODE_FILE: case RFS_MODE_SYMLINK: case 0xC000:
			chk_file(fs, c, node, rfs_addr_index(rd64(q)), id);
			break;
		default:
			bad(fs, c, rfs_addr_index(rd64(q)), "node %lu: unknown type in mode %#o",
			    (unsigned long)id, rd16(node + RFS_N_MODE));
		}
	}
	free(b);
	free(node);
	return nfull == RFS_TREE_PTRS;
}

static struct nodeinfo *
findnode(struct chk *c, uint32_t id)
{
	size_t lo = 0, hi = c->nnode;

	while (lo < hi) {
		size_t m = lo + (hi - lo) / 2;
		if (c->node[m].id == id)
			return &c->node[m];
		if (c->node[m].id < id)
			lo = m + 1;
		else
			hi = m;
	}
	return NULL;
}

/* every directory: its blocks, entries, size, and the references it makes */
static void
chk_dirs(struct rfs *fs, struct chk *c, uint32_t *parent)
{
	unsigned char node[RFS_BLOCK];
	size_t i, j;

	for (i = 0; i < c->nnode; i++) {
		struct nodeinfo *d = &c->node[i];
		struct dirwalk w = { 0 };
		uint64_t size, blocks;
		if ((d->mode & RFS_MODE_TYPE) != RFS_MODE_DIR)
			continue;
		fs->budget++;
		if (rd(fs, c, d->blk, 0, node, "node") < 0)
			continue;
		if (rd32(node + RFS_N_FLAGS) || rd32(node + RFS_N_RECLEVEL))
			bad(fs, c, d->blk, "directory node %lu: flags %#lx and record level %lu should be 0",
			    (unsigned long)d->id, (unsigned long)rd32(node + RFS_N_FLAGS),
			    (unsigned long)rd32(node + RFS_N_RECLEVEL));
		w.c = c;
		if (dir_read(fs, &w, node, d->blk) < 0)
			c->incomplete = 1;
		size = rd64(node + RFS_N_SIZE);
		blocks = rd64(node + RFS_N_BLOCKS);
		if (size != w.nblocks * RFS_BLOCK || blocks != 1 + w.nblocks)
			bad(fs, c, d->blk, "directory node %lu: size %llu and blocks %llu, but it has %llu "
			    "dir list and htree blocks", (unsigned long)d->id, (unsigned long long)size,
			    (unsigned long long)blocks, (unsigned long long)w.nblocks);
		if (w.n)
			qsort(w.e, w.n, sizeof *w.e, rentcmp);
		for (j = 0; j < w.n; j++) {
			struct nodeinfo *t = findnode(c, w.e[j].id);
			if (j && !rentcmp(&w.e[j - 1], &w.e[j]))
				bad(fs, c, w.e[j].blk, "directory node %lu: duplicate name '%s'",
				    (unsigned long)d->id, w.e[j].name);
			if (!t) {
				bad(fs, c, w.e[j].blk, "entry '%s' names node %lu, which is not in the tree",
				    w.e[j].name, (unsigned long)w.e[j].id);
				continue;
			}
			t->refs++;
			if (!parent[t - c->node])
				parent[t - c->node] = d->id;
		}
		free(w.e);
	}
}

/* links, and whether every node can be reached from the root */
static void
chk_links(struct rfs *fs, struct chk *c, uint32_t *parent)
{
	unsigned char *state = xcalloc(c->nnode ? c->nnode : 1, 1); /* 1 reachable, 2 not */
	size_t i, j, steps;

	for (i = 0; i < c->nnode; i++) {
		struct nodeinfo *n = &c->node[i];
		size_t at = i;
		int reach = 0;
		if (n->id == 1) {
			if ((n->mode & RFS_MODE_TYPE) != RFS_MODE_DIR)
				bad(fs, c, n->blk, "the root node 1 is not a directory");
			if (n->refs)
				bad(fs, c, n->blk, "the root directory is named by %lu directory entries",
				    (unsigned long)n->refs);
			continue;
		}
		if (c->incomplete)
			continue;
		if (n->refs == 0) {
			bad(fs, c, n->blk, "node %lu is in the tree but no directory names it", (unsigned long)n->id);
			continue;
		}
		if (n->links != n->refs)
			bad(fs, c, n->blk, "node %lu: links is %lu, but %lu directory entries name it",
			    (unsigned long)n->id, (unsigned long)n->links, (unsigned long)n->refs);
		if ((n->mode & RFS_MODE_TYPE) == RFS_MODE_DIR && n->refs > 1)
			bad(fs, c, n->blk, "directory node %lu is named by %lu entries", (unsigned long)n->id,
			    (unsigned long)n->refs);
		/* follow parents to the root, at most nnode steps */
		for (steps = 0; steps <= c->nnode; steps++) {
			struct nodeinfo *p;
			if (state[at]) { reach = state[at] == 1; break; }
			p = findnode(c, parent[at]);
			if (!p) break;
			if (p->id == 1) { reach = 1; break; }
			at = (size_t)(p - c->node);
		}
		if (!reach)
			bad(fs, c, n->blk, "node %lu cannot be reached from the root (its directories form a cycle)",
			    (unsigned long)n->id);
		for (at = i, j = 0; j <= steps && !state[at]; j++) {
			struct nodeinfo *p = findnode(c, parent[at]);
			state[at] = reach ? 1 : 2;
			if (!p) break;
			at = (size_t)(p - c->node);
		}
	}
	free(state);
}

/* the allocation log: follow prev to the oldest list, replay, compare with the used blocks */
static void
chk_alloc(struct rfs *fs, struct chk *c)
{
	unsigned char b[RFS_BLOCK];
	const unsigned char *p = fs->hdr + RFS_H_ALLOC;
	uint64_t *list = NULL, from = 0, i, run;
	size_t nlist = 0, k, e;

	while (!isnull(p)) {
		uint64_t idx = rfs_addr_index(rd64(p));
		if (idx < c->nbits && bit(c->used, idx)) {
			bad(fs, c, idx, "alloc list: block is already used (loop in the prev chain?)");
			break;
		}
		if (rdptr(fs, c, p, 0, 0, b, "alloc list", from) < 0)
			break;
		mark(fs, c, idx, 1, "alloc list");
		list = xreallocarray(list, nlist + 1, sizeof *list);
		list[nlist++] = idx;
		memcpy(fs->cache, b, 16);
		p = fs->cache;
		from = idx;
	}
	memset(fs->cache_addr, 0, sizeof fs->cache_addr);  /* the cache held a prev pointer */
	for (k = nlist; k-- > 0;) {
		fs->budget++;
		if (rd(fs, c, list[k], 0, b, "alloc list") < 0)
			continue;
		for (e = 0; e < RFS_ALLOC_ENTRIES; e++) {
			uint64_t idx = rd64(b + 16 + 16 * e), raw = rd64(b + 24 + 16 * e), cnt;
			int isfree = raw < (UINT64_C(1) << 63);
			if (raw == 0)
				continue;
			cnt = isfree ? raw : (uint64_t)0 - raw;
			if (idx >= fs->nblocks || cnt > fs->nblocks - idx) {
				bad(fs, c, list[k], "alloc list: entry %zu (%llu, %s%llu) lies beyond the filesystem",
				    e, (unsigned long long)idx, isfree ? "+" : "-", (unsigned long long)cnt);
				continue;
			}
			for (i = idx; i < idx + cnt && i < c->nbits; i++) {
				if (isfree && bit(c->freed, i)) {
					bad(fs, c, i, "alloc list %llu entry %zu frees a block that is already free",
					    (unsigned long long)list[k], e);
					break;
				}
				if (!isfree && !bit(c->freed, i)) {
					bad(fs, c, i, "alloc list %llu entry %zu allocates a block that is not free",
					    (unsigned long long)list[k], e);
					break;
				}
				setbit(c->freed, i, isfree);
			}
		}
	}
	free(list);
	for (i = 0; i < c->nbits; i = run) {
		for (run = i; run < c->nbits && bit(c->used, run) && bit(c->freed, run); run++)
			;
		if (run > i)
			bad(fs, c, i, "blocks %llu..%llu are in use but listed free by the alloc log",
			    (unsigned long long)i, (unsigned long long)run - 1);
		else
			run++;
	}
}

long
rfs_check(struct rfs *fs, FILE *out)
{
	struct chk c = { 0 };
	unsigned char b[RFS_BLOCK];
	const unsigned char *p;
	uint32_t *parent;
	uint64_t imgblocks = fs->len / RFS_BLOCK, from = 0;

	c.out = out;
	c.nbits = fs->nblocks < imgblocks ? fs->nblocks : imgblocks;
	c.used = xcalloc((size_t)(c.nbits / 8 + 1), 1);
	c.freed = xcalloc((size_t)(c.nbits / 8 + 1), 1);
	if (fs->nblocks > imgblocks)
		bad(fs, &c, 0, "header: filesystem size %llu bytes exceeds the image (%llu bytes): truncated?",
		    (unsigned long long)fs->nblocks * RFS_BLOCK, (unsigned long long)fs->len);
	if (rd64(fs->hdr + RFS_H_SIZE) % RFS_BLOCK)
		bad(fs, &c, 0, "header: size %llu is not a multiple of 4096",
		    (unsigned long long)rd64(fs->hdr + RFS_H_SIZE));
	/* what Redox's bootloader needs: it opens the partition at slot 0 */
	if (fs->base)
		bad(fs, &c, 0, "header ring: the filesystem starts %llu blocks into the image (the first valid header is in block %llu); the bootloader looks at the partition's first block",
		    (unsigned long long)fs->base, (unsigned long long)(fs->base + fs->gen % RFS_RING));
	else if (fs->slot0_bad)
		bad(fs, &c, 0, "header ring: slot 0: %s; the bootloader opens the filesystem at slot 0 (the filesystem opens here from slot %u, generation %llu)",
		    fs->slot0_bad, fs->slot, (unsigned long long)fs->gen);
	else if (fs->gen0 % RFS_RING)
		bad(fs, &c, 0, "header: slot 0 holds generation %llu, not a multiple of 256",
		    (unsigned long long)fs->gen0);
	/* the newest header wins whatever its filesystem: a stale one of an earlier filesystem
	 * with a higher generation takes over */
	if (fs->slot && !fs->slot0_bad) {
		fs->budget++;
		if (rd(fs, NULL, 0, 0, b, "header") == 0 && memcmp(b + RFS_H_UUID, fs->hdr + RFS_H_UUID, 16))
			bad(fs, &c, fs->slot, "header ring: slot %u holds generation %llu of another filesystem than slot 0 (another uuid), "
			    "and the newest header is the one Redox uses", fs->slot, (unsigned long long)fs->gen);
	}
	mark(fs, &c, 0, RFS_RING < c.nbits ? RFS_RING : c.nbits, "header ring");
	if (isnull(fs->hdr + RFS_H_TREE))
		bad(fs, &c, 0, "header: no node tree");
	else
		chk_tree(fs, &c, fs->hdr + RFS_H_TREE, 3, 0, 0);
	if (!findnode(&c, 1))
		bad(fs, &c, rfs_addr_index(rd64(fs->hdr + RFS_H_TREE)), "the root node (id 1) is missing");
	parent = xcalloc(c.nnode ? c.nnode : 1, sizeof *parent);
	chk_dirs(fs, &c, parent);
	chk_links(fs, &c, parent);
	free(parent);
	/* release lists (none in a fresh image) */
	for (p = fs->hdr + RFS_H_RELEASE; !isnull(p);) {
		uint64_t idx = rfs_addr_index(rd64(p));
		if (idx < c.nbits && bit(c.used, idx)) {
			bad(fs, &c, idx, "release list: block is already used");
			break;
		}
		if (rdptr(fs, &c, p, 0, 0, b, "release list", from) < 0)
			break;
		mark(fs, &c, idx, 1, "release list");
		memcpy(fs->cache, b, 16);
		p = fs->cache;
		from = idx;
	}
	memset(fs->cache_addr, 0, sizeof fs->cache_addr);  /* the cache held a prev pointer */
	chk_alloc(fs, &c);
	if (c.n > 10000 && out)
		fprintf(out, "%s: (%ld more problems not shown)\n", fs->name, c.n - 10000);
	fs->used = 0;
	for (uint64_t b = 0; b < c.nbits; b++)
		fs->used += (uint64_t)bit(c.used, b);
	free(c.used);
	free(c.freed);
	free(c.node);
	return c.n;
}
