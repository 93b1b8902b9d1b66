-- rules/prebuilt.lua: a component whose output is a file that is not built here (a firmware
-- application built elsewhere, say). It is copied into the build dir so that it is checked
-- like every other binary.
local ctx = ...   -- the rules context (lua/kiln.lua, docs/design.md): not kiln's state

local M = { constructors = {} }

function M.constructors.prebuilt(t)
	local where = ctx.origin()
	ctx.check_fields(t, { file = "string" }, "prebuilt{}", where)
	if not t.file then ctx.fail("prebuilt{} needs file = PATH", where) end
	return { is_spec = true, module = "prebuilt", origin = where, file = t.file }
end

function M.generate(c, s)
	ctx.rule("copy", {
		{ "command", "cp -f $in $out.tmp && mv -f $out.tmp $out" },
		{ "description", "COPY $out" },
	}, "rules/prebuilt.lua")
	local src = ctx.check_path(ctx.join(c.dir, s.file), c.name, s.origin)
	local out = ctx.outdir(c) .. "/" .. ctx.basename(src)
	ctx.edge { rule = "copy", outs = { out }, ins = { src }, vals = ctx.rules_module("elf").checks(c, out),
		origin = c.origin, owner = c.name }
	return { out }
end

return M
