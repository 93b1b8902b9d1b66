-- rules/redoxfs.lua: a RedoxFS v8 image (kiln redoxfs create), written without FUSE.
-- File records are stored LZ4-compressed when that takes fewer blocks, as the real redoxfs
-- writes them (the Redox bootloader and redoxfs read them); `compress = false` on the image
-- writes every record as it is (kiln redoxfs create --no-compress).
local K = ...
local M = K.rules_module("manifest")

return {
	declare = M.sized("redoxfs"),
	fields = { compress = true },
	generate = function(i)
		local flags = {}
		if i.uuid then flags[#flags + 1] = "--uuid " .. K.Q(i.uuid) end
		if i.compress == false then flags[#flags + 1] = "--no-compress" end
		M.image_edge(i, "redoxfs", "redoxfs create $in -o $out --size $size $flags", {
			{ "size", tostring(i.size) },
			{ "flags", table.concat(flags, " ") },
		})
	end,
}
