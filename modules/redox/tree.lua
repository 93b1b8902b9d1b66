-- modules/redox/tree.lua: reading the Redox tree without running cargo: TOML files, git
-- submodules, Cargo workspaces, their members, path dependencies and features. Every file read
-- is recorded, so editing a Cargo.toml regenerates build.ninja.
return function(R)
	local sfmt = string.format
	---------------------------------------------------------------------------------------------
	-- reading the Redox tree
	--
	-- Problems of the tree (a missing member, an empty submodule, a broken Cargo.toml, a [patch]
	-- path of another machine) are recorded with problem() and reading goes on, so that one
	-- configure run lists every one of them with its fix.

	-- the parsed TOML file at path (absolute) and its text; nil after recording a problem (the
	-- file, line and column, and what was expected)
	function R.read_toml(path)
		local text = fs.read(path)
		local ok, t = pcall(toml_decode, text, path)
		if not ok then problem(t, false) return nil end
		return t, text
	end

	-- the line of text where a key (or [table] header) matching pattern first appears at or after
	-- line `from`, for messages; 1 when it is not found
	function R.line_of(text, pattern, from)
		local n = 0
		for l in (text .. "\n"):gmatch("([^\n]*)\n") do
			n = n + 1
			if n >= (from or 1) and l:find(pattern) then return n end
		end
		return 1
	end

	local function parent(p) return p:match("^(.+)/[^/]+$") end
	R.parent = parent

	-- p relative to the tree's root, for the text of messages (their location stays absolute)
	function R.rel(p)
		if R.src and p:sub(1, #R.src + 1) == R.src .. "/" then return p:sub(#R.src + 2) end
		return p
	end

	-- the .gitmodules entries of the repository at dir: path -> true
	local gitmodules = {}
	local function submodules_of(dir)
		if gitmodules[dir] == nil then
			local t = {}
			if fs.exists(dir .. "/.gitmodules") == "file" then
				for path in fs.read(dir .. "/.gitmodules"):gmatch("\n?%s*path%s*=%s*([^\n]+)") do
					t[(path:gsub("%s+$", ""))] = true
				end
			end
			gitmodules[dir] = t
		end
		return gitmodules[dir]
	end

	-- the submodule that holds dir, per the .gitmodules of the repositories from dir up to the
	-- tree's root: { repo = DIR, path = P } or nil
	function R.submodule(dir)
		local p = parent(dir)
		while p and R.src and #p >= #R.src do
			for sp in pairs(submodules_of(p)) do
				local full = p .. "/" .. sp
				if dir == full or dir:sub(1, #full + 1) == full .. "/" then return { repo = p, path = sp } end
			end
			p = parent(p)
		end
		return nil
	end

	-- dir must hold a crate (its Cargo.toml) because `why` needs it; a problem naming the fix
	-- otherwise (a submodule update when dir is in a submodule). True when the crate is there.
	local needed = {}
	function R.need(dir, why, where)
		if needed[dir] ~= nil then return needed[dir] end
		local st = fs.exists(dir)
		local ok = st == "dir" and fs.exists(dir .. "/Cargo.toml") == "file"
		needed[dir] = ok
		if ok then return true end
		local state = st ~= "dir" and "does not exist" or (#fs.list(dir) == 0 and "is empty" or "has no Cargo.toml")
		local sm = R.submodule(dir)
		if sm then
			problem(sfmt("%s %s (a git submodule), and %s needs it; fix: git -C %s submodule update --init %s",
				R.rel(dir), state, why, sm.repo, sm.path), where or false)
		else
			problem(sfmt("%s %s, and %s needs it; fix: add the crate there, or remove the reference", R.rel(dir), state, why),
				where or false)
		end
		return false
	end

	-- after every plugin: the submodules of the repositories kiln read that are empty but that
	-- nothing kiln builds needs (stale .gitmodules entries, or crates the build does not use)
	after_plugins(function()
		local unused = {}
		for repo, t in pairs(gitmodules) do
			for sp in pairs(t) do
				local full = repo .. "/" .. sp
				local st = fs.exists(full)
				if (st ~= "dir" or #fs.list(full) == 0) and needed[full] == nil then
					local rel = R.src and full:sub(1, #R.src + 1) == R.src .. "/" and full:sub(#R.src + 2) or full
					unused[#unused + 1] = rel
				end
			end
		end
		if #unused > 0 then
			table.sort(unused)
			note(sfmt("empty or absent submodules that nothing kiln builds needs (left alone): %s", table.concat(unused, ", ")))
		end
	end)

	-- the dependency tables of a manifest that cargo resolves for a build: [dependencies],
	-- [build-dependencies] and their [target.*] forms, plus [dev-dependencies] for workspace
	-- members (cargo resolves those too)
	local function dep_tables(m, dev)
		local out = {}
		local kinds = { "dependencies", "build-dependencies" }
		if dev then kinds[3] = "dev-dependencies" end
		for _, k in ipairs(kinds) do
			if type(m[k]) == "table" then out[#out + 1] = m[k] end
		end
		for _, t in pairs(type(m.target) == "table" and m.target or {}) do
			for _, k in ipairs(kinds) do
				if type(t) == "table" and type(t[k]) == "table" then out[#out + 1] = t[k] end
			end
		end
		return out
	end

	function R.absolute(base, p)
		if p:sub(1, 1) == "/" then return p end
		local parts = {}
		for c in (base .. "/" .. p):gmatch("[^/]+") do
			if c == ".." then parts[#parts] = nil elseif c ~= "." then parts[#parts + 1] = c end
		end
		return "/" .. table.concat(parts, "/")
	end

	-- the directory of the tree whose path ends like p (the longest tail of p's components that
	-- names a crate directory of the tree), for a path written on another machine
	function R.in_tree(p)
		if not R.src then return nil end
		local comps = {}
		for c in p:gmatch("[^/]+") do comps[#comps + 1] = c end
		for i = 1, #comps - 1 do
			local tail = table.concat(comps, "/", i)
			local cand = R.src .. "/" .. tail
			if fs.exists(cand .. "/Cargo.toml") == "file" then return cand end
		end
		return nil
	end

	-- the path dependencies of the crate at dir (manifest m, text for line numbers): every one
	-- must exist (cargo reads them all); those that exist are read in turn, once
	local visited = {}
	local function check_path_deps(dir, m, text, root_ws, dev)
		if visited[dir] then return end
		visited[dir] = true
		for _, tbl in ipairs(dep_tables(m, dev)) do
			for key, d in pairs(tbl) do
				local p = type(d) == "table" and d.path
				if type(d) == "table" and d.workspace == true and root_ws and root_ws.deps[key] then
					p = root_ws.deps[key].path and R.absolute(root_ws.root, root_ws.deps[key].path)
				elseif p then
					p = R.absolute(dir, p)
				end
				if type(p) == "string" then
					local where = dir .. "/Cargo.toml:" .. R.line_of(text or "", "^%s*%[?[%w%.%-_]*" .. key:gsub("%p", "%%%0"))
					if R.need(p, sfmt("%s/Cargo.toml (path dependency '%s')", R.rel(dir), key), where) then
						local dm, dt = R.read_toml(p .. "/Cargo.toml")
						if dm then check_path_deps(p, dm, dt, nil, false) end
					end
				end
			end
		end
	end

	-- a Cargo workspace: { root, members = { {dir, package, bins = {...}, lib} }, by_bin,
	-- by_package, broken }. Every member must exist (cargo refuses the whole workspace
	-- otherwise): each missing one is a problem naming it, and the workspace is `broken`.
	local workspaces = {}
	function R.workspace(root)
		if workspaces[root] then return workspaces[root] end
		local ws = { root = root, members = {}, by_bin = {}, by_package = {}, deps = {} }
		workspaces[root] = ws
		submodules_of(root) -- known, for the note on unused submodules
		if not R.need(root, "the build of " .. root) then ws.broken = true return ws end
		local top, text = R.read_toml(root .. "/Cargo.toml")
		if not top then ws.broken = true return ws end
		local w = top.workspace or {}
		ws.deps = type(w.dependencies) == "table" and w.dependencies or {}
		local function add(dir, m, mtext)
			local p = m.package or {}
			local name = p.name
			if type(name) ~= "string" then
				problem(sfmt("%s/Cargo.toml: no [package] name", dir), false)
				ws.broken = true
				return
			end
			local mem = { dir = dir, package = name, bins = {}, lib = m.lib ~= nil, features = m.features or {},
				manifest = m }
			if type(m.bin) == "table" then
				for _, b in ipairs(m.bin) do mem.bins[#mem.bins + 1] = b.name or name end
			end
			if #mem.bins == 0 and fs.exists(dir .. "/src/main.rs") == "file" then mem.bins[1] = name end
			if not m.lib and fs.exists(dir .. "/src/lib.rs") == "file" then mem.lib = true end
			ws.members[#ws.members + 1] = mem
			ws.by_package[name] = mem
			for _, b in ipairs(mem.bins) do ws.by_bin[b] = ws.by_bin[b] or mem end
			check_path_deps(dir, m, mtext, ws, true)
		end
		if top.package then add(root, top, text) end
		local excluded = {}
		for _, e in ipairs(w.exclude or {}) do excluded[root .. "/" .. e] = true end
		for _, pat in ipairs(w.members or {}) do
			local dirs = {}
			if pat:find("[%*%?%[]") then
				-- a glob: each component with wildcards is matched against the directory's entries;
				-- like cargo, a glob only takes directories that hold a Cargo.toml
				local cur = { root }
				for comp in pat:gmatch("[^/]+") do
					local nxt = {}
					local lpat = comp:find("[%*%?%[]") and ("^" .. comp:gsub("[%.%-%+%%%(%)%^%$]", "%%%0"):gsub("%*", ".*"):gsub("%?", ".") .. "$")
					for _, d in ipairs(cur) do
						if not lpat then
							nxt[#nxt + 1] = d .. "/" .. comp
						elseif fs.exists(d) == "dir" then
							for _, n in ipairs(fs.list(d)) do
								if n:match(lpat) and fs.exists(d .. "/" .. n) == "dir" then nxt[#nxt + 1] = d .. "/" .. n end
							end
						end
					end
					cur = nxt
				end
				for _, d in ipairs(cur) do
					if fs.exists(d .. "/Cargo.toml") == "file" then dirs[#dirs + 1] = d end
				end
			else
				dirs[1] = R.absolute(root, pat)
			end
			for _, d in ipairs(dirs) do
				if not excluded[d] then
					local where = root .. "/Cargo.toml:" .. R.line_of(text, '"' .. pat:gsub("%p", "%%%0") .. '"')
					if R.need(d, sfmt("the workspace %s (member '%s': cargo refuses the whole workspace without it)", R.rel(root), pat), where) then
						local m, mt = R.read_toml(d .. "/Cargo.toml")
						if m then add(d, m, mt) else ws.broken = true end
					else
						ws.broken = true
					end
				end
			end
		end
		return ws
	end

	-- the member of ws that builds binary bin (or package pkg); nil after a problem naming the
	-- workspace when there is none
	function R.member(ws, bin, pkg)
		if ws.broken and not (pkg and ws.by_package[pkg] or bin and ws.by_bin[bin]) then return nil end
		local m = pkg and ws.by_package[pkg] or (not pkg and ws.by_bin[bin])
		if not m then
			problem(sfmt("%s/Cargo.toml: no workspace member builds %s '%s'; add the crate to [workspace] members",
				ws.root, pkg and "package" or "binary", pkg or bin), false)
			return nil
		end
		if bin then
			local found = false
			for _, b in ipairs(m.bins) do if b == bin then found = true end end
			if not found then
				problem(sfmt("%s/Cargo.toml: package '%s' has no binary '%s' (it has: %s)", m.dir, m.package, bin,
					table.concat(m.bins, ", ")), false)
				return nil
			end
		end
		return m
	end

	-- the features a package defines: its [features] keys and, as cargo does, one implicit feature
	-- per optional dependency that no feature names as "dep:NAME"
	function R.features(m)
		local defined, hidden = {}, {}
		for k, v in pairs(m.manifest.features or {}) do
			defined[k] = true
			for _, f in ipairs(type(v) == "table" and v or {}) do
				local d = type(f) == "string" and f:match("^dep:(.+)$")
				if d then hidden[d] = true end
			end
		end
		for _, tbl in ipairs(dep_tables(m.manifest, false)) do
			for key, d in pairs(tbl) do
				if type(d) == "table" and d.optional == true and not hidden[key] then defined[key] = true end
			end
		end
		return defined
	end
end
