-- rules/gpt.lua: the GPT disk assembled from its partition images (kiln gpt create); each
-- partition image is its own edge, so changing one file rewrites that partition and the disk
local ctx = ...   -- the rules context (lua/kiln.lua, docs/design.md): not kiln's state
local sfmt = string.format

local M = {}
local part_schema = { name = "string", type = "string", size = "size", image = "string", start = "number" }

function M.declare(i, t)
	if not t.size then ctx.fail(sfmt("image '%s': a gpt disk needs size = ...", i.name), i.origin) end
	if type(t.partitions) ~= "table" or #t.partitions == 0 then
		ctx.fail(sfmt("image '%s': a gpt disk needs partitions = { {...}, ... }", i.name), i.origin)
	end
	for n, p in ipairs(t.partitions) do
		ctx.check_fields(p, part_schema, sfmt("partition %d of image '%s'", n, i.name), i.origin)
		if not p.name or not p.name:match("^[%w_%-%.]+$") then
			ctx.fail(sfmt("image '%s': partition %d needs a name of letters, digits, '_', '-', '.'", i.name, n), i.origin)
		end
		if not p.type then ctx.fail(sfmt("image '%s': partition %s needs a type (bios, esp, redoxfs, linux)", i.name, p.name), i.origin) end
		if (p.size == nil) == (p.image == nil) and not (p.image == nil and n == #t.partitions) then
			ctx.fail(sfmt("image '%s': partition %s needs either size or image", i.name, p.name), i.origin)
		end
	end
	if next(t.install or {}) then ctx.fail(sfmt("image '%s': a disk cannot be installed into another image", i.name), i.origin) end
end

function M.generate(i)
	ctx.rule("gpt", {
		{ "command", ctx.with_sde(ctx.Q(ctx.conf.kiln) .. " gpt create -o $out --size $size --seed $seed $parts") },
		{ "description", "DISK $out" },
		{ "restat", "1" },
	}, "rules/gpt.lua")
	local parts, ins = {}, {}
	for _, p in ipairs(i.partitions) do
		local spec = { "name=" .. p.name, "type=" .. p.type }
		if p.image then
			local img = ctx.by_name[p.image]
			if not img or img.decl ~= "image" then
				ctx.fail(sfmt("image '%s': partition %s uses '%s', which is not a declared image%s", i.name, p.name,
					p.image, ctx.suggest(p.image, ctx.by_name)), i.origin)
			end
			spec[#spec + 1] = "image=" .. img.output
			ins[#ins + 1] = img.output
		end
		if p.size then spec[#spec + 1] = "size=" .. ctx.parse_size(p.size, "partition " .. p.name, i.origin) end
		if p.start then spec[#spec + 1] = "start=" .. math.tointeger(p.start) end
		parts[#parts + 1] = "--part " .. ctx.Q(table.concat(spec, ","))
	end
	i.inputs = ins
	ctx.edge { rule = "gpt", outs = { i.output }, ins = ins, imps = { ctx.conf.kiln },
		vars = { { "size", tostring(i.size) }, { "seed", ctx.Q(i.seed or "kiln") }, { "parts", table.concat(parts, " ") } },
		origin = i.origin, owner = i.name }
end

return M
