-- rules/fat.lua: the FAT EFI system partition (kiln fat create)
local ctx = ...   -- the rules context (lua/kiln.lua, docs/design.md): not kiln's state
local M = ctx.rules_module("manifest")

return {
	declare = M.sized("fat", " (1M for the installer's ESP)"),
	generate = function(i)
		M.image_edge(i, "fat", "fat create $in -o $out --size $size", { { "size", tostring(i.size) } })
	end,
}
