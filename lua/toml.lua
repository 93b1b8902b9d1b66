-- lua/toml.lua: kiln's TOML reader, TOML 1.0.0 (https://toml.io/en/v1.0.0) in full, for
-- Cargo.toml, Cargo.lock, rust-toolchain.toml, .cargo/config.toml, Redox image configs and
-- pcid driver tables. Reading the manifests here replaces `cargo metadata`: plugin evaluation
-- spawns no process, and every file a plugin reads through fs.read is recorded, so editing a
-- Cargo.toml regenerates build.ninja. Loaded by lua/kiln.lua; plugins see it as toml_decode.
--
-- toml_decode(text, name [, { lines = true }]) -> value [, lines]
--   text   the document (UTF-8; a leading byte order mark is skipped, CRLF reads as LF)
--   name   how errors name the document (default "toml"), usually its path
--   lines  with { lines = true }, a second result: lines[t][k] is the line on which key k of
--          table t (or element k of array t) was defined: a key's own line, a [table]'s or
--          [[array]]'s header line, the first line that named a table implicitly
--
-- Values:
--   table          a Lua table with string keys, whose metatable is json's object metatable
--                  (so json_encode writes an empty one as {} and tells it from []; plugins,
--                  which do not see kiln's metatables, tell them apart the same way)
--   array          a Lua sequence (no metatable); arrays of tables likewise
--   string         a Lua string (UTF-8)
--   integer        a Lua integer (64 bits; a literal outside -2^63 .. 2^63-1 is an error)
--   float          a Lua float (inf and nan included)
--   boolean        true or false
--   date and time  a table { toml_datetime = TEXT, kind = KIND } whose metatable is
--                  T.datetime_mt (tostring(v) == v.toml_datetime tells it from a TOML table
--                  with those two keys), KIND one of "offset-datetime",
--                  "local-datetime", "local-date", "local-time"; TEXT is the literal with
--                  the date-time separator written "T" and the offset "Z" in upper case
--
-- Errors are raised as one-line strings "name:line:column: what, and what was expected";
-- columns count characters from 1; quoted text and keys are cut to a few dozen characters.
-- Besides TOML's own rules (a key or table defined once, inline tables and arrays closed
-- once written, tables made by dotted keys not reopened by a [header]), tables and arrays
-- nested more than 256 deep, the top-level table counted, are refused, as json_decode does.
-- A leap second (:60) is accepted, as RFC 3339 allows.
local K = ...
local sfmt, byte, sub, find, match, rep, concat =
	string.format, string.byte, string.sub, string.find, string.match, string.rep, table.concat
local maxint = math.maxinteger

local T = {}

-- tables get json's object metatable when json.lua is loaded (always, in kiln)
local object_mt = (type(K) == "table" and K.json and K.json.object_mt) or {}
T.object_mt = object_mt
T.datetime_mt = { __tostring = function(d) return d.toml_datetime end }
T.max_depth = 256 -- tables and arrays nested deeper (the top-level table is one) are an error

local escapes = { b = "\b", t = "\t", n = "\n", f = "\f", r = "\r", ['"'] = '"', ["\\"] = "\\" }
local key_escapes = { ["\b"] = "\\b", ["\t"] = "\\t", ["\n"] = "\\n", ["\f"] = "\\f", ["\r"] = "\\r", ['"'] = '\\"', ["\\"] = "\\\\" }

-- text cut to its first max characters (and "..."), so that messages stay one short line
local function clip(text, max)
	local cut = #text > max and utf8.offset(text, max + 1)
	if not cut or cut > #text then return text end
	return text:sub(1, cut - 1) .. "..."
end

-- a key as written in TOML: bare when it can be, else a basic string; long keys are cut
local function keytext(k)
	if k:match("^[A-Za-z0-9_%-]+$") then return clip(k, 60) end
	return '"' .. clip(k, 60):gsub('[%c"\\]', function(c) return key_escapes[c] or sfmt("\\u%04X", c:byte()) end) .. '"'
end

-- parts[1..n] as a dotted key (long ones cut)
local function dotted(parts, n)
	local out = {}
	for i = 1, n or #parts do out[i] = keytext(parts[i]) end
	return clip(concat(out, "."), 120)
end

-- parts[1..n] as a dotted key in a message: 'a.b', or "a b" when it starts quoted
local function quoted(parts, n)
	local d = dotted(parts, n)
	return d:sub(1, 1) == '"' and d or "'" .. d .. "'"
end

local days = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 }

local function decode(s, name, want_lines)
	local pos = 1           -- the reading position in s
	local n = #s
	local root = setmetatable({}, object_mt)
	local kind = {}         -- table -> "implicit" | "header" | "dotted" | "aot" | "value"
	local dsec = {}         -- dotted table -> the section (table body) whose keys made it
	local where = {}        -- table -> { key -> line }
	local tdepth = { [root] = 0 } -- table -> how deep it is nested (the top level is 0)
	local section = 0       -- the current section: each [header] and inline table is one
	local nsec = 0          -- sections so far
	local cur, curparts = root, {}  -- the table keys go to, and its header's key

	-- line bookkeeping: lp is the start of line ll; positions mostly increase, so the
	-- search for a position's line continues from the last one
	local lp, ll = 1, 1
	local function lineof(p)
		if p < lp then lp, ll = 1, 1 end
		while true do
			local nl = find(s, "\n", lp, true)
			if not nl or nl >= p then return ll end
			ll, lp = ll + 1, nl + 1
		end
	end

	local function err(p, msg, ...)
		if p > n + 1 then p = n + 1 end
		local line = lineof(p)
		local col = (utf8.len(s, lp, p - 1) or (p - lp)) + 1
		error(sfmt("%s:%d:%d: ", name, line, col) .. sfmt(msg, ...), 0)
	end

	-- what is at p, for "found ..." in messages
	local function found(p)
		local c = byte(s, p)
		if not c then return "the end of the file" end
		if c == 10 then return "the end of the line" end
		if c < 32 or c == 127 then return sfmt("the control character U+%04X", c) end
		return "'" .. match(s, "^[%z\1-\127\194-\244][\128-\191]*", p) .. "'"
	end

	local function setline(t, k, p)
		local w = where[t]
		if not w then w = {}; where[t] = w end
		w[k] = lineof(p)
	end

	local function line_of_key(t, k)
		local w = where[t]
		return w and w[k] or 0
	end

	local function ws(p) return find(s, "[^ \t]", p) or n + 1 end

	local function ctl_error(p, what)
		local c = byte(s, p)
		if c == 13 then err(p, "a carriage return not followed by a line feed %s", what) end
		err(p, "the control character U+%04X is not allowed %s; write it as an escape such as \\u%04X", c, what, c)
	end

	-- a comment at p ('#'): returns the position of its end (the newline or the end of file)
	local function comment(p)
		local q = match(s, "^[\t\32-\126\128-\255]*()", p + 1)
		local c = byte(s, q)
		if c and c ~= 10 then ctl_error(q, "in a comment") end
		return q
	end

	-- spaces, tabs, newlines and comments (inside arrays)
	local function wsnl(p)
		while true do
			p = find(s, "[^ \t\n]", p) or n + 1
			if byte(s, p) ~= 35 then return p end
			p = comment(p)
		end
	end

	-- an escape sequence at p ('\'); returns its text and the position after it
	local function escape(p)
		local e = sub(s, p + 1, p + 1)
		local t = escapes[e]
		if t then return t, p + 2 end
		if e == "u" or e == "U" then
			local len = e == "u" and 4 or 8
			local hex = sub(s, p + 2, p + 1 + len)
			if #hex < len or not hex:match("^%x+$") then
				err(p, "\\%s needs %d hexadecimal digits", e, len)
			end
			local code = tonumber(hex, 16)
			if code > 0x10FFFF or (code >= 0xD800 and code <= 0xDFFF) then
				err(p, "\\%s%s is not a Unicode scalar value (0 to D7FF or E000 to 10FFFF)", e, hex)
			end
			return utf8.char(code), p + 2 + len
		end
		if e == "" or e == "\n" or e == " " or e == "\t" then
			err(p, "a backslash ending a line continues only a \"\"\"multi-line string\"\"\"; write \\\\ for a backslash")
		end
		err(p, "unknown escape: a backslash followed by %s; the escapes are \\b \\t \\n \\f \\r \\\" \\\\ \\uXXXX \\UXXXXXXXX",
			found(p + 1))
	end

	-- "basic string" at p; returns the string and the position after it
	local function basic(p)
		local body, q = match(s, '^"([^"\\%z\1-\8\10-\31\127]*)"()', p)
		if body then return body, q end
		local out, i = {}, p + 1
		while true do
			q = match(s, '^[^"\\%z\1-\8\10-\31\127]*()', i)
			if q > i then out[#out + 1] = sub(s, i, q - 1) end
			local c = byte(s, q)
			if c == 34 then return concat(out), q + 1
			elseif c == 92 then out[#out + 1], i = escape(q)
			elseif not c or c == 10 then
				err(p, "this string is not closed on its line; a \"string\" ends with \" on the line it starts (\"\"\" starts a multi-line string)")
			else ctl_error(q, "in a string") end
		end
	end

	-- 'literal string' at p
	local function literal(p)
		local body, q = match(s, "^'([^'%z\1-\8\10-\31\127]*)'()", p)
		if body then return body, q end
		q = match(s, "^'[^'%z\1-\8\10-\31\127]*()", p)
		local c = byte(s, q)
		if not c or c == 10 then
			err(p, "this string is not closed on its line; a 'literal string' ends with ' on the line it starts (''' starts a multi-line one)")
		end
		ctl_error(q, "in a string")
	end

	-- """multi-line basic""" or '''multi-line literal''' string at p
	local function multiline(p, quote)
		local qb = byte(quote)
		local plain = quote == '"' and '^[^"\\%z\1-\8\11-\31\127]*()' or "^[^'%z\1-\8\11-\31\127]*()"
		local out, i = {}, p + 3
		if byte(s, i) == 10 then i = i + 1 end -- a newline right after the opening is trimmed
		while true do
			local q = match(s, plain, i)
			if q > i then out[#out + 1] = sub(s, i, q - 1) end
			local c = byte(s, q)
			if c == qb then
				local run = match(s, "^" .. quote .. "*()", q) - q
				if run < 3 then
					out[#out + 1] = rep(quote, run)
					i = q + run
				elseif run > 5 then
					err(q, "%s is closed by the first three of these quotes; at most two more may precede them", rep(quote, 3))
				else
					out[#out + 1] = rep(quote, run - 3)
					return concat(out), q + run
				end
			elseif c == 92 then -- only in basic strings
				local r = match(s, "^\\[ \t]*\n()", q)
				if r then i = find(s, "[^ \t\n]", r) or n + 1 -- line-ending backslash
				else out[#out + 1], i = escape(q) end
			elseif not c then
				err(p, "this multi-line string is never closed (it needs a closing %s)", rep(quote, 3))
			else ctl_error(q, "in a string") end
		end
	end

	-- a key part at p: bare, "basic" or 'literal'; returns it and the position after it
	local function simple_key(p)
		local c = byte(s, p)
		if c == 34 then
			if sub(s, p, p + 2) == '"""' then err(p, "a key cannot be a multi-line string") end
			return basic(p)
		elseif c == 39 then
			if sub(s, p, p + 2) == "'''" then err(p, "a key cannot be a multi-line string") end
			return literal(p)
		end
		local k, q = match(s, "^([A-Za-z0-9_%-]+)()", p)
		if not k then
			err(p, "expected a key (letters, digits, '_' and '-', or a quoted string), found %s", found(p))
		end
		return k, q
	end

	-- a possibly dotted key at p; returns its parts, their positions, the position after it
	local function key(p)
		local parts, at = {}, {}
		while true do
			at[#parts + 1] = p
			parts[#parts + 1], p = simple_key(p)
			local q = ws(p)
			if byte(s, q) ~= 46 then return parts, at, p end
			p = ws(q + 1)
		end
	end

	local function typename(v)
		local t = type(v)
		if t == "table" then
			if getmetatable(v) == T.datetime_mt then return "a date-time" end
			local kd = kind[v]
			if kd == "aot" then return "an array of tables" end
			if kd == "value" then return getmetatable(v) == object_mt and "an inline table" or "an array" end
			return "a table"
		end
		if t == "string" then return "a string" end
		if t == "boolean" then return "a boolean" end
		return math.type(v) == "integer" and "an integer" or "a float"
	end

	-- a date, time or date-time literal tok at p
	local function datetime(tok, p)
		local function bad(why, ...) err(p, "invalid date or time '%s': " .. why, clip(tok, 40), ...) end
		local y, mo, d, rest = match(tok, "^(%d%d%d%d)%-(%d%d)%-(%d%d)(.*)$")
		local date, time
		if y then
			y, mo, d = tonumber(y), tonumber(mo), tonumber(d)
			if mo < 1 or mo > 12 then bad("month %02d is not 01 to 12", mo) end
			local dim = days[mo]
			if mo == 2 and y % 4 == 0 and (y % 100 ~= 0 or y % 400 == 0) then dim = 29 end
			if d < 1 or d > dim then bad("day %02d is not 01 to %d", d, dim) end
			date = sub(tok, 1, 10)
			if rest == "" then
				return setmetatable({ toml_datetime = date, kind = "local-date" }, T.datetime_mt)
			end
			local sep = sub(rest, 1, 1)
			if sep ~= "T" and sep ~= "t" and sep ~= " " then bad("expected T or a space between the date and the time") end
			time = sub(rest, 2)
		elseif match(tok, "^%d%d:") then
			time = tok
		else
			bad("expected YYYY-MM-DD, HH:MM:SS or YYYY-MM-DDTHH:MM:SS")
		end
		local h, mi, sec, frac, off = match(time, "^(%d%d):(%d%d):(%d%d)(%.?%d*)(.*)$")
		if not h then bad("a time is HH:MM:SS with an optional fraction, such as 07:32:00 or 07:32:00.5") end
		if frac == "." then bad("expected digits after the decimal point of the seconds") end
		if tonumber(h) > 23 then bad("hour %s is not 00 to 23", h) end
		if tonumber(mi) > 59 then bad("minute %s is not 00 to 59", mi) end
		if tonumber(sec) > 60 then bad("second %s is not 00 to 60", sec) end
		local text = h .. ":" .. mi .. ":" .. sec .. frac
		if not date then
			if off ~= "" then bad("a time without a date cannot have an offset") end
			return setmetatable({ toml_datetime = text, kind = "local-time" }, T.datetime_mt)
		end
		text = date .. "T" .. text
		if off == "" then
			return setmetatable({ toml_datetime = text, kind = "local-datetime" }, T.datetime_mt)
		elseif off == "Z" or off == "z" then
			text = text .. "Z"
		else
			local oh, om = match(off, "^[%+%-](%d%d):(%d%d)$")
			if not oh then bad("the offset is Z, +HH:MM or -HH:MM") end
			if tonumber(oh) > 23 then bad("offset hour %s is not 00 to 23", oh) end
			if tonumber(om) > 59 then bad("offset minute %s is not 00 to 59", om) end
			text = text .. off
		end
		return setmetatable({ toml_datetime = text, kind = "offset-datetime" }, T.datetime_mt)
	end

	-- digits with single underscores between them (ok is the digit class)
	local function digits(d, ok)
		return d ~= "" and match(d, "^[" .. ok .. "_]+$") and not find(d, "__", 1, true)
			and sub(d, 1, 1) ~= "_" and sub(d, -1) ~= "_"
	end

	-- a number, boolean, date or time tok at p
	local function scalar(tok, p)
		if tok == "true" then return true elseif tok == "false" then return false end
		local sign, body = match(tok, "^([%+%-]?)(.*)$")
		if body == "inf" then return sign == "-" and -math.huge or math.huge end
		if body == "nan" then return sign == "-" and -(0 / 0) or 0 / 0 end
		if match(tok, "^%d%d%d%d%-") or match(tok, "^%d%d:") then return datetime(tok, p) end
		local function bad(why, ...)
			local t = clip(tok, 40)
			if why then err(p, "invalid number '%s': " .. why, t, ...) end
			local hint = t == tok and "; if it is text, quote it: \"" .. tok .. "\"" or ""
			if match(tok, "^[%+%-]?[%d_]") then err(p, "invalid number '%s'%s", t, hint) end
			err(p, "expected a value (a \"string\", a number, true, false, a date, an [array] or an {inline table}), found '%s'%s", t, hint)
		end
		local prefix = sub(body, 1, 2)
		local base = (prefix == "0x" and 16) or (prefix == "0o" and 8) or (prefix == "0b" and 2)
		if base then
			if sign ~= "" then bad("a hexadecimal, octal or binary integer has no sign") end
			local d = sub(body, 3)
			if not digits(d, base == 16 and "%x" or base == 8 and "0-7" or "01") then
				bad(d == "" and "no digits after %s" or "expected %s digits with single underscores between them",
					base == 16 and "hexadecimal" or base == 8 and "octal" or "binary")
			end
			local v = 0
			for c in d:gmatch("[^_]") do
				local dv = tonumber(c, 16)
				if v > (maxint - dv) // base then
					bad("out of range: TOML integers are 64-bit signed (at most 0x7fffffffffffffff)")
				end
				v = v * base + dv
			end
			return v
		end
		local ip, dot, fp, e, esign, ep = match(body, "^([%d_]*)(%.?)([%d_]*)([eE]?)([%+%-]?)(.*)$")
		if not ip or not digits(ip, "%d") then bad() end
		local ic = ip:gsub("_", "")
		if #ic > 1 and sub(ic, 1, 1) == "0" then bad("leading zeros are not allowed") end
		if dot == "" and e == "" then
			if fp ~= "" or esign ~= "" or ep ~= "" then bad() end
			if #ic > 19 or (#ic == 19 and ic > (sign == "-" and "9223372036854775808" or "9223372036854775807")) then
				bad("out of range: TOML integers are 64-bit signed (-9223372036854775808 to 9223372036854775807)")
			end
			return math.tointeger(tonumber(sign .. ic))
		end
		if dot ~= "" and not digits(fp, "%d") then bad("expected digits after the decimal point") end
		if e ~= "" and not digits(ep, "%d") then bad("expected digits after the exponent's e") end
		if e == "" and (esign ~= "" or ep ~= "") then bad() end
		-- a float: the text has a fraction or an exponent (and -0.0 stays -0.0)
		return tonumber(sign .. ic .. dot .. fp:gsub("_", "") .. e .. esign .. ep:gsub("_", ""))
	end

	-- the depth d of a new table or array made at p, when it is within the limit
	local function nest(p, d)
		if d >= T.max_depth then err(p, "tables and arrays nested deeper than %d levels", T.max_depth) end
		return d
	end

	local value, keyval

	-- [array] at pos
	local function array(depth)
		local a, open = {}, pos
		depth = nest(pos, depth + 1)
		kind[a] = "value"
		pos = pos + 1
		local i = 0
		while true do
			pos = wsnl(pos)
			local c = byte(s, pos)
			if c == 93 then pos = pos + 1 return a end
			if not c then err(open, "this array is never closed with ']'") end
			i = i + 1
			setline(a, i, pos)
			a[i] = value(depth)
			pos = wsnl(pos)
			c = byte(s, pos)
			if c == 44 then pos = pos + 1
			elseif c == 93 then pos = pos + 1 return a
			elseif not c then err(open, "this array is never closed with ']'")
			else err(pos, "expected ',' or ']' after an array element, found %s", found(pos)) end
		end
	end

	-- {inline table} at pos: one line, no trailing comma, closed once written
	local function inline(depth)
		local t, open = setmetatable({}, object_mt), pos
		kind[t], tdepth[t] = "value", nest(pos, depth + 1)
		nsec = nsec + 1
		local sec = nsec
		pos = ws(pos + 1)
		if byte(s, pos) == 125 then pos = pos + 1 return t end
		while true do
			local c = byte(s, pos)
			if not c or c == 10 or c == 35 then
				err(pos, "expected a key, found %s: an inline table is written on one line (use a [table] for more)", found(pos))
			end
			keyval(t, sec, true)
			pos = ws(pos)
			c = byte(s, pos)
			if c == 125 then pos = pos + 1 return t end
			if c ~= 44 then
				if not c or c == 10 or c == 35 then
					err(open, "this inline table is not closed with '}' on its line; an inline table is written on one line")
				end
				err(pos, "expected ',' or '}' in an inline table, found %s", found(pos))
			end
			pos = ws(pos + 1)
			if byte(s, pos) == 125 then err(pos, "a comma before '}' is not allowed in an inline table") end
		end
	end

	-- a value at pos, in a table or array nested depth deep; advances pos past it
	function value(depth)
		local c = byte(s, pos)
		if c == 34 then
			local v
			if sub(s, pos, pos + 2) == '"""' then v, pos = multiline(pos, '"') else v, pos = basic(pos) end
			return v
		elseif c == 39 then
			local v
			if sub(s, pos, pos + 2) == "'''" then v, pos = multiline(pos, "'") else v, pos = literal(pos) end
			return v
		elseif c == 91 then return array(depth)
		elseif c == 123 then return inline(depth)
		end
		local tok, q = match(s, "^([0-9A-Za-z_:%.%+%-]+)()", pos)
		if not tok then
			err(pos, "expected a value (a \"string\", a number, true, false, a date, an [array] or an {inline table}), found %s", found(pos))
		end
		if match(tok, "^%d%d%d%d%-%d%d%-%d%d$") then -- a date, maybe "date time"
			local t2, q2 = match(s, "^ (%d%d:[0-9A-Za-z_:%.%+%-]*)()", q)
			if t2 then tok, q = tok .. " " .. t2, q2 end
		end
		local p = pos
		pos = q
		return scalar(tok, p)
	end

	-- key = value at pos, into table t; sec is the section t's keys are written in
	function keyval(t, sec, in_inline)
		local kp = pos
		local parts, at
		parts, at, pos = key(pos)
		pos = ws(pos)
		if byte(s, pos) ~= 61 then
			err(pos, "expected '=' after the key %s, found %s", quoted(parts), found(pos))
		end
		pos = ws(pos + 1)
		local np = #parts
		for i = 1, np - 1 do
			local k = parts[i]
			local v = t[k]
			if v == nil then
				v = setmetatable({}, object_mt)
				kind[v], dsec[v], tdepth[v] = "dotted", sec, nest(at[i], tdepth[t] + 1)
				t[k] = v
				setline(t, k, at[i])
			else
				local kd = type(v) == "table" and kind[v]
				if not ((kd == "dotted" and dsec[v] == sec) or kd == "implicit") then
					local what = kd == "header" and "a table defined by its [header]"
						or kd == "dotted" and "a table defined by dotted keys" or typename(v)
					err(at[i], "cannot add the key %s %s: %s is %s (line %d)%s", quoted(parts),
						in_inline and "in this inline table" or #curparts == 0 and "to the top-level table"
						or "to [" .. dotted(curparts) .. "]",
						quoted(parts, i), what, line_of_key(t, k),
						kd == "header" and "; write the key in that table's section" or "")
				end
			end
			t = v
		end
		local k = parts[np]
		if t[k] ~= nil then
			err(at[1], "the key %s is defined twice (first at line %d)", quoted(parts), line_of_key(t, k))
		end
		if byte(s, pos) == 10 or not byte(s, pos) or byte(s, pos) == 35 then
			err(pos, "expected a value after '=' for the key %s, found %s", quoted(parts), found(pos))
		end
		setline(t, k, at[np])
		t[k] = value(tdepth[t])
		return kp
	end

	-- [table] or [[array of tables]] at pos
	local function header()
		local hp = pos
		local aot = byte(s, pos + 1) == 91
		pos = ws(pos + (aot and 2 or 1))
		local parts, at
		parts, at, pos = key(pos)
		pos = ws(pos)
		if aot then
			if sub(s, pos, pos + 1) ~= "]]" then
				err(pos, "expected ']]' to close the header [[%s]], found %s", dotted(parts), found(pos))
			end
			pos = pos + 2
		else
			if byte(s, pos) ~= 93 then err(pos, "expected ']' to close the header [%s], found %s", dotted(parts), found(pos)) end
			pos = pos + 1
		end
		local t = root
		local np = #parts
		for i = 1, np - 1 do
			local k = parts[i]
			local v = t[k]
			if v == nil then
				v = setmetatable({}, object_mt)
				kind[v], tdepth[v] = "implicit", nest(at[i], tdepth[t] + 1)
				t[k] = v
				setline(t, k, hp)
			elseif type(v) ~= "table" or getmetatable(v) == T.datetime_mt or kind[v] == "value" then
				err(at[i], "cannot define the table [%s%s]: %s is already %s (line %d)", aot and "[" or "",
					dotted(parts) .. (aot and "]" or ""), quoted(parts, i), typename(v), line_of_key(t, k))
			elseif kind[v] == "aot" then
				v = v[#v]
			end
			t = v
		end
		local k = parts[np]
		local v = t[k]
		if aot then
			if v == nil then
				v = {}
				kind[v], tdepth[v] = "aot", nest(at[np], tdepth[t] + 1)
				t[k] = v
				setline(t, k, hp)
			elseif type(v) ~= "table" or kind[v] ~= "aot" then
				err(at[np], "cannot define the array of tables [[%s]]: %s is already %s (line %d)%s", dotted(parts), quoted(parts),
					typename(v), line_of_key(t, k),
					kind[v] == "value" and "; an array written as a value cannot be extended" or "")
			end
			local e = setmetatable({}, object_mt)
			kind[e], tdepth[e] = "header", nest(hp, tdepth[v] + 1)
			v[#v + 1] = e
			setline(v, #v, hp)
			cur = e
		else
			if v == nil then
				v = setmetatable({}, object_mt)
				tdepth[v] = nest(at[np], tdepth[t] + 1)
				t[k] = v
			elseif type(v) ~= "table" or kind[v] ~= "implicit" then
				local kd = type(v) == "table" and kind[v]
				if kd == "header" then
					err(hp, "the table [%s] is defined twice (first at line %d)", dotted(parts), line_of_key(t, k))
				elseif kd == "dotted" then
					err(hp, "cannot define the table [%s]: it was defined by dotted keys (line %d)", dotted(parts), line_of_key(t, k))
				end
				err(hp, "cannot define the table [%s]: %s is already %s (line %d)", dotted(parts), quoted(parts),
					typename(v), line_of_key(t, k))
			end
			kind[v] = "header"
			setline(t, k, hp)
			cur = v
		end
		curparts = parts
		nsec = nsec + 1
		section = nsec
	end

	-- the end of a line: spaces, then a comment or the newline; kp is where the key of a
	-- key = value line starts (nil after a header)
	local function eol(kp)
		pos = ws(pos)
		local c = byte(s, pos)
		if c == 35 then pos = comment(pos) c = byte(s, pos) end
		if c and c ~= 10 then
			local after = kp and "the value of " .. quoted((key(kp))) .. " (one key = value per line)"
				or "the header [" .. dotted(curparts) .. "]"
			err(pos, "expected the end of the line after %s, found %s", after, found(pos))
		end
	end

	while true do
		pos = ws(pos)
		local c = byte(s, pos)
		if not c then break end
		if c == 10 then
			pos = pos + 1
		elseif c == 35 then
			pos = comment(pos)
		elseif c == 91 then
			header()
			eol(nil)
		else
			eol(keyval(cur, section))
		end
	end
	if want_lines then return root, where end
	return root
end

-- decode text (see the top of this file); raises "name:line:column: message"
function T.decode(text, name, opts)
	if type(text) ~= "string" then error(sfmt("toml_decode: the text is a %s, not a string", type(text)), 2) end
	if name ~= nil and type(name) ~= "string" then error(sfmt("toml_decode: the name is a %s, not a string", type(name)), 2) end
	if opts ~= nil and type(opts) ~= "table" then error("toml_decode: the options are a table such as { lines = true }", 2) end
	name = name or "toml"
	if sub(text, 1, 3) == "\239\187\191" then text = sub(text, 4) end
	local ok, bad = utf8.len(text)
	if not ok then
		local line, ls = 1, 1 -- the line of the bad byte, and where it starts
		while true do
			local nl = find(text, "\n", ls, true)
			if not nl or nl >= bad then break end
			line, ls = line + 1, nl + 1
		end
		error(sfmt("%s:%d:%d: invalid UTF-8 (byte 0x%02X); a TOML file is UTF-8 text", name, line,
			utf8.len(text, ls, bad - 1) + 1, byte(text, bad)), 0)
	end
	text = text:gsub("\r\n", "\n")
	return decode(text, name, opts and opts.lines)
end

return T
