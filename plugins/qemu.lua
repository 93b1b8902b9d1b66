-- qemu.lua: `ninja run` and `ninja boot-test` (components.md 5): UEFI firmware found on the
-- host, the disk on virtio-blk (snapshot=on: the guest never writes the image), aarch64 on
-- virt/cortex-a72 (TCG works everywhere), x86_64 on q35; an optional 9p share (--share=DIR,
-- /scheme/9p.hostshare in the guest). boot-test waits for --boot-expect (default the login
-- prompt) and fails on the kernel's crash and bootstrap signatures (F7).
local R = import "redox"

option { name = "share", type = "path", help = "a host directory shared with the guest over 9p (mount tag hostshare)" }
option { name = "boot-expect", type = "string",
	help = "the serial line that means the boot succeeded (default: 'redox login:' when getty and login are in the image, else 'init: running: ion')" }
option { name = "boot-timeout", type = "int", default = 300, help = "seconds boot-test waits for --boot-expect" }

local m = qemu_host()

local share = opt "share"
if share and fs.exists(share) ~= "dir" then error("--share=" .. share .. ": no such directory", 0) end

if not m.bin or not m.firmware then
	print(string.format("no %s or UEFI firmware (looked at %s): `ninja run` and `ninja boot-test` are not defined; " ..
		"install qemu-system-arm qemu-efi-aarch64 (Debian) or qemu (Homebrew), then re-run configure; kiln doctor checks it",
		m.name, table.concat(m.looked, ", ")))
	return
end
-- what the console prints once the system is up depends on what is in the image: known once
-- every plugin has declared its programs
after_plugins(function()
	local expect = opt "boot-expect"
	if not expect then
		local getty = R.installed["rootfs:/usr/bin/getty"] and R.installed["rootfs:/usr/bin/login"]
		expect = getty and "redox login:" or "init: running: ion"
		note(getty and "boot-test waits for 'redox login:' (getty and login are in the image)"
			or "boot-test waits for 'init: running: ion' (no getty and login in the tree: the console runs ion)")
	end
	qemu {
		disk = "harddrive",
		machine = m.machine,
		cpu = m.cpu,
		memory = "2G",
		smp = 2,
		net = "user",
		share = share,
		expect = { expect },
		fail = { "Bootstrap entry point: FFFFFFFFFFFFFFFF", "FATAL: Not an SVC induced synchronous exception", "UNHANDLED EXCEPTION" },
		timeout = opt "boot-timeout",
	}
end)
