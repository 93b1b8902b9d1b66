/* fuzz/fat.c: fuzz driver for the FAT reader (what `kiln fat list|cat` run): boot sector
 * check, a validating walk, then every file read through its cluster chain. */
#include <stddef.h>
#include <stdint.h>

#include "fat.h"

static int
readall(void *ctx, const char *path, const struct fat_dirent *e)
{
	const struct fat *fs = ctx;
	struct buf out = {0}, err = {0};

	(void)path;
	if (!e->dir)
		fat_read(fs, e, &out, &err);
	buf_free(&out);
	buf_free(&err);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fat fs;
	struct fat_dirent e;
	struct buf err = {0};

	if (fat_open(&fs, data, size, &err) == 0) {
		fat_walk(&fs, readall, &fs, &err);
		fat_lookup(&fs, "/EFI/BOOT/BOOTAA64.EFI", &e, &err);
	}
	buf_free(&err);
	return 0;
}
