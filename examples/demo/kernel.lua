-- kernel.lua: the demo kernel, linked at the Redox kernel base of its architecture by its
-- linker script and checked with the real kernel policy: ET_EXEC at 0xFFFFFF0000000000
-- (aarch64) or 0xFFFFFFFF80000000 (x86_64), entry kstart, entered through KernelArgs.
package "kernel"
local f = import "common/flags.lua"

component {
	name = "kernel",
	kind = "kernel",
	description = "Redox-shaped kernel: KernelArgs, initfs, RedoxFS on virtio-blk, user programs",
	build = cross_cc {
		sources = {
			"kernel/" .. arch .. ".S", "kernel/" .. arch .. ".c", "kernel/main.c", "kernel/proc.c",
			"kernel/virtio.c", "lib/initfs.c", "lib/redoxfs.c", "lib/lz4.c", "lib/seahash.c",
			"lib/elf.c", "lib/mem.c",
		},
		includes = f.includes,
		cflags = f.with(f.cflags, f.kernel_cflags[arch]),
		ldflags = f.ldflags,
		linker_script = "kernel/" .. arch .. ".ld",
	},
	install = { rootfs = { "/boot/kernel" } },
}
