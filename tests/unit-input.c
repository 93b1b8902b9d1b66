/* unit-input.c: input_open(), how the ELF tools read their input: mapped and read it gives
 * the same bytes and the same check report (this program's own file, checked for a host
 * path it contains); empty files, files with holes and non-regular files; and a mapped file
 * truncated while it is checked, which must end kiln with one line and status 2. */
#define _POSIX_C_SOURCE 200809L
#define _DARWIN_C_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "elf/elf_check.h"
#include "unit.h"
#include "util.h"

static char dir[64];

/* dir/name, in a static buffer */
static const char *
at(const char *name)
{
	static char p[128];

	snprintf(p, sizeof p, "%s/%s", dir, name);
	return p;
}

/* write n bytes of d to dir/name */
static void
put(const char *name, const void *d, size_t n)
{
	FILE *f = fopen(at(name), "wb");

	if (!f || fwrite(d, 1, n, f) != n || fclose(f))
		fatal("%s: cannot write: %s", at(name), strerror(errno));
}

/* the check that `kiln elf check --policy=host-tool` runs, with host path pat */
static void
check(const struct input *in, const char *pat, struct elf_report *r)
{
	struct elf_policy p;
	struct elf_env env;
	struct buf err = { 0 };
	char *paths[1];

	memset(&p, 0, sizeof p);
	memset(&env, 0, sizeof env);
	paths[0] = (char *)pat;
	p.name = "host-tool";
	p.machine = 2;
	p.static_ = 2;
	p.pie = 1;
	p.host_paths = paths;
	p.nhost_paths = 1;
	env.arch = env.host_arch = elf_host_arch();
	if (elf_check_mem(in->data, in->len, &p, &env, r, &err) < 0)
		fatal("check: %s", err.s);
	buf_free(&err);
}

/* do two reports say the same? */
static int
same_report(const struct elf_report *a, const struct elf_report *b)
{
	size_t i;

	if (a->nv != b->nv || a->nfailed != b->nfailed || strcmp(a->kind, b->kind))
		return 0;
	for (i = 0; i < a->nv; i++)
		if (strcmp(a->v[i].id, b->v[i].id) || strcmp(a->v[i].msg, b->v[i].msg))
			return 0;
	return 1;
}

/* mapped and read: the same bytes, the same verdict, a host path found at the same place */
static void
test_same(const char *self)
{
	struct input m, r;
	struct elf_report rm, rr;
	const char *why = NULL;

	CHECK("input: this program maps", input_open(&m, self, 1, &why) == 0 && m.mapped);
	CHECK("input: and reads", input_open(&r, self, 0, &why) == 0 && !r.mapped);
	CHECK("input: mapped and read: the same length", m.len == r.len && m.len > 4096);
	CHECK("input: mapped and read: the same bytes", !memcmp(m.data, r.data, m.len));
	CHECK("input: the read copy is NUL-terminated", r.data[r.len] == 0);
	/* the name of this source is in the program (assertion messages) */
	check(&m, "unit-input.c", &rm);
	check(&r, "unit-input.c", &rr);
	CHECK("input: mapped: the host path is found", rm.nfailed == 1 && !strcmp(rm.v[0].id, "host-path"));
	CHECK("input: mapped and read: the same report", same_report(&rm, &rr));
	elf_report_free(&rm);
	elf_report_free(&rr);
	input_close(&m);
	input_close(&r);
	CHECK("input: closed", m.data == NULL && m.len == 0);
}

/* what is not mapped: an empty file, a file with holes; what is refused */
static void
test_read_paths(void)
{
	struct input in;
	const char *why = NULL;
	char block[8192];
	int fd;

	put("empty", "", 0);
	CHECK("input: an empty file is read, not mapped",
	      input_open(&in, at("empty"), 1, &why) == 0 && !in.mapped && in.len == 0);
	input_close(&in);

	memset(block, 'x', sizeof block);
	put("holes", block, sizeof block);
	if ((fd = open(at("holes"), O_WRONLY)) < 0 || ftruncate(fd, 8 << 20) < 0 ||
	    pwrite(fd, block, sizeof block, 4 << 20) != (ssize_t)sizeof block || close(fd) < 0)
		fatal("%s: cannot make holes: %s", at("holes"), strerror(errno));
	CHECK("input: a file with holes is read, not mapped (a hole can SIGBUS on a full tmpfs)",
	      input_open(&in, at("holes"), 1, &why) == 0 && !in.mapped && in.len == 8 << 20 &&
	      in.data[(4 << 20) + 1] == 'x' && in.data[1 << 20] == 0);
	input_close(&in);

	CHECK("input: a directory is refused", input_open(&in, dir, 1, &why) < 0 &&
	      !strcmp(why, "is a directory, not a regular file") && in.data == NULL);
	CHECK("input: a missing file is refused", input_open(&in, at("nosuch"), 1, &why) < 0 &&
	      !strcmp(why, strerror(ENOENT)));
}

/* a mapped file truncated under the check: one line on stderr, status 2, no temporary
 * output left; in a child, since that ends the process */
static void
test_truncated(const char *self)
{
	struct input in, src;
	const char *why = NULL;
	struct elf_report r;
	int pfd[2], st = 0;
	char msg[1024], *expect;
	ssize_t n, got = 0;
	pid_t pid;

	if (input_open(&src, self, 0, &why) < 0)
		fatal("%s: %s", self, why);
	put("shrinks", src.data, src.len);
	input_close(&src);
	if (pipe(pfd) < 0 || (pid = fork()) < 0)
		fatal("pipe or fork: %s", strerror(errno));
	if (pid == 0) {
		struct afile *a;

		dup2(pfd[1], 2);
		close(pfd[0]);
		argv0 = "kiln elf check";
		a = afile_open(at("out"));   /* a pending output, as strip has */
		fputs("partial", a->f);
		if (input_open(&in, at("shrinks"), 1, &why) < 0 || !in.mapped)
			_exit(3);
		if (truncate(at("shrinks"), 4096) < 0)
			_exit(4);
		check(&in, "unit-input.c", &r);   /* reads past the new end */
		_exit(5);
	}
	close(pfd[1]);
	while (got < (ssize_t)sizeof msg - 1 && (n = read(pfd[0], msg + got, sizeof msg - 1 - got)) > 0)
		got += n;
	msg[got] = 0;
	close(pfd[0]);
	waitpid(pid, &st, 0);
	CHECK("input: truncated while mapped: exit status 2", WIFEXITED(st) && WEXITSTATUS(st) == 2);
	expect = xasprintf("kiln elf check: %s: the file could not be read while it was mapped (another program truncated it, or an I/O error); nothing was written: run again once it is complete\n",
	                   at("shrinks"));
	CHECK_STR("input: truncated while mapped: one line naming the file", expect, msg);
	free(expect);
	CHECK("input: truncated while mapped: the output is not written", access(at("out"), F_OK) < 0);
	CHECK("input: truncated while mapped: no temporary output is left",
	      access(at("out.tmp"), F_OK) < 0);
}

int
main(int argc, char *argv[])
{
	const char *tmp = getenv("TMPDIR");

	(void)argc;
	snprintf(dir, sizeof dir, "%s/kiln-unit-input.XXXXXX", tmp && *tmp && strlen(tmp) < 30 ? tmp : "/tmp");
	if (!mkdtemp(dir))
		fatal("mkdtemp %s: %s", dir, strerror(errno));
	test_same(argv[0]);
	test_read_paths();
	test_truncated(argv[0]);
	unlink(at("empty"));
	unlink(at("holes"));
	unlink(at("shrinks"));
	unlink(at("out.tmp"));
	rmdir(dir);
	return unit_failed;
}
