/* x86_64.c: the demo kernel's machine code for QEMU q35: COM1, its own GDT (with user
 * segments and a TSS), IDT and page tables (PML4 entry 256: the first 8 GiB at PHYS_OFFSET;
 * 511: the kernel image at KERNEL_BASE; 0: the running program), ring-3 programs entered
 * and resumed with sysret, system calls through syscall, the legacy virtio-blk PCI device,
 * and ACPI power-off through the PM1a control port QEMU's q35 firmware sets up. */
#include "kernel.h"

#define COM1 0x3f8
#define PM1A_CNT 0x604            /* OVMF's ICH9 PMBASE 0x600 + 4 */
#define SLP_EN 0x2000             /* with SLP_TYP 0: S5, off */
#define P 1ull
#define W 2ull
#define U 4ull
#define PS (1ull << 7)
#define ADDR 0x000FFFFFFFFFF000ull
#define KERNEL_PT 2               /* the kernel image may use up to 4 MiB */
#define MSR_EFER 0xC0000080
#define MSR_STAR 0xC0000081
#define MSR_LSTAR 0xC0000082
#define MSR_FMASK 0xC0000084
#define SEL_KCODE 0x08
#define SEL_KDATA 0x10
#define SEL_TSS 0x28

const char arch_name[] = "x86_64";

/* what syscall_entry pushes (x86_64.S), lowest address first */
struct frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8, rbp, rdi, rsi, rdx, rcx, rbx, rax, rsp;
};
const unsigned long arch_frame_size = sizeof(struct frame);

/* what an exception stub leaves on the stack */
struct fault {
	uint64_t vector, error, rip, cs, rflags, rsp, ss;
};

struct tss {
	uint32_t reserved0;
	uint64_t rsp0, rsp1, rsp2, reserved1, ist[7], reserved2;
	uint16_t reserved3, iomap;
} __attribute__((packed));

void syscall_entry(void);
void x86_return(struct frame *f) __attribute__((noreturn));
void x86_syscall(struct frame *f);
void x86_fault(const struct fault *f) __attribute__((noreturn));
extern void (*const exc_stubs[32])(void);
extern char fault_stack_top[];

static uint64_t pml4[512] __attribute__((aligned(4096)));
static uint64_t phys_pdpt[512] __attribute__((aligned(4096)));
static uint64_t phys_pd[8][512] __attribute__((aligned(4096)));   /* 2 MiB pages, 8 GiB */
static uint64_t k_pdpt[512] __attribute__((aligned(4096)));
static uint64_t k_pd[512] __attribute__((aligned(4096)));
static uint64_t k_pt[KERNEL_PT][512] __attribute__((aligned(4096)));
static struct tss tss;
static uint64_t gdt[7] = {
	0,
	0x00209A0000000000ull,    /* 0x08 kernel code, 64-bit */
	0x0000920000000000ull,    /* 0x10 kernel data */
	0x0000F20000000000ull,    /* 0x18 user data (sysret: STAR base + 8) */
	0x0020FA0000000000ull,    /* 0x20 user code, 64-bit (STAR base + 16) */
	0, 0,                     /* 0x28 the TSS, filled in at boot */
};
static uint64_t idt[64];          /* 32 gates of 16 bytes */
static struct frame first;

static inline void outb(uint16_t port, uint8_t v) { __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port)); }
static inline void outw(uint16_t port, uint16_t v) { __asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port)); }
static inline void outl(uint16_t port, uint32_t v) { __asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port)); }
static inline uint8_t inb(uint16_t port) { uint8_t v; __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline uint16_t inw(uint16_t port) { uint16_t v; __asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline uint32_t inl(uint16_t port) { uint32_t v; __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port)); return v; }

static uint64_t
rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return (uint64_t)hi << 32 | lo;
}

static void
wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

void
arch_putc(int c)
{
	while (!(inb(COM1 + 5) & 0x20)) /* line status: transmit holding register empty */
		;
	outb(COM1, (uint8_t)c);
}

void
arch_barrier(void)
{
	__asm__ volatile("mfence" : : : "memory");
}

void
arch_poweroff(void)
{
	outw(PM1A_CNT, SLP_EN);
	for (;;)
		__asm__ volatile("cli; hlt");
}

/* ---- descriptor tables and system calls ------------------------------------------------------ */

static void
load_tables(void)
{
	struct { uint16_t limit; uint64_t base; } __attribute__((packed)) gdtr, idtr;
	uint64_t t = (uint64_t)(uintptr_t)&tss;
	unsigned i;

	tss.rsp0 = (uint64_t)(uintptr_t)fault_stack_top; /* faults from ring 3 land here */
	tss.iomap = sizeof tss;
	gdt[5] = (sizeof tss - 1) | (t & 0xFFFFFF) << 16 | 0x89ull << 40 | (t >> 24 & 0xFF) << 56;
	gdt[6] = t >> 32;
	for (i = 0; i < 32; i++) {
		uint64_t h = (uint64_t)(uintptr_t)exc_stubs[i];

		idt[2 * i] = (h & 0xFFFF) | (uint64_t)SEL_KCODE << 16 | 0x8Eull << 40 | (h >> 16 & 0xFFFF) << 48;
		idt[2 * i + 1] = h >> 32;
	}
	gdtr.limit = sizeof gdt - 1;
	gdtr.base = (uint64_t)(uintptr_t)gdt;
	idtr.limit = sizeof idt - 1;
	idtr.base = (uint64_t)(uintptr_t)idt;
	__asm__ volatile(
	    "lgdt %0\n\t"
	    "lidt %1\n\t"
	    "pushq %2\n\t"
	    "lea 1f(%%rip), %%rax\n\t"
	    "pushq %%rax\n\t"
	    "lretq\n"
	    "1:\n\t"
	    "mov %3, %%ax\n\t"
	    "mov %%ax, %%ds\n\t"
	    "mov %%ax, %%es\n\t"
	    "mov %%ax, %%ss\n\t"
	    "xor %%eax, %%eax\n\t"
	    "mov %%ax, %%fs\n\t"
	    "mov %%ax, %%gs\n\t"
	    "mov %4, %%ax\n\t"
	    "ltr %%ax"
	    : : "m"(gdtr), "m"(idtr), "i"(SEL_KCODE), "i"(SEL_KDATA), "i"(SEL_TSS) : "rax", "memory");
}

void
arch_init(void)
{
	load_tables();
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | 1 | 1 << 11); /* SCE: syscall; NXE */
	wrmsr(MSR_STAR, (uint64_t)SEL_KDATA << 48 | (uint64_t)SEL_KCODE << 32);
	wrmsr(MSR_LSTAR, (uint64_t)(uintptr_t)syscall_entry);
	wrmsr(MSR_FMASK, 0x40700); /* clear IF, TF, DF, AC on entry */
}

void
arch_mmu(void)
{
	uint64_t off, i, j;

	if (kargs.kernel_size > KERNEL_PT * (2ull << 20))
		panic("kernel", "image larger than the 4 MiB the kernel maps for itself");
	for (i = 0; i < 8; i++) {
		phys_pdpt[i] = dma(phys_pd[i]) | P | W;
		for (j = 0; j < 512; j++)
			phys_pd[i][j] = (i << 30 | j << 21) | PS | P | W;
	}
	pml4[256] = dma(phys_pdpt) | P | W;
	pml4[511] = dma(k_pdpt) | P | W;
	k_pdpt[510] = dma(k_pd) | P | W;
	for (i = 0; i < KERNEL_PT; i++)
		k_pd[i] = dma(k_pt[i]) | P | W;
	for (off = 0; off < kargs.kernel_size; off += PAGE)
		k_pt[off >> 21][off >> 12 & 511] = (kargs.kernel_base + off) | P | W;
	__asm__ volatile("mov %0, %%cr3" : : "r"(dma(pml4)) : "memory");
}

/* ---- user address spaces: PML4 entry 0 -> PDPT -> PD -> PT ----------------------------------- */

uint64_t
arch_space(void)
{
	return page_alloc(); /* the PDPT of PML4 entry 0 */
}

static uint64_t *
pte(uint64_t pdpt, uint64_t va, int alloc)
{
	uint64_t *t = phys(pdpt);
	int shift;

	for (shift = 30; shift > 12; shift -= 9) {
		uint64_t *e = &t[va >> shift & 511];

		if (!(*e & P)) {
			if (!alloc)
				return 0;
			*e = page_alloc() | P | W | U;
		}
		t = phys(*e & ADDR);
	}
	return &t[va >> 12 & 511];
}

void
arch_map(uint64_t space, uint64_t va, uint64_t pa)
{
	*pte(space, va, 1) = pa | P | W | U;
}

uint64_t
arch_translate(uint64_t space, uint64_t va)
{
	uint64_t *e = pte(space, va, 0);

	return e && (*e & P) ? (*e & ADDR) | (va & (PAGE - 1)) : ~0ull;
}

void
arch_switch(uint64_t space)
{
	pml4[0] = space | P | W | U;
	__asm__ volatile("mov %0, %%cr3" : : "r"(dma(pml4)) : "memory"); /* and flush the TLB */
}

/* ---- user mode ------------------------------------------------------------------------------ */

struct frame *
arch_first_frame(void)
{
	return &first;
}

void
arch_frame(struct frame *f, uint64_t pc, uint64_t sp, uint64_t a0, uint64_t a1)
{
	struct frame z = { 0 };

	*f = z;
	f->rcx = pc;     /* sysret jumps to rcx ... */
	f->r11 = 0x2;    /* ... with rflags from r11: interrupts off, the kernel polls */
	f->rsp = sp;
	f->rdi = a0;
	f->rsi = a1;
}

void
arch_frame_ret(struct frame *f, uint64_t v)
{
	f->rax = v;
}

void
arch_enter(struct frame *f)
{
	x86_return(f);
}

void
x86_syscall(struct frame *f)
{
	syscall(f, f->rax, f->rdi, f->rsi, f->rdx);
}

void
x86_fault(const struct fault *f)
{
	uint64_t cr2;

	__asm__ volatile("mov %%cr2, %0" : "=r"(cr2));
	kputs("kiln-demo: error: ");
	kputs((f->cs & 3) ? proc_name() : "kernel");
	kputs((f->cs & 3) ? " crashed" : " exception");
	kputn(": vector ", f->vector, 0);
	kputn(", error code ", f->error, 1);
	kputn(", rip ", f->rip, 1);
	kputn(", cr2 ", cr2, 1);
	kputs("\n");
	arch_poweroff();
}

/* ---- virtio-blk on PCI (legacy I/O BAR) ---------------------------------------------------------- */

static uint16_t vio_port;

static uint32_t
pci_read(unsigned dev, unsigned reg)
{
	outl(0xCF8, 0x80000000u | dev << 11 | (reg & 0xFC));
	return inl(0xCFC);
}

static void
pci_write(unsigned dev, unsigned reg, uint32_t v)
{
	outl(0xCF8, 0x80000000u | dev << 11 | (reg & 0xFC));
	outl(0xCFC, v);
}

static uint32_t
pio_rd(unsigned reg, unsigned size)
{
	uint16_t p = (uint16_t)(vio_port + reg);

	return size == 1 ? inb(p) : size == 2 ? inw(p) : inl(p);
}

static void
pio_wr(unsigned reg, unsigned size, uint32_t v)
{
	uint16_t p = (uint16_t)(vio_port + reg);

	if (size == 1)
		outb(p, (uint8_t)v);
	else if (size == 2)
		outw(p, (uint16_t)v);
	else
		outl(p, v);
}

static const struct vio_ops pci_ops = { pio_rd, pio_wr, 0 };

const char *
arch_virtio(const struct vio_ops **ops)
{
	unsigned dev;

	for (dev = 0; dev < 32; dev++) {
		uint32_t id = pci_read(dev, 0), bar;

		if ((id & 0xFFFF) != 0x1AF4)
			continue;
		if (id >> 16 == 0x1042)
			return "the virtio-blk PCI device is modern-only (QEMU: disable-legacy=off)";
		if (id >> 16 != 0x1001)
			continue;
		bar = pci_read(dev, 0x10);
		if (!(bar & 1))
			return "the virtio-blk PCI device has no I/O BAR";
		vio_port = (uint16_t)(bar & ~3u);
		pci_write(dev, 0x04, pci_read(dev, 0x04) | 0x5); /* I/O space, bus master */
		*ops = &pci_ops;
		return 0;
	}
	return "no virtio-blk device on PCI bus 0 (QEMU: -device virtio-blk-pci)";
}
