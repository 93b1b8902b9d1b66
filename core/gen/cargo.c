/* cargo.c: kiln cargo, the wrapper every cargo edge runs.
 *
 *   kiln cargo --manifest-path=M --target-dir=D --artifact=A --out=OUT --depfile=DF
 *              [--rustflag=F]... [--env=K=V]... [--relink-on=FILE]... -- CARGO-ARGS...
 *
 * 1. The environment is controlled: cargo gets only the variables of an allow-list (what finds
 *    the tools and their caches: PATH, HOME, CARGO_HOME, RUSTUP_HOME, TMPDIR; for --fetch also
 *    the proxy and certificate settings) and the plugin's --env settings. build.ninja gives
 *    the allow-list's values as configure recorded them (--tool-env, from kiln.env), and those
 *    replace the shell's: the build uses the toolchain configure checked. RUSTFLAGS, RUSTC,
 *    RUSTC_WRAPPER, CARGO_PROFILE_*, CARGO_BUILD_* and every other variable of the shell are
 *    dropped. The plugin's flags go in CARGO_ENCODED_RUSTFLAGS (set even when empty, so
 *    config-file rustflags never apply); CARGO_TARGET_DIR is D. Wrappers that a config file
 *    may set ([build] rustc-wrapper, rustc-workspace-wrapper, in $CARGO_HOME/config.toml or a
 *    .cargo/config.toml of the directory or above) are overridden with --config (only then:
 *    the override costs cargo its rustc info cache). With a rustc wrapper, a remap of the
 *    build directory in the flags goes through a rustc shim (rustc_shim.c).
 * 2. Cargo does not track link inputs passed through linker arguments (relibc's libc.a, the
 *    CRT objects). When one of them is newer than the artifact, the artifact is removed so
 *    that cargo relinks it.
 * 3. After cargo, its dep-info file (A with .d) becomes DF with OUT as the target, plus the
 *    relink inputs, in the syntax Ninja reads.
 * 4. A is copied to OUT only when its content differs, so an edge whose cargo did nothing
 *    leaves OUT's mtime alone and Ninja's restat skips everything downstream. */
#define _POSIX_C_SOURCE 200809L
#define _DARWIN_C_SOURCE  /* macOS hides part of POSIX.1-2008 (O_NOFOLLOW) without it; others ignore it */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cmd.h"
#include "gen.h"
#include "ninja.h"
#include "util.h"

/* the variables of the shell that reach cargo: where the tools and their caches are. Every
 * other one is dropped (an allow-list: a deny-list always misses one, such as RUSTC or
 * CARGO_PROFILE_RELEASE_OPT_LEVEL) */
static const char *const allowed[] = { "PATH", "HOME", "CARGO_HOME", "RUSTUP_HOME", "TMPDIR" };
/* and, for the one run that goes online (--fetch), how to reach the network */
static const char *const allowed_online[] = {
	"http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "no_proxy", "NO_PROXY", "all_proxy",
	"ALL_PROXY", "SSL_CERT_FILE", "SSL_CERT_DIR", "CARGO_HTTP_CAINFO", "CARGO_HTTP_PROXY",
	"SSH_AUTH_SOCK",
};

static int
listed(const char *const *list, size_t n, const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strlen(list[i]) == len && !strncmp(list[i], name, len))
			return 1;
	return 0;
}

/* NAME=VALUE sets a variable for cargo; -NAME (no '=') unsets NAME */
static void
put_env(const char *setting)
{
	char *k = xstrdup(setting), *eq = strchr(k, '=');

	if (eq)
		*eq = '\0';
	if (eq ? setenv(k, eq + 1, 1) != 0 : unsetenv(k + (k[0] == '-')) != 0)
		fatal("setenv %s: %s", k, strerror(errno));
	free(k);
}

/* drop from our environment (which cargo inherits) every variable that is not allowed */
static void
scrub_env(int online)
{
	extern char **environ;
	char **names = NULL, **e;
	size_t n = 0, i;

	for (e = environ; *e; e++) {
		const char *eq = strchr(*e, '=');
		size_t len = eq ? (size_t)(eq - *e) : strlen(*e);

		if (listed(allowed, sizeof allowed / sizeof allowed[0], *e, len) ||
		    (online && listed(allowed_online, sizeof allowed_online / sizeof allowed_online[0], *e, len)))
			continue;
		names = xreallocarray(names, n + 1, sizeof *names);
		names[n++] = xstrndup(*e, len);
	}
	for (i = 0; i < n; i++) {
		unsetenv(names[i]);
		free(names[i]);
	}
	free(names);
}

/* whether config text t has a line whose key or table is include (cargo's config-include,
 * which reads other files): include = ..., "include" = ..., [include], [[include]] */
static int
has_include(const char *t)
{
	const char *l;

	for (l = t; l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		l += strspn(l, " \t[\"'");
		if (!strncmp(l, "include", 7) && strchr("=].", l[7 + strspn(l + 7, " \t\"'")]))
			return 1;
	}
	return 0;
}

/* the wrappers that path, a config file of cargo's (freed here), may set: WRAP_RUSTC when it
 * names a wrapper, WRAP_WORKSPACE too when it names the workspace wrapper, includes other
 * files, or has a \u escape (which could spell a key); 0 when it does not exist. The first
 * file that may set the workspace wrapper is kept in *ws_file */
enum { WRAP_RUSTC = 1, WRAP_WORKSPACE = 2 };

static int
config_wrappers(char *path, char **ws_file)
{
	char *t = read_file(path, NULL);
	int w = 0;

	if (t && strstr(t, "wrapper"))
		w |= WRAP_RUSTC;
	if (t && (strstr(t, "workspace-wrapper") || strstr(t, "workspace_wrapper") || has_include(t) ||
		  strstr(t, "\\u") || strstr(t, "\\U")))
		w |= WRAP_RUSTC | WRAP_WORKSPACE;
	free(t);
	if ((w & WRAP_WORKSPACE) && !*ws_file)
		*ws_file = path;
	else
		free(path);
	return w;
}

/* the wrappers that the config files cargo reads when it runs in dir may set (the
 * .cargo/config.toml and .cargo/config of dir and of each directory above it, then
 * CARGO_HOME's), and in *ws_file the first that may set the workspace wrapper. Only those are
 * overridden, since the override, an empty wrapper, is a program cargo cannot fingerprint: it
 * then keeps no rustc info cache and asks rustc -vV and its target probes on every run
 * (measured: a fresh build 33 ms without, 90 ms with both) */
static int
configs_wrappers(const char *dir, const char *cargo_home, char **ws_file)
{
	char *d = xstrdup(dir), *p;
	int w = 0;

	*ws_file = NULL;
	for (;;) {  /* "/a/b", "/a", "" (the root's) */
		w |= config_wrappers(xasprintf("%s/.cargo/config.toml", d), ws_file);
		w |= config_wrappers(xasprintf("%s/.cargo/config", d), ws_file);
		if (!(p = strrchr(d, '/')))
			break;
		*p = '\0';
	}
	w |= config_wrappers(xasprintf("%s/config.toml", cargo_home), ws_file);
	w |= config_wrappers(xasprintf("%s/config", cargo_home), ws_file);
	free(d);
	return w;
}

/* cargo's argument vector: CARGO (or cargo), args, the target dir when given as an argument
 * (tdir, or NULL) and the wrapper settings of config files that over (WRAP_*) names
 * overridden (before a "--", whose arguments cargo passes on): disabled, or the rustc wrapper
 * set to the configured one */
static char **
cargo_argv(const char *cargo, char **args, int nargs, const char *tdir, const char *wrapper, int over)
{
	size_t k = 0;
	char **v = xcalloc((size_t)nargs + 8, sizeof *v);
	int at = nargs, j;

	for (j = 0; j < nargs; j++)
		if (!strcmp(args[j], "--")) {
			at = j;
			break;
		}
	v[k++] = (char *)cargo;
	for (j = 0; j < at; j++)
		v[k++] = args[j];
	if (tdir) {
		v[k++] = "--target-dir";
		v[k++] = (char *)tdir;
	}
	if (over & WRAP_RUSTC) {
		v[k++] = "--config";
		v[k++] = wrapper ? xasprintf("build.rustc-wrapper='%s'", wrapper) : "build.rustc-wrapper=''";
	}
	if (over & WRAP_WORKSPACE) {
		v[k++] = "--config";
		v[k++] = "build.rustc-workspace-wrapper=''";
	}
	for (j = at; j < nargs; j++)
		v[k++] = args[j];
	return v;
}

/* the line of cargo's output that shows the wrapper's error: its own ("sccache: error: ..."),
 * else one naming it with an error, else the first naming it; NULL when none names it (the
 * failure is not the wrapper's) */
static char *
wrapper_error(const char *log, const char *wrapper)
{
	const char *base = strrchr(wrapper, '/') ? strrchr(wrapper, '/') + 1 : wrapper, *p, *line;
	const char *best[3] = { NULL, NULL, NULL };
	size_t n, blen = strlen(base);
	int i;

	if (!log)
		return NULL;
	for (line = log; *line; line = *p ? p + 1 : p) {
		char *l;

		while (*line == ' ' || *line == '\t')
			line++;
		p = strchr(line, '\n');
		if (!p)
			p = line + strlen(line);
		l = xstrndup(line, (size_t)(p - line));
		if (!best[0] && !strncmp(l, base, blen) && l[blen] == ':')
			best[0] = line;
		else if (strstr(l, base)) {
			if (!best[1] && (strstr(l, "error") || strstr(l, "failed")))
				best[1] = line;
			if (!best[2])
				best[2] = line;
		}
		free(l);
	}
	for (i = 0; i < 3; i++)
		if (best[i]) {
			n = strcspn(best[i], "\n");
			return xstrndup(best[i], n > 400 ? 400 : n);
		}
	return NULL;
}

static int
mtime(const char *path, struct timespec *ts)
{
	struct stat st;

	if (stat(path, &st) != 0)
		return -1;
	ts->tv_sec = st.st_mtime;
	/* the nanoseconds: where configure found them, with this file's _POSIX_C_SOURCE */
#if defined(KILN_HAVE_ST_MTIM) && !defined(KILN_NO_ST_MTIM)
	ts->tv_nsec = st.st_mtim.tv_nsec;
#elif defined(KILN_HAVE_ST_MTIMENSEC) && !defined(KILN_NO_ST_MTIMENSEC)
	ts->tv_nsec = st.st_mtimensec;          /* macOS with _POSIX_C_SOURCE but no _DARWIN_C_SOURCE */
#elif defined(KILN_HAVE_ST_MTIMESPEC) && !defined(KILN_NO_ST_MTIMESPEC)
	ts->tv_nsec = st.st_mtimespec.tv_nsec;
#else
	ts->tv_nsec = -1;                       /* seconds only */
#endif
	return 0;
}

/* a is newer than b; with whole seconds only, the same second counts as newer (one relink
 * too many rather than one missed) */
static int
newer(struct timespec a, struct timespec b)
{
	if (a.tv_nsec < 0 || b.tv_nsec < 0)
		return a.tv_sec >= b.tv_sec;
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

static int
cmpstr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
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

/* one artifact of the run and the build output it is copied to */
struct art {
	const char *artifact, *out;
};

/* the dep-info file cargo writes beside an artifact: A without .a, plus .d */
static char *
depinfo_path(const char *artifact)
{
	struct buf b = {0};
	char *dot, *slash;

	buf_puts(&b, artifact);
	dot = strrchr(b.s, '.');
	slash = strrchr(b.s, '/');
	if (dot && (!slash || dot > slash) && !strcmp(dot, ".a")) {
		b.len = (size_t)(dot - b.s);
		b.s[b.len] = '\0';
	}
	buf_puts(&b, ".d");
	return b.s;
}

/* cargo's messages that mean a crate is not in the cache of an offline build */
static const char *const offline_signs[] = {
	"you are in the offline mode", "--offline was specified", "no matching package named",
	"failed to download", "failed to get `", "can't checkout from", "Unable to update registry",
	"failed to load source for dependency",
};

/* the text of a cargo log without ANSI escapes and without the progress lines that a
 * carriage return overwrote */
static void
log_text(struct buf *w, const char *s, size_t n)
{
	size_t i, line = w->len;

	for (i = 0; i < n; i++) {
		if (s[i] == '\033') {
			for (i++; i < n && s[i] == '['; i++) ;
			while (i < n && !((s[i] >= '@' && s[i] <= '~'))) i++;
			continue;
		}
		if (s[i] == '\r') {
			w->len = line;
			continue;
		}
		buf_putc(w, s[i]);
		if (s[i] == '\n')
			line = w->len;
	}
}

/* run cargo in dir (NULL: here) with its output on our stderr and, without escapes, in log
 * (NULL: none); its exit status; the log's text in *all */
static int
run_cargo(char **cargs, const char *dir, const char *log, struct buf *all)
{
	int rfd, status, pid;
	char chunk[8192];
	ssize_t n;
	FILE *lf = NULL;

	pid = xfork_piped(1, &rfd);
	if (pid == 0) {
		if (dir && chdir(dir) != 0) {
			fprintf(stderr, "kiln cargo: cannot enter %s: %s\n", dir, strerror(errno));
			_exit(127);
		}
		execvp(cargs[0], cargs);
		fprintf(stderr, "kiln cargo: cannot run %s: %s (install Rust with rustup, or set CARGO)\n",
		        cargs[0], strerror(errno));
		_exit(127);
	}
	if (log) {
		if (mkdir_parents(log) != 0 || !(lf = fopen(log, "w")))
			fatal("%s: cannot write the cargo log: %s", log, strerror(errno));
	}
	while ((n = read(rfd, chunk, sizeof chunk)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			fatal("reading cargo's output: %s", strerror(errno));
		}
		fwrite(chunk, 1, (size_t)n, stderr);
		log_text(all, chunk, (size_t)n);
	}
	close(rfd);
	status = xwait(pid);
	if (lf) {
		fwrite(all->s ? all->s : "", 1, all->len, lf);
		if (fclose(lf) != 0)
			fatal("%s: write error: %s", log, strerror(errno));
	}
	return status;
}

/* sccache's server: started here, before cargo, with its output in an anonymous file. Started
 * by the first rustc that cargo runs, it would keep cargo's output pipe open for as long as it
 * lives (its idle timeout) and this wrapper would wait for it, as would ninja for the pipe
 * every command it runs inherits. Returns its error line, or NULL
 * when it runs. */
static char *
start_sccache(const char *wrapper)
{
	FILE *f = tmpfile();
	pid_t pid;
	int status;
	char line[512] = "", *msg = NULL;

	if (!f)
		fatal("tmpfile: %s", strerror(errno));
	pid = xfork();
	if (pid == 0) {
		int nul = open("/dev/null", O_RDONLY), fd;

		if (nul >= 0)
			dup2(nul, 0);
		dup2(fileno(f), 1);
		dup2(fileno(f), 2);
		/* and nothing else: ninja waits for the end of a pipe every command inherits */
		for (fd = 3; fd < 1024; fd++)
			close(fd);
		execl(wrapper, wrapper, "--show-stats", (char *)NULL);
		fprintf(stderr, "cannot run %s: %s\n", wrapper, strerror(errno));
		_exit(127);
	}
	status = xwait(pid);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		rewind(f);
		while (fgets(line, sizeof line, f)) {
			line[strcspn(line, "\n")] = '\0';
			if (!msg || strstr(line, "error"))
				msg = (free(msg), xstrdup(line));
			if (strstr(line, "error"))
				break;
		}
		if (!msg || !*msg)
			msg = (free(msg), xasprintf("%s --show-stats: exit %d", wrapper, WIFEXITED(status) ? WEXITSTATUS(status) : 128));
	}
	fclose(f);
	return msg;
}

const char usage_cargo[] =
	"usage: kiln cargo --manifest-path=M --target-dir=D --artifact=A --out=OUT\n"
	"                  [--artifact=A --out=OUT]... --depfile=DF [--cwd=DIR] [--log=FILE]\n"
	"                  [--rustflag=F]... [--env=NAME=VALUE]... [--relink-on=FILE]...\n"
	"                  -- CARGO-ARGS...\n"
	"       kiln cargo --fetch=STAMP --manifest-path=M --target-dir=D [--cwd=DIR] -- CARGO-ARGS...\n"
	"\n"
	"What the cargo edges of build.ninja run: cargo ($CARGO, else cargo) with CARGO-ARGS in a\n"
	"controlled environment (RUSTFLAGS, wrappers and the like removed; the --rustflag flags\n"
	"as CARGO_ENCODED_RUSTFLAGS; CARGO_TARGET_DIR=D), then each artifact A copied to its OUT\n"
	"when its bytes changed, and cargo's dep-info turned into the Ninja depfile DF.\n"
	"  --cwd=DIR          run cargo in DIR (where its .cargo/config.toml is read)\n"
	"  --log=FILE         keep cargo's whole output in FILE\n"
	"  --env=NAME=VALUE   set a variable for cargo (repeatable)\n"
	"  --relink-on=FILE   a link input cargo does not track (libc.a, crt0.o): when it is newer\n"
	"                     than an artifact, the artifact is removed so cargo relinks it\n"
	"  --fetch=STAMP      ninja fetch: run cargo online and write STAMP when it succeeds\n"
	"  --rustc-wrapper=P  compile through P (sccache; configure --rustc-wrapper): RUSTC_WRAPPER=P,\n"
	"                     CARGO_INCREMENTAL=0, the target dir given as --target-dir D; a\n"
	"                     remap of the build directory goes through the rustc shim\n"
	"                     gen/rustc/HASH/rustc, the same flag in every build directory\n"
	"  --wrapper-env=FILE the wrapper's settings (NAME=VALUE lines, written by kiln gen)\n"
	"  --tool-env=NAME=VALUE, --tool-env=-NAME\n"
	"                     PATH, HOME, CARGO_HOME, RUSTUP_HOME or TMPDIR as configure recorded\n"
	"                     it (set, or unset), instead of the shell's\n"
	"  --cargo=PROGRAM    the cargo to run (default: $CARGO, else cargo on PATH)\n";

int
cmd_cargo(int argc, char *argv[])
{
	const char *manifest = NULL, *tdir = NULL, *depfile = NULL, *cwd = NULL, *log = NULL, *fetch = NULL;
	const char *wrapper = NULL, *wrapper_env = NULL, *cargo_prog = NULL;
	char **relink = NULL, **tools = NULL, **cargs, **deps = NULL, *abs_tdir, **sets = NULL, *cargo, *cargo_home;
	char **rustflags = NULL, here[4096];
	size_t nrelink = 0, ndeps = 0, nart = 0, nsets = 0, nrustflags = 0, ntools = 0, i, j;
	struct art *arts = NULL;
	struct buf rf = {0}, dep = {0}, all = {0};
	int a, status;
	struct timespec at, rt;

	for (a = 1; a < argc && strcmp(argv[a], "--") != 0; a++) {
		char *v = strchr(argv[a], '=');

		if (!v && argv[a][0] == '-')
			unknown_option(argv[a]);
		if (!v)
			usage_error("unexpected argument '%s' (cargo's own arguments follow --)", argv[a]);
		v++;
		if (!strncmp(argv[a], "--manifest-path=", 16)) manifest = v;
		else if (!strncmp(argv[a], "--target-dir=", 13)) tdir = v;
		else if (!strncmp(argv[a], "--cwd=", 6)) cwd = v;
		else if (!strncmp(argv[a], "--log=", 6)) log = v;
		else if (!strncmp(argv[a], "--fetch=", 8)) fetch = v;
		else if (!strncmp(argv[a], "--rustc-wrapper=", 16)) wrapper = *v ? v : NULL;
		else if (!strncmp(argv[a], "--wrapper-env=", 14)) wrapper_env = v;
		else if (!strncmp(argv[a], "--cargo=", 8)) cargo_prog = v;
		else if (!strncmp(argv[a], "--tool-env=", 11)) {
			const char *n = v[0] == '-' ? v + 1 : v;
			size_t len = v[0] == '-' ? strlen(n) : strcspn(n, "=");

			if (!listed(allowed, sizeof allowed / sizeof allowed[0], n, len) || (v[0] != '-' && !n[len]))
				fatal("--tool-env=%s: expected NAME=VALUE or -NAME, NAME one of PATH, HOME, CARGO_HOME, "
				      "RUSTUP_HOME, TMPDIR", v);
			tools = xreallocarray(tools, ntools + 1, sizeof *tools);
			tools[ntools++] = v;
		}
		else if (!strncmp(argv[a], "--artifact=", 11)) {
			arts = xreallocarray(arts, nart + 1, sizeof *arts);
			arts[nart].artifact = v;
			arts[nart++].out = NULL;
		} else if (!strncmp(argv[a], "--out=", 6)) {
			if (!nart || arts[nart - 1].out)
				fatal("--out=%s: each --out follows the --artifact it is copied from", v);
			arts[nart - 1].out = v;
		} else if (!strncmp(argv[a], "--depfile=", 10)) depfile = v;
		else if (!strncmp(argv[a], "--rustflag=", 11)) {
			rustflags = xreallocarray(rustflags, nrustflags + 1, sizeof *rustflags);
			rustflags[nrustflags++] = v;
		} else if (!strncmp(argv[a], "--env=", 6)) {
			if (!strchr(v, '=') || v[0] == '=')
				fatal("--env=%s: expected NAME=VALUE", v);
			sets = xreallocarray(sets, nsets + 1, sizeof *sets);
			sets[nsets++] = v;
		} else if (!strncmp(argv[a], "--relink-on=", 12)) {
			relink = xreallocarray(relink, nrelink + 1, sizeof *relink);
			relink[nrelink++] = v;
		} else
			unknown_option(argv[a]);
	}
	if (a >= argc)
		usage_error("missing '--' before the cargo arguments");
	if (!manifest || !tdir || (!fetch && (!nart || !depfile)))
		usage_error("--manifest-path, --target-dir, --artifact, --out and --depfile are required (or --fetch=STAMP)");
	for (i = 0; i < nart; i++)
		if (!arts[i].out)
			fatal("--artifact=%s has no --out", arts[i].artifact);
	a++;

	/* 1. the environment: the allow-list, then the plugin's settings */
	if (cargo_prog && !*cargo_prog)
		fatal("--cargo=: expected the cargo program");
	cargo = xstrdup(cargo_prog ? cargo_prog : getenv("CARGO") && *getenv("CARGO") ? getenv("CARGO") : "cargo");
	scrub_env(fetch != NULL);
	/* the tools' variables as configure recorded them replace the shell's */
	for (i = 0; i < ntools; i++)
		put_env(tools[i]);
	for (i = 0; i < nsets; i++)
		put_env(sets[i]);
	/* the rustc wrapper (sccache) and its settings; sccache refuses incremental builds */
	if (wrapper) {
		if (wrapper[0] != '/' || strchr(wrapper, '\''))
			fatal("--rustc-wrapper=%s: expected an absolute path without a quote (reconfigure with "
			      "--rustc-wrapper=PATH)", wrapper);
		if (wrapper_env)
			wrapper_env_apply(wrapper_env);
		setenv("RUSTC_WRAPPER", wrapper, 1);
		setenv("CARGO_INCREMENTAL", "0", 1);
	}
	cargo_home = getenv("CARGO_HOME") && *getenv("CARGO_HOME") ? xstrdup(getenv("CARGO_HOME")) :
		     xasprintf("%s/.cargo", getenv("HOME") ? getenv("HOME") : "");
	/* ninja runs us in the build directory */
	if (!getcwd(here, sizeof here))
		fatal("getcwd: %s", strerror(errno));
	/* with a wrapper, the build directory's remap through the rustc shim (rustc_shim.c) */
	if (wrapper && !fetch && shim_mark_remaps(rustflags, nrustflags, here) > 0)
		setenv("RUSTC", shim_write(here, cwd), 1);
	for (i = 0; i < nrustflags; i++) {
		if (i)
			buf_putc(&rf, 0x1f);
		buf_puts(&rf, rustflags[i]);
	}
	setenv("CARGO_ENCODED_RUSTFLAGS", rf.s ? rf.s : "", 1);
	/* cargo runs in cwd: the target dir is given absolute */
	if (tdir[0] == '/')
		abs_tdir = xstrdup(tdir);
	else
		abs_tdir = xasprintf("%s/%s", here, tdir);
	/* with a wrapper, the target dir is an argument: sccache hashes the CARGO_* variables that
	 * reach rustc, and CARGO_TARGET_DIR would make every build directory miss the cache */
	if (!wrapper || fetch)
		setenv("CARGO_TARGET_DIR", abs_tdir, 1);
	/* on a terminal, cargo's colours and progress bar, as it shows them when run by hand */
	if (isatty(2)) {
		setenv("CARGO_TERM_COLOR", "always", 1);
		setenv("CARGO_TERM_PROGRESS_WHEN", "always", 1);
		setenv("CARGO_TERM_PROGRESS_WIDTH", "80", 0);
	}

	/* ninja fetch: the one run that goes online; the stamp says it succeeded */
	if (fetch) {
		setenv("CARGO_NET_OFFLINE", "false", 1);
		cargs = cargo_argv(cargo, argv + a, argc - a, NULL, NULL, WRAP_RUSTC | WRAP_WORKSPACE);
		status = run_cargo(cargs, cwd, NULL, &all);
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
			error("cargo fetch failed (%s %d) for %s: the network or the crate index is not reachable, "
			      "or a dependency is not published; its output is above",
			      WIFEXITED(status) ? "exit" : "signal", WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status),
			      manifest);
			return 1;
		}
		if (mkdir_parents(fetch) != 0)
			fatal("%s: %s", fetch, strerror(errno));
		{
			struct afile *f = afile_open(fetch);

			fprintf(f->f, "fetched %s\n", manifest);
			afile_commit_always(f);
		}
		return 0;
	}

	/* 2. a link input newer than an artifact: make cargo relink it */
	for (j = 0; j < nart; j++) {
		if (mtime(arts[j].artifact, &at) != 0)
			continue;
		for (i = 0; i < nrelink; i++) {
			if (mtime(relink[i], &rt) != 0)
				fatal("--relink-on=%s: %s", relink[i], strerror(errno));
			if (newer(rt, at)) {
				force_relink(arts[j].artifact);
				fprintf(stderr, "kiln cargo: %s changed: relinking %s\n", relink[i], arts[j].artifact);
				break;
			}
		}
	}

	/* sccache: its server first (see start_sccache) */
	if (wrapper && strstr(strrchr(wrapper, '/') + 1, "sccache")) {
		char *werr = start_sccache(wrapper);

		if (werr) {
			error("the rustc wrapper %s failed: \"%s\" (building %s); to build without it, reconfigure "
			      "without --rustc-wrapper (./configure with the same options but that one)", wrapper, werr, manifest);
			return 1;
		}
	}

	/* 3. run cargo, with the wrappers of config files disabled (RUSTC_WRAPPER, which wins over
	 * them, is the configured wrapper or unset) */
	{
		char *in = cwd ? (cwd[0] == '/' ? xstrdup(cwd) : xasprintf("%s/%s", here, cwd)) : xstrdup(here);
		char *ws_file;
		int over = configs_wrappers(in, cargo_home, &ws_file);

		/* an empty rustc wrapper builds what no wrapper builds; an empty workspace wrapper
		 * does not: cargo hashes it into every workspace crate's metadata */
		if (ws_file)
			fprintf(stderr, "kiln cargo: %s may set a rustc-workspace-wrapper: kiln disables it, but cargo "
				"puts that setting into the hash of every workspace crate, so these binaries differ "
				"from a build where no config file sets one; for binaries identical to other "
				"machines', remove it from %s\n", ws_file, ws_file);
		cargs = cargo_argv(cargo, argv + a, argc - a, wrapper ? abs_tdir : NULL, wrapper, over);
		free(in);
		free(ws_file);
	}
	status = run_cargo(cargs, cwd, log, &all);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		int offline = 0;
		char *werr = wrapper ? wrapper_error(all.s, wrapper) : NULL;

		for (i = 0; i < sizeof offline_signs / sizeof offline_signs[0] && all.s; i++)
			if (strstr(all.s, offline_signs[i]))
				offline = 1;
		error("cargo failed (%s %d) building %s%s%s", WIFEXITED(status) ? "exit" : "signal",
		      WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status), manifest,
		      log ? "; its whole output is in " : "", log ? log : "");
		if (offline)
			error("cargo could not find crates in its cache (CARGO_HOME=%s) and builds are offline: "
			      "run `ninja fetch` once with network, then build again",
			      cargo_home);
		if (werr)
			error("the rustc wrapper %s failed: \"%s\"; to build without it, reconfigure without "
			      "--rustc-wrapper (./configure with the same options but that one)", wrapper, werr);
		return WIFEXITED(status) && WEXITSTATUS(status) ? WEXITSTATUS(status) : 1;
	}

	/* 4. the depfile: cargo's dep-info of every artifact plus the relink inputs, for all
	 * outputs; then each artifact is copied to its output if its bytes changed */
	for (j = 0; j < nart; j++) {
		char *d = depinfo_path(arts[j].artifact);

		depinfo(d, &deps, &ndeps);
		free(d);
	}
	qsort(deps, ndeps, sizeof *deps, cmpstr);
	for (j = 0; j < nart; j++) {
		if (j)
			buf_putc(&dep, ' ');
		depfile_escape(&dep, arts[j].out);
	}
	buf_putc(&dep, ':');
	for (i = 0; i < ndeps; i++) {
		if (i && !strcmp(deps[i], deps[i - 1]))
			continue;
		buf_puts(&dep, " \\\n  ");
		depfile_escape(&dep, deps[i]);
	}
	for (i = 0; i < nrelink; i++) {
		buf_puts(&dep, " \\\n  ");
		depfile_escape(&dep, relink[i]);
	}
	buf_putc(&dep, '\n');
	for (j = 0; j < nart; j++)
		copy_if_changed(arts[j].artifact, arts[j].out);
	{
		struct afile *f = afile_open(depfile);

		fwrite(dep.s, 1, dep.len, f->f);
		afile_commit_always(f);
	}
	free(abs_tdir);
	return 0;
}
