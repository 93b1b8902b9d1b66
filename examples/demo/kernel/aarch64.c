/* aarch64.c: the demo kernel's machine code for QEMU -M virt -cpu cortex-a72: PL011 UART,
 * the initfs placed by QEMU's loader device, an identity-mapped MMU with the initfs mapped
 * for EL0 at virtual 0x1000 (as the Redox kernel maps its bootstrap), system calls, faults,
 * and PSCI SYSTEM_OFF through hvc (QEMU exits). The MMU stays off until the bootstrap runs,
 * so main.c reads the initfs with byte loads (-mstrict-align). */
#include "kernel.h"

#define UART_BASE 0x09000000ul   /* PL011 on -M virt */
#define UART_DR 0x00
#define UART_FR 0x18
#define UART_FR_TXFF (1u << 5)
#define INITFS_BASE 0x44000000ul /* -device loader,file=initfs.img,addr=0x44000000,force-raw=on */
#define INITFS_AVAIL 0x04000000ul /* up to the end of the default 128 MiB of RAM */
#define USER_BASE 0x1000ul        /* initfs offset X is at virtual USER_BASE + X */
#define NL3 8                     /* level-3 tables: the user mapping covers 16 MiB */
#define PSCI_SYSTEM_OFF 0x84000008ul

/* descriptor bits (ARM ARM D8.3) */
#define D_TABLE 3ull
#define D_BLOCK 1ull
#define D_PAGE 3ull
#define D_ATTR_DEVICE (0ull << 2)  /* MAIR attr0: Device-nGnRnE */
#define D_ATTR_NORMAL (1ull << 2)  /* MAIR attr1: Normal write-back */
#define D_AP_EL0 (1ull << 6)       /* EL1 and EL0 read/write */
#define D_SH_INNER (3ull << 8)
#define D_AF (1ull << 10)
#define D_PXN (1ull << 53)
#define D_UXN (1ull << 54)

const char arch_name[] = "aarch64";

struct trapframe {
	uint64_t x[31];
	uint64_t elr, spsr, pad;
};

void demo_enter_el0(uint64_t entry, uint64_t kstack) __attribute__((noreturn));
void demo_trap(struct trapframe *f, uint64_t index);
extern char trap_stack_top[];

static uint64_t l1[512] __attribute__((aligned(4096)));
static uint64_t l2[512] __attribute__((aligned(4096)));
static uint64_t l3[NL3][512] __attribute__((aligned(4096)));
static uint64_t user_end; /* end of the user mapping: USER_BASE + page-rounded initfs_size */

#define SYSREG_READ(name, v) __asm__ volatile("mrs %0, " #name : "=r"(v))
#define SYSREG_WRITE(name, v) __asm__ volatile("msr " #name ", %0" : : "r"((uint64_t)(v)))

void
arch_putc(int c)
{
	volatile uint32_t *fr = (volatile uint32_t *)(UART_BASE + UART_FR);
	volatile uint32_t *dr = (volatile uint32_t *)(UART_BASE + UART_DR);

	while (*fr & UART_FR_TXFF)
		;
	*dr = (uint32_t)(unsigned char)c;
}

const char *
arch_check(void)
{
	uint64_t el;

	SYSREG_READ(CurrentEL, el);
	if ((el >> 2 & 3) != 1)
		return "not entered at EL1 (run QEMU -M virt without virtualization=on or secure=on)";
	return 0;
}

void
arch_initfs(const unsigned char **base, uint64_t *avail)
{
	*base = (const unsigned char *)INITFS_BASE;
	*avail = INITFS_AVAIL;
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

/* identity-map RAM (1 GiB block at 0x40000000) and the UART, and map the initfs at
 * USER_BASE for EL0, read-write-execute like the Redox kernel's bootstrap mapping */
static const char *
map(const struct initfs *fs)
{
	uint64_t pages = (fs->size + 4095) / 4096, i, tcr, sctlr;

	if (USER_BASE / 4096 + pages > NL3 * 512)
		return "initfs larger than the demo kernel's 16 MiB user mapping";
	l1[0] = (uint64_t)(uintptr_t)l2 | D_TABLE;
	l1[1] = 0x40000000ull | D_BLOCK | D_ATTR_NORMAL | D_SH_INNER | D_AF | D_UXN;
	for (i = 0; i < NL3; i++)
		l2[i] = (uint64_t)(uintptr_t)l3[i] | D_TABLE;
	l2[UART_BASE >> 21] = UART_BASE | D_BLOCK | D_ATTR_DEVICE | D_AF | D_PXN | D_UXN;
	for (i = 0; i < pages; i++) {
		uint64_t va = USER_BASE + i * 4096;

		l3[va >> 21][va >> 12 & 511] = (INITFS_BASE + i * 4096) | D_PAGE | D_ATTR_NORMAL |
		    D_AP_EL0 | D_SH_INNER | D_AF | D_PXN;
	}
	user_end = USER_BASE + pages * 4096;

	tcr = 25                 /* T0SZ: 39-bit addresses, walks start at level 1 */
	    | 1ull << 8 | 1ull << 10 /* inner and outer write-back walks */
	    | 3ull << 12          /* inner shareable */
	    | 1ull << 23          /* EPD1: no TTBR1 walks */
	    | 2ull << 32;         /* IPS: 40-bit physical addresses */
	SYSREG_WRITE(mair_el1, 0xff00);
	SYSREG_WRITE(tcr_el1, tcr);
	SYSREG_WRITE(ttbr0_el1, (uint64_t)(uintptr_t)l1);
	__asm__ volatile("dsb ish\n\ttlbi vmalle1\n\tdsb ish\n\tisb" : : : "memory");
	/* M (MMU), C and I (caches) on; A (alignment checks) and WXN off */
	SYSREG_READ(sctlr_el1, sctlr);
	SYSREG_WRITE(sctlr_el1, (sctlr | 1 | 1 << 2 | 1 << 12) & ~(uint64_t)(1 << 1 | 1 << 19));
	__asm__ volatile("isb" : : : "memory");
	return 0;
}

const char *
arch_run_bootstrap(const struct initfs *fs)
{
	const char *err;

	if ((err = map(fs)))
		return err;
	demo_enter_el0(fs->entry, (uint64_t)(uintptr_t)trap_stack_top);
}

static void __attribute__((noreturn))
fault(const char *who, const struct trapframe *f, uint64_t index)
{
	uint64_t esr, far;

	SYSREG_READ(esr_el1, esr);
	SYSREG_READ(far_el1, far);

	kputs("kiln-demo: error: ");
	kputs(who);
	kputn(": exception ", index, 0);
	kputn(", ESR_EL1 ", esr, 1);
	kputn(" (EC ", esr >> 26, 1);
	kputn("), ELR_EL1 ", f->elr, 1);
	kputn(", FAR_EL1 ", far, 1);
	kputs("\n");
	arch_poweroff();
}

/* the system calls of lib/sys.h: write(fd, buf, n) to the console, exit(status) */
static void
syscall(struct trapframe *f)
{
	uint64_t buf = f->x[1], n = f->x[2];

	switch (f->x[8]) {
	case 64: /* write */
		if ((f->x[0] != 1 && f->x[0] != 2)) {
			f->x[0] = (uint64_t)-9; /* EBADF */
		} else if (buf < USER_BASE || buf > user_end || n > user_end - buf) {
			f->x[0] = (uint64_t)-14; /* EFAULT */
		} else {
			kput_bytes((const unsigned char *)(uintptr_t)buf, n);
			f->x[0] = n;
		}
		break;
	case 93: /* exit */
	case 94: /* exit_group */
		kernel_bootstrap_exited((long)f->x[0]);
	default:
		f->x[0] = (uint64_t)-38; /* ENOSYS */
	}
}

void
demo_trap(struct trapframe *f, uint64_t index)
{
	uint64_t esr;

	/* vectors 8..11 come from EL0 in AArch64 state; 8 is synchronous */
	SYSREG_READ(esr_el1, esr);
	if (index == 8 && esr >> 26 == 0x15) {
		syscall(f);
		return;
	}
	if (index >= 8)
		fault("bootstrap crashed (not an SVC exception)", f, index);
	fault("kernel exception", f, index);
}
