/* unit-elf.c: elf_check_in_place(), elf_entry() and elf_validate() on ELF images built in
 * memory: a two-segment file laid out to run in place at 0x2000, then broken one field at a
 * time. */
#include <stdlib.h>
#include <string.h>

#include "elf/elf_check.h"
#include "unit.h"
#include "util.h"

#define LEN 0x1100

/* ELF64 LE ET_EXEC aarch64: PT_LOAD [0, 0x200) at 0x2000 and [0x1000, 0x1100) at 0x3000 */
static void
image(unsigned char *d)
{
	unsigned char *p;

	memset(d, 0, LEN);
	memcpy(d, "\177ELF\2\1\1", 7);
	wr16(d + 16, 2);          /* ET_EXEC */
	wr16(d + 18, 183);        /* EM_AARCH64 */
	wr32(d + 20, 1);
	wr64(d + 24, 0x3000);     /* e_entry */
	wr64(d + 32, 64);         /* e_phoff */
	wr16(d + 52, 64);
	wr16(d + 54, 56);
	wr16(d + 56, 2);
	p = d + 64;
	wr32(p, 1); wr32(p + 4, 4); wr64(p + 8, 0); wr64(p + 16, 0x2000); wr64(p + 24, 0x2000);
	wr64(p + 32, 0x200); wr64(p + 40, 0x200); wr64(p + 48, 0x1000);
	p += 56;
	wr32(p, 1); wr32(p + 4, 5); wr64(p + 8, 0x1000); wr64(p + 16, 0x3000); wr64(p + 24, 0x3000);
	wr64(p + 32, 0x100); wr64(p + 40, 0x100); wr64(p + 48, 0x1000);
}

static int
has(const struct buf *b, const char *s)
{
	return b->s && strstr(b->s, s) != NULL;
}

int
main(void)
{
	unsigned char *d = malloc(LEN);
	struct buf why = { 0 };
	uint64_t entry = 0;

	image(d);
	CHECK("elf: in place at 0x2000", elf_check_in_place(d, LEN, 0x2000, &why) == 0);
	CHECK("elf: in place leaves no reason", why.len == 0);
	CHECK("elf: entry", elf_entry(d, LEN, &entry) == 0 && entry == 0x3000);
	CHECK("elf: validate", elf_validate(d, LEN, NULL) == 0);

	CHECK("elf: not in place at 0x1000", elf_check_in_place(d, LEN, 0x1000, &why) < 0);
	CHECK("elf: reason names vaddr and offset",
	      has(&why, "PT_LOAD #0 has p_vaddr 0x2000 but p_offset 0x0 + 0x1000 = 0x1000"));
	buf_free(&why);
	CHECK("elf: NULL why is allowed", elf_check_in_place(d, LEN, 0x1000, NULL) < 0);

	wr64(d + 64 + 56 + 40, 0x2000);   /* memsz > filesz: .bss not in the file */
	CHECK("elf: bss outside the file", elf_check_in_place(d, LEN, 0x2000, &why) < 0);
	CHECK("elf: reason names filesz", has(&why, "PT_LOAD #1 has p_filesz 0x100 != p_memsz 0x2000"));
	buf_free(&why);

	image(d);
	wr64(d + 64 + 56 + 32, 0x1000);   /* segment runs past the end */
	wr64(d + 64 + 56 + 40, 0x1000);
	CHECK("elf: segment past the end", elf_check_in_place(d, LEN, 0x2000, &why) < 0 &&
	      has(&why, "runs past the end"));
	CHECK("elf: validate refuses it", elf_validate(d, LEN, NULL) < 0);
	buf_free(&why);

	image(d);
	wr32(d + 64, 6); wr32(d + 64 + 56, 4);  /* PT_PHDR, PT_NOTE: no PT_LOAD */
	CHECK("elf: no PT_LOAD", elf_check_in_place(d, LEN, 0x2000, &why) < 0 && has(&why, "no PT_LOAD"));
	buf_free(&why);

	image(d);
	CHECK("elf: truncated program headers", elf_check_in_place(d, 100, 0x2000, &why) < 0 &&
	      has(&why, "program header table (2 entries at offset 0x40) runs past the end"));
	buf_free(&why);
	wr16(d + 56, 0xfff0);
	CHECK("elf: absurd e_phnum", elf_check_in_place(d, LEN, 0x2000, &why) < 0);
	buf_free(&why);
	image(d);
	wr64(d + 40, 0x1000);             /* 200 section headers at 0x1000 cannot fit */
	wr16(d + 58, 64);
	wr16(d + 60, 200);
	CHECK("elf: section table past the end", elf_validate(d, LEN, &why) < 0 &&
	      has(&why, "section header table (200 entries at offset 0x1000) runs past the end"));
	buf_free(&why);

	image(d);
	d[4] = 1;
	CHECK("elf: 32-bit is not ELF64", elf_entry(d, LEN, &entry) < 0 &&
	      elf_check_in_place(d, LEN, 0x2000, &why) < 0 && has(&why, "32-bit"));
	buf_free(&why);
	d[4] = 2;
	d[5] = 2;
	CHECK("elf: big-endian refused", elf_check_in_place(d, LEN, 0x2000, &why) < 0 && has(&why, "big-endian"));
	buf_free(&why);
	CHECK("elf: not ELF", elf_entry((const unsigned char *)"RedoxFtw", 8, &entry) < 0);
	CHECK("elf: empty", elf_entry(d, 0, &entry) < 0 && elf_check_in_place(d, 3, 0x2000, NULL) < 0);
	image(d);
	CHECK("elf: header only is too short", elf_entry(d, 63, &entry) < 0);
	CHECK("elf: arch machines", elf_arch_machine("aarch64") == 183 && elf_arch_machine("x86_64") == 62 &&
	      elf_arch_machine("vax") == 0);
	free(d);
	return unit_failed;
}
