/* bootargs.h: what the demo bootloader hands the demo kernel, laid out as the Redox
 * bootloader's KernelArgs (redox-os/bootloader src/main.rs, kernel src/startup/mod.rs:
 * repr(C, packed(8)), twelve u64 in this order) and its memory areas (OsMemoryEntry).
 * Addresses are physical; the kernel reads them through PHYS_OFFSET. */
#ifndef DEMO_BOOTARGS_H
#define DEMO_BOOTARGS_H

#include <stdint.h>

/* where each architecture's Redox kernel is linked and where all RAM is mapped */
#if defined(__aarch64__)
#define KERNEL_BASE 0xFFFFFF0000000000ull /* L0 entry 510 (kernel linkers/aarch64.ld) */
#elif defined(__x86_64__)
#define KERNEL_BASE 0xFFFFFFFF80000000ull /* PML4 511, PDP 510 (kernel linkers/x86_64.ld) */
#endif
#define PHYS_OFFSET 0xFFFF800000000000ull /* physical address P is mapped at PHYS_OFFSET + P */
#define PHYS_MAPPED 0x200000000ull        /* the bootloader maps the first 8 GiB there */

struct kernel_args {
	uint64_t kernel_base;    /* physical address of the loaded kernel image */
	uint64_t kernel_size;    /* its size in bytes (whole pages) */
	uint64_t stack_base;     /* a stack for the kernel: physical base ... */
	uint64_t stack_size;     /* ... and size; entered with sp at PHYS_OFFSET + base + size */
	uint64_t env_base;       /* "NAME=VALUE\n" lines: REDOXFS_BLOCK, REDOXFS_UUID, ... */
	uint64_t env_size;       /* bytes of env */
	uint64_t hwdesc_base;    /* the device tree (aarch64) or ACPI RSDP (x86_64), or 0 */
	uint64_t hwdesc_size;    /* its size */
	uint64_t areas_base;     /* array of struct memory_area */
	uint64_t areas_size;     /* its size in bytes */
	uint64_t bootstrap_base; /* the initfs, page-aligned, its bootstrap at offset 0x1000 */
	uint64_t bootstrap_size; /* bytes, rounded up to whole pages */
};

enum { AREA_NULL = 0, AREA_FREE = 1, AREA_RECLAIM = 2, AREA_RESERVED = 3 };

struct memory_area {
	uint64_t base;           /* physical start */
	uint64_t size;           /* bytes */
	uint64_t kind;           /* AREA_FREE, AREA_RECLAIM or AREA_RESERVED */
};

#endif
