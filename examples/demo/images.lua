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

-- the image config (config.toml, Redox's format): packages, files and users of the root
-- filesystem; --config=FILE names another
default_config "config.toml"
local cfg = image_config()
if not config_files { image = "rootfs" } then
	files { name = "config-files", image = "rootfs",
		["/etc/hostname"] = { data = "kiln-demo\n" }, ["/tmp"] = { dir = true, mode = "1777" },
		["/bin/sh"] = { symlink = "/bin/hello" } }
end

files {
	name = "root-files",
	image = "rootfs",
	["/etc/motd"] = "etc/motd",
	["/usr/share/doc/demo.txt"] = "usr/share/doc/demo.txt",
	-- newer bootloaders look under /usr/lib/boot: hard links serve both (formats.md 3.6)
	["/usr/lib/boot/kernel"] = { hardlink = "/boot/kernel" },
	["/usr/lib/boot/initfs"] = { hardlink = "/boot/initfs" },
}

image {
	name = "initfs", format = "initfs", bootstrap = "bootstrap", max_size = opt "initfs-max-size",
	install = { rootfs = "/boot/initfs" },
}
image { name = "rootfs", format = "redoxfs", size = cfg and cfg.general.filesystem_size and (cfg.general.filesystem_size .. "M") or "61M" }
image { name = "esp", format = "fat", size = "1M" }
image {
	name = "harddrive", format = "gpt", size = "64M",
	partitions = {
		{ name = "BIOS", type = "bios", size = "1M" },
		{ name = "EFI", type = "esp", image = "esp" },
		{ name = "REDOX", type = "redoxfs", image = "rootfs" },
	},
}

-- `ninja run` and `ninja boot-test`: the disk through the UEFI firmware alone; the lines
-- every stage prints, in order (firmware -> bootloader -> kernel -> bootstrap -> init ->
-- hello -> init's line for /etc/motd, read from RedoxFS through the kernel), then a clean
-- power-off. The motd's text is not expected: editing it changes only the root filesystem.

qemu {
	disk = "harddrive",
	-- the demo kernel drives virtio-mmio on aarch64 (QEMU virt's own bus), PCI on x86_64
	disk_device = arch == "aarch64" and "virtio-blk-device" or "virtio-blk-pci",
	memory = "256M",
	-- no net: the demo has no network driver (--qemu-net=user adds a virtio-net card anyway)
	expect = {
		"kiln-demo bootloader on " .. arch .. "/UEFI, started by the firmware",
		"bootloader: RedoxFS found on GPT partition",
		"bootloader: kernel /",
		"bootloader: initfs /",
		"kiln-demo: kernel started (" .. arch .. ")",
		"kiln-demo: rootfs: RedoxFS",
		"bootstrap: running in place",
		"init: running /etc/init.rc",
		"hello from kiln-demo",
		"init: /etc/motd (",
		"kiln-demo: init exited with status 0",
		"kiln-demo: done",
	},
	fail = { "bootloader: error:", "kiln-demo: error:", "bootstrap: error:", "init: error:" },
	poweroff = true,
	timeout = 60,
}
