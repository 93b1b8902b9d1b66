-- lua/query.lua: kiln list, show, graph and why, answered from the declarations after the
-- plugins have been loaded and resolved (nothing is written).
local K = ...
local sfmt = string.format
local out = function(...) io.stdout:write(sfmt(...)) end

local Q = {}

local function kind_of(x)
	if x.decl == "image" then return "image/" .. x.format end
	if x.decl == "files" then return "files" end
	return x.kind
end

function Q.list()
	local all = {}
	for _, c in ipairs(K.components) do all[#all + 1] = c end
	for _, i in ipairs(K.images) do all[#all + 1] = i end
	table.sort(all, function(a, b) return a.name < b.name end)
	for _, x in ipairs(all) do
		out("%-24s %-14s %s\n", x.name, kind_of(x), x.origin)
	end
end

-- every (image, path) where x lands, following images installed in images and partitions
local function landings(x)
	local res = {}
	local function walk(img, path, chain)
		res[#res + 1] = { image = img, path = path, chain = chain }
		for _, i in ipairs(K.images) do
			for _, e in ipairs(i.contents) do
				if e.src == img.output then walk(i, e.path, chain .. " -> " .. i.name .. ":" .. e.path) end
			end
			for _, p in ipairs(i.partitions or {}) do
				if p.image == img.name then walk(i, "partition " .. p.name, chain .. " -> " .. i.name .. " partition " .. p.name) end
			end
		end
	end
	for _, i in ipairs(K.images) do
		for _, e in ipairs(i.contents) do
			if e.component == x.name then walk(i, e.path, x.name .. " -> " .. i.name .. ":" .. e.path) end
		end
		if x.decl == "image" then
			for _, p in ipairs(i.partitions or {}) do
				if p.image == x.name then walk(i, "partition " .. p.name, x.name .. " -> " .. i.name .. " partition " .. p.name) end
			end
		end
	end
	return res
end

function Q.show(name)
	if not name then K.fail("usage: kiln show NAME", "kiln show") end
	local x = K.by_name[name]
	if not x then K.fail(sfmt("no component or image named '%s'%s", name, K.suggest(name, K.by_name)), "kiln show") end
	out("%s\n", x.name)
	out("  kind:         %s\n", kind_of(x))
	out("  declared at:  %s\n", x.origin)
	if x.description then out("  description:  %s\n", x.description) end
	if x.decl == "component" then
		out("  source dir:   %s\n", x.dir)
		out("  build:        %s (%s)\n", x.build.module, x.build.origin)
		local policy = x.check ~= false and (x.policy or K.kinds[x.kind].policy)
		if policy then out("  elf policy:   %s\n", policy) end
		local cg = x.cargo
		if cg then
			local n = #cg.group.members
			out("  cargo run:    %s (%d crate%s, log %s)\n", cg.group.run, n, n == 1 and "" or "s", cg.log or "-")
			if cg.cwd then out("  cargo dir:    %s\n", cg.cwd) end
			for _, f in ipairs(cg.config_files or {}) do out("  cargo config: %s\n", f) end
			for _, o in ipairs(cg.overrides or {}) do out("  overridden:   %s\n", o) end
		end
	end
	if x.decl == "image" then
		out("  output:       %s\n", x.output)
		if x.size then out("  size:         %d bytes\n", x.size) end
		if x.bootstrap then out("  bootstrap:    %s\n", x.bootstrap) end
		out("  contents:     %d entries\n", #x.contents)
		for _, e in ipairs(x.contents) do
			out("    %-30s %s\n", e.path, e.component or "")
		end
		for _, p in ipairs(x.partitions or {}) do
			out("    partition %-10s %s%s\n", p.name, p.type, p.image and (" <- " .. p.image) or "")
		end
	end
	if x.inputs and #x.inputs > 0 then
		out("  inputs:\n")
		for _, i in ipairs(x.inputs) do out("    %s\n", i) end
	end
	if x.decl == "files" then
		out("  files (into %s):\n", x.image)
		for _, e in ipairs(x.entries) do out("    %-30s %s\n", e.path, e.src or e.type) end
	end
	if x.outputs and #x.outputs > 0 then
		out("  outputs:\n")
		for _, o in ipairs(x.outputs) do out("    %s\n", o) end
		if x.check_stamp then out("    %s (check)\n", x.check_stamp) end
	end
	if #x.deps > 0 then out("  depends on:   %s\n", table.concat(x.deps, " ")) end
	local rdeps = {}
	for _, c in ipairs(K.components) do
		for _, d in ipairs(c.deps) do if d == x.name then rdeps[#rdeps + 1] = c.name end end
	end
	if #rdeps > 0 then out("  needed by:    %s\n", table.concat(rdeps, " ")) end
	local l = landings(x)
	if #l > 0 then
		out("  lands in:\n")
		for _, r in ipairs(l) do out("    %s\n", r.chain) end
	end
end

local function dotid(s) return '"' .. s:gsub('"', '\\"') .. '"' end

function Q.graph()
	out("digraph kiln {\n  rankdir=LR;\n  node [shape=box, fontname=\"monospace\"];\n")
	for _, c in ipairs(K.components) do
		out("  %s [label=%s];\n", dotid(c.name), dotid(c.name .. "\\n" .. kind_of(c)))
		for _, d in ipairs(c.deps) do out("  %s -> %s;\n", dotid(d), dotid(c.name)) end
	end
	for _, i in ipairs(K.images) do
		out("  %s [shape=folder, label=%s];\n", dotid(i.name), dotid(i.name .. "\\n" .. i.format))
		local seen = {}
		for _, e in ipairs(i.contents) do
			if e.component and not seen[e.component] then
				seen[e.component] = true
				out("  %s -> %s;\n", dotid(e.component), dotid(i.name))
			end
		end
		for _, p in ipairs(i.partitions or {}) do
			if p.image then out("  %s -> %s [label=%s];\n", dotid(p.image), dotid(i.name), dotid(p.name)) end
		end
		if i.bootstrap then out("  %s -> %s [label=\"bootstrap\"];\n", dotid(i.bootstrap), dotid(i.name)) end
	end
	out("}\n")
end

function Q.why(path)
	if not path then K.fail("usage: kiln why PATH (a path inside an image, or a build output)", "kiln why") end
	local found = 0
	for _, i in ipairs(K.images) do
		for _, e in ipairs(i.contents) do
			if e.path == path or e.src == path then
				found = found + 1
				local who = K.by_name[e.component]
				out("%s in image %s (%s)\n", e.path, i.name, i.output)
				out("  put there by %s '%s' (%s)\n", who and who.decl or "?", e.component, e.origin)
				if e.src then out("  from %s\n", e.src) end
				if who then
					local key = " -> " .. i.name .. ":" .. e.path
					for _, r in ipairs(landings(who)) do
						local at = r.chain:find(key, 1, true)
						local rest = at and r.chain:sub(at + #key, at + #key + 3)
						if at and (rest == "" or rest == " -> ") then
							out("  chain: %s\n", r.chain)
						end
					end
					local deps = who.deps or {}
					if #deps > 0 then out("  built after: %s\n", table.concat(deps, " ")) end
				end
			end
		end
	end
	if found == 0 then
		K.fail(sfmt("no image contains %s and no component produces it", path), "kiln why")
	end
end

function Q.run(cmd, ...)
	local f = Q[cmd]
	if not f then K.fail("unknown query " .. tostring(cmd), "kiln") end
	f(...)
end

return Q
