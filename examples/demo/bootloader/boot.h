/* boot.h: what the parts of the demo bootloader provide to each other */
#ifndef DEMO_BOOT_H
#define DEMO_BOOT_H

#include <stdint.h>
#include "bootargs.h"
#include "efi.h"
#include "redoxfs.h"

/* main.c */
extern EFI_SYSTEM_TABLE *ST;                 /* the firmware's system table */
void print(const char *s);                   /* write ASCII to the firmware console */
void printn(const char *label, uint64_t v, int hex); /* label, then v (hex: 0x...) */
/* "bootloader: error: WHAT: WHY", then power off through the firmware; never returns */
void fail(const char *what, const char *why) __attribute__((noreturn));
void *alloc_pages(uint64_t bytes);           /* zeroed, page-aligned, fails on error */

/* disk.c: the RedoxFS partition of the disk the bootloader was loaded from */
struct boot_disk {
	EFI_BLOCK_IO *io;        /* the whole disk's block I/O */
	uint64_t start;          /* first byte of the RedoxFS partition */
	uint64_t bytes;          /* its length */
	unsigned number;         /* its GPT entry number, from 1 */
};
void find_redoxfs(EFI_HANDLE image, struct boot_disk *d);
rfs_read_fn disk_read;       /* reads the partition: ctx is a struct boot_disk */

/* aarch64.c or x86_64.c */
extern const char arch_name[];
/* page tables: the first 8 GiB identity-mapped and at PHYS_OFFSET, the kernel image
 * (kernel_size bytes at physical kernel_phys) at KERNEL_BASE; returns the root table */
uint64_t arch_paging(uint64_t kernel_phys, uint64_t kernel_size);
/* the hardware description for KernelArgs: device tree or ACPI RSDP */
void arch_hwdesc(uint64_t *base, uint64_t *size, const char **env_name);
/* with boot services gone: install the page tables, set the stack, and call the kernel's
 * entry with the KernelArgs pointer as the first argument, as the Redox bootloader does */
void arch_enter(uint64_t root, uint64_t stack_top, uint64_t entry, const struct kernel_args *args)
    __attribute__((noreturn));

#endif
