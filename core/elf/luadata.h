/* luadata.h: Lua values as plain C data, and a reader for data-only Lua files.
 *
 * ELF policy files (lua/elf_policies.lua, gen/elf-policies.lua) are Lua that only builds
 * tables. `kiln elf check` runs once per linked file, so it reads them without starting Lua:
 * luadata_parse understands the subset those files use (locals holding values, one return,
 * table constructors, strings, integers, booleans, comments) and gives up on anything else,
 * and the caller then runs the file with real Lua and converts its result (elf_policy.c).
 * Both paths give the same values for a file inside the subset. */
#ifndef KILN_LUADATA_H
#define KILN_LUADATA_H

#include <stddef.h>
#include <stdint.h>

/* value types; LD_OTHER is any other Lua type (a function, ...), named in tname */
enum { LD_NIL, LD_BOOL, LD_INT, LD_FLOAT, LD_STR, LD_TABLE, LD_OTHER };

struct ldkv;

/* one value */
struct ldval {
	int type;               /* LD_* */
	int b;                  /* LD_BOOL */
	int64_t i;              /* LD_INT */
	double f;               /* LD_FLOAT */
	char *s;                /* LD_STR (NUL-terminated; the bytes up to the first NUL) */
	struct ldkv *kv;        /* LD_TABLE: its entries, each key once */
	size_t n;
	const char *tname;      /* LD_OTHER: the Lua type name */
};

/* one table entry */
struct ldkv {
	struct ldval key, val;
};

/* parse text (len bytes) as a data-only Lua chunk and store the value it returns in *out:
 * 0, or -1 when the text is outside the subset (nothing is reported: run it with Lua) */
int luadata_parse(const char *text, size_t len, struct ldval *out);
/* the entry of table t whose key is the string k, or NULL */
const struct ldval *luadata_get(const struct ldval *t, const char *k);
/* the Lua type name of v ("string", "number", "table", ...) */
const char *luadata_typename(const struct ldval *v);
/* free what v holds (not v itself) */
void luadata_free(struct ldval *v);

#endif
