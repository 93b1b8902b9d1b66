/* blake2b.h: BLAKE2b (RFC 7693), the hash inside Argon2, with a key and any digest length from
 * 1 to 64 bytes. */
#ifndef KILN_BLAKE2B_H
#define KILN_BLAKE2B_H

#include <stddef.h>
#include <stdint.h>

/* largest digest and key, in bytes */
#define BLAKE2B_OUTMAX 64
#define BLAKE2B_KEYMAX 64

/* running state of one hash */
struct blake2b {
	uint64_t h[8];           /* chaining value */
	uint64_t t[2];           /* bytes compressed so far, a 128-bit counter (low word first) */
	unsigned char b[128];    /* block not compressed yet: the last one must be flagged final */
	size_t n;                /* bytes in b */
	size_t outlen;           /* digest length chosen at init */
};

/* start a hash with a digest of outlen bytes (1..64) and an optional key (keylen 0..64; key may
 * be NULL when keylen is 0); returns 0, or -1 when a length is out of range */
int blake2b_init(struct blake2b *s, size_t outlen, const void *key, size_t keylen);
/* hash n more bytes */
void blake2b_update(struct blake2b *s, const void *p, size_t n);
/* finish and write the outlen-byte digest; the state is wiped */
void blake2b_final(struct blake2b *s, unsigned char *out);
/* digest of one buffer; returns 0, or -1 when a length is out of range */
int blake2b(unsigned char *out, size_t outlen, const void *key, size_t keylen, const void *in,
            size_t inlen);

#endif
