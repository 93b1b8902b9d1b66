/* aarch64.c: the bootloader's aarch64 part, following the Redox bootloader
 * (src/arch/aarch64.rs, src/os/uefi/arch/aarch64.rs): 4-level tables with 4 KiB pages,
 * TTBR0 and TTBR1 both set to one root; L0 entries 0 and 256 identity-map and
 * PHYS_OFFSET-map the first 8 GiB with 1 GiB blocks; L0 entry 510 maps the kernel image at
 * KERNEL_BASE with 4 KiB pages. MAIR as Redox's: attribute 0 normal write-back, 1 normal
 * non-cacheable, 2 device. The kernel is entered at EL1 with the MMU on, x0 = &KernelArgs
 * and sp at the top of the KernelArgs stack. */
#include "boot.h"

#define D_VALID 1ull
#define D_TABLE 3ull            /* table (levels 0-2) or page (level 3) descriptor */
#define D_NORMAL (0ull << 2)    /* MAIR attribute 0 */
#define D_DEVICE (2ull << 2)    /* MAIR attribute 2 */
#define D_INNER (3ull << 8)
#define D_OUTER (2ull << 8)
#define D_AF (1ull << 10)
#define MAIR 0x44FFull

const char arch_name[] = "aarch64";

/* a zeroed page for a page table */
static uint64_t *
table(void)
{
	return alloc_pages(4096);
}

uint64_t
arch_paging(uint64_t kernel_phys, uint64_t kernel_size)
{
	uint64_t *l0 = table(), *l1 = table(), *k1 = table(), *k2 = 0, *k3 = 0, off;
	unsigned i;

	l0[0] = l0[256] = (uint64_t)l1 | D_TABLE | D_AF;
	/* the first GiB holds the devices of QEMU virt, RAM starts at 1 GiB */
	l1[0] = D_VALID | D_DEVICE | D_OUTER | D_AF;
	for (i = 1; i < 8; i++)
		l1[i] = (uint64_t)i << 30 | D_VALID | D_NORMAL | D_INNER | D_AF;
	l0[510] = (uint64_t)k1 | D_TABLE | D_AF;
	for (off = 0; off < kernel_size; off += 4096) {
		if (off % (1ull << 30) == 0)
			k1[off >> 30] = (uint64_t)(k2 = table()) | D_TABLE | D_AF;
		if (off % (1ull << 21) == 0)
			k2[off >> 21 & 511] = (uint64_t)(k3 = table()) | D_TABLE | D_AF;
		k3[off >> 12 & 511] = (kernel_phys + off) | D_TABLE | D_NORMAL | D_INNER | D_AF;
	}
	return (uint64_t)l0;
}

/* the configuration table the firmware installed under guid, or NULL */
static const unsigned char *
config_table(const EFI_GUID *guid)
{
	const unsigned char *g = (const unsigned char *)guid;
	UINTN i;
	unsigned k;

	for (i = 0; i < ST->NumberOfTableEntries; i++) {
		const unsigned char *v = (const unsigned char *)&ST->ConfigurationTable[i].VendorGuid;

		for (k = 0; k < 16 && v[k] == g[k]; k++)
			;
		if (k == 16)
			return ST->ConfigurationTable[i].VendorTable;
	}
	return 0;
}

/* the device tree if the firmware passes one, else the ACPI RSDP (QEMU virt with ACPI on,
 * its default, makes the firmware hide the device tree), as the Redox bootloader does */
void
arch_hwdesc(uint64_t *base, uint64_t *size, const char **env_name)
{
	static const EFI_GUID dtb = EFI_DTB_TABLE_GUID, acpi = EFI_ACPI_20_TABLE_GUID;
	const unsigned char *p;

	if ((p = config_table(&dtb))) {
		*size = (uint64_t)p[4] << 24 | p[5] << 16 | p[6] << 8 | p[7]; /* totalsize, BE */
		*env_name = "DTB";
	} else if ((p = config_table(&acpi))) {
		*size = (uint64_t)p[20] | p[21] << 8 | p[22] << 16 | (uint64_t)p[23] << 24;
		*env_name = "RSDP";
	} else {
		fail("hardware description", "the firmware passed neither a device tree nor ACPI tables");
	}
	*base = (uint64_t)p;
	print("bootloader: ");
	print(*env_name);
	printn(" at ", *base, 1);
	printn(", ", *size, 0);
	print(" bytes\n");
}

void
arch_enter(uint64_t root, uint64_t stack_top, uint64_t entry, const struct kernel_args *a)
{
	uint64_t el, tcr, mmfr0, p, end = a->kernel_base + a->kernel_size;

	__asm__ volatile("mrs %0, CurrentEL" : "=r"(el));
	for (;;) {
		if ((el >> 2 & 3) == 1)
			break; /* EL2 or EL3 would need a drop to EL1 first: QEMU virt starts at EL1 */
		__asm__ volatile("wfi");
	}
	/* the kernel was written through the data cache: make it visible to instruction fetch */
	for (p = a->kernel_base; p < end; p += 64)
		__asm__ volatile("dc cvau, %0" : : "r"(p) : "memory");
	__asm__ volatile("dsb ish\n\tic iallu\n\tdsb ish\n\tisb" : : : "memory");
	__asm__ volatile("mrs %0, id_aa64mmfr0_el1" : "=r"(mmfr0));
	tcr = 16ull                          /* T0SZ: 48-bit lower half */
	    | 1ull << 8 | 1ull << 10 | 3ull << 12 /* TTBR0 walks: write-back, inner shareable */
	    | 16ull << 16                    /* T1SZ: 48-bit upper half */
	    | 1ull << 24 | 1ull << 26 | 3ull << 28 /* TTBR1 walks likewise */
	    | 2ull << 30                     /* TG1: 4 KiB granule (TG0 0 is 4 KiB too) */
	    | (mmfr0 & 7) << 32;             /* IPS: the physical address size of this CPU */
	__asm__ volatile(
	    "msr daifset, #0xf\n\t"
	    "mrs x9, sctlr_el1\n\t"
	    "bic x9, x9, #1\n\t"             /* MMU off while the translation regime changes */
	    "msr sctlr_el1, x9\n\t"
	    "isb\n\t"
	    "msr mair_el1, %[mair]\n\t"
	    "msr tcr_el1, %[tcr]\n\t"
	    "msr ttbr0_el1, %[root]\n\t"
	    "msr ttbr1_el1, %[root]\n\t"
	    "dsb ish\n\t"
	    "tlbi vmalle1\n\t"
	    "dsb ish\n\t"
	    "isb\n\t"
	    "mrs x9, sctlr_el1\n\t"
	    "orr x9, x9, #1\n\t"             /* M */
	    "orr x9, x9, #(1 << 2)\n\t"      /* C */
	    "orr x9, x9, #(1 << 12)\n\t"     /* I */
	    "bic x9, x9, #(1 << 1)\n\t"      /* A: no alignment faults */
	    "bic x9, x9, #(1 << 19)\n\t"     /* WXN */
	    "msr sctlr_el1, x9\n\t"
	    "isb\n\t"
	    "mov sp, %[sp]\n\t"
	    "mov x0, %[args]\n\t"
	    "mov x30, xzr\n\t"
	    "br %[entry]"
	    : : [mair] "r"(MAIR), [tcr] "r"(tcr), [root] "r"(root), [sp] "r"(stack_top),
	      [args] "r"(a), [entry] "r"(entry)
	    : "x0", "x9", "memory");
	__builtin_unreachable();
}
