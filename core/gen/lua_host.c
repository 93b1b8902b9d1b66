/* lua_host.c: the Lua state, the sandbox and the recording primitives (see lua_host.h) */
#define _XOPEN_SOURCE 700
#define _DARWIN_C_SOURCE  /* macOS hides part of POSIX.1-2008 (O_NOFOLLOW) without it; others ignore it */
#include <dirent.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
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
#include "image/sha256.h"
#include "gen.h"
#include "lua_host.h"
#include "ninja.h"
#include "util.h"

/* sets of names (h->plugins, h->genpaths, h->gendirs): a strmap whose values are their keys */
static int
set_has(const struct strmap *m, const char *k)
{
	return strmap_get(m, k, strlen(k)) != NULL;
}

/* add a copy of k unless it is there; returns the copy, or NULL when k was there */
static char *
set_add(struct strmap *m, const char *k)
{
	size_t n = strlen(k);
	char *c;

	if (strmap_get(m, k, n))
		return NULL;
	c = xstrndup(k, n);
	strmap_put(m, c, n, c);
	return c;
}

/* the innermost (outer = 0) or outermost plugin frame, as host_where describes; the line is
 * computed for the chosen frame only */
static int
where(struct host *h, lua_State *L, int outer, char *buf, size_t len)
{
	lua_Debug ar;
	int level, found = -1;
	size_t n;

	for (level = 0; lua_getstack(L, level, &ar); level++) {
		if (!lua_getinfo(L, "S", &ar) || !ar.source ||
		    !strmap_get(&h->plugins, ar.source, ar.srclen))
			continue;
		found = level;
		if (!outer)
			break;
	}
	if (found < 0 || !lua_getstack(L, found, &ar) || !lua_getinfo(L, "Sl", &ar)) {
		snprintf(buf, len, "kiln");
		return 0;
	}
	n = strlen(ar.source + 1);
	if (n + 24 > len) {
		snprintf(buf, len, "%s:%d", ar.source + 1, ar.currentline);
		return 1;
	}
	memcpy(buf, ar.source + 1, n);
	buf[n++] = ':';
	{
		char d[16];
		int k = 0;
		unsigned v = ar.currentline > 0 ? (unsigned)ar.currentline : 0;

		do d[k++] = (char)('0' + v % 10); while ((v /= 10));
		while (k)
			buf[n++] = d[--k];
	}
	buf[n] = '\0';
	return 1;
}

int
host_where(struct host *h, lua_State *L, char *buf, size_t len)
{
	return where(h, L, 0, buf, len);
}

static struct host *
gethost(lua_State *L)
{
	return lua_touserdata(L, lua_upvalueindex(1));
}

void
host_record(struct host *h, const char *path)
{
	char *c = set_add(&h->inputset, path);

	if (!c)
		return;
	h->inputs = xreallocarray(h->inputs, h->ninputs + 1, sizeof *h->inputs);
	h->inputs[h->ninputs++] = c;
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

/* stat PATH for a probe: 1 with st filled, or 0 with nil pushed and the missing path recorded
 * (its nearest existing ancestor), so that build.ninja regenerates when it appears */
static int
stat_probe(lua_State *L, struct host *h, const char *path, struct stat *st)
{
	if (stat(path, st) == 0)
		return 1;
	record_missing(h, path);
	lua_pushnil(L);
	return 0;
}

static const char *
kind_of(const struct stat *st)
{
	return S_ISREG(st->st_mode) ? "file" : S_ISDIR(st->st_mode) ? "dir" : "other";
}

/* core.stat(path) -> "file" | "dir" | "other" | nil */
static int
l_stat(lua_State *L)
{
	struct host *h = gethost(L);
	const char *path = luaL_checkstring(L, 1);
	struct stat st;

	if (!stat_probe(L, h, path, &st))
		return 1;
	lua_pushstring(L, kind_of(&st));
	return 1;
}

/* core.probe(path) -> like core.stat, for what a plugin asks (fs.exists): the answer is
 * recorded whatever it is, so that build.ninja regenerates when the path appears, goes or
 * changes type. An existing path records its directory, whose mtime changes exactly when an
 * entry is added, removed or renamed (recording the file would regenerate on every edit). */
static int
l_probe(lua_State *L)
{
	struct host *h = gethost(L);
	const char *path = luaL_checkstring(L, 1);
	struct stat st;

	if (!stat_probe(L, h, path, &st))
		return 1;
	{
		char *dir = xstrdup(path), *slash = strrchr(dir, '/');

		if (slash && slash != dir)
			*slash = '\0';
		else if (slash)
			dir[1] = '\0';
		host_record(h, slash ? dir : ".");
		free(dir);
	}
	lua_pushstring(L, kind_of(&st));
	return 1;
}

/* core.access(path) -> "rw" (a file this process may read and write, such as a usable
 * /dev/kvm), "exists" (there, but not both), or nil; recorded either way: an existing path
 * itself (it going away makes Ninja regenerate, and so does a new mtime), a missing one its
 * nearest existing ancestor (whose mtime changes when the path appears). Permissions and
 * group memberships have no mtime: a change to those needs configure again. */
static int
l_access(lua_State *L)
{
	struct host *h = gethost(L);
	const char *path = luaL_checkstring(L, 1);
	struct stat st;

	if (!stat_probe(L, h, path, &st))
		return 1;
	host_record(h, path);
	lua_pushstring(L, access(path, R_OK | W_OK) == 0 ? "rw" : "exists");
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
	if (n)  /* an empty directory leaves names NULL: qsort(NULL, 0) is undefined */
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
	struct stat st;
	char *s;

	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		host_record(h, path);
		lua_pushnil(L);
		lua_pushfstring(L, "%s: not a regular file (%s)", path, S_ISDIR(st.st_mode) ? "a directory" :
		                "a device, FIFO or socket, which could block or never end");
		return 2;
	}
	if (stat(path, &st) == 0 && (uint64_t)st.st_size > h->lim.bytes) {
		lua_pushnil(L);
		lua_pushfstring(L, "%s: %d MiB, more than the memory limit of kiln gen", path, (int)(st.st_size >> 20));
		return 2;
	}
	s = read_file(path, &len);
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

	if (h->nenvs)
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

/* core.find_program(name) -> absolute path or nil; searches PATH. Every directory searched
 * without finding it is recorded too (or, when missing, its nearest existing ancestor):
 * installing the program there changes the directory, and build.ninja regenerates. */
static int
l_find_program(lua_State *L)
{
	struct host *h = gethost(L);
	const char *name = luaL_checkstring(L, 1), *path = host_getenv(h, "PATH");
	char *dirs, *dir, *save = NULL, *full;
	int found = 0;

	if (strchr(name, '/')) {
		if (!push_executable(L, h, name)) {
			struct stat st;

			if (stat(name, &st) == 0)
				host_record(h, name);
			else
				record_missing(h, name);
			lua_pushnil(L);
		}
		return 1;
	}
	dirs = xstrdup(path ? path : "/usr/bin:/bin");
	for (dir = strtok_r(dirs, ":", &save); dir && !found; dir = strtok_r(NULL, ":", &save)) {
		if (dir[0] != '/')
			continue; /* relative PATH entries depend on the directory ninja runs in */
		full = xasprintf("%s/%s", dir, name);
		found = push_executable(L, h, full);
		free(full);
		if (!found) {
			struct stat st;

			if (stat(dir, &st) == 0)
				host_record(h, dir);
			else
				record_missing(h, dir);
		}
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

/* core.loadfile(path, chunkname, env [, plugin]) -> function, or nil, message; text chunks
 * only. plugin: the chunk is a plugin file, whose lines origins and limit messages name */
static int
l_loadfile(lua_State *L)
{
	struct host *h = gethost(L);
	const char *path = luaL_checkstring(L, 1), *name = luaL_checkstring(L, 2);
	size_t len;
	char *s;

	luaL_checktype(L, 3, LUA_TTABLE);
	{
		struct stat st;

		if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
			lua_pushnil(L);
			lua_pushfstring(L, "%s: not a regular file", path);
			return 2;
		}
	}
	s = read_file(path, &len);
	if (!s) {
		lua_pushnil(L);
		lua_pushfstring(L, "%s: %s", path, strerror(errno));
		return 2;
	}
	host_record(h, path);
	if (lua_toboolean(L, 4))
		set_add(&h->plugins, lua_pushfstring(L, "@%s", name));
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

/* s for a message: at most 120 bytes, control characters as \n, \r, \xNN */
static const char *
shown(lua_State *L, const char *s, size_t len)
{
	luaL_Buffer b;
	size_t i;

	luaL_buffinit(L, &b);
	luaL_addchar(&b, '"');
	for (i = 0; i < len && i < 120; i++) {
		unsigned char c = (unsigned char)s[i];
		char x[8];

		if (c == '\n') luaL_addstring(&b, "\\n");
		else if (c == '\r') luaL_addstring(&b, "\\r");
		else if (c < 32 || c == 127) { snprintf(x, sizeof x, "\\x%02x", c); luaL_addstring(&b, x); }
		else luaL_addchar(&b, (char)c);
	}
	luaL_addstring(&b, len > 120 ? "\"..." : "\"");
	luaL_pushresult(&b);
	return lua_tostring(L, -1);
}

/* raise "origin: message" without a Lua position (origin names the plugin line) */
static int
edge_error(lua_State *L, const char *origin, const char *fmt, ...)
{
	va_list ap;

	lua_pushfstring(L, "%s: ", origin ? origin : "kiln");
	va_start(ap, fmt);
	lua_pushvfstring(L, fmt, ap);
	va_end(ap);
	lua_concat(L, 2);
	return lua_error(L);
}

/* a Ninja name (rule, pool, variable): letters, digits, '_', '.', '-' */
static int
ninja_name(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
		      *s == '_' || *s == '.' || *s == '-'))
			return 0;
	return 1;
}

/* 1 if the normalised path p names something inside the build directory */
static int
inside_builddir(const char *p)
{
	return p[0] != '/' && strcmp(p, ".") != 0 && strcmp(p, "..") != 0 && strncmp(p, "../", 3) != 0;
}

/* add each string of the array t[k] to edge e as kind; every path must be representable in
 * build.ninja, and outputs must lie inside the build directory */
static void
addlist(lua_State *L, struct host *h, struct edge *e, int t, const char *k, int kind)
{
	lua_Integer i, n;

	if (lua_getfield(L, t, k) == LUA_TNIL) {
		lua_pop(L, 1);
		return;
	}
	if (!lua_istable(L, -1))
		edge_error(L, e->origin, "core.edge: %s must be a list of paths", k);
	n = luaL_len(L, -1);
	for (i = 1; i <= n; i++) {
		const char *p, *why;
		size_t len;

		if (lua_rawgeti(L, -1, i) != LUA_TSTRING)
			edge_error(L, e->origin, "core.edge: %s[%d] is a %s, not a path", k, (int)i, luaL_typename(L, -1));
		p = lua_tolstring(L, -1, &len);
		if ((why = ninja_unwritable(p, len, 0)))
			edge_error(L, e->origin, "the path %s of '%s' contains %s, which build.ninja cannot represent; "
			           "rename the file", shown(L, p, len), e->owner ? e->owner : "an edge", why);
		edge_add(h->g, e, kind, p);
		if ((kind == 'o' || kind == 'O') && !inside_builddir(e->out[kind == 'o' ? e->nout - 1 : e->nout + e->nimpout - 1]->path))
			edge_error(L, e->origin, "'%s' writes %s, outside the build directory; every output must "
			           "be a relative path inside it (such as out/NAME/FILE)", e->owner ? e->owner : "an edge",
			           shown(L, p, len));
		lua_pop(L, 1);
	}
	lua_pop(L, 1);
}

/* read t[k], an array of {name, value} pairs, into vars; names must be Ninja names and values
 * must not end a line or escape badly */
static void
addvars(lua_State *L, int t, const char *k, struct var **v, size_t *nv, const char *origin, const char *who)
{
	lua_Integer i, n;

	if (lua_getfield(L, t, k) == LUA_TNIL) {
		lua_pop(L, 1);
		return;
	}
	if (!lua_istable(L, -1))
		edge_error(L, origin, "core: %s must be a list of {name, value} pairs", k);
	n = luaL_len(L, -1);
	for (i = 1; i <= n; i++) {
		const char *name, *val, *why;
		size_t len;

		lua_rawgeti(L, -1, i);
		if (!lua_istable(L, -1) || lua_rawgeti(L, -1, 1) != LUA_TSTRING || lua_rawgeti(L, -2, 2) != LUA_TSTRING)
			edge_error(L, origin, "core: %s[%d] of %s must be a {name, value} pair of strings", k, (int)i, who);
		name = lua_tostring(L, -2);
		val = lua_tolstring(L, -1, &len);
		if (!ninja_name(name))
			edge_error(L, origin, "%s: %s is not a Ninja variable name (letters, digits, '_', '.', '-')",
			           who, shown(L, name, strlen(name)));
		if ((why = ninja_unwritable(val, len, 1)))
			edge_error(L, origin, "the value of $%s of '%s' contains %s, which would end the line in "
			           "build.ninja (what follows would be read as Ninja statements): %s", name, who, why,
			           shown(L, val, len));
		var_add(v, nv, name, val);
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
	const char *name, *origin;

	luaL_checktype(L, 1, LUA_TTABLE);
	name = sfield(L, 1, "name");
	origin = sfield(L, 1, "origin");
	if (!name || !ninja_name(name))
		return edge_error(L, origin, "core.rule: a rule needs a name of letters, digits, '_', '.', '-'");
	r = graph_rule(h->g, name, origin ? origin : "?");
	if (!r)
		return edge_error(L, origin, "rule '%s' is defined twice", name);
	addvars(L, 1, "vars", &r->vars, &r->nvars, origin, name);
	return 0;
}

/* core.pool(name, depth) */
static int
l_pool(lua_State *L)
{
	struct host *h = gethost(L);
	const char *name = luaL_checkstring(L, 1);
	lua_Integer depth = luaL_checkinteger(L, 2);

	if (!ninja_name(name))
		return luaL_error(L, "pool %s: a pool name is made of letters, digits, '_', '.', '-'",
		                  shown(L, name, strlen(name)));
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
	const char *rn, *pool, *origin, *owner;
	struct edge *e;
	size_t i;

	luaL_checktype(L, 1, LUA_TTABLE);
	rn = sfield(L, 1, "rule");
	origin = sfield(L, 1, "origin");
	owner = sfield(L, 1, "owner");
	if (!rn)
		return edge_error(L, origin, "core.edge: missing rule");
	if (strcmp(rn, "phony") != 0 && !(r = graph_find_rule(h->g, rn)))
		return edge_error(L, origin, "core.edge: unknown rule '%s'", rn);
	if (origin && !ninja_representable(origin))
		origin = "(a plugin whose path contains a newline)";
	if (owner && !ninja_representable(owner))
		return edge_error(L, origin, "core.edge: the owner name %s contains a newline", shown(L, owner, strlen(owner)));
	e = graph_edge(h->g, r, origin, owner);
	addlist(L, h, e, 1, "outs", 'o');
	addlist(L, h, e, 1, "iouts", 'O');
	addlist(L, h, e, 1, "ins", 'i');
	addlist(L, h, e, 1, "imps", 'I');
	addlist(L, h, e, 1, "orders", '|');
	addlist(L, h, e, 1, "vals", '@');
	addvars(L, 1, "vars", &e->vars, &e->nvars, e->origin, owner ? owner : rn);
	if ((pool = sfield(L, 1, "pool"))) {
		if (!ninja_name(pool))
			return edge_error(L, e->origin, "core.edge: pool %s is not a Ninja name", shown(L, pool, strlen(pool)));
		e->pool = xstrdup(pool);
	}
	if (e->nout == 0)
		return edge_error(L, e->origin, "core.edge: an edge of rule '%s' has no outputs", rn);
	for (i = 0; i < e->nout + e->nimpout; i++)
		if (h->genpaths.n && set_has(&h->genpaths, e->out[i]->path))
			return edge_error(L, e->origin, "%s is written by kiln gen itself (a generated file); "
			                  "an edge cannot produce it too", e->out[i]->path);
	edge_done(h->g, e);
	return 0;
}

/* core.default(path) */
static int
l_default(lua_State *L)
{
	struct host *h = gethost(L);
	struct graph *g = h->g;
	size_t len;
	const char *p = luaL_checklstring(L, 1, &len), *why;

	if ((why = ninja_unwritable(p, len, 0)))
		return luaL_error(L, "default target %s contains %s", shown(L, p, len), why);
	g->defaults = xreallocarray(g->defaults, g->ndefaults + 1, sizeof *g->defaults);
	g->defaults[g->ndefaults++] = xstrdup(p);
	return 0;
}

/* core.generate(path, content, origin): a file kiln gen writes into the build dir after
 * validation. The path must lie inside the build directory and must not be a directory that
 * another generated file needs, nor need one that is a generated file. */
static int
l_generate(lua_State *L)
{
	struct host *h = gethost(L);
	size_t plen, len;
	const char *path = luaL_checklstring(L, 1, &plen), *origin = luaL_checkstring(L, 3), *why;
	const char *content = luaL_checklstring(L, 2, &len);
	char *norm, *slash;
	size_t i;

	if ((why = ninja_unwritable(path, plen, 0)))
		return edge_error(L, origin, "generated file %s: the name contains %s", shown(L, path, plen), why);
	norm = path_normalize(path);
	if (!inside_builddir(norm) || !strcmp(norm, "gen")) {
		lua_pushstring(L, norm);
		free(norm);
		return edge_error(L, origin, "generated file %s lies outside the build directory's gen/",
		                  shown(L, path, plen));
	}
	if (set_has(&h->genpaths, norm) || set_has(&h->gendirs, norm)) {
		for (i = 0; i < h->ngens; i++)
			if (!strcmp(h->gens[i].path, norm) || (!strncmp(h->gens[i].path, norm, strlen(norm)) &&
			                                         h->gens[i].path[strlen(norm)] == '/'))
				break;
		lua_pushstring(L, i < h->ngens ? h->gens[i].origin : "?");
		lua_pushstring(L, i < h->ngens ? h->gens[i].path : "?");
		free(norm);
		return edge_error(L, origin, "generated file %s collides with %s, declared at %s",
		                  path, lua_tostring(L, -1), lua_tostring(L, -2));
	}
	for (slash = strchr(norm, '/'); slash; slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		if (set_has(&h->genpaths, norm)) {
			for (i = 0; i < h->ngens && strcmp(h->gens[i].path, norm); i++)
				;
			lua_pushstring(L, norm);
			*slash = '/';
			free(norm);
			return edge_error(L, origin, "generated file %s needs the directory %s, which is a generated "
			                  "file declared at %s", path, lua_tostring(L, -1), i < h->ngens ? h->gens[i].origin : "?");
		}
		set_add(&h->gendirs, norm);
		*slash = '/';
	}
	set_add(&h->genpaths, norm);
	h->gens = xreallocarray(h->gens, h->ngens + 1, sizeof *h->gens);
	h->gens[h->ngens].path = norm;
	h->gens[h->ngens].content = xmalloc(len + 1);
	memcpy(h->gens[h->ngens].content, content, len + 1);
	h->gens[h->ngens].len = len;
	h->gens[h->ngens].origin = xstrdup(origin);
	h->ngens++;
	return 0;
}

/* core.origin(outer) -> "file:line" of the outermost (outer true) or innermost plugin frame,
 * or nil */
static int
l_origin(lua_State *L)
{
	char buf[1024];

	if (where(gethost(L), L, lua_toboolean(L, 1), buf, sizeof buf))
		lua_pushstring(L, buf);
	else
		lua_pushnil(L);
	return 1;
}

/* core.parse_size(text) -> bytes, or nil, why: the size syntax of every kiln command (util.c
 * parse_size), so that an option, a plugin and `kiln redoxfs create` agree */
static int
l_parse_size(lua_State *L)
{
	size_t len;
	const char *s = luaL_checklstring(L, 1, &len);
	uint64_t v;

	if (strlen(s) != len || parse_size(s, &v) != 0) {
		/* well formed but not representable: say so, rather than "not a size" */
		const char *p = s;

		while (*p >= '0' && *p <= '9')
			p++;
		if (p > s && strchr("KkMmGgTt", *p) && *p)
			p++;
		if (p > s && *p == 'i' && strchr("KkMmGgTt", p[-1]))
			p++;
		if (p > s && (*p == 'B' || *p == 'b') && strchr("KkMmGgTti", p[-1]))
			p++;
		lua_pushnil(L);
		lua_pushstring(L, p > s && !*p && strlen(s) == len ? "too large (sizes go up to 2^63 - 1 bytes, just under 8388608T)" :
		               "not a size (a number of bytes, or with a K, M, G or T suffix)");
		return 2;
	}
	if (v > (uint64_t)LUA_MAXINTEGER) {
		lua_pushnil(L);
		lua_pushstring(L, "too large (sizes go up to 2^63 - 1 bytes, just under 8388608T)");
		return 2;
	}
	lua_pushinteger(L, (lua_Integer)v);
	return 1;
}

/* core.normalize(path) -> path_normalize(path): "//", "/./", "dir/.." and a trailing '/'
 * collapsed, lexically */
static int
l_normalize(lua_State *L)
{
	size_t len;
	const char *p = luaL_checklstring(L, 1, &len);
	char *n;

	if (strlen(p) != len) {
		/* left as it is: check_path names the NUL with the plugin's line */
		lua_pushvalue(L, 1);
		return 1;
	}
	n = path_normalize(p);
	lua_pushstring(L, n);
	free(n);
	return 1;
}

/* core.wrapper_summary() -> the rustc wrapper's settings, secrets by name only */
static int
l_wrapper_summary(lua_State *L)
{
	char *s = wrapper_env_summary(WRAPPER_ENV);

	lua_pushstring(L, s);
	free(s);
	return 1;
}

/* core.wrapper_version() -> the first line of `WRAPPER --version` of the configured rustc
 * wrapper ("sccache 0.4.0-pre.6"), or nil when there is none or it does not run */
static int
l_wrapper_version(lua_State *L)
{
	struct host *h = gethost(L);
	char *v;
	int st;

	if (!h->conf->rustc_wrapper || !*h->conf->rustc_wrapper) {
		lua_pushnil(L);
		return 1;
	}
	v = wrapper_version(h->conf->rustc_wrapper, &st);
	if (st == 0)
		lua_pushstring(L, v);
	else
		lua_pushnil(L);
	free(v);
	return 1;
}

/* core.sha256(text) -> 64 hex digits */
static int
l_sha256(lua_State *L)
{
	size_t len, i;
	const char *s = luaL_checklstring(L, 1, &len);
	unsigned char d[32];
	char hex[65];

	sha256(s, len, d);
	for (i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", d[i]);
	lua_pushlstring(L, hex, 64);
	return 1;
}

#if defined(__APPLE__)
#define KILN_HOST_OS "macos"
#elif defined(__linux__)
#define KILN_HOST_OS "linux"
#else
#define KILN_HOST_OS "other"
#endif
#if defined(__aarch64__) || defined(__arm64__)
#define KILN_HOST_ARCH "aarch64"
#elif defined(__x86_64__) || defined(__amd64__)
#define KILN_HOST_ARCH "x86_64"
#else
#define KILN_HOST_ARCH "other"
#endif

/* t[key] = value, for the table on top of the stack */
static void
setstr(lua_State *L, const char *key, const char *value)
{
	lua_pushstring(L, value);
	lua_setfield(L, -2, key);
}

static void
setconf(lua_State *L, struct conf *c)
{
	size_t i;

	lua_newtable(L);
	setstr(L, "datadir", c->datadir);
	setstr(L, "builddir", c->builddir);
	setstr(L, "arch", c->arch);
	setstr(L, "redox_src", c->redox_src ? c->redox_src : "");
	setstr(L, "system", c->system ? c->system : "");
	setstr(L, "kiln", c->kiln);
	setstr(L, "rustc_wrapper", c->rustc_wrapper ? c->rustc_wrapper : "");
	setstr(L, "version", KILN_VERSION);
	/* the machine kiln was built for (build.ninja depends on the kiln binary): what `ninja run`
	 * can accelerate */
	setstr(L, "host_os", KILN_HOST_OS);
	setstr(L, "host_arch", KILN_HOST_ARCH);
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

/* the message handler of every call into lua/kiln.lua: it runs where the error was raised,
 * so it can name the plugin line that led to it. An error object that is not a string
 * (error({})) gets a message; an error raised inside kiln's own Lua code (lua/, rules/) gets
 * the plugin line in front; a stack overflow says what usually causes one. */
static int
msghandler(lua_State *L)
{
	struct host *h = *(struct host **)lua_getextraspace(L);
	const char *msg = lua_tostring(L, 1);
	char where[1024];
	int inplugin = host_where(h, L, where, sizeof where);

	if (h->lim.hit) {
		msg = h->lim.msg;
	} else if (!msg) {
		msg = lua_pushfstring(L, "%s: error() was given %s%s instead of a message string; "
		                      "write error(\"what is wrong, and how to fix it\")", where,
		                      lua_isnil(L, 1) ? "" : "a ", luaL_typename(L, 1));
	} else if (inplugin && (!strncmp(msg, "lua/", 4) || !strncmp(msg, "rules/", 6))) {
		msg = lua_pushfstring(L, "%s: %s", where, msg);
	}
	if (!h->lim.hit && strstr(msg, "stack overflow") && !strstr(msg, "calls itself without end"))
		msg = lua_pushfstring(L, "%s (a function that calls itself without end, or a table nested "
		                      "thousands of levels deep)", msg);
	if (getenv("KILN_DEBUG"))
		luaL_traceback(L, L, msg, 1);
	else
		lua_pushstring(L, msg);
	return 1;
}

/* core.msghandler(err): the same handler for lua/kiln.lua's own xpcall around each plugin */
static int
l_msghandler(lua_State *L)
{
	return msghandler(L);
}

static int
panic(lua_State *L)
{
	const char *msg = lua_tostring(L, -1);

	fatal("Lua: %s", msg ? msg : "unprotected error");
}

void
host_openlibs(lua_State *L)
{
	static const luaL_Reg libs[] = {
		{ LUA_GNAME, luaopen_base }, { LUA_COLIBNAME, luaopen_coroutine },
		{ LUA_TABLIBNAME, luaopen_table }, { LUA_IOLIBNAME, luaopen_io },
		{ LUA_OSLIBNAME, luaopen_os }, { LUA_STRLIBNAME, luaopen_string },
		{ LUA_MATHLIBNAME, luaopen_math }, { LUA_UTF8LIBNAME, luaopen_utf8 },
		{ LUA_DBLIBNAME, luaopen_debug },
	};
	size_t i;

	for (i = 0; i < sizeof libs / sizeof libs[0]; i++) {
		luaL_requiref(L, libs[i].name, libs[i].func, 1);
		lua_pop(L, 1);
	}
}

struct host *
host_new(struct conf *c, struct graph *g)
{
	static const luaL_Reg prims[] = {
		{ "stat", l_stat }, { "probe", l_probe }, { "access", l_access }, { "listdir", l_listdir }, { "readfile", l_readfile },
		{ "getenv", l_getenv }, { "find_program", l_find_program }, { "realpath", l_realpath },
		{ "loadfile", l_loadfile }, { "rule", l_rule }, { "pool", l_pool }, { "edge", l_edge },
		{ "default", l_default }, { "generate", l_generate }, { "origin", l_origin },
		{ "parse_size", l_parse_size }, { "sha256", l_sha256 }, { "wrapper_summary", l_wrapper_summary },
		{ "wrapper_version", l_wrapper_version }, { "msghandler", l_msghandler },
		{ "normalize", l_normalize },
		{ NULL, NULL },
	};
	struct host *h = xcalloc(1, sizeof *h);
	char *path = xasprintf("%s/lua/kiln.lua", c->datadir), *text;
	size_t len;
	lua_State *L;

	h->g = g;
	h->conf = c;
	h->lim.seconds = c->time_limit > 0 ? c->time_limit : 60;
	h->lim.bytes = c->memory_limit > 0 ? c->memory_limit : (size_t)1 << 30;
	h->L = L = lua_newstate(limits_alloc, h);
	if (!L)
		fatal("cannot create a Lua state");
	lua_atpanic(L, panic);
	*(struct host **)lua_getextraspace(L) = h;
	limits_start(h);
	host_openlibs(L);
	lua_pushcfunction(L, msghandler);
	if (!(text = read_file(path, &len)))
		fatal("%s: %s (is the data directory right? it comes from kiln.conf's srcdir)", path, strerror(errno));
	if (luaL_loadbufferx(L, text, len, "@lua/kiln.lua", "t") != LUA_OK)
		fatal("%s", lua_tostring(L, -1));
	free(text);
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
	int i, rc;

	lua_pushcfunction(L, msghandler);
	lua_rawgeti(L, LUA_REGISTRYINDEX, h->api);
	lua_getfield(L, -1, fn);
	lua_remove(L, -2);
	if (!lua_isfunction(L, -1))
		fatal("lua/kiln.lua has no function '%s'", fn);
	for (i = 0; i < nargs; i++)
		lua_pushstring(L, args[i]);
	rc = lua_pcall(L, nargs, 0, -nargs - 2);
	if (rc != LUA_OK) {
		const char *msg = lua_tostring(L, -1);
		size_t n = strlen(argv0);

		fflush(stdout);
		if (h->lim.hit)
			msg = h->lim.msg;
		else if (rc == LUA_ERRMEM || !msg)
			msg = "out of memory";
		/* one prefix: "kiln show: x", never "kiln show: kiln show: x" or "kiln show: kiln: x" */
		if (!strncmp(msg, argv0, n) && !strncmp(msg + n, ": ", 2))
			msg += n + 2;
		else if (!strncmp(msg, "kiln: ", 6))
			msg += 6;
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
