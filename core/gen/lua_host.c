/* lua_host.c: the Lua state, the sandbox and the recording primitives (see lua_host.h) */
#define _XOPEN_SOURCE 700
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>

#include "graph.h"
#include "lua_host.h"
#include "util.h"

static struct host *
gethost(lua_State *L)
{
	return lua_touserdata(L, lua_upvalueindex(1));
}

void
host_record(struct host *h, const char *path)
{
	size_t i;

	for (i = h->ninputs; i > 0; i--)
		if (!strcmp(h->inputs[i - 1], path))
			return;
	h->inputs = xreallocarray(h->inputs, h->ninputs + 1, sizeof *h->inputs);
	h->inputs[h->ninputs++] = xstrdup(path);
}

/* record the nearest existing ancestor of a missing path: its mtime changes when the path
 * appears, while a missing file in a depfile would make Ninja regenerate every time */
static void
record_missing(struct host *h, const char *path)
{
	char *p = xstrdup(path), *slash;
	struct stat st;

	while ((slash = strrchr(p, '/')) && slash != p) {
		*slash = '\0';
		if (stat(p, &st) == 0) {
			host_record(h, p);
			break;
		}
	}
	free(p);
}

/* core.stat(path) -> "file" | "dir" | "other" | nil */
static int
l_stat(lua_State *L)
{
	struct host *h = gethost(L);
	const char *path = luaL_checkstring(L, 1);
	struct stat st;

	if (stat(path, &st) != 0) {
		record_missing(h, path);
		lua_pushnil(L);
		return 1;
	}
	lua_pushstring(L, S_ISREG(st.st_mode) ? "file" : S_ISDIR(st.st_mode) ? "dir" : "other");
	return 1;
}

static int
cmpstr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* core.listdir(path) -> sorted array of names (without . and ..), or nil, message */
static int
l_listdir(lua_State *L)
{
	struct host *h = gethost(L);
	const char *path = luaL_checkstring(L, 1);
	struct dirent *d;
	char **names = NULL;
	size_t n = 0, i;
	DIR *dir;

	dir = opendir(path);
	if (!dir) {
		record_missing(h, path);
		lua_pushnil(L);
		lua_pushfstring(L, "%s: %s", path, strerror(errno));
		return 2;
	}
	host_record(h, path);
	while ((d = readdir(dir))) {
		if (!strcmp(d->d_name, ".") || !strcmp(d->d_name, ".."))
			continue;
		names = xreallocarray(names, n + 1, sizeof *names);
		names[n++] = xstrdup(d->d_name);
	}
	closedir(dir);
	qsort(names, n, sizeof *names, cmpstr);
	lua_createtable(L, (int)n, 0);
	for (i = 0; i < n; i++) {
		lua_pushstring(L, names[i]);
		lua_rawseti(L, -2, (lua_Integer)i + 1);
		free(names[i]);
	}
	free(names);
	return 1;
}

/* core.readfile(path) -> contents, or nil, message */
static int
l_readfile(lua_State *L)
{
	struct host *h = gethost(L);
	const char *path = luaL_checkstring(L, 1);
	size_t len;
	char *s = read_file(path, &len);

	if (!s) {
		record_missing(h, path);
		lua_pushnil(L);
		lua_pushfstring(L, "%s: %s", path, strerror(errno));
		return 2;
	}
	host_record(h, path);
	lua_pushlstring(L, s, len);
	free(s);
	return 1;
}

const char *
host_getenv(struct host *h, const char *name)
{
	const char *v = NULL;
	size_t i;
	int found = 0;

	for (i = 0; i < h->nenvs; i++)
		if (!strcmp(h->envs[i].name, name))
			return h->envs[i].value;
	if (h->use_snap)
		for (i = 0; i < h->nsnap; i++)
			if (!strcmp(h->snap[i].name, name)) {
				v = h->snap[i].value;
				found = 1;
				break;
			}
	if (!found)
		v = getenv(name);
	h->envs = xreallocarray(h->envs, h->nenvs + 1, sizeof *h->envs);
	h->envs[h->nenvs].name = xstrdup(name);
	h->envs[h->nenvs].value = v ? xstrdup(v) : NULL;
	return h->envs[h->nenvs++].value;
}

/* kiln.env lines: "NAME=VALUE" (backslash escapes for '\\' and newline) or "-NAME" (unset) */
void
host_load_env(struct host *h, const char *path)
{
	size_t len;
	char *text = read_file(path, &len), *line, *save = NULL;

	if (!text)
		return;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		struct envvar e = { NULL, NULL };
		char *eq = strchr(line, '='), *r, *w;

		if (line[0] == '#')
			continue;
		if (line[0] == '-') {
			e.name = xstrdup(line + 1);
		} else if (eq) {
			e.name = xstrndup(line, (size_t)(eq - line));
			e.value = xstrdup(eq + 1);
			for (r = w = e.value; *r; r++, w++) {
				if (*r == '\\' && r[1] == 'n') { *w = '\n'; r++; }
				else if (*r == '\\' && r[1] == '\\') { *w = '\\'; r++; }
				else *w = *r;
			}
			*w = '\0';
		} else {
			continue;
		}
		h->snap = xreallocarray(h->snap, h->nsnap + 1, sizeof *h->snap);
		h->snap[h->nsnap++] = e;
	}
	free(text);
}

static int
cmpenv(const void *a, const void *b)
{
	return strcmp(((const struct envvar *)a)->name, ((const struct envvar *)b)->name);
}

void
host_save_env(struct host *h, const char *path)
{
	struct afile *a = afile_open(path);
	size_t i;
	const char *c;

	qsort(h->envs, h->nenvs, sizeof *h->envs, cmpenv);
	fprintf(a->f, "# kiln.env: the environment variables the plugins read, as configure (or ninja\n"
	              "# reconfigure) saw them. Regeneration uses these values, not the shell's.\n");
	for (i = 0; i < h->nenvs; i++) {
		if (!h->envs[i].value) {
			fprintf(a->f, "-%s\n", h->envs[i].name);
			continue;
		}
		fprintf(a->f, "%s=", h->envs[i].name);
		for (c = h->envs[i].value; *c; c++) {
			if (*c == '\n')
				fputs("\\n", a->f);
			else if (*c == '\\')
				fputs("\\\\", a->f);
			else
				fputc(*c, a->f);
		}
		fputc('\n', a->f);
	}
	afile_commit(a);
}

/* core.getenv(name) -> value or nil (see host_getenv) */
static int
l_getenv(lua_State *L)
{
	const char *v = host_getenv(gethost(L), luaL_checkstring(L, 1));

	if (v)
		lua_pushstring(L, v);
	else
		lua_pushnil(L);
	return 1;
}

/* push path and record it if it is an executable regular file; 1 if it was */
static int
push_executable(lua_State *L, struct host *h, const char *path)
{
	struct stat st;

	if (stat(path, &st) != 0 || !S_ISREG(st.st_mode) || access(path, X_OK) != 0)
		return 0;
	host_record(h, path);
	lua_pushstring(L, path);
	return 1;
}

/* core.find_program(name) -> absolute path or nil; searches PATH */
static int
l_find_program(lua_State *L)
{
	struct host *h = gethost(L);
	const char *name = luaL_checkstring(L, 1), *path = host_getenv(h, "PATH");
	char *dirs, *dir, *save = NULL, *full;
	int found = 0;

	if (strchr(name, '/')) {
		if (!push_executable(L, h, name))
			lua_pushnil(L);
		return 1;
	}
	dirs = xstrdup(path ? path : "/usr/bin:/bin");
	for (dir = strtok_r(dirs, ":", &save); dir && !found; dir = strtok_r(NULL, ":", &save)) {
		if (dir[0] != '/')
			continue; /* relative PATH entries depend on the directory ninja runs in */
		full = xasprintf("%s/%s", dir, name);
		found = push_executable(L, h, full);
		free(full);
	}
	free(dirs);
	if (!found)
		lua_pushnil(L);
	return 1;
}

/* core.realpath(path) -> absolute canonical path or nil */
static int
l_realpath(lua_State *L)
{
	char buf[PATH_MAX];

	if (realpath(luaL_checkstring(L, 1), buf))
		lua_pushstring(L, buf);
	else
		lua_pushnil(L);
	return 1;
}

/* core.loadfile(path, chunkname, env) -> function, or nil, message; text chunks only */
static int
l_loadfile(lua_State *L)
{
	struct host *h = gethost(L);
	const char *path = luaL_checkstring(L, 1), *name = luaL_checkstring(L, 2);
	size_t len;
	char *s;

	luaL_checktype(L, 3, LUA_TTABLE);
	s = read_file(path, &len);
	if (!s) {
		lua_pushnil(L);
		lua_pushfstring(L, "%s: %s", path, strerror(errno));
		return 2;
	}
	host_record(h, path);
	if (luaL_loadbufferx(L, s, len, lua_pushfstring(L, "@%s", name), "t") != LUA_OK) {
		free(s);
		lua_pushnil(L);
		lua_insert(L, -2);
		return 2;
	}
	free(s);
	lua_pushvalue(L, 3);
	if (!lua_setupvalue(L, -2, 1))
		lua_pop(L, 1);
	return 1;
}

/* read t[k] as a string field or nil */
static const char *
sfield(lua_State *L, int t, const char *k)
{
	const char *s;

	lua_getfield(L, t, k);
	s = lua_isnil(L, -1) ? NULL : luaL_checkstring(L, -1);
	lua_pop(L, 1);
	return s;
}

/* add each string of the array t[k] to edge e as kind */
static void
addlist(lua_State *L, struct host *h, struct edge *e, int t, const char *k, int kind)
{
	lua_Integer i, n;

	if (lua_getfield(L, t, k) == LUA_TNIL) {
		lua_pop(L, 1);
		return;
	}
	luaL_checktype(L, -1, LUA_TTABLE);
	n = luaL_len(L, -1);
	for (i = 1; i <= n; i++) {
		const char *p;

		lua_rawgeti(L, -1, i);
		p = luaL_checkstring(L, -1);
		edge_add(h->g, e, kind, p);
		lua_pop(L, 1);
	}
	lua_pop(L, 1);
}

/* read t[k], an array of {name, value} pairs, into vars */
static void
addvars(lua_State *L, int t, const char *k, struct var **v, size_t *nv)
{
	lua_Integer i, n;

	if (lua_getfield(L, t, k) == LUA_TNIL) {
		lua_pop(L, 1);
		return;
	}
	luaL_checktype(L, -1, LUA_TTABLE);
	n = luaL_len(L, -1);
	for (i = 1; i <= n; i++) {
		lua_rawgeti(L, -1, i);
		lua_rawgeti(L, -1, 1);
		lua_rawgeti(L, -2, 2);
		var_add(v, nv, luaL_checkstring(L, -2), luaL_checkstring(L, -1));
		lua_pop(L, 3);
	}
	lua_pop(L, 1);
}

/* core.rule{name=, origin=, vars={{k,v}...}} */
static int
l_rule(lua_State *L)
{
	struct host *h = gethost(L);
	struct rule *r;
	const char *name;

	luaL_checktype(L, 1, LUA_TTABLE);
	name = sfield(L, 1, "name");
	if (!name)
		return luaL_error(L, "core.rule: missing name");
	r = graph_rule(h->g, name, sfield(L, 1, "origin") ? sfield(L, 1, "origin") : "?");
	if (!r)
		return luaL_error(L, "rule '%s' is defined twice", name);
	addvars(L, 1, "vars", &r->vars, &r->nvars);
	return 0;
}

/* core.pool(name, depth) */
static int
l_pool(lua_State *L)
{
	struct host *h = gethost(L);
	const char *name = luaL_checkstring(L, 1);
	lua_Integer depth = luaL_checkinteger(L, 2);

	if (depth < 1 || depth > 1024)
		return luaL_error(L, "pool '%s': depth %d is out of range 1..1024", name, (int)depth);
	if (graph_pool(h->g, name, (int)depth) != 0)
		return luaL_error(L, "pool '%s' is defined twice with different depths", name);
	return 0;
}

/* core.edge{rule=, outs=, iouts=, ins=, imps=, orders=, vals=, vars=, pool=, origin=, owner=} */
static int
l_edge(lua_State *L)
{
	struct host *h = gethost(L);
	struct rule *r = NULL;
	const char *rn, *pool;
	struct edge *e;

	luaL_checktype(L, 1, LUA_TTABLE);
	rn = sfield(L, 1, "rule");
	if (!rn)
		return luaL_error(L, "core.edge: missing rule");
	if (strcmp(rn, "phony") != 0 && !(r = graph_find_rule(h->g, rn)))
		return luaL_error(L, "core.edge: unknown rule '%s'", rn);
	e = graph_edge(h->g, r, sfield(L, 1, "origin"), sfield(L, 1, "owner"));
	addlist(L, h, e, 1, "outs", 'o');
	addlist(L, h, e, 1, "iouts", 'O');
	addlist(L, h, e, 1, "ins", 'i');
	addlist(L, h, e, 1, "imps", 'I');
	addlist(L, h, e, 1, "orders", '|');
	addlist(L, h, e, 1, "vals", '@');
	addvars(L, 1, "vars", &e->vars, &e->nvars);
	if ((pool = sfield(L, 1, "pool")))
		e->pool = xstrdup(pool);
	if (e->nout == 0)
		return luaL_error(L, "core.edge: an edge of rule '%s' has no outputs", rn);
	edge_done(h->g, e);
	return 0;
}

/* core.default(path) */
static int
l_default(lua_State *L)
{
	struct host *h = gethost(L);
	struct graph *g = h->g;

	g->defaults = xreallocarray(g->defaults, g->ndefaults + 1, sizeof *g->defaults);
	g->defaults[g->ndefaults++] = xstrdup(luaL_checkstring(L, 1));
	return 0;
}

/* core.generate(path, content, origin): a file kiln gen writes into the build dir */
static int
l_generate(lua_State *L)
{
	struct host *h = gethost(L);
	const char *path = luaL_checkstring(L, 1), *origin = luaL_checkstring(L, 3);
	size_t len, i;
	const char *content = luaL_checklstring(L, 2, &len);
	char *norm = path_normalize(path);

	for (i = 0; i < h->ngens; i++)
		if (!strcmp(h->gens[i].path, norm)) {
			free(norm);
			return luaL_error(L, "generated file %s is declared twice (%s and %s)", path,
			                  h->gens[i].origin, origin);
		}
	h->gens = xreallocarray(h->gens, h->ngens + 1, sizeof *h->gens);
	h->gens[h->ngens].path = norm;
	h->gens[h->ngens].content = xmalloc(len + 1);
	memcpy(h->gens[h->ngens].content, content, len + 1);
	h->gens[h->ngens].len = len;
	h->gens[h->ngens].origin = xstrdup(origin);
	h->ngens++;
	return 0;
}

static void
setconf(lua_State *L, struct conf *c)
{
	size_t i;

	lua_newtable(L);
	lua_pushstring(L, c->datadir);
	lua_setfield(L, -2, "datadir");
	lua_pushstring(L, c->builddir);
	lua_setfield(L, -2, "builddir");
	lua_pushstring(L, c->arch);
	lua_setfield(L, -2, "arch");
	lua_pushstring(L, c->redox_src ? c->redox_src : "");
	lua_setfield(L, -2, "redox_src");
	lua_pushstring(L, c->system ? c->system : "");
	lua_setfield(L, -2, "system");
	lua_pushstring(L, c->kiln);
	lua_setfield(L, -2, "kiln");
	lua_pushstring(L, KILN_VERSION);
	lua_setfield(L, -2, "version");
	lua_createtable(L, (int)c->nplugin_dirs, 0);
	for (i = 0; i < c->nplugin_dirs; i++) {
		lua_pushstring(L, c->plugin_dirs[i]);
		lua_rawseti(L, -2, (lua_Integer)i + 1);
	}
	lua_setfield(L, -2, "plugin_dirs");
	lua_createtable(L, (int)c->nopts, 0);
	for (i = 0; i < c->nopts; i++) {
		lua_pushstring(L, c->opts[i]);
		lua_rawseti(L, -2, (lua_Integer)i + 1);
	}
	lua_setfield(L, -2, "opts");
}

static int
traceback(lua_State *L)
{
	const char *msg = lua_tostring(L, 1);

	if (!msg)
		msg = "(error object is not a string)";
	if (getenv("KILN_DEBUG"))
		luaL_traceback(L, L, msg, 1);
	else
		lua_pushstring(L, msg);
	return 1;
}

struct host *
host_new(struct conf *c, struct graph *g)
{
	static const luaL_Reg prims[] = {
		{ "stat", l_stat }, { "listdir", l_listdir }, { "readfile", l_readfile },
		{ "getenv", l_getenv }, { "find_program", l_find_program }, { "realpath", l_realpath },
		{ "loadfile", l_loadfile }, { "rule", l_rule }, { "pool", l_pool }, { "edge", l_edge },
		{ "default", l_default }, { "generate", l_generate }, { NULL, NULL },
	};
	struct host *h = xcalloc(1, sizeof *h);
	char *path = xasprintf("%s/lua/kiln.lua", c->datadir);
	lua_State *L;

	h->g = g;
	h->conf = c;
	h->L = L = luaL_newstate();
	if (!L)
		fatal("cannot create a Lua state");
	luaL_openlibs(L);
	lua_pushcfunction(L, traceback);
	if (luaL_loadfilex(L, path, "t") != LUA_OK)
		fatal("%s", lua_tostring(L, -1));
	host_record(h, path);
	lua_newtable(L);
	lua_pushlightuserdata(L, h);
	luaL_setfuncs(L, prims, 1);
	lua_pushvalue(L, -1);
	h->core = luaL_ref(L, LUA_REGISTRYINDEX);
	setconf(L, c);
	if (lua_pcall(L, 2, 1, 1) != LUA_OK)
		fatal("%s", lua_tostring(L, -1));
	if (!lua_istable(L, -1))
		fatal("%s did not return the API table", path);
	h->api = luaL_ref(L, LUA_REGISTRYINDEX);
	lua_pop(L, 1);
	free(path);
	return h;
}

int
host_call(struct host *h, const char *fn, int nargs, const char **args)
{
	lua_State *L = h->L;
	int i;

	lua_pushcfunction(L, traceback);
	lua_rawgeti(L, LUA_REGISTRYINDEX, h->api);
	lua_getfield(L, -1, fn);
	lua_remove(L, -2);
	if (!lua_isfunction(L, -1))
		fatal("lua/kiln.lua has no function '%s'", fn);
	for (i = 0; i < nargs; i++)
		lua_pushstring(L, args[i]);
	if (lua_pcall(L, nargs, 0, -nargs - 2) != LUA_OK) {
		const char *msg = lua_tostring(L, -1);
		size_t n = strlen(argv0);

		/* one prefix: "kiln show: x", never "kiln show: kiln show: x" or "kiln show: kiln: x" */
		if (!strncmp(msg, argv0, n) && !strncmp(msg + n, ": ", 2))
			msg += n + 2;
		else if (!strncmp(msg, "kiln: ", 6))
			msg += 6;
		fflush(stdout);
		fprintf(stderr, "%s: %s\n", argv0, msg);
		lua_pop(L, 2);
		return -1;
	}
	lua_pop(L, 1);
	return 0;
}

long
host_number(struct host *h, const char *fn)
{
	lua_State *L = h->L;
	long v = -1;

	lua_rawgeti(L, LUA_REGISTRYINDEX, h->api);
	lua_getfield(L, -1, fn);
	if (lua_isfunction(L, -1) && lua_pcall(L, 0, 1, 0) == LUA_OK && lua_isinteger(L, -1))
		v = (long)lua_tointeger(L, -1);
	lua_pop(L, 2);
	return v;
}
