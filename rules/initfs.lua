-- rules/initfs.lua: the Redox initfs archive (kiln initfs create), with the bootstrap embedded
local K = ...
local sfmt = string.format
local M = K.rules_module("manifest")

local function declare(i, t)
	if t.partitions then K.fail(sfmt("image '%s': an initfs has no partitions", i.name), i.origin) end
	if t.size then K.fail(sfmt("image '%s': an initfs has max_size, not size", i.name), i.origin) end
	local why = (t.waive or {})["no-bootstrap"]
	if t.bootstrap and why then
		K.fail(sfmt("image '%s': waives no-bootstrap but names bootstrap '%s'; drop one of them", i.name, t.bootstrap), i.origin)
	elseif not t.bootstrap and (type(why) ~= "string" or why == "") then
		K.fail(sfmt("image '%s': an initfs needs bootstrap = COMPONENT: without one its bootstrap_entry is 0xFFFFFFFFFFFFFFFF and the kernel jumps there; name the bootstrap component (or waive = { [\"no-bootstrap\"] = \"why\" } for an initfs that is never booted)", i.name), i.origin)
	end
end

local function generate(i)
	if not i.bootstrap then
		M.image_edge(i, "initfs", "initfs create $in -o $out --no-bootstrap --max-size $max_size", {
			{ "max_size", tostring(i.max_size or 64 * 1024 * 1024) },
		})
		return
	end
	local b = K.by_name[i.bootstrap]
	if not b or b.decl ~= "component" then
		K.fail(sfmt("image '%s': bootstrap '%s' is not a declared component%s", i.name, i.bootstrap,
			K.suggest(i.bootstrap, K.by_name)), i.origin)
	end
	local boot = b.final or b.outputs[1]
	M.image_edge(i, "initfs", "initfs create $in -o $out --bootstrap $bootstrap --max-size $max_size", {
		{ "bootstrap", K.Q(boot) },
		{ "max_size", tostring(i.max_size or 64 * 1024 * 1024) },
	}, { boot })
end

return { declare = declare, generate = generate }
