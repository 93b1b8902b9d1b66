/* aarch64.c: the demo kernel's machine code for QEMU -M virt: the PL011 UART, its own page
 * tables (TTBR1: the first 8 GiB at PHYS_OFFSET, the kernel image at KERNEL_BASE; TTBR0: the
 * running program), EL0 programs, system calls (svc), faults, the virtio-mmio transports,
 * and PSCI SYSTEM_OFF through hvc (QEMU exits). Devices are reached at PHYS_OFFSET + their
 * physical address, which every Redox bootloader maps. */
#include "kernel.h"

#define UART (PHYS_OFFSET + 0x09000000ull)   /* PL011 on -M virt */
#define UART_FR_TXFF (1u << 5)
#define VIRTIO_MMIO 0x0a000000ull            /* 32 transports of 0x200 bytes */
#define PSCI_SYSTEM_OFF 0x84000008ul

/* descriptor bits (Arm ARM D8.3); MAIR as the Redox bootloader sets it */
#define D_BLOCK 1ull
#define D_TABLE 3ull              /* a table (levels 0-2) or a page (level 3) */
#define D_NORMAL (0ull << 2)      /* MAIR attribute 0: normal write-back */
#define D_DEVICE (2ull << 2)      /* MAIR attribute 2: device nGnRnE */
#define D_USER (1ull << 6)        /* AP: EL0 and EL1 read-write */
#define D_INNER (3ull << 8)
#define D_AF (1ull << 10)
#define D_PXN (1ull << 53)
#define D_UXN (1ull << 54)
#define D_ADDR 0x0000FFFFFFFFF000ull
#define MAIR 0x44FFull
#define KERNEL_L3 2               /* the kernel image may use up to 4 MiB */

const char arch_name[] = "aarch64";

struct frame {
	uint64_t x[31];
	uint64_t elr, spsr, sp;
};
const unsigned long arch_frame_size = sizeof(struct frame);

void demo_trap(struct frame *f, uint64_t index);
void demo_return(struct frame *f) __attribute__((noreturn));
extern char trap_stack[];                  /* aarch64.S: the stack exceptions run on */
#define TRAP_STACK 16384

static uint64_t k_l0[512] __attribute__((aligned(4096)));     /* TTBR1 root */
static uint64_t k_phys[512] __attribute__((aligned(4096)));   /* 1 GiB blocks at PHYS_OFFSET */
static uint64_t k_l1[512] __attribute__((aligned(4096)));     /* the kernel image */
static uint64_t k_l2[512] __attribute__((aligned(4096)));
static uint64_t k_l3[KERNEL_L3][512] __attribute__((aligned(4096)));

#define SYSREG_READ(name, v) __asm__ volatile("mrs %0, " #name : "=r"(v))
#define SYSREG_WRITE(name, v) __asm__ volatile("msr " #name ", %0" : : "r"((uint64_t)(v)))

void
arch_putc(int c)
{
	volatile uint32_t *fr = (volatile uint32_t *)(UART + 0x18);
	volatile uint32_t *dr = (volatile uint32_t *)UART;

	while (*fr & UART_FR_TXFF)
		;
	*dr = (uint32_t)(unsigned char)c;
}

void
arch_barrier(void)
{
	__asm__ volatile("dsb sy" : : : "memory");
}

void
arch_poweroff(void)
{
	static int tried;

	if (!tried) {
		register uint64_t x0 __asm__("x0") = PSCI_SYSTEM_OFF;

		tried = 1; /* if hvc traps (no PSCI), the fault handler lands here again */
		__asm__ volatile("hvc #0" : "+r"(x0) : : "memory");
	}
	for (;;)
		__asm__ volatile("wfi");
}

void
arch_init(void)
{
	uint64_t el;

	SYSREG_READ(CurrentEL, el);
	if ((el >> 2 & 3) != 1)
		panic("cpu", "not entered at EL1 (run QEMU -M virt without virtualization=on or secure=on)");
}

/* drop every cached translation, after a table change */
static void
flush_tlb(void)
{
	__asm__ volatile("dsb ish\n\ttlbi vmalle1\n\tdsb ish\n\tisb" : : : "memory");
}

void
arch_mmu(void)
{
	uint64_t off, i;

	if (kargs.kernel_size > KERNEL_L3 * (2ull << 20))
		panic("kernel", "image larger than the 4 MiB the kernel maps for itself");
	for (i = 0; i < 8; i++)
		k_phys[i] = i << 30 | D_BLOCK | (i ? D_NORMAL | D_INNER : D_DEVICE) | D_AF | D_UXN | D_PXN;
	k_l0[256] = dma(k_phys) | D_TABLE;
	k_l0[510] = dma(k_l1) | D_TABLE;
	k_l1[0] = dma(k_l2) | D_TABLE;
	for (i = 0; i < KERNEL_L3; i++)
		k_l2[i] = dma(k_l3[i]) | D_TABLE;
	for (off = 0; off < kargs.kernel_size; off += PAGE)
		k_l3[off >> 21][off >> 12 & 511] = (kargs.kernel_base + off) | D_TABLE | D_NORMAL |
		    D_INNER | D_AF | D_UXN;
	SYSREG_WRITE(mair_el1, MAIR);
	arch_barrier();
	SYSREG_WRITE(ttbr1_el1, dma(k_l0));
	flush_tlb();
}

/* ---- user address spaces: L0 -> L1 -> L2 -> L3 below USER_TOP ------------------------------- */

uint64_t
arch_space(void)
{
	return page_alloc();
}

/* the entry for va at each level, allocating missing tables if alloc */
static uint64_t *
pte(uint64_t root, uint64_t va, int alloc)
{
	uint64_t *t = phys(root);
	int shift;

	for (shift = 39; shift > 12; shift -= 9) {
		uint64_t *e = &t[va >> shift & 511];

		if (!(*e & 1)) {
			if (!alloc)
				return 0;
			*e = page_alloc() | D_TABLE;
		}
		t = phys(*e & D_ADDR);
	}
	return &t[va >> 12 & 511];
}

void
arch_map(uint64_t space, uint64_t va, uint64_t pa)
{
	*pte(space, va, 1) = pa | D_TABLE | D_NORMAL | D_USER | D_INNER | D_AF | D_PXN;
}

uint64_t
arch_translate(uint64_t space, uint64_t va)
{
	uint64_t *e = pte(space, va, 0);

	return e && (*e & 1) ? (*e & D_ADDR) | (va & (PAGE - 1)) : ~0ull;
}

void
arch_switch(uint64_t space)
{
	arch_barrier();
	SYSREG_WRITE(ttbr0_el1, space);
	flush_tlb();
}

/* ---- user mode ---------------------------------------------------------------------------------- */

struct frame *
arch_first_frame(void)
{
	return (struct frame *)(trap_stack + TRAP_STACK - sizeof(struct frame));
}

void
arch_frame(struct frame *f, uint64_t pc, uint64_t sp, uint64_t a0, uint64_t a1)
{
	unsigned i;

	for (i = 0; i < 31; i++)
		f->x[i] = 0;
	f->x[0] = a0;
	f->x[1] = a1;
	f->elr = pc;
	f->sp = sp;
	f->spsr = 0x3c0; /* EL0t, D A I F masked: the kernel takes no interrupts */
}

void
arch_frame_ret(struct frame *f, uint64_t v)
{
	f->x[0] = v;
}

void
arch_enter(struct frame *f)
{
	demo_return(f);
}

static void __attribute__((noreturn))
fault(const char *who, const char *what, const struct frame *f, uint64_t index)
{
	uint64_t esr, far;

	SYSREG_READ(esr_el1, esr);
	SYSREG_READ(far_el1, far);
	kputs("kiln-demo: error: ");
	kputs(who);
	kputs(what);
	kputn(": exception ", index, 0);
	kputn(", ESR_EL1 ", esr, 1);
	kputn(" (EC ", esr >> 26, 1);
	kputn("), ELR_EL1 ", f->elr, 1);
	kputn(", FAR_EL1 ", far, 1);
	kputs("\n");
	arch_poweroff();
}

void
demo_trap(struct frame *f, uint64_t index)
{
	uint64_t esr;

	/* vectors 8..11 come from EL0 in AArch64 state; 8 is synchronous */
	SYSREG_READ(esr_el1, esr);
	if (index == 8 && esr >> 26 == 0x15) {
		syscall(f, f->x[8], f->x[0], f->x[1], f->x[2]);
		return;
	}
	if (index >= 8)
		fault(proc_name(), " crashed (not an SVC exception)", f, index);
	fault("kernel", " exception", f, index);
}

/* ---- virtio-mmio ------------------------------------------------------------------------------- */

static volatile unsigned char *vio_base;

/* virtio-mmio registers are all 32 bits wide, whatever the PCI layout's width */
static uint32_t
mmio_rd(unsigned reg, unsigned size)
{
	(void)size;
	return *(volatile uint32_t *)(vio_base + reg);
}

static void
mmio_wr(unsigned reg, unsigned size, uint32_t v)
{
	(void)size;
	*(volatile uint32_t *)(vio_base + reg) = v;
}

static const struct vio_ops mmio_ops = { mmio_rd, mmio_wr, 1 };

const char *
arch_virtio(const struct vio_ops **ops)
{
	unsigned i;

	for (i = 0; i < 32; i++) {
		volatile uint32_t *r = phys(VIRTIO_MMIO + 0x200ull * i);

		if (r[0] != 0x74726976 || r[2] != 2) /* "virt", device id 2: block */
			continue;
		if (r[1] != 1)
			return "the virtio-mmio disk is not the legacy version 1 (QEMU's default)";
		vio_base = (volatile unsigned char *)r;
		*ops = &mmio_ops;
		return 0;
	}
	return "no virtio-blk device on the virtio-mmio transports (QEMU: -device virtio-blk-device)";
}
