/* init.c: the demo's /bin/init, a static non-PIE program with its own _start and no libc.
 * The real Redox init runs /etc/init.rc; this one only names itself and its arguments
 * (argc and argv come from the initial stack) and exits 0. */
#include "sys.h"
#include "fmt.h"

int init_main(long *sp);

DEMO_START(init_main, "");

static void
put(const char *s)
{
	sys_write(1, s, fmt_len(s));
}

int
init_main(long *sp)
{
	char num[21];
	long argc = sp[0], i;
	char **argv = (char **)(sp + 1);

	put("init: kiln-demo init, argc ");
	put(fmt_dec(num, (uint64_t)argc));
	put("\n");
	for (i = 1; i < argc; i++) {
		put("init: would run ");
		put(argv[i]);
		put("\n");
	}
	put("init: nothing else to do\n");
	return 0;
}
