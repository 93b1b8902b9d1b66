/* ninja.h: writing build.ninja from a validated graph */
#ifndef KILN_NINJA_H
#define KILN_NINJA_H

#include <stddef.h>

#include "graph.h"
#include "util.h"

/* append path escaped for a build line: '$', ' ' and ':' get a '$' before them */
void ninja_escape_path(struct buf *b, const char *path);
/* append a variable value escaped so that it is taken literally ('$' doubled) */
void ninja_escape_value(struct buf *b, const char *s);
/* append path escaped for a Makefile-syntax depfile as Ninja reads it */
void depfile_escape(struct buf *b, const char *path);
/* 1 if the text can appear in build.ninja at all (no newline), else 0 */
int ninja_representable(const char *s);
/* why the len bytes of s cannot be written into build.ninja, or NULL if they can: a NUL or a
 * newline anywhere; for a variable value (value = 1) also a '$' that is not one of Ninja's
 * escapes ($$, "$ ", $:, $name, ${name}), such as a '$' at the end, which would join the next
 * line to this one */
const char *ninja_unwritable(const char *s, size_t len, int value);
/* write the whole graph as Ninja syntax into b; header is copied verbatim at the top */
void ninja_write(struct buf *b, struct graph *g, const char *header);

#endif
