/* kernel.h: what the demo kernel's common code (main.c) and its architecture code
 * (aarch64.c, x86_64.c) provide to each other */
#ifndef DEMO_KERNEL_H
#define DEMO_KERNEL_H

#include <stdint.h>
#include "initfs.h"

/* main.c */
void kmain(void);                                  /* entered from _start with a stack */
void kputs(const char *s);                         /* write a string to the console */
void kputn(const char *label, uint64_t v, int hex);/* write label then v (hex: 0x...) */
void kput_bytes(const unsigned char *p, uint64_t n); /* write n raw bytes */
/* called by the architecture code when the bootstrap exits; prints the end marker */
void kernel_bootstrap_exited(long status) __attribute__((noreturn));

/* aarch64.c or x86_64.c */
extern const char arch_name[];                     /* "aarch64" or "x86_64" */
void arch_putc(int c);                             /* write one byte to the serial port */
const char *arch_check(void);                      /* NULL, or why this CPU state cannot run */
/* where the loader placed the initfs and how many bytes may be read there */
void arch_initfs(const unsigned char **base, uint64_t *avail);
/* map the initfs at virtual 0x1000 and enter the bootstrap at fs->entry in user mode;
 * returns only if that cannot be done, with the reason */
const char *arch_run_bootstrap(const struct initfs *fs);
void arch_poweroff(void) __attribute__((noreturn)); /* stop the machine (QEMU exits) */

#endif
