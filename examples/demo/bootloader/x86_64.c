/* x86_64.c: the bootloader's x86_64 part, following the Redox bootloader (src/arch/x86/x64.rs,
 * src/os/uefi/arch/x86_64.rs): PML4 entries 0 and 256 identity-map and PHYS_OFFSET-map the
 * first 8 GiB with 2 MiB pages; PML4 entry 511, PDP entry 510 map the kernel image at
 * KERNEL_BASE (0xFFFFFFFF80000000) with 4 KiB pages. The kernel is entered in long mode
 * with these tables in CR3, rdi = &KernelArgs (System V) and rsp at the top of the
 * KernelArgs stack. */
#include "boot.h"

#define P 1ull
#define W 2ull
#define PS (1ull << 7)  /* a 2 MiB page */

const char arch_name[] = "x86_64";

/* a zeroed page for a page table */
static uint64_t *
table(void)
{
	return alloc_pages(4096);
}

uint64_t
arch_paging(uint64_t kernel_phys, uint64_t kernel_size)
{
	uint64_t *pml4 = table(), *pdp = table(), *kpdp = table(), *kpd = table(), *pt = 0, off;
	unsigned i, j;

	pml4[0] = pml4[256] = (uint64_t)pdp | W | P;
	for (i = 0; i < 8; i++) {
		uint64_t *pd = table();

		pdp[i] = (uint64_t)pd | W | P;
		for (j = 0; j < 512; j++)
			pd[j] = ((uint64_t)i << 30 | (uint64_t)j << 21) | PS | W | P;
	}
	pml4[511] = (uint64_t)kpdp | W | P;
	kpdp[510] = (uint64_t)kpd | W | P;
	for (off = 0; off < kernel_size && off < (1ull << 30); off += 4096) {
		if (off % (1ull << 21) == 0)
			kpd[off >> 21] = (uint64_t)(pt = table()) | W | P;
		pt[off >> 12 & 511] = (kernel_phys + off) | W | P;
	}
	return (uint64_t)pml4;
}

void
arch_hwdesc(uint64_t *base, uint64_t *size, const char **env_name)
{
	static const EFI_GUID acpi = EFI_ACPI_20_TABLE_GUID;
	const unsigned char *g = (const unsigned char *)&acpi, *p;
	UINTN i;
	unsigned k;

	for (i = 0; i < ST->NumberOfTableEntries; i++) {
		const unsigned char *v = (const unsigned char *)&ST->ConfigurationTable[i].VendorGuid;

		for (k = 0; k < 16 && v[k] == g[k]; k++)
			;
		if (k < 16)
			continue;
		p = ST->ConfigurationTable[i].VendorTable;
		*base = (uint64_t)p;
		*size = p[15] >= 2 ? (uint64_t)p[20] | p[21] << 8 | p[22] << 16 | (uint64_t)p[23] << 24 : 20;
		*env_name = "RSDP";
		printn("bootloader: ACPI RSDP at ", *base, 1);
		printn(", ", *size, 0);
		print(" bytes\n");
		return;
	}
	*base = *size = 0; /* allowed on x86: the kernel may search for it */
	*env_name = 0;
}

void
arch_enter(uint64_t root, uint64_t stack_top, uint64_t entry, const struct kernel_args *a)
{
	__asm__ volatile(
	    "cli\n\t"
	    "mov $0xC0000080, %%ecx\n\t"      /* EFER: NXE, as the Redox bootloader sets it */
	    "rdmsr\n\t"
	    "or $0x800, %%eax\n\t"
	    "wrmsr\n\t"
	    "mov %[root], %%cr3\n\t"
	    "mov %%cr0, %%rax\n\t"
	    "or $0x10000, %%rax\n\t"           /* WP */
	    "mov %%rax, %%cr0\n\t"
	    "mov %[sp], %%rsp\n\t"
	    "mov %[args], %%rdi\n\t"
	    "call *%[entry]\n\t"
	    "ud2"
	    : : [root] "r"(root), [sp] "r"(stack_top), [args] "r"(a), [entry] "r"(entry)
	    : "rax", "rcx", "rdx", "rdi", "memory");
	__builtin_unreachable();
}
