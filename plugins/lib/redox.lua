-- lib/redox.lua: what every Redox plugin shares (imported, so it runs once): the configure
-- options, the toolchain and Cranelift detection, the environment of every cargo run, the
-- generated target specs, and reading Cargo workspaces without running cargo.
--
-- Detection happens here, at gen time, by looking at files only (plugins spawn no process):
-- the toolchain directory of rustup, the Cranelift backend library, the Redox tree.
local specs = import "specs.lua"
local sfmt = string.format

local R = { specs = specs }

-- the Redox tree (--redox-src), or nil when only --plugin-dir plugins use these helpers
do
	local ok, v = pcall(function() return redox_src end)
	R.src = ok and v or nil
end

---------------------------------------------------------------------------------------------
-- options

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

---------------------------------------------------------------------------------------------
-- reading the Redox tree

-- the parsed TOML file at path (absolute); errors name the file, line and column
function R.read_toml(path)
	return toml_decode(fs.read(path), path)
end

-- a directory that must hold a populated git submodule (F29)
function R.check_submodules(dir)
	if fs.exists(dir .. "/.gitmodules") ~= "file" then return end
	local text = fs.read(dir .. "/.gitmodules")
	for path in text:gmatch("\n?%s*path%s*=%s*([^\n]+)") do
		path = path:gsub("%s+$", "")
		local full = dir .. "/" .. path
		if fs.exists(full) ~= "dir" then
			error(sfmt("%s: submodule '%s' is missing; fix: git -C %s submodule update --init %s", full, path, dir, path), 0)
		end
		if #fs.list(full) == 0 then
			error(sfmt("%s: submodule '%s' is empty; fix: git -C %s submodule update --init %s", full, path, dir, path), 0)
		end
	end
end

-- a Cargo workspace: { root, members = { {dir, package, bins = {...}, lib} }, by_bin, by_package }
-- A missing or empty member is an error naming it (cargo would refuse the whole workspace).
local workspaces = {}
function R.workspace(root)
	if workspaces[root] then return workspaces[root] end
	local top = R.read_toml(root .. "/Cargo.toml")
	local ws = { root = root, members = {}, by_bin = {}, by_package = {} }
	local function add(dir, m)
		local p = m.package or {}
		local name = p.name or error(sfmt("%s/Cargo.toml: no [package] name", dir), 0)
		local mem = { dir = dir, package = name, bins = {}, lib = m.lib ~= nil }
		if type(m.bin) == "table" then
			for _, b in ipairs(m.bin) do mem.bins[#mem.bins + 1] = b.name or name end
		end
		if #mem.bins == 0 and fs.exists(dir .. "/src/main.rs") == "file" then mem.bins[1] = name end
		if not m.lib and fs.exists(dir .. "/src/lib.rs") == "file" then mem.lib = true end
		ws.members[#ws.members + 1] = mem
		ws.by_package[name] = mem
		for _, b in ipairs(mem.bins) do ws.by_bin[b] = ws.by_bin[b] or mem end
	end
	if top.package then add(root, top) end
	local w = top.workspace or {}
	local excluded = {}
	for _, e in ipairs(w.exclude or {}) do excluded[root .. "/" .. e] = true end
	for _, pat in ipairs(w.members or {}) do
		local dirs = {}
		if pat:find("[%*%?%[]") then
			-- a glob: each component with wildcards is matched against the directory's entries;
			-- like cargo, a glob only takes directories that hold a Cargo.toml
			local cur = { root }
			for comp in pat:gmatch("[^/]+") do
				local nxt = {}
				local lpat = comp:find("[%*%?%[]") and ("^" .. comp:gsub("[%.%-%+%%%(%)%^%$]", "%%%0"):gsub("%*", ".*"):gsub("%?", ".") .. "$")
				for _, d in ipairs(cur) do
					if not lpat then
						nxt[#nxt + 1] = d .. "/" .. comp
					elseif fs.exists(d) == "dir" then
						for _, n in ipairs(fs.list(d)) do
							if n:match(lpat) and fs.exists(d .. "/" .. n) == "dir" then nxt[#nxt + 1] = d .. "/" .. n end
						end
					end
				end
				cur = nxt
			end
			for _, d in ipairs(cur) do
				if fs.exists(d .. "/Cargo.toml") == "file" then dirs[#dirs + 1] = d end
			end
		else
			dirs[1] = root .. "/" .. pat
		end
		local kept = {}
		for _, d in ipairs(dirs) do if not excluded[d] then kept[#kept + 1] = d end end
		for _, d in ipairs(kept) do
			local st = fs.exists(d)
			if st ~= "dir" then
				error(sfmt("%s/Cargo.toml: workspace member '%s' does not exist (%s); cargo refuses the whole workspace: " ..
					"remove it from members, or fetch it (git submodule update --init)", root, pat, d), 0)
			end
			if #fs.list(d) == 0 or fs.exists(d .. "/Cargo.toml") ~= "file" then
				error(sfmt("%s/Cargo.toml: workspace member '%s' is empty (no %s/Cargo.toml); an uninitialised submodule? " ..
					"fix: git -C %s submodule update --init", root, pat, d, root), 0)
			end
			add(d, R.read_toml(d .. "/Cargo.toml"))
		end
	end
	workspaces[root] = ws
	return ws
end

-- the member of ws that builds binary bin (or package pkg), or an error naming the workspace
function R.member(ws, bin, pkg)
	local m = pkg and ws.by_package[pkg] or (not pkg and ws.by_bin[bin])
	if not m then
		error(sfmt("%s/Cargo.toml: no workspace member builds %s '%s'; add the crate to [workspace] members",
			ws.root, pkg and "package" or "binary", pkg or bin), 0)
	end
	if bin then
		local found = false
		for _, b in ipairs(m.bins) do if b == bin then found = true end end
		if not found then
			error(sfmt("%s/Cargo.toml: package '%s' has no binary '%s' (it has: %s)", m.dir, m.package, bin,
				table.concat(m.bins, ", ")), 0)
		end
	end
	return m
end

---------------------------------------------------------------------------------------------
-- the toolchain

local tc = {}
R.tc = tc

-- the channel: --rust-toolchain, else the tree's rust-toolchain.toml
tc.channel = opt "rust-toolchain"
if not tc.channel and R.src then
	local f = redox "rust-toolchain.toml"
	if fs.exists(f) ~= "file" then
		error(sfmt("%s: missing, so the Rust toolchain is unknown; fix: configure --rust-toolchain=nightly-YYYY-MM-DD", f), 0)
	end
	local t = R.read_toml(f)
	tc.channel = t.toolchain and t.toolchain.channel
	if not tc.channel then
		error(sfmt("%s: no [toolchain] channel; fix: configure --rust-toolchain=nightly-YYYY-MM-DD", f), 0)
	end
end
if not tc.channel then error("no Rust toolchain: configure --rust-toolchain=NAME (e.g. nightly-2026-01-02)", 0) end

-- rustup's directory of that toolchain: <RUSTUP_HOME>/toolchains/<channel>-<host>
local home = env "RUSTUP_HOME"
if not home or home == "" then
	local h = env "HOME"
	home = (h or "") .. "/.rustup"
end
local tcs = home .. "/toolchains"
local install = sfmt("rustup toolchain install %s --profile minimal --component rust-src --component rustc-codegen-cranelift-preview", tc.channel)
if fs.exists(tcs) ~= "dir" then
	error(sfmt("no rustup toolchains in %s (RUSTUP_HOME); install rustup (https://rustup.rs), then: %s", tcs, install), 0)
end
for _, n in ipairs(fs.list(tcs)) do
	if n:sub(1, #tc.channel + 1) == tc.channel .. "-" and n:sub(#tc.channel + 2):match("^[%w_]+%-[%w_]+%-[%w_]+") then
		local host = n:sub(#tc.channel + 2)
		-- the host's own toolchain: on macOS the apple-darwin one, elsewhere not
		local mac = fs.exists("/System/Library/CoreServices") == "dir"
		if (host:find("apple%-darwin") ~= nil) == mac then
			tc.host, tc.dir = host, tcs .. "/" .. n
			break
		end
	end
end
if not tc.dir then
	error(sfmt("Rust toolchain %s is not installed (looked in %s); fix: %s", tc.channel, tcs, install), 0)
end
tc.libdir = tc.dir .. "/lib"
tc.loader_var = tc.host:find("apple%-darwin") and "DYLD_LIBRARY_PATH" or "LD_LIBRARY_PATH"
tc.dylib = tc.host:find("apple%-darwin") and "dylib" or "so"

-- rust-lld, for the links kiln drives itself (bootstrap, CRT objects)
tc.lld = tc.dir .. "/lib/rustlib/" .. tc.host .. "/bin/rust-lld"
if fs.exists(tc.lld) ~= "file" then
	local other = find_program "rust-lld"
	if not other then
		error(sfmt("%s: missing (the bootstrap and the CRT objects are linked with it); fix: rustup component add llvm-tools --toolchain %s, or reinstall the toolchain: %s",
			tc.lld, tc.channel, install), 0)
	end
	tc.lld = other
end

-- the backend of component name: --codegen-override, else --codegen
local overrides = {}
for item in (opt "codegen-override"):gmatch("[^,%s]+") do
	local n, b = item:match("^([%w_%-%.]+)=(%w+)$")
	if not n or (b ~= "cranelift" and b ~= "llvm") then
		error(sfmt("--codegen-override: '%s' is not NAME=cranelift or NAME=llvm", item), 0)
	end
	overrides[n] = b
end
function R.backend(name) return overrides[name] or opt "codegen" end

-- the Cranelift backend library, found once and only if some component needs it
local cranelift
function R.cranelift()
	if cranelift then return cranelift end
	local given = opt "cranelift"
	if given then
		if fs.exists(given) ~= "file" then
			error(sfmt("--cranelift=%s: no such file; give the path of librustc_codegen_cranelift.%s", given, tc.dylib), 0)
		end
		cranelift = given
		return cranelift
	end
	local tried = {}
	local dir = tc.dir .. "/lib/rustlib/" .. tc.host .. "/codegen-backends"
	tried[#tried + 1] = dir
	if fs.exists(dir) == "dir" then
		for _, n in ipairs(fs.list(dir)) do
			if n:match("^librustc_codegen_cranelift.*%." .. tc.dylib .. "$") then cranelift = dir .. "/" .. n return cranelift end
		end
	end
	if R.src then
		for _, p in ipairs { "rustc_codegen_cranelift/dist/lib/librustc_codegen_cranelift." .. tc.dylib,
				"rustc_codegen_cranelift/dist/lib/rustlib/" .. tc.host .. "/codegen-backends/librustc_codegen_cranelift." .. tc.dylib } do
			tried[#tried + 1] = redox(p)
			if fs.exists(redox(p)) == "file" then cranelift = redox(p) return cranelift end
		end
	end
	error(sfmt("no Cranelift backend (looked in %s); fix one of: configure --cranelift=PATH/librustc_codegen_cranelift.%s; " ..
		"rustup component add rustc-codegen-cranelift-preview --toolchain %s; " ..
		"build rustc_codegen_cranelift (./y.sh prepare && ./y.sh build) in the tree; or configure --codegen=llvm",
		table.concat(tried, ", "), tc.dylib, tc.channel), 0)
end

---------------------------------------------------------------------------------------------
-- target specs (gen/targets/) and the sysroot kiln builds (out/sysroot/lib)

R.sysroot_lib = build_path "out/sysroot/lib"

-- each spec is generated into gen/targets/ and staged as a build output out/targets/NAME.json
-- by a component of its own, which every cargo component using it depends on: a changed spec
-- rebuilds exactly the components built with it (cargo itself does not track the file)
local spec_components = {}
local function spec_component(which, name, content)
	if not spec_components[which] then
		local g = gen_file { name = "targets/" .. name .. ".json", content = content }
		component {
			name = "target-" .. which, kind = "data", dir = R.src or here ".",
			description = "the " .. which .. " target spec " .. name .. ".json",
			build = target_spec { file = g },
		}
		spec_components[which] = build_path("out/targets/" .. name .. ".json")
	end
	return "target-" .. which, spec_components[which]
end
function R.kernel_spec() return spec_component("kernel", specs.kernel_name[arch], specs.json(specs.kernel(arch))) end
function R.user_spec() return spec_component("user", specs.user_name[arch], specs.json(specs.user(arch, R.sysroot_lib))) end

-- -Zbuild-std sets of components.md section 1 (Cranelift lacks f16/f128)
R.std = {
	kernel = { crates = { "core", "alloc" }, features = { "compiler-builtins-mem", "compiler_builtins/no-f16-f128" } },
	relibc = { crates = { "core", "alloc" }, features = { "compiler_builtins/no-f16-f128" } },
	user = { crates = { "core", "alloc", "std", "panic_abort" }, features = { "compiler_builtins/no-f16-f128" } },
}

-- the flags every static userspace link needs besides the spec's CRT objects: non-PIC code,
-- abort on panic, the unwinder stubs, and muldefs for relibc's core/alloc copies (F5)
R.user_rustflags = {
	"-Crelocation-model=static", "-Cpanic=abort",
	"-Clink-arg=-z", "-Clink-arg=muldefs", "-Clink-arg=-lunwind_stubs",
}

---------------------------------------------------------------------------------------------
-- cargo runs

-- source paths as the binaries record them (panic locations, debug info): the Redox tree, the
-- build directory, -Zbuild-std's rust-src and cargo's registry would otherwise put this
-- machine's paths into every binary (F28: the elf policies reject /home/, /Users/ and the
-- build directory) and make the images depend on where the tree is checked out
R.remap = {}
do
	local cargo_home = env "CARGO_HOME"
	if not cargo_home or cargo_home == "" then cargo_home = (env "HOME" or "") .. "/.cargo" end
	local pairs_ = {
		{ tc.dir .. "/lib/rustlib/src/rust", "/rustc/src" },
		{ cargo_home, "/cargo" },
		{ build_path ".", "/kiln-build" },
	}
	if R.src then table.insert(pairs_, 1, { R.src, "/redox" }) end
	for _, p in ipairs(pairs_) do R.remap[#R.remap + 1] = "--remap-path-prefix=" .. p[1] .. "=" .. p[2] end
end

-- R.cargo { component = NAME, target = "kernel" | "user" | TRIPLE | nil (host), std = R.std.x,
--           rustflags, env, package, bin, lib, features, no_default_features, relink_on,
--           manifest, args }: a cargo{} spec whose environment kiln controls
function R.cargo(t)
	local backend = R.backend(t.component)
	local flags = {}
	if backend == "cranelift" then flags[1] = "-Zcodegen-backend=" .. R.cranelift() end
	for _, f in ipairs(t.rustflags or {}) do flags[#flags + 1] = f end
	for _, f in ipairs(R.remap) do flags[#flags + 1] = f end
	local e = {
		RUSTUP_TOOLCHAIN = tc.channel,
		CARGO_INCREMENTAL = opt "incremental" and "1" or "0",
		CARGO_NET_OFFLINE = "true",
		[tc.loader_var] = tc.libdir,
	}
	if backend == "cranelift" then e.CARGO_PROFILE_RELEASE_LTO = "false" end -- F20
	for k, v in pairs(t.env or {}) do e[k] = v end
	local target, spec_dep = t.target, nil
	if target == "kernel" then spec_dep, target = R.kernel_spec()
	elseif target == "user" then spec_dep, target = R.user_spec() end
	return cargo {
		manifest = t.manifest, package = t.package, bin = t.bin, lib = t.lib,
		target = target, profile = "release", features = t.features,
		no_default_features = t.no_default_features, rustflags = flags, env = e,
		build_std = t.std and t.std.crates, build_std_features = t.std and t.std.features,
		relink_on = t.relink_on, args = t.args, backend = backend,
	}, spec_dep
end

-- deps plus the target spec component of a build made by R.cargo
function R.deps(spec_dep, deps)
	local out = {}
	for _, d in ipairs(deps or {}) do out[#out + 1] = d end
	if spec_dep then out[#out + 1] = spec_dep end
	return out
end

-- a static userspace program of a Cargo workspace: linked against kiln's sysroot (relinked
-- when any of it changes), checked with policy kind, installed at install
function R.program(t)
	local ws = t.workspace
	local m = R.member(ws, t.bin or t.name, t.package)
	local build, spec_dep = R.cargo {
		component = t.name, target = "user", std = R.std.user, package = m.package,
		bin = t.bin or t.name, features = t.features, no_default_features = t.no_default_features,
		rustflags = R.with(R.user_rustflags, t.rustflags), env = t.env,
	}
	component {
		name = t.name,
		kind = t.kind or "userspace",
		dir = ws.root,
		description = t.description or sfmt("%s (package %s, %s)", t.bin or t.name, m.package, m.dir),
		build = build,
		deps = R.deps(spec_dep, { "sysroot" }),
		install = t.install,
	}
end

function R.with(a, b)
	local out = {}
	for _, x in ipairs(a or {}) do out[#out + 1] = x end
	for _, x in ipairs(b or {}) do out[#out + 1] = x end
	return out
end

R.base = R.src and redox "recipes/core/base/source"

return R
