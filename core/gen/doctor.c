/* doctor.c: kiln doctor, what the configured system needs to be built, found or missing,
 * with the command that gets each missing piece.
 *
 *   kiln doctor [--arch=A] [--redox-src=DIR] [--system=S] [--plugin-dir=DIR]... [--NAME=VALUE]...
 *
 * The checks are the plugins' own: doctor loads them as kiln gen does (in a build directory
 * with kiln.conf and the environment recorded in kiln.env, so it sees the configured
 * values), and prints what they found (report()), every problem and every missing build
 * prerequisite (prerequisite()), instead of writing build.ninja. The one generic probe kept
 * in C is Ninja itself, which runs the build. Exit 0 when the configuration can be built, 1
 * when something is missing, 2 on bad usage. */
#define _POSIX_C_SOURCE 200809L
#define _DARWIN_C_SOURCE  /* macOS hides part of POSIX.1-2008 (O_NOFOLLOW) without it; others ignore it */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "gen.h"
#include "util.h"

/* the first line `ninja --version` prints, or NULL */
static char *
ninja_version(void)
{
	FILE *p = popen("ninja --version 2>/dev/null", "r");
	char line[128];
	char *v = NULL;

	if (!p)
		return NULL;
	if (fgets(line, sizeof line, p)) {
		line[strcspn(line, "\n")] = '\0';
		v = xstrdup(line);
	}
	pclose(p);
	return v;
}

/* configure --rustc-wrapper: the wrapper runs (`P --version`, with the settings kiln cargo
 * gives it); 0 when it does */
static int
wrapper_check(const char *wrapper)
{
	char *line;
	int st;

	if (strchr(wrapper, '\'')) {
		printf("MISSING  %-28s %s: a quote in its path; reconfigure with another --rustc-wrapper\n", "rustc wrapper", wrapper);
		return 1;
	}
	if (access(WRAPPER_ENV, R_OK) == 0)
		wrapper_env_apply(WRAPPER_ENV);
	line = wrapper_version(wrapper, &st);
	if (st != 0) {
		printf("MISSING  %-28s %s --version failed%s%s%s; install it (apt-get install sccache | brew install sccache) "
		       "or reconfigure without --rustc-wrapper\n", "rustc wrapper", wrapper, *line ? ": \"" : "", line, *line ? "\"" : "");
		free(line);
		return 1;
	}
	printf("ok       %-28s %s (%s; settings in %s)\n", "rustc wrapper", wrapper, line, WRAPPER_ENV);
	free(line);
	return 0;
}

const char usage_doctor[] =
	"usage: kiln doctor [CONFIGURATION...]\n"
	"\n"
	"Checks what the configured system needs (in a build directory: kiln.conf and the\n"
	"environment recorded in kiln.env) and prints each prerequisite found (ok) or missing\n"
	"(MISSING, with the command or option that provides it): Ninja, the compilers and tools\n"
	"the plugins use, QEMU and its firmware. Exit 0 when the configuration can be built, 1\n"
	"when something is missing.\n"
	USAGE_CONFIGURATION;

int
cmd_doctor(int argc, char *argv[])
{
	const char *mode[] = { "doctor" };
	struct conf c;
	struct host *h;
	char *nv;
	long n;
	int i, rest, bad = 0;

	rest = conf_load(&c, argc, argv, kiln_self);
	for (i = 1; i <= rest; i++) {
		/* --rust-toolchain=X and the other plugin options, as configure takes them */
		if (!strncmp(argv[i], "--", 2) && strchr(argv[i], '='))
			conf_opt(&c, argv[i] + 2);
		else if (argv[i][0] == '-')
			unknown_option(argv[i]);
		else
			usage_error("unexpected argument '%s'", argv[i]);
	}
	c.regen = access("kiln.env", R_OK) == 0;
	nv = ninja_version();
	if (!nv) {
		printf("MISSING  %-28s %s\n", "ninja", "install Ninja 1.11 or newer: apt-get install ninja-build | brew install ninja");
		bad = 1;
	} else {
		printf("ok       %-28s %s\n", "ninja", nv);
		free(nv);
	}
	h = host_new(&c, graph_new());
	host_load_env(h, "kiln.env");
	h->use_snap = c.regen;
	if (host_call(h, "load", 1, mode) != 0)
		return 2;
	n = host_number(h, "doctor");
	if (n < 0)
		fatal("the plugins' checks did not complete (a bug in kiln or a plugin)");
	if (*c.rustc_wrapper && wrapper_check(c.rustc_wrapper) != 0)
		bad = 1;
	return n > 0 || bad ? 1 : 0;
}
