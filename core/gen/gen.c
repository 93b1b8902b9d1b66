/* gen.c: kiln gen: load the plugins, validate the graph, write build.ninja atomically */
#define _XOPEN_SOURCE 700
#define _DARWIN_C_SOURCE  /* macOS hides part of POSIX.1-2008 (O_NOFOLLOW) without it; others ignore it */
#include <errno.h>
#include <stdint.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd.h"
#include "gen.h"
#include "graph.h"
#include "lua_host.h"
#include "ninja.h"
#include "util.h"

static void
push(char ***v, size_t *n, const char *s)
{
	*v = xreallocarray(*v, *n + 1, sizeof **v);
	(*v)[(*n)++] = xstrdup(s);
}

/* apply one "key=value" setting from kiln.conf or the command line */
static int
setting(struct conf *c, const char *kv, int from_args)
{
	static int args_dirs, args_opts; /* the command line replaces kiln.conf's lists */
	const char *v = strchr(kv, '=');
	size_t klen;

	if (!v)
		return -1;
	klen = (size_t)(v - kv);
	v++;
	if (strchr(v, '\n') || strchr(v, '\r'))
		fatal("--%.*s=...: a setting cannot contain a newline", (int)klen, kv);
#define IS(k) (klen == strlen(k) && !strncmp(kv, k, klen))
	if (IS("srcdir") || IS("datadir")) {
		free(c->datadir);
		c->datadir = xstrdup(v);
	} else if (IS("arch")) {
		free(c->arch);
		c->arch = xstrdup(v);
	} else if (IS("redox-src")) {
		free(c->redox_src);
		c->redox_src = xstrdup(v);
	} else if (IS("rustc-wrapper")) {
		if (*v && v[0] != '/')
			fatal("--rustc-wrapper=%s: expected an absolute path (configure resolves a name on PATH)", v);
		free(c->rustc_wrapper);
		c->rustc_wrapper = xstrdup(v);
	} else if (IS("system")) {
		free(c->system);
		c->system = xstrdup(v);
	} else if (IS("plugin-dir")) {
		if (from_args && !args_dirs++)
			c->nplugin_dirs = 0;
		push(&c->plugin_dirs, &c->nplugin_dirs, v);
	} else if (IS("gen-time-limit")) {
		char *end;
		double t = strtod(v, &end);

		if (end == v || *end || !(t > 0) || t > 1e6)
			fatal("--gen-time-limit=%s: expected a number of seconds (such as 60)", v);
		c->time_limit = t;
		free(c->time_text);
		c->time_text = xstrdup(v);
	} else if (IS("gen-memory-limit")) {
		uint64_t n;

		if (parse_size(v, &n) != 0 || n < (1u << 20) || n > SIZE_MAX / 2)
			fatal("--gen-memory-limit=%s: expected a size of at least 1M (such as 1G)", v);
		c->memory_limit = (size_t)n;
		free(c->memory_text);
		c->memory_text = xstrdup(v);
	} else if (IS("opt")) {
		if (!strchr(v, '='))
			return -1;
		if (from_args && !args_opts++)
			c->nopts = 0;
		push(&c->opts, &c->nopts, v);
	} else {
		return -1;
	}
#undef IS
	return 0;
}

void
conf_opt(struct conf *c, const char *kv)
{
	push(&c->opts, &c->nopts, kv);
}

/* write c as kiln.conf, so that ninja's regeneration uses the same settings */
static void
conf_save(struct conf *c)
{
	struct afile *a = afile_open("kiln.conf");
	size_t i;

	fprintf(a->f, "# kiln.conf: written by configure or kiln gen; 'ninja' regenerates build.ninja when it changes\n");
	fprintf(a->f, "srcdir=%s\narch=%s\nredox-src=%s\n", c->datadir, c->arch, c->redox_src);
	if (*c->system)
		fprintf(a->f, "system=%s\n", c->system);
	if (*c->rustc_wrapper)
		fprintf(a->f, "rustc-wrapper=%s\n", c->rustc_wrapper);
	for (i = 0; i < c->nplugin_dirs; i++)
		fprintf(a->f, "plugin-dir=%s\n", c->plugin_dirs[i]);
	for (i = 0; i < c->nopts; i++)
		fprintf(a->f, "opt=%s\n", c->opts[i]);
	if (c->time_text)
		fprintf(a->f, "gen-time-limit=%s\n", c->time_text);
	if (c->memory_text)
		fprintf(a->f, "gen-memory-limit=%s\n", c->memory_text);
	afile_commit(a);
}

int
conf_load(struct conf *c, int argc, char *argv[], const char *self)
{
	char buf[PATH_MAX], *text, *line, *save = NULL;
	size_t len, lineno = 0;
	int i, rest = 0, given = 0;

	memset(c, 0, sizeof *c);
	c->datadir = xstrdup(kiln_datadir());
	c->arch = xstrdup("aarch64");
	c->redox_src = xstrdup("");
	c->system = xstrdup("");
	c->rustc_wrapper = xstrdup("");
	if (!getcwd(buf, sizeof buf))
		fatal("getcwd: %s", strerror(errno));
	c->builddir = xstrdup(buf);
	text = read_file("kiln.conf", &len);
	if (text) {
		for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
			lineno++;
			if (line[0] == '#' || line[0] == '\0')
				continue;
			if (setting(c, line, 0) != 0)
				fatal("kiln.conf:%zu: unknown setting '%s' (re-run configure)", lineno, line);
		}
		free(text);
	}
	for (i = 1; i < argc; i++) {
		if (!strncmp(argv[i], "--", 2) && strchr(argv[i], '=') && setting(c, argv[i] + 2, 1) == 0) {
			given = 1;
			continue;
		}
		argv[++rest] = argv[i];
	}
	if (strcmp(c->arch, "aarch64") != 0 && strcmp(c->arch, "x86_64") != 0)
		fatal("unknown architecture '%s' (known: aarch64, x86_64)", c->arch);
	if (*c->system && strcmp(c->system, "redox") && strcmp(c->system, "demo") && strcmp(c->system, "none"))
		fatal("unknown system '%s' (known: redox, demo, none)", c->system);
	c->save = given;
	/* the kiln binary itself, for the commands of the generated rules */
	if (strchr(self, '/') && realpath(self, buf))
		c->kiln = xstrdup(buf);
	else
		c->kiln = xstrdup(self); /* found on PATH */
	return rest;
}

struct host *
load_plugins(struct conf *c)
{
	struct graph *g = graph_new();
	struct host *h = host_new(c, g);

	host_load_env(h, "kiln.env");
	h->use_snap = c->regen;
	if (host_call(h, "load", 0, NULL) != 0)
		exit(1);
	if (host_call(h, "finish", 0, NULL) != 0)
		exit(1);
	return h;
}

/* every generated file can be written: no parent is a file, the file is not a directory (left
 * by an earlier configuration); checked before anything is written */
static size_t
check_generated(struct host *h)
{
	size_t i, problems = 0;
	struct stat st;

	for (i = 0; i < h->ngens; i++) {
		struct genfile *f = &h->gens[i];
		char *p = xstrdup(f->path), *s;

		for (s = strchr(p, '/'); s; s = strchr(s + 1, '/')) {
			*s = '\0';
			if (stat(p, &st) == 0 && !S_ISDIR(st.st_mode)) {
				error("%s: cannot write %s: %s is a file, not a directory (left by an earlier "
				      "configuration? remove it)", f->origin, f->path, p);
				problems++;
				break;
			}
			*s = '/';
		}
		if (!s && stat(f->path, &st) == 0 && S_ISDIR(st.st_mode)) {
			error("%s: cannot write %s: it is a directory (left by an earlier configuration? "
			      "remove it)", f->origin, f->path);
			problems++;
		}
		free(p);
	}
	return problems;
}

static void
write_generated(struct host *h)
{
	size_t i;

	for (i = 0; i < h->ngens; i++) {
		struct genfile *f = &h->gens[i];
		struct afile *a;

		if (mkdir_parents(f->path) != 0)
			fatal("%s: cannot create the directories of %s: %s", f->origin, f->path, strerror(errno));
		a = afile_open(f->path);
		if (fwrite(f->content, 1, f->len, a->f) != f->len)
			fatal("%s: write error: %s", f->path, strerror(errno));
		afile_commit(a);
	}
}

static void
write_ninja(struct host *h)
{
	struct buf b = {0}, hdr = {0}, dep = {0};
	struct afile *a;
	size_t i;

	buf_puts(&hdr, "# build.ninja: written by kiln gen from the plugins; do not edit.\n");
	buf_puts(&hdr, "# Regenerated by ninja when a plugin, kiln.conf or kiln changes.\n");
	buf_puts(&hdr, "ninja_required_version = 1.11\n");
	ninja_write(&b, h->g, hdr.s);

	/* the regeneration depfile names every Lua file, directory and file the plugins read */
	buf_puts(&dep, "build.ninja:");
	for (i = 0; i < h->ninputs; i++) {
		buf_puts(&dep, " \\\n  ");
		depfile_escape(&dep, h->inputs[i]);
	}
	buf_putc(&dep, '\n');
	if (mkdir("gen", 0777) != 0 && errno != EEXIST)
		fatal("cannot create gen/: %s", strerror(errno));
	a = afile_open("gen/build.ninja.d");
	fwrite(dep.s, 1, dep.len, a->f);
	afile_commit(a);

	a = afile_open("build.ninja");
	if (fwrite(b.s, 1, b.len, a->f) != b.len)
		fatal("build.ninja: write error: %s", strerror(errno));
	afile_commit_always(a); /* Ninja must see build.ninja newer than what regenerated it */
	buf_free(&b);
	buf_free(&hdr);
	buf_free(&dep);
}

const char usage_gen[] =
	"usage: kiln gen [--list-options] [--quiet] [--regen] [--arch=ARCH] [--redox-src=DIR]\n"
	"                [--system=redox|demo|none] [--plugin-dir=DIR]... [--opt=NAME=VALUE]...\n"
	"                [--gen-time-limit=SECONDS] [--gen-memory-limit=SIZE] [--srcdir=DIR]\n"
	"\n"
	"Loads the plugins, validates the build graph and writes build.ninja (configure and\n"
	"ninja's regeneration run it). Reads kiln.conf in the current directory (written by\n"
	"configure); options given here override it and are saved into it.\n"
	"\n"
	"  --list-options    list the options the plugins declare instead\n"
	"  --quiet, -q       no summary\n"
	"  --regen           what ninja runs: read the environment variables the plugins use\n"
	"                    from kiln.env instead of the shell\n"
	"  --opt=NAME=VALUE  set an option a plugin declares\n"
	"  --gen-time-limit=SECONDS, --gen-memory-limit=SIZE\n"
	"                    how long the plugins may run and how much memory they may hold\n"
	"                    (default 60 s and 1G; kept in kiln.conf)\n"
	"  --srcdir=DIR      where kiln's lua/, rules/, modules/ and plugins/ are\n";

int
cmd_gen(int argc, char *argv[])
{
	struct conf c;
	struct host *h;
	size_t problems;
	int n, i, list = 0, quiet = 0;

	n = conf_load(&c, argc, argv, kiln_self);
	for (i = 1; i <= n; i++) {
		if (!strcmp(argv[i], "--list-options"))
			list = 1;
		else if (!strcmp(argv[i], "--quiet") || !strcmp(argv[i], "-q"))
			quiet = 1;
		else if (!strcmp(argv[i], "--regen"))
			c.regen = 1;
		else if (argv[i][0] == '-')
			unknown_option(argv[i]);
		else
			usage_error("unexpected argument '%s'", argv[i]);
	}
	if (list) {
		struct graph *g = graph_new();

		const char *mode[] = { "tolerant" };

		h = host_new(&c, g);
		if (host_call(h, "load", 1, mode) != 0)
			return 1;
		return host_call(h, "list_options", 0, NULL) ? 1 : 0;
	}
	/* the rustc wrapper's settings: read from the shell by configure and ninja reconfigure,
	 * kept by the regeneration edge (which must not read the shell) */
	if (*c.rustc_wrapper && !c.regen)
		wrapper_env_write(WRAPPER_ENV);
	else if (!*c.rustc_wrapper)
		unlink(WRAPPER_ENV);
	h = load_plugins(&c);
	if (*c.rustc_wrapper)
		graph_node(h->g, WRAPPER_ENV)->generated = 1;
	for (i = 0; i < (int)h->ngens; i++)
		graph_node(h->g, h->gens[i].path)->generated = 1;
	graph_node(h->g, "kiln.env")->generated = 1;
	problems = graph_check(h->g);
	problems += check_generated(h);
	if (problems) {
		error("%zu problem%s in the build graph; build.ninja was not written", problems,
		      problems == 1 ? "" : "s");
		return 1;
	}
	/* everything is validated: the generated files, then the settings, the environment
	 * and build.ninja, which must be the newest of them */
	write_generated(h);
	if (c.save)
		conf_save(&c);
	host_save_env(h, "kiln.env");
	write_ninja(h);
	if (!quiet && host_call(h, "summary", 0, NULL) != 0)
		return 1;
	return 0;
}
