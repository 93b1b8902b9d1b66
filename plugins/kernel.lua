-- kernel.lua: the Redox kernel (components.md 2.3), built with its own target spec (S1/S2),
-- -Zbuild-std=core,alloc with compiler-builtins-mem (no libc supplies memcpy), static
-- relocation and its linker script (F6: without it, one 332-byte PT_LOAD and entry 0).
-- Checked with the kernel policy; installed unstripped as /boot/kernel.
local R = import "lib/redox.lua"

local dir = redox "recipes/core/kernel/source"
local ws = R.workspace(dir) -- its path dependency rmm is a submodule: empty in a plain checkout (F29)
R.member(ws, "kernel")
local script = "linkers/" .. arch .. ".ld"
if fs.exists(dir .. "/" .. script) ~= "file" then
	error(dir .. "/" .. script .. ": the kernel's linker script is missing (F6)", 0)
end

local build, spec = R.cargo {
	component = "kernel", target = "kernel", std = R.std.kernel, bin = "kernel",
	rustflags = { "-Crelocation-model=static", "-Clink-arg=-T" .. dir .. "/" .. script },
	relink_on = { script }, dir = dir, workspace = ws, run = "kernel",
}

component {
	name = "kernel",
	kind = "kernel",
	dir = dir,
	description = "the kernel, linked by " .. script .. " at the kernel base",
	build = build,
	deps = { spec },
	install = { rootfs = "/boot/kernel" },
}

-- the x86_64 kernel's build.rs assembles its trampoline with nasm
if arch == "x86_64" then
	local nasm = find_program "nasm"
	if nasm then report("nasm", nasm) else prerequisite("nasm", "the x86_64 kernel's build.rs runs it: apt-get install nasm | brew install nasm") end
end
