/* fuzz-initfs.c: fuzz driver for the demo's initfs reader (lib/initfs.c), the code the demo
 * kernel and bootstrap run on an untrusted image. It reads every inode and directory entry,
 * walks the tree as the kernel's listing does, looks up a few paths, and touches every byte
 * a successful call hands out. Build on the host with tests/fuzz/standalone.c (replay) or AFL++ (see BUILD.md). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "initfs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile unsigned sink;

static void
touch(const unsigned char *p, uint64_t n)
{
	while (n--)
		sink += *p++;
}

/* what the kernel's listing does with each entry: read its path and its data */
static void
visit(void *ctx, uint32_t n, const struct initfs_inode *ino, const char *path)
{
	const struct initfs *fs = ctx;

	(void)n;
	touch((const unsigned char *)path, strlen(path));
	touch(fs->base + ino->off, ino->len);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *paths[] = { "/etc/init.rc", "/bin/init", "/", "//bin//hello/", "/a/b/c" };
	struct initfs fs;
	struct initfs_inode ino;
	const unsigned char *name;
	unsigned char *img;
	uint32_t n, i, child, nlen;
	size_t k;

	/* an exact-size copy, so that a read one byte past the image is caught by ASan */
	if (!(img = malloc(size ? size : 1)))
		return 0;
	if (size)
		memcpy(img, data, size);
	if (initfs_open(&fs, img, size))
		goto out;
	for (n = 0; n < fs.ninodes; n++) {
		if (initfs_inode(&fs, n, &ino))
			continue;
		touch(fs.base + ino.off, ino.len);
		for (i = 0; ino.type == INITFS_DIR && i < ino.len / INITFS_DIRENT_SIZE; i++) {
			if (!initfs_dirent(&fs, &ino, i, &child, &name, &nlen))
				touch(name, nlen);
		}
	}
	initfs_walk(&fs, visit, &fs);
	for (k = 0; k < sizeof paths / sizeof paths[0]; k++) {
		if (!initfs_lookup(&fs, paths[k], &n) && !initfs_inode(&fs, n, &ino))
			touch(fs.base + ino.off, ino.len);
	}
out:
	free(img);
	return 0;
}
