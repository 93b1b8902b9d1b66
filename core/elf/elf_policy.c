/* elf_policy.c: load ELF check policies from Lua data files, merge and resolve them.
 *
 * A policy file is read as data first (luadata.c: no Lua state, which is most of the cost of a
 * check of a small file); only a file outside that subset is run with Lua, and its result
 * converted to the same values. */
#define _POSIX_C_SOURCE 200809L
#define _DARWIN_C_SOURCE  /* macOS hides part of POSIX.1-2008 (O_NOFOLLOW) without it; others ignore it */
#include <errno.h>
#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>
#include <stdlib.h>
#include <string.h>

#include "elf_policy.h"
#include "luadata.h"
#include "util.h"

/* the known fields, in the order of the bits of elf_policy.set */
enum {
	F_DESCRIPTION, F_INHERITS, F_FORMAT, F_TYPE, F_PIE, F_STATIC, F_MACHINE, F_ENTRY_BASE,
	F_TEXT_BASE, F_MIN_CODE, F_MAX_SIZE, F_PAGE_SIZE, F_INPLACE_BASE, F_START_SYMBOL,
	F_ENTRY_NONZERO, F_ENTRY_IN_EXEC, F_REQUIRE_TEXT, F_ALLOW_RWX, F_ALLOW_EXEC_STACK,
	F_ALLOW_TEXTREL, F_HOST_PATHS, F_PE_SUBSYSTEM, F_PE_RELOCS, F_PE_NO_IMPORTS, F_WAIVE, F_COUNT
};

static const char *const fields[F_COUNT] = {
	"description", "inherits", "format", "type", "pie", "static", "machine", "entry_base",
	"text_base", "min_code", "max_size", "page_size", "inplace_base", "start_symbol",
	"entry_nonzero", "entry_in_exec", "require_text", "allow_rwx", "allow_exec_stack",
	"allow_textrel", "host_paths", "pe_subsystem", "pe_relocs", "pe_no_imports", "waive",
};

/* context of the value being read, for error messages */
struct where {
	const char *file, *policy, *field, *arch;
};

static _Noreturn void
bad(const struct where *w, const char *what)
{
	fatal("%s: policy '%s': field '%s': %s", w->file, w->policy, w->field, what);
}

static size_t
editdist(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j, prev, cur, tmp, d[64];

	if (lb >= 63)
		return 99;
	for (j = 0; j <= lb; j++)
		d[j] = j;
	for (i = 1; i <= la; i++) {
		prev = d[0];
		d[0] = i;
		for (j = 1; j <= lb; j++) {
			tmp = d[j];
			cur = prev + (a[i - 1] != b[j - 1]);
			if (d[j] + 1 < cur)
				cur = d[j] + 1;
			if (d[j - 1] + 1 < cur)
				cur = d[j - 1] + 1;
			d[j] = cur;
			prev = tmp;
		}
	}
	return d[lb];
}

static int
field_index(const char *name, const struct where *w)
{
	size_t i, best = 0, bd = 99, dd;
	struct buf b = { 0 };

	for (i = 0; i < F_COUNT; i++)
		if (!strcmp(fields[i], name))
			return (int)i;
	/* unknown: the nearest name for the message (edit distances only on this path) */
	for (i = 0; i < F_COUNT; i++) {
		dd = editdist(name, fields[i]);
		if (dd < bd) {
			bd = dd;
			best = i;
		}
	}
	if (bd <= 3)
		fatal("%s: policy '%s': unknown field '%s' (did you mean '%s'?)", w->file, w->policy, name,
		      fields[best]);
	for (i = 0; i < F_COUNT; i++)
		buf_printf(&b, "%s%s", i ? ", " : "", fields[i]);
	fatal("%s: policy '%s': unknown field '%s' (known: %s)", w->file, w->policy, name, b.s);
}

/* an unsigned number: integer, size string ("64M", "0x2000"), or a per-arch table */
static uint64_t
get_u64(const struct ldval *v, const struct where *w)
{
	const char *s;
	char *end;
	uint64_t x;

	if (v->type == LD_TABLE) {
		const struct ldval *a = luadata_get(v, w->arch);
		if (!a || a->type == LD_NIL)
			return 0;               /* no value for this architecture: no check */
		if (a->type == LD_TABLE)
			bad(w, "per-architecture values cannot nest");
		return get_u64(a, w);
	}
	if (v->type == LD_INT)
		return (uint64_t)v->i;
	if (v->type == LD_FLOAT)
		bad(w, "expected an integer, got a fraction");
	if (v->type == LD_STR) {
		s = v->s;
		if (!strncmp(s, "0x", 2) || !strncmp(s, "0X", 2)) {
			errno = 0;
			x = strtoull(s + 2, &end, 16);
			if (!errno && end != s + 2 && !*end)
				return x;
		} else if (parse_size(s, &x) == 0) {
			return x;
		}
		bad(w, "malformed number (expected an integer, \"0x...\" or a size like \"4M\")");
	}
	bad(w, "expected an integer, a size string or a table of per-architecture values");
}

static int
get_bool(const struct ldval *v, const struct where *w)
{
	if (v->type != LD_BOOL)
		bad(w, "expected true or false");
	return v->b;
}

static char *
get_str(const struct ldval *v, const struct where *w)
{
	if (v->type != LD_STR)
		bad(w, "expected a string");
	return xstrdup(v->s);
}

/* v's string, or NULL when it is not one */
static const char *
str(const struct ldval *v)
{
	return v->type == LD_STR ? v->s : NULL;
}

/* read one field (value v) into p */
static void
set_field(const struct ldval *v, struct elf_policy *p, int f, const struct where *w)
{
	const char *s = str(v);
	size_t i, n;

	switch (f) {
	case F_DESCRIPTION: p->description = get_str(v, w); break;
	case F_INHERITS: p->inherits = get_str(v, w); break;
	case F_FORMAT:
		if (!s || (strcmp(s, "elf") && strcmp(s, "pe")))
			bad(w, "expected \"elf\" or \"pe\"");
		p->pe = !strcmp(s, "pe");
		break;
	case F_TYPE:
		if (!s)
			bad(w, "expected \"exec\", \"dyn\" or \"any\"");
		if (!strcmp(s, "exec")) p->type = 2;
		else if (!strcmp(s, "dyn")) p->type = 3;
		else if (!strcmp(s, "any")) p->type = 0;
		else bad(w, "expected \"exec\", \"dyn\" or \"any\"");
		break;
	case F_PIE:
		if (s && !strcmp(s, "with-interp"))
			p->pie = 2;
		else if (v->type == LD_BOOL)
			p->pie = v->b;
		else
			bad(w, "expected true, false or \"with-interp\"");
		break;
	case F_STATIC:
		if (s && !strcmp(s, "any"))
			p->static_ = 2;
		else if (v->type == LD_BOOL)
			p->static_ = v->b;
		else
			bad(w, "expected true, false or \"any\"");
		break;
	case F_MACHINE:
		if (!s)
			bad(w, "expected \"target\", \"host\" or \"any\"");
		if (!strcmp(s, "any")) p->machine = 0;
		else if (!strcmp(s, "target")) p->machine = 1;
		else if (!strcmp(s, "host")) p->machine = 2;
		else bad(w, "expected \"target\", \"host\" or \"any\"");
		break;
	case F_ENTRY_BASE: p->entry_base = get_u64(v, w); break;
	case F_TEXT_BASE: p->text_base = get_u64(v, w); break;
	case F_MIN_CODE: p->min_code = get_u64(v, w); break;
	case F_MAX_SIZE: p->max_size = get_u64(v, w); break;
	case F_PAGE_SIZE:
		p->page_size = get_u64(v, w);
		if (p->page_size & (p->page_size - 1))
			bad(w, "the page size must be a power of two");
		break;
	case F_INPLACE_BASE: p->inplace_base = get_u64(v, w); break;
	case F_START_SYMBOL: p->start_symbol = get_str(v, w); break;
	case F_ENTRY_NONZERO: p->entry_nonzero = get_bool(v, w); break;
	case F_ENTRY_IN_EXEC: p->entry_in_exec = get_bool(v, w); break;
	case F_REQUIRE_TEXT: p->require_text = get_bool(v, w); break;
	case F_ALLOW_RWX: p->allow_rwx = get_bool(v, w); break;
	case F_ALLOW_EXEC_STACK: p->allow_exec_stack = get_bool(v, w); break;
	case F_ALLOW_TEXTREL: p->allow_textrel = get_bool(v, w); break;
	case F_PE_SUBSYSTEM: p->pe_subsystem = (uint32_t)get_u64(v, w); break;
	case F_PE_RELOCS: p->pe_relocs = get_bool(v, w); break;
	case F_PE_NO_IMPORTS: p->pe_no_imports = get_bool(v, w); break;
	case F_HOST_PATHS:
		if (v->type != LD_TABLE)
			bad(w, "expected a list of strings");
		/* the sequence 1..n, as Lua's # sees it in a table without holes */
		for (n = 0;; n++) {
			for (i = 0; i < v->n; i++)
				if (v->kv[i].key.type == LD_INT && v->kv[i].key.i == (int64_t)n + 1 &&
				    v->kv[i].val.type != LD_NIL)
					break;
			if (i == v->n)
				break;
		}
		p->host_paths = xreallocarray(NULL, n + 1, sizeof *p->host_paths);
		p->nhost_paths = 0;
		for (i = 0; i < v->n; i++) {
			const struct ldval *k = &v->kv[i].key, *e = &v->kv[i].val;
			if (k->type != LD_INT || k->i < 1 || (size_t)k->i > n)
				continue;
			if (e->type != LD_STR || !*e->s)
				bad(w, "expected a list of non-empty strings");
		}
		for (i = 1; i <= n; i++) {
			size_t j;
			for (j = 0; j < v->n; j++)
				if (v->kv[j].key.type == LD_INT && v->kv[j].key.i == (int64_t)i)
					p->host_paths[p->nhost_paths++] = xstrdup(v->kv[j].val.s);
		}
		break;
	case F_WAIVE:
		if (v->type != LD_TABLE)
			bad(w, "expected a table { [\"check-id\"] = \"reason\" }");
		for (i = 0; i < v->n; i++) {
			const struct ldval *k = &v->kv[i].key, *e = &v->kv[i].val;
			if (k->type != LD_STR)
				bad(w, "waiver keys must be check ids (strings)");
			if (e->type != LD_STR || !*e->s)
				fatal("%s: policy '%s': waiver of '%s' has no reason: write why it is safe",
				      w->file, w->policy, k->s);
			elf_policy_waive(p, k->s, e->s);
		}
		break;
	}
	p->set |= 1u << f;
}

void
elf_policy_waive(struct elf_policy *p, const char *id, const char *reason)
{
	size_t i;

	for (i = 0; i < p->nwaive; i++) {
		if (!strcmp(p->waive_id[i], id)) {
			p->waive_reason[i] = xstrdup(reason);
			return;
		}
	}
	p->waive_id = xreallocarray(p->waive_id, p->nwaive + 1, sizeof *p->waive_id);
	p->waive_reason = xreallocarray(p->waive_reason, p->nwaive + 1, sizeof *p->waive_reason);
	p->waive_id[p->nwaive] = xstrdup(id);
	p->waive_reason[p->nwaive++] = xstrdup(reason);
	p->set |= 1u << F_WAIVE;
}

/* copy the fields set in src (and not excluded by mask) over dst */
static void
merge(struct elf_policy *dst, const struct elf_policy *src, uint32_t mask)
{
	uint32_t m = src->set & mask;
	size_t i;

#define CP(bit, field) if (m & 1u << (bit)) dst->field = src->field
	CP(F_DESCRIPTION, description);
	CP(F_INHERITS, inherits);
	CP(F_FORMAT, pe);
	CP(F_TYPE, type);
	CP(F_PIE, pie);
	CP(F_STATIC, static_);
	CP(F_MACHINE, machine);
	CP(F_ENTRY_BASE, entry_base);
	CP(F_TEXT_BASE, text_base);
	CP(F_MIN_CODE, min_code);
	CP(F_MAX_SIZE, max_size);
	CP(F_PAGE_SIZE, page_size);
	CP(F_INPLACE_BASE, inplace_base);
	CP(F_START_SYMBOL, start_symbol);
	CP(F_ENTRY_NONZERO, entry_nonzero);
	CP(F_ENTRY_IN_EXEC, entry_in_exec);
	CP(F_REQUIRE_TEXT, require_text);
	CP(F_ALLOW_RWX, allow_rwx);
	CP(F_ALLOW_EXEC_STACK, allow_exec_stack);
	CP(F_ALLOW_TEXTREL, allow_textrel);
	CP(F_PE_SUBSYSTEM, pe_subsystem);
	CP(F_PE_RELOCS, pe_relocs);
	CP(F_PE_NO_IMPORTS, pe_no_imports);
#undef CP
	if (m & 1u << F_HOST_PATHS) {
		dst->host_paths = src->host_paths;
		dst->nhost_paths = src->nhost_paths;
	}
	/* waivers merge per check id; the later one wins */
	for (i = 0; i < src->nwaive && (m & 1u << F_WAIVE); i++)
		elf_policy_waive(dst, src->waive_id[i], src->waive_reason[i]);
	dst->set |= m;
}

static struct elf_policy *
find(struct elf_policies *ps, const char *name)
{
	size_t i;

	for (i = 0; i < ps->n; i++)
		if (!strcmp(ps->p[i].name, name))
			return &ps->p[i];
	return NULL;
}

/* the Lua value at idx as data (tables at most 32 deep, 100,000 values in all) */
static void
from_lua(lua_State *L, int idx, struct ldval *v, int depth, size_t *budget, const char *path)
{
	memset(v, 0, sizeof *v);
	if (!(*budget)--)
		fatal("%s: the policy table is too large (more than 100,000 values)", path);
	switch (lua_type(L, idx)) {
	case LUA_TNIL: v->type = LD_NIL; break;
	case LUA_TBOOLEAN: v->type = LD_BOOL; v->b = lua_toboolean(L, idx); break;
	case LUA_TNUMBER:
		if (lua_isinteger(L, idx)) {
			v->type = LD_INT;
			v->i = (int64_t)lua_tointeger(L, idx);
		} else {
			v->type = LD_FLOAT;
			v->f = (double)lua_tonumber(L, idx);
		}
		break;
	case LUA_TSTRING: v->type = LD_STR; v->s = xstrdup(lua_tostring(L, idx)); break;
	case LUA_TTABLE:
		if (depth >= 32)
			fatal("%s: the policy table nests more than 32 deep", path);
		v->type = LD_TABLE;
		idx = lua_absindex(L, idx);
		lua_pushnil(L);
		while (lua_next(L, idx)) {
			v->kv = xreallocarray(v->kv, v->n + 1, sizeof *v->kv);
			from_lua(L, -2, &v->kv[v->n].key, depth + 1, budget, path);
			from_lua(L, -1, &v->kv[v->n].val, depth + 1, budget, path);
			v->n++;
			lua_pop(L, 1);
		}
		break;
	default:
		v->type = LD_OTHER;
		v->tname = lua_typename(L, lua_type(L, idx));
		break;
	}
}

/* what the file at path returns: read as data, or run with Lua when it is more than data */
static void
load_value(const char *path, struct ldval *top)
{
	size_t len, budget = 100000;
	char *text = read_file(path, &len);
	lua_State *L;

	if (text && luadata_parse(text, len, top) == 0) {
		free(text);
		return;
	}
	free(text);
	if (!(L = luaL_newstate()))
		fatal("cannot create a Lua state");
	luaL_requiref(L, "_G", luaopen_base, 1);
	luaL_requiref(L, LUA_STRLIBNAME, luaopen_string, 1);
	luaL_requiref(L, LUA_TABLIBNAME, luaopen_table, 1);
	luaL_requiref(L, LUA_MATHLIBNAME, luaopen_math, 1);
	lua_settop(L, 0);
	if (luaL_loadfile(L, path) != LUA_OK || lua_pcall(L, 0, 1, 0) != LUA_OK)
		fatal("%s", lua_tostring(L, -1));
	from_lua(L, 1, top, 0, &budget, path);
	lua_close(L);
}

void
elf_policies_load(struct elf_policies *ps, const char *path, const char *arch)
{
	struct elf_policy one, *dst;
	struct where w = { path, "?", "?", arch };
	struct ldval top;
	size_t i, j;
	int f;

	load_value(path, &top);
	if (top.type != LD_TABLE)
		fatal("%s: must return a table of policies { name = { field = value, ... } }", path);
	for (i = 0; i < top.n; i++) {
		const struct ldval *k = &top.kv[i].key, *t = &top.kv[i].val;
		if (k->type != LD_STR || t->type != LD_TABLE)
			fatal("%s: every entry must be name = { fields }, got a %s key with a %s value", path,
			      luadata_typename(k), luadata_typename(t));
		memset(&one, 0, sizeof one);
		w.policy = k->s;
		for (j = 0; j < t->n; j++) {
			if (t->kv[j].key.type != LD_STR)
				fatal("%s: policy '%s': field names must be strings", path, w.policy);
			w.field = t->kv[j].key.s;
			f = field_index(w.field, &w);
			set_field(&t->kv[j].val, &one, f, &w);
		}
		if (!(dst = find(ps, w.policy))) {
			ps->p = xreallocarray(ps->p, ps->n + 1, sizeof *ps->p);
			dst = &ps->p[ps->n++];
			memset(dst, 0, sizeof *dst);
			dst->name = xstrdup(w.policy);
		}
		merge(dst, &one, ~0u);
	}
	luadata_free(&top);
}

static void
resolve(struct elf_policies *ps, struct elf_policy *p, struct elf_policy *out, int depth)
{
	struct elf_policy *parent;

	if (depth > (int)ps->n)
		fatal("policy '%s': the 'inherits' chain loops", p->name);
	if (p->inherits) {
		if (!(parent = find(ps, p->inherits)))
			fatal("policy '%s' inherits from '%s', which does not exist (known: %s)", p->name,
			      p->inherits, elf_policy_names(ps));
		resolve(ps, parent, out, depth + 1);
	}
	merge(out, p, ~(1u << F_INHERITS));
}

struct elf_policy *
elf_policy_resolve(struct elf_policies *ps, const char *name)
{
	struct elf_policy *p = find(ps, name), *out;

	if (!p)
		fatal("unknown policy '%s' (known: %s)", name, elf_policy_names(ps));
	out = xcalloc(1, sizeof *out);
	/* defaults: the target's machine, PIE allowed, RWX/exec-stack/textrel forbidden */
	out->machine = 1;
	out->pie = 1;
	out->pe_subsystem = 10;
	resolve(ps, p, out, 0);
	out->name = p->name;
	out->inherits = p->inherits;
	if (!out->description)
		out->description = "";
	return out;
}

static int
cmpstr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

char *
elf_policy_names(const struct elf_policies *ps)
{
	struct buf b = { 0 };
	char **names = xreallocarray(NULL, ps->n + 1, sizeof *names);
	size_t i;

	for (i = 0; i < ps->n; i++)
		names[i] = ps->p[i].name;
	qsort(names, ps->n, sizeof *names, cmpstr);
	buf_puts(&b, "");
	for (i = 0; i < ps->n; i++)
		buf_printf(&b, "%s%s", i ? ", " : "", names[i]);
	free(names);
	return b.s;
}
