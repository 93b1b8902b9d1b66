/* ninja.c: writing build.ninja (see ninja.h) */
#include <string.h>

#include "ninja.h"

void
ninja_escape_path(struct buf *b, const char *p)
{
	for (; *p; p++) {
		if (*p == '$' || *p == ' ' || *p == ':')
			buf_putc(b, '$');
		buf_putc(b, *p);
	}
}

void
ninja_escape_value(struct buf *b, const char *s)
{
	for (; *s; s++) {
		if (*s == '$')
			buf_putc(b, '$');
		buf_putc(b, *s);
	}
}

void
depfile_escape(struct buf *b, const char *p)
{
	for (; *p; p++) {
		if (*p == ' ' || *p == '#' || *p == '\\')
			buf_putc(b, '\\');
		else if (*p == '$')
			buf_putc(b, '$');
		buf_putc(b, *p);
	}
}

int
ninja_representable(const char *s)
{
	return ninja_unwritable(s, strlen(s), 0) == NULL;
}

static int
varchar(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

const char *
ninja_unwritable(const char *s, size_t len, int value)
{
	size_t i;

	if (memchr(s, '\0', len))
		return "a NUL byte";
	if (memchr(s, '\n', len) || memchr(s, '\r', len))
		return "a newline";
	if (!value)
		return NULL;
	for (i = 0; i < len; i++) {
		if (s[i] != '$')
			continue;
		if (++i == len)
			return "a '$' at its end (which joins the next line to it; write $$ for a literal $)";
		if (s[i] == '$' || s[i] == ' ' || s[i] == ':' || varchar((unsigned char)s[i]))
			continue;
		if (s[i] == '{') {
			size_t j = i + 1;

			while (j < len && varchar((unsigned char)s[j]))
				j++;
			if (j < len && s[j] == '}' && j > i + 1) {
				i = j;
				continue;
			}
		}
		return "a '$' that is not a Ninja escape (write $$ for a literal $)";
	}
	return NULL;
}

/* a comment line's text: origins and owners come from plugin paths and names */
static void
comment(struct buf *b, const char *s)
{
	for (; *s; s++)
		buf_putc(b, *s == '\n' || *s == '\r' ? ' ' : *s);
}

static void
paths(struct buf *b, struct node **n, size_t count)
{
	size_t i;

	for (i = 0; i < count; i++) {
		buf_putc(b, ' ');
		ninja_escape_path(b, n[i]->path);
	}
}

/* variable values are written as given: rule templates refer to $in, $out and other
 * variables on purpose, and the Lua layer escapes literal text (K.Q); lua_host.c has refused
 * every value that ninja_unwritable() rejects */
static void
vars(struct buf *b, struct var *v, size_t n, const char *indent)
{
	size_t i;

	for (i = 0; i < n; i++)
		buf_printf(b, "%s%s = %s\n", indent, v[i].name, v[i].value);
}

void
ninja_write(struct buf *b, struct graph *g, const char *header)
{
	size_t i;

	buf_puts(b, header);
	for (i = 0; i < g->npools; i++) {
		if (!strcmp(g->pools[i].name, "console"))
			continue;
		buf_printf(b, "\npool %s\n  depth = %d\n", g->pools[i].name, g->pools[i].depth);
	}
	for (i = 0; i < g->nrules; i++) {
		struct rule *r = g->rules[i];

		buf_puts(b, "\n# ");
		comment(b, r->origin);
		buf_printf(b, "\nrule %s\n", r->name);
		vars(b, r->vars, r->nvars, "  ");
	}
	buf_puts(b, "\n");
	for (i = 0; i < g->nedges; i++) {
		struct edge *e = g->edges[i];

		if (e->rule && e->origin) {
			buf_puts(b, "\n# ");
			comment(b, e->origin);
			if (e->owner) {
				buf_putc(b, ' ');
				comment(b, e->owner);
			}
			buf_putc(b, '\n');
		}
		buf_puts(b, "build");
		paths(b, e->out, e->nout);
		if (e->nimpout) {
			buf_puts(b, " |");
			paths(b, e->out + e->nout, e->nimpout);
		}
		buf_printf(b, ": %s", e->rule ? e->rule->name : "phony");
		paths(b, e->in, e->nin);
		if (e->nimp) {
			buf_puts(b, " |");
			paths(b, e->in + e->nin, e->nimp);
		}
		if (e->norder) {
			buf_puts(b, " ||");
			paths(b, e->in + e->nin + e->nimp, e->norder);
		}
		if (e->nval) {
			buf_puts(b, " |@");
			paths(b, e->val, e->nval);
		}
		buf_putc(b, '\n');
		if (e->pool)
			buf_printf(b, "  pool = %s\n", e->pool);
		vars(b, e->vars, e->nvars, "  ");
	}
	if (g->ndefaults) {
		buf_puts(b, "\ndefault");
		for (i = 0; i < g->ndefaults; i++) {
			buf_putc(b, ' ');
			ninja_escape_path(b, g->defaults[i]);
		}
		buf_putc(b, '\n');
	}
}
