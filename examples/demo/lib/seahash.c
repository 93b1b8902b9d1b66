/* seahash.c: seahash 4.1 (see seahash.h): four lanes, each 8-byte little-endian word mixed
 * into one lane in turn, the length folded in at the end */
#include "seahash.h"

#define SEA_K 0x6eed0e9da4d94a4full

static uint64_t
diffuse(uint64_t x)
{
	x *= SEA_K;
	x ^= (x >> 32) >> (x >> 60);
	x *= SEA_K;
	return x;
}

uint64_t
seahash(const unsigned char *p, uint64_t n)
{
	uint64_t lane[4] = { 0x16f11fe89b0d677cull, 0xb480a793d8e6c86cull,
		0x6fe2e5aaf078ebc9ull, 0x14f994a4c5259381ull };
	uint64_t i, w, t;
	unsigned k, j = 0;

	for (i = 0; i < n; i += 8) {
		w = 0;
		for (k = 0; k < 8 && i + k < n; k++)
			w |= (uint64_t)p[i + k] << (8 * k);
		t = diffuse(lane[j & 3] ^ w);
		/* a = b, b = c, c = d, d = t: rotate by indexing instead of moving */
		lane[j & 3] = t;
		j++;
	}
	/* after j words the lanes, in a, b, c, d order, start at index j mod 4 */
	return diffuse(lane[j & 3] ^ lane[(j + 1) & 3] ^ lane[(j + 2) & 3] ^ lane[(j + 3) & 3] ^ n);
}
