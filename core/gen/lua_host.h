/* lua_host.h: the Lua state that runs lua/ and the plugins, and the C primitives it builds on.
 *
 * Plugins never see these primitives: lua/kiln.lua receives them as a table and wraps them in
 * the plugin API. Everything the plugins read (files, directories, environment variables,
 * programs found on PATH) is recorded here, so that build.ninja regenerates when it changes. */
#ifndef KILN_LUA_HOST_H
#define KILN_LUA_HOST_H

#include <stddef.h>

#include "graph.h"
#include "util.h"

/* what configure recorded in kiln.conf (or what was given on the command line) */
struct conf {
	char *datadir;        /* where lua/, rules/, plugins/ and examples/ are */
	char *builddir;       /* absolute path of the build directory (the current directory) */
	char *arch;
	char *redox_src;      /* "" when none */
	char *system;         /* the base plugin set: "redox", "demo", "none" or "" (choose) */
	char **plugin_dirs;
	size_t nplugin_dirs;
	char **opts;          /* "name=value" options for plugin-declared options */
	size_t nopts;
	char *kiln;           /* absolute path of the kiln binary */
	char *rustc_wrapper;  /* configure --rustc-wrapper: absolute path of sccache or the like, "" none */
	double time_limit;    /* seconds the Lua code of kiln gen may run (--gen-time-limit), 0: 60 */
	size_t memory_limit;  /* bytes the Lua state may hold (--gen-memory-limit), 0: 1 GiB */
	char *time_text, *memory_text; /* the limits as given, for kiln.conf (NULL: default) */
	int save;             /* settings were given on the command line: kiln gen saves kiln.conf */
	int regen;            /* run by ninja's regeneration edge: environment from kiln.env */
};

/* a file that kiln gen writes into the build dir after validation */
struct genfile {
	char *path;
	char *content;
	size_t len;
	char *origin;
};

/* an environment variable as the plugins saw it (value NULL: unset) */
struct envvar {
	char *name, *value;
};

/* the time and memory limits of kiln gen (lua_limits.c) */
struct limits {
	double seconds;       /* the time limit */
	size_t bytes;         /* the memory limit */
	size_t used;          /* bytes the Lua state holds now */
	int hit;              /* 0, 't' (time) or 'm' (memory): a limit was hit, errors are sticky */
	char where[512];      /* the plugin file:line running when the limit was hit */
	char msg[768];        /* the message for the user once a limit is hit */
};

struct host {
	struct lua_State *L;
	struct graph *g;
	struct conf *conf;
	char **inputs;        /* files and directories read: the regeneration depfile */
	size_t ninputs;
	struct strmap inputset; /* the same strings, to record each once */
	struct genfile *gens;
	size_t ngens;
	struct envvar *envs;  /* environment variables the plugins read, with the value used */
	size_t nenvs;
	struct envvar *snap;  /* kiln.env: the values of the last configure or reconfigure */
	size_t nsnap;
	int use_snap;         /* regeneration: read variables from snap, not the live environment */
	int api;              /* registry reference of the table lua/kiln.lua returned */
	int core;             /* registry reference of the primitives' table (K.core) */
	/* sets of owned strings (each value is its key): */
	struct strmap plugins;/* chunk names ("@name") of the plugin files: origins are in these */
	struct strmap genpaths, gendirs; /* generated files, and the directories they need */
	struct limits lim;
};

/* open in L the standard libraries kiln's Lua has: those of luaL_openlibs but package,
 * since nothing loads modules (plugins import through kiln, rules are kiln's own), and a
 * statically linked kiln then carries no dlopen */
void host_openlibs(struct lua_State *L);
/* create the state, load lua/kiln.lua; fatal with a message on failure */
struct host *host_new(struct conf *c, struct graph *g);
/* call api[fn](args...) with string arguments; returns 0 on success, else prints the Lua
 * error (file:line: message) and returns -1 */
int host_call(struct host *h, const char *fn, int nargs, const char **args);
/* the number api[fn]() returns, or -1 */
long host_number(struct host *h, const char *fn);
/* write into buf the "file:line" of the innermost plugin frame on L's stack; 1 if there is
 * one, else 0 (buf gets "kiln") */
int host_where(struct host *h, struct lua_State *L, char *buf, size_t len);
/* record a file or directory as an input of the generator */
void host_record(struct host *h, const char *path);
/* the value of an environment variable for the plugins (from kiln.env when regenerating),
 * recorded for kiln.env */
const char *host_getenv(struct host *h, const char *name);
/* read kiln.env (if present) into h->snap; write h->envs to kiln.env, only if it changed */
void host_load_env(struct host *h, const char *path);
void host_save_env(struct host *h, const char *path);

/* lua_limits.c: the allocator that enforces the memory limit (ud is the host), and the
 * timer and hook that enforce the time limit, which limits_start arms for the process */
void *limits_alloc(void *ud, void *ptr, size_t osize, size_t nsize);
void limits_start(struct host *h);

#endif
