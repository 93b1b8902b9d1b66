/* init.c: the demo's /bin/init, a static non-PIE program with its own _start and no libc.
 * Like the Redox init it reads /etc/init.rc from the initfs and runs it line by line:
 *
 *     # comment            ignored, as are blank lines
 *     export PATH DIR      where commands are looked up (other variables are ignored)
 *     echo TEXT            prints TEXT
 *     NAME ARGS...         runs DIR/NAME with its arguments and waits for it
 *
 * Then it shows that the root filesystem is there: it prints /etc/motd and lists /usr/bin,
 * both read from RedoxFS through the kernel, and exits (the kernel then powers off). */
#include "sys.h"
#include "fmt.h"

#define RC_MAX 4096
#define WORDS 16

int init_main(long *sp);

DEMO_START(init_main, "");

static char path[128] = "/scheme/initfs/bin";
static int failures;

static void
put(const char *s)
{
	sys_write(1, s, fmt_len(s));
}

static void
putnum(const char *label, long v)
{
	char num[21];

	put(label);
	if (v < 0) {
		put("-");
		v = -v;
	}
	put(fmt_dec(num, (uint64_t)v));
}

static int
same(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

/* join DIR/NAME into buf (cap bytes); 0 if it does not fit */
static int
join(char *buf, unsigned long cap, const char *dir, const char *name)
{
	unsigned long a = fmt_len(dir), b = fmt_len(name), i;

	if (a + 1 + b + 1 > cap)
		return 0;
	for (i = 0; i < a; i++)
		buf[i] = dir[i];
	buf[a] = '/';
	for (i = 0; i <= b; i++)
		buf[a + 1 + i] = name[i];
	return 1;
}

/* run one line of init.rc (NUL-terminated, modified in place) */
static void
run_line(char *line)
{
	char *argv[WORDS + 1], file[256];
	int argc = 0;
	long status;

	while (*line && argc < WORDS) {
		while (*line == ' ' || *line == '\t')
			*line++ = 0;
		if (!*line || *line == '#')
			break;
		argv[argc++] = line;
		if (argc == 2 && same(argv[0], "echo"))
			break; /* echo takes the rest of the line */
		while (*line && *line != ' ' && *line != '\t')
			line++;
	}
	argv[argc] = 0;
	if (argc == 0)
		return;
	if (same(argv[0], "echo")) {
		put(argc > 1 ? argv[1] : "");
		put("\n");
	} else if (same(argv[0], "export")) {
		unsigned long i;

		if (argc == 3 && same(argv[1], "PATH") && fmt_len(argv[2]) < sizeof path) {
			for (i = 0; i <= fmt_len(argv[2]); i++)
				path[i] = argv[2][i];
		}
	} else if (!join(file, sizeof file, path, argv[0])) {
		put("init: error: command name too long\n");
		failures++;
	} else {
		put("init: running ");
		put(file);
		put("\n");
		status = sys_spawn(file, argv);
		if (status != 0) {
			put("init: error: ");
			put(argv[0]);
			putnum(status < 0 ? " could not be run: error " : " exited with status ", status < 0 ? -status : status);
			put("\n");
			failures++;
		}
	}
}

static void
run_rc(const char *rc)
{
	static char buf[RC_MAX + 1];
	long n = sys_readfile(rc, buf, RC_MAX), i, start = 0;

	if (n < 0) {
		put("init: error: cannot read ");
		put(rc);
		putnum(": error ", -n);
		put("\n");
		failures++;
		return;
	}
	putnum("init: running /etc/init.rc (", n);
	put(" bytes, from the initfs)\n");
	buf[n] = 0;
	for (i = 0; i <= n; i++) {
		if (buf[i] == '\n' || buf[i] == 0) {
			buf[i] = 0;
			run_line(buf + start);
			start = i + 1;
		}
	}
}

/* the root filesystem: /etc/motd and /usr/bin */
static void
show_root(void)
{
	static char buf[4097];
	long n, i, start = 0;

	n = sys_readfile("/etc/motd", buf, sizeof buf - 1);
	if (n < 0) {
		putnum("init: error: /etc/motd: cannot read it from the root filesystem: error ", -n);
		put("\n");
		failures++;
	} else {
		putnum("init: /etc/motd (", n);
		put(" bytes, from RedoxFS):\n");
		sys_write(1, buf, (unsigned long)n);
		if (n && buf[n - 1] != '\n')
			put("\n");
	}
	n = sys_listdir("/usr/bin", buf, sizeof buf - 1);
	if (n < 0) {
		putnum("init: error: /usr/bin: cannot list it on the root filesystem: error ", -n);
		put("\n");
		failures++;
		return;
	}
	put("init: /usr/bin (from RedoxFS):");
	for (i = 0; i < n; i++) {
		if (buf[i] == '\n') {
			buf[i] = 0;
			put(" ");
			put(buf + start);
			start = i + 1;
		}
	}
	put("\n");
}

int
init_main(long *sp)
{
	long argc = sp[0];

	putnum("init: kiln-demo init, argc ", argc);
	put("\n");
	run_rc("/scheme/initfs/etc/init.rc");
	show_root();
	putnum("init: done, ", failures);
	put(" failures\n");
	return failures ? 1 : 0;
}
