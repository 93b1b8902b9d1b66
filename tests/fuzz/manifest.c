/* fuzz/manifest.c: feeds bytes to the manifest parser (docs/manifest.md) as a manifest named
 * "fuzz.m".
 *
 * The parser reports bad input on stderr and exits with status 2, as every kiln command does,
 * so each input is parsed in a child process: the driver aborts (a finding) when the child
 * dies of a signal (a crash, or a sanitizer report), exits with another status, or rejects the
 * input with anything but one line naming the manifest and line ("kiln: fuzz.m:N: ..."). A
 * parsed manifest must be a consistent tree: every node is found again by its path, children
 * are sorted and name their parent, and hard links point at file entries. The coverage map
 * of AFL++ is shared memory, so the child's coverage counts. */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "image/manifest.h"
#include "util.h"

/* abort unless m is a consistent tree */
static void
verify(struct manifest *m)
{
	size_t i, j;

	if (!m->root || m->nall == 0 || m->all[0] != m->root || m->root->type != M_DIR)
		abort();
	for (i = 0; i < m->nall; i++) {
		struct mnode *n = m->all[i];

		if (manifest_lookup(m, n->path) != n)
			abort();
		if (n->type == M_HARDLINK && (!n->target || n->target->type != M_FILE))
			abort();
		if (n->type != M_DIR && n->nchild)
			abort();
		for (j = 0; j < n->nchild; j++) {
			if (n->child[j]->parent != n)
				abort();
			if (j && strcmp(n->child[j - 1]->name, n->child[j]->name) >= 0)
				abort();
		}
	}
}

/* the child: parse, verify, free; exits 0 or (through the parser) 2 */
static void
child(const uint8_t *data, size_t size)
{
	struct manifest *m;

	argv0 = "kiln";
	m = manifest_parse("fuzz.m", (const char *)data, size);
	verify(m);
	manifest_free(m);
	exit(0);
}

/* abort unless msg is one line "kiln: fuzz.m:N: ..." (more: it went on past what was kept) */
static void
one_line(const char *msg, size_t len, int more)
{
	const char *p = msg + strlen("kiln: fuzz.m:");

	if (len < 16 || strncmp(msg, "kiln: fuzz.m:", 13) != 0 || *p < '1' || *p > '9' ||
	    (!more && msg[len - 1] != '\n') || memchr(msg, '\n', len - (more ? 0 : 1)))
		abort();
	while (*p >= '0' && *p <= '9')
		p++;
	if (p[0] != ':' || p[1] != ' ')
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char msg[8192], scratch[4096];
	size_t len = 0;
	int more = 0;
	ssize_t n;
	int fd[2], st;
	pid_t pid;

	if (pipe(fd) != 0)
		abort();
	fflush(stdout);
	if ((pid = fork()) < 0)
		abort();
	if (pid == 0) {
		close(fd[0]);
		if (dup2(fd[1], 2) < 0)
			_exit(99);
		child(data, size);
	}
	close(fd[1]);
	/* keep reading past a full buffer, so that a long message cannot block the child */
	while ((n = read(fd[0], len < sizeof msg - 1 ? msg + len : scratch,
	                 len < sizeof msg - 1 ? sizeof msg - 1 - len : sizeof scratch)) > 0)
		if (len < sizeof msg - 1)
			len += (size_t)n;
		else
			more = 1;
	close(fd[0]);
	msg[len] = 0;
	if (waitpid(pid, &st, 0) != pid)
		abort();
	if (WIFSIGNALED(st) || !WIFEXITED(st)) {
		fputs(msg, stderr);
		abort();
	}
	if (WEXITSTATUS(st) == 2) {
		one_line(msg, len, more);
	} else if (WEXITSTATUS(st) != 0 || len) {
		fputs(msg, stderr);
		abort();
	}
	return 0;
}
