/* elf_strip.h: remove symbol tables and debug sections from an ELF64 LE file with libelf,
 * keeping every loadable byte and offset unchanged. */
#ifndef KILN_ELF_STRIP_H
#define KILN_ELF_STRIP_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

/* what to remove besides .symtab/.strtab and .debug_* */
struct elf_strip_opts {
	int comment;  /* also remove .comment (kept by default: it names the toolchain) */
};

/* what was done */
struct elf_strip_stats {
	uint64_t in_size, out_size;  /* file sizes */
	size_t nremoved;             /* sections removed */
};

/* write the stripped form of data (an ELF64 LE file) to fd (empty, seekable); 0 ok, or -1
 * with a one-line reason in err for malformed input or a libelf failure; never exits */
int elf_strip_mem(const unsigned char *data, size_t len, int fd, const struct elf_strip_opts *o,
                  struct elf_strip_stats *st, struct buf *err);

#endif
