/* hello.c: the demo's /bin/hello, a static non-PIE program with its own _start and no libc.
 * init.rc starts it; under qemu-aarch64 (user mode) it prints one line and exits 0. */
#include "sys.h"

int hello_main(long *sp);

DEMO_START(hello_main, "");

int
hello_main(long *sp)
{
	static const char msg[] = "hello from kiln-demo\n";

	(void)sp;
	return sys_write(1, msg, sizeof msg - 1) == (long)(sizeof msg - 1) ? 0 : 1;
}
