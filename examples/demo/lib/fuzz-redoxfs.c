/* fuzz-redoxfs.c: fuzz driver for the demo's RedoxFS reader (lib/redoxfs.c, lib/lz4.c), the
 * code the demo bootloader and kernel run on untrusted disk bytes. The input is a compact
 * image: block 0 (header slot 0), then the blocks from 257 on; the driver puts them back at
 * their places (the ring slots 1..255 zero) in an exact-size buffer, so that a read past the
 * image is caught by ASan. It opens the image, reads the boot files and /etc/motd, lists /
 * and /usr/bin, and walks the tree two levels deep, reading every file it finds.
 * Build on the host with tests/fuzz/standalone.c (replay) or AFL++ (see ../BUILD.md). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "redoxfs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_IMAGE (8u << 20)

struct image {
	unsigned char *b;
	uint64_t n;
};

static volatile unsigned sink;
static unsigned char rec[RFS_RECORD_MAX], raw[RFS_RECORD_MAX], buf[RFS_RECORD_MAX + 100];
static struct rfs fs;
static struct rfs_node node;
static uint32_t ids[64];
static unsigned nids;

static const char *
image_read(void *ctx, uint64_t off, unsigned char *out, uint64_t len)
{
	const struct image *im = ctx;

	if (off > im->n || len > im->n - off)
		return "read past the image";
	memcpy(out, im->b + off, len);
	return 0;
}

static void
collect(void *ctx, uint32_t id, const unsigned char *name, uint32_t len)
{
	(void)ctx;
	while (len--)
		sink += *name++;
	if (nids < 64)
		ids[nids++] = id;
}

static void
read_all(struct rfs_node *n)
{
	uint64_t off = 0, got, i;

	while (off < n->size && off < 4 * RFS_RECORD_MAX) {
		if (rfs_read(&fs, n, off, buf, sizeof buf, &got) || !got)
			return;
		for (i = 0; i < got; i++)
			sink += buf[i];
		off += got;
	}
}

static void
walk(uint32_t dir, int depth)
{
	uint32_t mine[64];
	unsigned n, i;

	if (rfs_node(&fs, dir, &node))
		return;
	nids = 0;
	if (rfs_list(&fs, &node, collect, 0))
		return;
	n = nids;
	memcpy(mine, ids, n * sizeof ids[0]);
	for (i = 0; i < n; i++) {
		if (rfs_node(&fs, mine[i], &node))
			continue;
		if ((node.mode & RFS_MODE_TYPE) == RFS_MODE_DIR) {
			if (depth < 2)
				walk(mine[i], depth + 1);
		} else {
			read_all(&node);
		}
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *paths[] = { "/boot/kernel", "/usr/lib/boot/initfs", "/etc/motd", "/usr/bin", "/" };
	struct image im;
	uint64_t want;
	size_t k;

	if (size < RFS_BLOCK)
		return 0;
	/* the header's size says how large the image is; the compact input fills it from 257 */
	want = 0;
	for (k = 0; k < 8; k++)
		want |= (uint64_t)data[32 + k] << (8 * k);
	if (want < 258ull * RFS_BLOCK || want > MAX_IMAGE)
		want = 258ull * RFS_BLOCK + (size - RFS_BLOCK);
	if (want > MAX_IMAGE)
		return 0;
	im.n = want;
	if (!(im.b = calloc(1, im.n)))
		return 0;
	memcpy(im.b, data, RFS_BLOCK);
	if (size > RFS_BLOCK)
		memcpy(im.b + 257ull * RFS_BLOCK, data + RFS_BLOCK,
		    size - RFS_BLOCK < im.n - 257ull * RFS_BLOCK ? size - RFS_BLOCK : im.n - 257ull * RFS_BLOCK);
	if (!rfs_open(&fs, image_read, &im, im.n, rec, raw)) {
		for (k = 0; k < sizeof paths / sizeof paths[0]; k++) {
			if (rfs_lookup(&fs, paths[k], &node))
				continue;
			if ((node.mode & RFS_MODE_TYPE) == RFS_MODE_DIR) {
				nids = 0;
				rfs_list(&fs, &node, collect, 0);
			} else {
				read_all(&node);
			}
		}
		walk(RFS_ROOT, 0);
	}
	free(im.b);
	return 0;
}
