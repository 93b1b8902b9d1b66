/* x86_64.S: entry, system call entry and exit, and exception stubs of the demo kernel.
 * kstart is entered as the Redox bootloader enters the Redox kernel: long mode, paging on
 * with the kernel at KERNEL_BASE, rdi = the physical (identity-mapped) address of
 * KernelArgs, interrupts off. */

	.file	"x86_64.S"		/* not the temporary object name: reproducible symbols */

	/* Defined by the linker script. Weak, so that a kernel linked without its script still
	 * links and kiln's kernel check, not the linker, names the cause. */
	.weak	__bss_start
	.weak	__bss_end

	.section .text.boot, "ax"
	.globl	kstart
	.type	kstart, @function
kstart:
	cli
	lea	boot_stack_top(%rip), %rsp	/* our own stack, as the Redox kernel does */
	mov	%rdi, %rbx
	lea	__bss_start(%rip), %rdi		/* .bss is zero in the file; zero it anyway */
	lea	__bss_end(%rip), %rcx
	sub	%rdi, %rcx
	xor	%eax, %eax
	rep stosb
	mov	%rbx, %rdi
	xor	%ebp, %ebp
	call	kmain				/* kmain(KernelArgs *) */
1:	hlt
	jmp	1b
	.size	kstart, . - kstart

/* syscall: rip in rcx, rflags in r11, the user stack still in rsp. Save everything as a
 * struct frame (x86_64.c) on the kernel stack and call x86_syscall(frame). */
	.text
	.globl	syscall_entry
syscall_entry:
	mov	%rsp, user_rsp(%rip)
	lea	syscall_stack_top(%rip), %rsp
	pushq	user_rsp(%rip)
	push	%rax
	push	%rbx
	push	%rcx
	push	%rdx
	push	%rsi
	push	%rdi
	push	%rbp
	push	%r8
	push	%r9
	push	%r10
	push	%r11
	push	%r12
	push	%r13
	push	%r14
	push	%r15
	mov	%rsp, %rdi
	call	x86_syscall
	mov	%rsp, %rdi

/* x86_return(frame): restore the user state in frame and sysret to it */
	.globl	x86_return
x86_return:
	mov	%rdi, %rsp
	pop	%r15
	pop	%r14
	pop	%r13
	pop	%r12
	pop	%r11
	pop	%r10
	pop	%r9
	pop	%r8
	pop	%rbp
	pop	%rdi
	pop	%rsi
	pop	%rdx
	pop	%rcx
	pop	%rbx
	pop	%rax
	pop	%rsp
	sysretq

/* exceptions: each stub pushes a zero error code if the CPU pushes none, then its vector,
 * and x86_fault(stack) reports it; it does not return */
	.macro	stub vec, err
	.globl	exc\vec
exc\vec:
	.if	\err == 0
	pushq	$0
	.endif
	pushq	$\vec
	mov	%rsp, %rdi
	and	$-16, %rsp
	call	x86_fault
	.endm
	stub 0,0;  stub 1,0;  stub 2,0;  stub 3,0;  stub 4,0;  stub 5,0;  stub 6,0;  stub 7,0
	stub 8,1;  stub 9,0;  stub 10,1; stub 11,1; stub 12,1; stub 13,1; stub 14,1; stub 15,0
	stub 16,0; stub 17,1; stub 18,0; stub 19,0; stub 20,0; stub 21,1; stub 22,0; stub 23,0
	stub 24,0; stub 25,0; stub 26,0; stub 27,0; stub 28,0; stub 29,1; stub 30,1; stub 31,0

	.section .rodata
	.balign	8
	.globl	exc_stubs
exc_stubs:
	.irp	v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	.quad	exc\v
	.endr

	.bss
	.balign	16
user_rsp:
	.space	8
	.balign	16
boot_stack:
	.space	16384
boot_stack_top:
syscall_stack:
	.space	16384
syscall_stack_top:
	.globl	fault_stack_top
fault_stack:
	.space	8192
fault_stack_top:

	.section .note.GNU-stack, "", @progbits
