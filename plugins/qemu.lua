-- qemu.lua: `ninja run` and `ninja boot-test` (components.md 5): UEFI firmware found on the
-- host, the disk on virtio-blk (snapshot=on: the guest never writes the image), aarch64 on
-- virt/cortex-a72 (TCG works everywhere), x86_64 on q35; an optional 9p share (--share=DIR,
-- /scheme/9p.hostshare in the guest). boot-test waits for --boot-expect (default the login
-- prompt) and fails on the kernel's crash and bootstrap signatures (F7).
import "lib/redox.lua"

option { name = "share", type = "path", help = "a host directory shared with the guest over 9p (mount tag hostshare)" }
option { name = "boot-expect", type = "string", default = "redox login:", help = "the serial line that means the boot succeeded" }
option { name = "boot-timeout", type = "int", default = 300, help = "seconds boot-test waits for --boot-expect" }
option { name = "qemu-memory", type = "string", default = "2G", help = "guest memory" }

local m = {
	aarch64 = { bin = "qemu-system-aarch64", machine = "virt", cpu = "cortex-a72",
		firmware = { "/usr/share/AAVMF/AAVMF_CODE.fd", "/usr/share/qemu-efi-aarch64/QEMU_EFI.fd",
			"/opt/homebrew/share/qemu/edk2-aarch64-code.fd", "/usr/local/share/qemu/edk2-aarch64-code.fd" } },
	x86_64 = { bin = "qemu-system-x86_64", machine = "q35", cpu = "max",
		firmware = { "/usr/share/OVMF/OVMF_CODE.fd", "/usr/share/ovmf/OVMF.fd",
			"/opt/homebrew/share/qemu/edk2-x86_64-code.fd", "/usr/local/share/qemu/edk2-x86_64-code.fd" } },
}
m = m[arch]

local share = opt "share"
if share and fs.exists(share) ~= "dir" then error("--share=" .. share .. ": no such directory", 0) end

local fw
for _, f in ipairs(m.firmware) do if fs.exists(f) == "file" then fw = f break end end
if not find_program(m.bin) or not fw then
	print(string.format("no %s or UEFI firmware (looked at %s): `ninja run` and `ninja boot-test` are not defined; " ..
		"install qemu-system-arm qemu-efi-aarch64 (Debian) or qemu (Homebrew), then re-run configure; kiln doctor checks it",
		m.bin, table.concat(m.firmware, ", ")))
	return
end

qemu {
	disk = "harddrive",
	machine = m.machine,
	cpu = m.cpu,
	memory = opt "qemu-memory",
	firmware = fw,
	share = share,
	args = { "-smp", "2" },
	expect = { opt "boot-expect" },
	fail = { "Bootstrap entry point: FFFFFFFFFFFFFFFF", "FATAL: Not an SVC induced synchronous exception", "UNHANDLED EXCEPTION" },
	timeout = opt "boot-timeout",
}
