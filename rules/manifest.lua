-- rules/manifest.lua: the staging manifest of a filesystem image (docs/manifest.md), written
-- by kiln gen into gen/manifests/ from the install entries of every component and the files
-- declarations. The image edge reads it; its sources are the edge's inputs.
local ctx = ...   -- the rules context (lua/kiln.lua, docs/design.md): not kiln's state
local sfmt = string.format

local M = {}

local function esc(s)
	return (s:gsub("[%c\\ #\127]", function(ch)
		if ch == "\\" then return "\\\\" end
		if ch == " " then return "\\s" end
		if ch == "\t" then return "\\t" end
		if ch == "\n" then return "\\n" end
		if ch == "\r" then return "\\r" end
		return sfmt("\\x%02x", ch:byte())
	end))
end
M.escape = esc

-- write img's manifest; returns its path and the list of files it names (the edge's inputs)
function M.write(img)
	local entries = {}
	for _, e in ipairs(img.contents) do entries[#entries + 1] = e end
	table.sort(entries, function(a, b) return a.path < b.path end)
	local lines = { "kiln-manifest 1", sfmt("# image %s (%s), declared at %s", img.name, img.format, img.origin) }
	local srcs, seen = {}, {}
	for i, e in ipairs(entries) do
		if i > 1 and entries[i - 1].path == e.path then
			local p = entries[i - 1]
			ctx.fail(sfmt("image '%s': %s is installed twice\n    Collision: %s (%s)\n    Collision: %s (%s)",
				img.name, e.path, p.origin, p.component, e.origin, e.component), e.origin)
		end
		local mode = e.mode or (e.type == "dir" and "0755" or e.type == "symlink" and "0777" or "0644")
		local owner = sfmt("%s %d %d", mode, e.uid or 0, e.gid or 0)
		local p = esc(e.path)
		if e.type == "dir" then
			lines[#lines + 1] = sfmt("dir %s %s", p, owner)
		elseif e.type == "symlink" then
			lines[#lines + 1] = sfmt("symlink %s %s %s", p, owner, esc(e.target))
		elseif e.type == "hardlink" then
			lines[#lines + 1] = sfmt("hardlink %s %s", p, esc(e.target))
		elseif e.src then
			lines[#lines + 1] = sfmt("file %s %s src:%s", p, owner, esc(e.src))
			if not seen[e.src] then srcs[#srcs + 1] = e.src; seen[e.src] = true end
		else
			lines[#lines + 1] = sfmt("file %s %s data:%s", p, owner, esc(e.data))
		end
	end
	local path = "gen/manifests/" .. img.name .. ".manifest"
	ctx.generate(path, table.concat(lines, "\n") .. "\n", img.origin)
	return path, srcs
end

-- the declare() of a filesystem image format that needs a size and nothing else
function M.sized(format, hint)
	return function(i, t)
		if not t.size then ctx.fail(sfmt("image '%s': a %s image needs size = ...%s", i.name, format, hint or ""), i.origin) end
		if t.partitions or t.bootstrap then
			ctx.fail(sfmt("image '%s': a %s image has no partitions or bootstrap", i.name, format), i.origin)
		end
	end
end

-- the implicit inputs of an image edge: files (every file the image holds, from the manifest
-- or imps), the stamp of each one's ELF check (ctx.check_of: nothing unchecked gets in), and kiln
function M.image_inputs(files)
	local all, stamps, seen = {}, {}, {}
	for _, s in ipairs(files) do
		all[#all + 1] = s
		local c = ctx.check_of[s]
		if c and not seen[c] then seen[c] = true; stamps[#stamps + 1] = c end
	end
	for _, c in ipairs(stamps) do all[#all + 1] = c end
	all[#all + 1] = ctx.conf.kiln
	return all
end

-- the edge of a filesystem image written from its manifest by `kiln FORMAT create`: the
-- manifest is the input, every file it names an implicit input; restat, since the writers
-- leave an unchanged image untouched. The command carries SOURCE_DATE_EPOCH as configure saw
-- it. extra: more Ninja variables, imps: more inputs
function M.image_edge(i, format, command, vars, imps)
	local manifest, srcs = M.write(i)
	ctx.rule(format, {
		{ "command", ctx.with_sde(ctx.Q(ctx.conf.kiln) .. " " .. command) },
		{ "description", format:upper() .. " $out" },
		{ "restat", "1" },
	}, "rules/" .. format .. ".lua")
	local files = {}
	for _, s in ipairs(imps or {}) do files[#files + 1] = s end
	for _, s in ipairs(srcs) do files[#files + 1] = s end
	i.inputs = files
	ctx.edge { rule = format, outs = { i.output }, ins = { manifest }, imps = M.image_inputs(files), vars = vars,
		origin = i.origin, owner = i.name }
end

return M
