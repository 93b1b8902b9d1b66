/* fuzz/gpt.c: fuzz driver for the GPT reader (what `kiln gpt list` runs): the input is a
 * whole disk; its first 34 and last 33 sectors go to gpt_parse. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "image/gpt.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gpt *g = calloc(1, sizeof *g);
	struct buf err = {0};
	uint64_t nsect = size / GPT_SECTOR;

	if (g && nsect >= 2 * GPT_TABLE_SECTORS + 3)
		gpt_parse(data, data + (nsect - 33) * GPT_SECTOR, nsect, g, &err);
	if (g)
		buf_free(&g->bad);
	free(g);
	buf_free(&err);
	return 0;
}
