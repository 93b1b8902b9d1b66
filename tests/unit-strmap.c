/* tests/unit-strmap.c: the string-keyed hash table of core/util.h (graph nodes, manifest
 * entries, the Lua host's sets of names) */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "util.h"

static void
test_hash(void)
{
	/* the published FNV-1a 64 vectors (their low bits where size_t is narrower) */
	CHECK("hash of \"\"", strmap_hash("", 0) == (size_t)UINT64_C(0xcbf29ce484222325));
	CHECK("hash of a", strmap_hash("a", 1) == (size_t)UINT64_C(0xaf63dc4c8601ec8c));
	CHECK("hash of foobar", strmap_hash("foobar", 6) == (size_t)UINT64_C(0x85944171f73967e8));
	CHECK("hash reads len bytes, not up to a NUL", strmap_hash("foobarbaz", 6) == strmap_hash("foobar", 6));
}

static void
test_basic(void)
{
	struct strmap m = {0};
	int one, two, three;
	size_t cap;

	CHECK("empty table finds nothing", strmap_get(&m, "a", 1) == NULL && m.n == 0);
	CHECK("insert returns NULL", strmap_put(&m, "alpha", 5, &one) == NULL);
	CHECK("insert counts", m.n == 1);
	CHECK("lookup finds the value", strmap_get(&m, "alpha", 5) == &one);
	CHECK("another key is absent", strmap_get(&m, "beta", 4) == NULL);
	CHECK("a longer key is absent", strmap_get(&m, "alphas", 6) == NULL);
	CHECK("a shorter key is absent", strmap_get(&m, "alph", 4) == NULL);
	cap = m.cap;
	CHECK("duplicate insert returns the stored value",
	      strmap_put(&m, "alpha", 5, &two) == &one);
	CHECK("duplicate insert keeps the first value", strmap_get(&m, "alpha", 5) == &one);
	CHECK("duplicate insert changes neither count nor size", m.n == 1 && m.cap == cap);
	{
		char copy[] = "alpha";

		CHECK("keys compare by content, not pointer", strmap_get(&m, copy, 5) == &one);
	}
	CHECK("empty key", strmap_put(&m, "", 0, &three) == NULL && strmap_get(&m, "", 0) == &three);
	CHECK("empty key differs from others", strmap_get(&m, "alpha", 0) == &three &&
	      strmap_get(&m, "alpha", 5) == &one);
	strmap_free(&m);
	CHECK("free empties the table", m.n == 0 && m.cap == 0 && m.slot == NULL &&
	      strmap_get(&m, "alpha", 5) == NULL);
	CHECK("a freed table is usable again", strmap_put(&m, "alpha", 5, &two) == NULL &&
	      strmap_get(&m, "alpha", 5) == &two);
	strmap_free(&m);
}

/* keys are (pointer, length): prefixes of one string are distinct keys, found without a copy,
 * and a key may contain NUL bytes */
static void
test_prefixes(void)
{
	static const char path[] = "/usr/lib/x/libc.a";
	struct strmap m = {0};
	int usr, lib, x, file, nul1, nul2;

	strmap_put(&m, path, 4, &usr);   /* "/usr" */
	strmap_put(&m, path, 8, &lib);   /* "/usr/lib" */
	strmap_put(&m, path, 10, &x);    /* "/usr/lib/x" */
	strmap_put(&m, path, strlen(path), &file);
	CHECK("four prefixes, four entries", m.n == 4);
	CHECK("prefix /usr", strmap_get(&m, "/usr", 4) == &usr);
	CHECK("prefix /usr/lib", strmap_get(&m, "/usr/lib", 8) == &lib);
	CHECK("prefix /usr/lib/x", strmap_get(&m, "/usr/lib/x", 10) == &x);
	CHECK("whole path", strmap_get(&m, "/usr/lib/x/libc.a", 17) == &file);
	CHECK("prefix of a lookup string", strmap_get(&m, "/usr/lib/y/z", 8) == &lib);
	CHECK("a prefix not inserted is absent", strmap_get(&m, path, 6) == NULL &&
	      strmap_get(&m, path, 9) == NULL);
	CHECK("key with a NUL byte", strmap_put(&m, "a\0b", 3, &nul1) == NULL &&
	      strmap_put(&m, "a\0c", 3, &nul2) == NULL);
	CHECK("NUL bytes are compared", strmap_get(&m, "a\0b", 3) == &nul1 &&
	      strmap_get(&m, "a\0c", 3) == &nul2 && strmap_get(&m, "a", 1) == NULL);
	strmap_free(&m);
}

/* growth keeps every entry, the table stays at most half full, and entries do not pile up in
 * long runs of occupied slots (a degenerate hash or probe would make lookups linear) */
/* the longest run of occupied slots, wrapping around the end of the table: what linear probing
 * walks at worst */
static size_t
longest_run(const struct strmap *m)
{
	size_t i, run = 0, longest = 0;

	for (i = 0; i < 2 * m->cap; i++) {
		if (m->slot[i & (m->cap - 1)].key) {
			if (++run > longest)
				longest = run;
		} else {
			run = 0;
		}
	}
	return longest;
}

static void
test_grow(void)
{
	enum { N = 100000 };
	struct strmap m = {0};
	char **keys = xcalloc(N, sizeof *keys);
	size_t i, longest, bad = 0, caps = 0, lastcap = 0;

	for (i = 0; i < N; i++) {
		/* paths of one length, differing in a few characters: the shape of build outputs */
		keys[i] = xasprintf("out/c%06zu.txt", i);
		if (strmap_put(&m, keys[i], strlen(keys[i]), keys[i]) != NULL)
			bad++;
		if (m.cap != lastcap)
			caps++, lastcap = m.cap;
	}
	CHECK("every insert of a new key returns NULL", bad == 0);
	CHECK("count after growth", m.n == N);
	CHECK("capacity is a power of two", m.cap && (m.cap & (m.cap - 1)) == 0);
	CHECK("table at most half full", m.n * 2 <= m.cap);
	CHECK("the table grew several times", caps > 5);
	for (i = 0, bad = 0; i < N; i++)
		if (strmap_get(&m, keys[i], strlen(keys[i])) != keys[i])
			bad++;
	CHECK("every key found after growth", bad == 0);
	for (i = 0, bad = 0; i < N; i++) {
		char k[32];

		snprintf(k, sizeof k, "out/d%06zu.txt", i);
		if (strmap_get(&m, k, strlen(k)))
			bad++;
	}
	CHECK("absent keys are not found", bad == 0);
	for (i = 0, bad = 0; i < N; i += 7)
		if (strmap_put(&m, keys[i], strlen(keys[i]), &bad) != keys[i])
			bad++;
	CHECK("duplicate inserts after growth return the stored values", bad == 0 && m.n == N);
	longest = longest_run(&m);
	printf("# longest run of occupied slots: %zu of %zu slots\n", longest, m.cap);
	CHECK("no long runs of occupied slots", longest < 100);
	for (i = 0; i < N; i++)
		free(keys[i]);
	free(keys);
	strmap_free(&m);
}

/* the high bits of every byte decide the slot too, even in a small table: FNV-1a's low bits
 * depend only on the low bits of each byte, so without folding the high half of the hash in,
 * keys that differ only in bits 6 and 7 of their bytes would all start at one slot of a
 * 64-slot table */
static void
test_high_bits(void)
{
	enum { N = 24 };
	struct strmap m = {0};
	unsigned char keys[N][3];
	size_t i, longest, bad = 0;

	for (i = 0; i < N; i++) {
		keys[i][0] = (unsigned char)(0x21 | (i & 3) << 6);
		keys[i][1] = (unsigned char)(0x21 | (i >> 2 & 3) << 6);
		keys[i][2] = (unsigned char)(0x21 | (i >> 4 & 3) << 6);
		strmap_put(&m, (const char *)keys[i], 3, keys[i]);
	}
	for (i = 0; i < N; i++)
		if (strmap_get(&m, (const char *)keys[i], 3) != keys[i])
			bad++;
	CHECK("keys differing in high bits all found", bad == 0 && m.n == N);
	longest = longest_run(&m);
	printf("# longest run of occupied slots (high bits): %zu of %zu slots\n", longest, m.cap);
	CHECK("keys differing in high bits spread over a small table", m.cap == 64 && longest <= 8);
	strmap_free(&m);
}

int
main(void)
{
	test_hash();
	test_basic();
	test_prefixes();
	test_grow();
	test_high_bits();
	return unit_failed;
}
