-- lua/json.lua: JSON (RFC 8259) encoding (sorted keys, stable output) and a strict decoder,
-- for target specs and the metadata plugins read. Loaded by lua/kiln.lua; plugins see
-- json_encode, json_object, json_decode and json_null.
--
-- json_decode(text [, name]) -> value; errors are raised as one-line strings
-- "name:line:column: what, and what was expected" (name defaults to "json"; columns count
-- characters from 1). What it accepts, and what RFC 8259 leaves to implementations:
--   - exactly one value, with optional white space around it; anything after it is an error
--   - UTF-8 text only (section 8.1); a byte order mark is an error, as are invalid bytes
--   - strings: control characters below U+0020 must be escaped; \uXXXX escapes of a
--     surrogate pair become one character; a lone surrogate escape is an error (section 8.2
--     allows it, but it has no UTF-8 encoding)
--   - numbers: the RFC grammar exactly (no leading zeros, no "+", digits on both sides of
--     "." and after "e"); an integer (no fraction, no exponent) becomes a Lua integer and
--     must fit in 64 bits, else it is an error rather than a float that silently rounds
--     (section 6 lets implementations limit the range); a number with a fraction or an
--     exponent becomes a float and must be finite
--   - objects: a name given twice is an error (section 4 leaves duplicates unpredictable);
--     objects get J.object_mt, so that json_encode writes an empty one back as {}
--   - null: in an array or at the top level it is json_null (J.null), so that array indices
--     do not shift; as an object member it is left out (the Lua idiom for "no value")
--   - nesting deeper than J.max_depth (256) arrays and objects is an error
local K = ...
local sfmt, byte, sub, find, match, concat = string.format, string.byte, string.sub, string.find, string.match, table.concat

local J = {}

J.max_depth = 256

-- an empty table that encodes as {} instead of []
J.object_mt = {}
function J.object(t) return setmetatable(t or {}, J.object_mt) end

-- the JSON null (in arrays and at the top level)
J.null = setmetatable({}, { __tostring = function() return "null" end })

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

-- the shortest decimal text that reads back as the same float, with ".0" when it would
-- otherwise read back as an integer
local function float_text(v)
	local t
	for digits = 15, 17 do
		t = sfmt("%." .. digits .. "g", v)
		if tonumber(t) == v then break end
	end
	if t:match("^%-?%d+$") then t = t .. ".0" end
	return t
end

local function enc(v, indent, out, depth)
	if depth > J.max_depth then error(sfmt("json: cannot encode tables nested deeper than %d (a cycle?)", J.max_depth), 0) end
	local ty = type(v)
	if ty == "string" then
		if not utf8.len(v) then error("json: cannot encode a string that is not UTF-8", 0) end
		out[#out + 1] = '"' .. v:gsub('[%c"\\]', function(c) return escapes[c] or sfmt("\\u%04x", c:byte()) end) .. '"'
	elseif ty == "number" then
		if math.type(v) == "integer" then out[#out + 1] = sfmt("%d", v)
		elseif v ~= v or v == math.huge or v == -math.huge then error("json: cannot encode " .. tostring(v), 0)
		else out[#out + 1] = float_text(v) end
	elseif ty == "boolean" then
		out[#out + 1] = tostring(v)
	elseif v == J.null then
		out[#out + 1] = "null"
	elseif ty == "table" then
		local arr, n = is_array(v)
		local inner = indent .. "    "
		if arr and n == 0 and next(v) == nil and getmetatable(v) ~= J.object_mt then
			out[#out + 1] = "[]"
		elseif arr and n > 0 then
			out[#out + 1] = "["
			for i = 1, n do
				out[#out + 1] = (i > 1 and ",\n" or "\n") .. inner
				enc(v[i], inner, out, depth + 1)
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
				enc(k, inner, out, depth + 1)
				out[#out + 1] = ": "
				enc(v[k], inner, out, depth + 1)
			end
			out[#out + 1] = "\n" .. indent .. "}"
		end
	else
		error("json: cannot encode a " .. ty, 0)
	end
end

function J.encode(v)
	local out = {}
	enc(v, "", out, 0)
	return concat(out) .. "\n"
end

local unescape = { ['"'] = '"', ["\\"] = "\\", ["/"] = "/", b = "\b", f = "\f", n = "\n", r = "\r", t = "\t" }

-- decode text (see the top of this file)
function J.decode(s, name)
	if type(s) ~= "string" then error(sfmt("json_decode: the text is a %s, not a string", type(s)), 2) end
	if name ~= nil and type(name) ~= "string" then error(sfmt("json_decode: the name is a %s, not a string", type(name)), 2) end
	name = name or "json"
	local n = #s

	-- the line and column of position p (columns in characters)
	local function linecol(p)
		if p > n + 1 then p = n + 1 end
		local line, ls = 1, 1
		while true do
			local nl = find(s, "\n", ls, true)
			if not nl or nl >= p then break end
			line, ls = line + 1, nl + 1
		end
		return line, (utf8.len(s, ls, p - 1) or (p - ls)) + 1
	end
	-- text cut to 40 characters, for messages
	local function clip(text)
		local cut = #text > 40 and utf8.offset(text, 41)
		if not cut or cut > #text then return text end
		return sub(text, 1, cut - 1) .. "..."
	end
	local function err(p, msg, ...)
		local line, col = linecol(p)
		error(sfmt("%s:%d:%d: ", name, line, col) .. sfmt(msg, ...), 0)
	end
	local function found(p)
		local c = byte(s, p)
		if not c then return "the end of the text" end
		if c < 32 or c == 127 then return sfmt("the control character U+%04X", c) end
		return "'" .. match(s, "^[%z\1-\127\194-\244][\128-\191]*", p) .. "'"
	end

	if sub(s, 1, 3) == "\239\187\191" then err(1, "a byte order mark is not allowed at the start of JSON text (RFC 8259, section 8.1)") end
	do
		local ok, bad = utf8.len(s)
		if not ok then err(bad, "invalid UTF-8 (byte 0x%02X); JSON text is UTF-8", byte(s, bad)) end
	end

	local function ws(p) return find(s, "[^ \t\n\r]", p) or n + 1 end

	-- the \uXXXX escape at p: its code point, or nil when the digits are not hexadecimal
	local function hex4(p)
		local h = match(s, "^\\u(%x%x%x%x)", p)
		return h and tonumber(h, 16)
	end

	-- a string at p ('"'); returns it and the position after it
	local function str(p)
		local body, q = match(s, '^"([^"\\%z\1-\31]*)"()', p)
		if body then return body, q end
		local out, i = {}, p + 1
		while true do
			q = match(s, '^[^"\\%z\1-\31]*()', i)
			if q > i then out[#out + 1] = sub(s, i, q - 1) end
			local c = byte(s, q)
			if c == 34 then return concat(out), q + 1 end
			if not c then err(p, "this string is never closed with '\"'") end
			if c ~= 92 then
				err(q, "the control character U+%04X must be escaped in a string (\\u%04X)", c, c)
			end
			local e = sub(s, q + 1, q + 1)
			if unescape[e] then
				out[#out + 1], i = unescape[e], q + 2
			elseif e == "u" then
				local cp = hex4(q)
				if not cp then err(q, "\\u needs four hexadecimal digits") end
				i = q + 6
				if cp >= 0xD800 and cp <= 0xDBFF then
					local lo = hex4(i)
					if not lo or lo < 0xDC00 or lo > 0xDFFF then
						err(q, "\\u%04X is a high surrogate not followed by a low surrogate escape (\\uDC00 to \\uDFFF)", cp)
					end
					cp, i = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00), i + 6
				elseif cp >= 0xDC00 and cp <= 0xDFFF then
					err(q, "\\u%04X is a low surrogate without a high surrogate before it", cp)
				end
				out[#out + 1] = utf8.char(cp)
			else
				err(q, "unknown escape: a backslash followed by %s; the escapes are \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX", found(q + 1))
			end
		end
	end

	-- a number at p; returns it and the position after it. Each part is one anchored match
	-- (no backtracking: a long token costs its length)
	local function number(p)
		local tok, q = match(s, "^([%w_%.%+%-]+)()", p)
		local function bad(why) err(p, "invalid number '%s': %s", clip(tok), why) end
		local i1 = match(tok, "^%-?()")
		local i2 = match(tok, "^%d+()", i1) or bad("expected a digit after '-'")
		local i3 = match(tok, "^%.%d*()", i2) or i2
		local i4 = match(tok, "^[eE][%+%-]?%d*()", i3) or i3
		local int, frac, exp = sub(tok, 1, i2 - 1), sub(tok, i2, i3 - 1), sub(tok, i3, i4 - 1)
		if match(int, "^%-?0%d") then bad("leading zeros are not allowed") end
		if frac == "." then bad("expected a digit after the decimal point") end
		if exp ~= "" and not match(exp, "%d$") then bad("expected a digit in the exponent") end
		if i4 <= #tok then bad("unexpected characters after it") end
		if frac == "" and exp == "" then
			local digits = sub(int, i1)
			if #digits > 19 or (#digits == 19 and digits > (sub(int, 1, 1) == "-" and "9223372036854775808" or "9223372036854775807")) then
				err(p, "integer %s is out of range: integers are read exactly and must fit in 64 bits (-9223372036854775808 to 9223372036854775807); write it as a string, or with a fraction or an exponent to read it as a float", clip(tok))
			end
			return math.tointeger(tonumber(tok)), q
		end
		local v = tonumber(tok) or bad("not a number") -- a float: tok has a fraction or an exponent (-0.0 stays -0.0)
		if v == math.huge or v == -math.huge then err(p, "number %s is too large for a float (at most about 1.8e308)", clip(tok)) end
		return v, q
	end

	local value
	-- the value at p (nesting depth depth); returns it and the position after it
	function value(p, depth)
		p = ws(p)
		local c = byte(s, p)
		if c == 123 or c == 91 then
			if depth >= J.max_depth then err(p, "arrays and objects nested deeper than %d", J.max_depth) end
		end
		if c == 123 then -- {
			local t, open = setmetatable({}, J.object_mt), p
			local at = {}
			p = ws(p + 1)
			if byte(s, p) == 125 then return t, p + 1 end
			while true do
				if byte(s, p) ~= 34 then err(p, "expected a member name in quotes, found %s", found(p)) end
				local kp, k = p
				k, p = str(p)
				if at[k] then
					err(kp, "the name %s is given twice in this object (first at line %d, column %d)", clip(sub(s, kp, p - 1)), linecol(at[k]))
				end
				at[k] = kp
				p = ws(p)
				if byte(s, p) ~= 58 then err(p, "expected ':' after the member name, found %s", found(p)) end
				local v
				v, p = value(p + 1, depth + 1)
				if v ~= J.null then t[k] = v end
				p = ws(p)
				c = byte(s, p)
				if c == 125 then return t, p + 1 end
				if c ~= 44 then
					if not c then err(open, "this object is never closed with '}'") end
					err(p, "expected ',' or '}' after an object member, found %s", found(p))
				end
				p = ws(p + 1)
			end
		elseif c == 91 then -- [
			local t, open = {}, p
			p = ws(p + 1)
			if byte(s, p) == 93 then return t, p + 1 end
			while true do
				t[#t + 1], p = value(p, depth + 1)
				p = ws(p)
				c = byte(s, p)
				if c == 93 then return t, p + 1 end
				if c ~= 44 then
					if not c then err(open, "this array is never closed with ']'") end
					err(p, "expected ',' or ']' after an array element, found %s", found(p))
				end
				p = p + 1
			end
		elseif c == 34 then
			return str(p)
		elseif c == 45 or (c and c >= 48 and c <= 57) then
			return number(p)
		end
		local word = match(s, "^%a+", p)
		if word == "true" then return true, p + 4 end
		if word == "false" then return false, p + 5 end
		if word == "null" then return J.null, p + 4 end
		if word then err(p, "expected a value (an object, array, string, number, true, false or null), found '%s'", word:sub(1, 40)) end
		err(p, "expected a value (an object, array, string, number, true, false or null), found %s", found(p))
	end

	local v, p = value(1, 0)
	p = ws(p)
	if p <= n then err(p, "expected the end of the text after the value, found %s", found(p)) end
	return v
end

return J
