-- rules/redox.lua: build steps only a Redox build needs.
--
--   sysroot { relibc = C, crt = { crt0 = C, crti = C, crtn = C }, lld = PATH, arch = A }
--       the sysroot every static link uses (out/sysroot/lib): libc.a (relibc's librelibc.a),
--       crt0.o crti.o crtn.o (each merged from its crate's objects with rust-lld -r), the stub
--       archives libgcc_eh.a and libunwind_stubs.a written by `kiln ar`/`kiln stubobj` (no C
--       compiler, no llvm-ar), and the empty libpthread/libdl/librt/libm.a
--   lld_link { inputs = { C, ... }, script = FILE, lld = PATH, args = {...} }
--       a link kiln drives itself (the bootstrap: staticlib + linker script)
--   rc_check { src = FILE, image = NAME, format = "rc" | "pcid", root = PREFIX, path = DIRS,
--              implied = { daemon = { programs it spawns } }, other = NAME }
--       an init.rc-like file checked against the manifest of the image it goes into (and of
--       image `other` for paths outside PREFIX): every command it starts must exist (F11);
--       the output is the checked copy
--   target_spec { file = "gen/targets/NAME.json" }
--       the spec as a build output (out/targets/NAME.json): a dependency of every cargo
--       component that uses it, so a changed spec relinks them (cargo does not track it)
--   build_path(p), kiln_version(): the build directory and kiln's version, for plugins
--   stage { file = F }: F copied to out/<component>/ (restat: unchanged content stops there)
-- Paths: absolute, relative to the component's directory, or "gen/..." / "out/..." (a file
-- kiln gen writes or an output, relative to the build directory).
local K = ...
local sfmt = string.format

local M = { constructors = {} }

local function spec(what, t, schema)
	local where = K.origin()
	K.check_fields(t, schema, what .. "{}", where)
	local s = { is_spec = true, module = "redox", what = what, origin = where }
	for k, v in pairs(t) do s[k] = v end
	return s
end

function M.constructors.sysroot(t)
	local s = spec("sysroot", t, { relibc = "string", crt = "table", lld = "string", arch = "string" })
	if not t.relibc or not t.crt or not t.lld then K.fail("sysroot{} needs relibc, crt and lld", s.origin) end
	return s
end

function M.constructors.lld_link(t)
	local s = spec("lld_link", t, { inputs = "list", script = "string", lld = "string", args = "list", output = "string" })
	if not t.inputs or not t.script or not t.lld then K.fail("lld_link{} needs inputs, script and lld", s.origin) end
	s.inputs, s.args = K.aslist(t.inputs), K.aslist(t.args)
	return s
end

function M.constructors.rc_check(t)
	local s = spec("rc_check", t, { src = "string", image = "string", format = "string", root = "string",
		path = "list", implied = "table", output = "string", other = "string" })
	if not t.src or not t.image then K.fail("rc_check{} needs src and image", s.origin) end
	s.path = K.aslist(t.path)
	return s
end

function M.constructors.target_spec(t)
	local s = spec("target_spec", t, { file = "string" })
	if not t.file then K.fail("target_spec{} needs file", s.origin) end
	return s
end

function M.constructors.stage(t)
	local s = spec("stage", t, { file = "string" })
	if not t.file then K.fail("stage{} needs file", s.origin) end
	return s
end

function M.constructors.build_path(p)
	if type(p) ~= "string" then K.fail("build_path takes a path relative to the build directory") end
	local n = K.normalize(p)
	if n:sub(1, 1) == "/" or n:sub(1, 2) == ".." then K.fail("build_path: '" .. p .. "' is not inside the build directory") end
	return n == "." and K.conf.builddir or (K.conf.builddir .. "/" .. n)
end

function M.constructors.kiln_version() return K.conf.version end

local function output_of(c, name, s)
	local d = K.by_name[name]
	if not d or d.decl ~= "component" or not d.outputs then
		K.fail(sfmt("component '%s': '%s' is not a component declared before it%s", c.name, name,
			K.suggest(name, K.by_name)), s.origin)
	end
	local listed = false
	for _, x in ipairs(c.deps) do if x == name then listed = true end end
	if not listed then K.fail(sfmt("component '%s' uses '%s': list it in deps", c.name, name), s.origin) end
	return d.outputs[1]
end

local kiln = function() return K.Q(K.conf.kiln) end

-- a path as Ninja must see it: files kiln gen writes stay relative to the build directory
local function path_of(c, p, s)
	local bd = K.conf.builddir .. "/"
	if p:sub(1, #bd) == bd then p = p:sub(#bd + 1) end
	if p:sub(1, 4) == "gen/" or p:sub(1, 4) == "out/" then return K.normalize(p) end
	return K.check_path(K.join(c.dir, p), c.name, s.origin)
end

-- the unwinder entry points std's unwind crate and libgcc_eh users expect (components.md 3.1)
local unwind_syms = {
	"_Unwind_Backtrace", "_Unwind_FindEnclosingFunction", "_Unwind_GetCFA", "_Unwind_GetDataRelBase",
	"_Unwind_GetGR", "_Unwind_GetIP", "_Unwind_GetIPInfo", "_Unwind_GetLanguageSpecificData",
	"_Unwind_GetRegionStart", "_Unwind_GetTextRelBase", "_Unwind_RaiseException", "_Unwind_Resume",
	"_Unwind_SetGR", "_Unwind_SetIP", "_Unwind_DeleteException",
}
M.unwind_syms = unwind_syms

local function gen_sysroot(c, s)
	local dir = "out/sysroot/lib"
	K.rule("redox_copy", {
		{ "command", "cmp -s $in $out || { cp -f $in $out.tmp && mv -f $out.tmp $out; }" },
		{ "description", "STAGE $out" },
		{ "restat", "1" },
	}, "rules/redox.lua")
	K.rule("redox_crt", {
		{ "command", "rm -rf $out.x && " .. kiln() .. " ar x $in --prefix=$prefix -C $out.x && " ..
			"$lld -flavor gnu -r -o $out.tmp $out.x/*.o && rm -rf $out.x && " ..
			"{ cmp -s $out.tmp $out && rm -f $out.tmp || mv -f $out.tmp $out; }" },
		{ "description", "CRT $out" },
		{ "restat", "1" },
	}, "rules/redox.lua")
	K.rule("redox_ar", {
		{ "command", kiln() .. " ar create -o $out $in" },
		{ "description", "AR $out" },
		{ "restat", "1" },
	}, "rules/redox.lua")
	K.rule("redox_stubobj", {
		{ "command", kiln() .. " stubobj --arch $arch -o $out $syms" },
		{ "description", "STUBOBJ $out" },
		{ "restat", "1" },
	}, "rules/redox.lua")
	local outs = {}
	local function edge(rule, out, ins, vars)
		K.edge { rule = rule, outs = { out }, ins = ins, imps = rule ~= "redox_copy" and { K.conf.kiln } or nil,
			vars = vars, origin = c.origin, owner = c.name }
		outs[#outs + 1] = out
	end
	edge("redox_copy", dir .. "/libc.a", { output_of(c, s.relibc, s) })
	for _, n in ipairs { "crt0", "crti", "crtn" } do
		local from = s.crt[n] or K.fail(sfmt("sysroot{}: crt.%s is missing", n), s.origin)
		edge("redox_crt", dir .. "/" .. n .. ".o", { output_of(c, from, s) },
			{ { "prefix", n }, { "lld", K.Q(s.lld) } })
	end
	local obj = "out/sysroot/obj/unwind_stubs.o"
	K.edge { rule = "redox_stubobj", outs = { obj }, imps = { K.conf.kiln },
		vars = { { "arch", s.arch or K.conf.arch }, { "syms", table.concat(unwind_syms, " ") } },
		origin = c.origin, owner = c.name }
	edge("redox_ar", dir .. "/libunwind_stubs.a", { obj })
	for _, n in ipairs { "gcc_eh", "pthread", "dl", "rt", "m" } do
		edge("redox_ar", dir .. "/lib" .. n .. ".a", {})
	end
	return outs
end

local function gen_link(c, s)
	K.rule("redox_lld", {
		{ "command", "$lld -flavor gnu -o $out $args -T $script $in" },
		{ "description", "LINK $out" },
	}, "rules/redox.lua")
	local ins = {}
	for _, n in ipairs(s.inputs) do ins[#ins + 1] = output_of(c, n, s) end
	local script = path_of(c, s.script, s)
	local out = K.outdir(c) .. "/" .. (s.output or c.name)
	local args = {}
	for _, a in ipairs(s.args) do args[#args + 1] = K.Q(a) end
	K.edge { rule = "redox_lld", outs = { out }, ins = ins, imps = { script },
		vals = K.rules_module("elf").checks(c, out),
		vars = { { "lld", K.Q(s.lld) }, { "args", table.concat(args, " ") }, { "script", K.Q(script) } },
		origin = c.origin, owner = c.name }
	c.inputs = { script }
	return { out }
end

local function gen_rc(c, s)
	K.rule("redox_rc_check", {
		{ "command", "sh " .. K.Q(K.conf.datadir .. "/rules/redox-rc-check.sh") ..
			" --manifest $manifest --format $format $flags -o $out $in" },
		{ "description", "F11 $in" },
		{ "restat", "1" },
	}, "rules/redox.lua")
	local src = path_of(c, s.src, s)
	local manifest = "gen/manifests/" .. s.image .. ".manifest"
	local flags = {}
	if s.root then flags[#flags + 1] = "--root " .. K.Q(s.root) end
	for _, p in ipairs(s.path) do flags[#flags + 1] = "--path " .. K.Q(p) end
	local names = {}
	for k in pairs(s.implied or {}) do names[#names + 1] = k end
	table.sort(names)
	for _, k in ipairs(names) do
		flags[#flags + 1] = "--implied " .. K.Q(k .. "=" .. table.concat(K.aslist(s.implied[k]), ","))
	end
	local imps = { manifest, K.conf.datadir .. "/rules/redox-rc-check.sh" }
	if s.other then
		local m2 = "gen/manifests/" .. s.other .. ".manifest"
		flags[#flags + 1] = "--other " .. m2
		imps[#imps + 1] = m2
	end
	local out = K.outdir(c) .. "/" .. (s.output or K.basename(src))
	K.edge { rule = "redox_rc_check", outs = { out }, ins = { src }, imps = imps,
		vars = { { "manifest", manifest }, { "format", s.format or "rc" }, { "flags", table.concat(flags, " ") } },
		origin = c.origin, owner = c.name }
	c.inputs = { src }
	return { out }
end

local function gen_spec(c, s)
	local src = path_of(c, s.file, s)
	local out = (s.what == "stage" and K.outdir(c) or "out/targets") .. "/" .. K.basename(src)
	K.rule("redox_copy", {
		{ "command", "cmp -s $in $out || { cp -f $in $out.tmp && mv -f $out.tmp $out; }" },
		{ "description", "STAGE $out" },
		{ "restat", "1" },
	}, "rules/redox.lua")
	K.edge { rule = "redox_copy", outs = { out }, ins = { src }, origin = c.origin, owner = c.name }
	c.inputs = { src }
	return { out }
end

function M.generate(c, s)
	if s.what == "target_spec" or s.what == "stage" then return gen_spec(c, s) end
	if s.what == "sysroot" then return gen_sysroot(c, s) end
	if s.what == "lld_link" then return gen_link(c, s) end
	return gen_rc(c, s)
end

return M
