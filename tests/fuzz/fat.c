/* fuzz/fat.c: fuzz driver for the FAT reader (what `kiln fat list|cat` run): boot sector
 * check, a validating walk, then every file read through its cluster chain.
 *
 * Inputs may be compact: when the boot sector describes a volume larger than the input (up to
 * 48 MiB), the input is zero-padded to that size, so small seeds reach FAT16 and FAT32. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "image/fat.h"

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
	unsigned char *pad = NULL;

	if (size >= 512) {
		uint64_t total = rd16(data + 19) ? rd16(data + 19) : rd32(data + 32);
		uint64_t want = total * rd16(data + 11);

		if (want > size && want <= (48u << 20) && (pad = calloc(1, (size_t)want))) {
			memcpy(pad, data, size);
			data = pad;
			size = (size_t)want;
		}
	}
	if (fat_open(&fs, data, size, &err) == 0) {
		fat_walk(&fs, readall, &fs, &err);
		fat_lookup(&fs, "/EFI/BOOT/BOOTAA64.EFI", &e, &err);
	}
	buf_free(&err);
	free(pad);
	return 0;
}
