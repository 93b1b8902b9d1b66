/* rustc_shim.c: the build directory's remap under a caching rustc wrapper (sccache).
 *
 * The Redox plugins give rustc --remap-path-prefix=BUILDDIR=/kiln-build, so that no path of
 * this machine reaches a binary. sccache 0.9 and newer cache such runs but hash every
 * argument, and this one names the build directory: a second build directory missed the
 * cache for every crate, though only the crates that include code from OUT_DIR ever see the
 * build directory. With a wrapper, kiln cargo gives cargo that remap with SHIM_MARKER in
 * place of the build directory, the same in every build directory, and RUSTC=a shim, which
 * cargo runs through the wrapper and which puts the build directory back: rustc gets the
 * arguments it gets without the wrapper (the same output), and the wrapper hashes the
 * marker (a run without the remap still hashes differently).
 *
 * sccache knows a compiler by its path and mtime: the shim is one file per real rustc,
 * gen/rustc/HASH/rustc (HASH of that rustc's path), with that rustc's mtime, so another
 * toolchain or a rustup update is another compiler to it, as it is without the shim. */
#define _POSIX_C_SOURCE 200809L
#define _DARWIN_C_SOURCE  /* macOS hides utimensat's UTIME_OMIT without it; others ignore it */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "gen.h"
#include "image/sha256.h"
#include "util.h"

static const char remap[] = "--remap-path-prefix=";

int
shim_mark_remaps(char **flags, size_t n, const char *builddir)
{
	size_t i, rl = strlen(remap), bl = strlen(builddir);
	int marked = 0;

	if (strchr(builddir, '\''))
		return 0;  /* the shim quotes it: such a build directory keeps its misses */
	for (i = 0; i < n; i++) {
		const char *from = flags[i] + rl;

		if (strncmp(flags[i], remap, rl) != 0 || strncmp(from, builddir, bl) != 0 ||
		    (from[bl] != '/' && from[bl] != '='))
			continue;
		flags[i] = xasprintf("%s%s%s", remap, SHIM_MARKER, from + bl);
		marked++;
	}
	return marked;
}

/* the first line that `rustc --print sysroot` prints, run in dir with our environment */
static char *
sysroot_of(const char *rustc, const char *dir)
{
	const char *argv[] = { rustc, "--print", "sysroot", NULL };
	int status;
	char *out = run_first_line(argv, dir, 0, &status);

	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || out[0] != '/') {
		free(out);
		return NULL;
	}
	return out;
}

char *
shim_write(const char *builddir, const char *dir)
{
	const char *rustc = getenv("RUSTC") && *getenv("RUSTC") ? getenv("RUSTC") : "rustc";
	char *real, *sysroot, *path, hex[17];
	unsigned char h[32];
	struct sha256 s;
	struct stat st, cur;
	struct afile *a;
	int i;

	/* a rustup proxy (or a name on PATH) stands for the rustc of its sysroot */
	if (rustc[0] == '/')
		real = xstrdup(rustc);
	else {
		if (!(sysroot = sysroot_of(rustc, dir)))
			fatal("cannot run `%s --print sysroot`%s%s: kiln cargo runs rustc through the rustc wrapper "
			      "with the build directory's remap (docs/sccache.md); install Rust, or reconfigure without "
			      "--rustc-wrapper", rustc, dir ? " in " : "", dir ? dir : "");
		real = xasprintf("%s/bin/rustc", sysroot);
		free(sysroot);
	}
	if (stat(real, &st) != 0 || !S_ISREG(st.st_mode))
		fatal("%s: %s: the rustc that cargo runs (%s); install Rust, or reconfigure without --rustc-wrapper",
		      real, stat(real, &st) != 0 ? strerror(errno) : "not a regular file", rustc);
	if (strchr(real, '\''))
		fatal("%s: a quote in the path of rustc; move the toolchain, or reconfigure without --rustc-wrapper", real);

	sha256_init(&s);
	sha256_update(&s, real, strlen(real));
	sha256_final(&s, h);
	for (i = 0; i < 8; i++)
		snprintf(hex + 2 * i, 3, "%02x", h[i]);
	path = xasprintf("%s/gen/rustc/%s/rustc", builddir, hex);
	if (mkdir_parents(path) != 0)
		fatal("%s: %s", path, strerror(errno));
	a = afile_open(path);
	fprintf(a->f,
		"#!/bin/sh\n"
		"# written by kiln cargo: the rustc that cargo runs through the rustc wrapper (configure\n"
		"# --rustc-wrapper). The wrapper sees the build directory's remap with %s in its\n"
		"# place, the same in every build directory, and caches across them; rustc gets the\n"
		"# build directory back (docs/sccache.md). The mtime is the real rustc's.\n"
		"m=%s\n"
		"for a do\n"
		"\tshift\n"
		"\tcase $a in\n"
		"\t\"$m\"*) a='%s'${a#\"$m\"} ;;\n"
		"\t\"%s$m\"*) a='%s%s'${a#\"%s$m\"} ;;\n"
		"\tesac\n"
		"\tset -- \"$@\" \"$a\"\n"
		"done\n"
		"exec '%s' \"$@\"\n",
		SHIM_MARKER, SHIM_MARKER, builddir, remap, remap, builddir, remap, real);
	fchmod(a->fd, 0755);
	afile_commit(a);
	/* sccache takes a changed mtime for another compiler: the real one's */
	if (stat(path, &cur) == 0 && cur.st_mtime != st.st_mtime) {
		struct timespec ts[2];

		ts[0].tv_sec = 0;
		ts[0].tv_nsec = UTIME_OMIT;
		ts[1].tv_sec = st.st_mtime;
		ts[1].tv_nsec = 0;
		if (utimensat(AT_FDCWD, path, ts, 0) != 0)
			fatal("%s: cannot set its mtime: %s", path, strerror(errno));
	}
	free(real);
	return path;
}
