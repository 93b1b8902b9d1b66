/* kernel.h: what the parts of the demo kernel provide to each other. main.c boots (KernelArgs,
 * memory, initfs, root filesystem), proc.c runs programs and serves system calls, virtio.c
 * drives the disk; aarch64.c and x86_64.c (with their .S files) are the machine. */
#ifndef DEMO_KERNEL_H
#define DEMO_KERNEL_H

#include <stdint.h>
#include "bootargs.h"
#include "initfs.h"
#include "redoxfs.h"

#define PAGE 4096ull
#define USER_TOP 0x40000000ull          /* user programs live below 1 GiB */
#define USER_STACK (64 * 1024ull)        /* bytes of stack below USER_TOP */
#define INITFS_VADDR 0x1000ull           /* where the bootstrap sees the initfs */

/* main.c */
extern struct kernel_args kargs;         /* the bootloader's KernelArgs, copied */
extern struct initfs initfs;             /* the initfs, checked */
extern struct rfs *rootfs;               /* the root filesystem, or NULL */
void kmain(const struct kernel_args *args) __attribute__((noreturn));
void kputs(const char *s);
void kputn(const char *label, uint64_t v, int hex);
void kput_bytes(const unsigned char *p, uint64_t n);
/* "kiln-demo: error: WHAT: WHY", then power off */
void panic(const char *what, const char *why) __attribute__((noreturn));
void *phys(uint64_t pa);                 /* physical address -> kernel pointer */
uint64_t dma(const void *p);             /* kernel pointer -> physical address */
uint64_t page_alloc(void);               /* a zeroed page from the pool: its physical address */
uint64_t pool_mark(void);                /* the pool's level, to give back to later */
void pool_release(uint64_t mark);        /* free every page allocated since mark */

/* proc.c */
void proc_start(void) __attribute__((noreturn)); /* run the bootstrap */
struct frame;
/* a system call from user mode: nr and arguments; sets the result or switches programs */
void syscall(struct frame *f, uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2);
const char *proc_name(void);             /* the running program, for fault messages */

/* virtio.c: the virtio-blk disk (legacy interface, polled) */
struct vio_ops {
	uint32_t (*rd)(unsigned reg, unsigned size);          /* read a register */
	void (*wr)(unsigned reg, unsigned size, uint32_t v);  /* write one */
	int mmio;                                             /* virtio-mmio, not PCI */
};
const char *vblk_init(void);
const char *vblk_read(uint64_t off, unsigned char *buf, uint64_t len); /* bytes, 512-aligned */
uint64_t vblk_bytes(void);               /* capacity */

/* aarch64.c or x86_64.c */
extern const char arch_name[];
extern const unsigned long arch_frame_size;          /* bytes of a struct frame */
void arch_putc(int c);
void arch_init(void);                    /* exceptions, system calls */
void arch_mmu(void);                     /* switch to the kernel's own page tables */
const char *arch_virtio(const struct vio_ops **ops); /* find the virtio-blk device */
void arch_barrier(void);                 /* order memory accesses against the device */
uint64_t arch_space(void);               /* a new, empty user address space */
void arch_map(uint64_t space, uint64_t va, uint64_t pa); /* map a user page, read-write-exec */
uint64_t arch_translate(uint64_t space, uint64_t va);   /* physical address, or ~0 */
void arch_switch(uint64_t space);        /* make space the current user address space */
/* make f enter pc with stack sp and arguments a0, a1 when it returns to user mode */
void arch_frame(struct frame *f, uint64_t pc, uint64_t sp, uint64_t a0, uint64_t a1);
void arch_frame_ret(struct frame *f, uint64_t v);   /* the value a system call returns */
void arch_enter(struct frame *f) __attribute__((noreturn)); /* leave for user mode */
struct frame *arch_first_frame(void);    /* where the first user frame is built */
void arch_poweroff(void) __attribute__((noreturn));

#endif
