/* main.c: the demo kernel's boot. The bootloader (the demo's, or the Redox one) enters
 * kstart at the kernel's higher-half address with a pointer to its KernelArgs. The kernel
 * copies them, takes over the machine (aarch64.c, x86_64.c), finds free memory in the
 * bootloader's memory areas, checks the initfs the bootloader loaded and its embedded
 * bootstrap, opens the root filesystem (RedoxFS on virtio-blk, at the REDOXFS_BLOCK the
 * bootloader passed), and runs the bootstrap (proc.c). Every error is one line
 * "kiln-demo: error: ..." followed by a power-off. The output is described in ../BUILD.md. */
#include "fmt.h"
#include "kernel.h"

#define POOL_BYTES (16ull << 20)  /* memory for programs and buffers */
#define POOL_FLOOR (1ull << 20)   /* leave the first MiB alone (x86 firmware areas) */

struct kernel_args kargs;
struct initfs initfs;
struct rfs *rootfs;
static uint64_t pool_base, pool_next, pool_end;
static uint64_t rootfs_start;     /* byte offset of RedoxFS on the disk */

void
kputs(const char *s)
{
	while (*s)
		arch_putc(*s++);
}

void
kputn(const char *label, uint64_t v, int hex)
{
	char buf[21];

	kputs(label);
	kputs(hex ? fmt_hex(buf, v) : fmt_dec(buf, v));
}

void
kput_bytes(const unsigned char *p, uint64_t n)
{
	while (n--)
		arch_putc(*p++);
}

void
panic(const char *what, const char *why)
{
	kputs("kiln-demo: error: ");
	kputs(what);
	kputs(": ");
	kputs(why);
	kputs("\n");
	arch_poweroff();
}

void *
phys(uint64_t pa)
{
	return (void *)(uintptr_t)(PHYS_OFFSET + pa);
}

uint64_t
dma(const void *p)
{
	uint64_t va = (uint64_t)(uintptr_t)p;

	return va >= KERNEL_BASE ? kargs.kernel_base + (va - KERNEL_BASE) : va - PHYS_OFFSET;
}

/* ---- memory: a page pool carved from a free area ------------------------------------------ */

/* does [a, a + n) overlap one of the ranges the bootloader handed over? */
static int
in_use(uint64_t a, uint64_t n, uint64_t *end)
{
	const uint64_t r[][2] = {
		{ kargs.kernel_base, kargs.kernel_size }, { kargs.stack_base, kargs.stack_size },
		{ kargs.env_base, kargs.env_size }, { kargs.hwdesc_base, kargs.hwdesc_size },
		{ kargs.areas_base, kargs.areas_size }, { kargs.bootstrap_base, kargs.bootstrap_size },
	};
	unsigned i;

	for (i = 0; i < sizeof r / sizeof r[0]; i++) {
		if (r[i][1] && a < r[i][0] + r[i][1] && r[i][0] < a + n) {
			*end = (r[i][0] + r[i][1] + PAGE - 1) & ~(PAGE - 1);
			return 1;
		}
	}
	return 0;
}

/* take POOL_BYTES of the first free area that overlaps nothing handed over */
static void
pool_init(void)
{
	const struct memory_area *m = phys(kargs.areas_base);
	uint64_t i, n = kargs.areas_size / sizeof *m, a, end, skip;

	for (i = 0; i < n; i++) {
		if (m[i].kind != AREA_FREE)
			continue;
		a = (m[i].base + PAGE - 1) & ~(PAGE - 1);
		end = (m[i].base + m[i].size) & ~(PAGE - 1);
		if (a < POOL_FLOOR)
			a = POOL_FLOOR;
		while (a < end && end - a >= POOL_BYTES && in_use(a, POOL_BYTES, &skip))
			a = skip;
		if (a < end && end - a >= POOL_BYTES && end <= PHYS_MAPPED) {
			pool_base = pool_next = a;
			pool_end = a + POOL_BYTES;
			kputn("kiln-demo: memory: ", n, 0);
			kputn(" areas from the bootloader; 16 MiB pool at ", a, 1);
			kputs("\n");
			return;
		}
	}
	panic("memory", "no free area of 16 MiB in the bootloader's memory map");
}

uint64_t
page_alloc(void)
{
	uint64_t pa = pool_next, i;
	volatile uint64_t *p;

	if (pool_end - pool_next < PAGE)
		panic("memory", "the 16 MiB pool is used up");
	pool_next += PAGE;
	p = phys(pa);
	for (i = 0; i < PAGE / 8; i++)
		p[i] = 0;
	return pa;
}

uint64_t pool_mark(void) { return pool_next; }
void pool_release(uint64_t mark) { pool_next = mark; }

/* n contiguous pages (the pool is a bump allocator, so consecutive pages are) */
static void *
pages(uint64_t n)
{
	uint64_t first = page_alloc(), i;

	for (i = 1; i < n; i++)
		page_alloc();
	return phys(first);
}

/* ---- the bootloader's environment ------------------------------------------------------- */

/* the value of NAME=VALUE in env, copied to buf (cap bytes); 0 if absent */
static const char *
env(const char *name, char *buf, unsigned cap)
{
	const char *e = phys(kargs.env_base);
	uint64_t i = 0, n = kargs.env_size;

	while (i < n) {
		uint64_t k = 0, j = 0;

		while (name[k] && i + k < n && e[i + k] == name[k])
			k++;
		if (!name[k] && i + k < n && e[i + k] == '=') {
			for (i += k + 1; i < n && e[i] != '\n' && j + 1 < cap; i++)
				buf[j++] = e[i];
			buf[j] = 0;
			return buf;
		}
		while (i < n && e[i] != '\n')
			i++;
		i++;
	}
	return 0;
}

/* the value of hex digits (env values are 16 of them) */
static uint64_t
hexval(const char *s)
{
	uint64_t v = 0;

	for (; *s; s++)
		v = v << 4 | (uint64_t)(*s <= '9' ? *s - '0' : (*s | 0x20) - 'a' + 10);
	return v;
}

/* ---- the initfs and its bootstrap --------------------------------------------------------- */

/* an initfs inode type for the listing */
static const char *
type_name(unsigned type)
{
	switch (type) {
	case INITFS_FILE: return "file";
	case INITFS_DIR: return "dir ";
	case INITFS_SYMLINK: return "link";
	default: return "????";
	}
}

/* print one line of the initfs listing */
static void
list_entry(void *ctx, uint32_t n, const struct initfs_inode *ino, const char *path)
{
	char mode[5];

	(void)ctx;
	(void)n;
	mode[0] = (char)('0' + (ino->mode >> 9 & 7));
	mode[1] = (char)('0' + (ino->mode >> 6 & 7));
	mode[2] = (char)('0' + (ino->mode >> 3 & 7));
	mode[3] = (char)('0' + (ino->mode & 7));
	mode[4] = 0;
	kputs("kiln-demo: initfs: ");
	kputs(type_name(ino->type));
	kputs(" ");
	kputs(mode);
	kputn(" ", ino->len, 0);
	kputs(" ");
	kputs(path);
	kputs("\n");
}

/* the checks whose failure makes the Redox kernel jump to garbage */
static void
check_bootstrap(const struct initfs *fs)
{
	const unsigned char *elf = fs->base + 0x1000;

	if (fs->entry == INITFS_NO_BOOTSTRAP)
		panic("initfs", "no bootstrap was packed (bootstrap_entry 0xffffffffffffffff): "
		    "create the initfs with --bootstrap");
	if (fs->entry == 0)
		panic("initfs", "bootstrap_entry is 0 (the bootstrap ELF has no entry point)");
	if (fs->size < 0x1000 + 64 || elf[0] != 0x7f || elf[1] != 'E' || elf[2] != 'L' ||
	    elf[3] != 'F')
		panic("initfs", "no ELF file at offset 0x1000 where the bootstrap belongs");
	if (initfs_rd64(elf + 0x18) != fs->entry)
		panic("initfs", "bootstrap_entry differs from the bootstrap ELF's e_entry");
	if (fs->entry < 0x2000 || fs->entry >= INITFS_VADDR + fs->size)
		panic("initfs", "bootstrap_entry lies outside the bootstrap mapped at 0x2000");
}

/* check the initfs the bootloader loaded, list it, check its bootstrap */
static void
open_initfs(void)
{
	const char *err;

	if ((err = initfs_open(&initfs, phys(kargs.bootstrap_base), kargs.bootstrap_size)))
		panic("initfs", err);
	kputn("kiln-demo: initfs at ", kargs.bootstrap_base, 1);
	kputn(": magic RedoxFtw, inodes ", initfs.ninodes, 0);
	kputn(", bootstrap_entry ", initfs.entry, 1);
	kputn(", initfs_size ", initfs.size, 0);
	kputs("\n");
	if ((err = initfs_walk(&initfs, list_entry, 0)))
		panic("initfs", err);
	check_bootstrap(&initfs);
}

/* ---- the root filesystem ------------------------------------------------------------------- */

/* the RedoxFS reader's reads: bytes of the partition, through virtio-blk */
static const char *
root_read(void *ctx, uint64_t off, unsigned char *buf, uint64_t len)
{
	(void)ctx;
	return vblk_read(rootfs_start + off, buf, len);
}

/* open RedoxFS at REDOXFS_BLOCK and check it is the one REDOXFS_UUID names */
static void
open_rootfs(void)
{
	static const char hex[] = "0123456789abcdef";
	char block[24], want[40], uuid[37];
	const char *err;
	int i, j = 0;

	if (!env("REDOXFS_BLOCK", block, sizeof block))
		panic("rootfs", "the bootloader passed no REDOXFS_BLOCK");
	if ((err = vblk_init()))
		panic("virtio-blk", err);
	rootfs_start = hexval(block) * RFS_BLOCK;
	if (rootfs_start >= vblk_bytes())
		panic("rootfs", "REDOXFS_BLOCK lies past the end of the disk");
	rootfs = pages((sizeof *rootfs + PAGE - 1) / PAGE);
	if ((err = rfs_open(rootfs, root_read, 0, vblk_bytes() - rootfs_start,
	    pages(RFS_RECORD_MAX / PAGE), pages(RFS_RECORD_MAX / PAGE))))
		panic("rootfs", err);
	for (i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			uuid[j++] = '-';
		uuid[j++] = hex[rootfs->uuid[i] >> 4];
		uuid[j++] = hex[rootfs->uuid[i] & 15];
	}
	uuid[j] = 0;
	if (env("REDOXFS_UUID", want, sizeof want)) {
		for (i = 0; uuid[i] && uuid[i] == want[i]; i++)
			;
		if (uuid[i] || want[i])
			panic("rootfs", "the RedoxFS on the disk is not the one the bootloader found (REDOXFS_UUID differs)");
	}
	kputs("kiln-demo: rootfs: RedoxFS ");
	kputs(uuid);
	kputn(" at disk byte ", rootfs_start, 1);
	kputn(", ", rootfs->size >> 20, 0);
	kputs(" MiB, read through virtio-blk\n");
}

void
kmain(const struct kernel_args *a)
{
	kargs = *a; /* the bootloader's copy lives in memory the kernel may reuse */
	kputs("kiln-demo: kernel started (");
	kputs(arch_name);
	kputn(") at ", (uint64_t)(uintptr_t)kmain, 1);
	kputn(", KernelArgs at ", (uint64_t)(uintptr_t)a, 1);
	kputs("\n");
	kputn("kiln-demo: kernel ", kargs.kernel_base, 1);
	kputn("+", kargs.kernel_size, 0);
	kputn(", initfs ", kargs.bootstrap_base, 1);
	kputn("+", kargs.bootstrap_size, 0);
	kputn(", env ", kargs.env_size, 0);
	kputn(" bytes, hwdesc ", kargs.hwdesc_base, 1);
	kputs("\n");
	arch_init();
	arch_mmu();
	pool_init();
	open_initfs();
	open_rootfs();
	proc_start();
}
