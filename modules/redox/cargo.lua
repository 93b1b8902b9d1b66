-- modules/redox/cargo.lua: the target specs, the -Zbuild-std sets, the environment and
-- configuration of every cargo run (the tree's .cargo/config.toml chain, [patch] paths of
-- another machine), the crate cache, and R.program: a static program of a workspace.
return function(R)
	local sfmt = string.format
	local tc, specs, parent = R.tc, R.specs, R.parent
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
				build = stage { file = g, to = "targets/" .. name .. ".json" },
			}
			spec_components[which] = build_path("out/targets/" .. name .. ".json")
		end
		return "target-" .. which, spec_components[which]
	end
	function R.kernel_spec() return spec_component("kernel", specs.kernel_name[arch], specs.json(specs.kernel(arch))) end
	function R.user_spec() return spec_component("user", specs.user_name[arch], specs.json(specs.user(arch))) end

	-- -Zbuild-std sets of components.md section 1 (Cranelift lacks f16/f128)
	R.std = {
		kernel = { crates = { "core", "alloc" }, features = { "compiler-builtins-mem", "compiler_builtins/no-f16-f128" } },
		relibc = { crates = { "core", "alloc" }, features = { "compiler_builtins/no-f16-f128" } },
		user = { crates = { "core", "alloc", "std", "panic_abort" }, features = { "compiler_builtins/no-f16-f128" } },
	}

	-- the flags every static userspace link needs besides the spec's CRT objects (and the
	-- sysroot's -L, which R.cargo gives every run with the user spec): non-PIC code, abort on
	-- panic, the unwinder stubs, and muldefs for relibc's core/alloc copies (F5)
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
	if not cargo_home or cargo_home == "" then cargo_home = (env "HOME" or "") .. "/.cargo"
	elseif cargo_home:sub(1, 1) ~= "/" then
		problem(sfmt("CARGO_HOME=%s is a relative path, and cargo runs in each crate's directory; fix: export CARGO_HOME=\"$(cd %s && pwd)\" and re-run configure",
			cargo_home, cargo_home), "the environment")
	end
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
	-- config files that set a rustc wrapper (a user's sccache in ~/.cargo/config.toml), said once:
	-- kiln's cargo runs do not use it
	local wrapper_files = {}
	after_plugins(function()
		local files = {}
		for f in pairs(wrapper_files) do files[#files + 1] = f end
		table.sort(files)
		for _, f in ipairs(files) do
			note(sfmt("%s sets [build] rustc-wrapper = \"%s\": kiln's cargo runs do not use it (only configure --rustc-wrapper=PATH reaches cargo; docs/sccache.md)",
				f, wrapper_files[f]))
		end
	end)
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
						local p = R.absolute(base, e.path)
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
				if type(b["rustc-wrapper"]) == "string" and b["rustc-wrapper"] ~= "" then wrapper_files[f] = b["rustc-wrapper"] end
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
		-- the user spec's CRT objects are bare names, found in kiln's sysroot through rustc's
		-- search path (specs.lua), where the linker finds libc.a too; sccache leaves -L out of
		-- its hash, so the flag naming the build directory costs no cache hit
		if t.target == "user" then flags[#flags + 1] = "-Lnative=" .. R.sysroot_lib end
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

	-- the workspace a program names: a workspace read by R.workspace, the name of a recipe of
	-- the tree ("base": recipes/core/base/source), or a directory (relative to the plugin)
	function R.workspace_of(w, where)
		if type(w) == "table" then return w end
		if type(w) ~= "string" then error("redox.program{}: workspace = NAME (a recipe of the tree, e.g. \"base\") or a directory", 3) end
		if not w:find("/") and R.src then
			local d = redox("recipes/core/" .. w .. "/source")
			if fs.exists(d) == "dir" then return R.workspace(d) end
		end
		return R.workspace(here(w))
	end

	-- redox.program { name, workspace | source, package, bin, kind, install, features,
	--                 no_default_features, rustflags, env, description, recipe }
	-- a static userspace program built with the configured backend for the userspace target,
	-- linked against kiln's sysroot (relinked when any of it changes), checked with the policy
	-- of its kind (userspace, or initfs-bin) and installed at install. workspace names the
	-- Cargo workspace of the tree it belongs to; source is a crate anywhere else (a checkout of
	-- your own, absolute or relative to the plugin). The programs of one workspace are built
	-- by one cargo run, as the fork does. recipe is the package of the image config it belongs
	-- to (default: the plugin's `package`).
	local program_schema = {
		name = "string", workspace = "any", source = "string", package = "string", bin = "string",
		kind = "string", install = "table", features = "list", no_default_features = "boolean",
		rustflags = "list", env = "table", description = "string", recipe = "string",
	}
	function R.program(t)
		check_fields(t, program_schema, "redox.program{}")
		if type(t.name) ~= "string" then error("redox.program{} needs a name", 2) end
		if (t.workspace ~= nil) == (t.source ~= nil) then
			error(sfmt("redox.program '%s': give workspace = NAME (a recipe of the tree, e.g. \"base\") or source = DIR (a crate of your own), one of them", t.name), 2)
		end
		local ws = t.source and R.workspace(here(t.source)) or R.workspace_of(t.workspace)
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
			install = t.install, package = t.recipe,
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

	-- the source directory of recipe name of the tree (recipes/core/NAME/source)
	function R.recipe(name) return R.src and redox("recipes/core/" .. name .. "/source") or ("recipes/core/" .. name .. "/source") end

	-- the binaries of package pkg of a workspace (a recipe name or a workspace), {} when absent
	function R.bins(w, pkg)
		local m = R.member(R.workspace_of(w), nil, pkg)
		return m and m.bins or {}
	end
end
