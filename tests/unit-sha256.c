/* unit-sha256.c: SHA-256 against the FIPS 180-4 / NIST example vectors. */
#include <stdlib.h>

#include "image/sha256.h"
#include "unit.h"

static const char *
hex(const void *p, size_t n, int split)
{
	static char out[65];
	static const char h[] = "0123456789abcdef";
	unsigned char d[32];
	struct sha256 s;
	size_t i;

	if (split) { /* feed byte by byte to exercise the partial-block path */
		sha256_init(&s);
		for (i = 0; i < n; i++)
			sha256_update(&s, (const char *)p + i, 1);
		sha256_final(&s, d);
	} else {
		sha256(p, n, d);
	}
	for (i = 0; i < 32; i++)
		out[2 * i] = h[d[i] >> 4], out[2 * i + 1] = h[d[i] & 15];
	out[64] = 0;
	return out;
}

int
main(void)
{
	static const char l2[] = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	static const char l4[] = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";
	char *mil = malloc(1000000);

	CHECK_STR("sha256 empty", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", hex("", 0, 0));
	CHECK_STR("sha256 abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", hex("abc", 3, 0));
	CHECK_STR("sha256 448-bit message", "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1", hex(l2, sizeof l2 - 1, 0));
	CHECK_STR("sha256 448-bit message, bytewise", "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1", hex(l2, sizeof l2 - 1, 1));
	CHECK_STR("sha256 896-bit message", "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1", hex(l4, sizeof l4 - 1, 0));
	memset(mil, 'a', 1000000);
	CHECK_STR("sha256 one million 'a'", "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0", hex(mil, 1000000, 0));
	free(mil);
	return unit_failed;
}
