-- tests/fuzz/readers.lua: the checks the fuzz drivers json.c and toml.c run on each input,
-- in the Lua state of lua_reader.c. Loaded with the source tree's path; returns { json =
-- check, toml = check }, each check taking the input text and returning nil when the reader
-- behaved, else a sentence saying what went wrong (the driver aborts with it: a finding).
local srcdir = ...

-- kiln's module loading (lua/kiln.lua, run_module): a text chunk named "@lua/NAME.lua" in an
-- environment over _G, called with K
local function module(name, K)
	local path = srcdir .. "/lua/" .. name .. ".lua"
	local f = assert(io.open(path, "rb"))
	local text = f:read("a")
	f:close()
	local fn = assert(load(text, "@lua/" .. name .. ".lua", "t", setmetatable({}, { __index = _G })))
	return fn(K)
end

local K = {}
K.json = module("json", K)
K.toml = module("toml", K)
local J, T = K.json, K.toml

local function nlines(text) return select(2, text:gsub("\n", "")) + 1 end

-- a refusal must be one "fuzz:LINE:COLUMN: message" string pointing inside the text, and
-- not an internal error of the reader (a Lua runtime error names the module's file)
local function check_error(text, e)
	if type(e) ~= "string" then return "the error is a " .. type(e) .. ", not a string" end
	local line, col, msg = e:match("^fuzz:(%d+):(%d+): ([^\n]+)$")
	if not line then return "not a one-line fuzz:line:column: error: " .. e:sub(1, 300) end
	line, col = tonumber(line), tonumber(col)
	if line < 1 or line > nlines(text) then return "line out of range: " .. e:sub(1, 300) end
	local i = 1
	for _ = 2, line do i = text:find("\n", i, true) + 1 end
	local len = #(text:match("^[^\n]*", i))
	if col < 1 or col > len + 1 then return "column out of range: " .. e:sub(1, 300) end
	if msg:find("lua/", 1, true) or msg:find("attempt to", 1, true) or msg:find("bad argument", 1, true)
		or msg:find("stack overflow", 1, true) or msg:find("not enough memory", 1, true) then
		return "internal error: " .. e:sub(1, 300)
	end
	if #msg > 600 then return "message longer than 600 bytes: " .. e:sub(1, 300) end
end

-- a and b are the same value: same types (integer is not float), same metatables, same
-- contents; nan equals nan
local function same(a, b)
	if type(a) ~= type(b) then return false end
	if type(a) == "number" then
		if a ~= a then return b ~= b end
		if a == 0 and math.type(a) == "float" and b == 0 then return 1 / a == 1 / b end -- -0.0 is not 0.0
		return math.type(a) == math.type(b) and a == b
	end
	if type(a) ~= "table" then return a == b end
	if a == b then return true end
	if getmetatable(a) ~= getmetatable(b) then return false end
	for k, v in pairs(a) do
		if not same(v, b[k]) then return false end
	end
	for k in pairs(b) do
		if a[k] == nil then return false end
	end
	return true
end

local checks = {}

function checks.json(text)
	local ok, v = pcall(J.decode, text, "fuzz")
	if not ok then return check_error(text, v) end
	local ok2, e = pcall(J.encode, v)
	if not ok2 then return "json_encode of a decoded value failed: " .. tostring(e) end
	local ok3, v2 = pcall(J.decode, e, "encoded")
	if not ok3 then return "decode(encode(x)) failed: " .. tostring(v2) end
	if not same(v, v2) then return "decode(encode(x)) is not x" end
	if J.encode(v2) ~= e then return "encode(decode(encode(x))) is not encode(x)" end
end

-- the shape of a decoded TOML value: tables with the object metatable and string keys,
-- sequences, UTF-8 strings, date-times with their kind; every key has a line in the text
local dtkinds = { ["offset-datetime"] = true, ["local-datetime"] = true, ["local-date"] = true, ["local-time"] = true }
local function shape(v, lines, n, depth)
	local ty = type(v)
	if ty == "string" then
		if not utf8.len(v) then return "a string that is not UTF-8" end
		return nil
	end
	if ty == "number" or ty == "boolean" then return nil end
	if ty ~= "table" then return "a value of type " .. ty end
	local mt = getmetatable(v)
	if mt == T.datetime_mt then
		if not dtkinds[v.kind] or type(v.toml_datetime) ~= "string" then return "a malformed date-time" end
		return nil
	end
	if depth >= T.max_depth then return "tables nested deeper than the limit" end
	if mt ~= nil and mt ~= T.object_mt then return "a table with a foreign metatable" end
	local w = lines[v]
	local count = 0
	for k, x in pairs(v) do
		count = count + 1
		if mt == T.object_mt then
			if type(k) ~= "string" or not utf8.len(k) then return "a table key that is not a UTF-8 string" end
		elseif math.type(k) ~= "integer" then
			return "an array with a key that is not an integer"
		end
		local l = w and w[k]
		if math.type(l) ~= "integer" or l < 1 or l > n then
			return "key " .. tostring(k) .. " has no line in the text (" .. tostring(l) .. ")"
		end
		local bad = shape(x, lines, n, depth + 1)
		if bad then return bad end
	end
	if mt == nil and count ~= #v then return "an array with holes" end
	for k in pairs(w or {}) do
		if v[k] == nil then return "key " .. tostring(k) .. " has a line but no value" end
	end
end

function checks.toml(text)
	local ok, v = pcall(T.decode, text, "fuzz")
	if not ok then return check_error(text, v) end
	local ok2, v2, lines = pcall(T.decode, text, "fuzz", { lines = true })
	if not ok2 then return "with { lines = true } the text is refused: " .. tostring(v2) end
	if not same(v, v2) then return "with { lines = true } the value differs" end
	if type(lines) ~= "table" then return "no lines table" end
	local text2 = text:gsub("^\239\187\191", "")
	local bad = shape(v2, lines, nlines(text2), 0)
	if bad then return bad end
end

return checks
