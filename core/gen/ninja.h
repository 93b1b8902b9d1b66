/* ninja.h: writing build.ninja from a validated graph */
#ifndef KILN_NINJA_H
#define KILN_NINJA_H

#include "graph.h"
#include "util.h"

/* append path escaped for a build line: '$', ' ' and ':' get a '$' before them */
void ninja_escape_path(struct buf *b, const char *path);
/* append a variable value escaped so that it is taken literally ('$' doubled) */
void ninja_escape_value(struct buf *b, const char *s);
/* append path escaped for a Makefile-syntax depfile as Ninja reads it */
void depfile_escape(struct buf *b, const char *path);
/* 1 if the text can appear in build.ninja at all (no newline, no NUL), else 0 */
int ninja_representable(const char *s);
/* write the whole graph as Ninja syntax into b; header is copied verbatim at the top */
void ninja_write(struct buf *b, struct graph *g, const char *header);

#endif
