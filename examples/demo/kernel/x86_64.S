/* x86_64.S: entry point of the demo kernel's x86_64 build. It expects to be entered in
 * 64-bit mode with paging identity-mapping its image, COM1 and the initfs (no boot
 * protocol is implemented: this build is compiled and checked, not booted). */

	.file	"x86_64.S"		/* not the temporary object name: reproducible symbols */

	/* defined by x86_64.ld; weak for the same reason as in aarch64.S */
	.weak	__bss_start
	.weak	__bss_end

	.section .text.boot, "ax"
	.globl _start
_start:
	cli
	lea	boot_stack_top(%rip), %rsp
	lea	__bss_start(%rip), %rdi	/* zero .bss */
	lea	__bss_end(%rip), %rcx
	sub	%rdi, %rcx
	jb	2f			/* no linker script: nothing to zero */
	xor	%eax, %eax
	rep stosb
2:	call	kmain
1:	hlt
	jmp	1b

	.bss
	.balign	16
boot_stack:
	.space	16384
boot_stack_top:

	.section .note.GNU-stack, "", @progbits
