/* unit-policy.c: what `kiln elf check` does without Lua: the one-pass byte string search
 * (bytescan) against a naive search, the data-only Lua reader (luadata) on the subset and on
 * what it must leave to Lua, and the policies of lua/elf_policies.lua read as data and run
 * with Lua: every field of every resolved policy equal. */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "elf/bytescan.h"
#include "elf/elf_policy.h"
#include "elf/luadata.h"
#include "unit.h"
#include "util.h"

/* offset of the first occurrence of pat in d, or len */
static size_t
naive(const unsigned char *d, size_t len, const char *pat)
{
	size_t n = strlen(pat), i;

	for (i = 0; n && i + n <= len; i++)
		if (!memcmp(d + i, pat, n))
			return i;
	return len;
}

static uint64_t seed = 42;

static unsigned
rnd(unsigned n)
{
	seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
	return (unsigned)(seed >> 33) % n;
}

/* random buffers with planted patterns; many pattern sets, including ones past the
 * vector filter's limits (more than 2 first or 4 second bytes, one-byte patterns); through
 * the filter named (bytescan_limit) */
static void
test_bytescan_at(const char *name)
{
	static const char *const sets[][6] = {
		{ "/home/", NULL },
		{ "/home/", "/Users/", "/opt/other/", "/tmp/build/src", NULL },
		{ "/a", "/b", "/c", "/d", "/e", NULL },          /* 5 second bytes */
		{ "/x", "ab", "cd", NULL },                       /* 3 first bytes */
		{ "/", "q", NULL },                               /* one-byte patterns */
		{ "zz", "zzz", "z", NULL },
		{ "abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz", NULL },
	};
	size_t si, r, k, first[6], len, np;
	unsigned char *d = xmalloc(70000);
	int same = 1, found = 0;
	char label[96];


	for (si = 0; si < sizeof sets / sizeof sets[0]; si++) {
		for (np = 0; sets[si][np]; np++)
			;
		for (r = 0; r < 60; r++) {
			len = r < 40 ? r : r < 50 ? 60 + rnd(80) : 1000 + rnd(69000);   /* about one 64-byte block, or many */
			for (k = 0; k < len; k++)   /* small alphabets make near misses common */
				d[k] = r % 3 ? (unsigned char)rnd(256) : (unsigned char)"/abcdehmoqxz"[rnd(12)];
			for (k = 0; k < np && len; k++) {
				size_t n = strlen(sets[si][k]), at;
				if (n > len || rnd(3) == 0)
					continue;
				/* planted anywhere, at the very end and in the last 32-byte block too */
				at = rnd(4) == 0 ? len - n : rnd((unsigned)(len - n + 1));
				memcpy(d + at, sets[si][k], n);
			}
			bytescan(d, len, sets[si], np, first);
			for (k = 0; k < np; k++) {
				if (first[k] != naive(d, len, sets[si][k])) {
					if (same)
						printf("# set %zu pattern %zu len %zu: %zu, naive %zu\n", si, k, len,
						       first[k], naive(d, len, sets[si][k]));
					same = 0;
				}
				found += first[k] < len;
			}
		}
	}
	snprintf(label, sizeof label, "bytescan (%s) equals a naive search", name);
	CHECK(label, same);
	snprintf(label, sizeof label, "bytescan (%s): planted patterns were found", name);
	CHECK(label, found > 500);
	{
		const char *p[] = { "" };
		bytescan(d, 100, p, 1, first);
		snprintf(label, sizeof label, "bytescan (%s): an empty pattern never occurs", name);
		CHECK(label, first[0] == 100);
	}
	free(d);
}

/* every filter this build and CPU have: the portable ones always, AVX2 where it runs */
static void
test_bytescan(void)
{
	static const char *const names[] = { "scalar", "16-byte vectors", "AVX2" };
	int top = bytescan_level(), l;
	char label[96];

	printf("# bytescan runs %s here\n", names[top]);
	for (l = BYTESCAN_SCALAR; l <= top; l++) {
		bytescan_limit(l);
		snprintf(label, sizeof label, "bytescan_limit selects the %s filter", names[l]);
		CHECK(label, bytescan_level() == l);
		test_bytescan_at(names[l]);
	}
	bytescan_limit(BYTESCAN_AVX2);
	CHECK("bytescan_limit restores the fastest filter", bytescan_level() == top);
}

/* parse text; -1 when outside the subset */
static int
parse(const char *text, struct ldval *v)
{
	return luadata_parse(text, strlen(text), v);
}

static void
test_luadata(void)
{
	struct ldval v;
	const struct ldval *x;
	static const char *const outside[] = {
		"return { a = nil }", "return { a = 1.5 }", "return { a = 1e3 }", "return { a = [[x]] }",
		"return { [1] = 2 }", "return { a = 1 + 2 }", "return { a = f() }", "return { a = x }",
		"return { a = 'x' .. 'y' }", "return", "local t = {}", "return {} x", "return { a = 1 }} ",
		"return { a = \"\\u{41}\" }", "return { a = \"\\400\" }", "return { a = \"x\ny\" }",
		"return { a = 9223372036854775808 }", "return { a = 0x1p4 }", "--[[ open", "return { a = 1",
		"local function f() end return {}", "return { a = true, b = false, ['c'] = not true }",
		"return { a = -x }", "return { end = 1 }", "return { a = 1 } local b = 2",
	};
	size_t i;
	int all = 1;

	CHECK("luadata: a table of fields", parse("-- comment\nreturn { a = 1, b = 'two', [\"c-d\"] = true, "
	      "e = { 1, 2, 3 }, f = -5, g = 0xFFFFFF0000000000; }", &v) == 0 && v.type == LD_TABLE && v.n == 6);
	CHECK("luadata: integer", (x = luadata_get(&v, "a")) && x->type == LD_INT && x->i == 1);
	CHECK("luadata: string", (x = luadata_get(&v, "b")) && x->type == LD_STR && !strcmp(x->s, "two"));
	CHECK("luadata: bracketed string key", (x = luadata_get(&v, "c-d")) && x->type == LD_BOOL && x->b);
	CHECK("luadata: positional values", (x = luadata_get(&v, "e")) && x->type == LD_TABLE && x->n == 3 &&
	      x->kv[2].key.type == LD_INT && x->kv[2].key.i == 3 && x->kv[2].val.i == 3);
	CHECK("luadata: negative", (x = luadata_get(&v, "f")) && x->i == -5);
	CHECK("luadata: hex wraps to the 64-bit pattern",
	      (x = luadata_get(&v, "g")) && (uint64_t)x->i == 0xFFFFFF0000000000ULL);
	luadata_free(&v);
	CHECK("luadata: locals, escapes, long comments, a later key wins",
	      parse("#!shebang\nlocal p = { \"/home/\", '/U\\x73ers/' } --[==[ long\n]] ]==]\n"
	            "local q = p; return { a = q, s = \"t\\tab\\\n\\65\\z   x\", s = 'last' };", &v) == 0 &&
	      (x = luadata_get(&v, "a")) && x->type == LD_TABLE && x->n == 2 && !strcmp(x->kv[1].val.s, "/Users/") &&
	      (x = luadata_get(&v, "s")) && !strcmp(x->s, "last") && v.n == 2);
	luadata_free(&v);
	CHECK("luadata: escapes", parse("return 'a\\tb\\\nc\\65\\z  d\\x41'", &v) == 0 && v.type == LD_STR &&
	      !strcmp(v.s, "a\tb\ncAdA"));
	luadata_free(&v);
	for (i = 0; i < sizeof outside / sizeof outside[0]; i++) {
		if (parse(outside[i], &v) == 0) {
			printf("# accepted: %s\n", outside[i]);
			all = 0;
			luadata_free(&v);
		}
	}
	CHECK("luadata: everything else is left to Lua", all);
	{
		/* copies of locals that double at each step stop at the value budget */
		struct buf b = { 0 };
		int k;
		buf_puts(&b, "local a0 = { 1 }\n");
		for (k = 1; k < 40; k++)
			buf_printf(&b, "local a%d = { a%d, a%d }\n", k, k - 1, k - 1);
		buf_puts(&b, "return a39\n");
		CHECK("luadata: exponential copies are left to Lua", parse(b.s, &v) < 0);
		buf_free(&b);
	}
}

/* write text to a temporary file; its name (static) */
static const char *
tmpfile_with(const char *text, char *name)
{
	int fd = mkstemp(name);
	size_t n = strlen(text);

	if (fd < 0 || write(fd, text, n) != (ssize_t)n)
		return NULL;
	close(fd);
	return name;
}

/* every field of two resolved policies equal */
static int
same_policy(const struct elf_policy *a, const struct elf_policy *b)
{
	size_t i;

	if (strcmp(a->name, b->name) || strcmp(a->description, b->description) || a->pe != b->pe ||
	    a->type != b->type || a->pie != b->pie || a->static_ != b->static_ ||
	    a->machine != b->machine || a->entry_base != b->entry_base || a->text_base != b->text_base ||
	    a->min_code != b->min_code || a->max_size != b->max_size || a->page_size != b->page_size ||
	    a->inplace_base != b->inplace_base || !a->start_symbol != !b->start_symbol ||
	    (a->start_symbol && strcmp(a->start_symbol, b->start_symbol)) ||
	    a->entry_nonzero != b->entry_nonzero || a->entry_in_exec != b->entry_in_exec ||
	    a->require_text != b->require_text || a->allow_rwx != b->allow_rwx ||
	    a->allow_exec_stack != b->allow_exec_stack || a->allow_textrel != b->allow_textrel ||
	    a->pe_subsystem != b->pe_subsystem || a->nhost_paths != b->nhost_paths ||
	    a->nwaive != b->nwaive || a->set != b->set)
		return 0;
	for (i = 0; i < a->nhost_paths; i++)
		if (strcmp(a->host_paths[i], b->host_paths[i]))
			return 0;
	for (i = 0; i < a->nwaive; i++)
		if (strcmp(a->waive_id[i], b->waive_id[i]) || strcmp(a->waive_reason[i], b->waive_reason[i]))
			return 0;
	return 1;
}

/* the shipped policies and a plugin-style override, read as data and run with Lua (a
 * parenthesised expression at the top is outside the subset and forces the Lua path) */
static void
test_equivalence(void)
{
	const char *src = getenv("SRCDIR");
	static const char extra[] =
		"-- gen/elf-policies.lua\nreturn {\n\t[\"demo-kernel\"] = {\n\t\tdescription = \"d\\\"q\\\"\",\n"
		"\t\tentry_base = {\n\t\t\taarch64 = 0x40080000,\n\t\t\tx86_64 = 0x200000,\n\t\t},\n"
		"\t\tinherits = \"kernel\",\n\t\tmin_code = 0x1000,\n\t\tmax_size = \"4M\",\n"
		"\t\twaive = { [\"rwx-segment\"] = \"the demo maps it so\" },\n\t},\n}\n";
	char *base, *text, *forced, n1[] = "/tmp/unit-policy.XXXXXX", n2[] = "/tmp/unit-policy.XXXXXX";
	char n3[] = "/tmp/unit-policy.XXXXXX";
	const char *arch[] = { "aarch64", "x86_64" };
	size_t len, a;
	int ok = 1, count = 0;
	struct ldval v;

	if (!src) {
		CHECK("policies: SRCDIR is set (run through tests/run)", 0);
		return;
	}
	base = xasprintf("%s/lua/elf_policies.lua", src);
	text = read_file(base, &len);
	CHECK("policies: lua/elf_policies.lua is read as data", text && luadata_parse(text, len, &v) == 0);
	luadata_free(&v);
	forced = xasprintf("local forced = (0)\n%s", text ? text : "");
	if (!tmpfile_with(forced, n1) || !tmpfile_with(extra, n2) ||
	    !tmpfile_with("local forced = (0)\nreturn {\n\t[\"demo-kernel\"] = {\n\t\tdescription = \"d\\\"q\\\"\",\n"
	                  "\t\tentry_base = { aarch64 = 0x40080000, x86_64 = 0x200000 },\n\t\tinherits = \"kernel\",\n"
	                  "\t\tmin_code = 0x1000,\n\t\tmax_size = \"4M\",\n"
	                  "\t\twaive = { [\"rwx-segment\"] = \"the demo maps it so\" },\n\t},\n}\n", n3)) {
		CHECK("policies: temporary files", 0);
		return;
	}
	CHECK("policies: the forced file is outside the subset", luadata_parse(forced, strlen(forced), &v) < 0);
	for (a = 0; a < 2; a++) {
		struct elf_policies d = { 0 }, l = { 0 };
		char *names, *nm, *save = NULL;
		elf_policies_load(&d, base, arch[a]);
		elf_policies_load(&d, n2, arch[a]);
		elf_policies_load(&l, n1, arch[a]);
		elf_policies_load(&l, n3, arch[a]);
		names = elf_policy_names(&d);
		ok &= !strcmp(names, elf_policy_names(&l));
		for (nm = strtok_r(names, ", ", &save); nm; nm = strtok_r(NULL, ", ", &save)) {
			struct elf_policy *x = elf_policy_resolve(&d, nm), *y = elf_policy_resolve(&l, nm);
			if (!same_policy(x, y)) {
				printf("# policy %s (%s) differs between data and Lua\n", nm, arch[a]);
				ok = 0;
			}
			count++;
		}
	}
	CHECK("policies: data and Lua give the same resolved policies", ok && count >= 14);
	unlink(n1);
	unlink(n2);
	unlink(n3);
	free(forced);
	free(text);
	free(base);
}

int
main(void)
{
	argv0 = "unit-policy";
	test_bytescan();
	test_luadata();
	test_equivalence();
	return unit_failed;
}
