-- rules/initfs.lua: the Redox initfs archive (kiln initfs create), with the bootstrap embedded
local K = ...
local sfmt = string.format
local M = K.rules_module("manifest")

local function declare(i, t)
	if t.partitions then K.fail(sfmt("image '%s': an initfs has no partitions", i.name), i.origin) end
	if t.size then K.fail(sfmt("image '%s': an initfs has max_size, not size", i.name), i.origin) end
	if not t.bootstrap then
		K.fail(sfmt("image '%s': an initfs needs bootstrap = COMPONENT; without it the kernel jumps to 0xFFFFFFFFFFFFFFFF (F4)", i.name), i.origin)
	end
end

local function generate(i)
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
