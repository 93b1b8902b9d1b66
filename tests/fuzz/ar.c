/* fuzz/ar.c: fuzz driver for the ar reader (what `kiln ar t|x` run, and the sysroot step on
 * each CRT crate's staticlib): the validating walk, every member's bytes, and the symbol scan
 * `kiln ar create` runs on ELF members. */
#include <stddef.h>
#include <stdint.h>

#include "elf/ar.h"

static int
touch(const struct ar_member *m, void *ctx)
{
	struct buf syms = {0}, err = {0};
	size_t i, n = 0;
	unsigned sum = 0;

	(void)ctx;
	for (i = 0; i < m->size; i++)
		sum += m->data[i];
	ar_elf_symbols(m->data, m->size, &syms, &n, &err);
	buf_free(&syms);
	buf_free(&err);
	return sum == 0xFFFFFFFFu; /* never: keeps the loop from being optimised away */
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf err = {0};

	ar_read(data, size, touch, NULL, &err);
	buf_free(&err);
	return 0;
}
