/* fuzz/redoxfs.c: feeds bytes to the RedoxFS reader: list, cat and check.
 *
 * To keep inputs small, the input is a compact image: its first 4096 bytes are block 0 (the
 * header) and the rest is block 257 onwards; the driver expands it with a zero header ring
 * (blocks 1..255) and the hole at 256, so the header's pointers mean what they mean on disk,
 * and pads it with zeros up to the header's size (at most 4 MiB), so corpus files can leave
 * out their trailing zero bytes. Each input runs twice: as it is, and with hash checks off
 * (rfs_fuzz_nohash), since almost every mutation breaks a hash and would stop there. */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image/redoxfs.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *null;
	static const char *paths[] = { "/f", "/d/l", "/d/big", "/many/n100", "/x/y/z" };
	size_t head = size < RFS_BLOCK ? size : RFS_BLOCK, len, i;
	int pass;
	unsigned char *img;
	struct rfs fs;

	if (!null && !(null = fopen("/dev/null", "w")))
		abort();
	len = (size_t)RFS_FIRST * RFS_BLOCK + (size - head);
	if (size >= 40) {
		uint64_t want = (uint64_t)data[32] | (uint64_t)data[33] << 8 | (uint64_t)data[34] << 16 |
		                (uint64_t)data[35] << 24 | (uint64_t)data[36] << 32;
		if (want > len && want <= (4u << 20))
			len = (size_t)want;
	}
	img = calloc(len, 1);
	if (!img)
		abort();
	memcpy(img, data, head);
	memcpy(img + (size_t)RFS_FIRST * RFS_BLOCK, data + head, size - head);
	for (pass = 0; pass < 2; pass++) {
		rfs_fuzz_nohash = pass;
		if (rfs_open(&fs, -1, img, len, 0, "fuzz") < 0)
			continue;
		rfs_list(&fs, null);
		rfs_close(&fs);
		for (i = 0; i < sizeof paths / sizeof paths[0]; i++) {
			rfs_open(&fs, -1, img, len, 0, "fuzz");
			rfs_cat(&fs, paths[i], null);
			rfs_close(&fs);
		}
		rfs_open(&fs, -1, img, len, 0, "fuzz");
		rfs_check(&fs, null);
		rfs_close(&fs);
	}
	rfs_fuzz_nohash = 0;
	free(img);
	return 0;
}
