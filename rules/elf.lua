-- rules/elf.lua: the post-link ELF check and stripping before a binary goes into an image.
-- The check is a Ninja validation of the link edge (building a program checks it) and an input
-- of the strip edge and of every image that holds the program (lua/kiln.lua ctx.check_of), so
-- that no image ever contains a binary whose check has not passed. Both depend on the kiln
-- binary and on every policy file that decides the verdict.
local ctx = ...   -- the rules context (lua/kiln.lua, docs/design.md): not kiln's state
local sfmt = string.format

local M = {}

local function policy_of(c)
	if c.check == false then return nil end
	return c.policy or ctx.kinds[c.kind].policy
end

-- validation outputs for file, the output of component c; emits the check edge
function M.checks(c, file)
	local policy = policy_of(c)
	if not policy then return nil end
	ctx.rule("elf_check", {
		-- KILN_DATADIR: the check reads the policies of the data directory this build.ninja
		-- was generated from (and depends on), whatever the shell says
		{ "command", "KILN_DATADIR=" .. ctx.Q(ctx.conf.datadir) .. " " .. ctx.Q(ctx.conf.kiln) ..
			" elf check $in --policy=$policy --arch=$arch $flags --stamp=$out" },
		{ "description", "CHECK $in ($policy)" },
		-- the stamp keeps its mtime when the report is the same: restat records the edge as
		-- done, so a relinked but identical binary is checked once, not on every run
		{ "restat", "1" },
	}, "rules/elf.lua")
	local flags = { "--forbid-path=" .. ctx.shq(ctx.conf.builddir) }
	local imps = { ctx.conf.kiln, ctx.conf.datadir .. "/lua/elf_policies.lua" }
	if ctx.policy_file then
		flags[#flags + 1] = "--policies=" .. ctx.policy_file
		imps[#imps + 1] = ctx.policy_file
	end
	local ids = {}
	for id in pairs(c.waive) do ids[#ids + 1] = id end
	table.sort(ids)
	for _, id in ipairs(ids) do
		local reason = c.waive[id]
		if type(reason) ~= "string" or reason == "" then
			ctx.fail(sfmt("component '%s': the waiver of '%s' needs a written reason", c.name, id), c.origin)
		end
		flags[#flags + 1] = ctx.shq("--waive=" .. id .. "=" .. reason)
	end
	local stamp = file .. ".check"
	ctx.edge { rule = "elf_check", outs = { stamp }, ins = { file }, imps = imps,
		vars = { { "policy", policy }, { "arch", ctx.conf.arch }, { "flags", (table.concat(flags, " "):gsub("%$", "$$")) } },
		origin = c.origin, owner = c.name }
	c.check_stamp = stamp
	return { stamp }
end

-- after the build edges: the file that goes into images (stripped if the kind says so)
function M.postlink(c)
	local main = c.outputs and c.outputs[1]
	if not main then return nil end
	local strip = c.strip
	if strip == nil then strip = ctx.kinds[c.kind].strip end
	if not strip then return main end
	ctx.rule("elf_strip", {
		{ "command", ctx.Q(ctx.conf.kiln) .. " elf strip $in -o $out" },
		{ "description", "STRIP $out" },
		{ "restat", "1" },
	}, "rules/elf.lua")
	local out = ctx.outdir(c) .. "/stripped/" .. ctx.basename(main)
	-- the stripped copy waits for the check: a binary that fails it never reaches an image
	local imps = { ctx.conf.kiln }
	if c.check_stamp then imps[#imps + 1] = c.check_stamp end
	ctx.edge { rule = "elf_strip", outs = { out }, ins = { main }, imps = imps, origin = c.origin, owner = c.name }
	c.outputs[#c.outputs + 1] = out
	return out
end

return M
