-- rules/redoxfs.lua: a RedoxFS v8 image (kiln redoxfs create), written without FUSE.
-- File records are stored LZ4-compressed when that takes fewer blocks, as the real redoxfs
-- writes them (the Redox bootloader and redoxfs read them); `compress = false` on the image
-- writes every record as it is (kiln redoxfs create --no-compress). The records are compressed
-- on every online processor (at most 16), also inside a build: the root image is mostly the
-- last edge, waiting for everything it holds, and the image is the same for any number of
-- threads; `jobs = N` on the image takes N (--jobs N), `jobs = 1` one. The image's UUID is
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
	declare = function(i, t)
		M.sized("redoxfs")(i, t)
		if t.jobs ~= nil and (math.tointeger(t.jobs) == nil or t.jobs < 1 or t.jobs > 64) then
			ctx.fail(string.format("image '%s': jobs = %s: a number of threads from 1 to 64", i.name,
				tostring(t.jobs)), i.origin)
		end
	end,
	fields = { compress = true, jobs = true },
	generate = function(i)
		local flags = {}
		if i.compress == false then flags[#flags + 1] = "--no-compress" end
		if i.jobs then flags[#flags + 1] = "--jobs " .. math.tointeger(i.jobs) end
		M.image_edge(i, "redoxfs", "redoxfs create $in -o $out --size $size --uuid $uuid $flags", {
			{ "size", tostring(i.size) },
			{ "uuid", ctx.Q(i.uuid or derived_uuid(i)) },
			{ "flags", table.concat(flags, " ") },
		})
	end,
}
