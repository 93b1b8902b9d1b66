/* fuzz/lua_reader.c: the Lua state of the fuzz drivers for kiln's Lua readers.
 *
 * The state is made once per process like kiln's (core/gen/lua_host.c: the standard
 * libraries, lua/NAME.lua loaded as text chunks named "@lua/NAME.lua" in an environment over
 * _G, given the module table K), with one difference: its allocator refuses to go past 256
 * MiB, so that an input that makes a reader use memory without bound is a finding rather
 * than a machine out of memory. tests/fuzz/readers.lua loads the modules and holds the
 * checks; it is found in the source tree this file was compiled from, or in $KILN_SRCDIR.
 *
 * Built with -DKILN_AFL_LUA_COVERAGE (and afl-clang-fast, whose runtime has the coverage
 * map), a line hook feeds AFL++ the transitions between the Lua lines run, so that the
 * fuzzer sees the readers' own branches and not only those of the interpreter. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>

#include "lua_reader.h"

#define MEMORY_LIMIT ((size_t)256 << 20)

static lua_State *state;    /* made on the first input */
static size_t used;         /* bytes the state holds */

/* lua_Alloc with a limit: NULL (a Lua memory error) past MEMORY_LIMIT */
static void *
limited_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
	void *p;

	(void)ud;
	if (!ptr)
		osize = 0;
	if (nsize == 0) {
		free(ptr);
		used -= osize;
		return NULL;
	}
	if (nsize > osize && used + (nsize - osize) > MEMORY_LIMIT)
		return NULL;
	p = realloc(ptr, nsize);
	if (p)
		used = used - osize + nsize;
	return p;
}

#ifdef KILN_AFL_LUA_COVERAGE
extern unsigned char *__afl_area_ptr;  /* AFL++'s coverage map (afl-compiler-rt) */
extern unsigned int __afl_map_size;    /* its size */
static unsigned prev_line;             /* the last line run, hashed and shifted */

/* count the edge from the previous Lua line to this one, the way AFL counts C edges */
static void
line_hook(lua_State *L, lua_Debug *ar)
{
	unsigned cur = (unsigned)ar->currentline * 2654435761u;

	(void)L;
	cur ^= cur >> 16;
	__afl_area_ptr[(cur ^ prev_line) % __afl_map_size]++;
	prev_line = cur >> 1;
}
#endif

/* the source tree: $KILN_SRCDIR, else the one this file was compiled from */
static char *
srcdir(void)
{
	const char *env = getenv("KILN_SRCDIR"), *self = __FILE__, *tail = "tests/fuzz/lua_reader.c";
	size_t n = strlen(self), t = strlen(tail);
	char *d;

	if (env && *env)
		return strdup(env);
	if (n >= t && strcmp(self + n - t, tail) == 0)
		n -= t;
	else
		n = 0;
	if (n == 0)
		return strdup(".");
	d = strndup(self, n > 1 ? n - 1 : n);
	return d;
}

static int
traceback(lua_State *L)
{
	const char *msg = lua_tostring(L, 1);

	luaL_traceback(L, L, msg ? msg : "(error object is not a string)", 1);
	return 1;
}

/* the state, with the table of checks of readers.lua in the registry at "checks" */
static lua_State *
open_state(void)
{
	char *dir = srcdir();
	char *path = malloc(strlen(dir) + sizeof "/tests/fuzz/readers.lua");
	lua_State *L = lua_newstate(limited_alloc, NULL);

	if (!L || !path) {
		fprintf(stderr, "lua_reader: out of memory\n");
		abort();
	}
	luaL_openlibs(L);
	strcpy(path, dir);
	strcat(path, "/tests/fuzz/readers.lua");
	lua_pushcfunction(L, traceback);
	if (luaL_loadfilex(L, path, "t") != LUA_OK) {
		fprintf(stderr, "lua_reader: %s\n", lua_tostring(L, -1));
		abort();
	}
	lua_pushstring(L, dir);
	if (lua_pcall(L, 1, 1, -3) != LUA_OK || !lua_istable(L, -1)) {
		fprintf(stderr, "lua_reader: %s: %s\n", path, lua_tostring(L, -1));
		abort();
	}
	lua_setfield(L, LUA_REGISTRYINDEX, "checks");
	lua_pop(L, 1);
	free(path);
	free(dir);
#ifdef KILN_AFL_LUA_COVERAGE
	lua_sethook(L, line_hook, LUA_MASKLINE, 0);
#endif
	return L;
}

void
lua_reader_check(const char *fn, const uint8_t *data, size_t size)
{
	lua_State *L = state ? state : (state = open_state());
	int top = lua_gettop(L);

#ifdef KILN_AFL_LUA_COVERAGE
	prev_line = 0;
#endif
	lua_pushcfunction(L, traceback);
	lua_getfield(L, LUA_REGISTRYINDEX, "checks");
	lua_getfield(L, -1, fn);
	lua_remove(L, -2);
	lua_pushlstring(L, (const char *)data, size);
	if (lua_pcall(L, 1, 1, top + 1) != LUA_OK) {
		fprintf(stderr, "lua_reader: the check %s failed: %s\n", fn, lua_tostring(L, -1));
		abort();
	}
	if (!lua_isnil(L, -1)) {
		fprintf(stderr, "lua_reader: finding (%s): %s\n", fn, lua_tostring(L, -1));
		abort();
	}
	lua_settop(L, top);
}
