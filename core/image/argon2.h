/* argon2.h: the Argon2 password hash (RFC 9106, version 0x13) and its PHC string encoding
 * ($argon2id$v=19$m=...,t=...,p=...$SALT$HASH), which Redox's /etc/shadow holds and
 * redox_users checks with rust-argon2's verify_encoded. Lanes are computed one after the
 * other; the memory is exactly m' = 4p*floor(m/4p) blocks of 1 KiB, allocated once per hash,
 * wiped and freed before it returns. */
#ifndef KILN_ARGON2_H
#define KILN_ARGON2_H

#include <stddef.h>
#include <stdint.h>

struct buf;

/* the version this implementation computes (0x13 = 19, the "v=19" of the encoding) */
#define ARGON2_VERSION 0x13

/* the three variants; the values are RFC 9106's type numbers y, hashed into H0 */
enum argon2_type {
	ARGON2_D = 0,   /* data-dependent addressing */
	ARGON2_I = 1,   /* data-independent addressing */
	ARGON2_ID = 2,  /* independent in the first half of the first pass, dependent after */
};

/* everything that decides a tag */
struct argon2_params {
	enum argon2_type type;  /* variant */
	uint32_t t;             /* passes over memory, >= 1 */
	uint32_t m;             /* memory in KiB, >= 8p; rounded down to a multiple of 4p blocks */
	uint32_t p;             /* lanes (parallelism), 1 .. 2^24-1 */
	uint32_t taglen;        /* tag bytes, >= 4 */
	const void *pwd;        /* password P (any bytes, NUL included) */
	size_t pwdlen;          /* its length, < 2^32 */
	const void *salt;       /* salt S */
	size_t saltlen;         /* its length, 8 .. 2^32-1 */
	const void *secret;     /* secret K, or NULL when secretlen is 0 */
	size_t secretlen;       /* its length, < 2^32 */
	const void *ad;         /* associated data X, or NULL when adlen is 0 */
	size_t adlen;           /* its length, < 2^32 */
};

/* NULL when the parameters are within RFC 9106's limits, else what is wrong, as a phrase such
 * as "the salt is shorter than 8 bytes" */
const char *argon2_check(const struct argon2_params *a);
/* the 64-byte pre-hashing digest H0 of valid parameters (RFC 9106 section 3.2, step 1) */
void argon2_prehash(const struct argon2_params *a, unsigned char h0[64]);
/* compute the taglen-byte tag; returns NULL, or what went wrong (argon2_check's phrase, or
 * that the memory could not be allocated) with tag untouched */
const char *argon2_hash(const struct argon2_params *a, unsigned char *tag);
/* append the PHC string of a tag: "$argon2<d|i|id>$v=19$m=M,t=T,p=P$<salt>$<tag>" with salt
 * and tag in standard base64 without padding, exactly as rust-argon2's hash_encoded writes it */
void argon2_encode(struct buf *out, const struct argon2_params *a, const unsigned char *tag);
/* append standard base64 (RFC 4648 section 4 alphabet) of n bytes, without '=' padding */
void base64_nopad(struct buf *out, const void *p, size_t n);

#endif
