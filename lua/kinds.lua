-- lua/kinds.lua: what a component's kind implies: its ELF policy (lua/elf_policies.lua), whether
-- its output is stripped before it goes into an image, which toolchain builds it, and the mode
-- it gets in an image.
local K = ...

local table_ = {
	kernel        = { policy = "kernel",     strip = false, toolchain = "target", mode = "0644",
	                  help = "the kernel, linked at the kernel base by its linker script" },
	bootstrap     = { policy = "bootstrap",  strip = false, toolchain = "target", mode = "0755",
	                  help = "the bootstrap program, embedded in the initfs and run in place" },
	["initfs-bin"] = { policy = "initfs-bin", strip = true, toolchain = "target", mode = "0755",
	                  help = "a static non-PIE program of the initfs (drivers, init)" },
	userspace     = { policy = "userspace",  strip = true,  toolchain = "target", mode = "0755",
	                  help = "a program of the root filesystem" },
	["host-tool"] = { policy = "host-tool",  strip = false, toolchain = "host",   mode = "0755",
	                  help = "a program that runs on the build machine" },
	uefi          = { policy = "uefi",       strip = false, toolchain = "uefi",   mode = "0644",
	                  help = "a UEFI application (PE32+), such as the bootloader" },
	library       = { policy = nil,          strip = false, toolchain = "target", mode = "0644",
	                  help = "static libraries and objects (a C library, CRT objects): not checked" },
	data          = { policy = nil,          strip = false, toolchain = nil,      mode = "0644",
	                  help = "files that are not programs" },
}

local function names()
	local l = {}
	for k in pairs(table_) do l[#l + 1] = k end
	table.sort(l)
	return table.concat(l, ", ")
end

return { table = table_, names = names }
