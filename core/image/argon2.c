/* argon2.c: Argon2d, Argon2i and Argon2id version 0x13 as specified in RFC 9106: H0 (section
 * 3.2), the variable-length hash H' (3.3), indexing (3.4), the compression function G (3.5)
 * built on the BlaMka permutation P (3.6), and the PHC string encoding. Portable C: blocks are
 * arrays of 64-bit words, loaded and stored little-endian explicitly. */
#include <stdlib.h>
#include <string.h>

#include "argon2.h"
#include "blake2b.h"
#include "util.h"

#define BLOCK_BYTES 1024
#define BLOCK_WORDS (BLOCK_BYTES / 8)
#define SLICES 4            /* segments per lane: synchronisation points per pass */
#define ADDRS_PER_BLOCK 128 /* pseudo-random values one address block yields (Argon2i) */

/* one 1 KiB block of memory, as 128 little-endian words */
struct block {
	uint64_t v[BLOCK_WORDS];
};

/* the state of one hash while the memory is filled */
struct ctx {
	struct block *mem;     /* the p lanes, one after the other, q blocks each */
	uint32_t blocks;       /* m': blocks in mem */
	uint32_t lanes;        /* p */
	uint32_t lanelen;      /* q = m' / p: blocks per lane */
	uint32_t seglen;       /* q / 4: blocks per segment */
	uint32_t passes;       /* t */
	enum argon2_type type; /* variant */
};

/* memset through a volatile pointer: the wipes of secrets are not optimised away as dead
 * stores */
static void *(*const volatile wipe)(void *, int, size_t) = memset;

static void
block_load(struct block *b, const unsigned char *p)
{
	int i;

	for (i = 0; i < BLOCK_WORDS; i++)
		b->v[i] = rd64(p + 8 * i);
}

static void
block_store(unsigned char *p, const struct block *b)
{
	int i;

	for (i = 0; i < BLOCK_WORDS; i++)
		wr64(p + 8 * i, b->v[i]);
}

/* H'^T (section 3.3): a digest of any length T from BLAKE2b-512 chained over 64-byte values,
 * each contributing its first 32 bytes and the last all that is left; in gets LE32(T) before it */
static void
hprime(unsigned char *out, uint32_t outlen, const void *in, size_t inlen)
{
	struct blake2b s;
	unsigned char le[4], v[64];

	wr32(le, outlen);
	blake2b_init(&s, outlen <= 64 ? outlen : 64, NULL, 0);
	blake2b_update(&s, le, sizeof le);
	blake2b_update(&s, in, inlen);
	if (outlen <= 64) {
		blake2b_final(&s, out);
		return;
	}
	blake2b_final(&s, v);
	memcpy(out, v, 32);
	out += 32, outlen -= 32;
	while (outlen > 64) {
		blake2b(v, 64, NULL, 0, v, 64);
		memcpy(out, v, 32);
		out += 32, outlen -= 32;
	}
	blake2b(out, outlen, NULL, 0, v, 64);
	wipe(v, 0, sizeof v);
}

/* the BlaMka mixing of P (section 3.6): BLAKE2b's G with each addition a + b replaced by
 * a + b + 2 * lo32(a) * lo32(b), and no message words */
#define ROTR64(x, n) ((x) >> (n) | (x) << (64 - (n)))
#define FBLAMKA(x, y) ((x) + (y) + 2 * ((x) & 0xffffffff) * ((y) & 0xffffffff))
#define GB(a, b, c, d) do { \
	a = FBLAMKA(a, b); d = ROTR64(d ^ a, 32); \
	c = FBLAMKA(c, d); b = ROTR64(b ^ c, 24); \
	a = FBLAMKA(a, b); d = ROTR64(d ^ a, 16); \
	c = FBLAMKA(c, d); b = ROTR64(b ^ c, 63); \
} while (0)

/* the permutation P on eight 16-byte registers of r: register k is the word pair
 * r[first + k*step], r[first + k*step + 1]. Rows of the 8x8 register matrix are step 2,
 * columns step 16. */
static inline void
permute(uint64_t *r, size_t first, size_t step)
{
	uint64_t v[16];
	int k;

	for (k = 0; k < 8; k++) {
		v[2 * k] = r[first + k * step];
		v[2 * k + 1] = r[first + k * step + 1];
	}
	GB(v[0], v[4], v[8], v[12]);
	GB(v[1], v[5], v[9], v[13]);
	GB(v[2], v[6], v[10], v[14]);
	GB(v[3], v[7], v[11], v[15]);
	GB(v[0], v[5], v[10], v[15]);
	GB(v[1], v[6], v[11], v[12]);
	GB(v[2], v[7], v[8], v[13]);
	GB(v[3], v[4], v[9], v[14]);
	for (k = 0; k < 8; k++) {
		r[first + k * step] = v[2 * k];
		r[first + k * step + 1] = v[2 * k + 1];
	}
}

/* the compression function G (section 3.5): next = G(prev, ref), or next ^= G(prev, ref) when
 * xor is set (passes after the first, version 0x13). next may be ref. */
static void
compress(const struct block *prev, const struct block *ref, struct block *next, int xor)
{
	struct block r, q;
	int i;

	for (i = 0; i < BLOCK_WORDS; i++)
		q.v[i] = r.v[i] = prev->v[i] ^ ref->v[i];
	if (xor)
		for (i = 0; i < BLOCK_WORDS; i++)
			q.v[i] ^= next->v[i];
	for (i = 0; i < 8; i++)
		permute(r.v, 16 * i, 2);
	for (i = 0; i < 8; i++)
		permute(r.v, 2 * i, 16);
	for (i = 0; i < BLOCK_WORDS; i++)
		next->v[i] = q.v[i] ^ r.v[i];
}

/* the next address block of data-independent addressing: count one more in input, then
 * addr = G(0, G(0, input)) (section 3.4.1.2) */
static void
next_addresses(struct block *input, struct block *addr)
{
	static const struct block zero;

	input->v[6]++;
	compress(&zero, input, addr, 0);
	compress(&zero, addr, addr, 0);
}

/* the column of the reference block in its lane (section 3.4.2): j1 picks, with a bias towards
 * recent blocks, one of the blocks already computed and not in the current segment of another
 * lane; i is the current block's index in its segment */
static uint32_t
ref_column(const struct ctx *c, uint32_t pass, uint32_t slice, uint32_t i, uint32_t j1,
           int same_lane)
{
	uint64_t area, base, x, y, start = 0;

	if (pass == 0 && slice == 0) {
		area = i - 1; /* i >= 2 here */
	} else {
		/* finished segments: the earlier slices of this pass, or three of the last pass */
		base = pass == 0 ? (uint64_t)slice * c->seglen : (uint64_t)c->lanelen - c->seglen;
		if (same_lane)
			area = base + i - 1;  /* and the blocks of this segment before the previous */
		else
			area = base - (i == 0); /* a segment's first block skips the last one */
	}
	x = (uint64_t)j1 * j1 >> 32;
	y = area * x >> 32;
	if (pass != 0 && slice != SLICES - 1)
		start = (uint64_t)(slice + 1) * c->seglen;
	return (uint32_t)((start + area - 1 - y) % c->lanelen);
}

/* fill one segment of one lane (section 3.4): every block from the previous one and a
 * reference block chosen by the previous block's first word (Argon2d) or by a counter-driven
 * address block (Argon2i, and Argon2id in the first two slices of the first pass) */
static void
fill_segment(struct ctx *c, uint32_t pass, uint32_t lane, uint32_t slice)
{
	struct block input, addr;
	int indep = c->type == ARGON2_I || (c->type == ARGON2_ID && pass == 0 && slice < 2);
	uint32_t i = pass == 0 && slice == 0 ? 2 : 0; /* blocks 0 and 1 come from H0 */
	struct block *base = c->mem + (size_t)lane * c->lanelen;

	if (indep) {
		memset(&input, 0, sizeof input);
		input.v[0] = pass;
		input.v[1] = lane;
		input.v[2] = slice;
		input.v[3] = c->blocks;
		input.v[4] = c->passes;
		input.v[5] = (uint64_t)c->type;
		if (i == 2) /* the first two addresses belong to the two blocks made from H0 */
			next_addresses(&input, &addr);
	}
	for (; i < c->seglen; i++) {
		uint32_t col = slice * c->seglen + i;
		struct block *prev = base + (col == 0 ? c->lanelen - 1 : col - 1);
		uint64_t rnd;
		uint32_t rlane;

		if (indep) {
			if (i % ADDRS_PER_BLOCK == 0)
				next_addresses(&input, &addr);
			rnd = addr.v[i % ADDRS_PER_BLOCK];
		} else {
			rnd = prev->v[0];
		}
		rlane = pass == 0 && slice == 0 ? lane : (uint32_t)((rnd >> 32) % c->lanes);
		col = ref_column(c, pass, slice, i, (uint32_t)rnd, rlane == lane);
		compress(prev, c->mem + (size_t)rlane * c->lanelen + col, base + slice * c->seglen + i,
		         pass != 0);
	}
}

const char *
argon2_check(const struct argon2_params *a)
{
	if (a->type != ARGON2_D && a->type != ARGON2_I && a->type != ARGON2_ID)
		return "the variant is not Argon2d, Argon2i or Argon2id";
	if (a->p < 1 || a->p > 0xffffff)
		return "the parallelism is not between 1 and 2^24-1";
	if (a->t < 1)
		return "the number of passes is 0";
	if (a->m < 8 * (uint64_t)a->p)
		return "the memory is less than 8 KiB per lane";
	if (a->taglen < 4)
		return "the tag is shorter than 4 bytes";
	if (a->saltlen < 8)
		return "the salt is shorter than 8 bytes";
	if ((uint64_t)a->pwdlen > 0xffffffff || (uint64_t)a->saltlen > 0xffffffff ||
	    (uint64_t)a->secretlen > 0xffffffff || (uint64_t)a->adlen > 0xffffffff)
		return "an input is 4 GiB or longer";
	return NULL;
}

/* hash LE32(n) and then n bytes of p */
static void
update_lp(struct blake2b *s, const void *p, size_t n)
{
	unsigned char le[4];

	wr32(le, (uint32_t)n);
	blake2b_update(s, le, sizeof le);
	if (n > 0)
		blake2b_update(s, p, n);
}

void
argon2_prehash(const struct argon2_params *a, unsigned char h0[64])
{
	uint32_t head[6] = { a->p, a->taglen, a->m, a->t, ARGON2_VERSION, (uint32_t)a->type };
	unsigned char le[4];
	struct blake2b s;
	int i;

	blake2b_init(&s, 64, NULL, 0);
	for (i = 0; i < 6; i++) {
		wr32(le, head[i]);
		blake2b_update(&s, le, sizeof le);
	}
	update_lp(&s, a->pwd, a->pwdlen);
	update_lp(&s, a->salt, a->saltlen);
	update_lp(&s, a->secret, a->secretlen);
	update_lp(&s, a->ad, a->adlen);
	blake2b_final(&s, h0);
}

/* the first two blocks of every lane: H'^1024(H0 || LE32(0 or 1) || LE32(lane)) */
static void
fill_first_blocks(struct ctx *c, const unsigned char h0[64])
{
	unsigned char in[72], out[BLOCK_BYTES];
	uint32_t l, k;

	memcpy(in, h0, 64);
	for (l = 0; l < c->lanes; l++) {
		for (k = 0; k < 2; k++) {
			wr32(in + 64, k);
			wr32(in + 68, l);
			hprime(out, BLOCK_BYTES, in, sizeof in);
			block_load(&c->mem[(size_t)l * c->lanelen + k], out);
		}
	}
	wipe(in, 0, sizeof in);
	wipe(out, 0, sizeof out);
}

/* the tag: H'^T of the XOR of every lane's last block */
static void
finalize(const struct ctx *c, unsigned char *tag, uint32_t taglen)
{
	struct block x = c->mem[c->lanelen - 1];
	unsigned char bytes[BLOCK_BYTES];
	uint32_t l;
	int i;

	for (l = 1; l < c->lanes; l++)
		for (i = 0; i < BLOCK_WORDS; i++)
			x.v[i] ^= c->mem[(size_t)l * c->lanelen + c->lanelen - 1].v[i];
	block_store(bytes, &x);
	hprime(tag, taglen, bytes, sizeof bytes);
	wipe(bytes, 0, sizeof bytes);
	wipe(&x, 0, sizeof x);
}

const char *
argon2_hash(const struct argon2_params *a, unsigned char *tag)
{
	unsigned char h0[64];
	struct ctx c;
	uint32_t pass, slice, lane;
	const char *err = argon2_check(a);

	if (err)
		return err;
	c.lanes = a->p;
	c.seglen = a->m / (SLICES * a->p);
	c.lanelen = c.seglen * SLICES;
	c.blocks = c.lanelen * a->p;
	c.passes = a->t;
	c.type = a->type;
#if SIZE_MAX / BLOCK_BYTES < UINT32_MAX /* only 32-bit machines can be asked for too much */
	if (c.blocks > SIZE_MAX / sizeof *c.mem)
		return "the memory cost does not fit in this machine's address space";
#endif
	c.mem = malloc((size_t)c.blocks * sizeof *c.mem);
	if (!c.mem)
		return "out of memory for the blocks of the memory cost";
	argon2_prehash(a, h0);
	fill_first_blocks(&c, h0);
	wipe(h0, 0, sizeof h0);
	for (pass = 0; pass < c.passes; pass++)
		for (slice = 0; slice < SLICES; slice++)
			for (lane = 0; lane < c.lanes; lane++)
				fill_segment(&c, pass, lane, slice);
	finalize(&c, tag, a->taglen);
	wipe(c.mem, 0, (size_t)c.blocks * sizeof *c.mem);
	free(c.mem);
	return NULL;
}

void
base64_nopad(struct buf *out, const void *p, size_t n)
{
	static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const unsigned char *c = p;
	uint32_t v;

	for (; n >= 3; c += 3, n -= 3) {
		v = (uint32_t)c[0] << 16 | (uint32_t)c[1] << 8 | c[2];
		buf_putc(out, abc[v >> 18]);
		buf_putc(out, abc[v >> 12 & 63]);
		buf_putc(out, abc[v >> 6 & 63]);
		buf_putc(out, abc[v & 63]);
	}
	if (n == 0)
		return;
	v = (uint32_t)c[0] << 16 | (n == 2 ? (uint32_t)c[1] << 8 : 0);
	buf_putc(out, abc[v >> 18]);
	buf_putc(out, abc[v >> 12 & 63]);
	if (n == 2)
		buf_putc(out, abc[v >> 6 & 63]);
}

void
argon2_encode(struct buf *out, const struct argon2_params *a, const unsigned char *tag)
{
	static const char *const name[] = { "argon2d", "argon2i", "argon2id" };

	buf_printf(out, "$%s$v=%d$m=%lu,t=%lu,p=%lu$", name[a->type], ARGON2_VERSION,
	           (unsigned long)a->m, (unsigned long)a->t, (unsigned long)a->p);
	base64_nopad(out, a->salt, a->saltlen);
	buf_putc(out, '$');
	base64_nopad(out, tag, a->taglen);
}
