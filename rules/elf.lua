-- rules/elf.lua: the post-link ELF check and stripping before a binary goes into an image.
-- The check is a Ninja validation of the link edge (building a program checks it) and an input
-- of the strip edge and of every image that holds the program (lua/kiln.lua K.check_of), so
-- that no image ever contains a binary whose check has not passed. Both depend on the kiln
-- binary and on every policy file that decides the verdict.
local K = ...
local sfmt = string.format

local M = {}

local function policy_of(c)
	if c.check == false then return nil end
	return c.policy or K.kinds[c.kind].policy
end

-- validation outputs for file, the output of component c; emits the check edge
function M.checks(c, file)
	local policy = policy_of(c)
	if not policy then return nil end
	K.rule("elf_check", {
		-- KILN_DATADIR: the check reads the policies of the data directory this build.ninja
		-- was generated from (and depends on), whatever the shell says
		{ "command", "KILN_DATADIR=" .. K.Q(K.conf.datadir) .. " " .. K.Q(K.conf.kiln) ..
			" elf check $in --policy=$policy --arch=$arch $flags --stamp=$out" },
		{ "description", "CHECK $in ($policy)" },
		-- the stamp keeps its mtime when the report is the same: restat records the edge as
		-- done, so a relinked but identical binary is checked once, not on every run
		{ "restat", "1" },
	}, "rules/elf.lua")
	local flags = { "--forbid-path=" .. K.shq(K.conf.builddir) }
	local imps = { K.conf.kiln, K.conf.datadir .. "/lua/elf_policies.lua" }
	if K.policy_file then
		flags[#flags + 1] = "--policies=" .. K.policy_file
		imps[#imps + 1] = K.policy_file
	end
	local ids = {}
	for id in pairs(c.waive) do ids[#ids + 1] = id end
	table.sort(ids)
	for _, id in ipairs(ids) do
		local reason = c.waive[id]
		if type(reason) ~= "string" or reason == "" then
			K.fail(sfmt("component '%s': the waiver of '%s' needs a written reason", c.name, id), c.origin)
		end
		flags[#flags + 1] = K.shq("--waive=" .. id .. "=" .. reason)
	end
	local stamp = file .. ".check"
	K.edge { rule = "elf_check", outs = { stamp }, ins = { file }, imps = imps,
		vars = { { "policy", policy }, { "arch", K.conf.arch }, { "flags", (table.concat(flags, " "):gsub("%$", "$$")) } },
		origin = c.origin, owner = c.name }
	c.check_stamp = stamp
	return { stamp }
end

-- after the build edges: the file that goes into images (stripped if the kind says so)
function M.postlink(c)
	local main = c.outputs and c.outputs[1]
	if not main then return nil end
	local strip = c.strip
	if strip == nil then strip = K.kinds[c.kind].strip end
	if not strip then return main end
	K.rule("elf_strip", {
		{ "command", K.Q(K.conf.kiln) .. " elf strip $in -o $out" },
		{ "description", "STRIP $out" },
		{ "restat", "1" },
	}, "rules/elf.lua")
	local out = K.outdir(c) .. "/stripped/" .. K.basename(main)
	-- the stripped copy waits for the check: a binary that fails it never reaches an image
	local imps = { K.conf.kiln }
	if c.check_stamp then imps[#imps + 1] = c.check_stamp end
	K.edge { rule = "elf_strip", outs = { out }, ins = { main }, imps = imps, origin = c.origin, owner = c.name }
	c.outputs[#c.outputs + 1] = out
	return out
end

return M
