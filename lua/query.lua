-- lua/query.lua: kiln list, show, why and graph, answered from the declarations after the
-- plugins have been loaded and resolved (nothing is written), and kiln report (lua/report.lua).
--
-- Each of list, show and why first gathers its facts into one table, then prints it either
-- as text or (--json) as JSON, so that both carry the same facts; docs/cli.md has the schema.
local K = ...
local sfmt = string.format
local out = function(...) io.stdout:write(sfmt(...)) end

local Q = {}

local function kind_of(x)
	if x.decl == "image" then return "image/" .. x.format end
	if x.decl == "files" then return "files" end
	return x.kind
end

-- a string JSON can carry: bytes that are not UTF-8 become the text \xHH
local function clean(s)
	if utf8.len(s) then return s end
	local res, i = {}, 1
	while i <= #s do
		local b = s:byte(i)
		local n = b < 0x80 and 1 or b >= 0xC2 and b <= 0xDF and 2 or b >= 0xE0 and b <= 0xEF and 3 or
			b >= 0xF0 and b <= 0xF4 and 4 or 0
		local ch = n > 0 and s:sub(i, i + n - 1) or ""
		if n > 0 and #ch == n and utf8.len(ch) == 1 then
			res[#res + 1] = ch
			i = i + n
		else
			res[#res + 1] = sfmt("\\x%02X", b)
			i = i + 1
		end
	end
	return table.concat(res)
end

local function cleaned(v)
	if type(v) == "string" then return clean(v) end
	if type(v) ~= "table" then return v end
	local t = setmetatable({}, getmetatable(v))
	for k, x in pairs(v) do t[k] = cleaned(x) end
	return t
end

local function emit_json(t)
	io.stdout:write(K.json.encode(cleaned(t)))
end

-- human size: 1536 -> "1.5 KiB"
local function human(n)
	if not n then return "?" end
	local units, u = { "B", "KiB", "MiB", "GiB", "TiB" }, 1
	local v = n
	while v >= 1024 and u < #units do v, u = v / 1024, u + 1 end
	return u == 1 and sfmt("%d B", n) or sfmt("%.1f %s", v, units[u])
end
Q.human = human

-- the bytes an image entry holds once built, or nil when its source is not built yet
local function entry_size(e)
	if e.type == "file" or (not e.type and (e.src or e.data)) then
		if e.src then return K.core.file_size and K.core.file_size(e.src) end
		if e.data then return #e.data end
	end
	return nil
end

---------------------------------------------------------------------------------------------
-- list

function Q.list(mode)
	local all = {}
	for _, c in ipairs(K.components) do all[#all + 1] = c end
	for _, i in ipairs(K.images) do all[#all + 1] = i end
	table.sort(all, function(a, b) return a.name < b.name end)
	local items = {}
	for _, x in ipairs(all) do
		items[#items + 1] = { name = x.name, kind = kind_of(x), declaration = x.decl, origin = x.origin }
	end
	if mode == "json" then return emit_json { schema = "kiln-list-1", items = items } end
	for _, it in ipairs(items) do out("%-24s %-14s %s\n", it.name, it.kind, it.origin) end
end

---------------------------------------------------------------------------------------------
-- show

-- every (image, path) where x lands, following images installed in images and partitions
local function landings(x)
	local res = {}
	-- where: an image path ("/boot/initfs") or a partition ({ partition = "REDOX" })
	local function walk(img, where, chain)
		local r = { image = img.name, chain = chain }
		if type(where) == "table" then r.partition = where.partition else r.path = where end
		res[#res + 1] = r
		for _, i in ipairs(K.images) do
			for _, e in ipairs(i.contents) do
				if e.src == img.output then walk(i, e.path, chain .. " -> " .. i.name .. ":" .. e.path) end
			end
			for _, p in ipairs(i.partitions or {}) do
				if p.image == img.name then walk(i, { partition = p.name }, chain .. " -> " .. i.name .. " partition " .. p.name) end
			end
		end
	end
	for _, i in ipairs(K.images) do
		for _, e in ipairs(i.contents) do
			if e.component == x.name then walk(i, e.path, x.name .. " -> " .. i.name .. ":" .. e.path) end
		end
		if x.decl == "image" then
			for _, p in ipairs(i.partitions or {}) do
				if p.image == x.name then walk(i, { partition = p.name }, x.name .. " -> " .. i.name .. " partition " .. p.name) end
			end
		end
	end
	return res
end

-- the facts of kiln show NAME
local function describe(x)
	local f = { schema = "kiln-show-1", name = x.name, kind = kind_of(x), declaration = x.decl,
		origin = x.origin, description = x.description }
	if x.decl == "component" then
		f.source_dir = x.dir
		f.build = { module = x.build.module, origin = x.build.origin }
		f.elf_policy = x.check ~= false and (x.policy or K.kinds[x.kind].policy) or nil
		local cg = x.cargo
		if cg then
			f.cargo = { run = cg.group.run, crates = #cg.group.members, log = cg.log, dir = cg.cwd,
				config_files = cg.config_files or {}, overridden = cg.overrides or {} }
		end
	end
	if x.decl == "image" then
		f.format, f.output, f.size, f.max_size, f.bootstrap = x.format, x.output, x.size, x.max_size, x.bootstrap
		f.built_size = K.core.file_size and K.core.file_size(x.output)
		f.contents = {}
		for _, e in ipairs(x.contents) do
			f.contents[#f.contents + 1] = { path = e.path, component = e.component, type = e.type or "file",
				source = e.src, target = e.target, size = entry_size(e) }
		end
		f.partitions = {}
		for _, p in ipairs(x.partitions or {}) do
			f.partitions[#f.partitions + 1] = { name = p.name, type = p.type, image = p.image }
		end
	end
	f.inputs = x.inputs or {}
	if x.decl == "files" then
		f.files = { image = x.image, entries = {} }
		for _, e in ipairs(x.entries) do
			f.files.entries[#f.files.entries + 1] = { path = e.path, type = e.type or "file", source = e.src,
				target = e.target }
		end
	end
	f.outputs = x.outputs or {}
	f.check_stamp = x.check_stamp
	f.depends_on = x.deps
	f.needed_by = {}
	for _, c in ipairs(K.components) do
		for _, d in ipairs(c.deps) do if d == x.name then f.needed_by[#f.needed_by + 1] = c.name end end
	end
	f.lands_in = landings(x)
	return f
end

local function show_text(f)
	out("%s\n", f.name)
	out("  kind:         %s\n", f.kind)
	out("  declared at:  %s\n", f.origin)
	if f.description then out("  description:  %s\n", f.description) end
	if f.source_dir then out("  source dir:   %s\n", f.source_dir) end
	if f.build then out("  build:        %s (%s)\n", f.build.module, f.build.origin) end
	if f.elf_policy then out("  elf policy:   %s\n", f.elf_policy) end
	local cg = f.cargo
	if cg then
		out("  cargo run:    %s (%d crate%s, log %s)\n", cg.run, cg.crates, cg.crates == 1 and "" or "s", cg.log or "-")
		if cg.dir then out("  cargo dir:    %s\n", cg.dir) end
		for _, c in ipairs(cg.config_files) do out("  cargo config: %s\n", c) end
		for _, o in ipairs(cg.overridden) do out("  overridden:   %s\n", o) end
	end
	if f.declaration == "image" then
		out("  output:       %s%s\n", f.output, f.built_size and sfmt(" (%d bytes built)", f.built_size) or " (not built)")
		if f.size then out("  size:         %d bytes\n", f.size) end
		if f.max_size then out("  max size:     %d bytes\n", f.max_size) end
		if f.bootstrap then out("  bootstrap:    %s\n", f.bootstrap) end
		local total, known = 0, 0
		for _, e in ipairs(f.contents) do if e.size then total, known = total + e.size, known + 1 end end
		out("  contents:     %d entries%s\n", #f.contents, known > 0 and sfmt(", %d bytes in files", total) or "")
		for _, e in ipairs(f.contents) do
			out("    %-30s %-14s %s\n", e.path, e.component or "",
				e.size and sfmt("%10d", e.size) or (e.type ~= "file" and e.type or ""))
		end
		for _, p in ipairs(f.partitions) do
			out("    partition %-10s %s%s\n", p.name, p.type, p.image and (" <- " .. p.image) or "")
		end
	end
	if #f.inputs > 0 then
		out("  inputs:\n")
		for _, i in ipairs(f.inputs) do out("    %s\n", i) end
	end
	if f.files then
		out("  files (into %s):\n", f.files.image)
		for _, e in ipairs(f.files.entries) do out("    %-30s %s\n", e.path, e.source or e.type) end
	end
	if #f.outputs > 0 or f.check_stamp then
		out("  outputs:\n")
		for _, o in ipairs(f.outputs) do out("    %s\n", o) end
		if f.check_stamp then out("    %s (check)\n", f.check_stamp) end
	end
	if #f.depends_on > 0 then out("  depends on:   %s\n", table.concat(f.depends_on, " ")) end
	if #f.needed_by > 0 then out("  needed by:    %s\n", table.concat(f.needed_by, " ")) end
	if #f.lands_in > 0 then
		out("  lands in:\n")
		for _, r in ipairs(f.lands_in) do out("    %s\n", r.chain) end
	end
end

function Q.show(mode, name)
	local x = K.by_name[name]
	if not x then error(sfmt("no component or image named '%s'%s", name, K.suggest(name, K.by_name)), 0) end
	local f = describe(x)
	if mode == "json" then return emit_json(f) end
	show_text(f)
end

---------------------------------------------------------------------------------------------
-- why

local function why_facts(path)
	local f = { schema = "kiln-why-1", path = path, matches = {} }
	for _, i in ipairs(K.images) do
		for _, e in ipairs(i.contents) do
			if e.path == path or e.src == path then
				local who = K.by_name[e.component]
				local m = { path = e.path, image = i.name, image_output = i.output,
					by = { declaration = who and who.decl or "?", name = e.component, origin = e.origin },
					from = e.src, chains = {}, built_after = who and who.deps or {} }
				if who then
					local key = " -> " .. i.name .. ":" .. e.path
					for _, r in ipairs(landings(who)) do
						local at = r.chain:find(key, 1, true)
						local rest = at and r.chain:sub(at + #key, at + #key + 3)
						if at and (rest == "" or rest == " -> ") then m.chains[#m.chains + 1] = r.chain end
					end
				end
				f.matches[#f.matches + 1] = m
			end
		end
	end
	return f
end

function Q.why(mode, path)
	local f = why_facts(path)
	if #f.matches == 0 then
		error(sfmt("no image contains %s and no component produces it (kiln show IMAGE lists an image's paths)", path), 0)
	end
	if mode == "json" then return emit_json(f) end
	for _, m in ipairs(f.matches) do
		out("%s in image %s (%s)\n", m.path, m.image, m.image_output)
		out("  put there by %s '%s' (%s)\n", m.by.declaration, m.by.name, m.by.origin)
		if m.from then out("  from %s\n", m.from) end
		for _, c in ipairs(m.chains) do out("  chain: %s\n", c) end
		if #m.built_after > 0 then out("  built after: %s\n", table.concat(m.built_after, " ")) end
	end
end

---------------------------------------------------------------------------------------------
-- graph

-- a quoted DOT id; the parts of a label are joined by DOT's line break
local function dotid(...)
	local parts = {}
	for i, s in ipairs { ... } do parts[i] = s:gsub('[\\"]', "\\%0") end
	return '"' .. table.concat(parts, "\\n") .. '"'
end

-- the dependencies that more than half of the components (and at least three) share: the
-- sysroot and target specs every Redox program has; their edges hide the structure
local function common_deps()
	local count, n = {}, 0
	for _, c in ipairs(K.components) do
		if c.decl == "component" then
			n = n + 1
			for _, d in ipairs(c.deps) do count[d] = (count[d] or 0) + 1 end
		end
	end
	local common, names = {}, {}
	for d, k in pairs(count) do
		if k > n / 2 and k >= 3 then common[d] = k; names[#names + 1] = d end
	end
	table.sort(names)
	return common, names
end

-- each image's parent (the image or disk it is installed in, or a partition of), and each
-- component's images (those whose contents it puts files into, and an initfs's bootstrap)
local function containment()
	local parent, depth, homes = {}, {}, {}
	local by_output = {}
	for _, i in ipairs(K.images) do by_output[i.output] = i end
	for _, i in ipairs(K.images) do
		for _, e in ipairs(i.contents) do
			local inner = e.src and by_output[e.src]
			if inner and not parent[inner.name] then parent[inner.name] = i.name .. " " .. e.path end
		end
		for _, p in ipairs(i.partitions or {}) do
			if p.image and not parent[p.image] then parent[p.image] = i.name .. " partition " .. p.name end
		end
	end
	local function d(name)
		if depth[name] then return depth[name] end
		depth[name] = 0 -- a guard; kiln gen rejects images inside themselves
		local p = parent[name] and parent[name]:match("^%S+")
		depth[name] = p and d(p) + 1 or 0
		return depth[name]
	end
	for _, i in ipairs(K.images) do
		local function add(comp)
			local h = homes[comp] or {}
			for _, x in ipairs(h) do if x == i.name then return end end
			h[#h + 1] = i.name
			homes[comp] = h
		end
		for _, e in ipairs(i.contents) do
			if e.component and K.by_name[e.component] and K.by_name[e.component].decl ~= "image" then add(e.component) end
		end
		if i.bootstrap then add(i.bootstrap) end
	end
	return parent, d, homes
end

function Q.graph(mode)
	local all = mode == "all"
	local common, common_names = common_deps()
	local parent, depth, homes = containment()
	-- each component drawn in the most deeply nested image it lands in; the others get a
	-- dashed edge to their image
	local home, also = {}, {}
	for _, c in ipairs(K.components) do
		local h = homes[c.name]
		if h then
			local best = h[1]
			for _, n in ipairs(h) do if depth(n) > depth(best) then best = n end end
			home[c.name] = best
			for _, n in ipairs(h) do if n ~= best then also[#also + 1] = { c.name, n } end end
		end
	end
	local members, children = {}, {}
	for _, c in ipairs(K.components) do
		if home[c.name] then
			local m = members[home[c.name]] or {}
			m[#m + 1] = c
			members[home[c.name]] = m
		end
	end
	for _, i in ipairs(K.images) do
		local p = parent[i.name] and parent[i.name]:match("^%S+")
		if p then
			children[p] = children[p] or {}
			table.insert(children[p], i)
		end
	end
	local function node(c, indent)
		out("%s%s [label=%s];\n", indent, dotid(c.name), dotid(c.name, kind_of(c)))
	end
	local function cluster(i, indent)
		local where = parent[i.name] and parent[i.name]:match("^%S+ (.*)$")
		out("%ssubgraph %s {\n", indent, dotid("cluster_" .. i.name))
		local inner = indent .. "  "
		out("%slabel=%s; style=rounded; color=gray40; fontname=\"monospace\";\n", inner,
			dotid(i.name .. " (" .. i.format .. (where and ", " .. where or "") .. ")"))
		out("%s%s [shape=folder, label=%s];\n", inner, dotid(i.name), dotid(i.name, i.output))
		for _, c in ipairs(members[i.name] or {}) do node(c, inner) end
		for _, ch in ipairs(children[i.name] or {}) do cluster(ch, inner) end
		out("%s}\n", indent)
	end
	out("digraph kiln {\n  rankdir=LR;\n  node [shape=box, fontname=\"monospace\"];\n")
	if #common_names > 0 and not all then
		local n = 0
		for _, k in pairs(common) do n = math.max(n, k) end
		out("  labelloc=t; fontname=\"monospace\";\n  label=%s;\n", dotid(sfmt(
			"not drawn: the edges from %s, which %d components depend on (kiln graph --all draws them)",
			table.concat(common_names, ", "), n)))
	end
	for _, i in ipairs(K.images) do
		if not parent[i.name] then cluster(i, "  ") end
	end
	for _, c in ipairs(K.components) do
		if not home[c.name] then node(c, "  ") end
	end
	for _, c in ipairs(K.components) do
		for _, d in ipairs(c.deps) do
			if all or not common[d] then out("  %s -> %s;\n", dotid(d), dotid(c.name)) end
		end
	end
	for _, a in ipairs(also) do
		out("  %s -> %s [style=dashed, label=\"also in\"];\n", dotid(a[1]), dotid(a[2]))
	end
	out("}\n")
end

---------------------------------------------------------------------------------------------

function Q.report(mode, outfile)
	local rel = "lua/report.lua"
	local fn, err = K.core.loadfile(K.conf.datadir .. "/" .. rel, rel, setmetatable({}, { __index = _G }))
	if not fn then error(err, 0) end
	fn(K, Q).run(mode, outfile)
end

function Q.run(cmd, ...)
	local f = Q[cmd]
	if not f then error("unknown query " .. tostring(cmd), 0) end
	f(...)
end

return Q
