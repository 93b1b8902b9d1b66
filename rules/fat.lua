-- rules/fat.lua: the FAT EFI system partition (kiln fat create)
local K = ...
local sfmt = string.format

local M = {}

function M.declare(i, t)
	if not t.size then K.fail(sfmt("image '%s': a fat image needs size = ... (1M for the installer's ESP)", i.name), i.origin) end
	if t.partitions or t.bootstrap then
		K.fail(sfmt("image '%s': a fat image has no partitions or bootstrap", i.name), i.origin)
	end
end

function M.generate(i)
	local manifest, srcs = K.rules_module("manifest").write(i)
	K.rule("fat", {
		{ "command", K.Q(K.conf.kiln) .. " fat create $in -o $out --size $size" },
		{ "description", "FAT $out" },
		{ "restat", "1" },
	}, "rules/fat.lua")
	i.inputs = srcs
	K.edge { rule = "fat", outs = { i.output }, ins = { manifest }, imps = srcs,
		vars = { { "size", tostring(i.size) } }, origin = i.origin, owner = i.name }
end

return M
