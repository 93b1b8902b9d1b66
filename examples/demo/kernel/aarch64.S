/* aarch64.S: entry, exception vectors and the return to user mode of the demo kernel.
 * kstart is entered as the Redox bootloader enters the Redox kernel: EL1, MMU on with the
 * kernel at KERNEL_BASE, x0 = the physical (identity-mapped) address of KernelArgs. */

	.file	"aarch64.S"		/* not the temporary object name: reproducible symbols */

	/* Defined by the linker script. Weak, so that a kernel linked without its script still
	 * links and kiln's kernel check, not the linker, names the cause. */
	.weak	__bss_start
	.weak	__bss_end

	.section .text.boot, "ax"
	.globl kstart
	.type	kstart, %function
kstart:
	msr	daifset, #0xf		/* no interrupts: the kernel polls */
	adrp	x9, boot_stack_top	/* our own stack, as the Redox kernel does */
	add	x9, x9, :lo12:boot_stack_top
	mov	sp, x9
	adrp	x9, vectors
	add	x9, x9, :lo12:vectors
	msr	vbar_el1, x9
	isb
	adrp	x1, __bss_start		/* .bss is zero in the file; zero it anyway */
	add	x1, x1, :lo12:__bss_start
	adrp	x2, __bss_end
	add	x2, x2, :lo12:__bss_end
1:	cmp	x1, x2
	b.hs	2f
	strb	wzr, [x1], #1
	b	1b
2:	mov	x29, xzr
	mov	x30, xzr
	bl	kmain			/* kmain(KernelArgs *), x0 untouched */
3:	wfi
	b	3b
	.size	kstart, . - kstart

/* every vector saves x0, x1, loads its index into x1 and joins trap_common, which saves the
 * rest as a struct frame (aarch64.c) and calls demo_trap(frame, index) */
	.macro	vector index
	.balign	0x80
	sub	sp, sp, #272
	stp	x0, x1, [sp, #0]
	mov	x1, #\index
	b	trap_common
	.endm

	.text
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
	mrs	x4, sp_el0
	stp	x3, x4, [sp, #256]
	mov	x0, sp
	bl	demo_trap
	mov	x0, sp

/* demo_return(frame): restore the user state in frame (on the trap stack) and eret */
	.globl	demo_return
demo_return:
	mov	sp, x0
	ldp	x30, x2, [sp, #240]
	ldp	x3, x4, [sp, #256]
	msr	elr_el1, x2
	msr	spsr_el1, x3
	msr	sp_el0, x4
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
boot_stack_top:
	.globl	trap_stack
trap_stack:
	.space	16384
trap_stack_top:

	.section .note.GNU-stack, "", %progbits
