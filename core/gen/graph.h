/* graph.h: the build graph that plugins declare: rules, nodes (files) and edges (commands).
 * Validated as a whole before anything is written (graph_check). */
#ifndef KILN_GRAPH_H
#define KILN_GRAPH_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

struct var {
	char *name, *value;
};

/* a Ninja rule: a command template and its flags */
struct rule {
	char *name;
	struct var *vars;     /* command, description, depfile, deps, restat, pool, generator... */
	size_t nvars;
	char *origin;         /* plugin file:line (or "kiln" for built-in rules) */
};

/* one file of the build: a source (no generating edge) or an output */
struct node {
	char *path;           /* normalised; relative paths are relative to the build dir */
	struct edge *gen;     /* the edge that produces it, or NULL for a source */
	struct edge **use;    /* edges that read it */
	size_t nuse;
	unsigned mark;        /* scratch for traversals */
	int generated;        /* written by kiln gen itself (manifests, specs): never missing */
};

/* one command: outputs from inputs */
struct edge {
	struct rule *rule;    /* NULL for phony */
	struct node **out;    /* explicit outputs, then implicit outputs */
	size_t nout, nimpout;
	struct node **in;     /* explicit inputs, then implicit, then order-only */
	size_t nin, nimp, norder;
	struct node **val;    /* validations (|@) */
	size_t nval;
	struct var *vars;     /* edge-level bindings */
	size_t nvars;
	char *pool;           /* pool name or NULL */
	char *origin;         /* plugin file:line that declared it */
	char *owner;          /* component or image name, for messages; may be NULL */
	unsigned mark;
};

struct pool {
	char *name;
	int depth;
};

struct graph {
	struct rule **rules;
	size_t nrules;
	struct edge **edges;
	size_t nedges;
	struct pool *pools;
	size_t npools;
	char **defaults;      /* default targets */
	size_t ndefaults;
	struct strmap tab;    /* the nodes by path */
	struct node **nodes;  /* every node in creation order (for stable output) */
	size_t nnodes;
};

struct graph *graph_new(void);
/* find or create the node for path (path is normalised first) */
struct node *graph_node(struct graph *g, const char *path);
/* find the node for path, or NULL */
struct node *graph_lookup(struct graph *g, const char *path);
/* add a rule; returns NULL if a rule of that name exists */
struct rule *graph_rule(struct graph *g, const char *name, const char *origin);
struct rule *graph_find_rule(struct graph *g, const char *name);
/* add an empty edge; the caller fills it with edge_* and then calls edge_done */
struct edge *graph_edge(struct graph *g, struct rule *r, const char *origin, const char *owner);
/* append nodes to an edge (kind: 'o' output, 'O' implicit output, 'i' input, 'I' implicit
 * input, '|' order-only, '@' validation); the order of calls within a kind is kept */
void edge_add(struct graph *g, struct edge *e, int kind, const char *path);
/* finish an edge: link its outputs and inputs into the nodes */
void edge_done(struct graph *g, struct edge *e);
void var_add(struct var **v, size_t *n, const char *name, const char *value);
const char *var_get(struct var *v, size_t n, const char *name);
int graph_pool(struct graph *g, const char *name, int depth);

/* normalise a path lexically: collapse "//", "/./", "dir/.." and trailing '/'; returns a new
 * string. Relative paths stay relative ("./a" -> "a"). */
char *path_normalize(const char *p);

/* Validate the whole graph. Prints every problem as one "origin: message" line (naming every
 * location involved) and returns the number of problems: outputs produced twice, dependency
 * cycles (with the cycle), inputs that are neither produced by an edge nor present on disk
 * (relative paths are relative to the build directory, the current directory). */
size_t graph_check(struct graph *g);

#endif
