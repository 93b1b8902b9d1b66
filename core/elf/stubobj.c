/* stubobj.c: kiln stubobj, an ELF64 relocatable object whose .text defines each named symbol
 * as a global function that returns 0, written with libelf (no C compiler, no assembler).
 *
 *   kiln stubobj --arch aarch64|x86_64 -o OUT SYMBOL...
 *
 * It stands in for the unwinder that std's unwind crate links on Redox (libgcc_eh /
 * libunwind_stubs, components.md 3.1 and F18): with panic=abort nothing unwinds, but the
 * symbols must resolve. aarch64: mov x0, #0; ret. x86_64: xor eax, eax; ret (padded to 4). */
#define _POSIX_C_SOURCE 200809L
#define _DARWIN_C_SOURCE  /* macOS hides part of POSIX.1-2008 (O_NOFOLLOW) without it; others ignore it */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libelf_compat.h"
#include "cmd.h"
#include "util.h"

static const unsigned char ret0_a64[8] = { 0x00, 0x00, 0x80, 0xd2, 0xc0, 0x03, 0x5f, 0xd6 };
static const unsigned char ret0_x64[4] = { 0x31, 0xc0, 0xc3, 0x90 };

static Elf_Scn *
section(Elf *e, struct buf *shstr, const char *name, unsigned type, uint64_t flags, void *data, size_t size, size_t align)
{
	Elf_Scn *scn = elf_newscn(e);
	Elf_Data *d;
	GElf_Shdr sh;

	if (!scn || !(d = elf_newdata(scn)) || !gelf_getshdr(scn, &sh))
		fatal("libelf: %s", elf_errmsg(-1));
	d->d_buf = data;
	d->d_size = size;
	d->d_align = align;
	d->d_type = ELF_T_BYTE;
	d->d_version = EV_CURRENT;
	sh.sh_name = shstr->len;
	buf_put(shstr, name, strlen(name) + 1);
	sh.sh_type = type;
	sh.sh_flags = flags;
	sh.sh_addralign = align;
	if (!gelf_update_shdr(scn, &sh))
		fatal("libelf: %s", elf_errmsg(-1));
	return scn;
}

const char usage_stubobj[] =
	"usage: kiln stubobj --arch aarch64|x86_64 -o OUT SYMBOL...\n"
	"\n"
	"Writes an ELF64 relocatable object to OUT whose .text defines each SYMBOL as a global\n"
	"function that returns 0, with libelf (no compiler or assembler): the unwinder symbols a\n"
	"panic=abort program still needs on Redox.\n"
	"  --arch A, --arch=A   the machine: aarch64 or x86_64\n";

int
cmd_stubobj(int argc, char *argv[])
{
	const char *out = NULL, *arch = NULL;
	const unsigned char *code;
	size_t csize, nsym = 0, i;
	char **syms;
	struct buf text = {0}, str = {0}, shstr = {0}, symtab = {0};
	struct afile *a;
	Elf *e;
	Elf64_Ehdr *eh;
	Elf_Scn *tscn, *sscn, *strscn, *shscn;
	GElf_Shdr sh;
	Elf64_Sym s;
	int k;

	syms = xcalloc((size_t)argc, sizeof *syms);
	for (k = 1; k < argc; k++) {
		if (!strcmp(argv[k], "-o") && k + 1 < argc)
			out = argv[++k];
		else if (!strcmp(argv[k], "--arch") && k + 1 < argc)
			arch = argv[++k];
		else if (!strncmp(argv[k], "--arch=", 7))
			arch = argv[k] + 7;
		else if (argv[k][0] == '-')
			unknown_option(argv[k]);
		else
			syms[nsym++] = argv[k];
	}
	if (!out || !arch || !nsym)
		usage_error("missing %s", !arch ? "--arch aarch64|x86_64" : !out ? "-o OUT" : "at least one SYMBOL");
	if (!strcmp(arch, "aarch64"))
		code = ret0_a64, csize = sizeof ret0_a64;
	else if (!strcmp(arch, "x86_64"))
		code = ret0_x64, csize = sizeof ret0_x64;
	else
		fatal("--arch %s: unknown architecture (known: aarch64, x86_64)", arch);
	for (i = 0; i < nsym; i++) {
		const char *p;

		for (p = syms[i]; *p; p++)
			if (!(*p == '_' || *p == '.' || *p == '$' || (*p >= '0' && *p <= '9') ||
			      (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')))
				fatal("'%s' is not a symbol name", syms[i]);
		for (size_t j = 0; j < i; j++)
			if (!strcmp(syms[i], syms[j]))
				fatal("symbol '%s' is given twice", syms[i]);
	}

	/* .text: one copy of the function per symbol; the string and symbol tables */
	buf_putc(&str, 0);
	buf_putc(&shstr, 0);
	memset(&s, 0, sizeof s);
	buf_put(&symtab, &s, sizeof s);                    /* index 0: null */
	s.st_info = ELF64_ST_INFO(STB_LOCAL, STT_SECTION); /* index 1: .text */
	s.st_shndx = 1;
	buf_put(&symtab, &s, sizeof s);
	for (i = 0; i < nsym; i++) {
		memset(&s, 0, sizeof s);
		s.st_name = (Elf64_Word)str.len;
		buf_put(&str, syms[i], strlen(syms[i]) + 1);
		s.st_info = ELF64_ST_INFO(STB_GLOBAL, STT_FUNC);
		s.st_shndx = 1;
		s.st_value = text.len;
		s.st_size = strcmp(arch, "x86_64") ? csize : 3;
		buf_put(&symtab, &s, sizeof s);
		buf_put(&text, code, csize);
	}

	if (elf_version(EV_CURRENT) == EV_NONE)
		fatal("libelf: %s", elf_errmsg(-1));
	a = afile_open(out);
	if (!(e = elf_begin(a->fd, ELF_C_WRITE, NULL)) || !(eh = elf64_newehdr(e)))
		fatal("libelf: %s", elf_errmsg(-1));
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_ident[EI_OSABI] = ELFOSABI_NONE;
	eh->e_type = ET_REL;
	eh->e_machine = strcmp(arch, "x86_64") ? EM_AARCH64 : EM_X86_64;
	eh->e_version = EV_CURRENT;
	tscn = section(e, &shstr, ".text", SHT_PROGBITS, SHF_ALLOC | SHF_EXECINSTR, text.s, text.len, 4);
	sscn = section(e, &shstr, ".symtab", SHT_SYMTAB, 0, symtab.s, symtab.len, 8);
	strscn = section(e, &shstr, ".strtab", SHT_STRTAB, 0, NULL, 0, 1);
	section(e, &shstr, ".note.GNU-stack", SHT_PROGBITS, 0, NULL, 0, 1);
	shscn = section(e, &shstr, ".shstrtab", SHT_STRTAB, 0, NULL, 0, 1);
	(void)tscn;
	/* the string tables last: their contents are complete only now */
	elf_getdata(strscn, NULL)->d_buf = str.s;
	elf_getdata(strscn, NULL)->d_size = str.len;
	elf_getdata(shscn, NULL)->d_buf = shstr.s;
	elf_getdata(shscn, NULL)->d_size = shstr.len;
	elf_getdata(sscn, NULL)->d_type = ELF_T_SYM;
	gelf_getshdr(sscn, &sh);
	sh.sh_link = (Elf64_Word)elf_ndxscn(strscn);
	sh.sh_info = 2; /* first global */
	sh.sh_entsize = sizeof(Elf64_Sym);
	gelf_update_shdr(sscn, &sh);
	eh->e_shstrndx = (Elf64_Half)elf_ndxscn(shscn);
	elf_flagehdr(e, ELF_C_SET, ELF_F_DIRTY);
	if (elf_update(e, ELF_C_WRITE) < 0)
		fatal("%s: libelf: %s", out, elf_errmsg(-1));
	elf_end(e);
	afile_commit(a);
	buf_free(&text);
	buf_free(&str);
	buf_free(&shstr);
	buf_free(&symtab);
	free(syms);
	return 0;
}
