/* fuzz/elf.c: the ELF/PE checker, the plain ELF helpers and the stripper on arbitrary bytes.
 * Build: core/elf/elf_check.c core/elf/bytescan.c core/elf/elf_strip.c core/util.c, -lelf. Every check is switched on;
 * when the stripper succeeds its output must validate and keep every PT_LOAD's bytes, or
 * the driver aborts (so AFL reports it as a crash). */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "elf/elf_check.h"
#include "elf/elf_strip.h"
#include "util.h"

static char *paths[] = { "/home/", "/opt/other/" };
static char *provides[] = { "/lib/ld64.so.1", "/usr/lib/libc.so.6", "/opt/lib/libm.so" };
static char *waive_id[] = { "align" };
static char *waive_reason[] = { "fuzzing" };

static void
check(const uint8_t *data, size_t size, const struct elf_policy *p, const char *arch)
{
	struct elf_env env = { 0 };
	struct elf_report r;
	struct buf err = { 0 };

	env.arch = arch;
	env.host_arch = elf_host_arch();
	env.provides = provides;
	env.nprovides = 3;
	env.have_provides = 1;
	env.forbid = paths;
	env.nforbid = 1;
	if (elf_check_mem(data, size, p, &env, &r, &err) == 0) {
		if (r.nfailed > r.nv)
			abort();
		elf_report_free(&r);
	} else if (!err.s || !*err.s) {
		abort();  /* a malformed file always gets a reason */
	}
	buf_free(&err);
}

static void
strip(const uint8_t *data, size_t size)
{
	static FILE *tmp;
	struct elf_strip_opts o = { 1 };
	struct elf_strip_stats st;
	struct buf err = { 0 }, why = { 0 };
	unsigned char *out;
	uint64_t i, phoff, off, n;
	uint16_t phnum;

	if (!tmp && !(tmp = tmpfile()))
		abort();
	if (ftruncate(fileno(tmp), 0) < 0)
		abort();
	if (elf_strip_mem(data, size, fileno(tmp), &o, &st, &err) < 0) {
		buf_free(&err);
		return;
	}
	if (st.out_size > (uint64_t)size + (1u << 20))
		abort();
	out = malloc(st.out_size ? st.out_size : 1);
	if (!out || xpread(fileno(tmp), out, st.out_size, 0) < 0)
		abort();
	if (elf_validate(out, st.out_size, &why) < 0) {
		fprintf(stderr, "stripped output does not validate: %s\n", why.s);
		abort();
	}
	/* the input validated, so its program headers are inside it */
	phoff = rd64(data + 32);
	phnum = rd16(data + 56);
	for (i = 0; i < phnum && phnum != 0xffff; i++) {
		const uint8_t *q = data + phoff + i * 56;

		if (rd32(q) == 0)
			continue;
		off = rd64(q + 8);
		n = rd64(q + 32);
		if (off < 64) {
			n = n > 64 - off ? n - (64 - off) : 0;
			off = 64;
		}
		if (n && (off + n > st.out_size || memcmp(out + off, data + off, n))) {
			fprintf(stderr, "PT_LOAD #%llu changed\n", (unsigned long long)i);
			abort();
		}
	}
	free(out);
	buf_free(&why);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct elf_policy p;
	struct buf why = { 0 };
	uint64_t entry;

	memset(&p, 0, sizeof p);
	p.name = "fuzz";
	p.machine = 1;
	p.pie = 2;
	p.entry_base = 0x1000;
	p.text_base = 0x1000;
	p.min_code = 64;
	p.max_size = 1024;
	p.page_size = 4096;
	p.inplace_base = 0x2000;
	p.start_symbol = "_start";
	p.entry_nonzero = p.entry_in_exec = p.require_text = 1;
	p.host_paths = paths;
	p.nhost_paths = 2;
	p.waive_id = waive_id;
	p.waive_reason = waive_reason;
	p.nwaive = 1;
	check(data, size, &p, "aarch64");
	p.static_ = 1;
	p.entry_base = p.text_base = 0;
	check(data, size, &p, "x86_64");
	p.pe = 1;
	p.pe_subsystem = 10;
	check(data, size, &p, "aarch64");

	elf_entry(data, size, &entry);
	elf_check_in_place(data, size, 0x2000, &why);
	buf_free(&why);
	if (elf_validate(data, size, NULL) == 0)
		strip(data, size);
	return 0;
}
