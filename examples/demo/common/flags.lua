-- common/flags.lua: compiler flags shared by the demo's plugins (imported, not a plugin).
-- The same flags as BUILD.md, which documents why each is there.
local f = {}

f.cflags = {
	"-std=c11", "-O2", "-Wall", "-Wextra", "-ffreestanding", "-fno-pic", "-fno-pie",
	"-fno-stack-protector", "-fno-asynchronous-unwind-tables", "-fno-unwind-tables",
	"-mgeneral-regs-only",
}
f.includes = { "lib" }
f.ldflags = { "-nostdlib", "-static", "-Wl,-z,max-page-size=4096", "-Wl,-z,noexecstack", "-Wl,--build-id=none" }

-- kernel code: no unaligned loads (aarch64: a bootloader may map RAM as device memory); no
-- red zone and the top-2-GiB code model (x86_64: linked at 0xFFFFFFFF80000000)
f.kernel_cflags = { aarch64 = { "-mstrict-align" }, x86_64 = { "-mno-red-zone", "-mcmodel=kernel" } }

-- flags plus extra ones, as a new list
function f.with(list, extra)
	local out = {}
	for _, x in ipairs(list) do out[#out + 1] = x end
	for _, x in ipairs(extra or {}) do out[#out + 1] = x end
	return out
end

return f
