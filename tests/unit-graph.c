/* tests/unit-graph.c: the graph model, its validation and the Ninja writer */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gen/graph.h"
#include "gen/ninja.h"
#include "unit.h"
#include "util.h"

static void
test_normalize(void)
{
	static const char *cases[][2] = {
		{ "a/b/../c", "a/c" }, { "./a//b/", "a/b" }, { "/x/./y/../../z", "/z" },
		{ "../a", "../a" }, { "a/../..", ".." }, { ".", "." }, { "/..", "/" }, { "a/./", "a" },
	};
	char name[64];
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *n = path_normalize(cases[i][0]);

		snprintf(name, sizeof name, "normalize %s", cases[i][0]);
		CHECK_STR(name, cases[i][1], n);
		free(n);
	}
}

static void
test_escape(void)
{
	struct buf b = {0};

	ninja_escape_path(&b, "dir with space/a:b$c");
	CHECK_STR("escape path: space, colon, dollar", "dir$ with$ space/a$:b$$c", b.s);
	b.len = 0;
	ninja_escape_value(&b, "echo $HOME x");
	CHECK_STR("escape value: dollar only", "echo $$HOME x", b.s);
	b.len = 0;
	depfile_escape(&b, "a b#c$d");
	CHECK_STR("escape depfile", "a\\ b\\#c$$d", b.s);
	CHECK("newline is not representable", !ninja_representable("a\nb"));
	CHECK("plain path is representable", ninja_representable("a b:c$"));
	buf_free(&b);
}

/* what may be written as a path or a variable value */
static void
test_unwritable(void)
{
	static const struct { const char *s; size_t len; int value, ok; const char *name; } cases[] = {
		{ "-O2", 3, 1, 1, "a plain value" },
		{ "$in -o $out ${cc}", 17, 1, 1, "variables, braced variables" },
		{ "a$$b$ c$:d", 10, 1, 1, "the escapes $$, '$ ' and $:" },
		{ "-O2\nrule pwn", 12, 1, 0, "a newline in a value" },
		{ "a\rb", 3, 1, 0, "a carriage return in a value" },
		{ "a$", 2, 1, 0, "a '$' at the end of a value (it would join the next line)" },
		{ "a$$$", 4, 1, 0, "an odd '$' at the end of a value" },
		{ "a$!", 3, 1, 0, "'$!' is not an escape" },
		{ "${}", 3, 1, 0, "an empty ${}" },
		{ "${x", 3, 1, 0, "an unclosed ${" },
		{ "a\0b", 3, 1, 0, "a NUL in a value" },
		{ "dir/a$", 6, 0, 1, "a path may end in '$' (paths are escaped)" },
		{ "a\nb", 3, 0, 0, "a newline in a path" },
		{ "a\0b", 3, 0, 0, "a NUL in a path" },
	};
	char name[128];
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const char *why = ninja_unwritable(cases[i].s, cases[i].len, cases[i].value);

		snprintf(name, sizeof name, "unwritable: %s", cases[i].name);
		CHECK(name, cases[i].ok ? why == NULL : why != NULL);
	}
}

/* comments take origins and owners, which may hold a newline: it must not end the line */
static void
test_comment(void)
{
	struct graph *g = graph_new();
	struct rule *r = graph_rule(g, "cp", "rules/x.lua\nbuild evil: phony");
	struct edge *e = graph_edge(g, r, "p.lua:1\ndefault evil", "own\ner");
	struct buf b = {0};

	var_add(&r->vars, &r->nvars, "command", "cp $in $out");
	edge_add(g, e, 'o', "out");
	edge_done(g, e);
	ninja_write(&b, g, "");
	CHECK("a newline in an origin stays inside its comment", !strstr(b.s, "\nbuild evil") && !strstr(b.s, "\ndefault evil"));
	CHECK("the comment keeps the text", strstr(b.s, "# p.lua:1 default evil own er\n") != NULL);
	buf_free(&b);
}

static struct edge *
mk(struct graph *g, struct rule *r, const char *out, const char *in, const char *origin)
{
	struct edge *e = graph_edge(g, r, origin, NULL);

	edge_add(g, e, 'o', out);
	if (in)
		edge_add(g, e, 'i', in);
	edge_done(g, e);
	return e;
}

/* run graph_check with stderr captured into a buffer */
static size_t
check_capture(struct graph *g, char *msg, size_t len)
{
	FILE *f = tmpfile();
	int saved = dup(2);
	size_t n, problems;

	fflush(stderr);
	dup2(fileno(f), 2);
	problems = graph_check(g);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	rewind(f);
	n = fread(msg, 1, len - 1, f);
	msg[n] = '\0';
	fclose(f);
	return problems;
}

static void
test_check(void)
{
	struct graph *g;
	struct rule *r;
	char msg[4096];

	g = graph_new();
	r = graph_rule(g, "cc", "t");
	CHECK("rule names are unique", graph_rule(g, "cc", "t") == NULL);
	mk(g, r, "a.o", "/dev/null", "p.lua:1");
	mk(g, r, "a.o", "/dev/null", "q.lua:7");
	CHECK("duplicate output is a problem", check_capture(g, msg, sizeof msg) == 1);
	CHECK("duplicate output names both origins", strstr(msg, "p.lua:1") && strstr(msg, "q.lua:7"));
	CHECK("duplicate output names the file", strstr(msg, "a.o") != NULL);

	g = graph_new();
	r = graph_rule(g, "cc", "t");
	mk(g, r, "x", "y", "x.lua:1");
	mk(g, r, "y", "z", "y.lua:2");
	mk(g, r, "z", "x", "z.lua:3");
	CHECK("cycle is a problem", check_capture(g, msg, sizeof msg) == 1);
	CHECK("cycle message", strstr(msg, "dependency cycle") != NULL);
	CHECK("cycle lists every step", strstr(msg, "x.lua:1") && strstr(msg, "y.lua:2") && strstr(msg, "z.lua:3"));

	g = graph_new();
	r = graph_rule(g, "cc", "t");
	mk(g, r, "out1", "/nonexistent/kiln-missing-input", "m.lua:4");
	CHECK("missing input is a problem", check_capture(g, msg, sizeof msg) == 1);
	CHECK("missing input names file and origin",
	      strstr(msg, "/nonexistent/kiln-missing-input") && strstr(msg, "m.lua:4"));

	g = graph_new();
	r = graph_rule(g, "cc", "t");
	mk(g, r, "b", "/dev/null", "ok.lua:1");
	mk(g, r, "c", "b", "ok.lua:2");
	CHECK("valid graph has no problems", check_capture(g, msg, sizeof msg) == 0);
	CHECK("path lookup normalises", graph_lookup(g, "./b") == graph_lookup(g, "b") && graph_lookup(g, "b"));
}

static void
test_write(void)
{
	struct graph *g = graph_new();
	struct rule *r = graph_rule(g, "cp", "rules/x.lua");
	struct edge *e;
	struct buf b = {0};
	const char *want =
		"H\n"
		"\npool cargo\n  depth = 2\n"
		"\n# rules/x.lua\nrule cp\n  command = cp $in $out\n  restat = 1\n"
		"\n"
		"\n# p.lua:3 comp\nbuild out/a$ b | out/a.d: cp src$:1 | imp || ord |@ out/a.check\n"
		"  pool = cargo\n  v = $$literal\n"
		"build comp: phony out/a$ b\n"
		"\ndefault comp\n";

	var_add(&r->vars, &r->nvars, "command", "cp $in $out");
	var_add(&r->vars, &r->nvars, "restat", "1");
	graph_pool(g, "cargo", 2);
	graph_pool(g, "console", 1);
	e = graph_edge(g, r, "p.lua:3", "comp");
	edge_add(g, e, 'i', "src:1");
	edge_add(g, e, '|', "ord");
	edge_add(g, e, 'I', "imp");
	edge_add(g, e, 'O', "out/a.d");
	edge_add(g, e, 'o', "out/a b");
	edge_add(g, e, '@', "out/a.check");
	var_add(&e->vars, &e->nvars, "v", "$$literal");
	e->pool = xstrdup("cargo");
	edge_done(g, e);
	e = graph_edge(g, NULL, "p.lua:3", NULL);
	edge_add(g, e, 'o', "comp");
	edge_add(g, e, 'i', "out/a b");
	e->origin = NULL;
	edge_done(g, e);
	g->defaults = xcalloc(1, sizeof *g->defaults);
	g->defaults[g->ndefaults++] = xstrdup("comp");
	ninja_write(&b, g, "H\n");
	CHECK_STR("ninja_write golden output", want, b.s);
	buf_free(&b);
}

int
main(void)
{
	test_normalize();
	test_escape();
	test_unwritable();
	test_comment();
	test_check();
	test_write();
	return unit_failed;
}
