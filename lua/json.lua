-- lua/json.lua: JSON encoding (sorted keys, stable output) and a strict decoder, for target
-- specs and the metadata plugins read. Loaded by lua/kiln.lua; plugins see json_encode and
-- json_decode.
local K = ...
local sfmt = string.format

local J = {}

local escapes = { ['"'] = '\\"', ["\\"] = "\\\\", ["\b"] = "\\b", ["\f"] = "\\f", ["\n"] = "\\n", ["\r"] = "\\r", ["\t"] = "\\t" }

local function is_array(t)
	local n = 0
	for k in pairs(t) do
		if math.type(k) ~= "integer" or k < 1 then return false end
		n = n + 1
	end
	for i = 1, n do if t[i] == nil then return false end end
	return true, n
end

local function enc(v, indent, out)
	local ty = type(v)
	if ty == "string" then
		out[#out + 1] = '"' .. v:gsub('[%c"\\]', function(c) return escapes[c] or sfmt("\\u%04x", c:byte()) end) .. '"'
	elseif ty == "number" then
		if math.type(v) == "integer" then out[#out + 1] = sfmt("%d", v)
		elseif v ~= v or v == math.huge or v == -math.huge then error("json: cannot encode " .. tostring(v), 0)
		else out[#out + 1] = sfmt("%.17g", v) end
	elseif ty == "boolean" then
		out[#out + 1] = tostring(v)
	elseif ty == "table" then
		local arr, n = is_array(v)
		local inner = indent .. "    "
		if arr and n == 0 and next(v) == nil and getmetatable(v) ~= J.object_mt then
			out[#out + 1] = "[]"
		elseif arr and n > 0 then
			out[#out + 1] = "["
			for i = 1, n do
				out[#out + 1] = (i > 1 and ",\n" or "\n") .. inner
				enc(v[i], inner, out)
			end
			out[#out + 1] = "\n" .. indent .. "]"
		else
			local keys = {}
			for k in pairs(v) do
				if type(k) ~= "string" then error("json: object keys must be strings", 0) end
				keys[#keys + 1] = k
			end
			table.sort(keys)
			if #keys == 0 then out[#out + 1] = "{}" return end
			out[#out + 1] = "{"
			for i, k in ipairs(keys) do
				out[#out + 1] = (i > 1 and ",\n" or "\n") .. inner
				enc(k, inner, out)
				out[#out + 1] = ": "
				enc(v[k], inner, out)
			end
			out[#out + 1] = "\n" .. indent .. "}"
		end
	else
		error("json: cannot encode a " .. ty, 0)
	end
end

-- an empty table that encodes as {} instead of []
J.object_mt = {}
function J.object(t) return setmetatable(t or {}, J.object_mt) end

function J.encode(v)
	local out = {}
	enc(v, "", out)
	return table.concat(out) .. "\n"
end

-- decode: returns the value, or nil and "offset N: message"
function J.decode(s)
	local pos = 1
	local function err(msg) error({ sfmt("offset %d: %s", pos - 1, msg) }, 0) end
	local function ws() pos = s:find("[^ \t\r\n]", pos) or #s + 1 end
	local value
	local function str()
		local out, i = {}, pos + 1
		while true do
			local c = s:sub(i, i)
			if c == "" then err("unterminated string") end
			if c == '"' then pos = i + 1 return table.concat(out) end
			if c == "\\" then
				local e = s:sub(i + 1, i + 1)
				local map = { ['"'] = '"', ["\\"] = "\\", ["/"] = "/", b = "\b", f = "\f", n = "\n", r = "\r", t = "\t" }
				if map[e] then out[#out + 1] = map[e]; i = i + 2
				elseif e == "u" then
					local h = s:sub(i + 2, i + 5)
					if not h:match("^%x%x%x%x$") then err("bad \\u escape") end
					out[#out + 1] = utf8.char(tonumber(h, 16)); i = i + 6
				else err("bad escape") end
			else
				out[#out + 1] = c; i = i + 1
			end
		end
	end
	function value()
		ws()
		local c = s:sub(pos, pos)
		if c == "{" then
			local t = {}
			pos = pos + 1; ws()
			if s:sub(pos, pos) == "}" then pos = pos + 1 return t end
			while true do
				ws()
				if s:sub(pos, pos) ~= '"' then err("expected a key") end
				local k = str(); ws()
				if s:sub(pos, pos) ~= ":" then err("expected ':'") end
				pos = pos + 1
				t[k] = value(); ws()
				local d = s:sub(pos, pos); pos = pos + 1
				if d == "}" then return t end
				if d ~= "," then err("expected ',' or '}'") end
			end
		elseif c == "[" then
			local t = {}
			pos = pos + 1; ws()
			if s:sub(pos, pos) == "]" then pos = pos + 1 return t end
			while true do
				t[#t + 1] = value(); ws()
				local d = s:sub(pos, pos); pos = pos + 1
				if d == "]" then return t end
				if d ~= "," then err("expected ',' or ']'") end
			end
		elseif c == '"' then return str()
		elseif s:find("^true", pos) then pos = pos + 4 return true
		elseif s:find("^false", pos) then pos = pos + 5 return false
		elseif s:find("^null", pos) then pos = pos + 4 return nil
		else
			local num = s:match("^-?%d+%.?%d*[eE]?[-+]?%d*", pos)
			if not num or num == "" then err("unexpected character") end
			pos = pos + #num
			return math.tointeger(tonumber(num)) or tonumber(num)
		end
	end
	local ok, v = pcall(function() local v = value(); ws(); if pos <= #s then err("trailing data") end return v end)
	if ok then return v end
	if type(v) == "table" then return nil, v[1] end
	error(v, 0)
end

return J
