/* sha256.h: SHA-256 (FIPS 180-4), used to derive stable GUIDs from names. */
#ifndef KILN_SHA256_H
#define KILN_SHA256_H

#include <stddef.h>
#include <stdint.h>

/* running state of one hash */
struct sha256 {
	uint32_t h[8];          /* chaining value */
	uint64_t len;           /* bytes hashed so far */
	unsigned char blk[64];  /* partial block */
	size_t n;               /* bytes in blk */
};

/* start a hash */
void sha256_init(struct sha256 *s);
/* hash n more bytes */
void sha256_update(struct sha256 *s, const void *p, size_t n);
/* pad, and write the 32-byte digest */
void sha256_final(struct sha256 *s, unsigned char out[32]);
/* digest of one buffer */
void sha256(const void *p, size_t n, unsigned char out[32]);

#endif
