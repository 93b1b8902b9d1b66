-- rules/redoxfs.lua: a RedoxFS v8 image (kiln redoxfs create), written without FUSE
local K = ...
local M = K.rules_module("manifest")

return {
	declare = M.sized("redoxfs"),
	generate = function(i)
		M.image_edge(i, "redoxfs", "redoxfs create $in -o $out --size $size $flags", {
			{ "size", tostring(i.size) },
			{ "flags", i.uuid and ("--uuid " .. K.Q(i.uuid)) or "" },
		})
	end,
}
