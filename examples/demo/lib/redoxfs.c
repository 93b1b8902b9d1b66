/* redoxfs.c: the read-only RedoxFS reader (see redoxfs.h and formats.md section 2).
 *
 * A BlockPtr is 16 bytes: addr (bits 0..3 level, 4..7 decompressed level, 8..63 block index)
 * and the seahash of the stored block. Index 0 means null. */
#include "redoxfs.h"
#include "lz4.h"
#include "seahash.h"

/* A fuzzing build may define RFS_FUZZ_SKIP_HASH: checksum mismatches are then ignored, so
 * that mutated images reach the parsing behind them (never in a real build). */
#ifdef RFS_FUZZ_SKIP_HASH
#define HASH_OK(a, b) ((void)(a), (void)(b), 1)
#else
#define HASH_OK(a, b) ((a) == (b))
#endif

#define HDR_HASHED 4072u            /* the header hash covers bytes 0..4071 */
#define RING 256u                   /* header slots */
#define NODE_DATA 128u              /* level pointers or inline data start here */
#define INLINE_MAX (RFS_BLOCK - NODE_DATA)
#define DIRLIST_BYTES 4092u
#define HTREE_SLOTS 204u

static uint16_t rd16(const unsigned char *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t rd32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static uint64_t rd64(const unsigned char *p) { return (uint64_t)rd32(p) | (uint64_t)rd32(p + 4) << 32; }

static void
copy(unsigned char *d, const unsigned char *s, uint64_t n)
{
	while (n--)
		*d++ = *s++;
}

/* is p (16 bytes) the directory marker pointer? */
static int
is_marker(const unsigned char *p)
{
	return (rd64(p) | 0xF) == ~0ull && rd64(p + 8) == ~0ull;
}

/* read the block ptr points to into buf (room for RFS_BLOCK << maxlevel bytes), checking its
 * level, its place inside the filesystem and its hash; *bytes = its stored size. ptr may lie
 * inside buf (a pointer read from the block being replaced): it is read first. A null
 * pointer is an error here: callers test for null first. */
static const char *
read_ptr(struct rfs *fs, const unsigned char *ptr, unsigned maxlevel, unsigned char *buf,
    uint64_t *bytes)
{
	uint64_t addr = rd64(ptr), hash = rd64(ptr + 8), index = addr >> 8, n;
	unsigned level = addr & 15;
	const char *err;

	if (level > maxlevel)
		return "block pointer with a level too large for its use (corrupt pointer)";
	n = (uint64_t)RFS_BLOCK << level;
	if (index >= fs->size / RFS_BLOCK || n > fs->size - index * RFS_BLOCK)
		return "block pointer past the end of the filesystem (corrupt pointer)";
	if ((err = fs->read(fs->ctx, index * RFS_BLOCK, buf, n)))
		return err;
	if (!HASH_OK(seahash(buf, n), hash))
		return "block checksum mismatch (seahash of the block differs from its pointer)";
	*bytes = n;
	return 0;
}

static int
is_null(const unsigned char *ptr)
{
	return (rd64(ptr) >> 8) == 0;
}

/* check one header block: 0 if valid, else why not */
static const char *
header_check(const unsigned char *h)
{
	static const char sig[8] = "RedoxFS";
	uint64_t hash;
	int i;

	for (i = 0; i < 8; i++) {
		if (h[i] != (unsigned char)sig[i])
			return "no RedoxFS signature";
	}
	if (rd64(h + 8) != 8)
		return "RedoxFS version is not 8";
	hash = seahash(h, HDR_HASHED);
	if (!HASH_OK(rd64(h + 4088), hash))
		return "header checksum mismatch (the header is corrupt)";
	if (!HASH_OK(rd64(h + 4072), rd64(h + 4088)) || rd64(h + 4080) != 0)
		return "the filesystem is encrypted (this reader has no password support)";
	return 0;
}

const char *
rfs_open(struct rfs *fs, rfs_read_fn *read, void *ctx, uint64_t avail, unsigned char *rec,
    unsigned char *raw)
{
	const char *err;
	uint64_t gen;
	unsigned slot;

	fs->read = read;
	fs->ctx = ctx;
	fs->avail = avail;
	fs->rec = rec;
	fs->raw = raw;
	fs->rec_key = ~0ull;
	if (avail < (uint64_t)(RING + 1) * RFS_BLOCK)
		return "the partition is too small for a RedoxFS header ring";
	if ((err = read(ctx, 0, fs->blk, RFS_BLOCK)))
		return err;
	if ((err = header_check(fs->blk)))
		return err;
	if (rd64(fs->blk + 40) % RING != 0)
		return "header slot 0 holds a generation that is not a multiple of 256";
	fs->generation = rd64(fs->blk + 40);
	fs->size = rd64(fs->blk + 32);
	copy(fs->uuid, fs->blk + 16, 16);
	copy(fs->tree, fs->blk + 48, 16);
	/* the newest valid header of the ring wins */
	for (slot = 1; slot < RING; slot++) {
		if ((err = read(ctx, (uint64_t)slot * RFS_BLOCK, fs->blk, RFS_BLOCK)))
			return err;
		gen = rd64(fs->blk + 40);
		if (header_check(fs->blk) || gen <= fs->generation || gen % RING != slot)
			continue;
		fs->generation = gen;
		fs->size = rd64(fs->blk + 32);
		copy(fs->uuid, fs->blk + 16, 16);
		copy(fs->tree, fs->blk + 48, 16);
	}
	if (fs->size > avail)
		return "the header's size is larger than the partition";
	if (fs->size < (uint64_t)(RING + 1) * RFS_BLOCK)
		return "the header's size is smaller than the header ring";
	if (is_null(fs->tree))
		return "the header has no node tree";
	return 0;
}

const char *
rfs_node(struct rfs *fs, uint32_t id, struct rfs_node *n)
{
	const unsigned char *ptr = fs->tree;
	uint64_t bytes;
	const char *err;
	int shift;

	if (id == 0)
		return "node id 0 is null";
	for (shift = 24; shift >= 0; shift -= 8) {
		unsigned i = id >> shift & 255;

		if (i >= 254)
			return "node id with a tree index of 254 or 255 (corrupt directory entry)";
		if (is_null(ptr))
			return "node not in the tree (corrupt directory entry)";
		if ((err = read_ptr(fs, ptr, 0, fs->blk, &bytes)))
			return err;
		ptr = fs->blk + 16 * i;
	}
	if (is_null(ptr))
		return "node not in the tree (corrupt directory entry)";
	if ((err = read_ptr(fs, ptr, 0, n->b, &bytes)))
		return err;
	n->id = id;
	n->mode = rd16(n->b);
	n->size = rd64(n->b + 14);
	n->record_level = rd32(n->b + 66);
	n->flags = rd32(n->b + 70);
	if (n->record_level > RFS_MAX_LEVEL)
		return "node with a record level above 5 (corrupt node)";
	if ((n->flags & 1) && n->size > INLINE_MAX)
		return "inline node larger than its inline space (corrupt node)";
	return 0;
}

/* ---- files ---------------------------------------------------------------------------- */

/* the node's pointer to record r, following block lists: level k (0..4) of the node holds
 * count[k] pointers, each covering 256^k records */
static const char *
record_ptr(struct rfs *fs, const struct rfs_node *n, uint64_t r, const unsigned char **ptr)
{
	static const unsigned off[5] = { 128, 2176, 3200, 3712, 3968 };
	static const unsigned count[5] = { 128, 64, 32, 16, 8 };
	uint64_t span = 1, bytes;
	const char *err;
	unsigned k, d;

	for (k = 0; k < 5; k++, span *= 256) {
		if (r < count[k] * span)
			break;
		r -= count[k] * span;
	}
	if (k == 5)
		return "file offset beyond what RedoxFS can address";
	*ptr = n->b + off[k] + 16 * (r / span);
	for (d = 0; d < k; d++) {
		span /= 256;
		if (is_null(*ptr))
			return 0; /* a sparse range */
		if ((err = read_ptr(fs, *ptr, 0, fs->blk, &bytes)))
			return err;
		*ptr = fs->blk + 16 * (r / span % 256);
	}
	return 0;
}

/* make fs->raw hold record r of n (decompressed), fs->rec_len its data bytes */
static const char *
load_record(struct rfs *fs, const struct rfs_node *n, uint64_t r)
{
	uint64_t key = (uint64_t)n->id << 32 | r, bytes, clen, out, rsize;
	const unsigned char *ptr;
	unsigned dlevel;
	const char *err;

	if (fs->rec_key == key)
		return 0;
	fs->rec_key = ~0ull;
	fs->rec_len = 0;
	if ((err = record_ptr(fs, n, r, &ptr)))
		return err;
	if (is_null(ptr)) {
		fs->rec_key = key;
		return 0;
	}
	dlevel = rd64(ptr) >> 4 & 15;
	rsize = (uint64_t)RFS_BLOCK << n->record_level;
	if (!dlevel) {
		if ((err = read_ptr(fs, ptr, RFS_MAX_LEVEL, fs->raw, &bytes)))
			return err;
		fs->rec_len = bytes < rsize ? bytes : rsize;
	} else {
		/* LZ4: u16 compressed length, the block, zero padding */
		if (dlevel > RFS_MAX_LEVEL)
			return "compressed record with a decompressed level above 5 (corrupt pointer)";
		if ((err = read_ptr(fs, ptr, RFS_MAX_LEVEL, fs->rec, &bytes)))
			return err;
		clen = rd16(fs->rec);
		if (clen > bytes - 2)
			return "compressed record longer than its block (corrupt record)";
		if ((err = lz4_decode(fs->rec + 2, clen, fs->raw, (uint64_t)RFS_BLOCK << dlevel, &out)))
			return err;
		fs->rec_len = out < rsize ? out : rsize;
	}
	fs->rec_key = key;
	return 0;
}

const char *
rfs_read(struct rfs *fs, const struct rfs_node *n, uint64_t off, unsigned char *buf,
    uint64_t len, uint64_t *got)
{
	uint64_t rsize = (uint64_t)RFS_BLOCK << n->record_level, done = 0;
	const char *err;

	*got = 0;
	if (off >= n->size)
		return 0;
	if (len > n->size - off)
		len = n->size - off;
	if (n->flags & 1) {
		copy(buf, n->b + NODE_DATA + off, len);
		*got = len;
		return 0;
	}
	while (done < len) {
		uint64_t pos = off + done, in = pos % rsize, k = rsize - in, i;

		if (k > len - done)
			k = len - done;
		if ((err = load_record(fs, n, pos / rsize)))
			return err;
		for (i = 0; i < k; i++)
			buf[done + i] = in + i < fs->rec_len ? fs->raw[in + i] : 0;
		done += k;
	}
	*got = done;
	return 0;
}

/* ---- directories ------------------------------------------------------------------------ */

/* the low 32 bits of the name's seahash, 0xFFFFFFFF kept for unused HTree slots */
static uint32_t
name_hash(const unsigned char *name, uint32_t len)
{
	uint32_t h = (uint32_t)seahash(name, len);

	return h == 0xFFFFFFFFu ? 0xFFFFFFFEu : h;
}

/* what a directory walk does with each entry: look for a name, or hand entries out */
struct walk {
	const unsigned char *name; /* the name looked for, or NULL to visit every entry */
	uint32_t len;              /* its length */
	uint32_t hash;             /* its name hash */
	uint32_t found;            /* the node id found, 0 if none yet */
	rfs_visit *visit;          /* for listings */
	void *ctx;                 /* for visit */
};

static int
same(const unsigned char *a, const unsigned char *b, uint32_t n)
{
	while (n--) {
		if (*a++ != *b++)
			return 0;
	}
	return 1;
}

/* walk one DirList block in fs->blk */
static const char *
dirlist(struct rfs *fs, struct walk *w)
{
	const unsigned char *b = fs->blk;
	unsigned count = rd16(b + DIRLIST_BYTES), used = rd16(b + DIRLIST_BYTES + 2), i, p = 0;

	if (used > DIRLIST_BYTES)
		return "directory list claims more bytes than it holds (corrupt directory)";
	for (i = 0; i < count; i++) {
		uint32_t id, len;

		if (used - p < 5)
			return "directory entry runs past the list's used bytes (corrupt directory)";
		id = rd32(b + p);
		len = b[p + 4];
		if (len == 0 || len > used - p - 5)
			return "directory entry name runs past the list (corrupt directory)";
		if (w->name) {
			if (len == w->len && same(b + p + 5, w->name, len)) {
				w->found = id;
				return 0;
			}
		} else {
			w->visit(w->ctx, id, b + p + 5, len);
		}
		p += 5 + len;
	}
	return 0;
}

/* walk the subtree ptr points to: an HTree node with depth levels below it, or a DirList */
static const char *
subtree(struct rfs *fs, const unsigned char *ptr, unsigned depth, struct walk *w)
{
	const unsigned char *h;
	uint64_t bytes;
	const char *err;
	unsigned i;

	if (depth == 0) {
		if ((err = read_ptr(fs, ptr, 0, fs->blk, &bytes)))
			return err;
		return dirlist(fs, w);
	}
	if ((err = read_ptr(fs, ptr, 0, fs->htree[depth - 1], &bytes)))
		return err;
	h = fs->htree[depth - 1];
	for (i = 0; i < HTREE_SLOTS; i++) {
		uint32_t key = rd32(h + 20 * i);
		const unsigned char *child = h + 20 * i + 4;

		if (is_null(child))
			continue; /* an unused slot */
		if (w->name) {
			/* the first child whose largest hash is >= ours, then the ones after it while
			 * the previous key equals our hash (equal hashes may straddle children) */
			if (key < w->hash)
				continue;
			if ((err = subtree(fs, child, depth - 1, w)) || w->found)
				return err;
			if (key != w->hash)
				return 0;
		} else if ((err = subtree(fs, child, depth - 1, w))) {
			return err;
		}
	}
	return 0;
}

static const char *
walk_dir(struct rfs *fs, const struct rfs_node *dir, struct walk *w)
{
	const unsigned char *l0 = dir->b + NODE_DATA;
	unsigned depth;

	if ((dir->mode & RFS_MODE_TYPE) != RFS_MODE_DIR)
		return "not a directory";
	if (dir->flags & 1)
		return "directory with inline data (corrupt node)";
	if (is_null(l0))
		return 0; /* empty */
	if (!is_marker(l0))
		return "directory without its HTree marker (corrupt node)";
	depth = rd64(l0) & 15;
	if (depth > RFS_HTREE_MAX)
		return "directory HTree deeper than this reader follows";
	if (is_null(l0 + 16))
		return "directory marker without a root block (corrupt node)";
	return subtree(fs, l0 + 16, depth, w);
}

const char *
rfs_find(struct rfs *fs, const struct rfs_node *dir, const char *name, uint32_t len, uint32_t *id)
{
	struct walk w = { (const unsigned char *)name, len, 0, 0, 0, 0 };
	const char *err;

	w.hash = name_hash(w.name, len);
	if ((err = walk_dir(fs, dir, &w)))
		return err;
	if (!w.found)
		return "not found";
	*id = w.found;
	return 0;
}

const char *
rfs_list(struct rfs *fs, const struct rfs_node *dir, rfs_visit *visit, void *ctx)
{
	struct walk w = { 0, 0, 0, 0, visit, ctx };

	return walk_dir(fs, dir, &w);
}

const char *
rfs_lookup(struct rfs *fs, const char *path, struct rfs_node *n)
{
	const char *err;
	uint32_t id = RFS_ROOT, len;

	if ((err = rfs_node(fs, id, n)))
		return err;
	for (;;) {
		while (*path == '/')
			path++;
		if (!*path)
			return 0;
		for (len = 0; path[len] && path[len] != '/'; len++)
			;
		if (len > 252)
			return "path component longer than 252 bytes";
		if ((err = rfs_find(fs, n, path, len, &id)) || (err = rfs_node(fs, id, n)))
			return err;
		path += len;
	}
}
