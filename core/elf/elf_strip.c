/* elf_strip.c: strip symbol tables and debug sections with libelf, keeping the loaded bytes.
 *
 * The output is written with ELF_F_LAYOUT: the ELF header, the program headers, every
 * SHF_ALLOC section and everything a segment covers keep their offsets; only the non-alloc
 * sections that follow the last segment are packed again (in their original order), then
 * the section header table. Gaps inside segments that no section covers (padding, the
 * headers' slack) are copied from the input afterwards (whole segments and sections when
 * sections overlap, since libelf's gap filling then clobbers bytes), so every segment's file
 * bytes are identical to the input's except the ELF header's e_shoff/e_shnum/e_shstrndx.
 * Sections that overlap the ELF header or the program headers are refused. */
#define _POSIX_C_SOURCE 200809L
#define _DARWIN_C_SOURCE  /* macOS hides part of POSIX.1-2008 (O_NOFOLLOW) without it; others ignore it */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "libelf_compat.h"
#include "elf_check.h"
#include "elf_strip.h"
#include "util.h"

/* one input section */
struct sec {
	GElf_Shdr sh;
	const char *name;
	int remove;        /* dropped from the output */
	int fixed;         /* keeps its offset (alloc, or inside a segment's file range) */
	size_t newidx;     /* index in the output */
	uint64_t newoff;   /* offset in the output */
	uint32_t newname;  /* offset of its name in the new .shstrtab */
};

static int
debug_name(const char *n)
{
	return !strncmp(n, ".debug", 6) || !strncmp(n, ".zdebug", 7) || !strncmp(n, ".stab", 5) ||
	       !strncmp(n, ".gnu.debuglto_", 14) || !strcmp(n, ".line");
}

/* choose what to drop; returns how many */
static size_t
choose(struct sec *s, size_t n, size_t shstrndx, const struct elf_strip_opts *o)
{
	size_t i, j, k, count = 0;
	int changed;

	for (i = 1; i < n; i++) {
		if (s[i].sh.sh_flags & SHF_ALLOC || i == shstrndx)
			continue;
		if (s[i].sh.sh_type == SHT_SYMTAB || debug_name(s[i].name) ||
		    (o->comment && !strcmp(s[i].name, ".comment")))
			s[i].remove = 1;
	}
	/* the string table of a removed .symtab goes too, unless a kept section uses it */
	for (i = 1; i < n; i++) {
		if (!s[i].remove || s[i].sh.sh_type != SHT_SYMTAB)
			continue;
		j = s[i].sh.sh_link;
		if (j == 0 || j >= n || j == shstrndx || (s[j].sh.sh_flags & SHF_ALLOC) ||
		    s[j].sh.sh_type != SHT_STRTAB)
			continue;
		for (k = 1; k < n; k++)
			if (k != i && s[k].sh.sh_link == j && s[k].sh.sh_type != SHT_SYMTAB)
				break;
		if (k == n)
			s[j].remove = 1;
	}
	/* non-alloc sections that refer to removed ones (relocations, SHT_SYMTAB_SHNDX, groups)
	 * go too; alloc ones stay, their link becomes 0 (as in a static binary's .rela.plt,
	 * which points at .symtab) */
	do {
		changed = 0;
		for (i = 1; i < n; i++) {
			uint64_t l = s[i].sh.sh_link, inf = s[i].sh.sh_info;
			int infolink = s[i].sh.sh_type == SHT_REL || s[i].sh.sh_type == SHT_RELA ||
			               (s[i].sh.sh_flags & SHF_INFO_LINK);

			if (s[i].remove || (s[i].sh.sh_flags & SHF_ALLOC) || i == shstrndx)
				continue;
			if ((l > 0 && l < n && s[l].remove) || (infolink && inf > 0 && inf < n && s[inf].remove)) {
				s[i].remove = 1;
				changed = 1;
			}
		}
	} while (changed);
	for (i = 1; i < n; i++)
		if (s[i].remove)
			count++;
	return count;
}

static size_t
remap(const struct sec *s, size_t n, uint64_t idx)
{
	return idx > 0 && idx < n && !s[idx].remove ? s[idx].newidx : 0;
}

/* a byte range of the file */
struct range {
	uint64_t a, b;
};

static int
cmprange(const void *x, const void *y)
{
	const struct range *p = x, *q = y;

	if (p->a != q->a)
		return p->a < q->a ? -1 : 1;
	return p->b > q->b ? -1 : p->b < q->b;   /* longest first: an empty section at the
	                                           * start of another counts as overlapping */
}

/* copy into fd the bytes of every segment that libelf did not write from a section: the
 * gaps between sections (padding, the headers' slack); the ELF header itself is left for
 * the caller, the program headers were written unchanged */
static int
restore_gaps(Elf *in, size_t phnum, const struct sec *s, size_t n, const unsigned char *data,
             int fd, uint64_t phoff, uint64_t phsize)
{
	struct range *cov = xreallocarray(NULL, n + 2, sizeof *cov);
	size_t ncov = 0, i, j;
	GElf_Phdr ph;
	uint64_t pos, end, lim;
	int rc = 0;

	cov[ncov++] = (struct range){ 0, 64 };
	if (phsize)
		cov[ncov++] = (struct range){ phoff, phoff + phsize };
	for (i = 1; i < n; i++)
		if (!s[i].remove && s[i].fixed && s[i].sh.sh_type != SHT_NOBITS)
			cov[ncov++] = (struct range){ s[i].sh.sh_offset, s[i].sh.sh_offset + s[i].sh.sh_size };
	qsort(cov, ncov, sizeof *cov, cmprange);
	/* sections that overlap each other or the headers (even empty ones): libelf's gap
	 * filling after one may clobber the other, so copy back the program headers, every
	 * kept section and every segment whole */
	for (j = 1, end = cov[0].b; j < ncov; end = cov[j].b > end ? cov[j].b : end, j++) {
		if (cov[j].a >= end)
			continue;
		if (phsize && pwrite(fd, data + phoff, phsize, (off_t)phoff) != (ssize_t)phsize)
			rc = -1;
		for (i = 1; i < n && rc == 0; i++)
			if (!s[i].remove && s[i].fixed && s[i].sh.sh_type != SHT_NOBITS && s[i].sh.sh_size &&
			    pwrite(fd, data + s[i].sh.sh_offset, s[i].sh.sh_size, (off_t)s[i].sh.sh_offset) !=
			    (ssize_t)s[i].sh.sh_size)
				rc = -1;
		ncov = 0;
		break;
	}
	for (i = 0; i < phnum && rc == 0; i++) {
		if (!gelf_getphdr(in, (int)i, &ph) || ph.p_type == PT_NULL || !ph.p_filesz)
			continue;
		pos = ph.p_offset;
		end = ph.p_offset + ph.p_filesz;
		for (j = 0; j <= ncov && pos < end; j++) {
			lim = j < ncov && cov[j].a < end ? cov[j].a : end;
			if (j < ncov && cov[j].b <= pos)
				continue;
			if (lim > pos && pwrite(fd, data + pos, lim - pos, (off_t)pos) != (ssize_t)(lim - pos))
				rc = -1;
			if (j < ncov && cov[j].b > pos)
				pos = cov[j].b;
			if (lim >= end)
				break;
		}
	}
	free(cov);
	return rc;
}

int
elf_strip_mem(const unsigned char *data, size_t len, int fd, const struct elf_strip_opts *o,
              struct elf_strip_stats *st, struct buf *err)
{
	Elf *in = NULL, *out = NULL;
	GElf_Ehdr eh, neh;
	GElf_Phdr ph;
	GElf_Shdr sh;
	Elf_Scn *scn;
	Elf_Data *d;
	struct sec *s = NULL;
	struct buf names = { 0 };
	size_t n = 0, phnum = 0, shstrndx = 0, i, k, nout;
	uint64_t end = 64, pos, a, shoff;
	unsigned char ehdr[64];
	struct stat sb;
	off_t wrote;
	int rc = -1, rebuild_names;

	memset(st, 0, sizeof *st);
	st->in_size = len;
	if (elf_validate(data, len, err) < 0)
		return -1;
	if (elf_version(EV_CURRENT) == EV_NONE || !(in = elf_memory((char *)data, len)) ||
	    !gelf_getehdr(in, &eh) || elf_getphdrnum(in, &phnum) < 0 || elf_getshdrnum(in, &n) < 0 ||
	    (n && elf_getshdrstrndx(in, &shstrndx) < 0)) {
		buf_printf(err, "libelf cannot read the file: %s", elf_errmsg(-1));
		goto out;
	}
	if (!eh.e_shoff)          /* no section header table, whatever e_shnum says */
		n = shstrndx = 0;
	if (n && shstrndx >= n) {
		buf_printf(err, "section name table index %zu is not below the section count %zu", shstrndx, n);
		goto out;
	}
	if (n > 0xff00) {
		buf_printf(err, "%zu sections: extended section numbering is not supported", n);
		goto out;
	}

	/* where the fixed part of the file ends: headers, segments, alloc sections */
	if (eh.e_phoff + phnum * 56 > end)
		end = eh.e_phoff + phnum * 56;
	for (i = 0; i < phnum; i++) {
		if (!gelf_getphdr(in, (int)i, &ph)) {
			buf_printf(err, "program header %zu: %s", i, elf_errmsg(-1));
			goto out;
		}
		if (ph.p_type != PT_NULL && ph.p_offset + ph.p_filesz > end)
			end = ph.p_offset + ph.p_filesz;
	}
	s = xcalloc(n ? n : 1, sizeof *s);
	for (i = 0; i < n; i++) {
		if (!(scn = elf_getscn(in, i)) || !gelf_getshdr(scn, &s[i].sh)) {
			buf_printf(err, "section %zu: %s", i, elf_errmsg(-1));
			goto out;
		}
		s[i].name = shstrndx ? elf_strptr(in, shstrndx, s[i].sh.sh_name) : NULL;
		if (!s[i].name)
			s[i].name = "";
	}
	for (i = 1; i < n; i++) {
		if (s[i].sh.sh_flags & SHF_ALLOC) {
			s[i].fixed = 1;
			if (s[i].sh.sh_type != SHT_NOBITS && s[i].sh.sh_offset + s[i].sh.sh_size > end)
				end = s[i].sh.sh_offset + s[i].sh.sh_size;
		}
	}
	/* a non-alloc section inside the fixed part stays too (and may extend it) */
	for (i = 1; i < n; i++) {
		if (s[i].fixed || s[i].sh.sh_type == SHT_NOBITS || s[i].sh.sh_offset >= end)
			continue;
		s[i].fixed = 1;
		if (s[i].sh.sh_offset + s[i].sh.sh_size > end) {
			end = s[i].sh.sh_offset + s[i].sh.sh_size;
			i = 0;  /* look again: more sections may now start inside */
		}
	}
	st->nremoved = choose(s, n, shstrndx, o);
	/* libelf writes every kept section's bytes: none may overlap the headers it writes */
	for (i = 1; i < n; i++) {
		uint64_t so = s[i].sh.sh_offset, sz = s[i].sh.sh_size;

		if (s[i].remove || s[i].sh.sh_type == SHT_NOBITS)
			continue;
		if (so < 64 || (phnum && sz && so < eh.e_phoff + phnum * 56 && eh.e_phoff < so + sz)) {
			buf_printf(err, "section %zu (%s, offset 0x%llx, %llu bytes) overlaps the %s", i,
			           *s[i].name ? s[i].name : "unnamed", (unsigned long long)so,
			           (unsigned long long)sz, so < 64 ? "ELF header" : "program header table");
			goto out;
		}
	}

	/* new indices, then a new .shstrtab holding only the kept names */
	for (i = 0, k = 0; i < n; i++)
		if (!s[i].remove)
			s[i].newidx = k++;
	nout = k;
	rebuild_names = shstrndx && !s[shstrndx].fixed;
	buf_putc(&names, 0);
	for (i = 1; i < n; i++) {
		if (s[i].remove)
			continue;
		if (!rebuild_names) {
			s[i].newname = s[i].sh.sh_name;
			continue;
		}
		s[i].newname = (uint32_t)names.len;
		buf_put(&names, s[i].name, strlen(s[i].name) + 1);
	}

	/* offsets: fixed sections stay, the others follow the fixed part in order */
	pos = end;
	for (i = 1; i < n; i++) {
		if (s[i].remove)
			continue;
		if (s[i].fixed) {
			s[i].newoff = s[i].sh.sh_offset;
			continue;
		}
		a = s[i].sh.sh_addralign > 1 ? s[i].sh.sh_addralign : 1;
		if (a & (a - 1) || a > 4096)
			a = 1;
		pos = (pos + a - 1) & ~(a - 1);
		s[i].newoff = pos;
		if (s[i].sh.sh_type != SHT_NOBITS)
			pos += i == shstrndx && rebuild_names ? names.len : s[i].sh.sh_size;
	}
	shoff = (pos + 7) & ~(uint64_t)7;

	/* write */
	if (!(out = elf_begin(fd, ELF_C_WRITE, NULL)) || !gelf_newehdr(out, ELFCLASS64) ||
	    (phnum && !gelf_newphdr(out, phnum))) {
		buf_printf(err, "libelf: %s", elf_errmsg(-1));
		goto out;
	}
	elf_flagelf(out, ELF_C_SET, ELF_F_LAYOUT);
	neh = eh;
	neh.e_shoff = nout > 1 ? shoff : 0;
	neh.e_shstrndx = shstrndx ? remap(s, n, shstrndx) : 0;
	if (nout <= 1)
		neh.e_shstrndx = 0;
	if (!gelf_update_ehdr(out, &neh)) {
		buf_printf(err, "libelf: %s", elf_errmsg(-1));
		goto out;
	}
	for (i = 0; i < phnum; i++) {
		if (!gelf_getphdr(in, (int)i, &ph) || !gelf_update_phdr(out, (int)i, &ph)) {
			buf_printf(err, "program header %zu: %s", i, elf_errmsg(-1));
			goto out;
		}
	}
	for (i = 1; i < n && nout > 1; i++) {
		if (s[i].remove)
			continue;
		if (!(scn = elf_newscn(out)) || !(d = elf_newdata(scn))) {
			buf_printf(err, "libelf: %s", elf_errmsg(-1));
			goto out;
		}
		sh = s[i].sh;
		sh.sh_name = s[i].newname;
		sh.sh_offset = s[i].newoff;
		sh.sh_link = (GElf_Word)remap(s, n, sh.sh_link);
		if (sh.sh_type == SHT_REL || sh.sh_type == SHT_RELA || (sh.sh_flags & SHF_INFO_LINK))
			sh.sh_info = (GElf_Word)remap(s, n, sh.sh_info);
		d->d_type = ELF_T_BYTE;
		d->d_off = 0;
		d->d_align = 1;
		d->d_version = EV_CURRENT;
		if (i == shstrndx && rebuild_names) {
			sh.sh_size = names.len;
			d->d_buf = names.s;
			d->d_size = names.len;
		} else if (sh.sh_type == SHT_NOBITS) {
			d->d_buf = NULL;
			d->d_size = sh.sh_size;
		} else {
			d->d_buf = (void *)(data + s[i].sh.sh_offset);
			d->d_size = sh.sh_size;
		}
		if (!gelf_update_shdr(scn, &sh)) {
			buf_printf(err, "section %zu: %s", i, elf_errmsg(-1));
			goto out;
		}
	}
	if (elf_update(out, ELF_C_WRITE) < 0) {
		buf_printf(err, "libelf cannot write the output: %s", elf_errmsg(-1));
		goto out;
	}
	elf_end(out);
	out = NULL;

	/* restore the segments' bytes that no section covers, then the ELF header: the input's
	 * with the new section header table's position, count and name table index */
	memcpy(ehdr, data, sizeof ehdr);
	wr64(ehdr + 40, neh.e_shoff);
	wr16(ehdr + 58, nout > 1 ? 64 : rd16(data + 58));
	wr16(ehdr + 60, (uint16_t)(nout > 1 ? nout : 0));
	wr16(ehdr + 62, (uint16_t)neh.e_shstrndx);
	if (restore_gaps(in, phnum, s, n, data, fd, phnum ? eh.e_phoff : 0, phnum * 56) < 0) {
		buf_puts(err, "cannot write the output");
		goto out;
	}
	if (pwrite(fd, ehdr, sizeof ehdr, 0) != (ssize_t)sizeof ehdr || fstat(fd, &sb) < 0) {
		buf_puts(err, "cannot write the output");
		goto out;
	}
	wrote = sb.st_size;
	/* the fixed part keeps its length even when its end holds nothing libelf wrote (an
	 * empty segment placed there) */
	if ((uint64_t)wrote < end) {
		if (ftruncate(fd, (off_t)end) < 0) {
			buf_puts(err, "cannot write the output");
			goto out;
		}
		wrote = (off_t)end;
	}
	st->out_size = (uint64_t)wrote;
	rc = 0;
out:
	if (out)
		elf_end(out);
	if (in)
		elf_end(in);
	free(s);
	buf_free(&names);
	return rc;
}
