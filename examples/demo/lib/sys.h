/* sys.h: the Linux system calls the demo programs make (write, exit) and their _start.
 * The same numbers are served by the demo kernel for the bootstrap, and by qemu-aarch64
 * (user mode) or a Linux host for init and hello. No libc: build with -nostdlib. */
#ifndef DEMO_SYS_H
#define DEMO_SYS_H

#if defined(__aarch64__)
#define SYS_WRITE 64
#define SYS_EXIT 93

static inline long
sys_call3(long n, long a, long b, long c)
{
	register long x8 __asm__("x8") = n;
	register long x0 __asm__("x0") = a;
	register long x1 __asm__("x1") = b;
	register long x2 __asm__("x2") = c;

	__asm__ volatile("svc #0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2) : "memory");
	return x0;
}

/* _start: clear the frame chain, pass the initial stack pointer to FN, exit if it returns.
 * STACK, if non-empty, is a symbol whose address becomes the stack pointer first. */
#define DEMO_START(fn, stack) __asm__( \
	".pushsection .text._start,\"ax\",%progbits\n.globl _start\n.type _start,%function\n_start:\n" \
	"\tmov x0, sp\n" \
	"\t" stack "\n" \
	"\tmov x29, xzr\n\tmov x30, xzr\n" \
	"\tbl " #fn "\n" \
	"\tmov x8, #93\n\tsvc #0\n\tb .\n" \
	".size _start, . - _start\n.popsection\n")
#define DEMO_STACK(sym) "adrp x9, " #sym "\n\tadd x9, x9, :lo12:" #sym "\n\tmov sp, x9"

#elif defined(__x86_64__)
#define SYS_WRITE 1
#define SYS_EXIT 60

static inline long
sys_call3(long n, long a, long b, long c)
{
	long ret;

	__asm__ volatile("syscall" : "=a"(ret) : "a"(n), "D"(a), "S"(b), "d"(c)
	    : "rcx", "r11", "memory");
	return ret;
}

#define DEMO_START(fn, stack) __asm__( \
	".pushsection .text._start,\"ax\",@progbits\n.globl _start\n.type _start,@function\n_start:\n" \
	"\tmov %rsp, %rdi\n" \
	"\t" stack "\n" \
	"\txor %ebp, %ebp\n\tand $-16, %rsp\n" \
	"\tcall " #fn "\n" \
	"\tmov %eax, %edi\n\tmov $60, %eax\n\tsyscall\n\thlt\n" \
	".size _start, . - _start\n.popsection\n")
#define DEMO_STACK(sym) "lea " #sym "(%rip), %rsp"

#else
#error "the demo supports aarch64 and x86_64"
#endif

/* write n bytes of s to fd */
static inline long
sys_write(int fd, const void *s, unsigned long n)
{
	return sys_call3(SYS_WRITE, fd, (long)s, (long)n);
}

/* end the program with status */
static inline void __attribute__((noreturn))
sys_exit(int status)
{
	sys_call3(SYS_EXIT, status, 0, 0);
	for (;;)
		;
}

#endif
