-- rules/cargo.lua: Rust crates built by cargo through `kiln cargo`, which controls cargo's
-- environment (RUSTFLAGS only from the plugin, no RUSTC_WRAPPER), runs cargo in the crate's
-- directory (so that cargo reads the tree's .cargo/config.toml files), merges cargo's dep-info
-- into the edge's depfile, forces a relink when a link input cargo does not track changed (a
-- C library's libc.a, CRT objects given to the linker), and leaves an output untouched when
-- cargo did not change it (restat).
--
-- One cargo run per workspace: the cargo{} specs that differ only in package, bin and
-- features (same manifest, directory, target, profile, backend, flags, environment and
-- dependencies) are built by one `cargo build -p a -p b ...`, as cargo users build a
-- workspace: features are unified across them as cargo unifies them, and cargo compiles in
-- parallel. Each binary is still its own output, so restat stops a rebuild at the binaries
-- whose bytes did not change.
local ctx = ...   -- the rules context (lua/kiln.lua, docs/design.md): not kiln's state
local sfmt = string.format

local M = { constructors = {} }

local schema = {
	manifest = "string", package = "string", bin = "string", lib = "boolean", target = "string",
	profile = "string", features = "list", no_default_features = "boolean", rustflags = "list",
	env = "table", build_std = "list", build_std_features = "list", relink_on = "list",
	args = "list", artifact = "string", backend = "string", target_dir = "string",
	cwd = "string", config = "list", overrides = "list", config_files = "list", alone = "boolean",
	run = "string", rust_src = "string",
}

function M.constructors.cargo(t)
	local where = ctx.origin()
	ctx.check_fields(t, schema, "cargo{}", where)
	if t.bin and t.lib then ctx.fail("cargo{}: give bin or lib, not both", where) end
	local s = { is_spec = true, module = "cargo", origin = where }
	for k, v in pairs(t) do s[k] = v end
	for _, k in ipairs { "features", "rustflags", "build_std", "build_std_features", "relink_on", "args",
			"config", "overrides", "config_files" } do
		s[k] = ctx.aslist(t[k])
	end
	s.env = t.env or {}
	for k, v in pairs(s.env) do
		if type(k) ~= "string" or type(v) ~= "string" then ctx.fail("cargo{}: env maps names to strings", where) end
	end
	return s
end

-- the directory cargo puts artifacts in for a target: a triple, or a target-spec JSON path
local function target_name(target)
	if not target then return nil end
	return (ctx.basename(target):gsub("%.json$", ""))
end

local groups, order = {}, {}

function M.generate(c, s)
	local manifest = ctx.check_path(ctx.join(c.dir, s.manifest or "Cargo.toml"), c.name, s.origin)
	local profile = s.profile or "release"
	local tname = target_name(s.target)
	local backend = s.backend or "llvm"
	local tdir = s.target_dir or sfmt("out/cargo/%s-%s", tname or "host", backend)
	local name = s.bin or s.package or c.name
	local artifact = s.artifact
	if not artifact then
		if s.lib then artifact = "lib" .. name:gsub("-", "_") .. ".a" else artifact = name end
	end
	local pdir = profile == "dev" and "debug" or profile
	local apath = tdir .. "/" .. (tname and (tname .. "/") or "") .. pdir .. "/" .. artifact

	local common = {} -- the arguments every member of a run shares
	if profile == "release" then common[#common + 1] = "--release"
	elseif profile ~= "dev" then common[#common + 1] = "--profile"; common[#common + 1] = profile end
	local spec -- a target-spec file is an input: editing it rebuilds the crate
	if s.target then
		if s.target:match("%.json$") then
			-- a generated spec (gen/...) or an absolute path stays as it is
			spec = (s.target:sub(1, 1) == "/" or s.target:match("^gen/") or s.target:match("^out/"))
				and ctx.normalize(s.target) or ctx.join(c.dir, s.target)
			-- inside the build dir, the node is the relative path the producing edge names
			local bd = ctx.conf.builddir .. "/"
			if spec:sub(1, #bd) == bd then spec = spec:sub(#bd + 1) end
		end
	end
	local target_args, tail = {}, {}
	if s.target then
		target_args[1] = "--target"
		target_args[2] = spec and (spec:sub(1, 1) == "/" and spec or (ctx.conf.builddir .. "/" .. spec)) or s.target
	end
	local feats_tail = {}
	if s.no_default_features then feats_tail[1] = "--no-default-features" end
	if #s.build_std > 0 then tail[#tail + 1] = "-Zbuild-std=" .. table.concat(s.build_std, ",") end
	if #s.build_std_features > 0 then
		tail[#tail + 1] = "-Zbuild-std-features=" .. table.concat(s.build_std_features, ",")
	end
	for _, v in ipairs(s.config) do tail[#tail + 1] = "--config"; tail[#tail + 1] = v end
	for _, a in ipairs(s.args) do tail[#tail + 1] = a end

	local flags = { "--manifest-path=" .. manifest, "--target-dir=" .. tdir }
	if s.cwd then flags[#flags + 1] = "--cwd=" .. s.cwd end
	for _, f in ipairs(s.rustflags) do flags[#flags + 1] = "--rustflag=" .. f end
	local envs = {}
	for k in pairs(s.env) do envs[#envs + 1] = k end
	table.sort(envs)
	for _, k in ipairs(envs) do flags[#flags + 1] = "--env=" .. k .. "=" .. s.env[k] end
	-- link inputs cargo does not track: declared ones and every dependency's outputs
	local relink = {}
	for _, f in ipairs(s.relink_on) do relink[#relink + 1] = ctx.join(c.dir, f) end
	for _, f in ipairs(ctx.dep_outputs(c)) do relink[#relink + 1] = f end
	-- kiln cargo decides the environment, the artifact copies and the relinks: the kiln binary
	-- is an input like the manifest (a rebuilt kiln reruns cargo, which finds its units fresh;
	-- restat keeps what follows)
	local imps = { manifest, ctx.conf.kiln }
	if spec then imps[#imps + 1] = spec end
	-- configure --rustc-wrapper (sccache): its settings file is an input (a changed setting
	-- reruns cargo); the file holds the secrets, build.ninja only its name
	if ctx.conf.rustc_wrapper ~= "" then
		flags[#flags + 1] = "--rustc-wrapper=" .. ctx.conf.rustc_wrapper
		flags[#flags + 1] = "--wrapper-env=sccache.env"
		imps[#imps + 1] = "sccache.env"
	end
	for _, f in ipairs(relink) do
		flags[#flags + 1] = "--relink-on=" .. f
		imps[#imps + 1] = f
	end
	local out = ctx.outdir(c) .. "/" .. artifact

	-- the run this spec joins: everything but package, bin and features must agree
	local key = table.concat({ manifest, s.cwd or "", s.lib and "lib" or "bin", table.concat(common, " "),
		table.concat(target_args, "\31"), table.concat(tail, "\31"), table.concat(feats_tail, " "), table.concat(flags, "\31"),
		s.alone and c.name or "", s.run or "" }, "\30")
	local g = groups[key]
	if not g then
		g = { common = common, target_args = target_args, tail = tail, feats_tail = feats_tail, flags = flags, imps = imps, lib = s.lib,
			manifest = manifest, members = {}, run = s.run or ctx.basename(ctx.dirname(manifest)) }
		groups[key] = g
		order[#order + 1] = g
	end
	local vals = (not s.lib) and ctx.rules_module("elf").checks(c, out) or nil
	g.members[#g.members + 1] = { c = c, s = s, artifact = apath, out = out, vals = vals }
	c.cargo = { manifest = manifest, target_dir = tdir, artifact = apath, cwd = s.cwd, group = g,
		overrides = s.overrides, config_files = s.config_files }
	return { out }
end

-- what finds cargo, rustc and their caches, as configure saw it (recorded in kiln.env, so the
-- build runs the toolchain configure checked, whatever the shell that runs ninja holds; a
-- changed value changes every cargo command, so ninja reruns them): the cargo program
-- ($CARGO, else cargo on the recorded PATH) and the variables `kiln cargo` passes on
local function tool_args()
	local t = {}
	local cargo = ctx.core.getenv("CARGO")
	if cargo and cargo ~= "" then t[1] = "--cargo=" .. cargo end
	for _, n in ipairs { "PATH", "HOME", "CARGO_HOME", "RUSTUP_HOME", "TMPDIR" } do
		local v = ctx.core.getenv(n)
		t[#t + 1] = v and ("--tool-env=" .. n .. "=" .. v) or ("--tool-env=-" .. n)
	end
	for i, a in ipairs(t) do t[i] = (ctx.Q(a):gsub("%$", "$$")) end
	return table.concat(t, " ")
end

-- one edge per run, once every component has been generated
function M.finish()
	if #order == 0 then return end
	local logs = {}
	M.tools = M.tools or tool_args()
	ctx.rule("cargo", {
		{ "command", ctx.Q(ctx.conf.kiln) .. " cargo " .. M.tools .. " $flags --depfile=$dep -- $args" },
		{ "description", "CARGO $what" },
		{ "depfile", "$dep" },
		{ "deps", "gcc" },
		{ "restat", "1" },
		{ "pool", "console" },
	}, "rules/cargo.lua")
	for _, g in ipairs(order) do
		local single = #g.members == 1
		local args = { "build", "--offline", "--manifest-path", g.manifest }
		for _, a in ipairs(g.common) do args[#args + 1] = a end
		local feats, pkgs = {}, {}
		for _, m in ipairs(g.members) do
			if m.s.package and not pkgs[m.s.package] then
				pkgs[m.s.package] = true
				args[#args + 1] = "-p"; args[#args + 1] = m.s.package
			end
		end
		for _, m in ipairs(g.members) do
			if m.s.bin then args[#args + 1] = "--bin"; args[#args + 1] = m.s.bin end
			for _, f in ipairs(m.s.features) do
				-- with several packages in one run, a feature names its package
				feats[#feats + 1] = (single or not m.s.package or f:find("/", 1, true)) and f or (m.s.package .. "/" .. f)
			end
		end
		if g.lib then args[#args + 1] = "--lib" end
		for _, a in ipairs(g.target_args) do args[#args + 1] = a end
		if #feats > 0 then args[#args + 1] = "--features"; args[#args + 1] = table.concat(feats, ",") end
		for _, a in ipairs(g.feats_tail) do args[#args + 1] = a end
		for _, a in ipairs(g.tail) do args[#args + 1] = a end
		-- cargo's whole output is kept (out/logs/RUN.log): a run named twice gets a suffix
		local log = "out/logs/" .. g.run .. ".log"
		local n = 1
		while logs[log] do n = n + 1; log = sfmt("out/logs/%s-%d.log", g.run, n) end
		logs[log] = true
		local flags, outs, vals = { "--log=" .. log }, {}, {}
		for _, f in ipairs(g.flags) do flags[#flags + 1] = f end
		for _, m in ipairs(g.members) do
			flags[#flags + 1] = "--artifact=" .. m.artifact
			flags[#flags + 1] = "--out=" .. m.out
			outs[#outs + 1] = m.out
			for _, v in ipairs(m.vals or {}) do vals[#vals + 1] = v end
		end
		local qa, qf = {}, {}
		for _, a in ipairs(args) do qa[#qa + 1] = ctx.Q(a) end
		for _, f in ipairs(flags) do qf[#qf + 1] = ctx.Q(f) end
		local first = g.members[1].c
		local what = single and outs[1] or sfmt("%s: %d crates", g.run, #g.members)
		ctx.edge { rule = "cargo", outs = outs, imps = g.imps,
			vals = #vals > 0 and vals or nil,
			vars = { { "flags", table.concat(qf, " ") }, { "args", table.concat(qa, " ") },
				{ "dep", outs[1] .. ".d" }, { "what", what } },
			origin = first.origin, owner = first.name }
		for _, m in ipairs(g.members) do m.c.cargo.args, m.c.cargo.log = args, log end
	end
	M.old_sccache_note()
	M.fetch_edges()
end

-- configure --rustc-wrapper with an old sccache: before 0.10.0 it caches no rustc run with
-- --remap-path-prefix (mozilla/sccache#2270), before 0.9.1 none with --target SPEC.json
-- (#2269); every Redox run has both (Debian 12 has 0.4.0~pre6). Those runs compile uncached,
-- byte-identical; the summary says so, with how many runs it concerns.
local since = { remap = { 0, 10, 0 }, json = { 0, 9, 1 } }
local function older(v, than)
	for i = 1, 3 do
		if v[i] ~= than[i] then return v[i] < than[i] end
	end
	return false
end

function M.old_sccache_note()
	if not ctx.basename(ctx.conf.rustc_wrapper):find("sccache", 1, true) then return end
	local runs = {}
	for _, g in ipairs(order) do
		local r = { json = (g.target_args[2] or ""):match("%.json$") ~= nil, remap = false }
		for _, f in ipairs(g.flags) do r.remap = r.remap or f:match("^%-%-rustflag=%-%-remap%-path%-prefix") ~= nil end
		if r.remap or r.json then runs[#runs + 1] = r end
	end
	if #runs == 0 then return end
	local line = ctx.core.wrapper_version()
	local a, b, c = (line or ""):match("^sccache (%d+)%.(%d+)%.(%d+)")
	if not a then return end
	local v = { tonumber(a), tonumber(b), tonumber(c) }
	local n, why = 0, {}
	for _, r in ipairs(runs) do
		local uncached = false
		for _, k in ipairs { "remap", "json" } do
			if r[k] and older(v, since[k]) then why[k], uncached = true, true end
		end
		if uncached then n = n + 1 end
	end
	if n == 0 then return end
	local list = {}
	if why.remap then list[#list + 1] = "--remap-path-prefix (0.10 and newer do)" end
	if why.json then list[#list + 1] = "--target SPEC.json (0.9.1 and newer do)" end
	ctx.note(sfmt("%s caches no rustc run with %s: %d of the %d cargo runs here will compile uncached, " ..
		"byte-identical (docs/sccache.md)", line, table.concat(list, " or with "), n, #order))
end

-- `ninja fetch`: with network, cargo fetch for every manifest that a run builds (in the run's
-- directory, with its configuration and environment), plus the standard library's own
-- workspace for the runs that build it with -Zbuild-std; every build after it is offline.
-- Each manifest's fetch is redone when the manifest or its Cargo.lock changes.
function M.fetch_edges()
	ctx.rule("cargo_fetch", {
		{ "command", ctx.Q(ctx.conf.kiln) .. " cargo --fetch=$out " .. M.tools .. " $flags -- $args" },
		{ "description", "FETCH $what" },
		{ "pool", "console" },
	}, "rules/cargo.lua")
	local stamps, seen = {}, {}
	local function fetch(manifest, flags, config, what)
		local cwd = ""
		for _, f in ipairs(flags) do cwd = f:match("^%-%-cwd=(.*)") or cwd end
		local key = manifest .. "\0" .. cwd .. "\0" .. table.concat(config, "\31")
		if seen[key] then return end
		seen[key] = true
		local args = { "fetch", "--manifest-path", manifest }
		for _, v in ipairs(config) do args[#args + 1] = "--config"; args[#args + 1] = v end
		local qa, qf = {}, {}
		for _, a in ipairs(args) do qa[#qa + 1] = ctx.Q(a) end
		for _, f in ipairs(flags) do qf[#qf + 1] = ctx.Q(f) end
		local stamp = sfmt("out/fetch/%s.stamp", what)
		local n = 1
		while seen[stamp] do n = n + 1; stamp = sfmt("out/fetch/%s-%d.stamp", what, n) end
		seen[stamp] = true
		-- what a fetch leaves (the crates of the lock file in cargo's cache) depends on the
		-- manifest and the lock file, not on kiln: a rebuilt kiln does not go online again
		local imps = { manifest }
		local lock = ctx.dirname(manifest) .. "/Cargo.lock"
		if ctx.core.stat(lock) == "file" then imps[2] = lock end
		ctx.edge { rule = "cargo_fetch", outs = { stamp }, imps = imps,
			vars = { { "flags", table.concat(qf, " ") }, { "args", table.concat(qa, " ") }, { "what", what } },
			origin = "rules/cargo.lua", owner = "fetch" }
		stamps[#stamps + 1] = stamp
	end
	for _, g in ipairs(order) do
		-- the run's directory and environment, not its rustflags or artifacts
		local flags = {}
		for _, f in ipairs(g.flags) do
			if f:match("^%-%-cwd=") or f:match("^%-%-env=") or f:match("^%-%-manifest%-path=") or f:match("^%-%-target%-dir=") then
				flags[#flags + 1] = f
			end
		end
		local config = {}
		for i = 1, #g.tail do if g.tail[i - 1] == "--config" then config[#config + 1] = g.tail[i] end end
		fetch(g.manifest, flags, config, g.run)
		local s = g.members[1].s
		if #s.build_std > 0 and s.rust_src then
			local std = {}
			for _, f in ipairs(flags) do if not f:match("^%-%-cwd=") and not f:match("^%-%-manifest%-path=") then std[#std + 1] = f end end
			std[#std + 1] = "--manifest-path=" .. s.rust_src .. "/library/Cargo.toml"
			fetch(s.rust_src .. "/library/Cargo.toml", std, {}, "std")
		end
	end
	if #stamps > 0 then
		ctx.edge { rule = "phony", outs = { "fetch" }, ins = stamps, origin = "rules/cargo.lua", owner = "fetch" }
	end
end

return M
