/* bytescan.c: one-pass search for several byte strings (see bytescan.h).
 *
 * A position can start an occurrence only when its byte is one of the patterns' first bytes
 * and the byte after it one of their second bytes. With at most 2 first and 4 second bytes
 * (host paths all start with '/') both tests run on 32 positions at a time with GCC/Clang
 * vectors (SSE2 on x86-64, NEON on aarch64), or on 64 with AVX2 where the CPU has it (a run
 * time check; it keeps up with memory, about 10 GB/s here, where the 16-byte vectors reach
 * 6), so in binary data about one position in 65536 / (first bytes x second bytes) reaches
 * the exact comparison; otherwise the same filter runs byte by byte, and with more than
 * MAXSET distinct leading bytes each pattern is found with memchr on its first byte. */
#include <stdlib.h>
#include <string.h>

#include "bytescan.h"
#include "util.h"

#define MAXSET 8   /* distinct first (or second) bytes a set holds */

/* a set of distinct byte values */
struct set {
	unsigned char c[MAXSET];
	int n;
};

/* add c to s; -1 when s is full */
static int
addset(struct set *s, unsigned char c)
{
	int i;

	for (i = 0; i < s->n; i++)
		if (s->c[i] == c)
			return 0;
	if (s->n == MAXSET)
		return -1;
	s->c[s->n++] = c;
	return 0;
}

static int
inset(const struct set *s, unsigned char c)
{
	int i;

	for (i = 0; i < s->n; i++)
		if (s->c[i] == c)
			return 1;
	return 0;
}

/* the state of one scan */
struct scan {
	const unsigned char *d;
	size_t len;
	const char *const *pats;
	size_t npats;
	size_t *first;       /* per pattern: offset of the first occurrence, len while none */
	size_t *plen;        /* pattern lengths */
	size_t missing;      /* patterns not found yet */
	struct set s1, s2;   /* first bytes, second bytes */
	int any2;            /* a one-byte pattern: every second byte passes */
};

/* exact comparison of every pattern not yet found at position p */
static void
try_at(struct scan *s, size_t p)
{
	size_t k;

	for (k = 0; k < s->npats; k++) {
		const unsigned char *q = (const unsigned char *)s->pats[k];
		if (s->first[k] == s->len && s->plen[k] && s->plen[k] <= s->len - p && s->d[p] == q[0] &&
		    !memcmp(s->d + p, q, s->plen[k])) {
			s->first[k] = p;
			s->missing--;
		}
	}
}

/* positions from i on, one by one */
static void
scalar_from(struct scan *s, size_t i)
{
	for (; i < s->len && s->missing; i++)
		if (inset(&s->s1, s->d[i]) && (s->any2 || (i + 1 < s->len && inset(&s->s2, s->d[i + 1]))))
			try_at(s, i);
}

#if defined(__GNUC__) || defined(__clang__)
/* FILTER(NAME, W, ATTR, ANY): NAME(s, i) gives the offset, from i on in steps of 2 * W, of
 * the first block of 2 * W positions where one may start an occurrence, or the offset where
 * fewer than 2 * W + 1 bytes are left. Its loop compares W bytes at a time with GCC/Clang
 * vectors against up to 2 first bytes and, on a second load one byte further, 4 second
 * bytes (unused set entries repeat the first one, so the comparisons are fixed), calls
 * nothing and stays in registers; ANY(t) is nonzero when a byte of t is. */
#define FILTER(NAME, W, ATTR, ANY) \
typedef unsigned char NAME##_v __attribute__((vector_size(W))); \
ATTR static size_t \
NAME(const struct scan *s, size_t i) \
{ \
	NAME##_v a1, a2, b1, b2, m1, m2, x0, x1, y0, y1, y2, y3; \
	const unsigned char *d = s->d; \
	size_t len = s->len; \
	const int any2 = s->any2; \
	unsigned char c[6]; \
	int j; \
 \
	for (j = 0; j < 2; j++) \
		c[j] = s->s1.c[j < s->s1.n ? j : 0]; \
	for (j = 0; j < 4; j++) \
		c[2 + j] = s->any2 ? 0 : s->s2.c[j < s->s2.n ? j : 0]; \
	memset(&x0, c[0], W), memset(&x1, c[1], W); \
	memset(&y0, c[2], W), memset(&y1, c[3], W), memset(&y2, c[4], W), memset(&y3, c[5], W); \
	for (; i + 2 * W + 1 <= len; i += 2 * W) { \
		memcpy(&a1, d + i, W); \
		memcpy(&a2, d + i + W, W); \
		m1 = (NAME##_v)(a1 == x0) | (NAME##_v)(a1 == x1); \
		m2 = (NAME##_v)(a2 == x0) | (NAME##_v)(a2 == x1); \
		if (!any2) { \
			memcpy(&b1, d + i + 1, W); \
			memcpy(&b2, d + i + W + 1, W); \
			m1 &= (NAME##_v)(b1 == y0) | (NAME##_v)(b1 == y1) | (NAME##_v)(b1 == y2) | (NAME##_v)(b1 == y3); \
			m2 &= (NAME##_v)(b2 == y0) | (NAME##_v)(b2 == y1) | (NAME##_v)(b2 == y2) | (NAME##_v)(b2 == y3); \
		} \
		m1 |= m2; \
		if (ANY(m1)) \
			return i; \
	} \
	return i; \
}

/* any byte of a 16-byte vector set: its two halves ORed */
static inline unsigned long long
any16(const void *t)
{
	unsigned long long w[2];

	memcpy(w, t, 16);
	return w[0] | w[1];
}
#define ANY16(t) any16(&(t))
FILTER(vector_next, 16, , ANY16)
#define HAVE_VECTORS 1

/* the same with 32-byte vectors, compiled for AVX2 and run only where the CPU has it */
#if (defined(__x86_64__) || defined(__i386__)) && !defined(KILN_NO_AVX2) && \
	(defined(__clang__) || __GNUC__ >= 6)
#include <immintrin.h>
#define ANY32(t) (!_mm256_testz_si256((__m256i)(t), (__m256i)(t)))
FILTER(avx2_next, 32, __attribute__((target("avx2"))), ANY32)
#define HAVE_AVX2 1
#endif
#else
#define HAVE_VECTORS 0
#endif

/* the blocks of w positions that next() finds, position by position (the same test as
 * scalar_from); returns where the scalar tail starts */
static size_t
filtered(struct scan *s, size_t (*next)(const struct scan *, size_t), size_t w)
{
	size_t i = 0, k;

	while ((i = next(s, i)) + w + 1 <= s->len) {
		for (k = i; k < i + w; k++)
			if (inset(&s->s1, s->d[k]) && (s->any2 || inset(&s->s2, s->d[k + 1])))
				try_at(s, k);
		if (!s->missing)
			return s->len;
		i += w;
	}
	return i;
}

#ifndef HAVE_AVX2
#define HAVE_AVX2 0
#endif

static int level_limit = BYTESCAN_AVX2;

int
bytescan_level(void)
{
	int l = BYTESCAN_SCALAR;

#if HAVE_VECTORS
	l = BYTESCAN_VECTOR;
#endif
#if HAVE_AVX2
	if (__builtin_cpu_supports("avx2"))
		l = BYTESCAN_AVX2;
#endif
	return l < level_limit ? l : level_limit;
}

void
bytescan_limit(int level)
{
	level_limit = level;
}

/* pattern k alone, with memchr on its first byte */
static void
memchr_scan(struct scan *s, size_t k)
{
	const unsigned char *q;
	size_t n = s->plen[k], i = 0;

	while (n <= s->len - i && (q = memchr(s->d + i, (unsigned char)s->pats[k][0], s->len - n + 1 - i))) {
		i = (size_t)(q - s->d);
		if (!memcmp(q, s->pats[k], n)) {
			s->first[k] = i;
			return;
		}
		i++;
	}
}

void
bytescan(const unsigned char *d, size_t len, const char *const *pats, size_t npats, size_t *first)
{
	struct scan s;
	size_t k;
	int sets = 1;

	memset(&s, 0, sizeof s);
	s.d = d, s.len = len, s.pats = pats, s.npats = npats, s.first = first;
	s.plen = xreallocarray(NULL, npats + 1, sizeof *s.plen);
	for (k = 0; k < npats; k++) {
		first[k] = len;
		s.plen[k] = strlen(pats[k]);
		if (!s.plen[k] || s.plen[k] > len)
			continue;   /* cannot occur: never tried (try_at checks the length) */
		s.missing++;
		if (addset(&s.s1, (unsigned char)pats[k][0]) < 0)
			sets = 0;
		else if (s.plen[k] == 1)
			s.any2 = 1;
		else if (addset(&s.s2, (unsigned char)pats[k][1]) < 0)
			sets = 0;
	}
	if (!sets) {
		for (k = 0; k < npats; k++)
			if (s.plen[k] && s.plen[k] <= len)
				memchr_scan(&s, k);
	} else if (s.missing) {
		int l = s.s1.n <= 2 && s.s2.n <= 4 ? bytescan_level() : BYTESCAN_SCALAR;

#if HAVE_AVX2
		if (l == BYTESCAN_AVX2) {
			scalar_from(&s, filtered(&s, avx2_next, 64));
			free(s.plen);
			return;
		}
#endif
#if HAVE_VECTORS
		if (l >= BYTESCAN_VECTOR) {
			scalar_from(&s, filtered(&s, vector_next, 32));
			free(s.plen);
			return;
		}
#endif
		scalar_from(&s, 0);
	}
	free(s.plen);
}
