/* cargo.c: kiln cargo, the wrapper every cargo edge runs.
 *
 *   kiln cargo --manifest-path=M --target-dir=D --artifact=A --out=OUT --depfile=DF
 *              [--rustflag=F]... [--env=K=V]... [--relink-on=FILE]... -- CARGO-ARGS...
 *
 * 1. The environment is controlled: cargo gets only the variables of an allow-list (what finds
 *    the tools and their caches: PATH, HOME, CARGO_HOME, RUSTUP_HOME, TMPDIR) and the plugin's
 *    --env settings; RUSTFLAGS, RUSTC, RUSTC_WRAPPER, CARGO_PROFILE_*, CARGO_BUILD_* and every
 *    other variable of the shell are dropped. The plugin's flags go in CARGO_ENCODED_RUSTFLAGS
 *    (set even when empty, so config-file rustflags never apply); CARGO_TARGET_DIR is D.
 *    Wrappers set in a config file ([build] rustc-wrapper, rustc-workspace-wrapper, in
 *    $CARGO_HOME/config.toml or a tree's .cargo/config.toml) are overridden with --config.
 * 2. Cargo does not track link inputs passed through linker arguments (relibc's libc.a, the
 *    CRT objects). When one of them is newer than the artifact, the artifact is removed so
 *    that cargo relinks it.
 * 3. After cargo, its dep-info file (A with .d) becomes DF with OUT as the target, plus the
 *    relink inputs, in the syntax Ninja reads.
 * 4. A is copied to OUT only when its content differs, so an edge whose cargo did nothing
 *    leaves OUT's mtime alone and Ninja's restat skips everything downstream. */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cmd.h"
#include "ninja.h"
#include "util.h"

/* the variables of the shell that reach cargo: where the tools and their caches are. Every
 * other one is dropped (an allow-list: a deny-list always misses one, such as RUSTC or
 * CARGO_PROFILE_RELEASE_OPT_LEVEL) */
static const char *const allowed[] = { "PATH", "HOME", "CARGO_HOME", "RUSTUP_HOME", "TMPDIR" };

/* the arguments before cargo's subcommand that disable wrappers set in config files */
static const char *const no_wrappers[] = {
	"--config", "build.rustc-wrapper=''", "--config", "build.rustc-workspace-wrapper=''",
};

/* cargo's environment: the allowed variables of ours, then the --env settings (which win),
 * then CARGO_ENCODED_RUSTFLAGS and CARGO_TARGET_DIR */
static char **
controlled_env(char **sets, size_t nsets, const char *rustflags, const char *tdir)
{
	char **env = xcalloc(sizeof allowed / sizeof allowed[0] + nsets + 3, sizeof *env);
	size_t n = 0, i, k;

	for (i = 0; i < sizeof allowed / sizeof allowed[0]; i++) {
		const char *v = getenv(allowed[i]);
		int set = 0;

		for (k = 0; k < nsets; k++)
			if (!strncmp(sets[k], allowed[i], strlen(allowed[i])) && sets[k][strlen(allowed[i])] == '=')
				set = 1;
		if (v && !set)
			env[n++] = xasprintf("%s=%s", allowed[i], v);
	}
	for (k = 0; k < nsets; k++)
		env[n++] = sets[k];
	env[n++] = xasprintf("CARGO_ENCODED_RUSTFLAGS=%s", rustflags);
	env[n++] = xasprintf("CARGO_TARGET_DIR=%s", tdir);
	env[n] = NULL;
	return env;
}

static int
mtime(const char *path, struct timespec *ts)
{
	struct stat st;

	if (stat(path, &st) != 0)
		return -1;
#ifdef __APPLE__
	*ts = st.st_mtimespec;
#else
	*ts = st.st_mtim;
#endif
	return 0;
}

static int
newer(struct timespec a, struct timespec b)
{
	return a.tv_sec > b.tv_sec || (a.tv_sec == b.tv_sec && a.tv_nsec > b.tv_nsec);
}

/* parse a Makefile-syntax dep-info file: every prerequisite of every rule, unescaped */
static void
depinfo(const char *path, char ***deps, size_t *n)
{
	size_t len, i;
	char *s = read_file(path, &len);
	struct buf w = {0};
	int after_colon = 0;

	if (!s)
		fatal("%s: cargo wrote no dep-info file: %s", path, strerror(errno));
	for (i = 0; i <= len; i++) {
		char c = i < len ? s[i] : '\n';

		if (c == '\\' && i + 1 < len && (s[i + 1] == ' ' || s[i + 1] == '#' || s[i + 1] == '\\')) {
			buf_putc(&w, s[++i]);
			continue;
		}
		if (c == '\\' && i + 1 < len && s[i + 1] == '\n') {
			i++;
			c = ' ';
		}
		if (c == '$' && i + 1 < len && s[i + 1] == '$') {
			buf_putc(&w, '$');
			i++;
			continue;
		}
		if (c == ':' && !after_colon && (i + 1 >= len || s[i + 1] == ' ' || s[i + 1] == '\n')) {
			after_colon = 1;
			w.len = 0;
			continue;
		}
		if (c == ' ' || c == '\t' || c == '\n') {
			if (w.len && after_colon) {
				*deps = xreallocarray(*deps, *n + 1, sizeof **deps);
				(*deps)[(*n)++] = xstrndup(w.s, w.len);
			}
			w.len = 0;
			if (c == '\n')
				after_colon = 0;
			continue;
		}
		buf_putc(&w, c);
	}
	buf_free(&w);
	free(s);
}

/* remove the artifact and the compiled unit behind it (deps/NAME-HASH, which cargo hard-links
 * to the artifact): cargo rebuilds a unit whose output is missing, and relinks it */
static void
force_relink(const char *artifact)
{
	char *dir = xstrdup(artifact), *slash = strrchr(dir, '/'), *deps, *prefix, *p;
	const char *base = slash ? slash + 1 : artifact;
	struct dirent *d;
	DIR *dp;

	if (slash)
		*slash = '\0';
	deps = xasprintf("%s/deps", slash ? dir : ".");
	prefix = xasprintf("%s-", base);
	for (p = prefix; *p; p++)
		if (*p == '-' && p[1] != '\0')
			*p = '_';
	if (unlink(artifact) != 0 && errno != ENOENT)
		fatal("%s: cannot remove to force a relink: %s", artifact, strerror(errno));
	if ((dp = opendir(deps))) {
		while ((d = readdir(dp))) {
			const char *ext = strrchr(d->d_name, '.');

			if (strncmp(d->d_name, prefix, strlen(prefix)) != 0)
				continue;
			if (ext && (!strcmp(ext, ".d") || !strcmp(ext, ".rmeta") || !strcmp(ext, ".rlib")))
				continue;
			p = xasprintf("%s/%s", deps, d->d_name);
			if (unlink(p) != 0)
				fatal("%s: cannot remove to force a relink: %s", p, strerror(errno));
			free(p);
		}
		closedir(dp);
	}
	free(prefix);
	free(deps);
	free(dir);
}

static void
copy_if_changed(const char *from, const char *to)
{
	struct afile *a;
	size_t len;
	char *data = read_file(from, &len);
	struct stat st;

	if (!data)
		fatal("%s: cargo reported success but the artifact is missing: %s (check the bin/lib name)",
		      from, strerror(errno));
	a = afile_open(to);
	if (fwrite(data, 1, len, a->f) != len)
		fatal("%s: write error: %s", to, strerror(errno));
	if (stat(from, &st) == 0)
		fchmod(a->fd, st.st_mode & 0777);
	afile_commit(a);
	free(data);
}

int
cmd_cargo(int argc, char *argv[])
{
	const char *manifest = NULL, *tdir = NULL, *artifact = NULL, *out = NULL, *depfile = NULL;
	char **relink = NULL, **cargs, **deps = NULL, **sets = NULL, **env;
	size_t nrelink = 0, ndeps = 0, nsets = 0, i;
	struct buf rf = {0}, dep = {0}, dinfo = {0};
	int a, status, nrustflags = 0;
	struct timespec at, rt;
	pid_t pid;

	for (a = 1; a < argc && strcmp(argv[a], "--") != 0; a++) {
		char *v = strchr(argv[a], '=');

		if (!v)
			fatal("unknown argument '%s' (usage: kiln cargo --manifest-path=M --target-dir=D "
			      "--artifact=A --out=OUT --depfile=DF [--rustflag=F] [--env=K=V] [--relink-on=F] -- ARGS)",
			      argv[a]);
		v++;
		if (!strncmp(argv[a], "--manifest-path=", 16)) manifest = v;
		else if (!strncmp(argv[a], "--target-dir=", 13)) tdir = v;
		else if (!strncmp(argv[a], "--artifact=", 11)) artifact = v;
		else if (!strncmp(argv[a], "--out=", 6)) out = v;
		else if (!strncmp(argv[a], "--depfile=", 10)) depfile = v;
		else if (!strncmp(argv[a], "--rustflag=", 11)) {
			if (nrustflags++)
				buf_putc(&rf, 0x1f);
			buf_puts(&rf, v);
		} else if (!strncmp(argv[a], "--env=", 6)) {
			const char *eq = strchr(v, '=');

			if (!eq || eq == v || !strcmp(v, "CARGO_ENCODED_RUSTFLAGS") ||
			    !strncmp(v, "CARGO_TARGET_DIR=", 17) || !strncmp(v, "CARGO_ENCODED_RUSTFLAGS=", 24))
				fatal("--env=%s: expected NAME=VALUE, for a variable other than CARGO_TARGET_DIR "
				      "and CARGO_ENCODED_RUSTFLAGS (use --target-dir and --rustflag)", v);
			sets = xreallocarray(sets, nsets + 1, sizeof *sets);
			sets[nsets++] = v;
		} else if (!strncmp(argv[a], "--relink-on=", 12)) {
			relink = xreallocarray(relink, nrelink + 1, sizeof *relink);
			relink[nrelink++] = v;
		} else
			fatal("unknown option '%s'", argv[a]);
	}
	if (a >= argc)
		fatal("missing '--' before the cargo arguments");
	if (!manifest || !tdir || !artifact || !out || !depfile)
		fatal("--manifest-path, --target-dir, --artifact, --out and --depfile are required");
	a++;

	/* 1. the environment */
	env = controlled_env(sets, nsets, rf.s ? rf.s : "", tdir);

	/* 2. a link input newer than the artifact: make cargo relink */
	if (mtime(artifact, &at) == 0) {
		for (i = 0; i < nrelink; i++) {
			if (mtime(relink[i], &rt) != 0)
				fatal("--relink-on=%s: %s", relink[i], strerror(errno));
			if (newer(rt, at)) {
				force_relink(artifact);
				fprintf(stderr, "kiln cargo: %s changed: relinking %s\n", relink[i], artifact);
				break;
			}
		}
	}

	/* 3. run cargo, with the wrappers of config files disabled */
	cargs = xcalloc((size_t)(argc - a) + 2 + sizeof no_wrappers / sizeof no_wrappers[0], sizeof *cargs);
	cargs[0] = getenv("CARGO") && *getenv("CARGO") ? getenv("CARGO") : "cargo";
	for (i = 0; i < sizeof no_wrappers / sizeof no_wrappers[0]; i++)
		cargs[i + 1] = (char *)no_wrappers[i];
	for (i = 0; (int)i < argc - a; i++)
		cargs[i + 1 + sizeof no_wrappers / sizeof no_wrappers[0]] = argv[a + (int)i];
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		fatal("fork: %s", strerror(errno));
	if (pid == 0) {
		extern char **environ;

		/* execvp searches our PATH, which the allow-list passes on unchanged */
		environ = env;
		execvp(cargs[0], cargs);
		fprintf(stderr, "kiln cargo: cannot run %s: %s (install Rust with rustup, or set CARGO)\n",
		        cargs[0], strerror(errno));
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			fatal("waitpid: %s", strerror(errno));
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		error("cargo failed (%s %d) building %s", WIFEXITED(status) ? "exit" : "signal",
		      WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status), manifest);
		return WIFEXITED(status) && WEXITSTATUS(status) ? WEXITSTATUS(status) : 1;
	}

	/* 4. the depfile: cargo's dep-info plus the relink inputs, for OUT */
	buf_puts(&dinfo, artifact);
	{
		char *dot = strrchr(dinfo.s, '.'), *slash = strrchr(dinfo.s, '/');

		if (dot && (!slash || dot > slash) && !strcmp(dot, ".a")) {
			dinfo.len = (size_t)(dot - dinfo.s);
			dinfo.s[dinfo.len] = '\0';
		}
	}
	buf_puts(&dinfo, ".d");
	depinfo(dinfo.s, &deps, &ndeps);
	depfile_escape(&dep, out);
	buf_putc(&dep, ':');
	for (i = 0; i < ndeps; i++) {
		buf_puts(&dep, " \\\n  ");
		depfile_escape(&dep, deps[i]);
	}
	for (i = 0; i < nrelink; i++) {
		buf_puts(&dep, " \\\n  ");
		depfile_escape(&dep, relink[i]);
	}
	buf_putc(&dep, '\n');
	copy_if_changed(artifact, out);
	{
		struct afile *f = afile_open(depfile);

		fwrite(dep.s, 1, dep.len, f->f);
		afile_commit_always(f);
	}
	return 0;
}
