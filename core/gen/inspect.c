/* inspect.c: Lua primitives that read built images, for kiln report and the summary that
 * ends `ninja image` (lua/report.lua): a file's size, the GPT of a disk, the files of a FAT
 * volume, the blocks a RedoxFS uses. They use kiln's own readers (image/), which trust
 * nothing they read: a missing or damaged image comes back as nil and a message, never as
 * an exit. Only the report commands register them; plugins never see them. */
#define _POSIX_C_SOURCE 200809L
#define _DARWIN_C_SOURCE  /* macOS hides part of POSIX.1-2008 (O_NOFOLLOW) without it; others ignore it */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <lauxlib.h>
#include <lua.h>

#include "image/fat.h"
#include "image/gpt.h"
#include "image/redoxfs.h"
#include "inspect.h"
#include "util.h"

/* push nil and "path: message"; returns 2 (the Lua results) */
static int
nilmsg(lua_State *L, const char *path, const char *msg)
{
	lua_pushnil(L);
	lua_pushfstring(L, "%s: %s", path, msg);
	return 2;
}

static void
setint(lua_State *L, const char *k, uint64_t v)
{
	lua_pushinteger(L, (lua_Integer)v);
	lua_setfield(L, -2, k);
}

static void
setstr(lua_State *L, const char *k, const char *v)
{
	lua_pushstring(L, v);
	lua_setfield(L, -2, k);
}

/* core.file_size(path) -> bytes of a regular file, or nil */
static int
l_file_size(lua_State *L)
{
	struct stat st;

	if (stat(luaL_checkstring(L, 1), &st) != 0 || !S_ISREG(st.st_mode))
		lua_pushnil(L);
	else
		lua_pushinteger(L, (lua_Integer)st.st_size);
	return 1;
}

/* core.gpt_read(path) -> { sectors, sector_size, first_usable, last_usable, disk_guid,
 * problems (text, "" when it verifies), partitions = { { index, first, last, name, type,
 * guid }... } }, or nil, message. first and last are inclusive LBAs; type is the type GUID. */
static int
l_gpt_read(lua_State *L)
{
	const char *path = luaL_checkstring(L, 1);
	unsigned char head[34 * GPT_SECTOR], tail[33 * GPT_SECTOR];
	struct buf err = { 0 };
	struct gpt *g;
	struct stat st;
	char gs[37];
	unsigned i;
	int fd = open(path, O_RDONLY);

	if (fd < 0 || fstat(fd, &st) != 0) {
		if (fd >= 0)
			close(fd);
		return nilmsg(L, path, strerror(errno));
	}
	if ((uint64_t)st.st_size < (2 * GPT_TABLE_SECTORS + 3) * GPT_SECTOR) {
		close(fd);
		return nilmsg(L, path, "too small for a GPT disk");
	}
	if (xpread(fd, head, sizeof head, 0) != 0 ||
	    xpread(fd, tail, sizeof tail, ((uint64_t)st.st_size / GPT_SECTOR - 33) * GPT_SECTOR) != 0) {
		close(fd);
		return nilmsg(L, path, "read error");
	}
	close(fd);
	g = xcalloc(1, sizeof *g);
	if (gpt_parse(head, tail, (uint64_t)st.st_size / GPT_SECTOR, g, &err) != 0) {
		nilmsg(L, path, err.s ? err.s : "not a GPT disk");
		buf_free(&err);
		buf_free(&g->bad);
		free(g);
		return 2;
	}
	lua_newtable(L);
	setint(L, "sectors", g->nsect);
	setint(L, "sector_size", GPT_SECTOR);
	setint(L, "first_usable", g->first_usable);
	setint(L, "last_usable", g->last_usable);
	gpt_guid_str(g->disk_guid, gs);
	setstr(L, "disk_guid", gs);
	setstr(L, "problems", g->bad.s ? g->bad.s : "");
	lua_createtable(L, (int)g->nused, 0);
	for (i = 0; i < g->nused; i++) {
		const struct gpt_entry *e = &g->ent[i];

		lua_newtable(L);
		setint(L, "index", e->idx);
		setint(L, "first", e->first);
		setint(L, "last", e->last);
		setstr(L, "name", e->name);
		gpt_guid_str(e->type, gs);
		setstr(L, "type", gs);
		gpt_guid_str(e->guid, gs);
		setstr(L, "guid", gs);
		lua_rawseti(L, -2, (lua_Integer)i + 1);
	}
	lua_setfield(L, -2, "partitions");
	buf_free(&g->bad);
	free(g);
	return 1;
}

/* read len bytes of path at off into a fresh buffer; NULL with errno or a short read */
static unsigned char *
read_range(const char *path, uint64_t off, uint64_t len)
{
	unsigned char *p;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return NULL;
	if (len > (uint64_t)SIZE_MAX || !(p = malloc(len ? (size_t)len : 1))) {
		close(fd);
		errno = ENOMEM;
		return NULL;
	}
	if (xpread(fd, p, (size_t)len, off) != 0) {
		close(fd);
		free(p);
		errno = EIO;
		return NULL;
	}
	close(fd);
	return p;
}

/* fat_walk visitor: append { path, size, dir } to the table on top of the stack */
static int
fat_one(void *ctx, const char *path, const struct fat_dirent *e)
{
	lua_State *L = ctx;

	lua_newtable(L);
	setstr(L, "path", path);
	setint(L, "size", e->size);
	lua_pushboolean(L, e->dir);
	lua_setfield(L, -2, "dir");
	lua_rawseti(L, -2, (lua_Integer)luaL_len(L, -2) + 1);
	return 0;
}

/* core.fat_files(path [, offset, length]) -> { fat (12/16/32), cluster_size, clusters,
 * files = { { path, size, dir }... } }, or nil, message. The volume is the whole file, or
 * length bytes at offset (a partition of a disk). */
static int
l_fat_files(lua_State *L)
{
	const char *path = luaL_checkstring(L, 1);
	uint64_t off = (uint64_t)luaL_optinteger(L, 2, 0), len;
	struct buf err = { 0 };
	struct fat fs;
	struct stat st;
	unsigned char *data;

	if (stat(path, &st) != 0)
		return nilmsg(L, path, strerror(errno));
	len = lua_isnoneornil(L, 3) ? (uint64_t)st.st_size - off : (uint64_t)luaL_checkinteger(L, 3);
	if (off > (uint64_t)st.st_size || len > (uint64_t)st.st_size - off)
		return nilmsg(L, path, "the volume lies beyond the end of the file");
	if (!(data = read_range(path, off, len)))
		return nilmsg(L, path, strerror(errno));
	if (fat_open(&fs, data, (size_t)len, &err) != 0) {
		nilmsg(L, path, err.s);
		buf_free(&err);
		free(data);
		return 2;
	}
	lua_newtable(L);
	setint(L, "fat", (uint64_t)fs.g.type);
	setint(L, "cluster_size", (uint64_t)fs.g.bps * fs.g.spc);
	setint(L, "clusters", fs.g.nclus);
	lua_newtable(L);
	if (fat_walk(&fs, fat_one, L, &err) != 0) {
		lua_pop(L, 2);
		nilmsg(L, path, err.s ? err.s : "unreadable directory tree");
		buf_free(&err);
		free(data);
		return 2;
	}
	lua_setfield(L, -2, "files");
	free(data);
	return 1;
}

/* core.redoxfs_usage(path [, offset]) -> { blocks, used, block_size, problems }, or nil,
 * message: the filesystem's size in blocks and the blocks its tree, nodes, data and
 * allocation log use, as the checker counts them (problems: what it found wrong) */
static int
l_redoxfs_usage(lua_State *L)
{
	const char *path = luaL_checkstring(L, 1);
	uint64_t off = (uint64_t)luaL_optinteger(L, 2, 0);
	struct stat st;
	struct rfs fs;
	long n;
	int fd = open(path, O_RDONLY);

	if (fd < 0 || fstat(fd, &st) != 0) {
		if (fd >= 0)
			close(fd);
		return nilmsg(L, path, strerror(errno));
	}
	if (off > (uint64_t)st.st_size) {
		close(fd);
		return nilmsg(L, path, "the filesystem lies beyond the end of the file");
	}
	if (rfs_open(&fs, fd, NULL, (uint64_t)st.st_size - off, off, path) != 0) {
		close(fd);
		lua_pushnil(L);
		lua_pushstring(L, fs.err);
		return 2;
	}
	n = rfs_check(&fs, NULL);
	lua_newtable(L);
	setint(L, "blocks", fs.nblocks);
	setint(L, "used", fs.used);
	setint(L, "block_size", RFS_BLOCK);
	setint(L, "problems", n < 0 ? 1 : (uint64_t)n);
	rfs_close(&fs);
	close(fd);
	return 1;
}

void
inspect_register(struct host *h)
{
	static const luaL_Reg fns[] = {
		{ "file_size", l_file_size }, { "gpt_read", l_gpt_read }, { "fat_files", l_fat_files },
		{ "redoxfs_usage", l_redoxfs_usage }, { NULL, NULL },
	};

	lua_rawgeti(h->L, LUA_REGISTRYINDEX, h->core);
	luaL_setfuncs(h->L, fns, 0);
	lua_pop(h->L, 1);
}
