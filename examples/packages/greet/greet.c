/* greet.c: an example package for the kiln demo (see greet.lua) */
#include "sys.h"

int greet_main(long *sp);

DEMO_START(greet_main, "");

int
greet_main(long *sp)
{
	static const char msg[] = "greetings from a one-file kiln package\n";

	(void)sp;
	return sys_write(1, msg, sizeof msg - 1) == (long)(sizeof msg - 1) ? 0 : 1;
}
