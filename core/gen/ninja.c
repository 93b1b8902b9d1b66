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
	return strchr(s, '\n') == NULL && strchr(s, '\r') == NULL;
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
 * variables on purpose, and the Lua layer escapes literal text with kiln.ninja_quote */
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

		buf_printf(b, "\n# %s\nrule %s\n", r->origin, r->name);
		vars(b, r->vars, r->nvars, "  ");
	}
	buf_puts(b, "\n");
	for (i = 0; i < g->nedges; i++) {
		struct edge *e = g->edges[i];

		if (e->rule && e->origin)
			buf_printf(b, "\n# %s%s%s\n", e->origin, e->owner ? " " : "", e->owner ? e->owner : "");
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
