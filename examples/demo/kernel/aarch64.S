/* aarch64.S: entry point, exception vectors and the switch to user mode of the demo kernel
 * for QEMU -M virt -cpu cortex-a72, entered at EL1 with the MMU off */

	.file	"aarch64.S"		/* not the temporary object name: reproducible symbols */

	/* Defined by aarch64.ld. Weak, so that a kernel linked without its linker script (the
	 * reference fork's F6) still links and kiln's kernel check, not the linker, names the
	 * cause; without the script the loop below then zeroes nothing. */
	.weak	__bss_start
	.weak	__bss_end

	.section .text.boot, "ax"
	.globl _start
_start:
	mrs	x0, mpidr_el1		/* only CPU 0 runs; any other one parks */
	and	x0, x0, #0xff
	cbnz	x0, park
	ldr	x0, =vectors
	msr	vbar_el1, x0
	isb
	ldr	x0, =boot_stack_top
	mov	sp, x0
	ldr	x0, =__bss_start	/* zero .bss (QEMU does too; a real loader may not) */
	ldr	x1, =__bss_end
1:	cmp	x0, x1
	b.hs	2f
	str	xzr, [x0], #8
	b	1b
2:	bl	kmain
park:	wfi
	b	park

/* demo_enter_el0(entry, kernel_stack_top): eret to EL0 at entry, interrupts masked;
 * exceptions from EL0 then run on kernel_stack_top */
	.text
	.globl demo_enter_el0
demo_enter_el0:
	mov	sp, x1
	msr	elr_el1, x0
	mov	x2, #0x3c0		/* SPSR: EL0t with D, A, I, F masked */
	msr	spsr_el1, x2
	msr	sp_el0, xzr
	mov	x0, xzr
	mov	x1, xzr
	mov	x2, xzr
	mov	x30, xzr
	eret

/* every vector saves x0, x1, loads its index into x1 and joins trap_common, which saves
 * the rest as a struct trapframe (aarch64.c) and calls demo_trap(frame, index) */
	.macro	vector index
	.balign	0x80
	sub	sp, sp, #272
	stp	x0, x1, [sp, #0]
	mov	x1, #\index
	b	trap_common
	.endm

	.balign	2048
vectors:
	vector	0
	vector	1
	vector	2
	vector	3
	vector	4
	vector	5
	vector	6
	vector	7
	vector	8
	vector	9
	vector	10
	vector	11
	vector	12
	vector	13
	vector	14
	vector	15

trap_common:
	stp	x2, x3, [sp, #16]
	stp	x4, x5, [sp, #32]
	stp	x6, x7, [sp, #48]
	stp	x8, x9, [sp, #64]
	stp	x10, x11, [sp, #80]
	stp	x12, x13, [sp, #96]
	stp	x14, x15, [sp, #112]
	stp	x16, x17, [sp, #128]
	stp	x18, x19, [sp, #144]
	stp	x20, x21, [sp, #160]
	stp	x22, x23, [sp, #176]
	stp	x24, x25, [sp, #192]
	stp	x26, x27, [sp, #208]
	stp	x28, x29, [sp, #224]
	mrs	x2, elr_el1
	mrs	x3, spsr_el1
	stp	x30, x2, [sp, #240]
	str	x3, [sp, #256]
	mov	x0, sp
	bl	demo_trap
	ldp	x30, x2, [sp, #240]
	ldr	x3, [sp, #256]
	msr	elr_el1, x2
	msr	spsr_el1, x3
	ldp	x2, x3, [sp, #16]
	ldp	x4, x5, [sp, #32]
	ldp	x6, x7, [sp, #48]
	ldp	x8, x9, [sp, #64]
	ldp	x10, x11, [sp, #80]
	ldp	x12, x13, [sp, #96]
	ldp	x14, x15, [sp, #112]
	ldp	x16, x17, [sp, #128]
	ldp	x18, x19, [sp, #144]
	ldp	x20, x21, [sp, #160]
	ldp	x22, x23, [sp, #176]
	ldp	x24, x25, [sp, #192]
	ldp	x26, x27, [sp, #208]
	ldp	x28, x29, [sp, #224]
	ldp	x0, x1, [sp, #0]
	add	sp, sp, #272
	eret

	.bss
	.balign	16
boot_stack:
	.space	16384
	.globl	boot_stack_top
boot_stack_top:
	.globl	trap_stack_top
trap_stack:
	.space	16384
trap_stack_top:

	.section .note.GNU-stack, "", %progbits
