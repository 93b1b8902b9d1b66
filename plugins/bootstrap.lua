-- bootstrap.lua: the first user program (components.md 2.4). cargo builds the staticlib
-- libbootstrap.a (it uses relibc's redox-rt, so it depends on the sysroot and is rebuilt with
-- relibc: F8); kiln links it with rust-lld and the bootstrap's linker script, -z
-- max-page-size=4096, so that it runs in place from the initfs at 0x2000 (F9).
local R = import "lib/redox.lua"
import "lib/sysroot.lua"

local dir = R.base .. "/bootstrap"
if fs.exists(dir .. "/Cargo.toml") ~= "file" then error(dir .. "/Cargo.toml: the bootstrap crate is missing", 0) end
local script = "src/" .. arch .. ".ld"

local build, spec = R.cargo {
	component = "bootstrap", target = "user", package = "bootstrap", lib = true,
	std = { crates = { "core", "alloc" }, features = { "compiler-builtins-mem", "compiler_builtins/no-f16-f128" } },
	rustflags = { "-Crelocation-model=static" }, dir = dir, workspace = R.workspace(dir), run = "bootstrap",
}

component {
	name = "bootstrap-lib",
	kind = "library",
	dir = dir,
	description = "libbootstrap.a (staticlib, outside the base workspace)",
	build = build,
	deps = { "sysroot", spec },
}

component {
	name = "bootstrap",
	kind = "bootstrap",
	dir = dir,
	strip = true,
	description = "the bootstrap ELF, run in place from the initfs",
	build = lld_link {
		inputs = { "bootstrap-lib" }, script = script, lld = R.tc.lld,
		args = { "--gc-sections", "-z", "max-page-size=4096" },
	},
	deps = { "bootstrap-lib" },
}
