/* x86_64.c: the demo kernel's machine code for x86_64: COM1 serial output, a fixed
 * initfs address, and halting. Entering the bootstrap in ring 3 is implemented for
 * aarch64 only; this build proves the common code compiles for both architectures. */
#include "kernel.h"

#define COM1 0x3f8
#define INITFS_BASE 0x44000000ul  /* same placement as on aarch64 */
#define INITFS_AVAIL 0x04000000ul

const char arch_name[] = "x86_64";

static inline void
outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t
inb(uint16_t port)
{
	uint8_t v;

	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

void
arch_putc(int c)
{
	while (!(inb(COM1 + 5) & 0x20)) /* line status: transmit holding register empty */
		;
	outb(COM1, (uint8_t)c);
}

const char *
arch_check(void)
{
	return 0;
}

void
arch_initfs(const unsigned char **base, uint64_t *avail)
{
	*base = (const unsigned char *)INITFS_BASE;
	*avail = INITFS_AVAIL;
}

const char *
arch_run_bootstrap(const struct initfs *fs)
{
	(void)fs;
	return "user mode is implemented for aarch64 only";
}

void
arch_poweroff(void)
{
	for (;;)
		__asm__ volatile("cli; hlt");
}
