/* util.c: see util.h */
#define _POSIX_C_SOURCE 200809L
#define _DARWIN_C_SOURCE  /* macOS hides part of POSIX.1-2008 (O_NOFOLLOW) without it; others ignore it */
#define _GNU_SOURCE  /* O_TMPFILE on Linux (afile_open) */
#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util.h"

const char *argv0 = "kiln";

static void
vmsg(const char *prefix, const char *fmt, va_list ap)
{
	fflush(stdout);
	fprintf(stderr, "%s: %s", argv0, prefix);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void
fatalx(int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg("", fmt, ap);
	va_end(ap);
	exit(status);
}

void
fatal(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg("", fmt, ap);
	va_end(ap);
	exit(2);
}

void
warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg("warning: ", fmt, ap);
	va_end(ap);
}

void
error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg("", fmt, ap);
	va_end(ap);
}

void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		fatal("out of memory allocating %zu bytes", n);
	return p;
}

void *
xcalloc(size_t n, size_t sz)
{
	void *p = calloc(n ? n : 1, sz ? sz : 1);

	if (!p)
		fatal("out of memory allocating %zu x %zu bytes", n, sz);
	return p;
}

void *
xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		fatal("out of memory allocating %zu bytes", n);
	return p;
}

void *
xreallocarray(void *p, size_t n, size_t sz)
{
	if (sz && n > SIZE_MAX / sz)
		fatal("out of memory: %zu x %zu bytes overflows", n, sz);
	return xrealloc(p, n * sz);
}

int
xfork(void)
{
	pid_t pid;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0)
		fatal("fork: %s", strerror(errno));
	return (int)pid;
}

int
xfork_piped(int with_stderr, int *rfd)
{
	int fd[2], pid;

	if (pipe(fd) != 0)
		fatal("pipe: %s", strerror(errno));
	pid = xfork();
	if (pid == 0) {
		close(fd[0]);
		dup2(fd[1], 1);
		if (with_stderr)
			dup2(fd[1], 2);
		close(fd[1]);
		return 0;
	}
	close(fd[1]);
	*rfd = fd[0];
	return pid;
}

int
xwait(int pid)
{
	int status;

	while (waitpid((pid_t)pid, &status, 0) < 0)
		if (errno != EINTR)
			fatal("waitpid: %s", strerror(errno));
	return status;
}

char *
run_first_line(const char *const argv[], const char *dir, int with_stderr, int *status)
{
	char out[4096], drop[4096];
	size_t len = 0;
	ssize_t n;
	int rfd, pid;

	pid = xfork_piped(with_stderr, &rfd);
	if (pid == 0) {
		if (dir && chdir(dir) != 0)
			_exit(127);
		execvp(argv[0], (char *const *)argv);
		if (with_stderr)
			fprintf(stderr, "%s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	for (;;) {
		int full = len == sizeof out - 1;

		n = read(rfd, full ? drop : out + len, full ? sizeof drop : sizeof out - 1 - len);
		if (n == 0)
			break;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			fatal("reading the output of %s: %s", argv[0], strerror(errno));
		}
		if (!full)
			len += (size_t)n;
	}
	close(rfd);
	*status = xwait(pid);
	out[len] = '\0';
	out[strcspn(out, "\n")] = '\0';
	return xstrdup(out);
}

char *
xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *
xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
xasprintf(const char *fmt, ...)
{
	va_list ap;
	struct buf b = {0};

	va_start(ap, fmt);
	{
		va_list aq;
		int n;

		va_copy(aq, ap);
		n = vsnprintf(NULL, 0, fmt, aq);
		va_end(aq);
		if (n < 0)
			fatal("vsnprintf: %s", strerror(errno));
		buf_grow(&b, (size_t)n);
		vsnprintf(b.s, (size_t)n + 1, fmt, ap);
		b.len = (size_t)n;
	}
	va_end(ap);
	return b.s;
}

void
buf_grow(struct buf *b, size_t extra)
{
	size_t need = b->len + extra + 1;

	if (need <= b->cap)
		return;
	if (b->cap == 0)
		b->cap = 64;
	while (b->cap < need)
		b->cap *= 2;
	b->s = xrealloc(b->s, b->cap);
}

void
buf_put(struct buf *b, const void *p, size_t n)
{
	buf_grow(b, n);
	if (n)  /* p may be NULL for an empty piece: memcpy(x, NULL, 0) is undefined */
		memcpy(b->s + b->len, p, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void
buf_putc(struct buf *b, int c)
{
	char ch = (char)c;

	buf_put(b, &ch, 1);
}

void
buf_puts(struct buf *b, const char *s)
{
	buf_put(b, s, strlen(s));
}

void
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap, aq;
	int n;

	va_start(ap, fmt);
	va_copy(aq, ap);
	n = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	if (n < 0)
		fatal("vsnprintf: %s", strerror(errno));
	buf_grow(b, (size_t)n);
	vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	va_end(ap);
}

void
buf_free(struct buf *b)
{
	free(b->s);
	b->s = NULL;
	b->len = b->cap = 0;
}

size_t
strmap_hash(const char *p, size_t len)
{
	const unsigned char *u = (const unsigned char *)p;
	uint64_t h = 14695981039346656037u;

	/* four bytes a round: the loop's own instructions cost as much as the hash's */
	for (; len >= 4; len -= 4, u += 4) {
		h = (h ^ u[0]) * 1099511628211u;
		h = (h ^ u[1]) * 1099511628211u;
		h = (h ^ u[2]) * 1099511628211u;
		h = (h ^ u[3]) * 1099511628211u;
	}
	for (; len; len--, u++)
		h = (h ^ *u) * 1099511628211u;
	return (size_t)h;
}

/* the first slot to probe for hash h. FNV-1a mixes poorly: its low bits depend only on the
 * low bits of each byte, and a change in the last bytes barely reaches the high bits; the
 * finalizer of MurmurHash3 makes every bit of h reach the low bits that pick the slot. */
static size_t
strmap_first(const struct strmap *m, size_t h)
{
	uint64_t x = h;

	x ^= x >> 33;
	x *= UINT64_C(0xff51afd7ed558ccd);
	x ^= x >> 33;
	return (size_t)x & (m->cap - 1);
}

/* the slot holding key, or the empty slot where it belongs (inline: it is the whole cost of
 * a lookup, which kiln gen does for every Lua frame it attributes to a plugin) */
static inline struct strmap_slot *
strmap_find(const struct strmap *m, const char *key, size_t len, size_t h)
{
	size_t i = strmap_first(m, h);
	struct strmap_slot *s;

	while ((s = &m->slot[i])->key &&
	       !(s->hash == h && s->len == len && !memcmp(s->key, key, len)))
		i = (i + 1) & (m->cap - 1);
	return s;
}

void *
strmap_get(const struct strmap *m, const char *key, size_t len)
{
	if (!m->n)
		return NULL;
	return strmap_find(m, key, len, strmap_hash(key, len))->val;
}

void *
strmap_put(struct strmap *m, const char *key, size_t len, void *val)
{
	size_t h = strmap_hash(key, len), i;
	struct strmap_slot *s = NULL;

	if (m->cap && (s = strmap_find(m, key, len, h))->key)
		return s->val;
	if ((m->n + 1) * 2 > m->cap) {
		struct strmap t = { NULL, m->n, m->cap ? m->cap * 2 : 64 };

		t.slot = xcalloc(t.cap, sizeof *t.slot);
		for (i = 0; i < m->cap; i++)
			if (m->slot[i].key) {
				size_t j = strmap_first(&t, m->slot[i].hash);

				while (t.slot[j].key)
					j = (j + 1) & (t.cap - 1);
				t.slot[j] = m->slot[i];
			}
		free(m->slot);
		*m = t;
		s = strmap_find(m, key, len, h);
	}
	s->key = key;
	s->len = len;
	s->hash = h;
	s->val = val;
	m->n++;
	return NULL;
}

void
strmap_free(struct strmap *m)
{
	free(m->slot);
	m->slot = NULL;
	m->n = m->cap = 0;
}

char *
read_file(const char *path, size_t *len)
{
	struct buf b = {0};
	char tmp[65536];
	ssize_t n;
	int fd, e;

	fd = open(path, O_RDONLY);
	if (fd < 0)
		return NULL;
	for (;;) {
		n = read(fd, tmp, sizeof tmp);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			e = errno;
			close(fd);
			buf_free(&b);
			errno = e;
			return NULL;
		}
		if (n == 0)
			break;
		buf_put(&b, tmp, (size_t)n);
	}
	close(fd);
	if (!b.s)
		b.s = xcalloc(1, 1);
	if (len)
		*len = b.len;
	return b.s;
}

/* "is a FIFO, not a regular file" and the like for a non-regular st_mode */
static const char *
not_regular(mode_t m)
{
	if (S_ISDIR(m))
		return "is a directory, not a regular file";
	if (S_ISCHR(m))
		return "is a character device, not a regular file";
	if (S_ISBLK(m))
		return "is a block device, not a regular file";
	if (S_ISFIFO(m))
		return "is a FIFO, not a regular file";
	if (S_ISSOCK(m))
		return "is a socket, not a regular file";
	return "is not a regular file";
}

/* open_input, with the file's status in *st */
static int
open_input_st(const char *path, struct stat *st, const char **why)
{
	int fd, fl;

	/* O_NONBLOCK: opening a FIFO without a writer would wait for one */
	if ((fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY)) < 0) {
		*why = strerror(errno);
		return -1;
	}
	if (fstat(fd, st) != 0) {
		*why = strerror(errno);
		close(fd);
		return -1;
	}
	if (!S_ISREG(st->st_mode)) {
		*why = not_regular(st->st_mode);
		close(fd);
		errno = EINVAL;
		return -1;
	}
	if ((fl = fcntl(fd, F_GETFL)) != -1)
		fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
	return fd;
}

int
open_input(const char *path, uint64_t *size, const char **why)
{
	struct stat st;
	int fd = open_input_st(path, &st, why);

	if (fd >= 0)
		*size = (uint64_t)st.st_size;
	return fd;
}

/* read the open file fd of size bytes (as fstat saw it) to its end, then close it; NULL with
 * *why set on a read error */
static unsigned char *
read_fd(int fd, uint64_t size, size_t *len, const char **why)
{
	unsigned char *d;
	size_t got = 0;
	ssize_t n;

	if (size >= SIZE_MAX) {
		*why = "too large to read into memory";
		close(fd);
		return NULL;
	}
	d = xmalloc((size_t)size + 1);
	/* read to the end even if the file grew; stop at the size seen if it did not */
	for (;;) {
		if (got == size) {
			unsigned char probe;

			if ((n = read(fd, &probe, 1)) == 0)
				break;
			if (n > 0) {
				d = xrealloc(d, (size_t)(size = size * 2 + 4096) + 1);
				d[got++] = probe;
				continue;
			}
		} else if ((n = read(fd, d + got, (size_t)size - got)) > 0) {
			got += (size_t)n;
			continue;
		} else if (n == 0) {
			break;
		}
		if (errno == EINTR)
			continue;
		*why = strerror(errno);
		close(fd);
		free(d);
		return NULL;
	}
	close(fd);
	d[got] = 0;
	*len = got;
	return d;
}

unsigned char *
read_input(const char *path, size_t *len, const char **why)
{
	uint64_t size;
	int fd = open_input(path, &size, why);

	return fd < 0 ? NULL : read_fd(fd, size, len, why);
}

/* the mapping being read (one at a time) and what to say when it faults */
static const unsigned char *guard_lo, *guard_hi;
static char guard_msg[4608];   /* room for a PATH_MAX path */
static size_t guard_len;

static void cleanup(void);

/* SIGBUS inside the mapping: the file shrank under it (another program truncated it) or its
 * pages could not be read. Nothing was written yet: say so, remove the temporary outputs
 * and end as for unreadable input. Any other SIGBUS is not ours: the default action. */
static void
onbus(int sig, siginfo_t *si, void *ctx)
{
	const unsigned char *a = si->si_addr;
	ssize_t n;

	(void)ctx;
	if (guard_lo && a >= guard_lo && a < guard_hi) {
		n = write(2, guard_msg, guard_len);
		(void)n;
		cleanup();
		_exit(2);
	}
	signal(sig, SIG_DFL);   /* the faulting access runs again and ends the process */
}

int
input_open(struct input *in, const char *path, int may_map, const char **why)
{
	struct stat st;
	struct sigaction sa;
	void *p;
	int fd = open_input_st(path, &st, why);

	memset(in, 0, sizeof *in);
	if (fd < 0)
		return -1;
	/* mapped only without holes (st_blocks counts 512-byte units on Linux, the BSDs and
	 * macOS): faulting in a hole allocates on tmpfs, which SIGBUSes when it is full */
	if (may_map && st.st_size > 0 && (uint64_t)st.st_size < SIZE_MAX &&
	    (uint64_t)st.st_blocks * 512 >= (uint64_t)st.st_size) {
		/* no MAP_POPULATE nor madvise hint: populating 33 MiB took 4-5 ms more than the
		 * scan's own faults (which map 16 pages each), a waste where nothing reads it
		 * all; WILLNEED and SEQUENTIAL measured no better (and SEQUENTIAL drops the
		 * pages early, which the strip or image edge after the check reads again) */
		p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (p != MAP_FAILED) {
			close(fd);
			in->data = p;
			in->len = (size_t)st.st_size;
			in->mapped = 1;
			snprintf(guard_msg, sizeof guard_msg,
			         "%s: %s: the file could not be read while it was mapped (another program truncated it, or an I/O error); nothing was written: run again once it is complete\n",
			         argv0, path);
			guard_len = strlen(guard_msg);
			guard_msg[guard_len - 1] = '\n';   /* also when a longer path was cut */
			guard_lo = in->data;
			guard_hi = in->data + in->len;
			memset(&sa, 0, sizeof sa);
			sa.sa_sigaction = onbus;
			sa.sa_flags = SA_SIGINFO;
			sigemptyset(&sa.sa_mask);
			sigaction(SIGBUS, &sa, NULL);
			return 0;
		}
	}
	/* a file with holes, an empty one, or one mmap refuses: read it */
	if (!(in->data = read_fd(fd, (uint64_t)st.st_size, &in->len, why)))
		return -1;
	return 0;
}

void
input_close(struct input *in)
{
	if (in->mapped) {
		if (guard_lo == in->data)
			guard_lo = guard_hi = NULL;
		munmap((void *)in->data, in->len);
	} else {
		free((void *)in->data);
	}
	memset(in, 0, sizeof *in);
}

/* temporary files not yet committed, removed at exit and on fatal signals */
static struct afile *pending[16];
static size_t npending;

static void
cleanup(void)
{
	size_t i;

	for (i = 0; i < npending; i++)
		if (pending[i] && pending[i]->tmp)
			unlink(pending[i]->tmp);
}

static void
onsignal(int sig)
{
	cleanup();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void
forget(struct afile *a)
{
	size_t i;

	for (i = 0; i < npending; i++)
		if (pending[i] == a)
			pending[i] = NULL;
}

/* take a write lock on all of fd without waiting; 0, or -1 when another process holds one.
 * The lock dies with its process, even a SIGKILLed one: a temporary file nobody holds a lock
 * on is the leftover of a writer that was killed. */
static int
lock_fd(int fd)
{
	struct flock l;

	memset(&l, 0, sizeof l);
	l.l_type = F_WRLCK;
	l.l_whence = SEEK_SET;
	return fcntl(fd, F_SETLK, &l);
}

/* open the temporary file name as this writer's, taking over the leftover of a killed writer
 * (same name, no lock held); -1 when a live writer holds it, or it is not a regular file of
 * ours (a symlink planted in a shared directory) */
static int
claim(const char *name)
{
	struct stat st;
	int fd = open(name, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid() || st.st_nlink != 1 ||
	    lock_fd(fd) != 0 || ftruncate(fd, 0) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Where the system allows, the data goes to an unnamed file in the output's directory
 * (Linux O_TMPFILE), linked in only when committed: a killed writer leaves nothing behind.
 * Elsewhere it goes to PATH.tmp, locked while written, which the next writer of PATH takes
 * over; only a second writer of the same output at the same time gets a PATH.tmp.XXXXXX,
 * and the next writer removes it if that writer was killed. */
static int
open_anonymous(const char *path)
{
#if defined(O_TMPFILE) && !defined(KILN_NO_O_TMPFILE)
	const char *slash = strrchr(path, '/');
	char *dir = slash ? xstrndup(path, slash == path ? 1 : (size_t)(slash - path)) : xstrdup(".");
	char proc[64];
	int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0666);

	free(dir);
	if (fd < 0)
		return -1;
	/* committing links it through /proc; without /proc it could never get a name */
	snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
	if (access(proc, F_OK) != 0) {
		close(fd);
		return -1;
	}
	return fd;
#else
	(void)path;
	return -1;
#endif
}

/* The names in each output directory that look like temporary files (NAME.tmp.SUFFIX),
 * read once per directory per process, so that many outputs in one directory cost one
 * scan: the leftovers of writers that died before this one (kiln before unnamed files, or a
 * second writer of the same output at the same time) */
static struct tmpdir {
	char *dir;       /* the directory, as given */
	char **names;    /* its entries that contain ".tmp." */
	size_t n;
} *tmpdirs;
static size_t ntmpdirs;

static struct tmpdir *
tmpdir_of(const char *dir)
{
	struct tmpdir *t;
	struct dirent *e;
	DIR *d;
	size_t i;

	for (i = 0; i < ntmpdirs; i++)
		if (!strcmp(tmpdirs[i].dir, dir))
			return &tmpdirs[i];
	tmpdirs = xreallocarray(tmpdirs, ntmpdirs + 1, sizeof *tmpdirs);
	t = &tmpdirs[ntmpdirs++];
	memset(t, 0, sizeof *t);
	t->dir = xstrdup(dir);
	if (!(d = opendir(dir)))
		return t;
	while ((e = readdir(d)))
		if (strstr(e->d_name, ".tmp.")) {
			t->names = xreallocarray(t->names, t->n + 1, sizeof *t->names);
			t->names[t->n++] = xstrdup(e->d_name);
		}
	closedir(d);
	return t;
}

/* remove the temporary files of path (PATH.tmp.SUFFIX) that no live writer holds: a file of
 * ours that nobody has locked is the leftover of a writer that was killed. Only this output's
 * own temporary files are touched, never another program's. */
static void
remove_stale(const char *path)
{
	const char *slash = strrchr(path, '/'), *base = slash ? slash + 1 : path;
	char *dir = slash ? xstrndup(path, slash == path ? 1 : (size_t)(slash - path)) : xstrdup(".");
	struct tmpdir *t = tmpdir_of(dir);
	size_t i, k, blen = strlen(base);

	for (i = 0; i < t->n;) {
		const char *nm = t->names[i];
		char *full;
		struct stat st;
		int fd, mine = 0;

		if (strncmp(nm, base, blen) || strncmp(nm + blen, ".tmp.", 5) || !nm[blen + 5]) {
			i++;
			continue;
		}
		full = slash ? xasprintf("%s/%s", dir, nm) : xstrdup(nm);
		for (k = 0; k < npending; k++)
			mine |= pending[k] && pending[k]->tmp && !strcmp(pending[k]->tmp, full);
		if (!mine && (fd = open(full, O_RDWR | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)) >= 0) {
			if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == geteuid() &&
			    lock_fd(fd) == 0)
				unlink(full);
			close(fd);
		}
		free(full);
		free(t->names[i]);
		t->names[i] = t->names[--t->n];
	}
	free(dir);
}

struct afile *
afile_open(const char *path)
{
	static int registered;
	struct afile *a;
	size_t i;
	int fd;

	if (!registered) {
		atexit(cleanup);
		signal(SIGINT, onsignal);
		signal(SIGTERM, onsignal);
		signal(SIGHUP, onsignal);
		registered = 1;
	}
	for (i = 0; i < npending && pending[i]; i++)
		;
	if (i == sizeof pending / sizeof pending[0])
		fatal("%s: too many output files open at once", path);
	remove_stale(path);
	a = xcalloc(1, sizeof *a);
	a->path = xstrdup(path);
	if ((fd = open_anonymous(path)) < 0) {
		a->tmp = xasprintf("%s.tmp", path);
		if ((fd = claim(a->tmp)) < 0) {
			free(a->tmp);
			a->tmp = xasprintf("%s.tmp.XXXXXX", path);
			if ((fd = mkstemp(a->tmp)) < 0)
				fatal("%s: cannot create a temporary file: %s", path, strerror(errno));
			lock_fd(fd);
		}
		/* mkstemp and claim make 0600; outputs get the usual 0666 less the umask */
		{
			mode_t um = umask(0);

			umask(um);
			fchmod(fd, 0666 & ~um);
		}
	}
	a->fd = fd;
	a->f = fdopen(fd, "w+b");
	if (!a->f)
		fatal("%s: fdopen: %s", path, strerror(errno));
	pending[i] = a;
	if (i == npending)
		npending++;
	return a;
}

static void
afile_free(struct afile *a)
{
	forget(a);
	free(a->path);
	free(a->tmp);
	free(a);
}

void
afile_abort(struct afile *a)
{
	if (a->f)
		fclose(a->f);
	if (a->tmp)
		unlink(a->tmp);
	afile_free(a);
}

/* flush and check for write errors; an unnamed file gets its name, PATH.tmp, now. The
 * stream stays open (and the lock held) until the rename is done. */
static void
afile_flush(struct afile *a)
{
	if (fflush(a->f) != 0 || ferror(a->f))
		fatal("%s: write error: %s", a->path, strerror(errno));
	if (!a->tmp) {
		char proc[64];
		int tries;

		snprintf(proc, sizeof proc, "/proc/self/fd/%d", a->fd);
		a->tmp = xasprintf("%s.tmp", a->path);
		for (tries = 0; linkat(AT_FDCWD, proc, AT_FDCWD, a->tmp, AT_SYMLINK_FOLLOW) != 0; tries++) {
			int fd;

			if (errno != EEXIST || tries == 8)
				fatal("%s: cannot link the temporary file: %s", a->path, strerror(errno));
			/* the leftover of a killed writer is removed; a live writer's is left alone */
			if ((fd = claim(a->tmp)) >= 0) {
				unlink(a->tmp);
				close(fd);
			} else {
				free(a->tmp);
				a->tmp = xasprintf("%s.tmp.%ld.%d", a->path, (long)getpid(), tries);
			}
		}
	}
}

/* close the stream after the rename; a close error still fails the command */
static void
afile_close(struct afile *a, int renamed)
{
	if (fclose(a->f) != 0) {
		if (renamed)
			unlink(a->path);
		fatal("%s: write error: %s", a->path, strerror(errno));
	}
	a->f = NULL;
}

/* 1 if the file at path has the contents of the open file fd (compared in chunks, so that
 * large images do not need to fit in memory). fd is read with pread, never reopened: closing
 * another descriptor of the temporary file would drop its lock. */
static int
same_content(const char *path, int fd)
{
	static char x[1 << 16], y[1 << 16];
	struct stat sa, sb;
	uint64_t off = 0;
	ssize_t na, nb;
	off_t keep;
	int same = 0, fa;

	if (stat(path, &sa) != 0 || fstat(fd, &sb) != 0 || sa.st_size != sb.st_size || !S_ISREG(sa.st_mode))
		return 0;
	if ((fa = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return 0;
	keep = lseek(fd, 0, SEEK_CUR);   /* the output's offset, which SEEK_DATA moves */
	for (;;) {
#if defined(SEEK_DATA) && !defined(KILN_NO_SEEK_HOLE)
		/* where neither file has data both read as zeros: skip to the nearer data (a 512 MiB
		 * image holding 10 MiB is compared in its 10 MiB). Where SEEK_DATA is not supported
		 * (EINVAL) every byte is read. */
		if (off < (uint64_t)sa.st_size) {
			off_t da, db;

			if ((da = lseek(fa, (off_t)off, SEEK_DATA)) < 0 && errno == ENXIO)
				da = sa.st_size;
			if ((db = lseek(fd, (off_t)off, SEEK_DATA)) < 0 && errno == ENXIO)
				db = sb.st_size;
			if (da >= 0 && db >= 0 && (uint64_t)(da < db ? da : db) > off)
				off = (uint64_t)(da < db ? da : db);
		}
#endif
		na = pread(fa, x, sizeof x, (off_t)off);
		nb = pread(fd, y, sizeof y, (off_t)off);
		if (na < 0 || na != nb || memcmp(x, y, (size_t)na) != 0)
			break;
		if (na == 0) {
			same = 1;
			break;
		}
		off += (uint64_t)na;
	}
	close(fa);
	if (keep >= 0)
		lseek(fd, keep, SEEK_SET);
	return same;
}

/* An output whose content did not change keeps its old file and mtime: Ninja's restat then
 * skips everything downstream (one changed file rewrites its partition, not the ESP). */
void
afile_commit(struct afile *a)
{
	afile_flush(a);
	if (same_content(a->path, a->fd)) {
		unlink(a->tmp);
		afile_close(a, 0);
		afile_free(a);
		return;
	}
	afile_commit_always(a);
}

void
afile_commit_always(struct afile *a)
{
	afile_flush(a);
	if (rename(a->tmp, a->path) != 0)
		fatal("%s: cannot rename %s over it: %s", a->path, a->tmp, strerror(errno));
	free(a->tmp);
	a->tmp = NULL;  /* nothing left for the exit cleanup to remove */
	afile_close(a, 1);
	afile_free(a);
}

void
xpwrite(int fd, const void *p, size_t n, uint64_t off, const char *name)
{
	const char *c = p;
	ssize_t w;

	while (n > 0) {
		w = pwrite(fd, c, n, (off_t)off);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			fatal("%s: write at offset %llu: %s", name, (unsigned long long)off, strerror(errno));
		}
		c += w;
		n -= (size_t)w;
		off += (uint64_t)w;
	}
}

int
xpread(int fd, void *p, size_t n, uint64_t off)
{
	char *c = p;
	ssize_t r;

	while (n > 0) {
		r = pread(fd, c, n, (off_t)off);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		c += r;
		n -= (size_t)r;
		off += (uint64_t)r;
	}
	return 0;
}

int
parse_uint(const char *s, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	const char *p;

	if (*s < '0' || *s > '9')
		return -1;
	for (p = s; *p >= '0' && *p <= '9'; p++) {
		if (v > (max - (uint64_t)(*p - '0')) / 10)
			return -1;
		v = v * 10 + (uint64_t)(*p - '0');
	}
	if (*p)
		return -1;
	*out = v;
	return 0;
}

const char *
size_parse(const char *s, uint64_t *out)
{
	static const char malformed[] = "not a size (a number of bytes, or one with a K, M, G or T suffix: 64M)";
	uint64_t v = 0, mul = 1;
	const char *p = s;

	if (*p < '0' || *p > '9')
		return malformed;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (v > (UINT64_MAX - (uint64_t)(*p - '0')) / 10)
			v = UINT64_MAX;  /* too large; the suffix is still checked */
		else
			v = v * 10 + (uint64_t)(*p - '0');
	}
	switch (*p) {
	case '\0': break;
	case 'K': case 'k': mul = 1ULL << 10; p++; break;
	case 'M': case 'm': mul = 1ULL << 20; p++; break;
	case 'G': case 'g': mul = 1ULL << 30; p++; break;
	case 'T': case 't': mul = 1ULL << 40; p++; break;
	default: return malformed;
	}
	if (*p == 'i' && mul != 1)
		p++;
	if ((*p == 'B' || *p == 'b') && mul != 1)
		p++;
	if (*p != '\0')
		return malformed;
	if (v > (uint64_t)INT64_MAX / mul)
		return "too large (a size is at most 2^63 - 1 bytes, 8 EiB)";
	*out = v * mul;
	return NULL;
}

int
parse_size(const char *s, uint64_t *out)
{
	return size_parse(s, out) ? -1 : 0;
}

uint64_t
source_date_epoch(void)
{
	const char *s = getenv("SOURCE_DATE_EPOCH");
	uint64_t v;

	if (!s || !*s)
		return 0;
	if (parse_uint(s, (uint64_t)INT64_MAX, &v) != 0)
		fatal("SOURCE_DATE_EPOCH=%s: not a whole number of seconds", s);
	return v;
}

int
mkdir_parents(const char *path)
{
	char *dir = xstrdup(path), *s;
	int rc = 0;

	for (s = dir + 1; (s = strchr(s, '/')); s++) {
		*s = '\0';
		if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
			rc = -1;
			break;
		}
		*s = '/';
	}
	free(dir);
	return rc;
}

/* ---- usage errors and suggestions ---- */

const char *usage_cmd = NULL;
const char *usage_cmd_text = NULL;

void
usage_error(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "%s: ", argv0);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (usage_cmd)
		fprintf(stderr, "; see 'kiln help %s'\n", usage_cmd);
	else
		fprintf(stderr, "; see 'kiln help'\n");
	exit(2);
}

/* edit distance of a and b counting a swap of two neighbours as one edit (optimal string
 * alignment), or a large number when their lengths differ by more than 3 */
static size_t
distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j, d, *m;

	if ((la > lb ? la - lb : lb - la) > 3)
		return 99;
	m = xcalloc((la + 1) * (lb + 1), sizeof *m);
#define D(i, j) m[(i) * (lb + 1) + (j)]
	for (i = 0; i <= la; i++)
		D(i, 0) = i;
	for (j = 0; j <= lb; j++)
		D(0, j) = j;
	for (i = 1; i <= la; i++) {
		for (j = 1; j <= lb; j++) {
			size_t del = D(i - 1, j) + 1, ins = D(i, j - 1) + 1, sub = D(i - 1, j - 1) + (a[i - 1] != b[j - 1]);

			D(i, j) = del < ins ? del : ins;
			if (sub < D(i, j))
				D(i, j) = sub;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && D(i - 2, j - 2) + 1 < D(i, j))
				D(i, j) = D(i - 2, j - 2) + 1;
		}
	}
	d = D(la, lb);
#undef D
	free(m);
	return d;
}

const char *
did_you_mean(const char *word, const char *const *cand, size_t n)
{
	static char out[160];
	/* at most one edit in a short word, one per three letters in a longer one */
	size_t i, d, best = strlen(word) / 3, pick = n;

	if (best < 1)
		best = 1;
	for (i = 0; i < n; i++) {
		d = distance(word, cand[i]);
		/* a prefix is a good guess too: --all for --al, --json for --js */
		if (strlen(word) >= 3 && !strncmp(cand[i], word, strlen(word)))
			d = 1;
		if (d <= best && (pick == n || d < best)) {
			best = d;
			pick = i;
		}
	}
	if (pick == n)
		return "";
	snprintf(out, sizeof out, " (did you mean '%s'?)", cand[pick]);
	return out;
}

/* the options a usage text names: "--word" and "-x" tokens after a space, '[' or '|' */
static size_t
usage_options(const char *text, char ***out)
{
	const char *p;
	char **v = NULL;
	size_t n = 0, i, len;

	for (p = text; p && (p = strchr(p, '-')); p += len ? len : 1) {
		len = 0;
		if (p > text && !strchr(" [|(\n", p[-1]))
			continue;
		len = p[1] == '-' ? 2 : 1;
		while (p[len] && (p[len] == '-' || (p[len] >= 'a' && p[len] <= 'z') ||
		                  (p[len] >= 'A' && p[len] <= 'Z') || (p[len] >= '0' && p[len] <= '9')))
			len++;
		if (len < 2 || (p[1] == '-' && len < 4) || (p[1] != '-' && len != 2))
			continue;
		for (i = 0; i < n; i++)
			if (strlen(v[i]) == len && !strncmp(v[i], p, len))
				break;
		if (i < n)
			continue;
		v = xreallocarray(v, n + 1, sizeof *v);
		v[n++] = xstrndup(p, len);
	}
	*out = v;
	return n;
}

void
unknown_option(const char *arg)
{
	char **opts, *word = xstrdup(arg), *eq = strchr(word, '=');
	size_t n;

	if (eq)
		*eq = '\0';
	n = usage_options(usage_cmd_text, &opts);
	usage_error("unknown option '%s'%s", arg, did_you_mean(word, (const char *const *)opts, n));
}

void
unknown_subcommand(const char *word, const char *const *subs, size_t n)
{
	struct buf known = { 0 };
	const char *dym = did_you_mean(word, subs, n);
	size_t i;

	for (i = 0; i < n; i++)
		buf_printf(&known, "%s%s", i ? ", " : "", subs[i]);
	if (*dym)
		usage_error("unknown %s command '%s'%s", usage_cmd, word, dym);
	usage_error("unknown %s command '%s' (known: %s)", usage_cmd, word, known.s);
}
