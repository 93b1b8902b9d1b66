/* elf.c: ELF loader checks (see elf.h) */
#include "elf.h"

#define PT_LOAD 1
#define PT_DYNAMIC 2
#define PT_INTERP 3
#define ET_EXEC 2
#define ET_DYN 3
#define PHENT 56

static uint64_t
rd(const unsigned char *p, unsigned n)
{
	uint64_t v = 0;

	while (n--)
		v = v << 8 | p[n];
	return v;
}

const char *
elf_open(struct elf_file *e, const unsigned char *d, uint64_t len, unsigned machine)
{
	unsigned type;

	if (len < 64 || d[0] != 0x7f || d[1] != 'E' || d[2] != 'L' || d[3] != 'F')
		return "not an ELF file (no \\x7fELF magic)";
	if (d[4] != 2 || d[5] != 1)
		return "not a 64-bit little-endian ELF file";
	if (rd(d + 18, 2) != machine)
		return "ELF file for another machine";
	type = (unsigned)rd(d + 16, 2);
	if (type == ET_DYN)
		return "is a position-independent executable (ET_DYN); this loader does not "
		    "relocate: link it static and non-PIE (-static -no-pie)";
	if (type != ET_EXEC)
		return "ELF file is not an executable (e_type is not ET_EXEC)";
	e->data = d;
	e->len = len;
	e->entry = rd(d + 24, 8);
	e->phoff = rd(d + 32, 8);
	e->phnum = (unsigned)rd(d + 56, 2);
	if (e->entry == 0)
		return "has entry point 0 (linked without _start?): there is nothing to jump to";
	if (rd(d + 54, 2) != PHENT)
		return "program header entries are not 56 bytes";
	if (e->phnum == 0)
		return "no program headers: nothing to load";
	if (e->phoff > len || (uint64_t)e->phnum * PHENT > len - e->phoff)
		return "program header table runs past the end of the file";
	return 0;
}

const char *
elf_segment(const struct elf_file *e, unsigned i, struct elf_load *s, int *is_load)
{
	const unsigned char *p = e->data + e->phoff + (uint64_t)i * PHENT;
	uint32_t type = (uint32_t)rd(p, 4);

	*is_load = 0;
	if (type == PT_INTERP || type == PT_DYNAMIC)
		return "is dynamically linked (PT_INTERP or PT_DYNAMIC): link it -static";
	if (type != PT_LOAD)
		return 0;
	s->flags = (uint32_t)rd(p + 4, 4);
	s->off = rd(p + 8, 8);
	s->vaddr = rd(p + 16, 8);
	s->filesz = rd(p + 32, 8);
	s->memsz = rd(p + 40, 8);
	if (s->off > e->len || s->filesz > e->len - s->off)
		return "a PT_LOAD segment runs past the end of the file";
	if (s->filesz > s->memsz)
		return "a PT_LOAD segment has p_filesz > p_memsz";
	if (s->vaddr + s->memsz < s->vaddr)
		return "a PT_LOAD segment wraps around the address space";
	*is_load = 1;
	return 0;
}

const char *
elf_check_layout(const struct elf_file *e, uint64_t lo, uint64_t hi)
{
	struct elf_load s;
	const char *err;
	int load, entry_ok = 0, any = 0;
	unsigned i;

	for (i = 0; i < e->phnum; i++) {
		if ((err = elf_segment(e, i, &s, &load)))
			return err;
		if (!load || s.memsz == 0)
			continue;
		any = 1;
		if (s.vaddr < lo || s.vaddr + s.memsz > hi)
			return "a PT_LOAD segment lies outside the addresses this loader maps";
		if ((s.flags & ELF_PF_X) && e->entry >= s.vaddr && e->entry - s.vaddr < s.memsz)
			entry_ok = 1;
	}
	if (!any)
		return "no PT_LOAD segment: nothing to load";
	if (!entry_ok)
		return "the entry point is not inside an executable PT_LOAD segment";
	return 0;
}
