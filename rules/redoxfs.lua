-- rules/redoxfs.lua: a RedoxFS v8 image (kiln redoxfs create), written without FUSE.
-- File records are stored LZ4-compressed when that takes fewer blocks, as the real redoxfs
-- writes them (the Redox bootloader and redoxfs read them); `compress = false` on the image
-- writes every record as it is (kiln redoxfs create --no-compress). The image's UUID is
-- uuid = ..., or derived from its seed and name (never from the manifest, which holds the
-- absolute paths of the sources: two checkouts must give the same image).
local ctx = ...   -- the rules context (lua/kiln.lua, docs/design.md): not kiln's state
local M = ctx.rules_module("manifest")

-- a version-4-shaped UUID from the SHA-256 of the seed and the image name
local function derived_uuid(i)
	local h = ctx.core.sha256("kiln redoxfs uuid\0" .. (i.seed or "kiln") .. "\0" .. i.name)
	local b = {}
	for k = 1, 16 do b[k] = tonumber(h:sub(2 * k - 1, 2 * k), 16) end
	b[7] = (b[7] & 0x0F) | 0x40
	b[9] = (b[9] & 0x3F) | 0x80
	local x = {}
	for k = 1, 16 do x[k] = string.format("%02x", b[k]) end
	local s = table.concat(x)
	return s:sub(1, 8) .. "-" .. s:sub(9, 12) .. "-" .. s:sub(13, 16) .. "-" .. s:sub(17, 20) .. "-" .. s:sub(21)
end

return {
	declare = M.sized("redoxfs"),
	fields = { compress = true },
	generate = function(i)
		M.image_edge(i, "redoxfs", "redoxfs create $in -o $out --size $size --uuid $uuid $flags", {
			{ "size", tostring(i.size) },
			{ "uuid", ctx.Q(i.uuid or derived_uuid(i)) },
			{ "flags", i.compress == false and "--no-compress" or "" },
		})
	end,
}
