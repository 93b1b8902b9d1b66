/* unit-argon2.c: BLAKE2b against RFC 7693 (Appendix A, and the Appendix E self-test over keyed
 * and unkeyed digests of 4 lengths and 6 input sizes), Argon2d, Argon2i and Argon2id version
 * 0x13 against the test vectors of RFC 9106 section 5 (secret and associated data, 4 lanes),
 * the reference implementation's encoded strings, and the shadow field's refusals. */
#include <stdint.h>
#include <stdlib.h>

#include "image/argon2.h"
#include "image/blake2b.h"
#include "image/passwd_hash.h"
#include "unit.h"
#include "util.h"

/* lower-case hex of n bytes, in one of two static buffers (so two can be compared) */
static const char *
hex(const unsigned char *p, size_t n)
{
	static char out[2][2 * 1024 + 1];
	static int which;
	static const char h[] = "0123456789abcdef";
	char *o = out[which ^= 1];
	size_t i;

	for (i = 0; i < n && i < 1024; i++)
		o[2 * i] = h[p[i] >> 4], o[2 * i + 1] = h[p[i] & 15];
	o[2 * i] = 0;
	return o;
}

/* RFC 7693 Appendix E: a deterministic byte sequence (Fibonacci generator) */
static void
selftest_seq(unsigned char *out, size_t len, uint32_t seed)
{
	uint32_t t, a = 0xDEAD4BAD * seed, b = 1;
	size_t i;

	for (i = 0; i < len; i++) {
		t = a + b;
		a = b;
		b = t;
		out[i] = (unsigned char)(t >> 24);
	}
}

static void
test_blake2b(void)
{
	static const size_t md_len[4] = { 20, 32, 48, 64 };
	static const size_t in_len[6] = { 0, 3, 128, 129, 255, 1024 };
	unsigned char in[1024], md[64], key[64], grand[32];
	struct blake2b s, t;
	size_t i, j;

	blake2b(md, 64, NULL, 0, "abc", 3);
	CHECK_STR("blake2b-512 abc (RFC 7693 Appendix A)",
	          "ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d1"
	          "7d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923", hex(md, 64));
	blake2b(md, 64, NULL, 0, "", 0);
	CHECK_STR("blake2b-512 of nothing",
	          "786a02f742015903c6c6fd852552d272912f4740e15847618a86e217f71f5419"
	          "d25e1031afee585313896444934eb04b903a685b1448b755d56f701afe9be2ce", hex(md, 64));

	/* Appendix E: the grand hash of 48 digests, unkeyed and keyed */
	blake2b_init(&s, 32, NULL, 0);
	for (i = 0; i < 4; i++) {
		for (j = 0; j < 6; j++) {
			selftest_seq(in, in_len[j], (uint32_t)in_len[j]);
			blake2b(md, md_len[i], NULL, 0, in, in_len[j]);
			blake2b_update(&s, md, md_len[i]);
			selftest_seq(key, md_len[i], (uint32_t)md_len[i]);
			blake2b(md, md_len[i], key, md_len[i], in, in_len[j]);
			blake2b_update(&s, md, md_len[i]);
		}
	}
	blake2b_final(&s, grand);
	CHECK_STR("blake2b RFC 7693 Appendix E self-test grand hash",
	          "c23a7800d98123bd10f506c61e29da5603d763b8bbad2e737f5e765a7bccd475", hex(grand, 32));

	/* the same digest fed one byte at a time crosses every block boundary */
	selftest_seq(in, 1024, 7);
	blake2b(md, 64, "k", 1, in, 1024);
	blake2b_init(&t, 64, "k", 1);
	for (i = 0; i < 1024; i++)
		blake2b_update(&t, in + i, 1);
	blake2b_final(&t, key);
	CHECK("blake2b bytewise update equals one-shot", !memcmp(md, key, 64));

	CHECK("blake2b refuses a 65-byte digest", blake2b_init(&s, 65, NULL, 0) == -1);
	CHECK("blake2b refuses a 0-byte digest", blake2b_init(&s, 0, NULL, 0) == -1);
	CHECK("blake2b refuses a 65-byte key", blake2b_init(&s, 32, in, 65) == -1);
}

/* one RFC 9106 section 5 vector: m=32, t=3, p=4, P=32*01, S=16*02, K=8*03, X=12*04, T=32 */
static void
rfc9106(const char *name, enum argon2_type type, const char *h0, const char *tag)
{
	unsigned char pwd[32], salt[16], secret[8], ad[12], got[64], t[32];
	struct argon2_params a = { 0 };
	char what[96];

	memset(pwd, 1, sizeof pwd);
	memset(salt, 2, sizeof salt);
	memset(secret, 3, sizeof secret);
	memset(ad, 4, sizeof ad);
	a.type = type;
	a.m = 32, a.t = 3, a.p = 4, a.taglen = 32;
	a.pwd = pwd, a.pwdlen = sizeof pwd;
	a.salt = salt, a.saltlen = sizeof salt;
	a.secret = secret, a.secretlen = sizeof secret;
	a.ad = ad, a.adlen = sizeof ad;
	argon2_prehash(&a, got);
	snprintf(what, sizeof what, "%s pre-hashing digest H0 (RFC 9106 section 5)", name);
	CHECK_STR(what, h0, hex(got, 64));
	snprintf(what, sizeof what, "%s hashes", name);
	CHECK(what, argon2_hash(&a, t) == NULL);
	snprintf(what, sizeof what, "%s tag (RFC 9106 section 5)", name);
	CHECK_STR(what, tag, hex(t, 32));
}

/* hash "password" with salt "somesalt" as the reference implementation's tests do */
static const char *
encoded(enum argon2_type type, uint32_t t, uint32_t m, uint32_t p, const char *pwd)
{
	static struct buf b;
	struct argon2_params a = { 0 };
	unsigned char tag[32];

	a.type = type, a.t = t, a.m = m, a.p = p, a.taglen = 32;
	a.pwd = pwd, a.pwdlen = strlen(pwd);
	a.salt = "somesalt", a.saltlen = 8;
	if (argon2_hash(&a, tag))
		return NULL;
	b.len = 0;
	argon2_encode(&b, &a, tag);
	return b.s;
}

static void
test_argon2(void)
{
	struct argon2_params a = { 0 };
	unsigned char tag[200];

	rfc9106("argon2d", ARGON2_D,
	        "b8819791a0359660bb7709c85fa48f04d5d82c05c5f215ccdb885491717cf757"
	        "082c28b951be381410b5fc2eb7274033b9fdc7ae672bcaac5d179097a4af3109",
	        "512b391b6f1162975371d30919734294f868e3be3984f3c1a13a4db9fabe4acb");
	rfc9106("argon2i", ARGON2_I,
	        "c46065815276a0b3e731731c902f1fd80cf776907fbb7b6a5ca72e7b56011fee"
	        "ca446c86dd75b9469a5e6879dec4b72d0863fb939b982e5f397cc7d164fddaa9",
	        "c814d9d1dc7f37aa13f0d77f2494bda1c8de6b016dd388d29952a4c4672b6ce8");
	rfc9106("argon2id", ARGON2_ID,
	        "2889de487eb42ae500c0007ed9252f1069eadec40d5765b485de6dc2437a67b8"
	        "546a2f0acc1a0882db8fcf74714b472e94df421a5da1112ffa11434370a1e997",
	        "0d640df58d78766c08c037a34a8b53c9d01ef0452d75b65eb52520e96b01e659");

	/* the reference implementation's own tests (src/test.c): one lane, no secret */
	CHECK_STR("argon2i t=2 m=2^16 encoded",
	          "$argon2i$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$wWKIMhR9lyDFvRz9YTZweHKfbftvj+qf+YFY4NeBbtA",
	          encoded(ARGON2_I, 2, 1 << 16, 1, "password"));
	CHECK_STR("argon2i t=2 m=2^8 p=2 encoded",
	          "$argon2i$v=19$m=256,t=2,p=2$c29tZXNhbHQ$T/XOJ2mh1/TIpJHfCdQan76Q5esCFVoT5MAeIM1Oq2E",
	          encoded(ARGON2_I, 2, 1 << 8, 2, "password"));
	CHECK_STR("argon2id t=2 m=2^16 encoded",
	          "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
	          encoded(ARGON2_ID, 2, 1 << 16, 1, "password"));
	CHECK_STR("argon2id t=4 m=2^16 encoded",
	          "$argon2id$v=19$m=65536,t=4,p=1$c29tZXNhbHQ$kCXUjmjvc5XMqQedpMTsOv+zyJEf5PhtGiUghW9jFyw",
	          encoded(ARGON2_ID, 4, 1 << 16, 1, "password"));

	/* expected values below are the output of the reference implementation's argon2 command
	 * (printf pw | argon2 saltsalt -id -t 1 -k M -p P -l T -r) */
	a.type = ARGON2_ID, a.t = 1, a.taglen = 32;
	a.pwd = "pw", a.pwdlen = 2, a.salt = "saltsalt", a.saltlen = 8;
	/* memory that is not a multiple of 4p blocks is rounded down (35 -> 24 blocks for 3
	 * lanes), but the m asked for enters H0 */
	a.m = 35, a.p = 3;
	CHECK("argon2id m=35 p=3 hashes", argon2_hash(&a, tag) == NULL);
	CHECK_STR("argon2id m=35 p=3 (blocks rounded down to 24)",
	          "8444d6de78cae2874afa8e8dda0e359abc9399821ba24cca09205e54519588db", hex(tag, 32));
	a.m = 24;
	argon2_hash(&a, tag);
	CHECK_STR("argon2id m=24 p=3", "4c22509779433b89a0cfeaab0a81038fd0b2dba072e214e766c5e494188334cc",
	          hex(tag, 32));
	/* tags longer than 64 bytes are H' chains of BLAKE2b-512 */
	a.m = 32, a.p = 1, a.taglen = 65;
	argon2_hash(&a, tag);
	CHECK_STR("argon2id 65-byte tag",
	          "7c127c8579d2d541dd650db46807d165b2eb0bd5a13dede70308316dbba3289c"
	          "58888334917c6c120e6a99053fdce261952e79dac9bab819a6e7d39061a6dc746d", hex(tag, 65));
	a.taglen = 200;
	argon2_hash(&a, tag);
	CHECK_STR("argon2id 200-byte tag",
	          "0d7c23f0529382907ee3eeb445ad0f29061097825433cc2fa2fceb7a33b26347"
	          "f2ff92d4dd6c655f213034bcfe4c7f96d81629d6907abdb8f59a4e91c3b80b4d"
	          "db3f96f2cea4cfec1b7d3420ed34d163f6c0d33ef64ea252b06455fa48fa2d1d"
	          "c83700c4509e6bdee4762ba6ee8f5423a33ecd2f0e3bb72611bb1caf77bfeb2c"
	          "b28c30938ac118bcefff439b609061eb2a98fe471f26f76fbc0a458b540c41f1"
	          "9082e9cd124fbc211b70bf3183f024f4b7597255f967119005227df32401cd67"
	          "c5e5f4da68fbec2b", hex(tag, 200));
	/* Argon2d with two lanes and two passes: cross-lane references in every slice */
	a.type = ARGON2_D, a.t = 2, a.m = 64, a.p = 2, a.taglen = 32;
	argon2_hash(&a, tag);
	{
		struct buf b = { 0 };

		argon2_encode(&b, &a, tag);
		CHECK_STR("argon2d m=64 t=2 p=2 encoded",
		          "$argon2d$v=19$m=64,t=2,p=2$c2FsdHNhbHQ$VEdSOi4+iHJnVlHhJQHApyIT2logqVd+UKbIZvKtzt0", b.s);
		buf_free(&b);
	}

	a.taglen = 32;
	a.saltlen = 7;
	CHECK_STR("argon2 refuses a 7-byte salt", "the salt is shorter than 8 bytes", argon2_hash(&a, tag));
	a.saltlen = 8, a.m = 7;
	CHECK_STR("argon2 refuses m < 8p", "the memory is less than 8 KiB per lane", argon2_hash(&a, tag));
	a.m = 8, a.t = 0;
	CHECK_STR("argon2 refuses t = 0", "the number of passes is 0", argon2_hash(&a, tag));
	a.t = 1, a.p = 0;
	CHECK_STR("argon2 refuses p = 0", "the parallelism is not between 1 and 2^24-1", argon2_hash(&a, tag));
}

static void
test_base64(void)
{
	static const char *const want[] = { "", "Zg", "Zm8", "Zm9v", "Zm9vYg", "Zm9vYmE", "Zm9vYmFy" };
	struct buf b = { 0 };
	char what[64];
	size_t i;

	for (i = 0; i < 7; i++) { /* RFC 4648 section 10, without the padding */
		b.len = 0;
		buf_puts(&b, "");
		base64_nopad(&b, "foobar", i);
		snprintf(what, sizeof what, "base64 of \"%.*s\" without padding", (int)i, "foobar");
		CHECK_STR(what, want[i], b.s);
	}
	b.len = 0;
	base64_nopad(&b, "\xfb\xff\xfe", 3);
	CHECK_STR("base64 uses + and /", "+//+", b.s);
	buf_free(&b);
}

static void
test_shadow(void)
{
	struct buf b = { 0 };
	char big[PASSWD_MAX + 1];

	memset(big, 'a', sizeof big);
	buf_puts(&b, "");
	CHECK("shadow: empty password gives an empty field",
	      passwd_hash(&b, "", 0, "0123456789ABCDEF", 16, PASSWD_DEFAULT) == NULL && b.len == 0);
	CHECK_STR("shadow: a 7-byte salt is refused", "the salt is shorter than 8 bytes (rust-argon2 refuses it)",
	          passwd_hash(&b, "pw", 2, "0123456", 7, PASSWD_DEFAULT));
	CHECK_STR("shadow: a 65-byte salt is refused", "the salt is longer than 64 bytes",
	          passwd_hash(&b, "pw", 2, big, 65, PASSWD_DEFAULT));
	CHECK_STR("shadow: a 4097-byte password is refused", "the password is longer than 4096 bytes",
	          passwd_hash(&b, big, sizeof big, "saltsalt", 8, PASSWD_DEFAULT));
	CHECK("shadow: invalid UTF-8 is refused",
	      passwd_hash(&b, "a\xc3(", 3, "saltsalt", 8, PASSWD_DEFAULT) != NULL);
	CHECK("shadow: an overlong NUL is refused",
	      passwd_hash(&b, "\xc0\x80", 2, "saltsalt", 8, PASSWD_DEFAULT) != NULL);
	CHECK("shadow: a UTF-16 surrogate is refused",
	      passwd_hash(&b, "\xed\xa0\x80", 3, "saltsalt", 8, PASSWD_DEFAULT) != NULL);
	CHECK("shadow: nothing was appended by the refusals", b.len == 0);
	CHECK("shadow: UTF-8 and NUL are accepted",
	      passwd_hash(&b, "\xc3\xa9\0\xf0\x9f\x94\x91", 7, "saltsalt", 8, PASSWD_ORIGINAL) == NULL);
	CHECK("shadow: original is Argon2i m=4096 t=3 p=1", !strncmp(b.s, "$argon2i$v=19$m=4096,t=3,p=1$c2FsdHNhbHQ$", 40));
	b.len = 0;
	CHECK("shadow: the default config hashes", passwd_hash(&b, "pw", 2, "saltsalt", 8, PASSWD_DEFAULT) == NULL);
	CHECK("shadow: default is Argon2id m=19456 t=2 p=1", !strncmp(b.s, "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$", 42));
	buf_free(&b);
}

int
main(void)
{
	argv0 = "unit-argon2";
	test_blake2b();
	test_argon2();
	test_base64();
	test_shadow();
	return unit_failed;
}
