/* unit-redoxfs.c: seahash test vectors, and the formats.md 2.14 worked example reproduced
 * byte for byte by the RedoxFS writer, then read back and checked by the reader. */
#define _POSIX_C_SOURCE 200809L
#include <fcntl.h>
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <lz4.h>

#include "image/manifest.h"
#include "image/redoxfs.h"
#include "image/seahash.h"
#include "unit.h"
#include "util.h"

static void
test_seahash(void)
{
	static unsigned char z[4096], buf[1000];
	struct seahash h;
	size_t i, cut;
	int same = 1;

	CHECK("seahash empty", seahash("", 0) == 0xc920ca43256fdcb9ULL);
	CHECK("seahash a", seahash("a", 1) == 0x29c401b26a16e94dULL);
	CHECK("seahash to be", seahash("to be or not to be", 18) == 0x1b993a826f4ae575ULL);
	CHECK("seahash 4072 zeros", seahash(z, 4072) == 0xe81ffcb86026ff96ULL);
	CHECK("seahash 4096 zeros", seahash(z, 4096) == 0x7ad6348702da2905ULL);
	/* incremental hashing in any split equals one-shot hashing */
	for (i = 0; i < sizeof buf; i++)
		buf[i] = (unsigned char)(i * 7 + 3);
	for (cut = 0; cut <= 17; cut++) {
		seahash_init(&h);
		for (i = 0; i < sizeof buf; i += cut ? cut : 1)
			seahash_update(&h, buf + i, (cut ? cut : 1) < sizeof buf - i ? (cut ? cut : 1) : sizeof buf - i);
		same &= seahash_final(&h) == seahash(buf, sizeof buf);
	}
	CHECK("seahash incremental", same);
	seahash_init(&h);
	seahash_update(&h, "a", 1);
	seahash_zeros(&h, 4095);
	memset(z, 0, sizeof z);
	z[0] = 'a';
	CHECK("seahash zeros", seahash_final(&h) == seahash(z, 4096));
	CHECK("namehash low 32 bits", rfs_namehash("a", 1) == 0x6a16e94dU);
}

static unsigned char *golden;
/* the seahash of test_jobs's 16 MiB image, LZ4-compressed (by liblz4 JOBS_LZ4: another
 * version may compress otherwise) and with --no-compress */
#define JOBS_GOLDEN 0x866526d481bb714fULL
#define JOBS_LZ4 10904
#define JOBS_GOLDEN_RAW 0x7dd445faf11e5a4cULL  /* the worked example image, kept for the corruption tests */

/* the 8 MiB worked example: empty root, fixed uuid and time */
static void
test_golden(void)
{
	static const unsigned char head[80] = {
		0x52, 0x65, 0x64, 0x6F, 0x78, 0x46, 0x53, 0x00, 0x08, 0, 0, 0, 0, 0, 0, 0,
		0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xAA, 0xBB, 0xCC, 0xDD, 0xEE, 0xFF,
		0x00, 0x00, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		0x00, 0x05, 0x01, 0, 0, 0, 0, 0, 0x5E, 0x72, 0x16, 0x83, 0xFA, 0x0B, 0x74, 0x6C,
		0x00, 0x06, 0x01, 0, 0, 0, 0, 0, 0xFA, 0x24, 0x03, 0x63, 0x05, 0xB1, 0x64, 0x96,
	};
	static const unsigned char tail[24] = {
		0x73, 0xCF, 0x85, 0x3B, 0x87, 0xBC, 0xA0, 0x41, 0, 0, 0, 0, 0, 0, 0, 0,
		0x73, 0xCF, 0x85, 0x3B, 0x87, 0xBC, 0xA0, 0x41,
	};
	static const struct { unsigned blk; uint64_t hash; } blocks[] = {
		{ 257, 0x3de890892115c758ULL }, { 258, 0xe7733d08906bf761ULL },
		{ 259, 0xde14ca36e2ed673fULL }, { 260, 0x01946484bcecc226ULL },
		{ 261, 0x6c740bfa8316725eULL }, { 262, 0x9664b105630324faULL },
	};
	static const char text[] = "kiln-manifest 1\n";
	struct manifest *m = manifest_parse("golden", text, sizeof text - 1);
	struct rfs_opts o = { 8u << 20, { 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
	                                  0x88, 0x99, 0xAA, 0xBB, 0xCC, 0xDD, 0xEE, 0xFF }, 1700000000, 1, 1 };
	unsigned char *img = xcalloc(8u << 20, 1), *zero = xcalloc(RFS_BLOCK, 1), *node;
	char name[] = "/tmp/unit-redoxfs.XXXXXX", *out = NULL;
	size_t i, nout = 0;
	int fd = mkstemp(name), ok = 1, others_zero = 1;
	struct rfs fs;
	FILE *f;

	if (fd < 0 || ftruncate(fd, (off_t)o.size) < 0) {
		CHECK("golden temp file", 0);
		return;
	}
	{
		/* one block short: nothing written, the blocks needed returned */
		struct rfs_opts small = o;
		small.size = 262 * RFS_BLOCK;
		CHECK("golden needed blocks", rfs_write(m, fd, 0, name, &small) == 263);
		CHECK("golden too small writes no header", xpread(fd, img, o.size, 0) == 0 &&
		      !memcmp(img, zero, RFS_BLOCK));
	}
	CHECK("golden write", rfs_write(m, fd, 0, name, &o) == 0);
	CHECK("golden read back", xpread(fd, img, o.size, 0) == 0);
	close(fd);
	unlink(name);
	CHECK("golden header bytes 0..79", !memcmp(img, head, sizeof head));
	CHECK("golden header key slots and padding zero", !memcmp(img + 80, zero, 4072 - 80));
	CHECK("golden header bytes 4072..4095", !memcmp(img + 4072, tail, sizeof tail));
	for (i = 0; i < sizeof blocks / sizeof blocks[0]; i++)
		ok &= seahash(img + (size_t)blocks[i].blk * RFS_BLOCK, RFS_BLOCK) == blocks[i].hash;
	CHECK("golden block hashes 257..262", ok);
	for (i = 1; i < (8u << 20) / RFS_BLOCK; i++)
		if ((i < 257 || i > 262) && memcmp(img + i * RFS_BLOCK, zero, RFS_BLOCK))
			others_zero = 0;
	CHECK("golden every other block zero", others_zero);
	node = img + 257 * RFS_BLOCK;
	CHECK("golden root node fields", rd16(node) == 040755 && rd32(node + RFS_N_LINKS) == 1 &&
	      rd64(node + RFS_N_BLOCKS) == 1 && rd64(node + RFS_N_MTIME) == 0x6553F100);
	CHECK("golden alloc entry (263, +1785)", rd64(img + 262 * RFS_BLOCK + 16) == 263 &&
	      rd64(img + 262 * RFS_BLOCK + 24) == 1785);

	golden = xmalloc(o.size);
	memcpy(golden, img, o.size);
	CHECK("golden reader opens", rfs_open(&fs, -1, img, o.size, 0, "golden") == 0);
	CHECK("golden check clean", rfs_check(&fs, stdout) == 0);
	f = open_memstream(&out, &nout);
	CHECK("golden list", f && rfs_list(&fs, f) == 0);
	if (f)
		fclose(f);
	CHECK_STR("golden list output", "d 0755 0 0 0 1 /\n", out);
	free(out);
	/* a corrupt tree pointer hash is found and named by block */
	img[261 * RFS_BLOCK + 100] ^= 1;
	f = open_memstream(&out, &nout);
	CHECK("golden corrupt l3 is a problem", f && rfs_check(&fs, f) > 0);
	if (f)
		fclose(f);
	CHECK("golden corrupt l3 names block 261", out && strstr(out, "block 261:"));
	free(out);
	rfs_close(&fs);
	free(img);
	free(zero);
	manifest_free(m);
}

/* re-hash block blk into the BlockPtr at byte offset at, then the header */
static void
rehash(unsigned char *img, unsigned blk, size_t at)
{
	wr64(img + at + 8, seahash(img + (size_t)blk * RFS_BLOCK, RFS_BLOCK));
	wr64(img + RFS_H_HASH, seahash(img, RFS_H_ENCHASH));
	memcpy(img + RFS_H_ENCHASH, img + RFS_H_HASH, 8);
}

/* re-hash the golden tree from level-0 list 258 (or from node 257) up to the header */
static void
rehash_tree(unsigned char *img, int from_node)
{
	if (from_node)
		rehash(img, 257, 258 * RFS_BLOCK + 16);
	rehash(img, 258, 259 * RFS_BLOCK);
	rehash(img, 259, 260 * RFS_BLOCK);
	rehash(img, 260, 261 * RFS_BLOCK);
	rehash(img, 261, RFS_H_TREE);
}

/* run the checker on a modified copy; 1 when it finds a problem whose line matches want */
static int
finds(const unsigned char *img, const char *want)
{
	struct rfs fs;
	char *out = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&out, &n);
	long np;
	int hit;

	if (!f || rfs_open(&fs, -1, img, 8u << 20, 0, "img") < 0)
		return 0;
	np = rfs_check(&fs, f);
	fclose(f);
	rfs_close(&fs);
	hit = np > 0 && out && strstr(out, want);
	if (!hit)
		printf("# check found %ld problems, wanted \"%s\":\n%s", np, want, out ? out : "");
	free(out);
	return hit;
}

/* semantic corruptions with every hash made consistent again: only the checker's logic
 * can find them */
static void
test_semantic(void)
{
	unsigned char *img = xmalloc(8u << 20);

	if (!golden)
		return;
	memcpy(img, golden, 8u << 20);
	{
		struct rfs fs;
		CHECK("semantic: untouched copy is clean", rfs_open(&fs, -1, img, 8u << 20, 0, "img") == 0 &&
		      rfs_check(&fs, stdout) == 0);
		rfs_close(&fs);
	}
	/* the alloc log frees the blocks in use */
	wr64(img + 262 * RFS_BLOCK + 16, 257);
	wr64(img + 262 * RFS_BLOCK + 24, 6);
	rehash(img, 262, RFS_H_ALLOC);
	CHECK("semantic: used blocks listed free", finds(img, "block 257: blocks 257..262 are in use but listed free"));
	/* the alloc log allocates a block that is not free */
	memcpy(img, golden, 8u << 20);
	wr64(img + 262 * RFS_BLOCK + 32, 100);
	wr64(img + 262 * RFS_BLOCK + 40, (uint64_t)-1);
	rehash(img, 262, RFS_H_ALLOC);
	CHECK("semantic: allocating a used block", finds(img, "block 100: alloc list 262 entry 1 allocates a block that is not free"));
	/* the alloc log frees the header ring */
	memcpy(img, golden, 8u << 20);
	wr64(img + 262 * RFS_BLOCK + 32, 3);
	wr64(img + 262 * RFS_BLOCK + 40, 1);
	rehash(img, 262, RFS_H_ALLOC);
	CHECK("semantic: header ring listed free", finds(img, "block 3: blocks 3..3 are in use but listed free"));
	/* node 1 used but its full bit clear */
	memcpy(img, golden, 8u << 20);
	img[258 * RFS_BLOCK + 4064] = 1;
	rehash_tree(img, 0);
	CHECK("semantic: full bit missing", finds(img, "block 258: tree list: node 1 is used but not marked full"));
	/* a full bit set on an empty slot */
	memcpy(img, golden, 8u << 20);
	img[258 * RFS_BLOCK + 4064] = 7;
	rehash_tree(img, 0);
	CHECK("semantic: full bit on empty slot", finds(img, "block 258: tree list: slot 2 is marked full but empty"));
	/* root blocks count wrong */
	memcpy(img, golden, 8u << 20);
	wr64(img + 257 * RFS_BLOCK + RFS_N_BLOCKS, 2);
	rehash_tree(img, 1);
	CHECK("semantic: directory blocks count", finds(img, "block 257: directory node 1: size 0 and blocks 2"));
	/* root is not a directory */
	memcpy(img, golden, 8u << 20);
	wr16(img + 257 * RFS_BLOCK, 0100644);
	rehash_tree(img, 1);
	CHECK("semantic: root not a directory", finds(img, "block 257: the root node 1 is not a directory"));
	/* a newer header of another filesystem (another uuid) in slot 1 would win over slot 0 */
	memcpy(img, golden, 8u << 20);
	memcpy(img + RFS_BLOCK, img, RFS_BLOCK);
	wr64(img + RFS_BLOCK + RFS_H_GEN, 1);
	img[RFS_BLOCK + RFS_H_UUID] ^= 1;
	wr64(img + RFS_BLOCK + RFS_H_HASH, seahash(img + RFS_BLOCK, RFS_H_ENCHASH));
	memcpy(img + RFS_BLOCK + RFS_H_ENCHASH, img + RFS_BLOCK + RFS_H_HASH, 8);
	CHECK("semantic: stale header in the ring", finds(img, "block 1: header ring: slot 1 holds generation 1 of another filesystem"));
	/* a newer header of the same filesystem is the one in use (Redox wrote it when mounting):
	 * here it points at an empty tree, so the root is missing */
	img[RFS_BLOCK + RFS_H_UUID] ^= 1;
	memset(img + RFS_BLOCK + RFS_H_TREE, 0, 16);
	wr64(img + RFS_BLOCK + RFS_H_HASH, seahash(img + RFS_BLOCK, RFS_H_ENCHASH));
	memcpy(img + RFS_BLOCK + RFS_H_ENCHASH, img + RFS_BLOCK + RFS_H_HASH, 8);
	CHECK("semantic: newest header of the ring is used", finds(img, "block 0: header: no node tree"));
	free(img);
}

/* hard links share one node with links = 2; names round-trip through the htree */
static void
test_links(void)
{
	static const char text[] =
		"kiln-manifest 1\n"
		"file /boot/kernel 0644 0 0 data:KERNEL\n"
		"hardlink /usr/lib/boot/kernel /boot/kernel\n"
		"symlink /bin/sh 0777 0 0 /bin/ion\n";
	struct manifest *m = manifest_parse("links", text, sizeof text - 1);
	struct rfs_opts o = { 2u << 20, { 1 }, 0, 1, 1 };
	char name[] = "/tmp/unit-redoxfs.XXXXXX", *out = NULL;
	unsigned char *img = xcalloc(2u << 20, 1);
	int fd = mkstemp(name);
	size_t nout = 0;
	struct rfs fs;
	FILE *f;

	if (fd < 0 || ftruncate(fd, (off_t)o.size) < 0) {
		CHECK("links temp file", 0);
		return;
	}
	rfs_write(m, fd, 0, name, &o);
	xpread(fd, img, o.size, 0);
	close(fd);
	unlink(name);
	CHECK("links open", rfs_open(&fs, -1, img, o.size, 0, "links") == 0);
	CHECK("links check clean", rfs_check(&fs, stdout) == 0);
	f = open_memstream(&out, &nout);
	rfs_cat(&fs, "/usr/lib/boot/kernel", f);
	fclose(f);
	CHECK_STR("links cat through the second name", "KERNEL", out);
	free(out);
	f = open_memstream(&out, &nout);
	rfs_list(&fs, f);
	fclose(f);
	CHECK("links list shows links 2 twice", out && strstr(out, "f 0644 0 0 6 2 /boot/kernel\n") &&
	      strstr(out, "f 0644 0 0 6 2 /usr/lib/boot/kernel\n"));
	CHECK("links list shows the symlink", out && strstr(out, "l 0777 0 0 8 1 /bin/sh -> /bin/ion\n"));
	free(out);
	rfs_close(&fs);
	free(img);
	manifest_free(m);
}

/* an image name longer than the message buffer: the message stays inside it and keeps its
 * cause (the name is cut at the front); nothing past the struct is written */
static void
test_long_name(void)
{
	static unsigned char img[2 * RFS_BLOCK];
	struct { struct rfs fs; unsigned char guard[8192]; } g;
	char *name = xmalloc(3001);
	size_t i;
	int intact = 1;

	memset(name, 'a', 3000);
	name[3000] = 0;
	memset(g.guard, 0x5A, sizeof g.guard);
	CHECK("long image name: open fails", rfs_open(&g.fs, -1, img, sizeof img, 0, name) == -1);
	for (i = 0; i < sizeof g.guard; i++)
		intact &= g.guard[i] == 0x5A;
	CHECK("long image name: nothing written past the reader's state", intact);
	CHECK("long image name: message fits its buffer", strlen(g.fs.err) < sizeof g.fs.err);
	CHECK("long image name: the cause is kept", strstr(g.fs.err, ": block 0: no RedoxFS signature") != NULL);
	CHECK("long image name: the cut is shown", strncmp(g.fs.err, "...aaa", 6) == 0);
	free(name);
}

/* ---- LZ4-compressed records ---- */

/* the block index a BlockPtr at p points to */
static uint64_t
ptr_blk(const unsigned char *p)
{
	return rfs_addr_index(rd64(p));
}

/* the blocks of the tree path to node id (level 3, 2, 1, 0 lists, then the node) */
static void
tree_path(const unsigned char *img, uint32_t id, uint64_t path[5])
{
	int k;

	path[0] = ptr_blk(img + RFS_H_TREE);
	for (k = 0; k < 4; k++)
		path[k + 1] = ptr_blk(img + path[k] * RFS_BLOCK + 16 * ((id >> (8 * (3 - k))) & 0xFF));
}

/* after the stored bytes of the record at node byte offset rec changed: re-hash it, then the
 * node, the four tree lists and the header */
static void
rehash_record(unsigned char *img, uint32_t id, unsigned rec)
{
	uint64_t path[5], a;
	int k;

	tree_path(img, id, path);
	a = rd64(img + path[4] * RFS_BLOCK + rec);
	wr64(img + path[4] * RFS_BLOCK + rec + 8, seahash(img + rfs_addr_index(a) * RFS_BLOCK,
	     (size_t)RFS_BLOCK << rfs_addr_level(a)));
	for (k = 4; k > 0; k--)
		wr64(img + path[k - 1] * RFS_BLOCK + 16 * ((id >> (8 * (4 - k))) & 0xFF) + 8,
		     seahash(img + path[k] * RFS_BLOCK, RFS_BLOCK));
	wr64(img + RFS_H_TREE + 8, seahash(img + path[0] * RFS_BLOCK, RFS_BLOCK));
	wr64(img + RFS_H_HASH, seahash(img, RFS_H_ENCHASH));
	memcpy(img + RFS_H_ENCHASH, img + RFS_H_HASH, 8);
}

/* write the image of manifest text into img (size bytes) with jobs threads; 0 on success */
static int
make_image_jobs(const char *text, unsigned char *img, uint64_t size, int compress, unsigned jobs)
{
	struct manifest *m = manifest_parse("compress", text, strlen(text));
	struct rfs_opts o = { 0 };
	char name[] = "/tmp/unit-redoxfs.XXXXXX";
	int fd = mkstemp(name), rc = -1;

	o.size = size;
	o.time = 1700000000;
	o.compress = compress;
	o.jobs = jobs;
	if (fd >= 0 && ftruncate(fd, (off_t)size) == 0 && rfs_write(m, fd, 0, name, &o) == 0)
		rc = xpread(fd, img, size, 0);
	if (fd >= 0)
		close(fd);
	unlink(name);
	manifest_free(m);
	return rc;
}

static int
make_image(const char *text, unsigned char *img, uint64_t size, int compress)
{
	return make_image_jobs(text, img, size, compress, 1);
}

/* the content of path in img, or NULL; its length in *n */
static char *
cat(unsigned char *img, uint64_t size, const char *path, size_t *n, char **err)
{
	struct rfs fs;
	char *out = NULL;
	FILE *f;
	int rc;

	*n = 0;
	*err = NULL;
	if (rfs_open(&fs, -1, img, size, 0, "img") < 0)
		return NULL;
	f = open_memstream(&out, n);
	rc = rfs_cat(&fs, path, f);
	fclose(f);
	if (rc < 0) {
		*err = xstrdup(fs.err);
		free(out);
		out = NULL;
	}
	rfs_close(&fs);
	return out;
}

/* a compressible file of two records (a full one and a 68,928-byte tail) and an incompressible
 * one: the first stored compressed at smaller levels, read back equal; then each compressed
 * record corrupted with every hash made consistent: the reader names the problem */
static void
test_compress(void)
{
	enum { NZ = 200000, NR = 131072 };
	const uint64_t size = 4u << 20;
	char zname[] = "/tmp/unit-redoxfs-z.XXXXXX", rname[] = "/tmp/unit-redoxfs-r.XXXXXX";
	char *text, *got, *err;
	unsigned char *z = xmalloc(NZ), *r = xmalloc(NR), *img = xcalloc(size, 1), *copy = xmalloc(size);
	unsigned char *node, *blk;
	uint64_t path[5], a0, a1, ar, seed = 1;
	size_t i, n;
	int zfd = mkstemp(zname), rfd = mkstemp(rname);

	for (i = 0; i < NZ; i++)  /* text-like: short words from a small alphabet */
		z[i] = (unsigned char)(i % 7 == 6 ? ' ' : 'a' + (i * 2654435761u >> 13) % 5);
	for (i = 0; i < NR; i++) {
		seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
		r[i] = (unsigned char)(seed >> 56);
	}
	if (zfd < 0 || rfd < 0 || write(zfd, z, NZ) != NZ || write(rfd, r, NR) != NR) {
		CHECK("compress temp files", 0);
		return;
	}
	close(zfd);
	close(rfd);
	text = xasprintf("kiln-manifest 1\nfile /r 0644 0 0 src:%s\nfile /z 0644 0 0 src:%s\n", rname, zname);
	CHECK("compress write", make_image(text, img, size, 1) == 0);
	tree_path(img, 3, path);
	node = img + path[4] * RFS_BLOCK;
	a0 = rd64(node + 128), a1 = rd64(node + 144);
	CHECK("compress: full record stored compressed", rfs_addr_dlevel(a0) == 5 && rfs_addr_level(a0) < 4);
	CHECK("compress: tail record stored compressed", rfs_addr_dlevel(a1) == 5 && rfs_addr_level(a1) < 4);
	CHECK("compress: length prefix fits its block",
	      rd16(img + rfs_addr_index(a0) * RFS_BLOCK) + 2u <= RFS_BLOCK << rfs_addr_level(a0));
	CHECK("compress: node blocks count the stored levels",
	      rd64(node + RFS_N_BLOCKS) == 1 + (1u << rfs_addr_level(a0)) + (1u << rfs_addr_level(a1)));
	tree_path(img, 2, path);
	ar = rd64(img + path[4] * RFS_BLOCK + 128);
	CHECK("compress: incompressible record stored as it is", rfs_addr_dlevel(ar) == 0 && rfs_addr_level(ar) == 5);
	{
		struct rfs fs;
		CHECK("compress: check clean", rfs_open(&fs, -1, img, size, 0, "img") == 0 && rfs_check(&fs, stdout) == 0);
		rfs_close(&fs);
	}
	got = cat(img, size, "/z", &n, &err);
	CHECK("compress: round trip", got && n == NZ && !memcmp(got, z, NZ));
	free(got);
	got = cat(img, size, "/r", &n, &err);
	CHECK("compress: incompressible round trip", got && n == NR && !memcmp(got, r, NR));
	free(got);

	/* corruptions of the first record, hashes made consistent again */
	blk = copy + rfs_addr_index(a0) * RFS_BLOCK;
	memcpy(copy, img, size);
	wr16(blk, (uint16_t)(RFS_BLOCK << rfs_addr_level(a0)));
	rehash_record(copy, 3, 128);
	got = cat(copy, size, "/z", &n, &err);
	CHECK("compress: length beyond the block is an error", !got && err && strstr(err, "compressed length"));
	free(err);
	memcpy(copy, img, size);
	wr16(blk, 3);
	memcpy(blk + 2, "\x0f\xff\xff", 3);   /* a match before the start of the output */
	rehash_record(copy, 3, 128);
	got = cat(copy, size, "/z", &n, &err);
	CHECK("compress: malformed LZ4 is an error", !got && err && strstr(err, "malformed LZ4 data"));
	free(err);
	memcpy(copy, img, size);
	wr16(blk, 2);
	memcpy(blk + 2, "\xf0\x10", 2);   /* 15 + 16 literals announced, none there */
	rehash_record(copy, 3, 128);
	got = cat(copy, size, "/z", &n, &err);
	CHECK("compress: truncated LZ4 is an error", !got && err && strstr(err, "malformed LZ4 data"));
	free(err);
	memcpy(copy, img, size);
	tree_path(copy, 3, path);
	wr64(copy + path[4] * RFS_BLOCK + 128, (a0 & ~(uint64_t)0xF0) | 6u << 4);
	rehash_record(copy, 3, 128);
	got = cat(copy, size, "/z", &n, &err);
	CHECK("compress: decompressed level above the record level is an error",
	      !got && err && strstr(err, "invalid decompressed level 6"));
	free(err);
	{
		struct rfs fs;
		long np = -1;
		char *out = NULL;
		size_t no = 0;
		FILE *f = open_memstream(&out, &no);
		if (rfs_open(&fs, -1, copy, size, 0, "img") == 0) {
			np = rfs_check(&fs, f);
			rfs_close(&fs);
		}
		fclose(f);
		CHECK("compress: check reports the bad record", np > 0 && out && strstr(out, "invalid decompressed level"));
		free(out);
	}

	/* --no-compress: the same content, every record stored as it is */
	memset(img, 0, size);
	CHECK("no-compress write", make_image(text, img, size, 0) == 0);
	tree_path(img, 3, path);
	node = img + path[4] * RFS_BLOCK;
	CHECK("no-compress: records uncompressed", rfs_addr_dlevel(rd64(node + 128)) == 0 &&
	      rfs_addr_level(rd64(node + 128)) == 5 && rfs_addr_level(rd64(node + 144)) == 5 &&
	      rfs_addr_dlevel(rd64(node + 144)) == 0);
	got = cat(img, size, "/z", &n, &err);
	CHECK("no-compress: round trip", got && n == NZ && !memcmp(got, z, NZ));
	free(got);

	unlink(zname);
	unlink(rname);
	free(text);
	free(z);
	free(r);
	free(img);
	free(copy);
}

/* ---- threads: the same image for any number of them ---- */

/* n bytes into a new temporary file under dir named name: text-like over an alphabet of k
 * letters (k 0: pseudo-random bytes, incompressible) */
static char *
payload(const char *dir, const char *name, size_t n, unsigned k)
{
	char *path = xasprintf("%s/%s", dir, name);
	unsigned char *b = xmalloc(n ? n : 1);
	uint64_t seed = n * 31 + k;
	size_t i;
	FILE *f;

	for (i = 0; i < n; i++) {
		seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
		b[i] = k ? (unsigned char)(i % 7 == 6 ? ' ' : 'a' + (seed >> 33) % k) : (unsigned char)(seed >> 56);
	}
	f = fopen(path, "wb");
	if (!f || fwrite(b, 1, n, f) != n || fclose(f) != 0)
		fatal("%s: cannot write the test payload", path);
	free(b);
	return path;
}

/* a manifest of every kind of record, its sources written under dir: files of 1 to 23 records
 * that compress to different levels (the ring wraps many times, records of several files are
 * in it at once), incompressible records and tails, a one-block tail, the smallest records,
 * inline data, a symlink of block records, empty files, a hard link */
static char *
jobs_manifest(const char *dir)
{
	static const struct { const char *name; size_t n; unsigned k; } f[] = {
		{ "big", 3000000, 5 }, { "rand", 131072 + 4097, 0 }, { "tail", 4097, 3 },
		{ "min", 3968, 4 }, { "inline", 3967, 4 }, { "empty", 0, 4 }, { "wide", 200000, 26 },
		{ "two", 262144, 2 }, { "randbig", 600000, 0 }, { "mid", 70000, 12 },
	};
	char *text = xstrdup("kiln-manifest 1\ndir /bin 0755 0 0\n"), *t, *path, target[4001];
	size_t i;

	for (i = 0; i < sizeof f / sizeof f[0]; i++) {
		path = payload(dir, f[i].name, f[i].n, f[i].k);
		t = xasprintf("%sfile /bin/%s 0644 0 0 src:%s\n", text, f[i].name, path);
		free(text);
		free(path);
		text = t;
	}
	for (i = 0; i < 40; i++) {  /* small files, one or two records each */
		char name[16];
		snprintf(name, sizeof name, "s%02zu", i);
		path = payload(dir, name, 5000 + i * 4999, (unsigned)(i % 9) + (i % 3 ? 2 : 0));
		t = xasprintf("%sfile /lib/%s 0755 0 0 src:%s\n", text, name, path);
		free(text);
		free(path);
		text = t;
	}
	memset(target, 'x', 4000);
	target[0] = '/';
	target[4000] = 0;
	t = xasprintf("%ssymlink /long 0777 0 0 %s\nfile /data 0644 0 0 data:hello\n"
	              "hardlink /bin/again /bin/two\n", text, target);
	free(text);
	return t;
}

/* remove dir and the files in it */
static void
rmdir_files(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	while (d && (e = readdir(d))) {
		char *p;
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		p = xasprintf("%s/%s", dir, e->d_name);
		unlink(p);
		free(p);
	}
	if (d)
		closedir(d);
	rmdir(dir);
}

/* images written by 1, 2, 3 and 8 threads are byte-identical, and equal to the image the
 * single-threaded writer before the pipeline wrote for the same input (its seahash) */
static void
test_jobs(void)
{
	const uint64_t size = 16u << 20;
	char dir[] = "/tmp/unit-redoxfs-jobs.XXXXXX";
	static const unsigned jobs[] = { 2, 3, 8 };
	unsigned char *one = xcalloc(size, 1), *img = xcalloc(size, 1);
	char *text, name[64], *got, *err;
	size_t i, n;

	if (!mkdtemp(dir)) {
		CHECK("jobs temp dir", 0);
		return;
	}
	text = jobs_manifest(dir);
	CHECK("jobs: 1 thread writes", make_image_jobs(text, one, size, 1, 1) == 0);
	{
		struct rfs fs;
		CHECK("jobs: check clean", rfs_open(&fs, -1, one, size, 0, "img") == 0 && rfs_check(&fs, stdout) == 0);
		rfs_close(&fs);
	}
	got = cat(one, size, "/bin/big", &n, &err);
	CHECK("jobs: round trip of the 23-record file", got && n == 3000000);
	free(got);
	if (getenv("UNIT_REDOXFS_JOBS_DUMP"))  /* for recomputing the hash below with another writer */
		printf("# %s\n# seahash %016llx\n", text, (unsigned long long)seahash(one, size));
	/* from kiln redoxfs create of this manifest before the pipeline existed (--uuid
	 * 00000000-0000-0000-0000-000000000000 --size 16M, SOURCE_DATE_EPOCH=1700000000) */
	if (LZ4_versionNumber() == JOBS_LZ4)
		CHECK("jobs: the image of the writer before threads", seahash(one, size) == JOBS_GOLDEN);
	else
		printf("# liblz4 %d, not %d: the compressed image is not compared with the golden hash\n",
		       LZ4_versionNumber(), JOBS_LZ4);
	for (i = 0; i < sizeof jobs / sizeof jobs[0]; i++) {
		memset(img, 0, size);
		snprintf(name, sizeof name, "jobs: %u threads give the same image", jobs[i]);
		CHECK(name, make_image_jobs(text, img, size, 1, jobs[i]) == 0 && !memcmp(img, one, size));
	}
	memset(one, 0, size);
	memset(img, 0, size);
	CHECK("jobs: --no-compress, 1 and 4 threads give the same image",
	      make_image_jobs(text, one, size, 0, 1) == 0 && make_image_jobs(text, img, size, 0, 4) == 0 &&
	      !memcmp(img, one, size));
	CHECK("jobs: --no-compress, the image of the writer before threads",
	      seahash(img, size) == JOBS_GOLDEN_RAW);
	if (!getenv("UNIT_REDOXFS_JOBS_DUMP"))
		rmdir_files(dir);
	free(text);
	free(one);
	free(img);
}

/* a source that shrank (at a record boundary or inside a record) or grew after the manifest
 * was loaded, written with 1 and 4 threads the way kiln redoxfs create writes (afile): exit
 * status 2, one line naming the source, and no output left in the directory */
static void
source_change(const char *what, off_t newsize, unsigned jobs)
{
	char dir[] = "/tmp/unit-redoxfs-change.XXXXXX", *text, *src, *out, buf[4096], name[128];
	int fds[2], status = -1;
	size_t got = 0;
	ssize_t r;
	pid_t pid;

	if (!mkdtemp(dir) || pipe(fds) != 0) {
		CHECK("source change temp dir", 0);
		return;
	}
	{
		char *big = payload(dir, "first", 2000000, 5);
		src = payload(dir, "changes", 1000000, 7);
		text = xasprintf("kiln-manifest 1\nfile /first 0644 0 0 src:%s\nfile /changes 0644 0 0 src:%s\n"
		                 "file /after 0644 0 0 src:%s\n", big, src, big);
		free(big);
	}
	out = xasprintf("%s/out.img", dir);
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		struct manifest *m = manifest_parse("change.m", text, strlen(text));
		struct rfs_opts o = { 16u << 20, { 0 }, 0, 1, jobs };
		struct afile *a;
		close(fds[0]);
		dup2(fds[1], 2);
		if (newsize < 0) {
			FILE *f = fopen(src, "ab");
			fputc('!', f);
			fclose(f);
		} else if (truncate(src, newsize) != 0) {
			_exit(99);
		}
		a = afile_open(out);
		if (ftruncate(a->fd, (off_t)o.size) != 0)
			_exit(99);
		rfs_write(m, a->fd, 0, out, &o);
		afile_commit(a);
		exit(0);
	}
	close(fds[1]);
	while ((r = read(fds[0], buf + got, sizeof buf - 1 - got)) > 0)
		got += (size_t)r;
	buf[got] = 0;
	close(fds[0]);
	waitpid(pid, &status, 0);
	snprintf(name, sizeof name, "source change: %s, %u thread%s: one line, exit 2, no output", what,
	         jobs, jobs == 1 ? "" : "s");
	CHECK(name, WIFEXITED(status) && WEXITSTATUS(status) == 2 && strchr(buf, '\n') == buf + got - 1 &&
	      strstr(buf, "change.m:3: /changes: source '") &&
	      strstr(buf, "changed size while the image was written (1000000 bytes expected)") &&
	      access(out, F_OK) != 0);
	if (!strstr(buf, "changed size"))
		printf("# got: %s\n", buf);
	unlink(src);
	free(src);
	src = xasprintf("%s/first", dir);
	unlink(src);
	{
		DIR *d = opendir(dir);
		struct dirent *e;
		int left = 0;
		while (d && (e = readdir(d)))
			left += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
		if (d)
			closedir(d);
		snprintf(name, sizeof name, "source change: %s, %u thread%s: nothing else left behind", what,
		         jobs, jobs == 1 ? "" : "s");
		CHECK(name, left == 0);
	}
	rmdir_files(dir);
	free(src);
	free(out);
	free(text);
}

static void
test_source_changes(void)
{
	unsigned jobs;

	for (jobs = 1; jobs <= 4; jobs += 3) {
		source_change("shrank at a record boundary", 3 * 131072, jobs);
		source_change("shrank inside a record", 500000, jobs);
		source_change("grew", -1, jobs);
	}
}

/* ---- the header ring, opened as the real library opens it ---- */

/* put a copy of the header of img at slot (relative to the base at block base) with
 * generation gen, hashed; uuid_flip changes its uuid */
static void
put_header(unsigned char *img, const unsigned char *hdr, uint64_t base, unsigned slot, uint64_t gen,
           int uuid_flip)
{
	unsigned char *h = img + (base + slot) * RFS_BLOCK;

	memcpy(h, hdr, RFS_BLOCK);
	wr64(h + RFS_H_GEN, gen);
	if (uuid_flip)
		h[RFS_H_UUID] ^= 1;
	wr64(h + RFS_H_HASH, seahash(h, RFS_H_ENCHASH));
	memcpy(h + RFS_H_ENCHASH, h + RFS_H_HASH, 8);
}

/* open img (len bytes) and list it; the listing, or NULL (fs->err printed) */
static char *
open_list(const unsigned char *img, size_t len, struct rfs *fs)
{
	char *out = NULL;
	size_t n = 0;
	FILE *f;

	if (rfs_open(fs, -1, img, len, 0, "ring") < 0) {
		printf("# open: %s\n", fs->err);
		return NULL;
	}
	f = open_memstream(&out, &n);
	if (rfs_list(fs, f) < 0)
		printf("# list: %s\n", fs->err);
	fclose(f);
	return out;
}

/* what rfs_check prints for img */
static char *
check_out(struct rfs *fs)
{
	char *out = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&out, &n);

	rfs_check(fs, f);
	fclose(f);
	return out;
}

static void
test_ring(void)
{
	static const char text[] = "kiln-manifest 1\nfile /etc/hostname 0644 0 0 data:ring\n";
	const size_t size = 2u << 20, pad = 3 * RFS_BLOCK;
	unsigned char *img = xcalloc(size + pad, 1), *orig = xmalloc(size), hdr[RFS_BLOCK];
	struct manifest *m = manifest_parse("ring", text, sizeof text - 1);
	struct rfs_opts o;
	char name[] = "/tmp/unit-redoxfs.XXXXXX", *l, *c;
	int fd = mkstemp(name);
	struct rfs fs;

	memset(&o, 0, sizeof o);
	o.size = size;
	o.uuid[0] = 7;
	if (fd < 0 || ftruncate(fd, (off_t)size) < 0) {
		CHECK("ring temp file", 0);
		return;
	}
	rfs_write(m, fd, 0, name, &o);
	xpread(fd, orig, size, 0);
	close(fd);
	unlink(name);
	manifest_free(m);
	memcpy(hdr, orig, RFS_BLOCK);

	/* slot 0 gone (zero): the valid header of generation 1 in slot 1 opens the filesystem */
	memcpy(img, orig, size);
	memset(img, 0, RFS_BLOCK);
	put_header(img, hdr, 0, 1, 1, 0);
	l = open_list(img, size, &fs);
	CHECK("ring: slot 0 zero, slot 1 valid: opens", l && strstr(l, "/etc/hostname"));
	CHECK("ring: slot 0 zero: slot 1 is used", fs.slot == 1 && fs.gen == 1);
	c = check_out(&fs);
	CHECK("ring: slot 0 zero: check says the bootloader needs slot 0",
	      c && strstr(c, "block 0: header ring: slot 0: no RedoxFS signature; the bootloader opens the filesystem at slot 0"));
	free(l);
	free(c);
	rfs_close(&fs);

	/* slot 0 corrupt (bad hash), slots 2 and 3 valid: the newest, generation 3, wins */
	memcpy(img, orig, size);
	img[100] ^= 1;
	put_header(img, hdr, 0, 2, 2, 0);
	put_header(img, hdr, 0, 3, 3, 0);
	l = open_list(img, size, &fs);
	CHECK("ring: slot 0 corrupt: the newest valid header opens", l && strstr(l, "/etc/hostname") && fs.slot == 3 && fs.gen == 3);
	c = check_out(&fs);
	CHECK("ring: slot 0 corrupt: check names the hash", c && strstr(c, "slot 0: header hash mismatch"));
	free(l);
	free(c);
	rfs_close(&fs);

	/* a newer header of another filesystem is taken (as Redox takes it), and the check says so */
	memcpy(img, orig, size);
	put_header(img, hdr, 0, 5, 5, 1);
	l = open_list(img, size, &fs);
	CHECK("ring: a newer header of another uuid is the one used", l && fs.slot == 5);
	c = check_out(&fs);
	CHECK("ring: ... and check names it", c && strstr(c, "block 5: header ring: slot 5 holds generation 5 of another filesystem than slot 0"));
	free(l);
	free(c);
	rfs_close(&fs);

	/* a reserved area before the filesystem: the first valid header is 3 blocks in */
	memset(img, 0xEE, pad);
	memcpy(img + pad, orig, size);
	l = open_list(img, size + pad, &fs);
	CHECK("ring: the filesystem 3 blocks into the image opens", l && strstr(l, "/etc/hostname") && fs.base == 3);
	c = check_out(&fs);
	CHECK("ring: ... and check says where it starts", c && strstr(c, "the filesystem starts 3 blocks into the image"));
	free(l);
	free(c);
	rfs_close(&fs);

	/* the first valid header is generation 5 in block 1: its ring would start before block 0 */
	memcpy(img, orig, size);
	memset(img, 0, RFS_BLOCK);
	put_header(img, hdr, 0, 1, 5, 0);
	CHECK("ring: a ring before the image is refused", rfs_open(&fs, -1, img, size, 0, "ring") < 0 &&
	      strstr(fs.err, "block 1: header of generation 5 belongs in ring slot 5"));

	/* no valid header anywhere: slot 0's reason */
	memcpy(img, orig, size);
	memcpy(img, "NotRedox", 8);
	CHECK("ring: no valid header: slot 0's reason", rfs_open(&fs, -1, img, size, 0, "ring") < 0 &&
	      strstr(fs.err, "block 0: no RedoxFS signature (and no valid header in the blocks after it)"));

	/* the newest header encrypted: refused by name */
	memcpy(img, orig, size);
	put_header(img, hdr, 0, 1, 1, 0);
	img[RFS_BLOCK + RFS_H_ENCHASH] ^= 1;
	wr64(img + RFS_BLOCK + RFS_H_HASH, seahash(img + RFS_BLOCK, RFS_H_ENCHASH));
	CHECK("ring: an encrypted newest header is refused by name", rfs_open(&fs, -1, img, size, 0, "ring") < 0 &&
	      strstr(fs.err, "block 1: encrypted header"));
	free(img);
	free(orig);
}

int
main(void)
{
	argv0 = "unit-redoxfs";
	test_seahash();
	test_golden();
	test_semantic();
	test_links();
	test_long_name();
	test_ring();
	test_compress();
	test_jobs();
	test_source_changes();
	return unit_failed;
}
