-- images.lua: the initfs (with the bootstrap), the RedoxFS root, the ESP and the GPT disk, in
-- the installer's layout, and how QEMU boots the demo.
option {
	name = "initfs-max-size", type = "size", default = "8M",
	help = "largest initfs accepted (redox-initfs-ar's --max-size)",
}

files {
	name = "initfs-config",
	image = "initfs",
	["/etc/init.rc"] = "etc/init.rc",
}

files {
	name = "root-files",
	image = "rootfs",
	["/etc/hostname"] = "etc/hostname",
	["/etc/motd"] = "etc/motd",
	["/usr/share/doc/demo.txt"] = "usr/share/doc/demo.txt",
	["/tmp"] = { dir = true, mode = "1777" },
	["/bin/sh"] = { symlink = "/bin/hello" },
	-- newer bootloaders look under /usr/lib/boot: hard links serve both (formats.md 3.6)
	["/usr/lib/boot/kernel"] = { hardlink = "/boot/kernel" },
	["/usr/lib/boot/initfs"] = { hardlink = "/boot/initfs" },
}

files {
	name = "esp-files",
	image = "esp",
	["/kiln/README.txt"] = { data = "kiln demo ESP: the demo boots with QEMU -kernel; a Redox ESP holds EFI/BOOT/BOOTAA64.EFI\n" },
}

image {
	name = "initfs", format = "initfs", bootstrap = "bootstrap", max_size = opt "initfs-max-size",
	install = { rootfs = "/boot/initfs" },
}
image { name = "rootfs", format = "redoxfs", size = "61M" }
image { name = "esp", format = "fat", size = "1M" }
image {
	name = "harddrive", format = "gpt", size = "64M",
	partitions = {
		{ name = "BIOS", type = "bios", size = "1M" },
		{ name = "EFI", type = "esp", image = "esp" },
		{ name = "REDOX", type = "redoxfs", image = "rootfs" },
	},
}

-- `ninja run` and `ninja boot-test`: the kernel ELF through -kernel, the initfs placed by a
-- loader device at the address the kernel reads it from (kernel/aarch64.c INITFS_BASE)
if arch == "aarch64" then
	qemu {
		kernel = "kernel",
		memory = "128M",
		loaders = { { image = "initfs", addr = 0x44000000 } },
		expect = { "kiln-demo: end of /etc/init.rc", "bootstrap: running in place", "kiln-demo: done" },
		fail = { "kiln-demo: error:" },
		timeout = 60,
	}
end
