-- modules/redox/stamp.lua: the build stamp (components.md 7.1): the tree's git description, the date of
-- SOURCE_DATE_EPOCH, kiln's version and the code generator. Replaces the hand-edited
-- "Build:" line of init.rc and goes into /etc/kiln-build. Computed from files only: .git/HEAD
-- and the ref it names (recorded, so a new commit regenerates build.ninja and the stamp).
local S = {}

-- "branch@commit12" (or the detached commit), "+unknown" without .git
function S.describe(root)
	local gitdir = root .. "/.git"
	local st = fs.exists(gitdir)
	if st == "file" then -- a worktree or submodule: "gitdir: PATH"
		local p = fs.read(gitdir):match("gitdir:%s*(%S+)")
		if p then gitdir = p:sub(1, 1) == "/" and p or (root .. "/" .. p) end
	elseif st ~= "dir" then
		return "unknown (not a git checkout)"
	end
	if fs.exists(gitdir .. "/HEAD") ~= "file" then return "unknown (no .git/HEAD)" end
	local head = fs.read(gitdir .. "/HEAD"):gsub("%s+$", "")
	local ref = head:match("^ref:%s*(%S+)")
	if not ref then return head:sub(1, 12) end
	local branch = ref:gsub("^refs/heads/", "")
	if fs.exists(gitdir .. "/" .. ref) == "file" then
		return branch .. "@" .. fs.read(gitdir .. "/" .. ref):sub(1, 12)
	end
	if fs.exists(gitdir .. "/packed-refs") == "file" then
		for hash, r in fs.read(gitdir .. "/packed-refs"):gmatch("(%x+) ([^\n]+)") do
			if r == ref then return branch .. "@" .. hash:sub(1, 12) end
		end
	end
	return branch .. "@(no commit)"
end

-- "YYYY-MM-DD HH:MM UTC" for seconds since the epoch (no os.date in plugins)
function S.date(t)
	local days, rem = t // 86400, t % 86400
	-- civil from days (H. Hinnant's algorithm)
	local z = days + 719468
	local era = (z >= 0 and z or z - 146096) // 146097
	local doe = z - era * 146097
	local yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
	local y = yoe + era * 400
	local doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
	local mp = (5 * doy + 2) // 153
	local d = doy - (153 * mp + 2) // 5 + 1
	local m = mp < 10 and mp + 3 or mp - 9
	if m <= 2 then y = y + 1 end
	return string.format("%04d-%02d-%02d %02d:%02d UTC", y, m, d, rem // 3600, rem % 3600 // 60)
end

function S.fields(root, backend)
	local sde = env "SOURCE_DATE_EPOCH"
	local t = sde and math.tointeger(tonumber(sde))
	return {
		tree = S.describe(root),
		date = t and S.date(t) or "unknown (SOURCE_DATE_EPOCH is not set)",
		kiln = kiln_version(),
		codegen = backend,
	}
end

-- init.rc with the fork's hand-edited stamp (and the note asking to edit it) replaced by the
-- generated one, the line "# kiln build: TREE | DATE | kiln V | codegen B"
function S.init_rc(text, st)
	local line = string.format("# kiln build: %s | %s | kiln %s | codegen %s", st.tree, st.date, st.kiln, st.codegen)
	local out, done = {}, false
	for l in (text .. (text:sub(-1) == "\n" and "" or "\n")):gmatch("([^\n]*)\n") do
		if l:match("^#.*please update the git commit") then
			-- dropped: the stamp is generated now
		elseif not done and l:match("^#.*Build:") then
			out[#out + 1] = line
			done = true
		else
			out[#out + 1] = l
		end
	end
	if not done then table.insert(out, 1, line) end
	return table.concat(out, "\n") .. "\n"
end

return S
