-- rules/qemu.lua: `ninja run` (QEMU on the console) and `ninja boot-test` (headless, serial
-- log to a file, a timeout, expected lines in order) from a qemu{} declaration. A disk boots
-- through UEFI firmware alone: its code read-only, a copy of its variable store in the build
-- directory (the system's template is never written), the disk on virtio-blk.
local K = ...
local sfmt = string.format

local M = {}

-- per target: the QEMU binary, machine, CPU, the disk's device (qemu{ disk_device } picks
-- another, e.g. virtio-blk-device for virtio-mmio), and UEFI
-- firmware as { code, variable store template } pairs (Debian, Homebrew, source installs,
-- Fedora's edk2-aarch64 and edk2-ovmf, Arch's edk2-aarch64 and edk2-ovmf)
local machines = {
	aarch64 = { bin = "qemu-system-aarch64", machine = "virt", cpu = "cortex-a72", disk = "virtio-blk-pci",
		firmware = {
			{ "/usr/share/AAVMF/AAVMF_CODE.fd", "/usr/share/AAVMF/AAVMF_VARS.fd" },
			{ "/opt/homebrew/share/qemu/edk2-aarch64-code.fd", "/opt/homebrew/share/qemu/edk2-arm-vars.fd" },
			{ "/usr/local/share/qemu/edk2-aarch64-code.fd", "/usr/local/share/qemu/edk2-arm-vars.fd" },
			{ "/usr/share/edk2/aarch64/QEMU_EFI-pflash.raw", "/usr/share/edk2/aarch64/vars-template-pflash.raw" },
			{ "/usr/share/edk2/aarch64/QEMU_CODE.fd", "/usr/share/edk2/aarch64/QEMU_VARS.fd" } } },
	x86_64 = { bin = "qemu-system-x86_64", machine = "q35", cpu = "max", disk = "virtio-blk-pci",
		firmware = {
			{ "/usr/share/OVMF/OVMF_CODE.fd", "/usr/share/OVMF/OVMF_VARS.fd" },
			{ "/opt/homebrew/share/qemu/edk2-x86_64-code.fd", "/opt/homebrew/share/qemu/edk2-i386-vars.fd" },
			{ "/usr/local/share/qemu/edk2-x86_64-code.fd", "/usr/local/share/qemu/edk2-i386-vars.fd" },
			{ "/usr/share/edk2/ovmf/OVMF_CODE.fd", "/usr/share/edk2/ovmf/OVMF_VARS.fd" },
			{ "/usr/share/edk2/x64/OVMF_CODE.4m.fd", "/usr/share/edk2/x64/OVMF_VARS.4m.fd" } } },
}

-- what this host has for booting the target: { bin = path or nil, name, machine, cpu, disk,
-- firmware = { code, vars } or nil, looked = the firmware paths tried }; every lookup is recorded
local function host()
	local m = machines[K.conf.arch]
	local h = { name = m.bin, bin = K.core.find_program(m.bin), machine = m.machine, cpu = m.cpu,
		disk = m.disk, looked = {} }
	for _, f in ipairs(m.firmware) do
		h.looked[#h.looked + 1] = f[1]
		if K.core.stat(f[1]) == "file" and K.core.stat(f[2]) == "file" then h.firmware = f break end
	end
	return h
end

-- plugins call qemu_host() to decide whether (and how) to declare qemu{}
M.constructors = { qemu_host = host }

local function output_of(name, where)
	local x = K.by_name[name]
	if not x then K.fail(sfmt("qemu: '%s' is not a declared component or image%s", name, K.suggest(name, K.by_name)), where) end
	return x.decl == "image" and x.output or x.outputs[1]
end

function M.generate(boots)
	if #boots > 1 then
		K.fail(sfmt("only one qemu{} declaration is supported (also at %s)", boots[1].origin), boots[2].origin)
	end
	local b = boots[1]
	local m = host()
	local qemu = m.bin
	if not qemu then
		K.fail(sfmt("qemu: %s is not on PATH; install qemu-system-arm or qemu-system-x86 (Debian), qemu (Homebrew), or run ./configure --install-deps", m.name), b.origin)
	end
	local args = { K.Q(qemu), "-M", b.machine or m.machine, "-cpu", b.cpu or m.cpu, "-m", b.memory or "512M", "-no-reboot" }
	local ins = {}
	if b.kernel then
		local k = output_of(b.kernel, b.origin)
		args[#args + 1] = "-kernel " .. K.Q(k)
		ins[#ins + 1] = k
	end
	for _, l in ipairs(b.loaders or {}) do
		local f = output_of(l.image, b.origin)
		args[#args + 1] = "-device " .. K.Q(sfmt("loader,file=%s,addr=0x%x,force-raw=on", f, l.addr))
		ins[#ins + 1] = f
	end
	if b.disk then
		local d = output_of(b.disk, b.origin)
		if b.firmware then
			args[#args + 1] = "-bios " .. K.Q(b.firmware)
		else
			local fw = m.firmware
			if not fw then
				K.fail(sfmt("qemu: no UEFI firmware found (looked at %s); install qemu-efi-aarch64 or ovmf, or set firmware = PATH",
					table.concat(m.looked, ", ")), b.origin)
			end
			-- the variable store is written by the firmware: a copy in the build directory,
			-- and QEMU writes only a temporary overlay of it (snapshot=on), so every boot
			-- starts from the same state
			local vars = "out/firmware/" .. K.basename(fw[2])
			K.rule("copy_firmware", {
				{ "command", "cp $in $out" },
				{ "description", "COPY $out (the firmware's variable store)" },
			}, "rules/qemu.lua")
			K.edge { rule = "copy_firmware", outs = { vars }, ins = { fw[2] }, origin = b.origin, owner = "run" }
			args[#args + 1] = "-drive " .. K.Q("if=pflash,format=raw,unit=0,readonly=on,file=" .. fw[1])
			args[#args + 1] = "-drive " .. K.Q("if=pflash,format=raw,unit=1,snapshot=on,file=" .. vars)
			ins[#ins + 1] = fw[1]
			ins[#ins + 1] = vars
		end
		args[#args + 1] = "-drive " .. K.Q("file=" .. d .. ",format=raw,if=none,id=disk,snapshot=on")
		args[#args + 1] = "-device " .. K.Q((b.disk_device or m.disk) .. ",drive=disk")
		ins[#ins + 1] = d
	end
	if b.share then
		args[#args + 1] = "-virtfs " .. K.Q("local,path=" .. b.share .. ",mount_tag=hostshare,security_model=none")
	end
	for _, a in ipairs(b.args or {}) do args[#args + 1] = K.Q(a) end
	local cmd = table.concat(args, " ")
	-- checks are validations, so an image can be written while a check still fails; QEMU
	-- never boots a system unless every check passed
	for _, c in ipairs(K.components) do
		if c.check_stamp then ins[#ins + 1] = c.check_stamp end
	end

	K.rule("qemu_run", {
		{ "command", cmd .. " -nographic" },
		{ "description", "QEMU (Ctrl-A X quits)" },
		{ "pool", "console" },
	}, "rules/qemu.lua")
	K.edge { rule = "qemu_run", outs = { "run" }, ins = ins, origin = b.origin, owner = "run" }

	local test = { "sh", K.Q(K.conf.datadir .. "/rules/boot-test.sh"), "--log", "out/boot-test/serial.log",
		"--timeout", tostring(math.tointeger(b.timeout or 60)) }
	for _, e in ipairs(b.expect) do test[#test + 1] = "--expect " .. K.Q(e) end
	for _, e in ipairs(b.fail) do test[#test + 1] = "--fail " .. K.Q(e) end
	if b.poweroff then test[#test + 1] = "--poweroff" end
	K.rule("qemu_boot_test", {
		{ "command", table.concat(test, " ") .. " -- " .. cmd .. " -nodefaults -display none -monitor none -serial file:out/boot-test/serial.log" },
		{ "description", "BOOT-TEST (QEMU, headless; serial log in out/boot-test/serial.log)" },
		{ "pool", "console" },
	}, "rules/qemu.lua")
	K.edge { rule = "qemu_boot_test", outs = { "boot-test" }, ins = ins, origin = b.origin, owner = "boot-test" }
	K.boot = { command = cmd, inputs = ins }
end

return M
