/* proc.c: programs and system calls. The bootstrap runs first, in place in the initfs
 * mapped at 0x1000 (as in Redox); every other program is a static ELF file of the initfs,
 * loaded into its own address space below USER_TOP with a stack of argc, argv, envp and an
 * empty auxiliary vector (the System V layout). Programs nest: spawn runs a child and
 * returns its exit status when it exits (init runs each command of init.rc this way); exec
 * replaces the caller (the bootstrap becomes init). Memory is a stack discipline: a program's
 * pages are released when it exits or is replaced. When the first program exits, the kernel
 * powers the machine off. */
#include "fmt.h"
#include "elf.h"
#include "kernel.h"
#include "sys.h"

#define NPROC 8
#define FRAME_MAX 512
#define ARGS_MAX 16
#define ARG_BYTES 1024
#define E2BIG 7
#define ENOENT 2
#define EIO 5
#define ENOEXEC 8
#define ENOMEM 12
#define EFAULT 14
#define ENOTDIR 20
#define EINVAL 22
#define ENOSYS 38

struct proc {
	uint64_t space;                 /* its address space */
	uint64_t mark;                  /* the pool level before its memory */
	unsigned char saved[FRAME_MAX]; /* its user state while a child runs */
	char name[32];                  /* for messages */
};

static struct proc procs[NPROC];
static int depth;                       /* procs[depth - 1] is running */

const char *
proc_name(void)
{
	return depth ? procs[depth - 1].name : "kernel";
}

/* the running program */
static struct proc *
cur(void)
{
	return &procs[depth - 1];
}

/* copy n bytes */
static void
copy(void *d, const void *s, uint64_t n)
{
	unsigned char *p = d;
	const unsigned char *q = s;

	while (n--)
		*p++ = *q++;
}

/* ---- user memory ---------------------------------------------------------------------------- */

/* copy n bytes between kernel memory and user address uva of the running program; 0 if some
 * page is not mapped (or out of user space) */
static int
user_copy(void *k, uint64_t uva, uint64_t n, int to_user)
{
	unsigned char *p = k;

	while (n) {
		uint64_t pa = uva < USER_TOP ? arch_translate(cur()->space, uva) : ~0ull;
		uint64_t in = PAGE - (uva & (PAGE - 1)), c = n < in ? n : in;

		if (pa == ~0ull)
			return 0;
		if (to_user)
			copy(phys(pa), p, c);
		else
			copy(p, phys(pa), c);
		p += c;
		uva += c;
		n -= c;
	}
	return 1;
}

/* a NUL-terminated user string into buf (cap bytes); 0 if unmapped or too long */
static int
user_string(char *buf, uint64_t cap, uint64_t uva)
{
	uint64_t i;

	for (i = 0; i < cap; i++) {
		if (!user_copy(buf + i, uva + i, 1, 0))
			return 0;
		if (!buf[i])
			return 1;
	}
	return 0;
}

/* ---- loading programs ----------------------------------------------------------------------- */

/* the arguments of exec/spawn, copied out of the caller before its memory may go */
struct args {
	int argc;                       /* how many */
	char *argv[ARGS_MAX];           /* each, pointing into bytes */
	char bytes[ARG_BYTES];          /* the strings, NUL-terminated */
};

/* copy the NULL-terminated user argv into a */
static long
get_args(struct args *a, uint64_t uargv)
{
	uint64_t used = 0, p;

	a->argc = 0;
	for (;; uargv += 8) {
		if (!user_copy(&p, uargv, 8, 0))
			return -EFAULT;
		if (!p)
			return 0;
		if (a->argc == ARGS_MAX)
			return -E2BIG;
		a->argv[a->argc] = a->bytes + used;
		if (!user_string(a->bytes + used, ARG_BYTES - used, p))
			return -E2BIG;
		used += fmt_len(a->bytes + used) + 1;
		a->argc++;
	}
}

/* the initfs file for "/scheme/initfs/PATH" */
static const char *
initfs_file(const char *path, struct initfs_inode *ino)
{
	static const char scheme[] = "/scheme/initfs/";
	const char *err;
	uint32_t n;
	unsigned i;

	for (i = 0; scheme[i]; i++) {
		if (path[i] != scheme[i])
			return "not an initfs path (/scheme/initfs/...)";
	}
	if ((err = initfs_lookup(&initfs, path + i - 1, &n)) || (err = initfs_inode(&initfs, n, ino)))
		return err;
	return 0;
}

/* check path as a program the way it will be loaded; a refusal is reported on the console */
static long
check_program(const char *path, struct elf_file *e)
{
	struct initfs_inode ino;
	const char *err;

	if ((err = initfs_file(path, &ino)))
		return -ENOENT;
	if (ino.type != INITFS_FILE)
		return -ENOEXEC;
	if ((err = elf_open(e, initfs.base + ino.off, ino.len, ELF_MACHINE)) ||
	    (err = elf_check_layout(e, INITFS_VADDR, USER_TOP - USER_STACK))) {
		kputs("kiln-demo: error: exec ");
		kputs(path);
		kputs(": ");
		kputs(err);
		kputs("\n");
		return -ENOEXEC;
	}
	return 0;
}

/* map [va, va + n) in space, allocating pages not yet mapped */
static void
map_range(uint64_t space, uint64_t va, uint64_t n)
{
	uint64_t p;

	for (p = va & ~(PAGE - 1); p < va + n; p += PAGE) {
		if (arch_translate(space, p) == ~0ull)
			arch_map(space, p, page_alloc());
	}
}

/* write n bytes at user address va of space (mapped) */
static void
poke(uint64_t space, uint64_t va, const void *src, uint64_t n)
{
	const unsigned char *s = src;

	while (n) {
		uint64_t in = PAGE - (va & (PAGE - 1)), c = n < in ? n : in;

		copy(phys(arch_translate(space, va)), s, c);
		s += c;
		va += c;
		n -= c;
	}
}

/* load e into a new address space of p, with the stack holding a; set f to enter it */
static void
load(struct proc *p, const struct elf_file *e, const struct args *a, struct frame *f)
{
	uint64_t sp, strs, vec[ARGS_MAX + 4];
	struct elf_load s;
	unsigned i;
	int n = 0, isload;

	p->space = arch_space();
	for (i = 0; i < e->phnum; i++) {
		elf_segment(e, i, &s, &isload);
		if (!isload || !s.memsz)
			continue;
		map_range(p->space, s.vaddr, s.memsz);
		poke(p->space, s.vaddr, e->data + s.off, s.filesz);
	}
	map_range(p->space, USER_TOP - USER_STACK, USER_STACK);
	/* strings at the top, then argc, argv[], NULL, envp NULL, auxv AT_NULL below them */
	strs = USER_TOP;
	vec[n++] = (uint64_t)a->argc;
	for (i = 0; i < (unsigned)a->argc; i++) {
		uint64_t len = fmt_len(a->argv[i]) + 1;

		strs -= len;
		poke(p->space, strs, a->argv[i], len);
		vec[n++] = strs;
	}
	vec[n++] = 0;
	vec[n++] = 0;
	vec[n++] = 0;
	sp = ((strs - 8 * (uint64_t)(n + 1)) & ~15ull);
	poke(p->space, sp, vec, 8 * (uint64_t)n);
	copy(p->name, a->argv[0], fmt_len(a->argv[0]) < 31 ? fmt_len(a->argv[0]) + 1 : 31);
	p->name[31] = 0;
	arch_switch(p->space);
	arch_frame(f, e->entry, sp, (uint64_t)a->argc, sp + 8);
}

/* exec (replace the caller) or spawn (run a child) the initfs program at upath; on success f enters it */
static long
exec(struct frame *f, uint64_t upath, uint64_t uargv, int spawn)
{
	static struct args a;
	static char path[256];
	struct elf_file e;
	struct proc *p;
	long r;

	if (!user_string(path, sizeof path, upath))
		return -EFAULT;
	if ((r = get_args(&a, uargv)))
		return r;
	if (a.argc == 0) {
		a.argc = 1;
		a.argv[0] = path;
	}
	if ((r = check_program(path, &e)))
		return r;
	if (spawn) {
		if (depth == NPROC)
			return -ENOMEM;
		copy(cur()->saved, f, arch_frame_size);
		p = &procs[depth++];
		p->mark = pool_mark();
	} else {
		p = cur();
		pool_release(p->mark);
	}
	load(p, &e, &a, f);
	return 0;
}

/* the running program exits: resume its parent with the status, or power off after the first program */
static void
exit_proc(struct frame *f, uint64_t status)
{
	if (depth == 1) {
		kputs("kiln-demo: ");
		kputs(cur()->name);
		kputn(" exited with status ", status & 0xff, 0);
		kputs("\nkiln-demo: done\n");
		arch_poweroff();
	}
	pool_release(cur()->mark);
	depth--;
	copy(f, cur()->saved, arch_frame_size);
	arch_switch(cur()->space);
	arch_frame_ret(f, status & 0xff);
}

/* ---- files -------------------------------------------------------------------------------------- */

/* the bytes of a file: an initfs path (/scheme/initfs/...) or a root filesystem path */
static long
readfile(uint64_t upath, uint64_t ubuf, uint64_t cap)
{
	static char path[256];
	static struct rfs_node node;
	struct initfs_inode ino;
	unsigned char *bounce;
	uint64_t done = 0, got, mark;
	const char *err;

	if (!user_string(path, sizeof path, upath))
		return -EFAULT;
	if (!initfs_file(path, &ino)) {
		if (ino.type != INITFS_FILE)
			return -EINVAL;
		if (cap > ino.len)
			cap = ino.len;
		return user_copy((void *)(initfs.base + ino.off), ubuf, cap, 1) ? (long)cap : -EFAULT;
	}
	if (path[0] != '/' || !rootfs)
		return -ENOENT;
	if ((err = rfs_lookup(rootfs, path, &node)))
		return -ENOENT;
	if ((node.mode & RFS_MODE_TYPE) != RFS_MODE_FILE)
		return -EINVAL;
	mark = pool_mark();
	bounce = phys(page_alloc());
	while (done < cap) {
		uint64_t want = cap - done < PAGE ? cap - done : PAGE;

		if ((err = rfs_read(rootfs, &node, done, bounce, want, &got))) {
			pool_release(mark);
			kputs("kiln-demo: error: rootfs: ");
			kputs(err);
			kputs("\n");
			return -EIO;
		}
		if (!got)
			break;
		if (!user_copy(bounce, ubuf + done, got, 1)) {
			pool_release(mark);
			return -EFAULT;
		}
		done += got;
	}
	pool_release(mark);
	return (long)done;
}

/* names of a directory, one per line, into a page */
struct listing {
	char *buf;                      /* a page */
	uint64_t n;                     /* bytes of it used */
};

/* append a name and a newline, if it fits in the page */
static void
add_name(struct listing *l, const unsigned char *name, uint64_t len)
{
	if (l->n + len + 1 > PAGE)
		return;
	copy(l->buf + l->n, name, len);
	l->n += len;
	l->buf[l->n++] = '\n';
}

/* rfs_list's visitor: one name into the listing */
static void
rfs_name(void *ctx, uint32_t id, const unsigned char *name, uint32_t len)
{
	(void)id;
	add_name(ctx, name, len);
}

/* the names of an initfs or root directory, one a line, into the user buffer */
static long
listdir(uint64_t upath, uint64_t ubuf, uint64_t cap)
{
	static char path[256];
	static struct rfs_node node;
	struct initfs_inode ino;
	struct listing l;
	const unsigned char *name;
	uint32_t i, child, len;
	uint64_t mark = pool_mark();
	long r;

	if (!user_string(path, sizeof path, upath))
		return -EFAULT;
	l.buf = phys(page_alloc());
	l.n = 0;
	if (!initfs_file(path, &ino)) {
		r = -ENOTDIR;
		if (ino.type == INITFS_DIR) {
			for (i = 0; i < ino.len / INITFS_DIRENT_SIZE; i++) {
				if (!initfs_dirent(&initfs, &ino, i, &child, &name, &len))
					add_name(&l, name, len);
			}
			r = 0;
		}
	} else if (!rootfs || rfs_lookup(rootfs, path, &node)) {
		r = -ENOENT;
	} else {
		r = rfs_list(rootfs, &node, rfs_name, &l) ? -ENOTDIR : 0;
	}
	if (!r) {
		if (l.n > cap)
			l.n = cap;
		r = user_copy(l.buf, ubuf, l.n, 1) ? (long)l.n : -EFAULT;
	}
	pool_release(mark);
	return r;
}

/* ---- system calls ------------------------------------------------------------------------------ */

void
syscall(struct frame *f, uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2)
{
	static unsigned char buf[256];
	long r;

	switch (nr) {
	case SYS_WRITE:
		if (a0 != 1 && a0 != 2) {
			r = -9; /* EBADF */
			break;
		}
		for (r = 0; (uint64_t)r < a2;) {
			uint64_t c = a2 - (uint64_t)r < sizeof buf ? a2 - (uint64_t)r : sizeof buf;

			if (!user_copy(buf, a1 + (uint64_t)r, c, 0)) {
				r = -EFAULT;
				break;
			}
			kput_bytes(buf, c);
			r += (long)c;
		}
		break;
	case SYS_EXIT:
	case SYS_EXIT_GROUP:
		exit_proc(f, a0);
		return;
	case SYS_EXEC:
	case SYS_SPAWN:
		if ((r = exec(f, a0, a1, nr == SYS_SPAWN)) == 0)
			return; /* f now enters the new program */
		break;
	case SYS_READFILE:
		r = readfile(a0, a1, a2);
		break;
	case SYS_LISTDIR:
		r = listdir(a0, a1, a2);
		break;
	case SYS_POWEROFF:
		kputs("kiln-demo: power off requested by ");
		kputs(cur()->name);
		kputs("\nkiln-demo: done\n");
		arch_poweroff();
	default:
		r = -ENOSYS;
	}
	arch_frame_ret(f, (uint64_t)r);
}

/* the bootstrap: the initfs mapped at 0x1000, entered at bootstrap_entry */
void
proc_start(void)
{
	struct frame *f = arch_first_frame();
	struct proc *p = &procs[depth++];
	uint64_t i;

	p->mark = pool_mark();
	p->space = arch_space();
	copy(p->name, "bootstrap", 10);
	for (i = 0; i < (initfs.size + PAGE - 1) / PAGE; i++)
		arch_map(p->space, INITFS_VADDR + i * PAGE, kargs.bootstrap_base + i * PAGE);
	map_range(p->space, USER_TOP - USER_STACK, USER_STACK);
	arch_switch(p->space);
	kputn("kiln-demo: entering the bootstrap at ", initfs.entry, 1);
	kputs(" in user mode\n");
	arch_frame(f, initfs.entry, USER_TOP - 16, 0, 0);
	arch_enter(f);
}
