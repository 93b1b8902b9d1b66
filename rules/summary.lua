-- rules/summary.lua: what `ninja image` ends with, a short summary of the images (each one's
-- size, each initfs against its budget, the largest files), and what `kiln report` draws.
-- Both read gen/images.lua, written here: the images, their manifests, budgets, bootstraps
-- and partitions as kiln gen resolved them. The summary edge depends on that file, every
-- image and every manifest, and has restat: it runs (and prints) only when one of them
-- changed, and a no-op ninja stays a no-op.
local ctx = ...   -- the rules context (lua/kiln.lua, docs/design.md): not kiln's state
local sfmt = string.format

local M = {}
M.description = "gen/images.lua"
M.output = "out/images/summary.txt"

-- the description of every image, for lua/report.lua
function M.describe()
	local images = {}
	for _, i in ipairs(ctx.images) do
		local d = { name = i.name, format = i.format, output = i.output, origin = i.origin,
			description = i.description, size = i.size, max_size = i.max_size }
		if i.format ~= "gpt" then d.manifest = "gen/manifests/" .. i.name .. ".manifest" end
		-- the option the budget comes from, when the plugins follow the NAME-max-size habit
		if i.max_size and ctx.option_by_name[i.name .. "-max-size"] then d.budget_option = i.name .. "-max-size" end
		if i.bootstrap then
			local b = ctx.by_name[i.bootstrap]
			d.bootstrap = b and (b.final or (b.outputs or {})[1])
		end
		d.partitions = {}
		for _, p in ipairs(i.partitions or {}) do
			d.partitions[#d.partitions + 1] = { name = p.name, type = p.type, image = p.image }
		end
		images[#images + 1] = d
	end
	return { arch = ctx.conf.arch, system = ctx.system, version = ctx.conf.version, images = images }
end

-- write gen/images.lua and the summary edge; returns the summary's output, for `image`
function M.generate()
	if #ctx.images == 0 then return nil end
	ctx.generate(M.description, "-- gen/images.lua: the images of this build, for kiln report (written by kiln gen)\nreturn "
		.. ctx.serialize(M.describe(), "") .. "\n", "rules/summary.lua")
	ctx.rule("summary", {
		{ "command", ctx.Q(ctx.conf.kiln) .. " report --summary -o $out" },
		{ "description", "SUMMARY $out" },
		{ "restat", "1" },
	}, "rules/summary.lua")
	local ins, seen = { M.description }, { [M.description] = true }
	local function add(p)
		if p and not seen[p] then seen[p] = true; ins[#ins + 1] = p end
	end
	-- the files in the images are not inputs: their bytes are in the images, so a file that
	-- changed changes an image, and one only touched (rewritten the same) changes none
	for _, i in ipairs(ctx.images) do
		add(i.output)
		if i.format ~= "gpt" then add("gen/manifests/" .. i.name .. ".manifest") end
	end
	-- kiln report and lua/report.lua write it
	ctx.edge { rule = "summary", outs = { M.output }, ins = ins, imps = { ctx.conf.kiln, ctx.conf.datadir .. "/lua/report.lua" },
		origin = "rules/summary.lua", owner = "summary" }
	return M.output
end

return M
