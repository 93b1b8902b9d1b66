-- modules/redox/toml.lua: the subset of TOML that Cargo.toml, rust-toolchain.toml and pcid driver
-- files use: [table], [[array.of.tables]], dotted keys, strings (basic and literal), integers
-- (decimal, hex), booleans, arrays (multi-line) and inline tables. Reading the manifests here
-- replaces `cargo metadata`: plugin evaluation spawns no process, and every file read is
-- recorded, so editing a Cargo.toml regenerates build.ninja.
--
-- toml.parse(text, name) -> table, or nil and "name:line: why"
local T = {}

local function perr(name, line, msg) error({ msg = string.format("%s:%d: %s", name, line, msg) }, 0) end

-- parse a value at position i of s; returns value, next position
local function value(s, i, name, line)
	local c = s:sub(i, i)
	if c == '"' then
		if s:sub(i, i + 2) == '"""' then
			local j = s:find('"""', i + 3, true) or perr(name, line, "unterminated multi-line string")
			return s:sub(i + 3, j - 1):gsub("^\n", ""), j + 3
		end
		local out, j = {}, i + 1
		while true do
			local ch = s:sub(j, j)
			if ch == "" or ch == "\n" then perr(name, line, "unterminated string") end
			if ch == '"' then break end
			if ch == "\\" then
				local e = s:sub(j + 1, j + 1)
				local map = { n = "\n", t = "\t", r = "\r", ['"'] = '"', ["\\"] = "\\" }
				if map[e] then out[#out + 1] = map[e]; j = j + 2
				elseif e == "u" then
					local hex = s:sub(j + 2, j + 5)
					out[#out + 1] = utf8.char(tonumber(hex, 16) or perr(name, line, "bad \\u escape")); j = j + 6
				else perr(name, line, "unknown escape \\" .. e) end
			else
				out[#out + 1] = ch; j = j + 1
			end
		end
		return table.concat(out), j + 1
	elseif s:sub(i, i + 2) == "'''" then
		local j = s:find("'''", i + 3, true) or perr(name, line, "unterminated multi-line string")
		return s:sub(i + 3, j - 1):gsub("^\n", ""), j + 3
	elseif c == "'" then
		local j = s:find("'", i + 1, true) or perr(name, line, "unterminated string")
		return s:sub(i + 1, j - 1), j + 1
	elseif c == "[" then
		local arr, j = {}, i + 1
		while true do
			j = s:match("^[%s]*()", j)
			while s:sub(j, j) == "#" do j = (s:find("\n", j, true) or #s) + 1; j = s:match("^[%s]*()", j) end
			if s:sub(j, j) == "]" then return arr, j + 1 end
			local v
			v, j = value(s, j, name, line)
			arr[#arr + 1] = v
			j = s:match("^[%s]*()", j)
			while s:sub(j, j) == "#" do j = (s:find("\n", j, true) or #s) + 1; j = s:match("^[%s]*()", j) end
			local d = s:sub(j, j)
			if d == "," then j = j + 1
			elseif d ~= "]" then perr(name, line, "expected ',' or ']' in an array") end
		end
	elseif c == "{" then
		local t, j = {}, i + 1
		while true do
			j = s:match("^[ \t]*()", j)
			if s:sub(j, j) == "}" then return t, j + 1 end
			local k, j2 = s:match("^([%w_%-]+)[ \t]*=[ \t]*()", j)
			if not k then
				k, j2 = s:match('^"([^"]*)"[ \t]*=[ \t]*()', j)
			end
			if not k then perr(name, line, "expected key = value in an inline table") end
			t[k], j = value(s, j2, name, line)
			j = s:match("^[ \t]*()", j)
			local d = s:sub(j, j)
			if d == "," then j = j + 1 elseif d ~= "}" then perr(name, line, "expected ',' or '}' in an inline table") end
		end
	end
	local word, j = s:match("^([%w_%+%-%.:]+)()", i)
	if not word then perr(name, line, "expected a value") end
	if word == "true" then return true, j end
	if word == "false" then return false, j end
	local n = math.tointeger(tonumber((word:gsub("_", ""))))
	if n then return n, j end
	local f = tonumber((word:gsub("_", "")))
	if f then return f, j end
	return word, j -- dates and other scalars: kept as text
end

-- a dotted key ("a.b", 'target.\'cfg(unix)\'.dependencies') as its parts
local function keypath(k, name, line)
	local parts, i, n = {}, 1, #k
	while true do
		i = k:match("^[ \t]*()", i)
		local c = k:sub(i, i)
		local part
		if c == '"' or c == "'" then
			local j = k:find(c, i + 1, true) or perr(name, line, "unterminated quoted key in '" .. k .. "'")
			part, i = k:sub(i + 1, j - 1), j + 1
		else
			part, i = k:match("^([%w_%-]+)()", i)
			if not part then perr(name, line, "bad key '" .. k .. "'") end
		end
		parts[#parts + 1] = part
		i = k:match("^[ \t]*()", i)
		if i > n then return parts end
		if k:sub(i, i) ~= "." then perr(name, line, "bad key '" .. k .. "'") end
		i = i + 1
	end
end

local function descend(root, parts, name, line)
	local t = root
	for _, p in ipairs(parts) do
		if t[p] == nil then t[p] = {} end
		t = t[p]
		if type(t) ~= "table" then perr(name, line, "key '" .. p .. "' is not a table") end
		if t[#t] ~= nil and type(t[#t]) == "table" and rawget(t, "__aot") then t = t[#t] end
	end
	return t
end

function T.parse(s, name)
	name = name or "toml"
	local ok, res = pcall(function()
		local root, cur = {}, nil
		cur = root
		local i, line = 1, 1
		local n = #s
		while i <= n do
			i = s:match("^[ \t\r]*()", i)
			local c = s:sub(i, i)
			if c == "\n" then line = line + 1; i = i + 1
			elseif c == "#" then i = (s:find("\n", i, true) or n + 1)
			elseif c == "" then break
			elseif s:sub(i, i + 1) == "[[" then
				local k, j = s:match("^%[%[([^%]]+)%]%]()", i)
				if not k then perr(name, line, "bad [[table]] header") end
				local parts = keypath(k, name, line)
				local last = table.remove(parts)
				local parent = descend(root, parts, name, line)
				parent[last] = parent[last] or { __aot = true }
				local arr = parent[last]
				cur = {}
				arr[#arr + 1] = cur
				i = j
			elseif c == "[" then
				local k, j = s:match("^%[([^%]]+)%]()", i)
				if not k then perr(name, line, "bad [table] header") end
				cur = descend(root, keypath(k, name, line), name, line)
				i = j
			else
				local k, j = s:match("^([%w_%-%.\"' \t]-)[ \t]*=[ \t]*()", i)
				if k and not k:match("%S") then k = nil end
				if not k then perr(name, line, "expected key = value, [table] or a comment") end
				local parts = keypath(k, name, line)
				local last = table.remove(parts)
				local t = descend(cur, parts, name, line)
				local startline = line
				local v
				v, j = value(s, j, name, line)
				t[last] = v
				for _ in s:sub(i, j - 1):gmatch("\n") do line = line + 1 end
				i = s:match("^[ \t\r]*()", j)
				local rest = s:sub(i, i)
				if rest == "#" then i = (s:find("\n", i, true) or n + 1)
				elseif rest ~= "\n" and rest ~= "" then perr(name, startline, "junk after the value of '" .. k .. "'") end
			end
		end
		return root
	end)
	if ok then return res end
	if type(res) == "table" then return nil, res.msg end
	return nil, name .. ": " .. tostring(res)
end

return T
