/* seahash.c: seahash 4.1 (see seahash.h); every word is read little-endian */
#include <string.h>

#include "seahash.h"

static uint64_t
diffuse(uint64_t x)
{
	x *= 0x6eed0e9da4d94a4fULL;
	x ^= (x >> 32) >> (x >> 60);
	x *= 0x6eed0e9da4d94a4fULL;
	return x;
}

static uint64_t
le64(const unsigned char *p)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	uint64_t v;

	memcpy(&v, p, 8);  /* one load on little-endian machines */
	return v;
#else
	uint64_t v = 0;
	int i;

	for (i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
#endif
}

/* one word: t = diffuse(a ^ w); a = b; b = c; c = d; d = t */
static void
word(struct seahash *h, uint64_t w)
{
	uint64_t t = diffuse(h->v[0] ^ w);

	h->v[0] = h->v[1];
	h->v[1] = h->v[2];
	h->v[2] = h->v[3];
	h->v[3] = t;
}

void
seahash_init(struct seahash *h)
{
	h->v[0] = 0x16f11fe89b0d677cULL;
	h->v[1] = 0xb480a793d8e6c86cULL;
	h->v[2] = 0x6fe2e5aaf078ebc9ULL;
	h->v[3] = 0x14f994a4c5259381ULL;
	h->ntail = 0;
	h->len = 0;
}

void
seahash_update(struct seahash *h, const void *p, size_t n)
{
	const unsigned char *s = p;
	size_t k;

	h->len += n;
	if (h->ntail) {
		k = 8 - h->ntail < n ? 8 - h->ntail : n;
		memcpy(h->tail + h->ntail, s, k);
		h->ntail += k;
		s += k;
		n -= k;
		if (h->ntail < 8)
			return;
		word(h, le64(h->tail));
		h->ntail = 0;
	}
	/* four words at a time: after four rotations lane k has taken word k, so the lanes are
	 * independent and the multiplications overlap */
	if (n >= 32) {
		uint64_t a = h->v[0], b = h->v[1], c = h->v[2], d = h->v[3];
		for (; n >= 32; s += 32, n -= 32) {
			a = diffuse(a ^ le64(s));
			b = diffuse(b ^ le64(s + 8));
			c = diffuse(c ^ le64(s + 16));
			d = diffuse(d ^ le64(s + 24));
		}
		h->v[0] = a, h->v[1] = b, h->v[2] = c, h->v[3] = d;
	}
	for (; n >= 8; s += 8, n -= 8)
		word(h, le64(s));
	memcpy(h->tail, s, n);
	h->ntail = n;
}

void
seahash_zeros(struct seahash *h, uint64_t n)
{
	static const unsigned char z[4096];

	while (n) {
		size_t k = n < sizeof z ? (size_t)n : sizeof z;
		seahash_update(h, z, k);
		n -= k;
	}
}

uint64_t
seahash_final(const struct seahash *h)
{
	uint64_t v[4];
	unsigned char t[8] = {0};

	memcpy(v, h->v, sizeof v);
	if (h->ntail) {
		uint64_t t0;
		memcpy(t, h->tail, h->ntail);
		t0 = diffuse(v[0] ^ le64(t));
		v[0] = v[1]; v[1] = v[2]; v[2] = v[3]; v[3] = t0;
	}
	return diffuse(v[0] ^ v[1] ^ v[2] ^ v[3] ^ h->len);
}

uint64_t
seahash(const void *p, size_t n)
{
	struct seahash h;

	seahash_init(&h);
	seahash_update(&h, p, n);
	return seahash_final(&h);
}
