-- rules/cc.lua: C programs, for the host (host_cc) or for the target (cross_cc), compiled one
-- object per source with gcc-style depfiles and linked with the same driver.
local ctx = ...   -- the rules context (lua/kiln.lua, docs/design.md): not kiln's state
local sfmt = string.format

local M = { constructors = {} }

local schema = {
	sources = "list", cflags = "list", ldflags = "list", libs = "list", includes = "list",
	linker_script = "string", output = "string", freestanding = "boolean", toolchain = "string",
}

-- flags every freestanding program gets, per toolchain: no libc; on the target static ELF
-- without PIE; for UEFI a PE32+ EFI application (UTF-16 wchar_t, as UEFI strings are) with a
-- reproducible header (no link timestamp)
local freestanding = {
	target = {
		cflags = { "-ffreestanding", "-fno-pic", "-fno-pie", "-fno-stack-protector", "-nostdlib" },
		ldflags = { "-nostdlib", "-static", "-no-pie", "-Wl,--build-id=none" },
	},
	uefi = {
		cflags = { "-ffreestanding", "-fno-stack-protector", "-fshort-wchar" },
		ldflags = { "-nostdlib", "-Wl,-subsystem:efi_application", "-Wl,-Brepro" },
	},
}

local function ctor(toolchain)
	return function(t)
		local where = ctx.origin()
		ctx.check_fields(t, schema, "cc{}", where)
		if not t.sources then ctx.fail("cc{} needs sources = { ... }", where) end
		return {
			is_spec = true, module = "cc", origin = where, toolchain = t.toolchain or toolchain,
			sources = ctx.aslist(t.sources), cflags = ctx.aslist(t.cflags), ldflags = ctx.aslist(t.ldflags),
			libs = ctx.aslist(t.libs), includes = ctx.aslist(t.includes), linker_script = t.linker_script,
			output = t.output, freestanding = t.freestanding,
		}
	end
end
M.constructors.cc = ctor(nil)
M.constructors.host_cc = ctor("host")
M.constructors.cross_cc = ctor("target")
M.constructors.uefi_cc = ctor("uefi")

local function words(list)
	local w = {}
	for _, x in ipairs(list) do w[#w + 1] = ctx.Q(x) end
	return table.concat(w, " ")
end

function M.generate(c, s)
	local which = s.toolchain or ctx.kinds[c.kind].toolchain or "host"
	local tc, why = ctx.toolchain.get(which)
	if not tc then ctx.fail(sfmt("component '%s' needs a %s C compiler: %s", c.name, which, why), s.origin) end
	ctx.rule("cc", {
		{ "command", "$cc -MD -MF $out.d $cflags -c $in -o $out" },
		{ "description", "CC $out" },
		{ "depfile", "$out.d" },
		{ "deps", "gcc" },
	}, "rules/cc.lua")
	ctx.rule("link", {
		{ "command", "$cc $ldflags -o $out $in $libs" },
		{ "description", "LINK $out" },
	}, "rules/cc.lua")

	local cflags, ldflags = {}, {}
	local free = s.freestanding
	if free == nil then free = freestanding[which] ~= nil end
	if free and freestanding[which] then
		for _, f in ipairs(freestanding[which].cflags) do cflags[#cflags + 1] = f end
		for _, f in ipairs(freestanding[which].ldflags) do ldflags[#ldflags + 1] = f end
	end
	for _, d in ipairs(s.includes) do cflags[#cflags + 1] = "-I" .. ctx.join(c.dir, d) end
	for _, f in ipairs(s.cflags) do cflags[#cflags + 1] = f end
	for _, f in ipairs(s.ldflags) do ldflags[#ldflags + 1] = f end
	local imps = ctx.dep_outputs(c)
	if s.linker_script then
		local ld = ctx.check_path(ctx.join(c.dir, s.linker_script), c.name, s.origin)
		ldflags[#ldflags + 1] = "-T" .. ld
		imps[#imps + 1] = ld
	end
	local out = ctx.outdir(c)
	local objs = {}
	c.inputs = {}
	for _, src in ipairs(s.sources) do
		local path = ctx.check_path(ctx.join(c.dir, src), c.name, s.origin)
		c.inputs[#c.inputs + 1] = path
		local rel = ctx.normalize(src):gsub("%.%.", "__"):gsub("^/", "")
		local obj = out .. "/obj/" .. rel .. ".o" -- x.S and x.c must not collide
		ctx.edge { rule = "cc", outs = { obj }, ins = { path }, orders = #imps > 0 and imps or nil,
			vars = { { "cc", tc.cc }, { "cflags", words(cflags) } },
			origin = c.origin, owner = c.name }
		objs[#objs + 1] = obj
	end
	if s.linker_script then c.inputs[#c.inputs + 1] = ctx.join(c.dir, s.linker_script) end
	if s.output and (s.output == "" or s.output:find("/", 1, true) or s.output == "." or s.output == "..") then
		ctx.fail(sfmt("component '%s': output = %q must be a file name (no '/'): the program is written to %s/NAME, inside the build directory",
			c.name, s.output, out), s.origin)
	end
	local exe = out .. "/" .. (s.output or c.name)
	ctx.edge { rule = "link", outs = { exe }, ins = objs, imps = imps,
		vals = ctx.rules_module("elf").checks(c, exe),
		vars = { { "cc", tc.cc }, { "ldflags", words(ldflags) }, { "libs", words(s.libs) } },
		origin = c.origin, owner = c.name }
	return { exe }
end

return M
