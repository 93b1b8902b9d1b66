-- rules/initfs.lua: the Redox initfs archive (kiln initfs create), with the bootstrap embedded
local K = ...
local sfmt = string.format

local M = {}

function M.declare(i, t)
	if t.partitions then K.fail(sfmt("image '%s': an initfs has no partitions", i.name), i.origin) end
	if t.size then K.fail(sfmt("image '%s': an initfs has max_size, not size", i.name), i.origin) end
	if not t.bootstrap then
		K.fail(sfmt("image '%s': an initfs needs bootstrap = COMPONENT; without it the kernel jumps to 0xFFFFFFFFFFFFFFFF (F4)", i.name), i.origin)
	end
end

function M.generate(i)
	local b = K.by_name[i.bootstrap]
	if not b or b.decl ~= "component" then
		K.fail(sfmt("image '%s': bootstrap '%s' is not a declared component%s", i.name, i.bootstrap,
			K.suggest(i.bootstrap, K.by_name)), i.origin)
	end
	local manifest, srcs = K.rules_module("manifest").write(i)
	K.rule("initfs", {
		{ "command", K.Q(K.conf.kiln) .. " initfs create $in -o $out --bootstrap $bootstrap --max-size $max_size" },
		{ "description", "INITFS $out" },
		{ "restat", "1" },
	}, "rules/initfs.lua")
	local boot = b.final or b.outputs[1]
	local imps = { boot }
	for _, s in ipairs(srcs) do imps[#imps + 1] = s end
	i.inputs = imps
	K.edge { rule = "initfs", outs = { i.output }, ins = { manifest }, imps = imps,
		vars = { { "bootstrap", K.Q(boot) }, { "max_size", tostring(i.max_size or 64 * 1024 * 1024) } },
		origin = i.origin, owner = i.name }
end

return M
