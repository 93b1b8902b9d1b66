-- kernel.lua: the demo kernel, linked at a fixed address by its linker script and checked
-- with the kernel policy (moved to the demo's load address: QEMU -kernel loads the ELF where
-- it is linked, in RAM at 0x40080000 on aarch64).
local f = import "common/flags.lua"

elf_policy {
	name = "demo-kernel",
	inherits = "kernel",
	description = "demo kernel: ET_EXEC linked by kernel/<arch>.ld at its fixed address",
	entry_base = { aarch64 = 0x40080000, x86_64 = 0x200000 },
	text_base = { aarch64 = 0x40080000, x86_64 = 0x200000 },
	min_code = 4096,
	start_symbol = "_start",
}

component {
	name = "kernel",
	kind = "kernel",
	policy = "demo-kernel",
	description = "freestanding kernel: prints the initfs, then runs the bootstrap in EL0",
	build = cross_cc {
		sources = { "kernel/" .. arch .. ".S", "kernel/" .. arch .. ".c", "kernel/main.c", "lib/initfs.c" },
		includes = f.includes,
		cflags = f.with(f.cflags, f.kernel_cflags[arch]),
		ldflags = f.ldflags,
		linker_script = "kernel/" .. arch .. ".ld",
	},
	install = { rootfs = { "/boot/kernel" }, esp = "/kiln/kernel" },
}
