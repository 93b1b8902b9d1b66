/* main.c: the demo kernel's common code. It finds the initfs the loader placed in RAM,
 * checks its header, lists its tree, prints /etc/init.rc (found by a path lookup from the
 * root, inode 0), checks the embedded bootstrap the way the Redox kernel relies on it
 * (components.md F7, F9), runs it, and prints "kiln-demo: done". Every error is one line
 * "kiln-demo: error: ..." followed by a power-off. The output format is in ../BUILD.md. */
#include "fmt.h"
#include "kernel.h"

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

static void __attribute__((noreturn))
die(const char *what, const char *err)
{
	kputs("kiln-demo: error: ");
	kputs(what);
	kputs(": ");
	kputs(err);
	kputs("\n");
	arch_poweroff();
}

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

/* the checks whose failure makes the Redox kernel jump to garbage (F7, F9) */
static void
check_bootstrap(const struct initfs *fs)
{
	const unsigned char *elf = fs->base + 0x1000;
	uint64_t e_entry;

	if (fs->entry == INITFS_NO_BOOTSTRAP)
		die("initfs", "no bootstrap was packed (bootstrap_entry 0xffffffffffffffff): "
		    "create the initfs with --bootstrap");
	if (fs->entry == 0)
		die("initfs", "bootstrap_entry is 0 (the bootstrap ELF has no entry point)");
	if (fs->size < 0x1000 + 64 || elf[0] != 0x7f || elf[1] != 'E' || elf[2] != 'L' ||
	    elf[3] != 'F')
		die("initfs", "no ELF file at offset 0x1000 where the bootstrap belongs");
	e_entry = initfs_rd64(elf + 0x18);
	if (e_entry != fs->entry) {
		kputn("kiln-demo: error: initfs: bootstrap_entry ", fs->entry, 1);
		kputn(" differs from the bootstrap ELF's e_entry ", e_entry, 1);
		kputs("\n");
		arch_poweroff();
	}
	if (fs->entry < 0x2000 || fs->entry >= 0x1000 + fs->size) {
		kputn("kiln-demo: error: initfs: bootstrap_entry ", fs->entry, 1);
		kputn(" lies outside the bootstrap mapped at 0x2000..", 0x1000 + fs->size, 1);
		kputs("\n");
		arch_poweroff();
	}
}

void
kmain(void)
{
	static const char rc[] = "/etc/init.rc";
	const unsigned char *base;
	struct initfs fs;
	struct initfs_inode ino;
	const char *err;
	uint64_t avail;
	uint32_t n;

	kputs("kiln-demo: kernel started (");
	kputs(arch_name);
	kputs(")\n");
	if ((err = arch_check()))
		die("cpu", err);
	arch_initfs(&base, &avail);
	if ((err = initfs_open(&fs, base, avail))) {
		kputn("kiln-demo: error: initfs at ", (uint64_t)(uintptr_t)base, 1);
		kputs(": ");
		kputs(err);
		kputs("\n");
		arch_poweroff();
	}
	kputn("kiln-demo: initfs at ", (uint64_t)(uintptr_t)base, 1);
	kputn(": magic RedoxFtw, inodes ", fs.ninodes, 0);
	kputn(", bootstrap_entry ", fs.entry, 1);
	kputn(", initfs_size ", fs.size, 0);
	kputs("\n");

	if ((err = initfs_walk(&fs, list_entry, 0)))
		die("initfs", err);

	if ((err = initfs_lookup(&fs, rc, &n)) || (err = initfs_inode(&fs, n, &ino)))
		die(rc, err);
	if (ino.type != INITFS_FILE)
		die(rc, "not a regular file");
	kputn("kiln-demo: /etc/init.rc: inode ", n, 0);
	kputn(", ", ino.len, 0);
	kputs(" bytes\n");
	kput_bytes(fs.base + ino.off, ino.len);
	if (ino.len && fs.base[ino.off + ino.len - 1] != '\n')
		kputs("\n");
	kputs("kiln-demo: end of /etc/init.rc\n");

	check_bootstrap(&fs);
	kputn("kiln-demo: entering bootstrap at ", fs.entry, 1);
	kputs("\n");
	err = arch_run_bootstrap(&fs);
	kputs("kiln-demo: bootstrap not run: ");
	kputs(err);
	kputs("\n");
	kputs("kiln-demo: done\n");
	arch_poweroff();
}

void
kernel_bootstrap_exited(long status)
{
	kputn("kiln-demo: bootstrap exited with status ", (uint64_t)status & 0xff, 0);
	kputs("\n");
	kputs("kiln-demo: done\n");
	arch_poweroff();
}
