/* sys.h: the system calls of the demo kernel and the programs' _start. write and exit have
 * Linux's numbers, so hello also runs under qemu-aarch64 (user mode) or a Linux host; the
 * others are the demo kernel's own (Linux answers them with ENOSYS). No libc: build with
 * -nostdlib. */
#ifndef DEMO_SYS_H
#define DEMO_SYS_H

/* the demo kernel's own calls, the same on both architectures */
#define SYS_EXEC 500     /* exec(path, argv): replace the caller by an initfs program */
#define SYS_SPAWN 501    /* spawn(path, argv): run an initfs program, return its exit status */
#define SYS_READFILE 502 /* readfile(path, buf, cap): bytes of a file, at most cap */
#define SYS_LISTDIR 503  /* listdir(path, buf, cap): the names of a directory, one a line */
#define SYS_POWEROFF 504 /* poweroff(): stop the machine */

#if defined(__aarch64__)
#define SYS_WRITE 64
#define SYS_EXIT 93
#define SYS_EXIT_GROUP 94

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
#define SYS_EXIT_GROUP 231

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

/* the demo kernel's calls; paths are /scheme/initfs/... for the initfs, /... for the root */
static inline long
sys_exec(const char *path, char *const argv[])
{
	return sys_call3(SYS_EXEC, (long)path, (long)argv, 0);
}

static inline long
sys_spawn(const char *path, char *const argv[])
{
	return sys_call3(SYS_SPAWN, (long)path, (long)argv, 0);
}

static inline long
sys_readfile(const char *path, void *buf, unsigned long cap)
{
	return sys_call3(SYS_READFILE, (long)path, (long)buf, (long)cap);
}

static inline long
sys_listdir(const char *path, void *buf, unsigned long cap)
{
	return sys_call3(SYS_LISTDIR, (long)path, (long)buf, (long)cap);
}

static inline void
sys_poweroff(void)
{
	sys_call3(SYS_POWEROFF, 0, 0, 0);
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
