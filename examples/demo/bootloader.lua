-- bootloader.lua: the demo's UEFI bootloader, a PE32+ EFI application built with clang for
-- the *-windows target and lld-link, checked with the uefi policy and installed where UEFI
-- firmware looks for a removable disk's bootloader (EFI/BOOT/BOOTAA64.EFI, BOOTX64.EFI).
package "bootloader"
local name = arch == "x86_64" and "BOOTX64.EFI" or "BOOTAA64.EFI"

component {
	name = "bootloader",
	kind = "uefi",
	description = "finds RedoxFS on the boot disk, loads the kernel and initfs, starts the kernel",
	build = uefi_cc {
		sources = {
			"bootloader/main.c", "bootloader/disk.c", "bootloader/" .. arch .. ".c",
			"lib/redoxfs.c", "lib/lz4.c", "lib/seahash.c", "lib/elf.c", "lib/mem.c",
		},
		includes = { "lib", "bootloader" },
		cflags = { "-std=c11", "-O2", "-Wall", "-Wextra", "-mgeneral-regs-only" },
		ldflags = { "-Wl,-entry:efi_main" },
		output = name,
	},
	install = { esp = "/EFI/BOOT/" .. name },
}
