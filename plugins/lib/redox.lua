-- lib/redox.lua: what every Redox plugin shares (imported, so it runs once): the configure
-- options, the toolchain and Cranelift detection, the environment of every cargo run, the
-- generated target specs, and reading Cargo workspaces without running cargo.
--
-- Detection happens here, at gen time, by looking at files only (plugins spawn no process):
-- the toolchain directory of rustup, the Cranelift backend library, the Redox tree.
local toml = import "toml.lua"
local specs = import "specs.lua"
local sfmt = string.format

local R = { toml = toml, specs = specs }

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
--
-- Problems of the tree (a missing member, an empty submodule, a broken Cargo.toml, a [patch]
-- path of another machine) are recorded with problem() and reading goes on, so that one
-- configure run lists every one of them with its fix.

-- the parsed TOML file at path (absolute) and its text; nil after recording a problem
function R.read_toml(path)
	local text = fs.read(path)
	local t, err = toml.parse(text, path)
	if not t then problem(err, false) return nil end
	return t, text
end

-- the line of text where a key (or [table] header) matching pattern first appears at or after
-- line `from`, for messages; 1 when it is not found
function R.line_of(text, pattern, from)
	local n = 0
	for l in (text .. "\n"):gmatch("([^\n]*)\n") do
		n = n + 1
		if n >= (from or 1) and l:find(pattern) then return n end
	end
	return 1
end

local function parent(p) return p:match("^(.+)/[^/]+$") end

-- p relative to the tree's root, for the text of messages (their location stays absolute)
function R.rel(p)
	if R.src and p:sub(1, #R.src + 1) == R.src .. "/" then return p:sub(#R.src + 2) end
	return p
end

-- the .gitmodules entries of the repository at dir: path -> true
local gitmodules = {}
local function submodules_of(dir)
	if gitmodules[dir] == nil then
		local t = {}
		if fs.exists(dir .. "/.gitmodules") == "file" then
			for path in fs.read(dir .. "/.gitmodules"):gmatch("\n?%s*path%s*=%s*([^\n]+)") do
				t[(path:gsub("%s+$", ""))] = true
			end
		end
		gitmodules[dir] = t
	end
	return gitmodules[dir]
end

-- the submodule that holds dir, per the .gitmodules of the repositories from dir up to the
-- tree's root: { repo = DIR, path = P } or nil
function R.submodule(dir)
	local p = parent(dir)
	while p and R.src and #p >= #R.src do
		for sp in pairs(submodules_of(p)) do
			local full = p .. "/" .. sp
			if dir == full or dir:sub(1, #full + 1) == full .. "/" then return { repo = p, path = sp } end
		end
		p = parent(p)
	end
	return nil
end

-- dir must hold a crate (its Cargo.toml) because `why` needs it; a problem naming the fix
-- otherwise (a submodule update when dir is in a submodule). True when the crate is there.
local needed = {}
function R.need(dir, why, where)
	if needed[dir] ~= nil then return needed[dir] end
	local st = fs.exists(dir)
	local ok = st == "dir" and fs.exists(dir .. "/Cargo.toml") == "file"
	needed[dir] = ok
	if ok then return true end
	local state = st ~= "dir" and "does not exist" or (#fs.list(dir) == 0 and "is empty" or "has no Cargo.toml")
	local sm = R.submodule(dir)
	if sm then
		problem(sfmt("%s %s (a git submodule), and %s needs it; fix: git -C %s submodule update --init %s",
			R.rel(dir), state, why, sm.repo, sm.path), where or false)
	else
		problem(sfmt("%s %s, and %s needs it; fix: add the crate there, or remove the reference", R.rel(dir), state, why),
			where or false)
	end
	return false
end

-- after every plugin: the submodules of the repositories kiln read that are empty but that
-- nothing kiln builds needs (stale .gitmodules entries, or crates the build does not use)
after_plugins(function()
	local unused = {}
	for repo, t in pairs(gitmodules) do
		for sp in pairs(t) do
			local full = repo .. "/" .. sp
			local st = fs.exists(full)
			if (st ~= "dir" or #fs.list(full) == 0) and needed[full] == nil then
				local rel = R.src and full:sub(1, #R.src + 1) == R.src .. "/" and full:sub(#R.src + 2) or full
				unused[#unused + 1] = rel
			end
		end
	end
	if #unused > 0 then
		table.sort(unused)
		note(sfmt("empty or absent submodules that nothing kiln builds needs (left alone): %s", table.concat(unused, ", ")))
	end
end)

-- the dependency tables of a manifest that cargo resolves for a build: [dependencies],
-- [build-dependencies] and their [target.*] forms, plus [dev-dependencies] for workspace
-- members (cargo resolves those too)
local function dep_tables(m, dev)
	local out = {}
	local kinds = { "dependencies", "build-dependencies" }
	if dev then kinds[3] = "dev-dependencies" end
	for _, k in ipairs(kinds) do
		if type(m[k]) == "table" then out[#out + 1] = m[k] end
	end
	for _, t in pairs(type(m.target) == "table" and m.target or {}) do
		for _, k in ipairs(kinds) do
			if type(t) == "table" and type(t[k]) == "table" then out[#out + 1] = t[k] end
		end
	end
	return out
end

local function absolute(base, p)
	if p:sub(1, 1) == "/" then return p end
	local parts = {}
	for c in (base .. "/" .. p):gmatch("[^/]+") do
		if c == ".." then parts[#parts] = nil elseif c ~= "." then parts[#parts + 1] = c end
	end
	return "/" .. table.concat(parts, "/")
end

-- the directory of the tree whose path ends like p (the longest tail of p's components that
-- names a crate directory of the tree), for a path written on another machine
function R.in_tree(p)
	if not R.src then return nil end
	local comps = {}
	for c in p:gmatch("[^/]+") do comps[#comps + 1] = c end
	for i = 1, #comps - 1 do
		local tail = table.concat(comps, "/", i)
		local cand = R.src .. "/" .. tail
		if fs.exists(cand .. "/Cargo.toml") == "file" then return cand end
	end
	return nil
end

-- the path dependencies of the crate at dir (manifest m, text for line numbers): every one
-- must exist (cargo reads them all); those that exist are read in turn, once
local visited = {}
local function check_path_deps(dir, m, text, root_ws, dev)
	if visited[dir] then return end
	visited[dir] = true
	for _, tbl in ipairs(dep_tables(m, dev)) do
		for key, d in pairs(tbl) do
			local p = type(d) == "table" and d.path
			if type(d) == "table" and d.workspace == true and root_ws and root_ws.deps[key] then
				p = root_ws.deps[key].path and absolute(root_ws.root, root_ws.deps[key].path)
			elseif p then
				p = absolute(dir, p)
			end
			if type(p) == "string" then
				local where = dir .. "/Cargo.toml:" .. R.line_of(text or "", "^%s*%[?[%w%.%-_]*" .. key:gsub("%p", "%%%0"))
				if R.need(p, sfmt("%s/Cargo.toml (path dependency '%s')", R.rel(dir), key), where) then
					local dm, dt = R.read_toml(p .. "/Cargo.toml")
					if dm then check_path_deps(p, dm, dt, nil, false) end
				end
			end
		end
	end
end

-- a Cargo workspace: { root, members = { {dir, package, bins = {...}, lib} }, by_bin,
-- by_package, broken }. Every member must exist (cargo refuses the whole workspace
-- otherwise): each missing one is a problem naming it, and the workspace is `broken`.
local workspaces = {}
function R.workspace(root)
	if workspaces[root] then return workspaces[root] end
	local ws = { root = root, members = {}, by_bin = {}, by_package = {}, deps = {} }
	workspaces[root] = ws
	submodules_of(root) -- known, for the note on unused submodules
	if not R.need(root, "the build of " .. root) then ws.broken = true return ws end
	local top, text = R.read_toml(root .. "/Cargo.toml")
	if not top then ws.broken = true return ws end
	local w = top.workspace or {}
	ws.deps = type(w.dependencies) == "table" and w.dependencies or {}
	local function add(dir, m, mtext)
		local p = m.package or {}
		local name = p.name
		if type(name) ~= "string" then
			problem(sfmt("%s/Cargo.toml: no [package] name", dir), false)
			ws.broken = true
			return
		end
		local mem = { dir = dir, package = name, bins = {}, lib = m.lib ~= nil, features = m.features or {},
			manifest = m }
		if type(m.bin) == "table" then
			for _, b in ipairs(m.bin) do mem.bins[#mem.bins + 1] = b.name or name end
		end
		if #mem.bins == 0 and fs.exists(dir .. "/src/main.rs") == "file" then mem.bins[1] = name end
		if not m.lib and fs.exists(dir .. "/src/lib.rs") == "file" then mem.lib = true end
		ws.members[#ws.members + 1] = mem
		ws.by_package[name] = mem
		for _, b in ipairs(mem.bins) do ws.by_bin[b] = ws.by_bin[b] or mem end
		check_path_deps(dir, m, mtext, ws, true)
	end
	if top.package then add(root, top, text) end
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
			dirs[1] = absolute(root, pat)
		end
		for _, d in ipairs(dirs) do
			if not excluded[d] then
				local where = root .. "/Cargo.toml:" .. R.line_of(text, '"' .. pat:gsub("%p", "%%%0") .. '"')
				if R.need(d, sfmt("the workspace %s (member '%s': cargo refuses the whole workspace without it)", R.rel(root), pat), where) then
					local m, mt = R.read_toml(d .. "/Cargo.toml")
					if m then add(d, m, mt) else ws.broken = true end
				else
					ws.broken = true
				end
			end
		end
	end
	return ws
end

-- the member of ws that builds binary bin (or package pkg); nil after a problem naming the
-- workspace when there is none
function R.member(ws, bin, pkg)
	if ws.broken and not (pkg and ws.by_package[pkg] or bin and ws.by_bin[bin]) then return nil end
	local m = pkg and ws.by_package[pkg] or (not pkg and ws.by_bin[bin])
	if not m then
		problem(sfmt("%s/Cargo.toml: no workspace member builds %s '%s'; add the crate to [workspace] members",
			ws.root, pkg and "package" or "binary", pkg or bin), false)
		return nil
	end
	if bin then
		local found = false
		for _, b in ipairs(m.bins) do if b == bin then found = true end end
		if not found then
			problem(sfmt("%s/Cargo.toml: package '%s' has no binary '%s' (it has: %s)", m.dir, m.package, bin,
				table.concat(m.bins, ", ")), false)
			return nil
		end
	end
	return m
end

-- the features a package defines: its [features] keys and, as cargo does, one implicit feature
-- per optional dependency that no feature names as "dep:NAME"
function R.features(m)
	local defined, hidden = {}, {}
	for k, v in pairs(m.manifest.features or {}) do
		defined[k] = true
		for _, f in ipairs(type(v) == "table" and v or {}) do
			local d = type(f) == "string" and f:match("^dep:(.+)$")
			if d then hidden[d] = true end
		end
	end
	for _, tbl in ipairs(dep_tables(m.manifest, false)) do
		for key, d in pairs(tbl) do
			if type(d) == "table" and d.optional == true and not hidden[key] then defined[key] = true end
		end
	end
	return defined
end

---------------------------------------------------------------------------------------------
-- the toolchain

local tc = {}
R.tc = tc

-- the channel: --rust-toolchain, else the tree's rust-toolchain.toml. What is missing is a
-- problem, and detection goes on with placeholders so that the rest of the tree is checked too.
tc.channel = opt "rust-toolchain"
if not tc.channel and R.src then
	local f = redox "rust-toolchain.toml"
	if fs.exists(f) ~= "file" then
		problem(sfmt("%s: missing, so the Rust toolchain is unknown; fix: configure --rust-toolchain=nightly-YYYY-MM-DD", f), false)
	else
		local t = R.read_toml(f)
		tc.channel = t and t.toolchain and t.toolchain.channel
		if t and not tc.channel then
			problem(sfmt("%s: no [toolchain] channel; fix: configure --rust-toolchain=nightly-YYYY-MM-DD", f), false)
		end
	end
elseif not tc.channel then
	problem("no Rust toolchain: configure --rust-toolchain=NAME (e.g. nightly-2026-01-02)", false)
end
tc.channel = tc.channel or "nightly"

-- rustup's directory of that toolchain: <RUSTUP_HOME>/toolchains/<channel>-<host>
local home = env "RUSTUP_HOME"
if not home or home == "" then
	local h = env "HOME"
	home = (h or "") .. "/.rustup"
end
local tcs = home .. "/toolchains"
tc.install = sfmt("rustup toolchain install %s --profile minimal --component rust-src --component rustc-codegen-cranelift-preview", tc.channel)
local mac = fs.exists("/System/Library/CoreServices") == "dir"
if fs.exists(tcs) ~= "dir" then
	problem(sfmt("no rustup toolchains in %s (RUSTUP_HOME); fix: install rustup (https://rustup.rs), then: %s", tcs, tc.install), false)
else
	for _, n in ipairs(fs.list(tcs)) do
		if n:sub(1, #tc.channel + 1) == tc.channel .. "-" and n:sub(#tc.channel + 2):match("^[%w_]+%-[%w_]+%-[%w_]+") then
			local host = n:sub(#tc.channel + 2)
			-- the host's own toolchain: on macOS the apple-darwin one, elsewhere not
			if (host:find("apple%-darwin") ~= nil) == mac then
				tc.host, tc.dir = host, tcs .. "/" .. n
				break
			end
		end
	end
	if not tc.dir then
		problem(sfmt("Rust toolchain %s is not installed (looked in %s); fix: %s", tc.channel, tcs, tc.install), false)
	end
end
tc.found = tc.dir ~= nil
if tc.found then report(tc.channel, tc.dir) end
if R.src then report("Redox tree", R.src) end
tc.host = tc.host or (mac and "aarch64-apple-darwin" or "x86_64-unknown-linux-gnu")
tc.dir = tc.dir or (tcs .. "/" .. tc.channel .. "-" .. tc.host)
tc.libdir = tc.dir .. "/lib"
tc.loader_var = tc.host:find("apple%-darwin") and "DYLD_LIBRARY_PATH" or "LD_LIBRARY_PATH"
tc.dylib = tc.host:find("apple%-darwin") and "dylib" or "so"
tc.rust_src = tc.dir .. "/lib/rustlib/src/rust"

-- rust-lld, for the links kiln drives itself (bootstrap, CRT objects)
tc.lld = tc.dir .. "/lib/rustlib/" .. tc.host .. "/bin/rust-lld"
if tc.found and fs.exists(tc.lld) ~= "file" then
	local other = find_program "rust-lld"
	if not other then
		problem(sfmt("%s: missing (the bootstrap and the CRT objects are linked with it); fix: rustup component add llvm-tools --toolchain %s, or reinstall the toolchain: %s",
			tc.lld, tc.channel, tc.install), false)
	else
		tc.lld = other
	end
end
if tc.found then report("rust-lld", tc.lld) end
-- -Zbuild-std compiles the standard library from rust-src: checked once, when a component
-- builds with it
local rust_src_checked = false
function R.need_rust_src()
	if rust_src_checked or not tc.found then return end
	rust_src_checked = true
	if fs.exists(tc.rust_src .. "/library/Cargo.toml") ~= "file" or fs.exists(tc.rust_src .. "/library/Cargo.lock") ~= "file" then
		problem(sfmt("%s: missing, and -Zbuild-std builds the standard library from it; fix: rustup component add rust-src --toolchain %s",
			tc.rust_src, tc.channel), false)
	else
		report("rust-src", tc.rust_src)
	end
end

-- the backend of component name: --codegen-override, else --codegen
local overrides = {}
for item in (opt "codegen-override"):gmatch("[^,%s]+") do
	local n, b = item:match("^([%w_%-%.]+)=(%w+)$")
	if not n or (b ~= "cranelift" and b ~= "llvm") then
		problem(sfmt("--codegen-override: '%s' is not NAME=cranelift or NAME=llvm", item), "kiln.conf")
	end
	overrides[n] = b
end
function R.backend(name) return overrides[name] or opt "codegen" end

-- the Cranelift backend library, found once and only if some component needs it; a problem
-- (and a placeholder path) when there is none
local cranelift
function R.cranelift()
	if cranelift then return cranelift end
	local given = opt "cranelift"
	if given then
		if fs.exists(given) ~= "file" then
			problem(sfmt("--cranelift=%s: no such file; give the path of librustc_codegen_cranelift.%s", given, tc.dylib), false)
		end
		if fs.exists(given) == "file" then report("Cranelift backend", given) end
		cranelift = given
		return cranelift
	end
	local tried = {}
	local dir = tc.dir .. "/lib/rustlib/" .. tc.host .. "/codegen-backends"
	tried[#tried + 1] = dir
	if fs.exists(dir) == "dir" then
		for _, n in ipairs(fs.list(dir)) do
			if n:match("^librustc_codegen_cranelift.*%." .. tc.dylib .. "$") then
				cranelift = dir .. "/" .. n
				report("Cranelift backend", cranelift)
				return cranelift
			end
		end
	end
	if R.src then
		for _, p in ipairs { "rustc_codegen_cranelift/dist/lib/librustc_codegen_cranelift." .. tc.dylib,
				"rustc_codegen_cranelift/dist/lib/rustlib/" .. tc.host .. "/codegen-backends/librustc_codegen_cranelift." .. tc.dylib } do
			tried[#tried + 1] = redox(p)
			if fs.exists(redox(p)) == "file" then
				cranelift = redox(p)
				report("Cranelift backend", cranelift)
				return cranelift
			end
		end
	end
	problem(sfmt("no Cranelift backend (looked in %s); fix one of: configure --cranelift=PATH/librustc_codegen_cranelift.%s; " ..
		"rustup component add rustc-codegen-cranelift-preview --toolchain %s; " ..
		"build rustc_codegen_cranelift (./y.sh prepare && ./y.sh build) in the tree; or configure --codegen=llvm",
		table.concat(tried, ", "), tc.dylib, tc.channel), false)
	cranelift = dir .. "/librustc_codegen_cranelift." .. tc.dylib
	return cranelift
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
local cargo_home = env "CARGO_HOME"
if not cargo_home or cargo_home == "" then cargo_home = (env "HOME" or "") .. "/.cargo" end
R.cargo_home = cargo_home
R.remap = {}
do
	local pairs_ = {
		{ tc.rust_src, "/rustc/src" },
		{ cargo_home, "/cargo" },
		{ build_path ".", "/kiln-build" },
	}
	if R.src then table.insert(pairs_, 1, { R.src, "/redox" }) end
	for _, p in ipairs(pairs_) do R.remap[#R.remap + 1] = "--remap-path-prefix=" .. p[1] .. "=" .. p[2] end
end

-- cargo's configuration files for a run in dir, nearest first: .cargo/config (or
-- .cargo/config.toml) of dir and of every parent up to the tree's root, then $CARGO_HOME's;
-- cargo merges them, and the nearer file wins a key. (cargo also reads those of directories
-- above the tree; kiln does not look there, because a probe for a missing file depends on its
-- directory, and a home directory changes all the time: build.ninja would regenerate on
-- every run. kiln doctor warns about such files.)
local chains = {}
function R.cargo_configs(dir)
	if chains[dir] then return chains[dir] end
	local list, seen = {}, {}
	local function try(d)
		for _, n in ipairs { "/config", "/config.toml" } do
			if fs.exists(d .. n) == "file" then
				if not seen[d .. n] then list[#list + 1] = d .. n; seen[d .. n] = true end
				return
			end
		end
	end
	local top = R.src and (dir == R.src or dir:sub(1, #R.src + 1) == R.src .. "/") and R.src or dir
	local p = dir
	while p and #p >= #top do try(p .. "/.cargo"); p = parent(p) end
	try(cargo_home)
	chains[dir] = list
	return list
end

local function tkey(k) return k:match("^[%w_%-]+$") and k or ('"' .. k:gsub('[\\"]', "\\%0") .. '"') end
local function tstr(v) return '"' .. v:gsub('[\\"]', "\\%0") .. '"' end

-- what kiln tells cargo on top of the tree's own configuration for a run in dir of workspace
-- ws, and what it overrides, for `kiln show`: { config = { --config values }, overrides =
-- { lines } }. A [patch] path that does not exist here but whose tail names a crate of the
-- tree (an absolute path of another machine, like the fork's /opt/other/redox/...) is
-- pointed at the tree's copy; one that cannot be resolved is a problem naming file:line.
local remapped = {}
local overrides_cache = {}
function R.cargo_overrides(dir, ws)
	local key = dir .. "\0" .. (ws and ws.root or "")
	if overrides_cache[key] then return overrides_cache[key] end
	local res = { config = {}, overrides = {}, files = R.cargo_configs(dir) }
	local seen = {}
	local function patches(file, text, t, base)
		local srcs = {}
		for src in pairs(type(t.patch) == "table" and t.patch or {}) do srcs[#srcs + 1] = src end
		table.sort(srcs)
		for _, src in ipairs(srcs) do
			local hdr, n = 1, 0
			for l in (text .. "\n"):gmatch("([^\n]*)\n") do
				n = n + 1
				if l:find("^%s*%[patch%.") and l:find(src, 1, true) then hdr = n break end
			end
			local names = {}
			for name in pairs(t.patch[src]) do names[#names + 1] = name end
			table.sort(names)
			for _, name in ipairs(names) do
				local e = t.patch[src][name]
				local id = src .. "\0" .. name
				if type(e) == "table" and type(e.path) == "string" and not seen[id] then
					seen[id] = true
					local p = absolute(base, e.path)
					if fs.exists(p .. "/Cargo.toml") ~= "file" then
						local where = file .. ":" .. R.line_of(text, "^%s*[\"']?" .. name:gsub("%p", "%%%0") .. "[\"']?%s*=", hdr)
						local to = R.in_tree(p)
						if to then
							res.config[#res.config + 1] = sfmt("patch.%s.%s.path=%s", tkey(src), tkey(name), tstr(to))
							res.overrides[#res.overrides + 1] = sfmt("%s: [patch.%s] %s: %s does not exist here; cargo gets the tree's %s",
								where, src, name, e.path, to)
							remapped[where] = e.path
						else
							problem(sfmt("[patch.%s] %s: %s does not exist, and no directory of the tree ends like it; " ..
								"fix: point it at the crate's checkout, or remove the patch", src, name, e.path), where)
						end
					end
				elseif type(e) == "table" then
					seen[id] = true
				end
			end
		end
	end
	for _, f in ipairs(res.files) do
		local t, text = R.read_toml(f)
		if t then
			patches(f, text, t, parent(parent(f)))
			local b = type(t.build) == "table" and t.build or {}
			for _, k in ipairs { "rustflags", "rustc-wrapper", "rustc-workspace-wrapper", "target-dir", "incremental" } do
				if b[k] ~= nil then
					res.overrides[#res.overrides + 1] = sfmt("%s: [build] %s is replaced by kiln's", f, k)
				end
			end
			for triple, tt in pairs(type(t.target) == "table" and t.target or {}) do
				if type(tt) == "table" and tt.rustflags ~= nil then
					res.overrides[#res.overrides + 1] = sfmt("%s: [target.%s] rustflags is replaced by kiln's", f, triple)
				end
			end
			if type(t.net) == "table" and t.net.offline ~= nil then
				res.overrides[#res.overrides + 1] = sfmt("%s: [net] offline: kiln builds offline (ninja fetch fills the cache)", f)
			end
		end
	end
	-- the workspace root's own [patch] tables come after the configuration's (which win)
	if ws and not ws.broken and fs.exists(ws.root .. "/Cargo.toml") == "file" then
		local t, text = R.read_toml(ws.root .. "/Cargo.toml")
		if t then patches(ws.root .. "/Cargo.toml", text, t, ws.root) end
	end
	table.sort(res.overrides)
	overrides_cache[key] = res
	return res
end

after_plugins(function()
	local n, example = 0, nil
	for _, p in pairs(remapped) do n = n + 1; example = example and (example < p and example or p) or p end
	if n > 0 then
		note(sfmt("%d [patch] path%s of another machine (such as %s) point%s at the tree's own copies (kiln show NAME lists them)",
			n, n == 1 and "" or "s", example, n == 1 and "s" or ""))
	end
end)

-- the crate cache: the registry and git packages of the Cargo.lock of every workspace a cargo
-- run builds (and of rust-src's library/ for -Zbuild-std) that cargo's cache lacks; builds are
-- offline, so each would fail the build: reported once, with the command that fetches them
local locks = {}
function R.uses_lock(path) if fs.exists(path) == "file" then locks[path] = true end end
after_plugins(function()
	local have, missing, n = {}, {}, 0
	local cache = cargo_home .. "/registry/cache"
	for _, idx in ipairs(fs.exists(cache) == "dir" and fs.list(cache) or {}) do
		if fs.exists(cache .. "/" .. idx) == "dir" then
			for _, f in ipairs(fs.list(cache .. "/" .. idx)) do have[f] = true end
		end
	end
	local gitdb = {}
	for _, d in ipairs(fs.exists(cargo_home .. "/git/db") == "dir" and fs.list(cargo_home .. "/git/db") or {}) do
		gitdb[d:gsub("%-%x+$", "")] = true
	end
	local paths = {}
	for p in pairs(locks) do paths[#paths + 1] = p end
	table.sort(paths)
	for _, p in ipairs(paths) do
		local t = R.read_toml(p) or {}
		for _, pkg in ipairs(type(t.package) == "table" and t.package or {}) do
			local src = type(pkg.source) == "string" and pkg.source or ""
			local id
			if src:match("^registry%+") or src:match("^sparse%+") then
				if not have[sfmt("%s-%s.crate", pkg.name, pkg.version)] then id = pkg.name .. " " .. pkg.version end
			elseif src:match("^git%+") then
				local repo = src:match("^git%+[^?#]-([^/?#]+)[?#]") or src:match("^git%+.-([^/?#]+)$") or "?"
				repo = repo:gsub("%.git$", "")
				if not gitdb[repo] then id = pkg.name .. " (git " .. repo .. ")" end
			end
			if id and not missing[id] then missing[id] = true; n = n + 1 end
		end
	end
	if n > 0 then
		local ex = {}
		for id in pairs(missing) do ex[#ex + 1] = id end
		table.sort(ex)
		prerequisite("crate cache", sfmt("%d crates of the workspaces' Cargo.lock files are not in cargo's cache (%s), and builds are offline: " ..
			"run `ninja fetch` once with network (first missing: %s)", n, cargo_home, table.concat(ex, ", ", 1, math.min(3, #ex))))
		R.missing_crates = n
	elseif #paths > 0 then
		report("crate cache", sfmt("%s: every crate of %d Cargo.lock files", cargo_home, #paths))
	end
end)

-- R.cargo { component = NAME, target = "kernel" | "user" | TRIPLE | nil (host), std = R.std.x,
--           rustflags, env, package, bin, lib, features, no_default_features, relink_on,
--           manifest, args, dir = the crate's directory, workspace = ws }: a cargo{} spec whose
-- environment kiln controls. cargo runs in the crate's directory (or the workspace root when
-- no .cargo/config between them differs), so it reads the tree's .cargo/config.toml chain.
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
	if t.std then
		R.need_rust_src()
		R.uses_lock(tc.rust_src .. "/library/Cargo.lock")
	end
	if t.workspace then R.uses_lock(t.workspace.root .. "/Cargo.lock") end
	local cwd, ov, run = nil, nil, t.run
	if t.dir then
		cwd = t.dir
		if t.workspace and table.concat(R.cargo_configs(t.dir), "\0") == table.concat(R.cargo_configs(t.workspace.root), "\0") then
			cwd = t.workspace.root
		elseif t.workspace and run and cwd:sub(1, #t.workspace.root + 1) == t.workspace.root .. "/" then
			-- a crate with a .cargo/config of its own runs apart: base-simple-coreutils
			run = run .. "-" .. cwd:sub(#t.workspace.root + 2):gsub("/", "-")
		end
		ov = R.cargo_overrides(cwd, t.workspace)
	end
	return cargo {
		manifest = t.manifest, package = t.package, bin = t.bin, lib = t.lib,
		target = target, profile = "release", features = t.features,
		no_default_features = t.no_default_features, rustflags = flags, env = e,
		build_std = t.std and t.std.crates, build_std_features = t.std and t.std.features,
		relink_on = t.relink_on, args = t.args, backend = backend,
		cwd = cwd, config = ov and ov.config, overrides = ov and ov.overrides, config_files = ov and ov.files,
		run = run, rust_src = t.std and tc.rust_src or nil,
	}, spec_dep
end

-- a short name for the workspace at root, for cargo's runs and logs: the recipe name of the
-- tree (recipes/core/base/source: base), else the directory's name
function R.ws_name(root)
	return root:match("/recipes/[^/]+/([^/]+)/source$") or root:match("([^/]+)$")
end

-- deps plus the target spec component of a build made by R.cargo
function R.deps(spec_dep, deps)
	local out = {}
	for _, d in ipairs(deps or {}) do out[#out + 1] = d end
	if spec_dep then out[#out + 1] = spec_dep end
	return out
end

-- a static userspace program of a Cargo workspace: linked against kiln's sysroot (relinked
-- when any of it changes), checked with policy kind, installed at install. The programs of
-- one workspace are built by one cargo run (rules/cargo.lua groups them), as the fork does.
function R.program(t)
	local ws = t.workspace
	local m = R.member(ws, t.bin or t.name, t.package)
	if not m then return end
	local build, spec_dep = R.cargo {
		component = t.name, target = "user", std = R.std.user, package = m.package,
		bin = t.bin or t.name, features = t.features, no_default_features = t.no_default_features,
		rustflags = R.with(R.user_rustflags, t.rustflags), env = t.env, dir = m.dir, workspace = ws,
		run = R.ws_name(ws.root),
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
	for img, paths in pairs(t.install or {}) do
		for _, p in ipairs(type(paths) == "table" and paths or { paths }) do R.installed[img .. ":" .. p] = t.name end
	end
end

-- "image:/path" -> the program R.program installs there, for plugins that ship configuration
-- only for what is built (pcid.d tables, init.d scripts)
R.installed = {}

function R.with(a, b)
	local out = {}
	for _, x in ipairs(a or {}) do out[#out + 1] = x end
	for _, x in ipairs(b or {}) do out[#out + 1] = x end
	return out
end

R.base = R.src and redox "recipes/core/base/source"

return R
