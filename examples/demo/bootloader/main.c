/* main.c: the demo's UEFI bootloader, a PE32+ EFI application (EFI/BOOT/BOOTAA64.EFI or
 * BOOTX64.EFI on the ESP). It does what the Redox bootloader does, printing each step:
 * find the RedoxFS partition of the boot disk (disk.c), read /boot/kernel and /boot/initfs
 * from it with the demo's RedoxFS reader (lib/redoxfs.c), load the kernel's PT_LOAD
 * segments, fill in the KernelArgs (lib/bootargs.h), exit boot services and enter the
 * kernel at its higher-half address (aarch64.c, x86_64.c). */
#include "boot.h"
#include "elf.h"
#include "fmt.h"

#define KIB 1024ull
#define STACK_SIZE (128 * KIB)  /* as the Redox bootloader */
#define ENV_SIZE (64 * KIB)
#define AREAS_MAX 512
#define MAP_BYTES (64 * KIB)
#define KERNEL_SPAN (1ull << 30) /* the kernel must fit in 1 GiB above KERNEL_BASE */

EFI_SYSTEM_TABLE *ST;
static struct kernel_args args; /* lives on after boot services: the kernel reads it */

void
print(const char *s)
{
	CHAR16 buf[129];
	unsigned n = 0;

	for (; *s; s++) {
		if (*s == '\n')
			buf[n++] = '\r';
		buf[n++] = (unsigned char)*s;
		if (n >= 127 || !s[1]) {
			buf[n] = 0;
			ST->ConOut->OutputString(ST->ConOut, buf);
			n = 0;
		}
	}
}

void
printn(const char *label, uint64_t v, int hex)
{
	char buf[21];

	print(label);
	print(hex ? fmt_hex(buf, v) : fmt_dec(buf, v));
}

void
fail(const char *what, const char *why)
{
	print("bootloader: error: ");
	print(what);
	print(": ");
	print(why);
	print("\nbootloader: powering off\n");
	ST->RuntimeServices->ResetSystem(EfiResetShutdown, EFI_LOAD_ERROR, 0, 0);
	for (;;)
		;
}

void *
alloc_pages(uint64_t bytes)
{
	uint64_t addr, i, pages = (bytes + 4095) / 4096;

	if (ST->BootServices->AllocatePages(AllocateAnyPages, EfiLoaderData, pages ? pages : 1, &addr))
		fail("memory", "the firmware has no free pages left");
	for (i = 0; i < pages * 4096; i++)
		((volatile unsigned char *)addr)[i] = 0;
	return (void *)addr;
}

/* read the whole file path into fresh pages; *len = its size */
static unsigned char *
read_file(struct rfs *fs, const char *what, const char *path, uint64_t *len)
{
	static struct rfs_node node;
	unsigned char *buf;
	const char *err;
	uint64_t got;

	if ((err = rfs_lookup(fs, path, &node)))
		fail(path, err);
	if ((node.mode & RFS_MODE_TYPE) != RFS_MODE_FILE)
		fail(path, "not a regular file");
	buf = alloc_pages(node.size);
	if ((err = rfs_read(fs, &node, 0, buf, node.size, &got)))
		fail(path, err);
	if (got != node.size)
		fail(path, "shorter than its size");
	print("bootloader: ");
	print(what);
	print(" ");
	print(path);
	printn(": ", node.size, 0);
	print(" bytes\n");
	*len = node.size;
	return buf;
}

/* copy the kernel's PT_LOAD segments to fresh pages laid out as they are above KERNEL_BASE;
 * args.kernel_base/size describe them */
static uint64_t
load_kernel(const unsigned char *file, uint64_t len)
{
	struct elf_file e;
	struct elf_load s;
	uint64_t span = 0, i, k;
	unsigned char *mem;
	const char *err;
	int load;

	if ((err = elf_open(&e, file, len, ELF_MACHINE)) ||
	    (err = elf_check_layout(&e, KERNEL_BASE, KERNEL_BASE + KERNEL_SPAN)))
		fail("/boot/kernel", err);
	for (i = 0; i < e.phnum; i++) {
		elf_segment(&e, (unsigned)i, &s, &load);
		if (load && s.vaddr + s.memsz - KERNEL_BASE > span)
			span = s.vaddr + s.memsz - KERNEL_BASE;
	}
	span = (span + 4095) & ~4095ull;
	mem = alloc_pages(span);
	for (i = 0; i < e.phnum; i++) {
		elf_segment(&e, (unsigned)i, &s, &load);
		for (k = 0; load && k < s.filesz; k++)
			mem[s.vaddr - KERNEL_BASE + k] = file[s.off + k];
	}
	args.kernel_base = (uint64_t)mem;
	args.kernel_size = span;
	printn("bootloader: kernel ELF: entry ", e.entry, 1);
	printn(", ", span, 0);
	printn(" bytes at physical ", (uint64_t)mem, 1);
	print("\n");
	return e.entry;
}

/* env: the lines a Redox bootloader passes (REDOXFS_BLOCK, REDOXFS_UUID, DTB_/RSDP_) */
static void
put_env(char *env, uint64_t *n, const char *s)
{
	while (*s && *n < ENV_SIZE - 1)
		env[(*n)++] = *s++;
}

/* append v as 16 hex digits, as the Redox bootloader writes env values */
static void
put_hex16(char *env, uint64_t *n, uint64_t v)
{
	char buf[17];
	int i;

	for (i = 15; i >= 0; i--, v >>= 4)
		buf[i] = "0123456789abcdef"[v & 15];
	buf[16] = 0;
	put_env(env, n, buf);
}

/* the kernel's environment: the hardware description, REDOXFS_BLOCK, REDOXFS_UUID */
static void
make_env(const struct rfs *fs, const struct boot_disk *d, const char *hwname)
{
	char *env = alloc_pages(ENV_SIZE), uuid[37];
	uint64_t n = 0;
	int i, j = 0;

	if (hwname) {
		put_env(env, &n, hwname);
		put_env(env, &n, "_ADDR=");
		put_hex16(env, &n, args.hwdesc_base);
		put_env(env, &n, "\n");
		put_env(env, &n, hwname);
		put_env(env, &n, "_SIZE=");
		put_hex16(env, &n, args.hwdesc_size);
		put_env(env, &n, "\n");
	}
	put_env(env, &n, "REDOXFS_BLOCK=");
	put_hex16(env, &n, d->start / RFS_BLOCK);
	for (i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			uuid[j++] = '-';
		uuid[j++] = "0123456789abcdef"[fs->uuid[i] >> 4];
		uuid[j++] = "0123456789abcdef"[fs->uuid[i] & 15];
	}
	uuid[j] = 0;
	put_env(env, &n, "\nREDOXFS_UUID=");
	put_env(env, &n, uuid);
	put_env(env, &n, "\n");
	args.env_base = (uint64_t)env;
	args.env_size = n;
	print("bootloader: RedoxFS uuid ");
	print(uuid);
	printn(", generation ", fs->generation, 0);
	printn(", ", fs->size >> 20, 0);
	print(" MiB\n");
}

/* the firmware's memory map as KernelArgs areas (boot services memory becomes free, as in
 * the Redox bootloader), then ExitBootServices; retried once if the map changed */
static void
exit_boot_services(EFI_HANDLE image)
{
	EFI_MEMORY_DESCRIPTOR *map = alloc_pages(MAP_BYTES);
	struct memory_area *areas = alloc_pages(AREAS_MAX * sizeof *areas);
	UINTN size, key, dsize, i;
	uint32_t dver;
	int tries;

	for (tries = 0; tries < 2; tries++) {
		unsigned n = 0;

		size = MAP_BYTES;
		if (ST->BootServices->GetMemoryMap(&size, map, &key, &dsize, &dver))
			fail("memory map", "GetMemoryMap failed");
		for (i = 0; i + dsize <= size && n < AREAS_MAX; i += dsize) {
			const EFI_MEMORY_DESCRIPTOR *m = (const void *)((char *)map + i);
			uint64_t kind = AREA_RESERVED;

			if (m->Type == EfiLoaderCode || m->Type == EfiLoaderData ||
			    m->Type == EfiBootServicesCode || m->Type == EfiBootServicesData ||
			    m->Type == EfiConventionalMemory)
				kind = AREA_FREE;
			if (n && areas[n - 1].kind == kind &&
			    areas[n - 1].base + areas[n - 1].size == m->PhysicalStart) {
				areas[n - 1].size += m->NumberOfPages * 4096;
				continue;
			}
			areas[n].base = m->PhysicalStart;
			areas[n].size = m->NumberOfPages * 4096;
			areas[n].kind = kind;
			n++;
		}
		args.areas_base = (uint64_t)areas;
		args.areas_size = n * sizeof *areas;
		if (ST->BootServices->ExitBootServices(image, key) == EFI_SUCCESS)
			return;
	}
	fail("ExitBootServices", "the firmware refused twice (its memory map kept changing)");
}

/* does path exist in the filesystem? */
static int
is_file(struct rfs *fs, const char *path)
{
	static struct rfs_node node;

	return !rfs_lookup(fs, path, &node);
}

EFI_STATUS
efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	struct boot_disk *disk;
	struct rfs *fs;
	const char *err, *hwname, *kpath, *ipath;
	unsigned char *kfile, *initfs;
	uint64_t klen, ilen, entry, root, i;

	ST = st;
	print("\nkiln-demo bootloader on ");
	print(arch_name);
	print("/UEFI, started by the firmware: ");
	for (i = 0; st->FirmwareVendor && st->FirmwareVendor[i] && i < 64; i++) {
		char c[2] = { (char)(st->FirmwareVendor[i] < 128 ? st->FirmwareVendor[i] : '?'), 0 };

		print(c);
	}
	printn(" revision ", st->FirmwareRevision, 1);
	print("\n");

	disk = alloc_pages(sizeof *disk);
	find_redoxfs(image, disk);
	fs = alloc_pages(sizeof *fs);
	if ((err = rfs_open(fs, disk_read, disk, disk->bytes, alloc_pages(RFS_RECORD_MAX),
	    alloc_pages(RFS_RECORD_MAX))))
		fail("RedoxFS", err);
	printn("bootloader: RedoxFS found on GPT partition ", disk->number, 0);
	printn(" at byte ", disk->start, 1);
	print("\n");

	/* newer Redox layouts keep them in /usr/lib/boot, older ones in /boot */
	kpath = is_file(fs, "/usr/lib/boot/kernel") ? "/usr/lib/boot/kernel" : "/boot/kernel";
	ipath = is_file(fs, "/usr/lib/boot/initfs") ? "/usr/lib/boot/initfs" : "/boot/initfs";
	kfile = read_file(fs, "kernel", kpath, &klen);
	entry = load_kernel(kfile, klen);
	initfs = read_file(fs, "initfs", ipath, &ilen);
	if (ilen < 8 || initfs[0] != 'R' || initfs[1] != 'e' || initfs[2] != 'd' || initfs[3] != 'o' ||
	    initfs[4] != 'x' || initfs[5] != 'F' || initfs[6] != 't' || initfs[7] != 'w')
		fail(ipath, "no initfs (the magic is not RedoxFtw)");
	args.bootstrap_base = (uint64_t)initfs; /* alloc_pages: page-aligned, zero-padded */
	args.bootstrap_size = (ilen + 4095) & ~4095ull;

	arch_hwdesc(&args.hwdesc_base, &args.hwdesc_size, &hwname);
	make_env(fs, disk, hwname);
	args.stack_base = (uint64_t)alloc_pages(STACK_SIZE);
	args.stack_size = STACK_SIZE;
	root = arch_paging(args.kernel_base, args.kernel_size);
	printn("bootloader: exiting boot services; entering the kernel at ", entry, 1);
	printn(" with KernelArgs at ", (uint64_t)&args, 1);
	print("\n");
	exit_boot_services(image);
	arch_enter(root, PHYS_OFFSET + args.stack_base + args.stack_size, entry, &args);
}
