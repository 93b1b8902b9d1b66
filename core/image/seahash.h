/* seahash.h: seahash 4.1 hash(), the only checksum of RedoxFS (formats.md section 2.2). */
#ifndef KILN_SEAHASH_H
#define KILN_SEAHASH_H

#include <stddef.h>
#include <stdint.h>

/* incremental state: feed bytes with seahash_update, finish with seahash_final */
struct seahash {
	uint64_t v[4];      /* a, b, c, d */
	unsigned char tail[8]; /* bytes of an incomplete 8-byte word */
	size_t ntail;       /* bytes in tail */
	uint64_t len;       /* total bytes fed */
};

/* start a hash */
void seahash_init(struct seahash *h);
/* feed n bytes */
void seahash_update(struct seahash *h, const void *p, size_t n);
/* feed n zero bytes (padding of a stored block) without a buffer */
void seahash_zeros(struct seahash *h, uint64_t n);
/* the hash of everything fed so far */
uint64_t seahash_final(const struct seahash *h);
/* seahash of one buffer */
uint64_t seahash(const void *p, size_t n);

#endif
