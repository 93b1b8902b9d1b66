-- modules/redox/init.lua: the Redox module. Any plugin, in any directory, gets it with
--
--     local redox = import "redox"
--
-- It holds what every Redox plugin shares, so that a plugin only says what to build:
--   tree.lua       reading the tree: TOML, git submodules, Cargo workspaces, members, features
--   toolchain.lua  the Rust toolchain, rust-src, rust-lld, Cranelift, the backend per component
--   cargo.lua      target specs, cargo's environment and configuration, the crate cache,
--                  redox.program (a static program of a workspace or of a crate outside the tree)
--   components.lua redox.kernel, redox.bootstrap, redox.multicall (uutils), redox.bootloader
--   sysroot.lua    relibc, its CRT objects and the sysroot every static program links against
--   checks.lua     init scripts and driver tables checked against the image they go into
--   stamp.lua      the build stamp of init.rc and /etc/kiln-build
--   specs.lua      the target specifications
-- docs/plugins.md documents every function. Detection happens at gen time by looking at files
-- only (plugins spawn no process); problems are reported together, each with its fix.
local R = { specs = import "specs.lua", dir = here "." }

-- the Redox tree (--redox-src), or nil when only --plugin-dir plugins use the module
do
	local ok, v = pcall(function() return redox_src end)
	R.src = ok and v or nil
end

option { name = "rust-toolchain", type = "string",
	help = "rustup toolchain for every Redox component, e.g. nightly-2026-01-02 (default: the tree's rust-toolchain.toml)" }
option { name = "codegen", type = "choice", values = { "cranelift", "llvm" }, default = "cranelift",
	help = "Rust code generator for the target components" }
option { name = "codegen-override", type = "string", default = "",
	help = "per-component backends, e.g. ion=llvm,kernel=cranelift" }
option { name = "cranelift", type = "path",
	help = "librustc_codegen_cranelift.so/.dylib (default: the toolchain's rustc-codegen-cranelift-preview, then rustc_codegen_cranelift/dist in the tree)" }
option { name = "bootloader", type = "path",
	help = "prebuilt UEFI bootloader (BOOTAA64.EFI / BOOTX64.EFI); Cranelift cannot emit PE/COFF" }
option { name = "incremental", type = "bool", default = true, help = "CARGO_INCREMENTAL for every cargo run" }

-- the image config of the tree (Redox's config/ARCH/*.toml): minimal-net, else minimal, unless
-- --config names another; it says which packages, files and users the image has
if R.src then
	for _, n in ipairs { "minimal-net", "minimal" } do
		local p = redox("config/" .. arch .. "/" .. n .. ".toml")
		if fs.exists(p) == "file" then default_config(p) break end
	end
end

for _, part in ipairs { "tree.lua", "toolchain.lua", "cargo.lua", "sysroot.lua", "components.lua", "checks.lua" } do
	import(part)(R)
end
R.stamp = import "stamp.lua"
return R
