/* gen.h: configuration and plugin loading shared by kiln gen and the query commands */
#ifndef KILN_GEN_H
#define KILN_GEN_H

#include "lua_host.h"

/* the paragraph of a usage text (cmd.h) on the configuration options of the commands that
 * load the plugins: list, show, why, graph, doctor */
#define USAGE_CONFIGURATION \
	"\n" \
	"Configuration: in a build directory (where ./configure wrote kiln.conf) the answer is\n" \
	"for that configuration, with the environment recorded in kiln.env. Elsewhere, or for\n" \
	"another configuration, give it (outside a build directory one of the first three):\n" \
	"  --arch=aarch64|x86_64    the target\n" \
	"  --redox-src=DIR          a Redox tree (the Redox plugin set)\n" \
	"  --system=redox|demo|none the base plugin set (demo: the bundled demo)\n" \
	"  --plugin-dir=DIR         more plugins (repeatable)\n" \
	"  --NAME=VALUE             an option a plugin declares (./configure --help lists them)\n"

/* parse "--arch=", "--redox-src=", "--plugin-dir=", "--opt=" and "--datadir=" from argv
 * (after reading kiln.conf in the current directory, if present, which they override);
 * other arguments are left in argv and their count returned. fatal on a malformed kiln.conf */
int conf_load(struct conf *c, int argc, char *argv[], const char *argv0_path);
/* add a plugin option "NAME=VALUE" to c (as --opt=NAME=VALUE does) */
void conf_opt(struct conf *c, const char *kv);
/* create the graph and the Lua host and load every plugin; exits 1 on plugin errors */
struct host *load_plugins(struct conf *c);

/* wrapper.c: the rustc wrapper's settings (SCCACHE_*, AWS_*), kept in WRAPPER_ENV (0600) in
 * the build directory: written by kiln gen from the shell, read by kiln cargo and doctor */
#define WRAPPER_ENV "sccache.env"
void wrapper_env_write(const char *path);
/* setenv every variable of the file; fatal when it cannot be read */
void wrapper_env_apply(const char *path);
/* "NAME=VALUE, SECRET set, ...": the secrets by name only */
char *wrapper_env_summary(const char *path);
int wrapper_secret(const char *name, const char *value);
/* the first line of `WRAPPER --version` (with our environment); *status is its exit status
 * as pclose gives it (0: it ran), -1 when it could not be run */
char *wrapper_version(const char *wrapper, int *status);

/* rustc_shim.c: under a rustc wrapper, the build directory's remap the same in every build
 * directory (the wrapper caches across them) and a rustc shim that gives rustc the real one */
#define SHIM_MARKER "/@kiln-build-dir@"
/* replace builddir with SHIM_MARKER in each --remap-path-prefix=BUILDDIR[/...]=TO of flags
 * (new strings; the old ones are left to the caller); the number replaced */
int shim_mark_remaps(char **flags, size_t n, const char *builddir);
/* write (or keep) the shim of the rustc that cargo would run ($RUSTC, else rustc on PATH,
 * resolved in dir through its sysroot) under builddir/gen/rustc/; its absolute path */
char *shim_write(const char *builddir, const char *dir);

#endif
