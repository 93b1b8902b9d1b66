/* lz4.c: LZ4 block decoder (see lz4.h). A block is a series of sequences: a token byte
 * (high nibble: literal count, low nibble: match length - 4; 15 means "more bytes follow,
 * each added, until one is not 255"), the literals, then a 2-byte little-endian offset back
 * into the output and the match. The last sequence has literals only. */
#include "lz4.h"

/* read a length continued by 255-bytes; 0 on running off the input */
static int
more_length(const unsigned char *src, uint64_t n, uint64_t *i, uint64_t *len)
{
	unsigned char b;

	do {
		if (*i >= n)
			return 0;
		b = src[(*i)++];
		*len += b;
	} while (b == 255);
	return 1;
}

const char *
lz4_decode(const unsigned char *src, uint64_t n, unsigned char *dst, uint64_t cap, uint64_t *out)
{
	uint64_t i = 0, o = 0, len, off;

	while (i < n) {
		unsigned token = src[i++];

		len = token >> 4;
		if (len == 15 && !more_length(src, n, &i, &len))
			return "LZ4: literal length runs past the end of the block";
		if (len > n - i)
			return "LZ4: literals run past the end of the block";
		if (len > cap - o)
			return "LZ4: literals overflow the output";
		while (len--)
			dst[o++] = src[i++];
		if (i == n)
			break; /* the last sequence: literals only */
		if (n - i < 2)
			return "LZ4: block ends inside a match offset";
		off = (uint64_t)src[i] | (uint64_t)src[i + 1] << 8;
		i += 2;
		if (off == 0 || off > o)
			return "LZ4: match offset points before the start of the output";
		len = token & 15;
		if (len == 15 && !more_length(src, n, &i, &len))
			return "LZ4: match length runs past the end of the block";
		len += 4;
		if (len > cap - o)
			return "LZ4: match overflows the output";
		while (len--) {
			dst[o] = dst[o - off]; /* byte by byte: a match may overlap its own output */
			o++;
		}
	}
	*out = o;
	return 0;
}
