/* elf.h: the checks of the demo's ELF loaders, shared by the bootloader (loading the kernel)
 * and the kernel (loading programs from the initfs). Like the Redox loaders they run only
 * static ET_EXEC files: no relocation, no interpreter. Each function returns NULL or a
 * static message saying why the file cannot be loaded. */
#ifndef DEMO_ELF_H
#define DEMO_ELF_H

#include <stdint.h>

#if defined(__aarch64__)
#define ELF_MACHINE 183 /* EM_AARCH64 */
#elif defined(__x86_64__)
#define ELF_MACHINE 62  /* EM_X86_64 */
#endif

#define ELF_PF_X 1u

struct elf_file {
	const unsigned char *data; /* the whole file */
	uint64_t len;              /* its length */
	uint64_t entry;            /* e_entry */
	uint64_t phoff;            /* e_phoff, checked: the table lies inside the file */
	unsigned phnum;            /* e_phnum */
};

struct elf_load {
	uint64_t vaddr;            /* p_vaddr */
	uint64_t memsz;            /* p_memsz, >= filesz */
	uint64_t off;              /* p_offset, checked: [off, off + filesz) is in the file */
	uint64_t filesz;           /* p_filesz */
	uint32_t flags;            /* p_flags (ELF_PF_X: executable) */
};

/* check the header of a 64-bit little-endian ELF file for machine: ET_EXEC (a PIE is
 * refused), a non-zero entry, a program header table inside the file */
const char *elf_open(struct elf_file *e, const unsigned char *data, uint64_t len,
    unsigned machine);
/* program header i: 1 for a PT_LOAD (filled in, checked), 0 for another type; or an error
 * (PT_INTERP and PT_DYNAMIC are errors: a dynamically linked program) */
const char *elf_segment(const struct elf_file *e, unsigned i, struct elf_load *s, int *is_load);
/* every PT_LOAD lies inside [lo, hi) and the entry point inside an executable one */
const char *elf_check_layout(const struct elf_file *e, uint64_t lo, uint64_t hi);

#endif
