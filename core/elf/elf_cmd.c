/* elf_cmd.c: `kiln elf check|strip|info`: options, policy loading, reports. */
#define _POSIX_C_SOURCE 200809L
#define _DARWIN_C_SOURCE  /* macOS hides part of POSIX.1-2008 (O_NOFOLLOW) without it; others ignore it */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "libelf_compat.h"
#include "cmd.h"
#include "elf_check.h"
#include "elf_policy.h"
#include "elf_strip.h"
#include "util.h"

const char usage_elf[] =
	"usage: kiln elf check FILE --policy=NAME [--arch=aarch64|x86_64] [--json]\n"
	"                      [--policies=FILE.lua] [--waive=CHECK=REASON]... [--provides=LIST]\n"
	"                      [--forbid-path=DIR]... [--stamp=OUT]\n"
	"       kiln elf check --list-policies [--policies=FILE.lua] [--arch=aarch64|x86_64]\n"
	"       kiln elf strip IN -o OUT [--remove-comment]\n"
	"       kiln elf info FILE [--json]\n"
	"\n"
	"check: checks FILE against an ELF policy (kernel, bootstrap, initfs-bin, userspace, ...;\n"
	"--list-policies lists them). One line per violation (FILE: CHECK-ID: diagnosis; fix) and\n"
	"a verdict line last (on a failure: the count and the first violation), on stdout when\n"
	"the file passes and on stderr when it fails.\n"
	"  --json                a JSON report on stdout instead\n"
	"  --policies=FILE.lua   more or changed policies (what kiln gen writes for the plugins)\n"
	"  --waive=CHECK=REASON  accept one check's violation, saying why (repeatable)\n"
	"  --provides=LIST       a file listing the image's paths (one per line), where the\n"
	"                        libraries a dynamic program needs are looked for\n"
	"  --forbid-path=DIR     fail when FILE contains DIR (a build path leaking in; repeatable)\n"
	"  --stamp=OUT           write the report to OUT only on pass, and print nothing on a\n"
	"                        clean pass (the Ninja validation edge's output)\n"
	"  exit 0 pass, 1 policy violated, 2 unreadable or malformed input\n"
	"strip: writes IN without its symbols and debug sections to OUT with libelf\n"
	"  --remove-comment      also remove .comment\n"
	"info: the header, segments, sections and size totals of FILE (--json: as JSON)\n";

/* the input file, mapped (input_open): fatal with its name and the cause when it cannot be
 * read */
static void
load(struct input *in, const char *path)
{
	const char *why;

	if (input_open(in, path, 1, &why) < 0)
		fatal("%s: %s", path, why);
}

/* the value of --name=VALUE, or NULL when arg is not that option */
static const char *
optval(const char *arg, const char *name)
{
	size_t n = strlen(name);

	if (strncmp(arg, name, n) || arg[n] != '=')
		return NULL;
	return arg + n + 1;
}

static void
json_str(struct buf *b, const char *s)
{
	buf_putc(b, '"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			buf_printf(b, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			buf_printf(b, "\\u%04x", c);
		else
			buf_putc(b, c);
	}
	buf_putc(b, '"');
}

/* read the --provides list: one absolute image path per line */
static void
load_provides(struct elf_env *env, const char *path)
{
	size_t len, n;
	char *s = read_file(path, &len), *line, *next, *end;
	unsigned lineno = 0;

	if (!s)
		fatal("--provides=%s: cannot read: %s", path, strerror(errno));
	env->have_provides = 1;
	for (line = s; line && *line; line = next) {
		lineno++;
		next = strchr(line, '\n');
		if (next)
			*next++ = 0;
		end = line + strlen(line);
		while (end > line && (end[-1] == '\r' || end[-1] == ' ' || end[-1] == '\t'))
			*--end = 0;
		if (!*line || *line == '#')
			continue;
		if (*line != '/')
			fatal("%s:%u: '%s' is not an absolute image path", path, lineno, line);
		n = env->nprovides;
		env->provides = xreallocarray(env->provides, n + 1, sizeof *env->provides);
		env->provides[env->nprovides++] = xstrdup(line);
	}
	free(s);
}

static const char *
default_arch(void)
{
	return "aarch64";
}

static void
load_policies(struct elf_policies *ps, const char *extra, const char *arch)
{
	char *base = xasprintf("%s/lua/elf_policies.lua", kiln_datadir());

	elf_policies_load(ps, base, arch);
	if (extra)
		elf_policies_load(ps, extra, arch);
	free(base);
}

static void
text_report(struct buf *b, const char *file, const struct elf_policy *p, const char *arch,
            const struct elf_report *r)
{
	size_t i, nw = 0;
	char against[64];

	for (i = 0; i < r->nv; i++) {
		if (r->v[i].waived) {
			nw++;
			buf_printf(b, "%s: %s: waived (%s): %s\n", file, r->v[i].id, r->v[i].waived, r->v[i].msg);
		} else {
			buf_printf(b, "%s: %s: %s\n", file, r->v[i].id, r->v[i].msg);
		}
	}
	/* the machine the file was held to: the target's (--arch, aarch64 by default) only when
	 * the policy checks it; a host tool is held to the host's, and "any" to none */
	if (p->machine == 1)
		snprintf(against, sizeof against, ", target %s", arch);
	else if (p->machine == 2)
		snprintf(against, sizeof against, ", host %s", elf_host_arch());
	else
		against[0] = 0;
	if (r->nfailed) {
		/* the verdict sums up the report in one line: the count and the first violation,
		 * with its diagnosis and fix */
		const struct elf_violation *first = r->v;

		while (first->waived)
			first++;
		buf_printf(b, "%s: FAIL: %zu violation%s of policy %s (%s%s): %s%s: %s\n", file,
		           r->nfailed, r->nfailed == 1 ? "" : "s", p->name, r->kind, against,
		           r->nfailed == 1 ? "" : "first: ", first->id, first->msg);
	} else
		buf_printf(b, "%s: pass: policy %s (%s%s)%s\n", file, p->name, r->kind, against,
		           nw ? " with waivers" : "");
}

static void
json_report(struct buf *b, const char *file, const struct elf_policy *p, const char *arch,
            const struct elf_report *r)
{
	size_t i;

	buf_puts(b, "{\"file\":");
	json_str(b, file);
	buf_puts(b, ",\"policy\":");
	json_str(b, p->name);
	buf_puts(b, ",\"arch\":");
	json_str(b, arch);
	buf_puts(b, ",\"kind\":");
	json_str(b, r->kind ? r->kind : "");
	buf_printf(b, ",\"verdict\":\"%s\",\"failed\":%zu,\"violations\":[", r->nfailed ? "fail" : "pass",
	           r->nfailed);
	for (i = 0; i < r->nv; i++) {
		buf_puts(b, i ? ",{\"id\":" : "{\"id\":");
		json_str(b, r->v[i].id);
		buf_puts(b, ",\"message\":");
		json_str(b, r->v[i].msg);
		if (r->v[i].waived) {
			buf_puts(b, ",\"waived\":");
			json_str(b, r->v[i].waived);
		}
		buf_putc(b, '}');
	}
	buf_puts(b, "]}\n");
}

static int
cmd_check(int argc, char *argv[])
{
	struct elf_policies ps = { 0 };
	struct elf_policy *p;
	struct elf_env env = { 0 };
	struct elf_report r;
	struct buf err = { 0 }, out = { 0 };
	const char *file = NULL, *pname = NULL, *arch = default_arch(), *extra = NULL, *stamp = NULL;
	const char *v, *provides = NULL;
	char **waives = NULL, *eq;
	size_t nwaives = 0, i;
	struct input in;
	int json = 0, list = 0;
	struct afile *a;

	for (i = 1; i < (size_t)argc; i++) {
		const char *s = argv[i];

		if ((v = optval(s, "--policy"))) pname = v;
		else if ((v = optval(s, "--arch"))) arch = v;
		else if ((v = optval(s, "--policies"))) extra = v;
		else if ((v = optval(s, "--provides"))) provides = v;
		else if ((v = optval(s, "--stamp"))) stamp = v;
		else if ((v = optval(s, "--forbid-path"))) {
			if (!*v)
				fatal("--forbid-path needs a directory");
			env.forbid = xreallocarray(env.forbid, env.nforbid + 1, sizeof *env.forbid);
			env.forbid[env.nforbid++] = (char *)v;
		} else if ((v = optval(s, "--waive"))) {
			waives = xreallocarray(waives, nwaives + 1, sizeof *waives);
			waives[nwaives++] = (char *)v;
		} else if (!strcmp(s, "--waive"))
			fatal("--waive needs CHECK=REASON");
		else if (!strcmp(s, "--json")) json = 1;
		else if (!strcmp(s, "--list-policies")) list = 1;
		else if (s[0] == '-' && s[1])
			unknown_option(s);
		else if (!file)
			file = s;
		else
			fatal("more than one FILE ('%s' and '%s'); check one file per call", file, s);
	}
	if (!elf_arch_machine(arch) || (strcmp(arch, "aarch64") && strcmp(arch, "x86_64")))
		fatal("--arch=%s: unknown architecture (known: aarch64, x86_64)", arch);
	load_policies(&ps, extra, arch);
	if (list) {
		char *names = elf_policy_names(&ps), *nm, *save = NULL;

		for (nm = strtok_r(names, ", ", &save); nm; nm = strtok_r(NULL, ", ", &save)) {
			p = elf_policy_resolve(&ps, nm);
			printf("%-12s %s\n", p->name, p->description);
		}
		free(names);
		return 0;
	}
	if (!file || !pname)
		usage_error("missing %s", !file ? "the FILE to check" : "--policy=NAME");
	p = elf_policy_resolve(&ps, pname);
	for (i = 0; i < nwaives; i++) {
		eq = strchr(waives[i], '=');
		if (!eq || eq == waives[i] || !eq[1])
			fatal("--waive=%s: a waiver needs a check id and a reason: --waive=CHECK=REASON",
			      waives[i]);
		*eq = 0;
		elf_policy_waive(p, waives[i], eq + 1);
	}
	if (provides)
		load_provides(&env, provides);
	env.arch = arch;
	env.host_arch = elf_host_arch();
	load(&in, file);
	if (elf_check_mem(in.data, in.len, p, &env, &r, &err) < 0)
		fatal("%s: %s", file, err.s);
	text_report(&out, file, p, arch, &r);
	if (json) {
		struct buf j = { 0 };

		json_report(&j, file, p, arch, &r);
		fputs(j.s, stdout);
		buf_free(&j);
	} else if (r.nfailed) {
		fputs(out.s, stderr);
	} else if (!stamp || r.nv) {
		/* from a Ninja validation edge (--stamp) a clean pass is silent, as Ninja edges are
		 * on success; a pass with waived violations still shows them */
		fputs(out.s, stdout);
	}
	if (stamp && !r.nfailed) {
		struct buf j = { 0 };

		if (json)
			json_report(&j, file, p, arch, &r);
		a = afile_open(stamp);
		fputs(json ? j.s : out.s, a->f);
		afile_commit(a);   /* same report: same mtime (the rule has restat) */
		buf_free(&j);
	} else if (stamp && unlink(stamp) < 0 && errno != ENOENT) {
		/* a stale stamp from an earlier pass must not survive a failure */
		fatal("%s: cannot remove the stale stamp: %s", stamp, strerror(errno));
	}
	i = r.nfailed;
	elf_report_free(&r);
	input_close(&in);
	buf_free(&out);
	buf_free(&err);
	return i ? 1 : 0;
}

static int
cmd_strip(int argc, char *argv[])
{
	const char *in = NULL, *out = NULL;
	struct elf_strip_opts o = { 0 };
	struct elf_strip_stats st;
	struct buf err = { 0 };
	struct input f;
	struct afile *a;
	struct stat sb;
	int i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-o")) {
			if (++i >= argc)
				fatal("-o needs a file name");
			out = argv[i];
		} else if (!strcmp(argv[i], "--remove-comment")) {
			o.comment = 1;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			unknown_option(argv[i]);
		} else if (!in) {
			in = argv[i];
		} else {
			fatal("more than one input ('%s' and '%s')", in, argv[i]);
		}
	}
	if (!in || !out)
		usage_error("missing %s", !in ? "the input file IN" : "-o OUT");
	load(&f, in);
	a = afile_open(out);
	if (elf_strip_mem(f.data, f.len, a->fd, &o, &st, &err) < 0)
		fatal("%s: %s", in, err.s);   /* the temporary output is removed at exit */
	/* an executable stays executable; nothing else of the host's mode is copied */
	if (stat(in, &sb) == 0)
		fchmod(a->fd, sb.st_mode & 0111 ? 0755 : 0644);
	afile_commit(a);       /* an unchanged output keeps its mtime (restat) */
	printf("%s: %llu -> %llu bytes, %llu saved (%zu section%s removed)\n", out,
	       (unsigned long long)st.in_size, (unsigned long long)st.out_size,
	       (unsigned long long)(st.in_size - st.out_size), st.nremoved, st.nremoved == 1 ? "" : "s");
	input_close(&f);
	return 0;
}

static const char *
pflags(uint32_t f, char *s)
{
	s[0] = f & PF_R ? 'R' : '-';
	s[1] = f & PF_W ? 'W' : '-';
	s[2] = f & PF_X ? 'X' : '-';
	s[3] = 0;
	return s;
}

static const char *
ptype(uint32_t t)
{
	switch (t) {
	case PT_NULL: return "NULL";
	case PT_LOAD: return "LOAD";
	case PT_DYNAMIC: return "DYNAMIC";
	case PT_INTERP: return "INTERP";
	case PT_NOTE: return "NOTE";
	case PT_PHDR: return "PHDR";
	case PT_TLS: return "TLS";
	case PT_GNU_EH_FRAME: return "GNU_EH_FRAME";
	case PT_GNU_STACK: return "GNU_STACK";
	case PT_GNU_RELRO: return "GNU_RELRO";
	case 0x6474e553: return "GNU_PROPERTY";
	}
	return "OTHER";
}

static int
cmd_info(int argc, char *argv[])
{
	const char *file = NULL;
	int json = 0, i;
	struct input in;
	size_t len, n, shstrndx;
	struct buf err = { 0 }, b = { 0 };
	Elf *e;
	GElf_Ehdr eh;
	GElf_Phdr ph;
	GElf_Shdr sh;
	Elf_Scn *scn = NULL;
	const char *name;
	uint64_t alloc = 0, nonalloc = 0, debug = 0, sym = 0;
	char fl[4];
	static const char *const types[] = { "NONE", "REL", "EXEC", "DYN", "CORE" };

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json"))
			json = 1;
		else if (argv[i][0] == '-' && argv[i][1])
			unknown_option(argv[i]);
		else if (!file)
			file = argv[i];
		else
			fatal("more than one FILE");
	}
	if (!file)
		usage_error("missing the FILE to describe");
	load(&in, file);
	if (elf_validate(in.data, in.len, &err) < 0)
		fatal("%s: %s", file, err.s);
	len = in.len;
	elf_version(EV_CURRENT);
	if (!(e = elf_memory((char *)in.data, in.len)) || !gelf_getehdr(e, &eh))
		fatal("%s: libelf: %s", file, elf_errmsg(-1));
	if (json) {
		buf_puts(&b, "{\"file\":");
		json_str(&b, file);
		buf_printf(&b, ",\"type\":\"%s\",\"machine\":%u,\"entry\":%llu,\"size\":%zu,\"segments\":[",
		           eh.e_type < 5 ? types[eh.e_type] : "OTHER", eh.e_machine,
		           (unsigned long long)eh.e_entry, len);
	} else {
		buf_printf(&b, "file:    %s\ntype:    ET_%s\nmachine: %u\nentry:   0x%llx\nsize:    %zu bytes\nsegments:\n",
		           file, eh.e_type < 5 ? types[eh.e_type] : "OTHER", eh.e_machine,
		           (unsigned long long)eh.e_entry, len);
	}
	if (elf_getphdrnum(e, &n) < 0)
		n = 0;
	for (i = 0; (size_t)i < n; i++) {
		if (!gelf_getphdr(e, i, &ph))
			fatal("%s: program header %d: %s", file, i, elf_errmsg(-1));
		if (json)
			buf_printf(&b, "%s{\"type\":\"%s\",\"offset\":%llu,\"vaddr\":%llu,\"filesz\":%llu,\"memsz\":%llu,\"flags\":\"%s\",\"align\":%llu}",
			           i ? "," : "", ptype(ph.p_type), (unsigned long long)ph.p_offset,
			           (unsigned long long)ph.p_vaddr, (unsigned long long)ph.p_filesz,
			           (unsigned long long)ph.p_memsz, pflags(ph.p_flags, fl),
			           (unsigned long long)ph.p_align);
		else
			buf_printf(&b, "  %-12s off 0x%08llx vaddr 0x%016llx filesz 0x%08llx memsz 0x%08llx %s align 0x%llx\n",
			           ptype(ph.p_type), (unsigned long long)ph.p_offset,
			           (unsigned long long)ph.p_vaddr, (unsigned long long)ph.p_filesz,
			           (unsigned long long)ph.p_memsz, pflags(ph.p_flags, fl),
			           (unsigned long long)ph.p_align);
	}
	buf_puts(&b, json ? "],\"sections\":[" : "sections:\n");
	if (elf_getshdrstrndx(e, &shstrndx) < 0)
		shstrndx = 0;
	i = 0;
	while ((scn = elf_nextscn(e, scn))) {
		if (!gelf_getshdr(scn, &sh))
			fatal("%s: section %zu: %s", file, elf_ndxscn(scn), elf_errmsg(-1));
		name = shstrndx ? elf_strptr(e, shstrndx, sh.sh_name) : NULL;
		if (!name)
			name = "";
		if (sh.sh_type != SHT_NOBITS) {
			if (sh.sh_flags & SHF_ALLOC)
				alloc += sh.sh_size;
			else
				nonalloc += sh.sh_size;
			if (!strncmp(name, ".debug", 6) || !strncmp(name, ".zdebug", 7))
				debug += sh.sh_size;
			if (sh.sh_type == SHT_SYMTAB || !strcmp(name, ".strtab"))
				sym += sh.sh_size;
		}
		if (json) {
			buf_puts(&b, i++ ? ",{\"name\":" : "{\"name\":");
			json_str(&b, name);
			buf_printf(&b, ",\"type\":%u,\"addr\":%llu,\"offset\":%llu,\"size\":%llu,\"alloc\":%s}",
			           sh.sh_type, (unsigned long long)sh.sh_addr, (unsigned long long)sh.sh_offset,
			           (unsigned long long)sh.sh_size, sh.sh_flags & SHF_ALLOC ? "true" : "false");
		} else {
			buf_printf(&b, "  %-24s addr 0x%016llx off 0x%08llx %10llu bytes%s%s\n", name,
			           (unsigned long long)sh.sh_addr, (unsigned long long)sh.sh_offset,
			           (unsigned long long)sh.sh_size, sh.sh_flags & SHF_ALLOC ? " alloc" : "",
			           sh.sh_type == SHT_NOBITS ? " nobits" : "");
		}
	}
	if (json)
		buf_printf(&b, "],\"totals\":{\"alloc\":%llu,\"nonalloc\":%llu,\"debug\":%llu,\"symtab\":%llu}}\n",
		           (unsigned long long)alloc, (unsigned long long)nonalloc,
		           (unsigned long long)debug, (unsigned long long)sym);
	else
		buf_printf(&b, "totals:  loaded sections %llu bytes, other %llu bytes (debug %llu, symbols %llu)\n",
		           (unsigned long long)alloc, (unsigned long long)nonalloc,
		           (unsigned long long)debug, (unsigned long long)sym);
	fputs(b.s, stdout);
	elf_end(e);
	input_close(&in);
	buf_free(&b);
	return 0;
}

int
cmd_elf(int argc, char *argv[])
{
	static char name[64];

	if (argc < 2)
		usage_error("which elf command? check, strip or info");
	snprintf(name, sizeof name, "kiln elf %s", argv[1]);
	if (!strcmp(argv[1], "check")) {
		argv0 = name;
		return cmd_check(argc - 1, argv + 1);
	}
	if (!strcmp(argv[1], "strip")) {
		argv0 = name;
		return cmd_strip(argc - 1, argv + 1);
	}
	if (!strcmp(argv[1], "info")) {
		argv0 = name;
		return cmd_info(argc - 1, argv + 1);
	}
	{
		static const char *const subs[] = { "check", "strip", "info" };

		unknown_subcommand(argv[1], subs, 3);
	}
}
