-- rules/redoxfs.lua: a RedoxFS v8 image (kiln redoxfs create), written without FUSE
local K = ...
local sfmt = string.format

local M = {}

function M.declare(i, t)
	if not t.size then K.fail(sfmt("image '%s': a redoxfs image needs size = ...", i.name), i.origin) end
	if t.partitions or t.bootstrap then
		K.fail(sfmt("image '%s': a redoxfs image has no partitions or bootstrap", i.name), i.origin)
	end
end

function M.generate(i)
	local manifest, srcs = K.rules_module("manifest").write(i)
	K.rule("redoxfs", {
		{ "command", K.Q(K.conf.kiln) .. " redoxfs create $in -o $out --size $size $flags" },
		{ "description", "REDOXFS $out" },
		{ "restat", "1" },
	}, "rules/redoxfs.lua")
	local flags = i.uuid and ("--uuid " .. K.Q(i.uuid)) or ""
	i.inputs = srcs
	K.edge { rule = "redoxfs", outs = { i.output }, ins = { manifest }, imps = srcs,
		vars = { { "size", tostring(i.size) }, { "flags", flags } },
		origin = i.origin, owner = i.name }
end

return M
