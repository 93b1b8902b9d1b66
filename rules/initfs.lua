-- rules/initfs.lua: the Redox initfs archive (kiln initfs create), with the bootstrap embedded
local ctx = ...   -- the rules context (lua/kiln.lua, docs/design.md): not kiln's state
local sfmt = string.format
local M = ctx.rules_module("manifest")

local function declare(i, t)
	if t.partitions then ctx.fail(sfmt("image '%s': an initfs has no partitions", i.name), i.origin) end
	if t.size then ctx.fail(sfmt("image '%s': an initfs has max_size, not size", i.name), i.origin) end
	local why = (t.waive or {})["no-bootstrap"]
	if t.bootstrap and why then
		ctx.fail(sfmt("image '%s': waives no-bootstrap but names bootstrap '%s'; drop one of them", i.name, t.bootstrap), i.origin)
	elseif not t.bootstrap and (type(why) ~= "string" or why == "") then
		ctx.fail(sfmt("image '%s': an initfs needs bootstrap = COMPONENT: without one its bootstrap_entry is 0xFFFFFFFFFFFFFFFF and the kernel jumps there; name the bootstrap component (or waive = { [\"no-bootstrap\"] = \"why\" } for an initfs that is never booted)", i.name), i.origin)
	end
end

local function generate(i)
	if not i.bootstrap then
		M.image_edge(i, "initfs", "initfs create $in -o $out --no-bootstrap --max-size $max_size", {
			{ "max_size", tostring(i.max_size or 64 * 1024 * 1024) },
		})
		return
	end
	local b = ctx.by_name[i.bootstrap]
	if not b or b.decl ~= "component" then
		ctx.fail(sfmt("image '%s': bootstrap '%s' is not a declared component%s", i.name, i.bootstrap,
			ctx.suggest(i.bootstrap, ctx.by_name)), i.origin)
	end
	local boot = b.final or b.outputs[1]
	M.image_edge(i, "initfs", "initfs create $in -o $out --bootstrap $bootstrap --max-size $max_size", {
		{ "bootstrap", ctx.Q(boot) },
		{ "max_size", tostring(i.max_size or 64 * 1024 * 1024) },
	}, { boot })
end

return { declare = declare, generate = generate }
