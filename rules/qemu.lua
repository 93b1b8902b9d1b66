-- rules/qemu.lua: `ninja run` (QEMU on the console) and `ninja boot-test` (headless, serial
-- log to a file, a timeout, expected lines) from a qemu{} declaration.
local K = ...
local sfmt = string.format

local M = {}

local machines = {
	aarch64 = { bin = "qemu-system-aarch64", machine = "virt", cpu = "cortex-a72",
		firmware = { "/usr/share/AAVMF/AAVMF_CODE.fd", "/usr/share/qemu-efi-aarch64/QEMU_EFI.fd",
			"/opt/homebrew/share/qemu/edk2-aarch64-code.fd", "/usr/local/share/qemu/edk2-aarch64-code.fd" } },
	x86_64 = { bin = "qemu-system-x86_64", machine = "q35", cpu = "max",
		firmware = { "/usr/share/OVMF/OVMF_CODE.fd", "/usr/share/ovmf/OVMF.fd",
			"/opt/homebrew/share/qemu/edk2-x86_64-code.fd", "/usr/local/share/qemu/edk2-x86_64-code.fd" } },
}

-- what this host has for booting the target: { bin = path or nil, name, machine, cpu,
-- firmware = path or nil, looked = the firmware paths tried }; every lookup is recorded
local function host()
	local m = machines[K.conf.arch]
	local h = { name = m.bin, bin = K.core.find_program(m.bin), machine = m.machine, cpu = m.cpu, looked = m.firmware }
	for _, f in ipairs(m.firmware) do
		if K.core.stat(f) == "file" then h.firmware = f break end
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
		local fw = b.firmware or m.firmware
		if not fw then
			K.fail(sfmt("qemu: no UEFI firmware found (looked at %s); install qemu-efi-aarch64 or ovmf, or set firmware = PATH",
				table.concat(m.looked, ", ")), b.origin)
		end
		local d = output_of(b.disk, b.origin)
		args[#args + 1] = "-bios " .. K.Q(fw)
		args[#args + 1] = "-drive " .. K.Q("file=" .. d .. ",format=raw,if=none,id=disk,snapshot=on")
		args[#args + 1] = "-device virtio-blk-pci,drive=disk"
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
	K.rule("qemu_boot_test", {
		{ "command", table.concat(test, " ") .. " -- " .. cmd .. " -nodefaults -display none -monitor none -serial file:out/boot-test/serial.log" },
		{ "description", "BOOT-TEST (QEMU, headless; serial log in out/boot-test/serial.log)" },
		{ "pool", "console" },
	}, "rules/qemu.lua")
	K.edge { rule = "qemu_boot_test", outs = { "boot-test" }, ins = ins, origin = b.origin, owner = "boot-test" }
	K.boot = { command = cmd, inputs = ins }
end

return M
