/* graph.c: see graph.h */
#define _POSIX_C_SOURCE 200809L
#define _DARWIN_C_SOURCE  /* macOS hides part of POSIX.1-2008 (O_NOFOLLOW) without it; others ignore it */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "graph.h"
#include "util.h"

struct graph *
graph_new(void)
{
	return xcalloc(1, sizeof(struct graph));
}

char *
path_normalize(const char *p)
{
	size_t n = strlen(p), i, nc = 0;
	char *out = xmalloc(n + 2), *s = xstrdup(p), *tok, *save = NULL;
	char **comp = xcalloc(n + 1, sizeof *comp);
	int abs = p[0] == '/';

	for (tok = strtok_r(s, "/", &save); tok; tok = strtok_r(NULL, "/", &save)) {
		if (!strcmp(tok, "."))
			continue;
		if (!strcmp(tok, "..") && nc > 0 && strcmp(comp[nc - 1], "..") != 0) {
			nc--;
			continue;
		}
		if (!strcmp(tok, "..") && abs)
			continue; /* "/.." is "/" */
		comp[nc++] = tok;
	}
	i = 0;
	if (abs)
		out[i++] = '/';
	for (size_t k = 0; k < nc; k++) {
		size_t l = strlen(comp[k]);

		if (k)
			out[i++] = '/';
		memcpy(out + i, comp[k], l);
		i += l;
	}
	if (i == 0)
		out[i++] = '.';
	out[i] = '\0';
	free(comp);
	free(s);
	return out;
}

/* 1 if path_normalize(p) would return p unchanged (most paths the rules give): then no copy
 * is made to look it up */
static int
is_normal(const char *p)
{
	const char *c = p;
	int abs = *p == '/', seen_name = 0;

	if (!*p)
		return 0;
	if (!strcmp(p, ".") || !strcmp(p, "/"))
		return 1;
	if (abs)
		c++;
	for (;;) {
		const char *e = strchr(c, '/');
		size_t len = e ? (size_t)(e - c) : strlen(c);

		if (len == 0)
			return 0; /* "//" or a trailing '/' */
		if (len == 1 && c[0] == '.')
			return 0;
		if (len == 2 && c[0] == '.' && c[1] == '.') {
			if (abs || seen_name)
				return 0; /* collapses */
		} else {
			seen_name = 1;
		}
		if (!e)
			return 1;
		c = e + 1;
	}
}

struct node *
graph_lookup(struct graph *g, const char *path)
{
	char *p;
	struct node *n;

	if (is_normal(path))
		return strmap_get(&g->tab, path, strlen(path));
	p = path_normalize(path);
	n = strmap_get(&g->tab, p, strlen(p));
	free(p);
	return n;
}

struct node *
graph_node(struct graph *g, const char *path)
{
	int normal = is_normal(path);
	char *p = normal ? (char *)path : path_normalize(path);
	size_t len = strlen(p);
	struct node *n = strmap_get(&g->tab, p, len);

	if (n) {
		if (!normal)
			free(p);
		return n;
	}
	n = xcalloc(1, sizeof *n);
	n->path = normal ? xstrndup(path, len) : p;
	strmap_put(&g->tab, n->path, len, n);
	if ((g->nnodes & (g->nnodes - 1)) == 0)
		g->nodes = xreallocarray(g->nodes, g->nnodes ? g->nnodes * 2 : 1, sizeof *g->nodes);
	g->nodes[g->nnodes++] = n;
	return n;
}

struct rule *
graph_find_rule(struct graph *g, const char *name)
{
	size_t i;

	for (i = 0; i < g->nrules; i++)
		if (!strcmp(g->rules[i]->name, name))
			return g->rules[i];
	return NULL;
}

struct rule *
graph_rule(struct graph *g, const char *name, const char *origin)
{
	struct rule *r;

	if (graph_find_rule(g, name))
		return NULL;
	r = xcalloc(1, sizeof *r);
	r->name = xstrdup(name);
	r->origin = xstrdup(origin);
	g->rules = xreallocarray(g->rules, g->nrules + 1, sizeof *g->rules);
	g->rules[g->nrules++] = r;
	return r;
}

int
graph_pool(struct graph *g, const char *name, int depth)
{
	size_t i;

	for (i = 0; i < g->npools; i++)
		if (!strcmp(g->pools[i].name, name))
			return g->pools[i].depth == depth ? 0 : -1;
	g->pools = xreallocarray(g->pools, g->npools + 1, sizeof *g->pools);
	g->pools[g->npools].name = xstrdup(name);
	g->pools[g->npools].depth = depth;
	g->npools++;
	return 0;
}

struct edge *
graph_edge(struct graph *g, struct rule *r, const char *origin, const char *owner)
{
	struct edge *e = xcalloc(1, sizeof *e);

	e->rule = r;
	e->origin = xstrdup(origin ? origin : "?");
	e->owner = owner ? xstrdup(owner) : NULL;
	if ((g->nedges & (g->nedges - 1)) == 0)
		g->edges = xreallocarray(g->edges, g->nedges ? g->nedges * 2 : 1, sizeof *g->edges);
	g->edges[g->nedges++] = e;
	return e;
}

/* insert n at position at of an array of len nodes; the array grows to the next power of two
 * when len is one (it only ever grows through here) */
static void
insert(struct node ***arr, size_t len, size_t at, struct node *n)
{
	if ((len & (len - 1)) == 0)
		*arr = xreallocarray(*arr, len ? len * 2 : 1, sizeof **arr);
	memmove(*arr + at + 1, *arr + at, (len - at) * sizeof **arr);
	(*arr)[at] = n;
}

void
edge_add(struct graph *g, struct edge *e, int kind, const char *path)
{
	struct node *n = graph_node(g, path);
	size_t ntot = e->nin + e->nimp + e->norder;

	switch (kind) {
	case 'o': insert(&e->out, e->nout + e->nimpout, e->nout, n); e->nout++; break;
	case 'O': insert(&e->out, e->nout + e->nimpout, e->nout + e->nimpout, n); e->nimpout++; break;
	case 'i': insert(&e->in, ntot, e->nin, n); e->nin++; break;
	case 'I': insert(&e->in, ntot, e->nin + e->nimp, n); e->nimp++; break;
	case '|': insert(&e->in, ntot, ntot, n); e->norder++; break;
	case '@': insert(&e->val, e->nval, e->nval, n); e->nval++; break;
	default: fatal("edge_add: bad kind '%c'", kind);
	}
}

/* duplicate outputs are reported by graph_check, so edge_done only records the first */
void
edge_done(struct graph *g, struct edge *e)
{
	size_t i, ni = e->nin + e->nimp + e->norder;

	(void)g;
	for (i = 0; i < e->nout + e->nimpout; i++)
		if (!e->out[i]->gen)
			e->out[i]->gen = e;
	for (i = 0; i < ni; i++) {
		struct node *n = e->in[i];

		if ((n->nuse & (n->nuse - 1)) == 0)
			n->use = xreallocarray(n->use, n->nuse ? n->nuse * 2 : 1, sizeof *n->use);
		n->use[n->nuse++] = e;
	}
}

void
var_add(struct var **v, size_t *n, const char *name, const char *value)
{
	*v = xreallocarray(*v, *n + 1, sizeof **v);
	(*v)[*n].name = xstrdup(name);
	(*v)[*n].value = xstrdup(value);
	(*n)++;
}

const char *
var_get(struct var *v, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(v[i].name, name))
			return v[i].value;
	return NULL;
}

static const char *
who(struct edge *e)
{
	static char buf[2][512];
	static int k;

	k ^= 1;
	if (e->owner)
		snprintf(buf[k], sizeof buf[k], "%s (%s)", e->origin, e->owner);
	else
		snprintf(buf[k], sizeof buf[k], "%s", e->origin);
	return buf[k];
}

/* depth-first search for a cycle through generating edges; marks: 0 new, 1 on stack, 2 done */
static size_t
cycles(struct graph *g)
{
	struct edge **stack;
	size_t *pos, sp, i, problems = 0;

	stack = xcalloc(g->nedges + 1, sizeof *stack);
	pos = xcalloc(g->nedges + 1, sizeof *pos);
	for (i = 0; i < g->nedges; i++)
		g->edges[i]->mark = 0;
	for (i = 0; i < g->nedges; i++) {
		if (g->edges[i]->mark)
			continue;
		sp = 0;
		stack[sp] = g->edges[i];
		pos[sp] = 0;
		stack[sp]->mark = 1;
		sp++;
		while (sp > 0) {
			struct edge *e = stack[sp - 1];
			size_t ni = e->nin + e->nimp + e->norder;

			if (pos[sp - 1] < ni) {
				struct edge *d = e->in[pos[sp - 1]++]->gen;

				if (!d || d->mark == 2)
					continue;
				if (d->mark == 1) {
					/* report the cycle d -> ... -> e -> d, each step with its origin */
					size_t k = sp - 1;
					struct buf b = {0};

					while (stack[k] != d)
						k--;
					buf_printf(&b, "%s: dependency cycle:", who(d));
					for (; k < sp; k++)
						buf_printf(&b, "\n    %s  (%s)", stack[k]->out[0]->path, who(stack[k]));
					buf_printf(&b, "\n    %s", d->out[0]->path);
					error("%s", b.s);
					buf_free(&b);
					problems++;
					if (problems >= 10)
						goto out;
					continue;
				}
				d->mark = 1;
				stack[sp] = d;
				pos[sp] = 0;
				sp++;
			} else {
				e->mark = 2;
				sp--;
			}
		}
	}
out:
	free(stack);
	free(pos);
	return problems;
}

size_t
graph_check(struct graph *g)
{
	size_t i, j, problems = 0;
	struct stat st;

	/* outputs produced by two edges */
	for (i = 0; i < g->nedges; i++) {
		struct edge *e = g->edges[i];

		for (j = 0; j < e->nout + e->nimpout; j++) {
			struct node *n = e->out[j];

			if (n->gen != e) {
				error("%s: %s is also produced by %s\n    Collision: %s\n    Collision: %s",
				      who(e), n->path, who(n->gen), who(n->gen), who(e));
				problems++;
			}
		}
		if (e->rule == NULL && e->nout == 0) {
			error("%s: phony edge without outputs", who(e));
			problems++;
		}
	}
	/* inputs that nothing produces and that do not exist */
	for (i = 0; i < g->nnodes; i++) {
		struct node *n = g->nodes[i];

		if (n->gen || n->generated || n->nuse == 0)
			continue;
		if (stat(n->path, &st) == 0)
			continue;
		{
			struct buf b = {0};
			size_t k;

			buf_printf(&b, "%s: input %s does not exist and no edge produces it", who(n->use[0]),
			           n->path);
			for (k = 1; k < n->nuse && k < 8; k++)
				buf_printf(&b, "\n    also needed by %s", who(n->use[k]));
			error("%s", b.s);
			buf_free(&b);
		}
		problems++;
	}
	/* validations must name something */
	for (i = 0; i < g->nedges; i++) {
		struct edge *e = g->edges[i];

		for (j = 0; j < e->nval; j++)
			if (!e->val[j]->gen && stat(e->val[j]->path, &st) != 0) {
				error("%s: validation %s is not produced by any edge", who(e), e->val[j]->path);
				problems++;
			}
	}
	if (problems == 0)
		problems += cycles(g);
	return problems;
}
