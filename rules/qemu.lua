-- rules/qemu.lua: `ninja run` (QEMU on the console) and `ninja boot-test` (headless, serial
-- log to a file, a timeout, expected lines in order) from a qemu{} declaration. A disk boots
-- through UEFI firmware alone: its code read-only, a copy of its variable store in the build
-- directory (the system's template is never written), the disk on virtio-blk.
local ctx = ...   -- the rules context (lua/kiln.lua, docs/design.md): not kiln's state
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
	local m = machines[ctx.conf.arch]
	local h = { name = m.bin, bin = ctx.core.find_program(m.bin), machine = m.machine, cpu = m.cpu,
		disk = m.disk, looked = {} }
	for _, f in ipairs(m.firmware) do
		h.looked[#h.looked + 1] = f[1]
		if ctx.core.stat(f[1]) == "file" and ctx.core.stat(f[2]) == "file" then h.firmware = f break end
	end
	return h
end

-- plugins call qemu_host() to decide whether (and how) to declare qemu{}
M.constructors = { qemu_host = host }

-- the value of one of kiln's run options (lua/kiln.lua), and whether it was given
local function run_opt(name)
	local o = ctx.option_by_name[name]
	return o.value, o.given
end

-- the accelerator, decided from the facts alone (tests call it with made-up hosts):
-- choice is --qemu-accel; f = { os = "linux"|"macos"|..., host_arch, arch (the target's),
-- kvm = what core.access("/dev/kvm") said: "rw", "exists" or nil }. Returns the accelerator
-- ("tcg", "kvm", "hvf") and, for auto, why it is TCG where the user could do better; or nil
-- and the error for an accelerator this host cannot give (one line, ending with the fix).
-- auto: KVM on Linux when /dev/kvm is readable and writable and the target is the host's
-- arch; HVF on an arm64 Mac for aarch64; else TCG.
function M.decide_accel(choice, f)
	local same = f.host_arch == f.arch
	local fix = "; fix: --qemu-accel=auto or --qemu-accel=tcg (software emulation)"
	if choice == "auto" then
		if f.os == "linux" and same and f.kvm == "rw" then return "kvm" end
		if f.os == "macos" and same and f.arch == "aarch64" then return "hvf" end
		if f.os == "linux" and same and f.kvm == "exists" then
			return "tcg", "ninja run uses TCG: /dev/kvm is not readable and writable by you; for KVM: " ..
				"sudo usermod -aG kvm $USER, log in again and re-run configure"
		end
		return "tcg"
	elseif choice == "kvm" then
		if f.os ~= "linux" then
			return nil, sfmt("--qemu-accel=kvm: KVM is Linux's, and this host runs %s%s", f.os == "macos" and "macOS" or f.os,
				f.os == "macos" and "; fix: --qemu-accel=hvf, auto or tcg" or fix)
		elseif not same then
			return nil, sfmt("--qemu-accel=kvm: KVM runs only %s guests on this %s host, not %s%s", f.host_arch, f.host_arch, f.arch, fix)
		elseif not f.kvm then
			return nil, "--qemu-accel=kvm: this host has no /dev/kvm (the kvm module is not loaded, or virtualization " ..
				"is off in the firmware or the hypervisor); fix: load it (sudo modprobe kvm_intel, kvm_amd or kvm), " ..
				"or --qemu-accel=auto or --qemu-accel=tcg (software emulation)"
		elseif f.kvm ~= "rw" then
			return nil, "--qemu-accel=kvm: /dev/kvm is not readable and writable by you; fix: sudo usermod -aG kvm $USER, " ..
				"log in again and re-run configure, or --qemu-accel=auto or --qemu-accel=tcg (software emulation)"
		end
		return "kvm"
	elseif choice == "hvf" then
		if f.os ~= "macos" then
			return nil, "--qemu-accel=hvf: HVF is macOS's Hypervisor.framework, and this host is not macOS" ..
				(f.os == "linux" and "; fix: --qemu-accel=kvm, auto or tcg" or fix)
		elseif not same then
			return nil, sfmt("--qemu-accel=hvf: HVF runs only %s guests on this %s Mac, not %s%s", f.host_arch, f.host_arch, f.arch, fix)
		end
		return "hvf"
	end
	return "tcg"
end

-- the accelerator for this host (kiln doctor asks too); /dev/kvm is looked at only when KVM could be used (Linux,
-- the host's arch), and that look is recorded: build.ninja regenerates when /dev/kvm appears,
-- goes or changes
function M.host_accel(choice)
	local c = ctx.conf
	local f = { os = c.host_os, host_arch = c.host_arch, arch = c.arch }
	if c.host_os == "linux" and c.host_arch == c.arch and choice ~= "tcg" and choice ~= "hvf" then
		f.kvm = ctx.core.access("/dev/kvm")
	end
	return M.decide_accel(choice, f)
end

local function accel(choice, where)
	local a, why = M.host_accel(choice)
	if not a then ctx.fail(why, where) end
	if why then ctx.note(why) end
	return a
end

local function output_of(name, where)
	local x = ctx.by_name[name]
	if not x then ctx.fail(sfmt("qemu: '%s' is not a declared component or image%s", name, ctx.suggest(name, ctx.by_name)), where) end
	return x.decl == "image" and x.output or x.outputs[1]
end

function M.generate(boots)
	if #boots > 1 then
		ctx.fail(sfmt("only one qemu{} declaration is supported (also at %s)", boots[1].origin), boots[2].origin)
	end
	local b = boots[1]
	local m = host()
	local qemu = m.bin
	if not qemu then
		ctx.fail(sfmt("qemu: %s is not on PATH; install qemu-system-arm or qemu-system-x86 (Debian), qemu (Homebrew), or run ./configure --install-deps", m.name), b.origin)
	end
	-- memory: --qemu-memory (bytes) or qemu{ memory } (a size), given to QEMU in whole MiB
	local mem, mem_given = run_opt("qemu-memory")
	local what = mem_given and "--qemu-memory" or "qemu{} memory"
	if not mem_given then mem = ctx.parse_size(b.memory or "512M", "qemu{} memory", b.origin) end
	if mem < 1 << 20 or mem % (1 << 20) ~= 0 then
		ctx.fail(sfmt("%s: %d bytes; QEMU takes guest memory in whole MiB, at least 1M (e.g. 512M, 2G)", what, mem),
			mem_given and "kiln.conf" or b.origin)
	end
	mem = mem % (1 << 30) == 0 and sfmt("%dG", mem >> 30) or sfmt("%dM", mem >> 20)
	local smp, smp_given = run_opt("qemu-smp")
	if not smp_given then smp = b.smp end
	if smp and not (math.tointeger(smp) and smp >= 1 and smp <= 1024) then
		ctx.fail(sfmt("%s: %s CPUs; expected a whole number from 1 to 1024", smp_given and "--qemu-smp" or "qemu{} smp", tostring(smp)),
			smp_given and "kiln.conf" or b.origin)
	end
	smp = smp and math.tointeger(smp)
	local acc_choice, acc_given = run_opt("qemu-accel")
	local acc = accel(acc_choice, "kiln.conf")
	-- what run and boot-test share, and what each adds: run gets the accelerator, network,
	-- display and gdb; boot-test stays on TCG (reproducible) unless --qemu-accel was given
	local function base(a)
		local machine, cpu = b.machine or m.machine, b.cpu or m.cpu
		local args = { ctx.Q(qemu) }
		if a ~= "tcg" then
			if a == "kvm" and ctx.conf.arch == "aarch64" then machine = machine .. ",gic-version=host" end
			cpu = "host"
			args[#args + 1] = "-accel " .. a
		end
		for _, w in ipairs { "-M", machine, "-cpu", cpu, "-m", mem } do args[#args + 1] = w end
		if smp then args[#args + 1] = "-smp " .. smp end
		args[#args + 1] = "-no-reboot"
		return args
	end
	local run_args, test_args = base(acc), base(acc_given and acc or "tcg")
	local function add(w) run_args[#run_args + 1] = w; test_args[#test_args + 1] = w end
	local ins = {}
	if b.kernel then
		local k = output_of(b.kernel, b.origin)
		add("-kernel " .. ctx.Q(k))
		ins[#ins + 1] = k
	end
	for _, l in ipairs(b.loaders or {}) do
		local f = output_of(l.image, b.origin)
		add("-device " .. ctx.Q(sfmt("loader,file=%s,addr=0x%x,force-raw=on", f, l.addr)))
		ins[#ins + 1] = f
	end
	local run_ins = {}
	if b.disk then
		local d = output_of(b.disk, b.origin)
		if b.firmware then
			add("-bios " .. ctx.Q(b.firmware))
		else
			local fw = m.firmware
			if not fw then
				ctx.fail(sfmt("qemu: no UEFI firmware found (looked at %s); install qemu-efi-aarch64 or ovmf, or set firmware = PATH",
					table.concat(m.looked, ", ")), b.origin)
			end
			-- the variable store is written by the firmware: a copy in the build directory,
			-- and QEMU writes only a temporary overlay of it (snapshot=on), so every boot
			-- starts from the same state
			local vars = "out/firmware/" .. ctx.basename(fw[2])
			ctx.rule("copy_firmware", {
				{ "command", "cp $in $out" },
				{ "description", "COPY $out (the firmware's variable store)" },
			}, "rules/qemu.lua")
			ctx.edge { rule = "copy_firmware", outs = { vars }, ins = { fw[2] }, origin = b.origin, owner = "run" }
			add("-drive " .. ctx.Q("if=pflash,format=raw,unit=0,readonly=on,file=" .. fw[1]))
			add("-drive " .. ctx.Q("if=pflash,format=raw,unit=1,snapshot=on,file=" .. vars))
			ins[#ins + 1] = fw[1]
			ins[#ins + 1] = vars
		end
		local dev = "-device " .. ctx.Q((b.disk_device or m.disk) .. ",drive=disk")
		test_args[#test_args + 1] = "-drive " .. ctx.Q("file=" .. d .. ",format=raw,if=none,id=disk,snapshot=on")
		test_args[#test_args + 1] = dev
		if run_opt("qemu-persistent-disk") then
			-- a writable copy that the guest keeps writing; copied again only when the image
			-- is newer than it (the guest's writes make the copy newer, so they survive)
			local copy = "out/run/" .. ctx.basename(d)
			ctx.rule("copy_run_disk", {
				{ "command", "cp $in $out.tmp && mv $out.tmp $out" },
				{ "description", "COPY $out (a writable copy of the disk for ninja run)" },
			}, "rules/qemu.lua")
			ctx.edge { rule = "copy_run_disk", outs = { copy }, ins = { d }, origin = b.origin, owner = "run" }
			run_args[#run_args + 1] = "-drive " .. ctx.Q("file=" .. copy .. ",format=raw,if=none,id=disk")
			run_ins[#run_ins + 1] = copy
		else
			run_args[#run_args + 1] = "-drive " .. ctx.Q("file=" .. d .. ",format=raw,if=none,id=disk,snapshot=on")
		end
		run_args[#run_args + 1] = dev
		ins[#ins + 1] = d
	end
	if b.share then
		add("-virtfs " .. ctx.Q("local,path=" .. b.share .. ",mount_tag=hostshare,security_model=none"))
	end
	local net = run_opt("qemu-net") or b.net or "none"
	if net ~= "user" and net ~= "none" then ctx.fail(sfmt("qemu: net = '%s': expected \"user\" or \"none\"", net), b.origin) end
	if net == "user" then
		run_args[#run_args + 1] = "-netdev user,id=net0 -device virtio-net-pci,netdev=net0"
	else
		run_args[#run_args + 1] = "-nic none"
	end
	local display = run_opt("qemu-display")
	if display == "none" then
		run_args[#run_args + 1] = "-nographic"
	else
		-- the one display device (-vga none: q35 would add its standard VGA beside it)
		run_args[#run_args + 1] = (display == "ramfb" and "-vga none -device ramfb" or "-vga none -device virtio-gpu-pci") .. " -serial mon:stdio"
	end
	local gdb = run_opt("qemu-gdb")
	local gdb_say
	if gdb then
		run_args[#run_args + 1] = "-s -S"
		-- said before QEMU starts (the description may be cut to the terminal's width), with
		-- the unstripped kernel for its symbols
		local kernel
		for _, c in ipairs(ctx.components) do
			if c.kind == "kernel" and c.outputs and c.outputs[1] then kernel = c.outputs[1] break end
		end
		gdb_say = "kiln: QEMU is halted before the first instruction, with a gdb server on port 1234; attach with: gdb -ex 'target remote :1234'" ..
			(kernel and (" " .. kernel) or "") .. " (then: continue)"
	end
	for _, a in ipairs(b.args or {}) do add(ctx.Q(a)) end
	local cmd, test_cmd = table.concat(run_args, " "), table.concat(test_args, " ")
	-- checks are validations, so an image can be written while a check still fails; QEMU
	-- never boots a system unless every check passed
	for _, c in ipairs(ctx.components) do
		if c.check_stamp then ins[#ins + 1] = c.check_stamp end
	end

	local say = sfmt("QEMU (%s%s%s)", acc == "tcg" and "TCG" or acc:upper(),
		display == "none" and "; Ctrl-A X quits" or "; close the window or Ctrl-A X in the terminal quits",
		gdb and "; halted for gdb: gdb -ex 'target remote :1234'" or "")
	if gdb_say then cmd = "echo " .. ctx.Q(gdb_say) .. " && " .. cmd end
	if acc ~= "tcg" then
		-- a host whose accelerator exists but fails (KVM in a nested VM) gets the way out
		cmd = cmd .. sfmt(" || { echo 'kiln: QEMU failed under %s; where the accelerator exists but does not work (some nested VMs), run ./configure again with --qemu-accel=tcg and your other options'; exit 1; }", acc:upper())
	end
	ctx.rule("qemu_run", {
		{ "command", cmd },
		{ "description", say },
		{ "pool", "console" },
	}, "rules/qemu.lua")
	local all_run = {}
	for _, f in ipairs(ins) do all_run[#all_run + 1] = f end
	for _, f in ipairs(run_ins) do all_run[#all_run + 1] = f end
	ctx.edge { rule = "qemu_run", outs = { "run" }, ins = all_run, origin = b.origin, owner = "run" }

	local test = { "sh", ctx.Q(ctx.conf.datadir .. "/rules/boot-test.sh"), "--log", "out/boot-test/serial.log",
		"--timeout", tostring(math.tointeger(b.timeout or 60)) }
	for _, e in ipairs(b.expect) do test[#test + 1] = "--expect " .. ctx.Q(e) end
	for _, e in ipairs(b.fail) do test[#test + 1] = "--fail " .. ctx.Q(e) end
	if b.poweroff then test[#test + 1] = "--poweroff" end
	ctx.rule("qemu_boot_test", {
		{ "command", table.concat(test, " ") .. " -- " .. test_cmd .. " -nodefaults -display none -monitor none -serial file:out/boot-test/serial.log" },
		{ "description", "BOOT-TEST (QEMU, headless; serial log in out/boot-test/serial.log)" },
		{ "pool", "console" },
	}, "rules/qemu.lua")
	ctx.edge { rule = "qemu_boot_test", outs = { "boot-test" }, ins = ins, origin = b.origin, owner = "boot-test" }
end

return M
