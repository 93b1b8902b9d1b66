/* fuzz/initfs.c: fuzz driver for the initfs reader (what `kiln initfs list|extract` run
 * before touching anything): header check, then a full validating walk reading every byte. */
#include <stddef.h>
#include <stdint.h>

#include "image/initfs.h"

static int
touch(void *ctx, const char *path, const struct initfs_inode *ino)
{
	const struct initfs *fs = ctx;
	unsigned sum = 0;
	uint32_t i;

	(void)path;
	for (i = 0; i < ino->len; i++)
		sum += fs->data[ino->off + i];
	return sum == 0xFFFFFFFFu;  /* never: keeps the loop from being optimised away */
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct initfs fs;
	struct buf err = {0};

	if (initfs_open(&fs, data, size, &err) == 0)
		initfs_walk(&fs, touch, &fs, &err);
	buf_free(&err);
	return 0;
}
