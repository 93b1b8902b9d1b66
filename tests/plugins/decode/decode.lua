-- decode.lua: a test plugin for kiln's readers, used through the plugin API exactly as plugins
-- see it. It decodes every file named in $KILN_DECODE_LIST (lines "toml PATH", "json PATH" or
-- "lines PATH": TOML with the positions option, "jsonenc PATH": json_encode of the decoded
-- JSON) and writes gen/decoded.txt, one line per file:
--   PATH <tab> ok <tab> VALUE      VALUE in toml-test's tagged JSON ({"type":..,"value":..})
--   PATH <tab> error <tab> MESSAGE the error message toml_decode or json_decode raised
-- For "lines" the VALUE is "key.path=LINE" entries, space separated, in document order; for
-- "jsonenc" it is the encoded text as a JSON string.
local list = env "KILN_DECODE_LIST" or error("decode.lua: set KILN_DECODE_LIST", 0)

-- plugins do not see kiln's metatables: a date-time is told by its fields and its tostring,
-- an empty table from an empty array by json_encode (which writes {} and [])
local function is_datetime(v)
	return type(v.toml_datetime) == "string" and type(v.kind) == "string" and tostring(v) == v.toml_datetime
end
local function is_object(v)
	local k = next(v)
	if k == nil then return json_encode(v) == "{}\n" end
	return type(k) == "string"
end
local dtkind = { ["offset-datetime"] = "datetime", ["local-datetime"] = "datetime-local",
	["local-date"] = "date-local", ["local-time"] = "time-local" }
local esc = { ['"'] = '\\"', ["\\"] = "\\\\", ["\n"] = "\\n", ["\t"] = "\\t", ["\r"] = "\\r", ["\b"] = "\\b", ["\f"] = "\\f" }

local function str(s)
	return '"' .. s:gsub('[%c"\\]', function(c) return esc[c] or string.format("\\u%04x", c:byte()) end) .. '"'
end
local function leaf(ty, v) return '{"type":"' .. ty .. '","value":' .. str(v) .. "}" end

local function tagged(v)
	local ty = type(v)
	if ty == "string" then return leaf("string", v) end
	if ty == "boolean" then return leaf("bool", tostring(v)) end
	if ty == "number" then
		if math.type(v) == "integer" then return leaf("integer", string.format("%d", v)) end
		if v ~= v then return leaf("float", "nan") end
		if v == math.huge then return leaf("float", "inf") end
		if v == -math.huge then return leaf("float", "-inf") end
		return leaf("float", string.format("%.17g", v))
	end
	if v == json_null then return "null" end
	if is_datetime(v) then return leaf(dtkind[v.kind], v.toml_datetime) end
	local out = {}
	if is_object(v) then
		local keys = {}
		for k in pairs(v) do keys[#keys + 1] = k end
		table.sort(keys)
		for i, k in ipairs(keys) do out[i] = str(k) .. ":" .. tagged(v[k]) end
		return "{" .. table.concat(out, ",") .. "}"
	end
	for i, x in ipairs(v) do out[i] = tagged(x) end
	return "[" .. table.concat(out, ",") .. "]"
end

-- "path=line" for every key and element of t, sorted by line then path
local function positions(root, lines)
	local out = {}
	local function walk(t, prefix)
		local w = lines[t] or {}
		for k, x in pairs(t) do
			local p = prefix .. (prefix ~= "" and "." or "") .. tostring(k)
			out[#out + 1] = { w[k] or 0, p }
			if type(x) == "table" and not is_datetime(x) then walk(x, p) end
		end
	end
	walk(root, "")
	table.sort(out, function(a, b) if a[1] ~= b[1] then return a[1] < b[1] end return a[2] < b[2] end)
	for i, e in ipairs(out) do out[i] = e[2] .. "=" .. e[1] end
	return table.concat(out, " ")
end

local results = {}
for line in fs.read(list):gmatch("[^\n]+") do
	local how, path = line:match("^(%a+) (.+)$")
	local text = fs.read(path)
	local ok, v, lines
	if how == "json" or how == "jsonenc" then ok, v = pcall(json_decode, text, path)
	elseif how == "lines" then ok, v, lines = pcall(toml_decode, text, path, { lines = true })
	else ok, v = pcall(toml_decode, text, path) end
	local out
	if not ok then out = "error\t" .. tostring(v)
	elseif how == "lines" then out = "ok\t" .. positions(v, lines)
	elseif how == "jsonenc" then out = "ok\t" .. str(json_encode(v))
	else out = "ok\t" .. tagged(v) end
	results[#results + 1] = path .. "\t" .. out .. "\n"
end
gen_file { name = "decoded.txt", content = table.concat(results) }
