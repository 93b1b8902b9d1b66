/* fuzz-elf.c: fuzz driver for the demo's ELF loader checks (lib/elf.c), which the demo
 * bootloader runs on the kernel read from disk and the kernel on every program it loads
 * from the initfs. It checks the file as both would, then, as the loaders do after the checks
 * pass, touches every byte of every PT_LOAD segment's file range. The input is an ELF file
 * for this host's machine (the seeds are small static programs and kernels).
 * Build on the host with tests/fuzz/standalone.c (replay) or AFL++ (see ../BUILD.md). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "elf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile unsigned sink;

static void
load(const unsigned char *d, uint64_t n, uint64_t lo, uint64_t hi)
{
	struct elf_file e;
	struct elf_load s;
	unsigned i;
	uint64_t k;
	int is_load;

	if (elf_open(&e, d, n, ELF_MACHINE) || elf_check_layout(&e, lo, hi))
		return;
	for (i = 0; i < e.phnum; i++) {
		if (elf_segment(&e, i, &s, &is_load) || !is_load)
			continue;
		for (k = 0; k < s.filesz; k++)
			sink += d[s.off + k];
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char *img;

	/* an exact-size copy, so that a read one byte past the file is caught by ASan */
	if (!(img = malloc(size ? size : 1)))
		return 0;
	if (size)
		memcpy(img, data, size);
	load(img, size, 0x1000, 0x40000000 - 0x10000);                 /* the kernel's programs */
	load(img, size, 0xFFFF000000000000ull, 0xFFFFFFFFFFFFF000ull);  /* the bootloader's kernel */
	free(img);
	return 0;
}
