/* bytescan.c: one-pass search for several byte strings (see bytescan.h).
 *
 * A position can start an occurrence only when its byte is one of the patterns' first bytes
 * and the byte after it one of their second bytes. With at most 2 first and 4 second bytes
 * (host paths all start with '/') both tests run on 32 positions at a time with GCC/Clang
 * vectors (SSE2 on x86-64, NEON on aarch64), so in binary data about one position in
 * 65536 / (first bytes x second bytes) reaches the exact comparison; otherwise the same
 * filter runs byte by byte, and with more than MAXSET distinct leading bytes each pattern is
 * found with memchr on its first byte. */
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
typedef unsigned char v16 __attribute__((vector_size(16)));
typedef unsigned long long v2x64 __attribute__((vector_size(16)));

/* the positions of s filtered 32 at a time against up to F1 first bytes and F2 second bytes
 * (unused lanes repeat the first byte, so the comparisons are fixed and stay in registers);
 * returns where the scalar tail starts */
static size_t
vector_scan(struct scan *s)
{
	v16 a1, a2, b1, b2, m1, m2, x0, x1, y0, y1, y2, y3;
	unsigned char c[6], mb[32];
	size_t i, len = s->len;
	const unsigned char *d = s->d;
	v2x64 w1, w2;
	int j;

	for (j = 0; j < 2; j++)
		c[j] = s->s1.c[j < s->s1.n ? j : 0];
	memset(&x0, c[0], 16), memset(&x1, c[1], 16);
	for (j = 0; j < 4; j++)
		c[2 + j] = s->any2 ? 0 : s->s2.c[j < s->s2.n ? j : 0];
	memset(&y0, c[2], 16), memset(&y1, c[3], 16), memset(&y2, c[4], 16), memset(&y3, c[5], 16);
	for (i = 0; i + 33 <= len; i += 32) {
		memcpy(&a1, d + i, 16);
		memcpy(&a2, d + i + 16, 16);
		m1 = (v16)(a1 == x0) | (v16)(a1 == x1);
		m2 = (v16)(a2 == x0) | (v16)(a2 == x1);
		if (!s->any2) {
			memcpy(&b1, d + i + 1, 16);
			memcpy(&b2, d + i + 17, 16);
			m1 &= (v16)(b1 == y0) | (v16)(b1 == y1) | (v16)(b1 == y2) | (v16)(b1 == y3);
			m2 &= (v16)(b2 == y0) | (v16)(b2 == y1) | (v16)(b2 == y2) | (v16)(b2 == y3);
		}
		memcpy(&w1, &m1, 16);
		memcpy(&w2, &m2, 16);
		if (!(w1[0] | w1[1] | w2[0] | w2[1]))
			continue;
		memcpy(mb, &m1, 16);
		memcpy(mb + 16, &m2, 16);
		for (j = 0; j < 32; j++)
			if (mb[j])
				try_at(s, i + (size_t)j);
		if (!s->missing)
			return len;
	}
	return i;
}
#define HAVE_VECTORS 1
#else
#define HAVE_VECTORS 0
#endif

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
#if HAVE_VECTORS
		if (s.s1.n <= 2 && s.s2.n <= 4) {
			scalar_from(&s, vector_scan(&s));
			free(s.plen);
			return;
		}
#endif
		scalar_from(&s, 0);
	}
	free(s.plen);
}
