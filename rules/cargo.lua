-- rules/cargo.lua: Rust crates built by cargo through `kiln cargo`, which controls cargo's
-- environment (RUSTFLAGS only from the plugin, no RUSTC_WRAPPER), merges cargo's dep-info
-- into the edge's depfile, forces a relink when a link input cargo does not track changed
-- (relibc's libc.a, the CRT objects), and leaves the output untouched when cargo changed
-- nothing (restat).
local K = ...
local sfmt = string.format

local M = { constructors = {} }

local schema = {
	manifest = "string", package = "string", bin = "string", lib = "boolean", target = "string",
	profile = "string", features = "list", no_default_features = "boolean", rustflags = "list",
	env = "table", build_std = "list", build_std_features = "list", relink_on = "list",
	args = "list", artifact = "string", backend = "string", target_dir = "string",
}

function M.constructors.cargo(t)
	local where = K.origin()
	K.check_fields(t, schema, "cargo{}", where)
	if t.bin and t.lib then K.fail("cargo{}: give bin or lib, not both", where) end
	local s = { is_spec = true, module = "cargo", origin = where }
	for k, v in pairs(t) do s[k] = v end
	for _, k in ipairs { "features", "rustflags", "build_std", "build_std_features", "relink_on", "args" } do
		s[k] = K.aslist(t[k])
	end
	s.env = t.env or {}
	for k, v in pairs(s.env) do
		if type(k) ~= "string" or type(v) ~= "string" then K.fail("cargo{}: env maps names to strings", where) end
	end
	return s
end

-- the directory cargo puts artifacts in for a target: a triple, or a target-spec JSON path
local function target_name(target)
	if not target then return nil end
	return (K.basename(target):gsub("%.json$", ""))
end

function M.generate(c, s)
	K.pool("cargo", 1)
	K.rule("cargo", {
		{ "command", K.Q(K.conf.kiln) .. " cargo $flags --out=$out --depfile=$out.d -- $args" },
		{ "description", "CARGO $out" },
		{ "depfile", "$out.d" },
		{ "deps", "gcc" },
		{ "restat", "1" },
		{ "pool", "cargo" },
	}, "rules/cargo.lua")
	local manifest = K.check_path(K.join(c.dir, s.manifest or "Cargo.toml"), c.name, s.origin)
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

	local args = { "build", "--offline", "--manifest-path", manifest }
	if profile == "release" then args[#args + 1] = "--release"
	elseif profile ~= "dev" then args[#args + 1] = "--profile"; args[#args + 1] = profile end
	if s.package then args[#args + 1] = "-p"; args[#args + 1] = s.package end
	if s.bin then args[#args + 1] = "--bin"; args[#args + 1] = s.bin end
	if s.lib then args[#args + 1] = "--lib" end
	local spec -- a target-spec file is an input: editing it rebuilds the crate
	if s.target then
		if s.target:match("%.json$") then
			-- a generated spec (gen/...) or an absolute path stays as it is
			spec = (s.target:sub(1, 1) == "/" or s.target:match("^gen/") or s.target:match("^out/"))
				and K.normalize(s.target) or K.join(c.dir, s.target)
			-- inside the build dir, the node is the relative path the producing edge names
			local bd = K.conf.builddir .. "/"
			if spec:sub(1, #bd) == bd then spec = spec:sub(#bd + 1) end
		end
		args[#args + 1] = "--target"
		args[#args + 1] = spec and (spec:sub(1, 1) == "/" and spec or (K.conf.builddir .. "/" .. spec)) or s.target
	end
	if #s.features > 0 then args[#args + 1] = "--features"; args[#args + 1] = table.concat(s.features, ",") end
	if s.no_default_features then args[#args + 1] = "--no-default-features" end
	if #s.build_std > 0 then args[#args + 1] = "-Zbuild-std=" .. table.concat(s.build_std, ",") end
	if #s.build_std_features > 0 then
		args[#args + 1] = "-Zbuild-std-features=" .. table.concat(s.build_std_features, ",")
	end
	for _, a in ipairs(s.args) do args[#args + 1] = a end

	local flags = { "--manifest-path=" .. manifest, "--target-dir=" .. tdir, "--artifact=" .. apath }
	local imps = { spec }
	for _, f in ipairs(s.rustflags) do flags[#flags + 1] = "--rustflag=" .. f end
	local envs = {}
	for k in pairs(s.env) do envs[#envs + 1] = k end
	table.sort(envs)
	for _, k in ipairs(envs) do flags[#flags + 1] = "--env=" .. k .. "=" .. s.env[k] end
	-- link inputs cargo does not track: declared ones and every dependency's outputs
	local relink = {}
	for _, f in ipairs(s.relink_on) do relink[#relink + 1] = K.join(c.dir, f) end
	for _, f in ipairs(K.dep_outputs(c)) do relink[#relink + 1] = f end
	for _, f in ipairs(relink) do
		flags[#flags + 1] = "--relink-on=" .. f
		imps[#imps + 1] = f
	end
	local qa, qf = {}, {}
	for _, a in ipairs(args) do qa[#qa + 1] = K.Q(a) end
	for _, f in ipairs(flags) do qf[#qf + 1] = K.Q(f) end
	local out = K.outdir(c) .. "/" .. artifact
	K.edge { rule = "cargo", outs = { out }, imps = { manifest, table.unpack(imps) },
		vals = (not s.lib) and K.rules_module("elf").checks(c, out) or nil,
		vars = { { "flags", table.concat(qf, " ") }, { "args", table.concat(qa, " ") } },
		origin = c.origin, owner = c.name }
	c.cargo = { manifest = manifest, target_dir = tdir, artifact = apath, args = args, flags = flags }
	return { out }
end

return M
