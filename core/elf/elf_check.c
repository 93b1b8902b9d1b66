/* elf_check.c: post-link validation of ELF64 and PE32+ files against a policy.
 *
 * The ELF header, program headers and the dynamic segment are parsed here with plain bounds
 * checks (that is what the Redox loader sees, and it works on memory without libelf); the
 * section and symbol tables are read with libelf (elf_memory) once the tables are known to
 * lie inside the file. Nothing here exits: malformed input gives -1 and a one-line reason. */
#define _POSIX_C_SOURCE 200809L
#define _DARWIN_C_SOURCE  /* macOS hides part of POSIX.1-2008 (O_NOFOLLOW) without it; others ignore it */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libelf_compat.h"
#include "bytescan.h"
#include "elf_check.h"
#include "util.h"

/* the parts of an ELF64 LE header the checks use, validated against the file length */
struct e64 {
	const unsigned char *d;
	size_t len;
	uint16_t type, machine;
	uint64_t entry, phoff, shoff;
	uint64_t phnum, shnum, shstrndx;
};

/* one program header */
struct ph {
	uint32_t type, flags;
	uint64_t off, vaddr, filesz, memsz, align;
};

static const struct {
	int em;
	const char *name;
} machines[] = {
	{ 3, "i386" }, { 8, "mips" }, { 20, "ppc" }, { 21, "ppc64" }, { 40, "arm" },
	{ 62, "x86_64" }, { 183, "aarch64" }, { 243, "riscv" }, { 258, "loongarch" },
};

int
elf_arch_machine(const char *arch)
{
	size_t i;

	for (i = 0; i < sizeof machines / sizeof machines[0]; i++)
		if (!strcmp(machines[i].name, arch))
			return machines[i].em;
	return 0;
}

static const char *
machine_name(int em)
{
	size_t i;

	for (i = 0; i < sizeof machines / sizeof machines[0]; i++)
		if (machines[i].em == em)
			return machines[i].name;
	return "unknown";
}

const char *
elf_host_arch(void)
{
#if defined(__x86_64__) || defined(_M_X64)
	return "x86_64";
#elif defined(__aarch64__) || defined(_M_ARM64)
	return "aarch64";
#elif defined(__riscv)
	return "riscv";
#elif defined(__i386__)
	return "i386";
#else
	return "unknown";
#endif
}

static void
reason(struct buf *why, const char *fmt, ...)
{
	va_list ap;
	char tmp[512];

	if (!why)
		return;
	va_start(ap, fmt);
	vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	buf_puts(why, tmp);
}

/* does [off, off+n*size) lie inside len bytes? (no overflow) */
static int
inside(uint64_t off, uint64_t n, uint64_t size, size_t len)
{
	if (off > len)
		return 0;
	return size == 0 || n <= (len - off) / size;
}

/* parse and bound-check the ELF64 LE header and its table positions */
static int
parse_e64(const unsigned char *d, size_t len, struct e64 *e, struct buf *why)
{
	const unsigned char *s0;

	if (len < 4 || memcmp(d, "\177ELF", 4)) {
		reason(why, "not an ELF file (no \\177ELF magic)");
		return -1;
	}
	if (len < 16) {
		reason(why, "truncated ELF identification (%zu bytes)", len);
		return -1;
	}
	if (d[4] != 2) {
		reason(why, "not ELF64 (EI_CLASS %u%s)", d[4], d[4] == 1 ? ", 32-bit" : "");
		return -1;
	}
	if (d[5] != 1) {
		reason(why, "not little-endian (EI_DATA %u%s)", d[5], d[5] == 2 ? ", big-endian" : "");
		return -1;
	}
	if (len < 64) {
		reason(why, "truncated ELF header (%zu of 64 bytes)", len);
		return -1;
	}
	e->d = d;
	e->len = len;
	e->type = rd16(d + 16);
	e->machine = rd16(d + 18);
	e->entry = rd64(d + 24);
	e->phoff = rd64(d + 32);
	e->shoff = rd64(d + 40);
	e->phnum = rd16(d + 56);
	e->shnum = rd16(d + 60);
	e->shstrndx = rd16(d + 62);
	s0 = NULL;
	if (e->shoff) {
		if (rd16(d + 58) != 64) {
			reason(why, "e_shentsize %u is not 64", rd16(d + 58));
			return -1;
		}
		if (!inside(e->shoff, 1, 64, len)) {
			reason(why, "section header table at offset 0x%llx is past the end (file is %zu bytes)",
			       (unsigned long long)e->shoff, len);
			return -1;
		}
		s0 = d + e->shoff;
		if (e->shnum == 0)                  /* extended numbering */
			e->shnum = rd64(s0 + 32);
		if (e->shstrndx == 0xffff)
			e->shstrndx = rd32(s0 + 40);
		if (e->phnum == 0xffff) {
			e->phnum = rd32(s0 + 44);
			if (e->phnum < 0xffff) {
				reason(why, "e_phnum is PN_XNUM (0xffff) but section 0 gives %llu program headers, not an extended count",
				       (unsigned long long)e->phnum);
				return -1;
			}
		}
		if (!inside(e->shoff, e->shnum, 64, len)) {
			reason(why, "section header table (%llu entries at offset 0x%llx) runs past the end of the file (%zu bytes)",
			       (unsigned long long)e->shnum, (unsigned long long)e->shoff, len);
			return -1;
		}
		if (e->shnum && e->shstrndx >= e->shnum) {
			reason(why, "e_shstrndx %llu is not below the section count %llu",
			       (unsigned long long)e->shstrndx, (unsigned long long)e->shnum);
			return -1;
		}
	} else {
		if (e->phnum == 0xffff) {
			reason(why, "e_phnum is PN_XNUM (0xffff) but there is no section 0 to hold the count");
			return -1;
		}
		e->shnum = 0;
		e->shstrndx = 0;
	}
	if (e->phnum) {
		if (rd16(d + 54) != 56) {
			reason(why, "e_phentsize %u is not 56", rd16(d + 54));
			return -1;
		}
		/* e_phoff 0 means "no program header table" (gABI); libelf then sees none */
		if (e->phoff < 64) {
			reason(why, "e_phnum is %llu but the program header table offset 0x%llx overlaps the ELF header",
			       (unsigned long long)e->phnum, (unsigned long long)e->phoff);
			return -1;
		}
		if (!inside(e->phoff, e->phnum, 56, len)) {
			reason(why, "program header table (%llu entries at offset 0x%llx) runs past the end of the file (%zu bytes)",
			       (unsigned long long)e->phnum, (unsigned long long)e->phoff, len);
			return -1;
		}
	}
	return 0;
}

static void
get_ph(const struct e64 *e, uint64_t i, struct ph *p)
{
	const unsigned char *q = e->d + e->phoff + i * 56;

	p->type = rd32(q);
	p->flags = rd32(q + 4);
	p->off = rd64(q + 8);
	p->vaddr = rd64(q + 16);
	p->filesz = rd64(q + 32);
	p->memsz = rd64(q + 40);
	p->align = rd64(q + 48);
}

int
elf_entry(const unsigned char *data, size_t len, uint64_t *entry)
{
	struct e64 e;

	if (parse_e64(data, len, &e, NULL) < 0)
		return -1;
	*entry = e.entry;
	return 0;
}

int
elf_validate(const unsigned char *data, size_t len, struct buf *why)
{
	struct e64 e;
	struct ph p;
	const unsigned char *q;
	uint64_t i, off, size;

	if (parse_e64(data, len, &e, why) < 0)
		return -1;
	for (i = 0; i < e.phnum; i++) {
		get_ph(&e, i, &p);
		if (p.type != PT_NULL && !inside(p.off, 1, p.filesz, len)) {
			reason(why, "program header #%llu (offset 0x%llx, %llu bytes) runs past the end of the file (%zu bytes)",
			       (unsigned long long)i, (unsigned long long)p.off,
			       (unsigned long long)p.filesz, len);
			return -1;
		}
	}
	for (i = 1; i < e.shnum; i++) {
		q = data + e.shoff + i * 64;
		off = rd64(q + 24);
		size = rd64(q + 32);
		if (rd32(q + 4) != SHT_NOBITS && !inside(off, 1, size, len)) {
			reason(why, "section #%llu (offset 0x%llx, %llu bytes) runs past the end of the file (%zu bytes)",
			       (unsigned long long)i, (unsigned long long)off, (unsigned long long)size, len);
			return -1;
		}
	}
	if (e.shnum && e.shstrndx && rd32(data + e.shoff + e.shstrndx * 64 + 4) != SHT_STRTAB) {
		reason(why, "e_shstrndx %llu is not a string table", (unsigned long long)e.shstrndx);
		return -1;
	}
	return 0;
}

int
elf_check_in_place(const unsigned char *data, size_t len, uint64_t base, struct buf *why)
{
	struct e64 e;
	struct ph p;
	uint64_t i, nload = 0;

	if (parse_e64(data, len, &e, why) < 0)
		return -1;
	for (i = 0; i < e.phnum; i++) {
		get_ph(&e, i, &p);
		if (p.type != PT_LOAD)
			continue;
		nload++;
		if (p.vaddr - p.off != base) {
			reason(why, "PT_LOAD #%llu has p_vaddr 0x%llx but p_offset 0x%llx + 0x%llx = 0x%llx",
			       (unsigned long long)i, (unsigned long long)p.vaddr, (unsigned long long)p.off,
			       (unsigned long long)base, (unsigned long long)(p.off + base));
			return -1;
		}
		if (p.filesz != p.memsz) {
			reason(why, "PT_LOAD #%llu has p_filesz 0x%llx != p_memsz 0x%llx (.bss not backed by the file)",
			       (unsigned long long)i, (unsigned long long)p.filesz, (unsigned long long)p.memsz);
			return -1;
		}
		if (!inside(p.off, 1, p.filesz, len)) {
			reason(why, "PT_LOAD #%llu (offset 0x%llx, 0x%llx bytes) runs past the end of the file",
			       (unsigned long long)i, (unsigned long long)p.off, (unsigned long long)p.filesz);
			return -1;
		}
	}
	if (!nload) {
		reason(why, "no PT_LOAD segment");
		return -1;
	}
	return 0;
}

/* ---- reporting -------------------------------------------------------------------------- */

static void
vio(struct elf_report *r, const struct elf_policy *p, const char *id, const char *fmt, ...)
{
	struct elf_violation *v;
	struct buf b = { 0 };
	va_list ap;
	char tmp[1024];
	size_t i;

	va_start(ap, fmt);
	vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	buf_puts(&b, tmp);
	r->v = xreallocarray(r->v, r->nv + 1, sizeof *r->v);
	v = &r->v[r->nv++];
	v->id = xstrdup(id);
	v->msg = b.s;
	v->waived = NULL;
	for (i = 0; i < p->nwaive; i++)
		if (!strcmp(p->waive_id[i], id))
			v->waived = xstrdup(p->waive_reason[i]);
	if (!v->waived)
		r->nfailed++;
}

void
elf_report_free(struct elf_report *r)
{
	size_t i;

	for (i = 0; i < r->nv; i++) {
		free(r->v[i].id);
		free(r->v[i].msg);
		free(r->v[i].waived);
	}
	free(r->v);
	free(r->kind);
	memset(r, 0, sizeof *r);
}

/* ---- PE32+ ------------------------------------------------------------------------------ */

static const char *
pe_machine_name(unsigned m)
{
	switch (m) {
	case 0xaa64: return "aarch64";
	case 0x8664: return "x86_64";
	case 0x14c: return "i386";
	case 0x1c4: return "arm";
	case 0x5064: return "riscv";
	}
	return "unknown";
}

/* the section (of nsec at sec) that holds RVA [rva, rva + n), or -1 */
static long
pe_section_of(const unsigned char *d, uint64_t sec, uint64_t nsec, uint64_t rva, uint64_t n)
{
	uint64_t i;

	for (i = 0; i < nsec; i++) {
		const unsigned char *s = d + sec + 40 * i;
		uint64_t va = rd32(s + 12), vs = rd32(s + 8) > rd32(s + 16) ? rd32(s + 8) : rd32(s + 16);

		if (rva >= va && rva - va < vs && n <= vs - (rva - va))
			return (long)i;
	}
	return -1;
}

/* data directory i of the PE32+ optional header at opt: its RVA and size, 0 if absent */
static void
pe_dir(const unsigned char *d, uint64_t opt, uint64_t optsize, unsigned i, uint64_t *rva, uint64_t *size)
{
	*rva = *size = 0;
	if (optsize >= 112 + 8 * (i + 1) && rd32(d + opt + 108) > i) {
		*rva = rd32(d + opt + 112 + 8 * i);
		*size = rd32(d + opt + 116 + 8 * i);
	}
}

/* what firmware needs of an EFI application beyond its headers: an entry point in code;
 * relocatable (edk2 loads it wherever memory is free, and can place an image whose
 * relocations were stripped only at its ImageBase), with any base relocations inside a
 * section; no DLL imports */
static void
check_pe_image(const unsigned char *d, uint64_t coff, uint64_t opt, uint64_t optsize, uint64_t nsec,
               const struct elf_policy *p, struct elf_report *r)
{
	uint64_t sec = opt + optsize, entry = rd32(d + opt + 16), rva, size;
	long s;

	if (p->entry_nonzero && entry == 0)
		vio(r, p, "pe-entry", "AddressOfEntryPoint is 0: the firmware would jump to the image's first byte; link with an entry point (lld-link -entry:efi_main)");
	else if (p->entry_in_exec && ((s = pe_section_of(d, sec, nsec, entry, 1)) < 0 ||
	         !(rd32(d + sec + 40 * (uint64_t)s + 36) & 0x20000000)))
		vio(r, p, "pe-entry", "entry point RVA 0x%llx is in no executable section; the firmware would jump into data: check the entry symbol (-entry:)",
		    (unsigned long long)entry);
	pe_dir(d, opt, optsize, 5, &rva, &size);
	if (p->pe_relocs && (rd16(d + coff + 18) & 1))
		vio(r, p, "pe-relocs", "relocations stripped (IMAGE_FILE_RELOCS_STRIPPED): the firmware loads an EFI application wherever it finds memory, and this one only fits at its ImageBase 0x%llx; link without -fixed so the linker keeps a .reloc section",
		    (unsigned long long)rd64(d + opt + 24));
	else if (p->pe_relocs && size && pe_section_of(d, sec, nsec, rva, size) < 0)
		vio(r, p, "pe-relocs", "the base relocation directory (RVA 0x%llx, %llu bytes) lies outside every section: the firmware cannot relocate the image; it is corrupt",
		    (unsigned long long)rva, (unsigned long long)size);
	pe_dir(d, opt, optsize, 1, &rva, &size);
	if (p->pe_no_imports && size != 0)
		vio(r, p, "pe-imports", "imports from DLLs (an import directory of %llu bytes): UEFI loads no DLLs, so the image cannot start; link with -nostdlib and no import libraries",
		    (unsigned long long)size);
}

static int
check_pe(const unsigned char *d, size_t len, const struct elf_policy *p, const struct elf_env *env,
         struct elf_report *r, struct buf *err)
{
	uint64_t lfanew, opt, nsec, optsize;
	unsigned mach, magic, sub, want;

	if (len >= 4 && !memcmp(d, "\177ELF", 4)) {
		r->kind = xstrdup("ELF");
		vio(r, p, "pe-format", "is an ELF file, not a PE32+ EFI application; UEFI firmware loads only PE/COFF: build the bootloader for the %s-unknown-uefi target",
		    env->arch);
		return 0;
	}
	if (len < 2 || d[0] != 'M' || d[1] != 'Z') {
		r->kind = xstrdup("data");
		vio(r, p, "pe-format", "no MZ header: not a PE32+ EFI application; build the bootloader for the %s-unknown-uefi target",
		    env->arch);
		return 0;
	}
	if (len < 64) {
		buf_printf(err, "truncated DOS header (%zu of 64 bytes)", len);
		return -1;
	}
	lfanew = rd32(d + 0x3c);
	if (!inside(lfanew, 1, 24, len)) {
		buf_printf(err, "PE header offset 0x%llx (e_lfanew at 0x3c) is past the end of the file (%zu bytes)",
		           (unsigned long long)lfanew, len);
		return -1;
	}
	if (memcmp(d + lfanew, "PE\0\0", 4)) {
		r->kind = xstrdup("MS-DOS executable");
		vio(r, p, "pe-format", "MZ header but no PE signature at offset 0x%llx: not a PE32+ EFI application",
		    (unsigned long long)lfanew);
		return 0;
	}
	mach = rd16(d + lfanew + 4);
	nsec = rd16(d + lfanew + 6);
	optsize = rd16(d + lfanew + 20);
	opt = lfanew + 24;
	if (optsize < 2 || !inside(opt, 1, optsize, len)) {
		buf_printf(err, "PE optional header (%llu bytes at offset 0x%llx) is missing or past the end of the file",
		           (unsigned long long)optsize, (unsigned long long)opt);
		return -1;
	}
	if (!inside(opt + optsize, nsec, 40, len)) {
		buf_printf(err, "PE section table (%llu entries at offset 0x%llx) runs past the end of the file",
		           (unsigned long long)nsec, (unsigned long long)(opt + optsize));
		return -1;
	}
	magic = rd16(d + opt);
	r->kind = xasprintf("%s %s", magic == 0x20b ? "PE32+" : magic == 0x10b ? "PE32" : "PE",
	                    pe_machine_name(mach));
	if (magic != 0x20b)
		vio(r, p, "pe-magic", "optional header magic 0x%x%s, not 0x20b (PE32+); UEFI on 64-bit machines needs PE32+: build for the %s-unknown-uefi target",
		    magic, magic == 0x10b ? " (PE32, 32-bit)" : "", env->arch);
	want = !strcmp(env->arch, "aarch64") ? 0xaa64 : !strcmp(env->arch, "x86_64") ? 0x8664 : 0;
	if (p->machine == 1 && mach != want)
		vio(r, p, "machine", "PE machine 0x%x (%s) but the target is %s (0x%x); the bootloader was built for the wrong target: use %s-unknown-uefi",
		    mach, pe_machine_name(mach), env->arch, want, env->arch);
	if (optsize < 70) {
		buf_printf(err, "PE optional header is %llu bytes, too short for the subsystem field",
		           (unsigned long long)optsize);
		return -1;
	}
	sub = rd16(d + opt + 68);
	if (p->pe_subsystem && sub != p->pe_subsystem)
		vio(r, p, "pe-subsystem", "subsystem %u%s, not %u (EFI application); the firmware refuses to start it: link with /subsystem:efi_application (the *-unknown-uefi targets do)",
		    sub, sub == 2 ? " (Windows GUI)" : sub == 3 ? " (Windows console)" : "", p->pe_subsystem);
	if (magic == 0x20b)
		check_pe_image(d, lfanew + 4, opt, optsize, nsec, p, r);
	return 0;
}

/* ---- ELF -------------------------------------------------------------------------------- */

/* what the checks learn from the file */
struct facts {
	struct e64 e;
	Elf *elf;
	uint64_t nload, loadsz, codesz;  /* PT_LOAD count, file bytes, executable file bytes */
	int load1;                       /* index of the first PT_LOAD */
	int has_interp, has_dynamic, textrel, exec_stack;
	char interp[256];
	char **needed;                   /* DT_NEEDED names */
	size_t nneeded;
	char *runpath;                   /* DT_RUNPATH or DT_RPATH, or NULL */
	int has_text;
	uint64_t text_addr;
	int has_symtab, ndebug;
	int start_found;
	uint64_t start_value;
};

static const char *
type_name(unsigned t)
{
	switch (t) {
	case 0: return "ET_NONE";
	case 1: return "ET_REL (relocatable object)";
	case 2: return "ET_EXEC";
	case 3: return "ET_DYN";
	case 4: return "ET_CORE (core dump)";
	}
	return "unknown type";
}

/* virtual address to file offset through the PT_LOADs; -1 when unmapped */
static int
v2off(const struct e64 *e, uint64_t va, uint64_t *off)
{
	struct ph p;
	uint64_t i;

	for (i = 0; i < e->phnum; i++) {
		get_ph(e, i, &p);
		if (p.type == PT_LOAD && va >= p.vaddr && va - p.vaddr < p.filesz) {
			*off = p.off + (va - p.vaddr);
			return *off < e->len ? 0 : -1;
		}
	}
	return -1;
}

/* the NUL-terminated string at file offset off, or NULL when it runs off the file */
static const char *
str_at(const struct e64 *e, uint64_t off)
{
	if (off >= e->len || !memchr(e->d + off, 0, e->len - off))
		return NULL;
	return (const char *)e->d + off;
}

/* read PT_DYNAMIC as the loader sees it: DT_NEEDED, DT_TEXTREL, DT_FLAGS, DT_RUNPATH */
static int
read_dynamic(struct facts *f, const struct ph *dp, struct buf *err)
{
	const struct e64 *e = &f->e;
	uint64_t i, n, strtab = 0, tag, val, stroff;
	uint64_t needed[64], nneeded = 0, runpath = 0, hasrun = 0;
	const unsigned char *q;
	const char *s;

	if (!inside(dp->off, 1, dp->filesz, e->len)) {
		buf_printf(err, "PT_DYNAMIC (offset 0x%llx, %llu bytes) runs past the end of the file",
		           (unsigned long long)dp->off, (unsigned long long)dp->filesz);
		return -1;
	}
	n = dp->filesz / 16;
	for (i = 0; i < n; i++) {
		q = e->d + dp->off + i * 16;
		tag = rd64(q);
		val = rd64(q + 8);
		if (tag == DT_NULL)
			break;
		switch (tag) {
		case DT_STRTAB: strtab = val; break;
		case DT_TEXTREL: f->textrel = 1; break;
		case DT_FLAGS: if (val & DF_TEXTREL) f->textrel = 1; break;
		case DT_NEEDED: if (nneeded < 64) needed[nneeded++] = val; break;
		case DT_RUNPATH: runpath = val; hasrun = 1; break;
		case DT_RPATH: if (!hasrun) { runpath = val; hasrun = 2; } break;
		}
	}
	if (!nneeded && !hasrun)
		return 0;
	/* DT_STRTAB is an address; ET_DYN addresses are relative to the load base 0 */
	if (!strtab || v2off(e, strtab, &stroff) < 0) {
		buf_printf(err, "PT_DYNAMIC has DT_NEEDED or DT_RUNPATH but DT_STRTAB 0x%llx is not in any PT_LOAD",
		           (unsigned long long)strtab);
		return -1;
	}
	for (i = 0; i < nneeded; i++) {
		if (needed[i] > e->len || !(s = str_at(e, stroff + needed[i]))) {
			buf_printf(err, "DT_NEEDED #%llu: string offset 0x%llx is past the end of the file",
			           (unsigned long long)i, (unsigned long long)needed[i]);
			return -1;
		}
		f->needed = xreallocarray(f->needed, f->nneeded + 1, sizeof *f->needed);
		f->needed[f->nneeded++] = xstrdup(s);
	}
	if (hasrun) {
		if (runpath > e->len || !(s = str_at(e, stroff + runpath))) {
			buf_printf(err, "DT_RUNPATH: string offset 0x%llx is past the end of the file",
			           (unsigned long long)runpath);
			return -1;
		}
		f->runpath = xstrdup(s);
	}
	return 0;
}

/* program headers: loads, code size, interp, dynamic, stack */
static int
read_segments(struct facts *f, struct buf *err)
{
	const struct e64 *e = &f->e;
	struct ph p;
	uint64_t i, n;
	int dyn = -1;

	f->load1 = -1;
	for (i = 0; i < e->phnum; i++) {
		get_ph(e, i, &p);
		switch (p.type) {
		case PT_LOAD:
			if (!inside(p.off, 1, p.filesz, e->len)) {
				buf_printf(err, "PT_LOAD #%llu (offset 0x%llx, %llu bytes) runs past the end of the file (%zu bytes)",
				           (unsigned long long)i, (unsigned long long)p.off,
				           (unsigned long long)p.filesz, e->len);
				return -1;
			}
			if (f->load1 < 0)
				f->load1 = (int)i;
			f->nload++;
			f->loadsz += p.filesz;
			if (p.flags & PF_X)
				f->codesz += p.filesz;
			break;
		case PT_INTERP:
			if (!inside(p.off, 1, p.filesz, e->len)) {
				buf_printf(err, "PT_INTERP (offset 0x%llx, %llu bytes) runs past the end of the file",
				           (unsigned long long)p.off, (unsigned long long)p.filesz);
				return -1;
			}
			f->has_interp = 1;
			n = p.filesz < sizeof f->interp - 1 ? p.filesz : sizeof f->interp - 1;
			memcpy(f->interp, e->d + p.off, n);
			f->interp[n] = 0;
			break;
		case PT_DYNAMIC:
			f->has_dynamic = 1;
			dyn = (int)i;
			break;
		case PT_GNU_STACK:
			if (p.flags & PF_X)
				f->exec_stack = 1;
			break;
		}
	}
	if (dyn >= 0) {
		get_ph(e, (uint64_t)dyn, &p);
		return read_dynamic(f, &p, err);
	}
	return 0;
}

/* sections and symbols through libelf */
static int
read_sections(struct facts *f, const struct elf_policy *p, struct buf *err)
{
	const struct e64 *e = &f->e;
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;
	Elf_Data *data;
	GElf_Sym sym;
	const char *name;
	size_t shstrndx, i, nsym;

	if (!e->shnum)
		return 0;
	if (elf_version(EV_CURRENT) == EV_NONE) {
		buf_printf(err, "libelf: %s", elf_errmsg(-1));
		return -1;
	}
	/* libelf reads the buffer in place; it does not write to it for a native LE file */
	f->elf = elf_memory((char *)e->d, e->len);
	if (!f->elf || elf_kind(f->elf) != ELF_K_ELF) {
		buf_printf(err, "libelf cannot read the file: %s", elf_errmsg(-1));
		return -1;
	}
	if (elf_getshdrstrndx(f->elf, &shstrndx) < 0) {
		buf_printf(err, "no section name table: %s", elf_errmsg(-1));
		return -1;
	}
	while ((scn = elf_nextscn(f->elf, scn))) {
		if (!gelf_getshdr(scn, &sh)) {
			buf_printf(err, "section %zu: %s", elf_ndxscn(scn), elf_errmsg(-1));
			return -1;
		}
		if (sh.sh_type != SHT_NOBITS && sh.sh_type != SHT_NULL &&
		    !inside(sh.sh_offset, 1, sh.sh_size, e->len)) {
			buf_printf(err, "section %zu (offset 0x%llx, %llu bytes) runs past the end of the file (%zu bytes)",
			           elf_ndxscn(scn), (unsigned long long)sh.sh_offset,
			           (unsigned long long)sh.sh_size, e->len);
			return -1;
		}
		name = elf_strptr(f->elf, shstrndx, sh.sh_name);
		if (!name)
			name = "";
		if (!strcmp(name, ".text") && !f->has_text) {
			f->has_text = 1;
			f->text_addr = sh.sh_addr;
		}
		if (!strncmp(name, ".debug", 6) || !strncmp(name, ".zdebug", 7) || !strncmp(name, ".stab", 5))
			f->ndebug++;
		if (sh.sh_type != SHT_SYMTAB)
			continue;
		f->has_symtab = 1;
		if (!p->start_symbol || f->start_found)
			continue;
		if (sh.sh_entsize != sizeof(Elf64_Sym)) {
			buf_printf(err, "symbol table (section %zu) has sh_entsize %llu, not %zu: its section header is corrupt (relink the file)",
			           elf_ndxscn(scn), (unsigned long long)sh.sh_entsize, sizeof(Elf64_Sym));
			return -1;
		}
		if (!(data = elf_getdata(scn, NULL))) {
			buf_printf(err, "symbol table (section %zu) is unreadable: %s", elf_ndxscn(scn),
			           elf_errmsg(-1));
			return -1;
		}
		nsym = data->d_size / sizeof(Elf64_Sym);
		for (i = 0; i < nsym; i++) {
			if (!gelf_getsym(data, (int)i, &sym))
				break;
			if (sym.st_shndx == SHN_UNDEF || GELF_ST_TYPE(sym.st_info) == STT_SECTION)
				continue;
			name = elf_strptr(f->elf, sh.sh_link, sym.st_name);
			if (name && !strcmp(name, p->start_symbol)) {
				f->start_found = 1;
				f->start_value = sym.st_value;
				break;
			}
		}
	}
	return 0;
}

static void
facts_free(struct facts *f)
{
	size_t i;

	for (i = 0; i < f->nneeded; i++)
		free(f->needed[i]);
	free(f->needed);
	free(f->runpath);
	if (f->elf)
		elf_end(f->elf);
}

/* the section holding file offset off, for diagnostics */
static const char *
section_at(const struct facts *f, uint64_t off)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;
	size_t shstrndx;
	const char *n;

	if (!f->elf || elf_getshdrstrndx(f->elf, &shstrndx) < 0)
		return NULL;
	while ((scn = elf_nextscn(f->elf, scn))) {
		if (!gelf_getshdr(scn, &sh) || sh.sh_type == SHT_NOBITS)
			continue;
		if (off >= sh.sh_offset && off - sh.sh_offset < sh.sh_size) {
			n = elf_strptr(f->elf, shstrndx, sh.sh_name);
			return n && *n ? n : NULL;
		}
	}
	return NULL;
}

/* report the forbidden byte string found at offset i, with the printable path around it */
static void
host_path_at(const struct facts *f, const struct elf_policy *p, struct elf_report *r, const char *pat,
             size_t i)
{
	const unsigned char *d = f->e.d;
	size_t len = f->e.len, n = strlen(pat), a, b;
	const char *sec;
	char shown[128];

	/* widen to the surrounding printable run to show the whole path */
	for (a = i; a > 0 && i - a < 40 && d[a - 1] >= 0x21 && d[a - 1] < 0x7f; a--)
		;
	for (b = i + n; b < len && b - i < 80 && d[b] >= 0x21 && d[b] < 0x7f; b++)
		;
	snprintf(shown, sizeof shown, "%.*s", (int)(b - a), (const char *)d + a);
	sec = section_at(f, i);
	vio(r, p, "host-path", "contains the host path \"%s\" at offset 0x%zx%s%s%s; the build machine's paths leak into the file (not reproducible): build with --remap-path-prefix=DIR=/ (rustc) or -ffile-prefix-map=DIR=/ (cc), or strip debug info",
	    shown, i, sec ? " (section " : "", sec ? sec : "", sec ? ")" : "");
}

/* search the whole file once for every forbidden byte string (the policy's host_paths, then
 * the --forbid-path directories) and report the first occurrence of each */
static void
check_host_paths(const struct facts *f, const struct elf_policy *p, const struct elf_env *env,
                 struct elf_report *r)
{
	size_t n = p->nhost_paths + env->nforbid, i, *first;
	const char **pats;

	if (!n)
		return;
	pats = xreallocarray(NULL, n, sizeof *pats);
	first = xreallocarray(NULL, n, sizeof *first);
	for (i = 0; i < p->nhost_paths; i++)
		pats[i] = p->host_paths[i];
	for (i = 0; i < env->nforbid; i++)
		pats[p->nhost_paths + i] = env->forbid[i];
	bytescan(f->e.d, f->e.len, pats, n, first);
	for (i = 0; i < n; i++)
		if (first[i] < f->e.len)
			host_path_at(f, p, r, pats[i], first[i]);
	free(pats);
	free(first);
}

/* is soname provided by some image path in /lib, /usr/lib or a RUNPATH directory? */
static int
provided(const struct facts *f, const struct elf_env *env, const char *soname)
{
	const char *dirs[32];
	char *rp = NULL, *tok, *save = NULL;
	size_t ndirs = 0, i, j, dl, sl = strlen(soname), pl;
	int found = 0;

	dirs[ndirs++] = "/lib";
	dirs[ndirs++] = "/usr/lib";
	if (f->runpath) {
		rp = xstrdup(f->runpath);
		for (tok = strtok_r(rp, ":", &save); tok && ndirs < 32; tok = strtok_r(NULL, ":", &save))
			dirs[ndirs++] = tok;
	}
	for (i = 0; i < env->nprovides && !found; i++) {
		pl = strlen(env->provides[i]);
		if (pl < sl + 1 || strcmp(env->provides[i] + pl - sl, soname) ||
		    env->provides[i][pl - sl - 1] != '/')
			continue;
		for (j = 0; j < ndirs; j++) {
			dl = strlen(dirs[j]);
			while (dl > 1 && dirs[j][dl - 1] == '/')
				dl--;
			if (dl == pl - sl - 1 && !strncmp(env->provides[i], dirs[j], dl))
				found = 1;
		}
	}
	free(rp);
	return found;
}

static int
is_provided_path(const struct elf_env *env, const char *path)
{
	size_t i;

	for (i = 0; i < env->nprovides; i++)
		if (!strcmp(env->provides[i], path))
			return 1;
	return 0;
}

/* describe the PT_LOADs for the linker-script diagnosis */
static void
describe_loads(const struct facts *f, char *s, size_t n)
{
	if (f->nload == 1)
		snprintf(s, n, "one PT_LOAD of %llu bytes", (unsigned long long)f->loadsz);
	else
		snprintf(s, n, "%llu PT_LOADs of %llu bytes", (unsigned long long)f->nload,
		         (unsigned long long)f->loadsz);
}

static void
check_kernel_layout(const struct facts *f, const struct elf_policy *p, const struct elf_env *env,
                    struct elf_report *r, int *reported)
{
	const struct e64 *e = &f->e;
	char loads[96], fix[160];
	struct ph ph;
	uint64_t i, lowcode = UINT64_MAX;
	uint64_t base = p->entry_base ? p->entry_base : p->text_base;

	for (i = 0; i < e->phnum; i++) {
		get_ph(e, i, &ph);
		if (ph.type == PT_LOAD && (ph.flags & PF_X) && ph.vaddr < lowcode)
			lowcode = ph.vaddr;
	}
	snprintf(fix, sizeof fix, "the linker script was probably not passed (-C link-arg=-Tlinkers/%s.ld)",
	         env->arch);
	describe_loads(f, loads, sizeof loads);
	if (p->text_base && !f->has_text) {
		vio(r, p, "kernel-base", "%s: %s and no .text section; %s", p->name, loads, fix);
		*reported = 1;
	} else if (p->entry_base && e->entry < p->entry_base) {
		vio(r, p, "kernel-base", "%s: entry 0x%llx is below the kernel base 0x%llx (%s, .text at 0x%llx); %s",
		    p->name, (unsigned long long)e->entry, (unsigned long long)base, loads,
		    (unsigned long long)f->text_addr, fix);
		*reported = 1;
	} else if (p->text_base && (f->text_addr < p->text_base ||
	                            (lowcode != UINT64_MAX && lowcode < p->text_base))) {
		vio(r, p, "kernel-base", "%s: .text at 0x%llx (code segment at 0x%llx) is below the kernel base 0x%llx; %s",
		    p->name, (unsigned long long)f->text_addr,
		    (unsigned long long)(lowcode == UINT64_MAX ? 0 : lowcode),
		    (unsigned long long)p->text_base, fix);
		*reported = 1;
	}
}

/* names of the alloc sections inside a segment ("sections .text .data"), for diagnostics */
static void
segment_sections(const struct facts *f, const struct ph *ph, char *out, size_t n)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;
	size_t shstrndx, used = 0, k = 0;
	const char *name;

	out[0] = 0;
	if (!f->elf || elf_getshdrstrndx(f->elf, &shstrndx) < 0)
		return;
	while ((scn = elf_nextscn(f->elf, scn)) && used + 16 < n) {
		if (!gelf_getshdr(scn, &sh) || !(sh.sh_flags & SHF_ALLOC) || !sh.sh_size ||
		    sh.sh_addr < ph->vaddr || sh.sh_addr - ph->vaddr >= ph->memsz)
			continue;
		if (!(name = elf_strptr(f->elf, shstrndx, sh.sh_name)) || !*name)
			continue;
		if (k++ == 6) {
			used += (size_t)snprintf(out + used, n - used, " ...");
			break;
		}
		used += (size_t)snprintf(out + used, n - used, "%s%s", k == 1 ? ", sections " : " ", name);
	}
	if (used >= n)
		out[n - 1] = 0;
}

/* RWX, alignment, executable stack */
static void
check_segments(const struct facts *f, const struct elf_policy *p, struct elf_report *r)
{
	const struct e64 *e = &f->e;
	struct ph ph;
	uint64_t i;
	int aligned_reported = 0;
	char secs[160];

	for (i = 0; i < e->phnum; i++) {
		get_ph(e, i, &ph);
		if (ph.type != PT_LOAD)
			continue;
		if (!p->allow_rwx && (ph.flags & PF_W) && (ph.flags & PF_X)) {
			segment_sections(f, &ph, secs, sizeof secs);
			vio(r, p, "rwx-segment", "PT_LOAD #%llu at 0x%llx (%llu bytes%s) is writable and executable (RWX): code and data share one segment (a linker script without PHDRS/page alignment, or -N/--omagic); give .text and .data separate segments (PHDRS, or ALIGN(4096) between them)",
			    (unsigned long long)i, (unsigned long long)ph.vaddr, (unsigned long long)ph.memsz, secs);
		}
		if (!p->page_size || aligned_reported)
			continue;
		if (ph.align & (ph.align - 1)) {
			vio(r, p, "align", "PT_LOAD #%llu has p_align 0x%llx, not a power of two; the linker script sets a bad alignment",
			    (unsigned long long)i, (unsigned long long)ph.align);
			aligned_reported = 1;
		} else if (ph.align < p->page_size) {
			vio(r, p, "align", "PT_LOAD #%llu has p_align 0x%llx, below the page size 0x%llx; the loader cannot map it: link with -z max-page-size=0x%llx and page-aligned sections",
			    (unsigned long long)i, (unsigned long long)ph.align,
			    (unsigned long long)p->page_size, (unsigned long long)p->page_size);
			aligned_reported = 1;
		} else if ((ph.vaddr - ph.off) % p->page_size) {
			vio(r, p, "align", "PT_LOAD #%llu: p_vaddr 0x%llx and p_offset 0x%llx differ modulo the page size 0x%llx; it cannot be mmapped: fix the linker script's addresses",
			    (unsigned long long)i, (unsigned long long)ph.vaddr, (unsigned long long)ph.off,
			    (unsigned long long)p->page_size);
			aligned_reported = 1;
		}
	}
	if (!p->allow_exec_stack && f->exec_stack)
		vio(r, p, "exec-stack", "PT_GNU_STACK is executable (RWE): an object without a .note.GNU-stack section (hand-written assembly) or -z execstack was linked; add .section .note.GNU-stack,\"\",@progbits to assembly or link with -z noexecstack");
}

/* type, pie, static, interp, needed */
static void
check_linking(const struct facts *f, const struct elf_policy *p, const struct elf_env *env,
              struct elf_report *r)
{
	const struct e64 *e = &f->e;
	size_t i;

	if (e->type == ET_DYN && (p->pie == 0 || (p->pie == 2 && !f->has_interp)))
		vio(r, p, "pie", "ET_DYN (position-independent executable%s) with entry 0x%llx; the Redox ELF loader does not relocate PIE: set \"position-independent-executables\": false in the target spec and link with -C relocation-model=static (cc: -no-pie) [F1]",
		    f->has_interp ? "" : ", no interpreter", (unsigned long long)e->entry);
	else if (p->type && e->type != p->type)
		vio(r, p, "type", "e_type is %s, not %s; %s", type_name(e->type), type_name((unsigned)p->type),
		    e->type == ET_REL ? "an object file was installed instead of the linked program" :
		    "link it as an executable");
	if (p->static_ == 1) {
		if (f->has_interp)
			vio(r, p, "interp", "has PT_INTERP \"%s\": dynamically linked, but it must be static (it runs before any dynamic linker exists); link statically (-C target-feature=+crt-static, cc: -static)",
			    f->interp);
		for (i = 0; i < f->nneeded; i++)
			vio(r, p, "needed", "needs the shared library %s (DT_NEEDED) but must be static; link it statically (-C target-feature=+crt-static, cc: -static)",
			    f->needed[i]);
		if (f->has_dynamic && !f->has_interp && !f->nneeded)
			vio(r, p, "dynamic", "has a PT_DYNAMIC segment but must be a plain static executable (static-pie or a stray -shared/-pie); link with -static -no-pie");
		return;
	}
	if (p->static_ == 2)
		return;
	if (!f->has_interp && !f->nneeded)
		return;
	if (!env->have_provides) {
		vio(r, p, "needed-missing", "dynamically linked (interpreter %s, %zu DT_NEEDED) but no --provides list names the image's files; pass --provides=LIST so its libraries can be checked",
		    f->has_interp ? f->interp : "none", f->nneeded);
		return;
	}
	if (f->has_interp && !is_provided_path(env, f->interp))
		vio(r, p, "interp-missing", "interpreter %s (PT_INTERP) is not in the image; add the dynamic linker to the image (/usr/lib/ld.so.1 on Redox) or link statically",
		    f->interp);
	for (i = 0; i < f->nneeded; i++)
		if (!provided(f, env, f->needed[i]))
			vio(r, p, "needed-missing", "needs %s (DT_NEEDED) but no file of the image provides it (looked for */%s in /lib, /usr/lib%s%s); add the library's package to the image or link statically",
			    f->needed[i], f->needed[i], f->runpath ? " and RUNPATH " : "",
			    f->runpath ? f->runpath : "");
}

/* entry point, _start, kernel layout, code size, .text */
static void
check_entry(const struct facts *f, const struct elf_policy *p, const struct elf_env *env,
            struct elf_report *r)
{
	const struct e64 *e = &f->e;
	struct ph ph;
	uint64_t i;
	int in = 0, reported = 0, crt;

	/* a kernel linked without its script fails everything below for one reason: say it once */
	if (p->entry_base || p->text_base)
		check_kernel_layout(f, p, env, r, &reported);
	if (reported)
		return;
	crt = !p->start_symbol || !strcmp(p->start_symbol, "_start");
	if (p->entry_nonzero && e->entry == 0)
		vio(r, p, "entry-zero", "e_entry is 0: there is no entry point%s; %s",
		    f->has_symtab && p->start_symbol && !f->start_found ? " and no _start" : "",
		    crt ? "the CRT objects (crt0.o) were probably not linked: add crt0.o/crti.o/crtn.o to the link (-C link-arg=.../crt0.o) [F2]" :
		    "the linker script's ENTRY() was not applied: pass the linker script");
	if (p->start_symbol && f->has_symtab) {
		if (!f->start_found && crt)
			vio(r, p, "no-start", "symbols present but no %s is defined; the CRT objects (crt0.o) were not linked, so the program starts at a wrong address: add crt0.o/crti.o/crtn.o to the link [F2]",
			    p->start_symbol);
		else if (!f->start_found)
			vio(r, p, "no-start", "symbols present but no %s is defined; the entry code was not linked or was garbage-collected: check ENTRY(%s) in the linker script",
			    p->start_symbol, p->start_symbol);
		else if (f->start_value != e->entry)
			vio(r, p, "entry-start", "e_entry 0x%llx is not %s (0x%llx); the linker chose another entry: set ENTRY(%s) or -e %s",
			    (unsigned long long)e->entry, p->start_symbol, (unsigned long long)f->start_value,
			    p->start_symbol, p->start_symbol);
	}
	if (p->entry_in_exec && e->entry) {
		for (i = 0; i < e->phnum && !in; i++) {
			get_ph(e, i, &ph);
			if (ph.type == PT_LOAD && (ph.flags & PF_X) && e->entry >= ph.vaddr &&
			    e->entry - ph.vaddr < ph.memsz)
				in = 1;
		}
		if (!in)
			vio(r, p, "entry-outside", "e_entry 0x%llx is not inside an executable PT_LOAD; the program would jump into data: check ENTRY() and the linker script's PHDRS",
			    (unsigned long long)e->entry);
	}
	if (p->min_code && f->codesz < p->min_code)
		vio(r, p, "min-code", "executable PT_LOADs hold %llu bytes of code, below the minimum of %llu; the code was garbage-collected (no entry symbol kept it) or the linker script was not passed",
		    (unsigned long long)f->codesz, (unsigned long long)p->min_code);
	if (p->require_text && !f->has_text)
		vio(r, p, "no-text", "no .text section; the linker script was probably not passed or discarded the code");
}

/* a host tool on macOS is Mach-O: only its CPU type and host paths can be checked */
static int
check_macho(const unsigned char *d, size_t len, const struct elf_policy *p, const struct elf_env *env,
            struct elf_report *r, struct buf *err)
{
	struct facts f;
	uint32_t cpu;
	const char *name;

	if (len < 32) {
		buf_printf(err, "truncated Mach-O header (%zu of 32 bytes)", len);
		return -1;
	}
	cpu = rd32(d + 4);
	name = cpu == 0x01000007 ? "x86_64" : cpu == 0x0100000c ? "aarch64" : "unknown";
	r->kind = xasprintf("Mach-O 64 %s", name);
	if (strcmp(name, env->host_arch))
		vio(r, p, "machine", "Mach-O CPU type 0x%x (%s) but this host tool must run on %s; it was built for another machine",
		    cpu, name, env->host_arch);
	memset(&f, 0, sizeof f);
	f.e.d = d;
	f.e.len = len;
	check_host_paths(&f, p, env, r);
	return 0;
}

static int
check_elf(const unsigned char *d, size_t len, const struct elf_policy *p, const struct elf_env *env,
          struct elf_report *r, struct buf *err)
{
	struct facts f;
	uint64_t want;
	int hostm;

	memset(&f, 0, sizeof f);
	if (p->machine == 2 && len >= 4 && !memcmp(d, "\xcf\xfa\xed\xfe", 4))
		return check_macho(d, len, p, env, r, err);
	if (len >= 2 && d[0] == 'M' && d[1] == 'Z') {
		r->kind = xstrdup("PE");
		vio(r, p, "format", "is a PE/COFF file, not ELF; it belongs to the uefi policy (a bootloader), or the wrong file was given");
		return 0;
	}
	if (len < 4 || memcmp(d, "\177ELF", 4)) {
		buf_puts(err, "not an ELF file (no \\177ELF magic)");
		return -1;
	}
	if (len < 20) {
		buf_printf(err, "truncated ELF header (%zu bytes)", len);
		return -1;
	}
	if (d[4] != 2 || d[5] != 1) {
		if (d[4] != 1 && d[4] != 2) {
			buf_printf(err, "bad EI_CLASS %u", d[4]);
			return -1;
		}
		if (d[5] != 1 && d[5] != 2) {
			buf_printf(err, "bad EI_DATA %u", d[5]);
			return -1;
		}
		if (len < (d[4] == 1 ? 52u : 64u)) {
			buf_printf(err, "truncated ELF header (%zu bytes)", len);
			return -1;
		}
		want = d[5] == 1 ? rd16(d + 18) : (unsigned)(d[18] << 8 | d[19]);
		r->kind = xasprintf("ELF%d %s %s", d[4] == 1 ? 32 : 64, d[5] == 1 ? "LSB" : "MSB",
		                    machine_name((int)want));
		if (d[4] != 2)
			vio(r, p, "class", "32-bit ELF (ELFCLASS32, %s) but the target is 64-bit; it was built for a 32-bit target: rebuild for %s",
			    machine_name((int)want), env->arch);
		if (d[5] != 1)
			vio(r, p, "endian", "big-endian ELF (ELFDATA2MSB) but the target is little-endian; it was built for a big-endian target: rebuild for %s",
			    env->arch);
		return 0;
	}
	if (parse_e64(d, len, &f.e, err) < 0)
		return -1;
	if (read_segments(&f, err) < 0 || read_sections(&f, p, err) < 0) {
		facts_free(&f);
		return -1;
	}
	r->kind = xasprintf("ELF64 %s %s%s", type_name(f.e.type), machine_name(f.e.machine),
	                    f.has_interp ? " dynamic" : f.nneeded ? " dynamic" : " static");

	/* identity */
	hostm = elf_arch_machine(env->host_arch);
	if (p->machine == 1 && f.e.machine != elf_arch_machine(env->arch))
		vio(r, p, "machine", "e_machine is %s (%u) but the target is %s (%d); %s: rebuild with the %s target",
		    machine_name(f.e.machine), f.e.machine, env->arch, elf_arch_machine(env->arch),
		    f.e.machine == hostm ? "a host binary slipped in (built without --target)" :
		    "it was built for another architecture", env->arch);
	else if (p->machine == 2 && f.e.machine != hostm)
		vio(r, p, "machine", "e_machine is %s (%u) but this host tool must run on %s (%d); it was built for the target instead of the host",
		    machine_name(f.e.machine), f.e.machine, env->host_arch, hostm);

	check_linking(&f, p, env, r);
	check_entry(&f, p, env, r);
	check_segments(&f, p, r);
	if (p->inplace_base) {
		struct buf why = { 0 };

		if (elf_check_in_place(d, len, p->inplace_base, &why) < 0)
			vio(r, p, "in-place", "cannot run in place at 0x%llx: %s; link with the bootstrap linker script (start at 0x%llx with the ELF headers, .bss inside .data) and -z max-page-size=4096",
			    (unsigned long long)p->inplace_base, why.s, (unsigned long long)p->inplace_base);
		buf_free(&why);
	}
	if (!p->allow_textrel && f.textrel)
		vio(r, p, "textrel", "has text relocations (DT_TEXTREL): the loader must patch read-only code, which Redox does not do; non-PIC objects were linked into a PIE or shared object: compile them with -fPIC or link non-PIE");
	if (p->max_size && len > p->max_size && (f.has_symtab || f.ndebug))
		vio(r, p, "size-budget", "not stripped (%s%d debug sections) and %zu bytes, over the budget of %llu; unstripped binaries overflow the initfs: strip it (kiln elf strip IN -o OUT) or raise max_size [F10]",
		    f.has_symtab ? ".symtab, " : "", f.ndebug, len, (unsigned long long)p->max_size);
	check_host_paths(&f, p, env, r);
	facts_free(&f);
	return 0;
}

int
elf_check_mem(const unsigned char *data, size_t len, const struct elf_policy *p,
              const struct elf_env *env, struct elf_report *r, struct buf *err)
{
	int rc;

	memset(r, 0, sizeof *r);
	rc = p->pe ? check_pe(data, len, p, env, r, err) : check_elf(data, len, p, env, r, err);
	if (rc < 0)
		elf_report_free(r);
	return rc;
}
