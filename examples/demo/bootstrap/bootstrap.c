/* bootstrap.c: the demo's bootstrap, the first user program. As in Redox, the kernel maps
 * the whole initfs at virtual 0x1000 and jumps to the header's bootstrap_entry; this ELF
 * file sits at initfs offset 0x1000 (virtual 0x2000) and runs in place, so its linker
 * script (aarch64.ld, x86_64.ld) makes every file offset F load at 0x2000 + F.
 * It finds its initfs through __initfs_header, checks it, looks up /bin/init and execs it,
 * as the Redox bootstrap does: the kernel then replaces the bootstrap by init. */
#include "fmt.h"
#include "initfs.h"
#include "sys.h"

extern const unsigned char __initfs_header[]; /* 0x1000, from the linker script */
extern const char _start[];                   /* the entry point, from DEMO_START */
int bootstrap_main(long *sp);

static int runs = 1; /* a .data variable, written below: .data is writable in place */

/* the stack lives in .bss, which the linker script keeps inside .data (backed by the file) */
__asm__(".pushsection .bss\n.balign 16\nbootstrap_stack:\n.space 16384\nbootstrap_stack_end:\n.popsection\n");
DEMO_START(bootstrap_main, DEMO_STACK(bootstrap_stack_end));

static void
put(const char *s)
{
	sys_write(1, s, fmt_len(s));
}

static void
putnum(const char *label, uint64_t v, int hex)
{
	char buf[21];

	put(label);
	put(hex ? fmt_hex(buf, v) : fmt_dec(buf, v));
}

int
bootstrap_main(long *sp)
{
	static char *argv[] = { "init", 0 };
	struct initfs fs;
	struct initfs_inode ino;
	const char *err;
	uint32_t n;
	long r;

	(void)sp;
	putnum("bootstrap: running in place, _start at ", (uint64_t)(unsigned long)_start, 1);
	putnum(", run ", (uint64_t)runs++, 0);
	put("\n");
	/* the header page is mapped; its initfs_size says how much follows */
	if ((err = initfs_open(&fs, __initfs_header, initfs_rd64(__initfs_header + 0x22)))) {
		put("bootstrap: error: initfs: ");
		put(err);
		put("\n");
		return 2;
	}
	putnum("bootstrap: initfs at ", (uint64_t)(unsigned long)__initfs_header, 1);
	putnum(", ", fs.size, 0);
	putnum(" bytes, ", fs.ninodes, 0);
	put(" inodes\n");
	if ((err = initfs_lookup(&fs, "/bin/init", &n)) || (err = initfs_inode(&fs, n, &ino))) {
		put("bootstrap: error: /bin/init: ");
		put(err);
		put("\n");
		return 2;
	}
	if (ino.type != INITFS_FILE || ino.len < 4 || fs.base[ino.off] != 0x7f ||
	    fs.base[ino.off + 1] != 'E' || fs.base[ino.off + 2] != 'L' || fs.base[ino.off + 3] != 'F') {
		put("bootstrap: error: /bin/init is not an ELF file\n");
		return 2;
	}
	putnum("bootstrap: /bin/init: inode ", n, 0);
	putnum(", ELF, ", ino.len, 0);
	put(" bytes; exec /scheme/initfs/bin/init\n");
	r = sys_exec("/scheme/initfs/bin/init", argv);
	putnum("bootstrap: error: exec /scheme/initfs/bin/init failed: error ", (uint64_t)-r, 0);
	put("\n");
	return 2;
}
