-- lib/sysroot.lua: relibc, its CRT objects and the sysroot every static Redox program links
-- against (components.md 2.1 and 3.1). Imported by every plugin whose programs link against
-- it, so that it is declared before them: a component's relink inputs are the outputs of its
-- deps, which exist only once the dependency has been declared.
--
-- relibc (librelibc.a) and the crt0/crti/crtn crates are built with the userspace spec and
-- -Zbuild-std=core,alloc; the sysroot step (rules/redox.lua) stages libc.a, merges each CRT
-- crate's own objects into crt0.o/crti.o/crtn.o with rust-lld -r, and writes the stub archives
-- itself. A change to any of them relinks every static program (kiln cargo --relink-on) and
-- rebuilds the bootstrap, the initfs and the disk.
local R = import "redox.lua"

local dir = redox "recipes/core/relibc/source"
if fs.exists(dir) ~= "dir" then
	error(dir .. ": no relibc tree; --redox-src must point at a tree laid out like the reference fork (recipes/core/relibc/source)", 0)
end
local ws = R.workspace(dir)
R.member(ws, nil, "relibc")

local build, spec = R.cargo { component = "relibc", target = "user", std = R.std.relibc, package = "relibc", lib = true,
	dir = dir, workspace = ws, run = "relibc" }
component {
	name = "relibc",
	kind = "library",
	dir = dir,
	description = "the C library (librelibc.a), static",
	build = build,
	deps = { spec },
}

for _, crt in ipairs { "crt0", "crti", "crtn" } do
	R.member(ws, nil, crt)
	component {
		name = crt,
		kind = "library",
		dir = dir,
		description = "relibc's " .. crt .. " crate (staticlib); the sysroot keeps only its own objects as " .. crt .. ".o",
		build = (R.cargo { component = "relibc", target = "user", std = R.std.relibc, package = crt, lib = true,
			dir = dir, workspace = ws, run = "relibc" }),
		deps = { spec },
	}
end

component {
	name = "sysroot",
	kind = "library",
	dir = dir,
	description = "out/sysroot/lib: libc.a, crt0.o crti.o crtn.o, libgcc_eh.a, libunwind_stubs.a and empty libpthread/dl/rt/m",
	build = sysroot { relibc = "relibc", crt = { crt0 = "crt0", crti = "crti", crtn = "crtn" }, lld = R.tc.lld, arch = arch },
	deps = { "relibc", "crt0", "crti", "crtn" },
}

return true
