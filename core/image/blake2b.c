/* blake2b.c: BLAKE2b as specified in RFC 7693 (sections 2 and 3): the compression function F
 * with its 12 rounds of G, the parameter block folded into h[0], and the last block flagged. */
#include <string.h>

#include "blake2b.h"

/* the SHA-512 initial hash value (RFC 7693 section 2.6) */
static const uint64_t iv[8] = {
	0x6a09e667f3bcc908, 0xbb67ae8584caa73b, 0x3c6ef372fe94f82b, 0xa54ff53a5f1d36f1,
	0x510e527fade682d1, 0x9b05688c2b3e6c1f, 0x1f83d9abfb41bd6b, 0x5be0cd19137e2179,
};

/* message word order of each round (section 2.7); rounds 10 and 11 repeat 0 and 1 */
static const unsigned char sigma[12][16] = {
	{ 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 },
	{ 14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3 },
	{ 11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4 },
	{ 7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8 },
	{ 9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13 },
	{ 2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9 },
	{ 12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11 },
	{ 13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10 },
	{ 6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5 },
	{ 10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0 },
	{ 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 },
	{ 14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3 },
};

#define ROTR64(x, n) ((x) >> (n) | (x) << (64 - (n)))

/* the mixing function G (section 3.1) on v[a], v[b], v[c], v[d] with message words x, y */
#define G(a, b, c, d, x, y) do { \
	v[a] = v[a] + v[b] + (x); v[d] = ROTR64(v[d] ^ v[a], 32); \
	v[c] = v[c] + v[d];       v[b] = ROTR64(v[b] ^ v[c], 24); \
	v[a] = v[a] + v[b] + (y); v[d] = ROTR64(v[d] ^ v[a], 16); \
	v[c] = v[c] + v[d];       v[b] = ROTR64(v[b] ^ v[c], 63); \
} while (0)

static uint64_t
load64(const unsigned char *p)
{
	return (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 | (uint64_t)p[3] << 24 |
	       (uint64_t)p[4] << 32 | (uint64_t)p[5] << 40 | (uint64_t)p[6] << 48 |
	       (uint64_t)p[7] << 56;
}

/* overwrite n bytes in a way the compiler may not drop as a dead store */
static void
wipe(void *p, size_t n)
{
	volatile unsigned char *v = p;

	while (n--)
		*v++ = 0;
}

/* the compression function F (section 3.2) on the 128-byte block b; last flags the final one */
static void
compress(struct blake2b *s, const unsigned char *b, int last)
{
	uint64_t v[16], m[16];
	int i;

	for (i = 0; i < 16; i++)
		m[i] = load64(b + 8 * i);
	for (i = 0; i < 8; i++)
		v[i] = s->h[i], v[i + 8] = iv[i];
	v[12] ^= s->t[0];
	v[13] ^= s->t[1];
	if (last)
		v[14] = ~v[14];
	for (i = 0; i < 12; i++) {
		const unsigned char *z = sigma[i];

		G(0, 4, 8, 12, m[z[0]], m[z[1]]);
		G(1, 5, 9, 13, m[z[2]], m[z[3]]);
		G(2, 6, 10, 14, m[z[4]], m[z[5]]);
		G(3, 7, 11, 15, m[z[6]], m[z[7]]);
		G(0, 5, 10, 15, m[z[8]], m[z[9]]);
		G(1, 6, 11, 12, m[z[10]], m[z[11]]);
		G(2, 7, 8, 13, m[z[12]], m[z[13]]);
		G(3, 4, 9, 14, m[z[14]], m[z[15]]);
	}
	for (i = 0; i < 8; i++)
		s->h[i] ^= v[i] ^ v[i + 8];
	wipe(m, sizeof m);
}

/* count n more bytes in the 128-bit offset counter */
static void
count(struct blake2b *s, size_t n)
{
	s->t[0] += n;
	if (s->t[0] < n)
		s->t[1]++;
}

int
blake2b_init(struct blake2b *s, size_t outlen, const void *key, size_t keylen)
{
	int i;

	if (outlen < 1 || outlen > BLAKE2B_OUTMAX || keylen > BLAKE2B_KEYMAX)
		return -1;
	for (i = 0; i < 8; i++)
		s->h[i] = iv[i];
	/* parameter block: digest length, key length, fanout 1, depth 1 (section 2.5) */
	s->h[0] ^= 0x01010000 ^ (uint64_t)keylen << 8 ^ outlen;
	s->t[0] = s->t[1] = 0;
	s->n = 0;
	s->outlen = outlen;
	if (keylen > 0) {
		/* the key, padded to a full block, is the first block */
		memset(s->b, 0, sizeof s->b);
		memcpy(s->b, key, keylen);
		s->n = sizeof s->b;
	}
	return 0;
}

void
blake2b_update(struct blake2b *s, const void *p, size_t n)
{
	const unsigned char *c = p;
	size_t k;

	while (n > 0) {
		/* a full buffer is compressed only once more input follows: the last block must
		 * stay for blake2b_final to flag */
		if (s->n == sizeof s->b) {
			count(s, s->n);
			compress(s, s->b, 0);
			s->n = 0;
		}
		k = sizeof s->b - s->n;
		if (k > n)
			k = n;
		memcpy(s->b + s->n, c, k);
		s->n += k, c += k, n -= k;
	}
}

void
blake2b_final(struct blake2b *s, unsigned char *out)
{
	size_t i;

	count(s, s->n);
	memset(s->b + s->n, 0, sizeof s->b - s->n);
	compress(s, s->b, 1);
	for (i = 0; i < s->outlen; i++)
		out[i] = (unsigned char)(s->h[i / 8] >> 8 * (i % 8));
	wipe(s, sizeof *s);
}

int
blake2b(unsigned char *out, size_t outlen, const void *key, size_t keylen, const void *in,
        size_t inlen)
{
	struct blake2b s;

	if (blake2b_init(&s, outlen, key, keylen) != 0)
		return -1;
	blake2b_update(&s, in, inlen);
	blake2b_final(&s, out);
	return 0;
}
