/* wrapper.c: the settings of the rustc wrapper (configure --rustc-wrapper, sccache).
 *
 * kiln gen (run by configure or ninja reconfigure, never by the regeneration edge) copies the
 * shell's SCCACHE_* and AWS_* variables into WRAPPER_ENV in the build directory, mode 0600:
 * sccache's cache location and size, its Redis, S3, GCS, Azure and dist settings and the
 * credentials they use. kiln cargo sets them for cargo (and so for sccache) when the wrapper
 * is on; the file is an input of every cargo edge, so a changed setting reruns them. Its
 * content is never written into build.ninja, kiln.conf or kiln.env, and never printed: the
 * summary names the secrets (keys, tokens, passwords, URLs with a user part) as "set". */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gen.h"
#include "util.h"

/* a variable of the wrapper: sccache's own, and the AWS ones its S3 backend reads */
static int
wrapper_var(const char *name, size_t len)
{
	return (len > 8 && !strncmp(name, "SCCACHE_", 8)) || (len > 4 && !strncmp(name, "AWS_", 4));
}

int
wrapper_secret(const char *name, const char *value)
{
	static const char *const signs[] = { "SECRET", "TOKEN", "PASSWORD", "ACCESS_KEY", "CONNECTION_STRING",
		"CREDENTIALS", "_KEY_ID", "AUTH" };
	const char *at, *scheme;
	size_t i;

	for (i = 0; i < sizeof signs / sizeof signs[0]; i++)
		if (strstr(name, signs[i]))
			return 1;
	/* a URL with a user part: redis://:PASSWORD@host */
	scheme = strstr(value, "://");
	at = scheme ? strchr(scheme, '@') : NULL;
	return at != NULL;
}

static void
put_escaped(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '\n')
			fputs("\\n", f);
		else if (*s == '\\')
			fputs("\\\\", f);
		else
			fputc(*s, f);
	}
}

static int
cmpstr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void
wrapper_env_write(const char *path)
{
	extern char **environ;
	char **vars = NULL, **e;
	size_t n = 0, i;
	struct afile *a;

	for (e = environ; *e; e++) {
		const char *eq = strchr(*e, '=');

		if (eq && wrapper_var(*e, (size_t)(eq - *e))) {
			vars = xreallocarray(vars, n + 1, sizeof *vars);
			vars[n++] = *e;
		}
	}
	if (n)
		qsort(vars, n, sizeof *vars, cmpstr);
	a = afile_open(path);
	fchmod(a->fd, 0600);
	fprintf(a->f, "# %s: the rustc wrapper's settings, as configure saw them (secrets included:\n"
	              "# mode 0600, never copied into build.ninja). kiln cargo gives them to cargo.\n", path);
	for (i = 0; i < n; i++) {
		put_escaped(a->f, vars[i]);
		fputc('\n', a->f);
	}
	afile_commit(a);
	chmod(path, 0600);
	free(vars);
}

/* each NAME=VALUE of the file, unescaped, to fn; -1 when it cannot be read */
static int
each_var(const char *path, void (*fn)(const char *, const char *, void *), void *arg)
{
	size_t len;
	char *text = read_file(path, &len), *line, *save = NULL;

	if (!text)
		return -1;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *eq = strchr(line, '='), *r, *w;

		if (line[0] == '#' || !eq)
			continue;
		*eq = '\0';
		for (r = w = eq + 1; *r; r++, w++) {
			if (*r == '\\' && r[1] == 'n') { *w = '\n'; r++; }
			else if (*r == '\\' && r[1] == '\\') { *w = '\\'; r++; }
			else *w = *r;
		}
		*w = '\0';
		fn(line, eq + 1, arg);
	}
	free(text);
	return 0;
}

static void
set_one(const char *name, const char *value, void *arg)
{
	(void)arg;
	if (setenv(name, value, 1) != 0)
		fatal("setenv %s: %s", name, strerror(errno));
}

void
wrapper_env_apply(const char *path)
{
	if (each_var(path, set_one, NULL) != 0)
		fatal("%s: cannot read the rustc wrapper's settings: %s (run ./configure again, or "
		      "reconfigure without --rustc-wrapper)", path, strerror(errno));
}

static void
show_one(const char *name, const char *value, void *arg)
{
	struct buf *b = arg;

	buf_puts(b, b->len ? ", " : "");
	buf_puts(b, name);
	if (wrapper_secret(name, value))
		buf_puts(b, " set");
	else {
		buf_putc(b, '=');
		buf_puts(b, value);
	}
}

char *
wrapper_env_summary(const char *path)
{
	struct buf b = {0};

	if (each_var(path, show_one, &b) != 0 || !b.len)
		return xstrdup("none (sccache's defaults: a local cache in ~/.cache/sccache)");
	return b.s;
}

char *
wrapper_version(const char *wrapper, int *status)
{
	const char *argv[] = { wrapper, "--version", NULL };

	if (strchr(wrapper, '\'')) {
		*status = -1;
		return xstrdup("");
	}
	return run_first_line(argv, NULL, 1, status);
}
