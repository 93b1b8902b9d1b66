-- images.lua: the initfs (with the bootstrap, its size limit given explicitly: F7, F10), the
-- RedoxFS root, the ESP and the 512 MiB GPT disk of the reference fork (components.md 4.3):
-- BIOS boot 34-2047, EFI 2048-4095 (1 MiB), REDOX from 4096 (1,042,432 sectors, 509 MiB),
-- the backup GPT at the end. Kernel and initfs go under /boot (and /usr/lib/boot, config.lua).
import "redox"

option {
	name = "initfs-max-size", type = "size", default = "128M",
	help = "largest initfs accepted (redox-initfs-ar's --max-size; the fork's initfs is 73-77 MiB)",
}
option { name = "rootfs-size", type = "size", default = "509M", help = "size of the RedoxFS partition" }
option { name = "disk-size", type = "size", default = "512M", help = "size of the GPT disk image" }

image {
	name = "initfs", format = "initfs", bootstrap = "bootstrap", max_size = opt "initfs-max-size",
	install = { rootfs = "/boot/initfs" },
	description = "the initfs: bootstrap, drivers, init and its configuration",
}
-- the RedoxFS's size: --rootfs-size when given, else the image config's [general]
-- filesystem_size (MiB), else the option's default
local cfg = image_config()
local fs_size = opt_given "rootfs-size" or (cfg and cfg.general.filesystem_size and (cfg.general.filesystem_size .. "M")) or opt "rootfs-size"
image { name = "rootfs", format = "redoxfs", size = fs_size, description = "the RedoxFS root filesystem" }
image { name = "esp", format = "fat", size = "1M", description = "the EFI system partition (the bootloader)" }
image {
	name = "harddrive", format = "gpt", size = opt "disk-size", seed = "redox",
	description = "the bootable disk",
	partitions = {
		{ name = "BIOS", type = "bios", size = "1M" },
		{ name = "EFI", type = "esp", image = "esp" },
		{ name = "REDOX", type = "redoxfs", image = "rootfs" },
	},
}
