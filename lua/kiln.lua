-- lua/kiln.lua: the plugin API.
--
-- kiln gen loads this file with the C primitives (core) and the configuration (conf). It
-- loads every plugin into its own strict environment, collects the declarations (components,
-- files, images, options), resolves them into rules and edges through the modules of rules/,
-- and hands the graph back to C, which validates it and writes build.ninja.
--
-- Plugins describe; they do not execute. They see no io, os, require, load or debug; they read
-- files and directories only through fs.*, which the C side records so that build.ninja
-- regenerates when anything they read changes.

local core, conf = ...

local api = {}             -- the functions C calls: load, finish, summary, query, list_options
local K = {                -- state shared with rules/ and lua/query.lua
	core = core,
	conf = conf,
	components = {},       -- in declaration order
	by_name = {},          -- component or image name -> declaration
	images = {},
	options = {},
	option_by_name = {},
	plugins = {},          -- plugin files loaded, in order (display names)
	rules = {},            -- ninja rules already emitted
	nedges = 0,
	pools = {},
}

local datadir = conf.datadir
local sfmt = string.format

---------------------------------------------------------------------------------------------
-- errors, origins, suggestions

-- the file:line of the outermost plugin frame on the stack: the line of the plugin that
-- declared something, also when it did so through a helper it imported (R.program ->
-- component names the plugin's R.program line, not the helper's component line). The C side
-- knows which chunks are plugin files (core.loadfile's last argument).
local core_origin = core.origin
local function origin()
	return core_origin(true) or "kiln"
end
K.origin = origin

-- the innermost plugin frame: where a shared helper itself declares something (an option
-- of the Redox module belongs to the module, not to the first plugin that imported it)
local function origin_inner()
	return core_origin(false) or "kiln"
end

-- raise an error located at where (a "file:line"), or at the current plugin line
local function fail(msg, where)
	error((where or origin()) .. ": " .. msg, 0)
end
K.fail = fail

-- problems that stop kiln gen after every plugin has run, and notes printed by the summary;
-- the same text is kept once (several plugins may trip over one missing toolchain)
K.problems, K.notes = {}, {}
K.after = {}               -- after_plugins functions: { fn, origin }
K.reports = {}             -- report(what, detail): what kiln doctor lists as found
K.provided = {}            -- package name -> the plugin that first declared it
local seen_problem = {}
function K.problem(msg)
	if type(msg) ~= "string" then msg = sfmt("(a non-string error value: %s)", tostring(msg)) end
	if not seen_problem[msg] then
		seen_problem[msg] = true
		K.problems[#K.problems + 1] = msg
	end
end
function K.note(msg)
	if not seen_problem["note:" .. msg] then
		seen_problem["note:" .. msg] = true
		K.notes[#K.notes + 1] = msg
	end
end

-- the edit distance of a and b if it is at most k, else k + 1: only the band of width 2k + 1
-- around the diagonal is computed, so that long names cost their length times k, not the
-- square of their length
local function distance(a, b, k)
	local la, lb = #a, #b
	if math.abs(la - lb) > k then return k + 1 end
	local big = k + 1
	local prev, cur = {}, {}
	for j = 0, math.min(lb, k) do prev[j] = j end
	for i = 1, la do
		local lo, hi = math.max(1, i - k), math.min(lb, i + k)
		cur[lo - 1] = lo - 1 == 0 and i or big
		local rowmin = cur[lo - 1]
		local ca = a:byte(i)
		for j = lo, hi do
			local best = (prev[j - 1] or big) + (ca == b:byte(j) and 0 or 1)
			local up = (prev[j] or big) + 1
			local left = cur[j - 1] + 1
			if up < best then best = up end
			if left < best then best = left end
			cur[j] = best
			if best < rowmin then rowmin = best end
		end
		cur[hi + 1] = big
		if rowmin > k then return big end
		prev, cur = cur, prev
	end
	return math.min(prev[lb] or big, big)
end

-- " (did you mean 'x'?)" for the closest of candidates, or ""
local function suggest(word, candidates)
	word = tostring(word)
	local best, bestd = nil, math.min(8, math.max(2, #word // 3))
	local list = {}
	for k in pairs(candidates) do
		list[#list + 1] = type(k) == "string" and k or candidates[k]
	end
	table.sort(list)
	for _, c in ipairs(list) do
		if type(c) == "string" then
			local d = distance(word, c, bestd)
			if d <= bestd and (not best or d < bestd) then best, bestd = c, d end
		end
	end
	return best and sfmt(" (did you mean '%s'?)", best) or ""
end
K.suggest = suggest

---------------------------------------------------------------------------------------------
-- field checking: every declaration is checked against a schema

-- types: "string", "boolean", "number", "list" (array of strings), "table", "spec" (a build
-- spec from a rules constructor), "size" (number or "64M"), "mode" (octal string)
local function check_type(v, ty)
	if ty == "list" then
		if type(v) == "string" then return true end
		if type(v) ~= "table" then return false end
		for k, x in pairs(v) do
			if type(k) ~= "number" or type(x) ~= "string" then return false end
		end
		return true
	elseif ty == "spec" then
		return type(v) == "table" and v.is_spec == true
	elseif ty == "size" then
		if type(v) == "number" then return math.tointeger(v) ~= nil and v >= 0 end
		return type(v) == "string" and core.parse_size(v) ~= nil
	elseif ty == "mode" then
		return type(v) == "string" and v:match("^0?[0-7][0-7][0-7][0-7]?$") ~= nil
	elseif ty == "any" then
		return true
	end
	return type(v) == ty
end

local type_words = {
	list = "a list of strings", spec = "a build spec (cc{...}, cargo{...}, ...)",
	size = "a size such as 64M or a number of bytes (at most 2^63 - 1)", mode = "an octal mode string such as \"0755\"",
	table = "a table", string = "a string", boolean = "true or false", number = "a number",
}

-- check t against schema {field = type}; what names the declaration in messages
local function check_fields(t, schema, what, where)
	for k, v in pairs(t) do
		if type(k) == "string" then
			local ty = schema[k]
			if not ty then
				fail(sfmt("unknown field '%s' in %s%s", k, what, suggest(k, schema)), where)
			end
			if not check_type(v, ty) then
				fail(sfmt("field '%s' of %s must be %s, not %s", k, what, type_words[ty] or ty,
					type(v) == "string" and sfmt("%q", v) or type(v)), where)
			end
		elseif type(k) ~= "number" then
			fail(sfmt("%s has a key of type %s", what, type(k)), where)
		end
	end
end
K.check_fields = check_fields

local function aslist(v)
	if v == nil then return {} end
	if type(v) == "string" then return { v } end
	return v
end
K.aslist = aslist

-- a size in bytes from a number or a text such as "64M"; the text is read by the same parser
-- as every kiln command's --size (util.c), so the two cannot disagree
local function parse_size(v, what, where)
	if type(v) == "number" then
		local n = math.tointeger(v)
		if not n or n < 0 then fail(sfmt("%s: a size must be a whole number of bytes, not %s", what, tostring(v)), where) end
		return n
	end
	if type(v) ~= "string" then fail(sfmt("%s: a size must be a number or a text such as 64M, not a %s", what, type(v)), where) end
	local n, why = core.parse_size(v)
	if not n then
		fail(sfmt("%s: '%s' is %s", what, #v > 60 and v:sub(1, 60) .. "..." or v, why), where)
	end
	return n
end
K.parse_size = parse_size

---------------------------------------------------------------------------------------------
-- paths and quoting

-- "//", "/./", "dir/.." and a trailing '/' collapsed, lexically (graph.c path_normalize, the
-- same function the graph names its nodes with)
local normalize = core.normalize
K.normalize = normalize

-- p relative to base unless absolute
local function join(base, p)
	if p:sub(1, 1) == "/" then return normalize(p) end
	return normalize(base .. "/" .. p)
end
K.join = join

local function dirname(p)
	return p:match("^(.*)/[^/]*$") or "."
end
K.dirname = dirname

local function basename(p)
	return p:match("^.*/(.*)$") or p -- anchored: linear in the length of p
end
K.basename = basename

-- quote a word for the shell, then escape it for a Ninja variable value
local function shq(s)
	s = tostring(s)
	if s ~= "" and not s:find("[^%w%._/%-+=,:@%%]") then return s end
	return "'" .. s:gsub("'", "'\\''") .. "'"
end
local function Q(s)
	return (shq(s):gsub("%$", "$$"))
end
K.shq, K.Q = shq, Q

-- s quoted for a message, control characters as \n, \r, \xNN
local function show(s)
	return '"' .. s:gsub("[%c\\\"]", function(c)
		return c == "\n" and "\\n" or c == "\r" and "\\r" or sfmt("\\x%02x", c:byte())
	end) .. '"'
end
K.show = show

-- a path must be representable in build.ninja (core.edge checks every path again)
local function check_path(p, what, where)
	if p:find("\n", 1, true) or p:find("\r", 1, true) or p:find("\0", 1, true) then
		fail(sfmt("%s: the path %s contains a newline or NUL, which Ninja cannot represent; rename the file", what, show(p)), where)
	end
	return p
end
K.check_path = check_path

-- short display form of an absolute path: relative to kiln's data dir when inside it
local function display(p)
	if p:sub(1, #datadir + 1) == datadir .. "/" then return p:sub(#datadir + 2) end
	return p
end
K.display = display

---------------------------------------------------------------------------------------------
-- SOURCE_DATE_EPOCH: read (and recorded in kiln.env) when build.ninja is generated, and written
-- into every image command, so that the shell ninja runs in never decides an image's times and
-- a changed value (through configure or ninja reconfigure) rewrites exactly the images

local sde
-- the value for the commands: digits, or "" when it is not set (the image tools then use 0)
function K.source_date_epoch()
	if sde then return sde end
	local v = core.getenv("SOURCE_DATE_EPOCH") or ""
	if v ~= "" and (not v:match("^%d+$") or #v > 19) then
		fail(sfmt("SOURCE_DATE_EPOCH=%s: not a whole number of seconds since 1970; set it to a time such as the last commit's (git log -1 --format=%%ct) and re-run configure",
			#v > 40 and v:sub(1, 40) .. "..." or v), "the environment")
	end
	sde = v
	return sde
end

-- cmd with SOURCE_DATE_EPOCH set as recorded
function K.with_sde(cmd)
	return "SOURCE_DATE_EPOCH=" .. K.source_date_epoch() .. " " .. cmd
end

---------------------------------------------------------------------------------------------
-- Ninja emission helpers used by rules/

-- declare a Ninja rule once; vars is a list of {name, value} pairs
function K.rule(name, vars, where)
	if K.rules[name] then return name end
	K.rules[name] = true
	local list = {}
	for _, kv in ipairs(vars) do list[#list + 1] = kv end
	core.rule { name = name, vars = list, origin = where or "kiln" }
	return name
end

function K.pool(name, depth)
	if K.pools[name] then return name end
	K.pools[name] = depth
	core.pool(name, depth)
	return name
end

-- add a build edge; e = {rule, outs, iouts, ins, imps, orders, vals, vars = {{k, v}}, pool,
-- origin, owner}. core.edge refuses what build.ninja cannot hold (a newline in a path or a
-- value, a value that is not valid Ninja) and outputs outside the build directory, naming
-- e.origin.
function K.edge(e)
	K.nedges = K.nedges + 1
	core.edge(e)
end

function K.generate(path, content, where)
	core.generate(path, content, where or "kiln")
end

K.pool("console", 1)

---------------------------------------------------------------------------------------------
-- modules of rules/ (loaded on demand, each once; they see K)

-- The rules context: all that a module of rules/ sees of kiln (docs/design.md, "The rules
-- context"). Rules turn build specs into Ninja text; they read the declarations (components,
-- images, options), call the helpers below and emit rules and edges. They cannot reach the
-- rest of kiln's state, nor change any of it except through rule/edge/generate: reading a
-- name not listed here, or assigning to the context, is an error naming the module's line.
local function narrow(what, src, names, own)
	own = own or {}
	local allowed = {}
	for _, n in ipairs(names) do allowed[n] = true end
	return setmetatable({}, {
		__index = function(_, k)
			if not allowed[k] then error(sfmt("kiln: %s has no field '%s' (rules see only what lua/kiln.lua lists)", what, tostring(k)), 2) end
			local v = own[k]
			if v == nil then v = src[k] end
			return v
		end,
		__newindex = function(_, k) error(sfmt("kiln: %s is read-only (assigned '%s')", what, tostring(k)), 2) end,
		__metatable = false,
	})
end
local rules_core = narrow("the rules context's core", core, { "stat", "access", "default", "sha256", "find_program", "getenv", "wrapper_version" })
local rules_conf = narrow("the rules context's conf", conf, { "arch", "builddir", "datadir", "kiln", "version", "host_os", "host_arch", "rustc_wrapper" })
local rules_ctx = narrow("the rules context", K, {
	-- declarations, read-only by convention (filled before rules run)
	"components", "by_name", "images", "image_by_output", "option_by_name", "system",
	-- configuration and probes
	"conf", "core", "kinds", "toolchain", "policy_file",
	-- helpers: errors and fields
	"fail", "note", "origin", "suggest", "check_fields", "aslist", "parse_size",
	-- helpers: paths and quoting
	"normalize", "join", "dirname", "basename", "check_path", "Q", "shq", "serialize",
	-- helpers: a component's outputs and checks
	"outdir", "dep_outputs", "check_of", "with_sde",
	-- writing the graph
	"rule", "edge", "generate", "rules_module",
}, { core = rules_core, conf = rules_conf })

-- run kiln's own module DIR/NAME.lua (trusted: it sees the whole standard library) with K, or,
-- for rules/, with the rules context
local function run_module(dir, name)
	local rel = dir .. "/" .. name .. ".lua"
	local fn, err = core.loadfile(datadir .. "/" .. rel, rel, setmetatable({}, { __index = _G }), false)
	if not fn then error(err, 0) end
	return fn(dir == "rules" and rules_ctx or K)
end

local rule_modules = {}   -- name -> module, once loaded
function K.rules_module(name)
	local m = rule_modules[name]
	if not m then
		m = run_module("rules", name)
		rule_modules[name] = m
	end
	return m
end

local function lua_module(name)
	return run_module("lua", name)
end

K.json = lua_module("json")
K.toml = lua_module("toml")
local kindmod = lua_module("kinds")
local kinds = kindmod.table
K.kinds = kinds
K.toolchain = lua_module("toolchain")

---------------------------------------------------------------------------------------------
-- options

local function option_value(o, raw, where)
	if o.type == "bool" then
		if raw == "yes" or raw == "true" or raw == "1" or raw == "on" then return true end
		if raw == "no" or raw == "false" or raw == "0" or raw == "off" then return false end
		fail(sfmt("option --%s=%s: expected yes or no", o.name, raw), where)
	elseif o.type == "int" then
		local n = math.tointeger(tonumber(raw))
		if not n then fail(sfmt("option --%s=%s: expected a whole number", o.name, raw), where) end
		return n
	elseif o.type == "size" then
		return parse_size(raw, "option --" .. o.name, where)
	elseif o.type == "choice" then
		for _, v in ipairs(o.values) do if v == raw then return raw end end
		fail(sfmt("option --%s=%s: expected one of %s", o.name, raw, table.concat(o.values, ", ")), where)
	end
	return raw
end

local given_opts = {}      -- name -> raw value from kiln.conf / the command line
for _, kv in ipairs(conf.opts) do
	local k, v = kv:match("^([^=]+)=(.*)$")
	given_opts[k] = v
end

local option_schema = { name = "string", type = "string", default = "any", help = "string", values = "table" }
local option_types = { bool = true, int = true, size = true, string = true, choice = true, path = true }

local function option(t)
	local where = origin_inner()
	check_fields(t, option_schema, "option", where)
	if not t.name or not t.name:match("^[%w][%w%-]*$") then
		fail("option needs a name of letters, digits and dashes", where)
	end
	local o = K.option_by_name[t.name]
	if o then
		fail(sfmt("option '%s' is declared twice (first at %s)", t.name, o.origin), where)
	end
	if ({ arch = 1, ["redox-src"] = 1, ["plugin-dir"] = 1, prefix = 1, ["install-deps"] = 1, ["print-deps"] = 1, ["deps-sizes"] = 1, help = 1 })[t.name] then
		fail(sfmt("option '%s' is a built-in configure option", t.name), where)
	end
	t.type = t.type or "string"
	if not option_types[t.type] then
		fail(sfmt("option '%s': unknown type '%s'%s", t.name, t.type, suggest(t.type, option_types)), where)
	end
	if t.type == "choice" and not t.values then fail(sfmt("option '%s': a choice needs values", t.name), where) end
	if not t.help then fail(sfmt("option '%s' needs a help text", t.name), where) end
	o = { name = t.name, type = t.type, help = t.help, values = t.values, origin = where, default = t.default }
	-- declared before its value is read: a bad value is one problem, not also "unknown option"
	K.options[#K.options + 1] = o
	K.option_by_name[t.name] = o
	local raw = given_opts[t.name]
	if raw ~= nil then
		o.value = option_value(o, raw, "kiln.conf")
		o.given = true
	elseif type(t.default) == "string" then
		o.value = option_value(o, t.default, where)
	elseif t.default ~= nil then
		local d, ok = t.default, false
		if o.type == "bool" then ok = type(d) == "boolean"
		elseif o.type == "int" then ok = math.tointeger(d) ~= nil; d = math.tointeger(d)
		elseif o.type == "size" then ok = true; d = parse_size(d, "option --" .. t.name, where) end
		if not ok then
			fail(sfmt("option '%s': the default must be a %s, not %s", t.name, o.type, tostring(t.default)), where)
		end
		o.value = d
	end
	return o.value
end

-- the value of a declared option
local function opt(name)
	local o = K.option_by_name[name]
	if not o then fail(sfmt("no option '%s' is declared%s", name, suggest(name, K.option_by_name))) end
	return o.value
end

-- kiln's own options: how `ninja run` (and, where said, `ninja boot-test`) start QEMU, for
-- whatever plugin set declares qemu{} (rules/qemu.lua reads them)
option { name = "qemu-accel", type = "choice", values = { "auto", "tcg", "kvm", "hvf" }, default = "auto",
	help = "ninja run's accelerator: auto = KVM on Linux when /dev/kvm is readable and writable and the target is the host's arch, HVF on an arm64 Mac for aarch64, else TCG; KVM and HVF with -cpu host. boot-test uses TCG unless this is given" }
option { name = "qemu-smp", type = "int", help = "guest CPUs for run and boot-test (default: the plugin set's qemu{}: 2 for Redox, 1 for the demo)" }
option { name = "qemu-memory", type = "size", help = "guest memory for run and boot-test, whole MiB, e.g. 4G (default: the plugin set's qemu{}: 2G for Redox, 256M for the demo)" }
option { name = "qemu-net", type = "choice", values = { "user", "none" },
	help = "ninja run's network: user = QEMU user-mode networking on virtio-net (default for Redox), none (default for the demo)" }
option { name = "qemu-display", type = "choice", values = { "none", "ramfb", "virtio-gpu" }, default = "none",
	help = "ninja run's display: none = the serial console on the terminal; ramfb or virtio-gpu open a window (the serial console stays on the terminal)" }
option { name = "qemu-gdb", type = "bool", default = false,
	help = "ninja run starts QEMU halted with a gdb server on port 1234 (-s -S)" }
option { name = "qemu-persistent-disk", type = "bool", default = false,
	help = "ninja run boots a writable copy of the disk (out/run/), kept across runs until the image is rebuilt; default: every run starts from the image, which the guest never writes" }

local current = nil        -- the plugin being loaded: {path, dir, name}

-- the value of an option given on the command line (or kiln.conf), nil when it has its default
local function opt_given(name)
	local o = K.option_by_name[name]
	if not o then fail(sfmt("no option '%s' is declared%s", name, suggest(name, K.option_by_name))) end
	return o.given and o.value or nil
end

---------------------------------------------------------------------------------------------
-- image configurations in Redox's format (lua/imageconfig.lua): --config=FILE, or the default
-- a plugin set names with default_config(PATH). [packages] selects the components built.

K.imageconfig = nil        -- loaded on first use
local config_state = { default = nil, cfg = nil, loaded = false }

-- the config file in use: --config (relative to the build directory, else to the tree), else
-- the default a plugin named; nil for none
local function config_path()
	local given = K.option_by_name.config and K.option_by_name.config.value
	if given then
		if given:sub(1, 1) == "/" then return given, false end
		local here_ = conf.builddir .. "/" .. given
		if core.stat(here_) == "file" or conf.redox_src == "" then return normalize(here_), false end
		return normalize(conf.redox_src .. "/" .. given), false
	end
	return config_state.default, true
end

-- the parsed image config (include chain resolved, files, packages, users, groups), or nil
local function image_config()
	if not config_state.loaded then
		config_state.loaded = true
		local path, is_default = config_path()
		if path then
			K.imageconfig = K.imageconfig or lua_module("imageconfig")
			local ok, cfg = pcall(K.imageconfig.read, path)
			-- its errors start with the place in the config (file:line), so no prefix here
			if not ok then error(cfg, 0) end
			cfg.is_default = is_default
			config_state.cfg = cfg
		end
	end
	return config_state.cfg
end
K.image_config = image_config

local function default_config(path)
	if type(path) ~= "string" then fail("default_config takes the path of an image config") end
	if config_state.loaded then fail("default_config: the image config is already in use; name the default first") end
	local p = join(current.dir, path)
	if core.stat(p) == "file" then config_state.default = p end
end

---------------------------------------------------------------------------------------------
-- declarations: component, files, image


local function declare(t, what)
	local where = origin()
	if type(t) ~= "table" then fail(what .. " takes a table: " .. what .. " { name = ..., ... }", where) end
	if type(t.name) ~= "string" or not t.name:match("^[%w_][%w_%-%.]*$") then
		fail(sfmt("%s needs a name made of letters, digits, '_', '-' and '.'", what), where)
	end
	local prev = K.by_name[t.name]
	if prev then
		fail(sfmt("%s '%s' is already declared at %s", what, t.name, prev.origin), where)
	end
	if ({ image = 1, check = 1, run = 1, ["boot-test"] = 1, all = 1, clean = 1, reconfigure = 1, ["build.ninja"] = 1 })[t.name] then
		fail(sfmt("'%s' is a reserved target name", t.name), where)
	end
	return where
end

local component_schema = {
	name = "string", kind = "string", dir = "string", build = "spec", deps = "list",
	install = "table", policy = "string", waive = "table", strip = "boolean", check = "boolean",
	description = "string", mode = "mode", package = "string",
}

local function component(t)
	local where = declare(t, "component")
	check_fields(t, component_schema, sfmt("component '%s'", t.name), where)
	local kind = t.kind or fail(sfmt("component '%s' needs a kind (%s)", t.name, kinds.names()), where)
	if not kinds[kind] then
		fail(sfmt("component '%s': unknown kind '%s'%s (known: %s)", t.name, kind,
			suggest(kind, kinds), kindmod.names()), where)
	end
	if not t.build then fail(sfmt("component '%s' needs build = ... (cc{}, cargo{}, prebuilt{}...)", t.name), where) end
	local dir = t.dir and join(current.dir, t.dir) or current.dir
	if core.stat(dir) ~= "dir" then
		fail(sfmt("component '%s': source directory %s does not exist", t.name, dir), where)
	end
	local c = {
		decl = "component", name = t.name, kind = kind, origin = where, plugin = current.name,
		dir = dir,
		build = t.build, deps = aslist(t.deps), install = t.install or {},
		policy = t.policy, waive = t.waive or {}, strip = t.strip, check = t.check,
		description = t.description, mode = t.mode, package = t.package or current.package,
	}
	for img, paths in pairs(c.install) do
		if type(img) ~= "string" or not check_type(paths, "list") then
			fail(sfmt("component '%s': install must map image names to paths, e.g. install = { initfs = \"/bin/%s\" }", t.name, t.name), where)
		end
		for _, p in ipairs(aslist(paths)) do
			if p:sub(1, 1) ~= "/" then fail(sfmt("component '%s': install path '%s' must be absolute", t.name, p), where) end
		end
	end
	K.components[#K.components + 1] = c
	K.by_name[t.name] = c
	return c
end

local files_schema = { name = "string", image = "string", dir = "string", description = "string", package = "string" }
local entry_schema = {
	src = "string", data = "string", symlink = "string", dir = "boolean", hardlink = "string",
	append = "string", mode = "mode", uid = "number", gid = "number",
}

-- files { name = "etc", image = "initfs", ["/etc/init.rc"] = "init.rc", ["/etc/x"] = { data = "..." } };
-- { append = "text" } adds text to the end of a file another declaration puts at that path
local function files(t)
	local where = declare(t, "files")
	local fields = {}
	for k, v in pairs(t) do
		if type(k) ~= "string" or k:sub(1, 1) ~= "/" then fields[k] = v end
	end
	check_fields(fields, files_schema, sfmt("files '%s'", t.name), where)
	if not t.image then fail(sfmt("files '%s' needs image = NAME", t.name), where) end
	local dir = t.dir and join(current.dir, t.dir) or current.dir
	local entries = {}
	for path, e in pairs(t) do
		if type(path) == "string" and path:sub(1, 1) == "/" then
			if type(e) == "string" then e = { src = e } end
			if type(e) ~= "table" then
				fail(sfmt("files '%s': %s must be a source path or a table", t.name, path), where)
			end
			check_fields(e, entry_schema, sfmt("the entry %s of files '%s'", path, t.name), where)
			local n = 0
			for _, k in ipairs { "src", "data", "symlink", "dir", "hardlink", "append" } do
				if e[k] ~= nil then n = n + 1 end
			end
			if n ~= 1 then
				fail(sfmt("files '%s': %s needs exactly one of src, data, symlink, dir, hardlink, append", t.name, path), where)
			end
			local ent = { path = path, mode = e.mode, uid = e.uid, gid = e.gid, origin = where }
			if e.src then
				ent.type, ent.src = "file", check_path(join(dir, e.src), "files " .. t.name, where)
			elseif e.data then
				ent.type, ent.data = "file", e.data
			elseif e.symlink then
				ent.type, ent.target = "symlink", e.symlink
			elseif e.hardlink then
				ent.type, ent.target = "hardlink", e.hardlink
			elseif e.append then
				ent.type, ent.append = "append", e.append
			else
				ent.type = "dir"
			end
			entries[#entries + 1] = ent
		end
	end
	table.sort(entries, function(a, b) return a.path < b.path end)
	local c = {
		decl = "files", name = t.name, kind = "data", origin = where, plugin = current.name,
		image = t.image, entries = entries, deps = {}, install = {}, description = t.description,
		package = t.package or current.package,
	}
	K.components[#K.components + 1] = c
	K.by_name[t.name] = c
	return c
end

local image_schema = {
	name = "string", format = "string", size = "size", max_size = "size", bootstrap = "string",
	partitions = "table", install = "table", description = "string", uuid = "string",
	default = "boolean", seed = "string", compress = "boolean", jobs = "number", waive = "table",
}
local formats = { initfs = true, redoxfs = true, fat = true, gpt = true }
K.boots = {}

local function image(t)
	local where = declare(t, "image")
	check_fields(t, image_schema, sfmt("image '%s'", t.name), where)
	if not t.format then fail(sfmt("image '%s' needs a format (initfs, redoxfs, fat, gpt)", t.name), where) end
	if not formats[t.format] then
		fail(sfmt("image '%s': unknown format '%s'%s (known: initfs, redoxfs, fat, gpt)", t.name, t.format,
			suggest(t.format, formats)), where)
	end
	local i = {
		decl = "image", name = t.name, format = t.format, origin = where, plugin = current.name,
		size = t.size and parse_size(t.size, "image " .. t.name, where),
		max_size = t.max_size and parse_size(t.max_size, "image " .. t.name, where),
		bootstrap = t.bootstrap, partitions = t.partitions, install = t.install or {},
		description = t.description, uuid = t.uuid, default = t.default, seed = t.seed,
		compress = t.compress, jobs = t.jobs, waive = t.waive or {}, deps = {}, contents = {},
	}
	local rules = K.rules_module(t.format)
	-- fields only some formats have: the format's rules module lists them in `fields`
	for _, f in ipairs({ "compress", "jobs" }) do
		if t[f] ~= nil and not (rules.fields and rules.fields[f]) then
			fail(sfmt("image '%s': a %s image has no field '%s'", t.name, t.format, f), where)
		end
	end
	rules.declare(i, t)
	K.images[#K.images + 1] = i
	K.by_name[t.name] = i
	return i
end

-- serialise a Lua value (numbers, strings, booleans, tables) with sorted keys; what names the
-- declaration in messages. Tables may nest 32 deep and must not contain themselves.
local function serialize(v, indent, what, seen, depth)
	what, seen, depth = what or "elf_policy", seen or {}, depth or 0
	if type(v) == "table" then
		if seen[v] then fail(what .. ": a value holds a table that contains itself; only plain data can be stored (strings, numbers, booleans, tables of them)") end
		if depth >= 32 then fail(what .. ": the value nests more than 32 tables deep; only plain data can be stored") end
		seen[v] = true
		local keys = {}
		for k in next, v do keys[#keys + 1] = k end
		table.sort(keys, function(a, b)
			if type(a) == type(b) and (type(a) == "string" or type(a) == "number") then return a < b end
			return tostring(a) < tostring(b)
		end)
		local parts = {}
		for _, k in ipairs(keys) do
			local key = type(k) == "string" and k:match("^[%a_][%w_]*$") and k or ("[" .. serialize(k, "", what, seen, depth + 1) .. "]")
			parts[#parts + 1] = indent .. "\t" .. key .. " = " .. serialize(rawget(v, k), indent .. "\t", what, seen, depth + 1) .. ","
		end
		seen[v] = nil
		return "{\n" .. table.concat(parts, "\n") .. "\n" .. indent .. "}"
	elseif type(v) == "string" then
		return sfmt("%q", v)
	elseif math.type(v) == "integer" then
		return v < 0 and sfmt("%d", v) or sfmt("0x%x", v)
	elseif type(v) == "number" then
		return sfmt("%q", v)
	elseif type(v) == "boolean" then
		return tostring(v)
	end
	fail(what .. ": a field value of type " .. type(v) .. " cannot be stored")
end
K.serialize = serialize

-- elf_policy { name = "demo-kernel", inherits = "kernel", entry_base = 0x40080000, ... }:
-- a new ELF policy, or fields that override an existing one (lua/elf_policies.lua documents
-- the fields; kiln elf check rejects unknown ones). Collected into gen/elf-policies.lua; the
-- fields are serialised here, so that a later change to the plugin's table changes nothing.
K.elf_policies = {}
local function elf_policy(t)
	local where = origin()
	if type(t) ~= "table" or type(t.name) ~= "string" then fail("elf_policy needs a name", where) end
	if not t.name:match("^[%w_][%w_%-%.]*$") then
		fail("elf_policy needs a name made of letters, digits, '_', '-' and '.'", where)
	end
	if K.elf_policies[t.name] then
		fail(sfmt("elf_policy '%s' is declared twice (first at %s)", t.name, K.elf_policies[t.name].origin), where)
	end
	local p = {}
	for k, v in next, t do if k ~= "name" then p[k] = v end end
	K.elf_policies[t.name] = { text = serialize(p, "\t", sfmt("elf_policy '%s'", t.name)), origin = where }
end

-- qemu { name = "demo", kernel = "kernel", loaders = { { image = "initfs", addr = 0x44000000 } },
--        expect = { "kiln-demo: done" }, timeout = 60 }: the `run` and `boot-test` targets
local qemu_schema = {
	name = "string", machine = "string", cpu = "string", memory = "string", kernel = "string",
	disk = "string", firmware = "string", loaders = "table", expect = "list", fail = "list",
	timeout = "number", args = "list", share = "string", default = "boolean", poweroff = "boolean",
	disk_device = "string", smp = "number", net = "string",
}
local function qemu(t)
	local where = origin()
	check_fields(t, qemu_schema, "qemu", where)
	if not t.kernel and not t.disk then fail("qemu needs kernel = COMPONENT or disk = IMAGE", where) end
	t.origin = where
	t.expect = aslist(t.expect)
	t.fail = aslist(t.fail)
	K.boots[#K.boots + 1] = t
end

-- gen_file { name = "targets/x.json", content = "..." }: a file kiln gen writes into the build
-- dir (gen/NAME) after validation, rewritten only when its content changes; returns its path
-- for use as an input (target specs, generated config files). The name is checked here, at the
-- plugin's line, before anything is written.
local gen_files, gen_dirs = {}, {}
local function gen_file(t)
	local where = origin()
	if type(t) ~= "table" then fail("gen_file takes a table: gen_file { name = ..., content = ... }", where) end
	check_fields(t, { name = "string", content = "string" }, "gen_file", where)
	if not t.name or not t.content then fail("gen_file needs name and content", where) end
	check_path(t.name, "gen_file", where)
	local n = normalize(t.name)
	if t.name == "" or n == "." or n:sub(1, 1) == "/" or n == ".." or n:sub(1, 3) == "../" or t.name:sub(-1) == "/" then
		fail(sfmt("gen_file: %q must name a file by a relative path inside gen/, such as targets/x.json", t.name), where)
	end
	if n == "manifests" or n:match("^manifests/") or n == "elf-policies.lua" or n == "build.ninja.d" then
		fail(sfmt("gen_file: gen/%s is a file kiln writes itself; choose another name", n), where)
	end
	local path = "gen/" .. n
	if gen_files[path] then fail(sfmt("gen_file %s is already declared at %s", path, gen_files[path]), where) end
	if gen_dirs[path] then
		fail(sfmt("gen_file %s: another gen_file (%s) needs %s to be a directory", path, gen_dirs[path], path), where)
	end
	local dirs = {}
	for i = 5, #path do
		if path:byte(i) == 47 then -- '/'
			local d = path:sub(1, i - 1)
			if gen_files[d] then
				fail(sfmt("gen_file %s needs the directory %s, which is a gen_file declared at %s", path, d, gen_files[d]), where)
			end
			dirs[#dirs + 1] = d
		end
	end
	for _, d in ipairs(dirs) do gen_dirs[d] = gen_dirs[d] or where end
	gen_files[path] = where
	K.generate(path, t.content, where)
	return path
end

---------------------------------------------------------------------------------------------
-- the plugin environment

-- a path argument of fs.*, here and import
local function path_arg(p, what)
	if type(p) ~= "string" then fail(sfmt("%s takes a path (a string), not %s", what, type(p))) end
	return check_path(join(current.dir, p), what)
end

local fs = {}
-- fs.exists(path): "file", "dir", "other" or nil; the answer is recorded, whatever it is
function fs.exists(p) return core.probe(path_arg(p, "fs.exists")) end
-- fs.list(dir): sorted names in dir; recorded
function fs.list(p)
	local l, err = core.listdir(path_arg(p, "fs.list"))
	if not l then fail(err) end
	return l
end
-- fs.read(path): contents; recorded
function fs.read(p)
	local s, err = core.readfile(path_arg(p, "fs.read"))
	if not s then fail(err) end
	return s
end

local function here(p) return path_arg(p, "here") end

-- import "common/flags.lua": run a helper file (relative to the plugin) in the plugin
-- environment and return its value; for data and functions shared by several plugins.
-- import "redox": a module by name, kiln's modules/NAME/init.lua (a name has no "/" and no
-- ".lua"), which any plugin in any directory can use. A file that imports itself, directly
-- or through others, is an error naming the chain.
local imported = {}
local importing = {}       -- the imports under way: { path, name, where }, outermost first
local plugin_env
local function import(p)
	if type(p) ~= "string" then fail("import takes a path") end
	local where = origin_inner()
	local path
	if p:match("^[%w_%-]+$") then
		path = datadir .. "/modules/" .. p .. "/init.lua"
		if core.stat(path) ~= "file" then
			local known = {}
			for _, n in ipairs(core.listdir(datadir .. "/modules") or {}) do known[n] = true end
			fail(sfmt("import \"%s\": no module of that name%s (modules: %s; a file is imported by its path, e.g. \"%s.lua\")",
				p, suggest(p, known), table.concat(core.listdir(datadir .. "/modules") or {}, ", "), p))
		end
	else
		path = path_arg(p, "import")
	end
	if imported[path] ~= nil then return imported[path] end
	local name = display(path)
	for i, f in ipairs(importing) do
		if f.path == path then
			local chain = {}
			for j = i + 1, #importing do chain[#chain + 1] = sfmt("%s imports %s", importing[j].by, importing[j].name) end
			chain[#chain + 1] = sfmt("%s imports %s", current.name, name)
			fail("import cycle: " .. table.concat(chain, ", ") .. "; a file cannot import itself, directly or through others", where)
		end
	end
	local fn, err = core.loadfile(path, name, plugin_env(), true)
	if not fn then fail(err, where) end
	local prev = current
	importing[#importing + 1] = { path = path, name = name, by = current.name }
	current = { path = path, dir = dirname(path), name = name }
	local v = fn()
	importing[#importing] = nil
	current = prev
	imported[path] = v == nil and false or v
	return v
end
---------------------------------------------------------------------------------------------
-- config_files { image, skip, package }: the image config's [[files]] and what its [users]
-- and [groups] make (/etc/passwd, /etc/group, /etc/shadow, the home directories) as files of
-- image, as the Redox installer writes them; the paths in skip are left to the plugin. A
-- password is hashed at build time (kiln passwd-hash: argon2, the salt derived from
-- SOURCE_DATE_EPOCH and the user name, so the image stays reproducible). False without a config.
local function fnv64(s)
	local h = -3750763034362895579 -- 14695981039346656037 as a signed 64-bit integer
	for i = 1, #s do h = (h ~ s:byte(i)) * 1099511628211 end
	return sfmt("%016X", h)
end

local function config_files(t)
	local where = origin()
	check_fields(t, { image = "string", skip = "table", package = "string" }, "config_files", where)
	if not t.image then fail("config_files needs image = NAME", where) end
	local cfg = image_config()
	if not cfg then return false end
	local skip = t.skip or {}
	local f = { name = "config-files", image = t.image, package = t.package,
		description = "the files, users and groups of " .. display(cfg.path) }
	local function put(path, e)
		if not skip[path] then f[path] = e end
	end
	for _, e in ipairs(cfg.files) do
		local ent
		if e.directory then ent = { dir = true }
		elseif e.symlink then ent = { symlink = e.data }
		else ent = { data = e.data } end
		if e.mode then ent.mode = sfmt("%04o", e.mode) end
		ent.uid, ent.gid = e.uid, e.gid
		put(e.path, ent)
	end
	if next(cfg.users) or next(cfg.groups) then
		local passwd, group, shadow, homes = K.imageconfig.users(cfg)
		put("/etc/passwd", { data = passwd })
		put("/etc/group", { data = group, mode = "0600" })
		for _, h in ipairs(homes) do
			put(h.path, { dir = true, mode = "0777", uid = h.uid, gid = h.gid })
			if h.xdg then
				for _, d in ipairs(K.imageconfig.xdg) do put(h.path .. "/" .. d, { dir = true, mode = "0700", uid = h.uid, gid = h.gid }) end
				put(h.path .. "/.config/user-dirs.dirs", { data = K.imageconfig.user_dirs, mode = "0600", uid = h.uid, gid = h.gid })
			end
		end
		local plain, hashed = {}, false
		local sde = core.getenv("SOURCE_DATE_EPOCH") or ""
		for _, u in ipairs(shadow) do
			if u.password:find("[\n;]") then fail(sfmt("%s: the password of user %s has a newline or ';'", cfg.path, u.name), where) end
			plain[#plain + 1] = sfmt("%s;%s;%s\n", u.name, u.password, fnv64(sde .. "\0" .. u.name))
			if u.password ~= "" then hashed = true end
		end
		if not skip["/etc/shadow"] then
			if hashed then
				-- the passwords are hashed by a build step: the plaintext stays in gen/
				local input = gen_file { name = "config/shadow.in", content = table.concat(plain) }
				component {
					name = "config-shadow", kind = "data", package = t.package, dir = conf.builddir,
					description = "/etc/shadow: the users' passwords, hashed with argon2 as redox_users reads them",
					build = K.rules_module("steps").constructors.steps { { output = "shadow", inputs = { input },
						run = { "sh", datadir .. "/rules/shadow.sh", conf.kiln, "$in", "$out" },
						tools = { datadir .. "/rules/shadow.sh", conf.kiln }, description = "shadow" } },
					install = { [t.image] = "/etc/shadow" }, mode = "0600",
				}
			else
				local lines = {}
				for _, u in ipairs(shadow) do lines[#lines + 1] = u.name .. ";\n" end
				f["/etc/shadow"] = { data = table.concat(lines), mode = "0600" }
			end
		end
	end
	files(f)
	return true
end

local function redox(p)
	if conf.redox_src == "" then fail("redox(...) needs a Redox tree: configure with --redox-src=DIR") end
	if type(p) ~= "string" then fail("redox takes a path inside the Redox tree") end
	return check_path(join(conf.redox_src, p), "redox")
end

-- what plugins may do with metatables: setmetatable without __gc (a finalizer would run plugin
-- code whenever the collector runs, in the middle of kiln's own work), and getmetatable only
-- of what a plugin set itself (kiln's own metatables, such as the JSON object marker, are
-- shared, and a plugin that changed one would change them for every other)
local plugin_mts = setmetatable({}, { __mode = "k" })
local function plugin_setmetatable(t, mt)
	if type(mt) == "table" and rawget(mt, "__gc") ~= nil then
		fail("setmetatable: a __gc finalizer is not allowed in a plugin (it would run in the middle of kiln's own work); release nothing, plugins own no resources")
	end
	if type(t) ~= "table" then fail("setmetatable takes a table") end
	if getmetatable(t) ~= nil and not plugin_mts[getmetatable(t)] then
		fail("setmetatable: this table belongs to kiln (the plugin's environment, or a value kiln made): its metatable cannot be changed")
	end
	setmetatable(t, mt)
	if type(mt) == "table" then plugin_mts[mt] = true end
	return t
end
local function plugin_getmetatable(v)
	local mt = getmetatable(v)
	if type(mt) ~= "table" or plugin_mts[mt] then return mt end
	return false
end
-- nobody reaches the string library through the metatable of strings: each plugin has its
-- own copy of the library, kiln keeps the original
getmetatable("").__metatable = false

local base_env = {
	-- declarations
	component = component, files = files, image = image, option = option, opt = opt,
	elf_policy = elf_policy, qemu = qemu, gen_file = gen_file, opt_given = opt_given,
	-- the image config (Redox's format): the one in use, the default of a plugin set, the
	-- package the following declarations of a plugin belong to ([packages] selects them)
	image_config = image_config, default_config = default_config, config_files = config_files,
	package = function(name)
		if type(name) ~= "string" or not name:match("^[%w_][%w_%-%.]*$") then fail("package takes a package name") end
		current.package = name
		K.provided[name] = K.provided[name] or current.name
	end,
	-- a problem is reported with every other one once all plugins ran; a note by the summary
	-- where: "file:line" of the cause, false when msg names its place itself, nil for here
	problem = function(msg, where)
		if where == false then K.problem(tostring(msg)) else K.problem((where or origin()) .. ": " .. tostring(msg)) end
	end,
	note = function(msg) K.note(tostring(msg)) end,
	-- what kiln doctor lists: a prerequisite that was found, and one that the build (not the
	-- generation) needs but that is missing: a note for kiln gen, a failure for kiln doctor
	report = function(what, detail) K.reports[#K.reports + 1] = { what = tostring(what), detail = tostring(detail) } end,
	prerequisite = function(what, fix)
		if K.doctor then K.problem(tostring(what) .. ": " .. tostring(fix)) else K.note(tostring(what) .. ": " .. tostring(fix)) end
	end,
	after_plugins = function(fn)
		if type(fn) ~= "function" then fail("after_plugins takes a function") end
		K.after[#K.after + 1] = { fn = fn, origin = origin(), plugin = current }
	end,
	json_encode = function(v)
		serialize(v, "", "json_encode") -- plain data, not nested without end, no cycles
		local ok, r = pcall(K.json.encode, v)
		if not ok then fail(tostring(r)) end
		return r
	end,

	json_object = function(t) return K.json.object(t) end,
	json_decode = K.json.decode, json_null = K.json.null, -- json_decode(text [, name])
	toml_decode = K.toml.decode, -- toml_decode(text [, name [, { lines = true }]])
	-- paths and reading
	here = here, redox = redox, fs = fs, import = import,
	env = function(name)
		if type(name) ~= "string" or not name:match("^[%a_][%w_]*$") then
			fail(sfmt("env takes the name of an environment variable (letters, digits, '_'), not %s",
				type(name) == "string" and show(name:sub(1, 60)) or type(name)))
		end
		return core.getenv(name)
	end,
	find_program = function(name)
		if type(name) ~= "string" or name == "" or name:find("[%c]") then
			fail("find_program takes the name of a program, such as \"cc\"")
		end
		return core.find_program(name)
	end,
	-- the build directory (absolute) and paths in it; kiln itself, for steps{} that run it
	build_path = function(p)
		if type(p) ~= "string" then fail("build_path takes a path relative to the build directory") end
		local n = normalize(p)
		if n:sub(1, 1) == "/" or n:sub(1, 2) == ".." then fail("build_path: '" .. p .. "' is not inside the build directory") end
		return n == "." and conf.builddir or (conf.builddir .. "/" .. n)
	end,
	kiln_version = function() return conf.version end,
	kiln_binary = function() return conf.kiln end,
	-- the manifest kiln gen writes for image name (docs/manifest.md), an input for checks
	image_manifest = function(name)
		if type(name) ~= "string" then fail("image_manifest takes an image name") end
		return "gen/manifests/" .. name .. ".manifest"
	end,
	-- check t's fields against schema { field = type } as component{} does (unknown fields
	-- with a suggestion, wrong types), for the constructors of modules; what names t
	check_fields = function(t, schema, what)
		if type(t) ~= "table" then fail(sfmt("%s takes a table", tostring(what))) end
		check_fields(t, schema, tostring(what), origin())
	end,
	arch = conf.arch, redox_src = conf.redox_src ~= "" and conf.redox_src or nil,
	-- safe parts of the standard library (string, table, math, utf8 and fs: each plugin gets
	-- its own copy, see plugin_env)
	pairs = pairs, ipairs = ipairs, next = next, select = select, type = type,
	tostring = tostring, tonumber = tonumber, error = error, assert = assert, pcall = pcall,
	setmetatable = plugin_setmetatable, getmetatable = plugin_getmetatable, rawget = rawget, rawset = rawset,
	rawequal = rawequal, rawlen = rawlen,
	print = function(...)
		local t = {}
		for i = 1, select("#", ...) do t[i] = tostring((select(i, ...))) end
		io.stderr:write(origin(), ": ", table.concat(t, "\t"), "\n")
	end,
}
K.base_env = base_env

-- build-spec constructors (cc, host_cc, cross_cc, cargo, prebuilt, ...) and other plugin
-- functions come from the modules of rules/ that export them: every rules/*.lua is loaded
-- (in name order) and its `constructors` table merged into the plugin environment
do
	local names = core.listdir(datadir .. "/rules") or {}
	for _, n in ipairs(names) do
		local m = n:match("^(.+)%.lua$")
		if m then
			for name, ctor in pairs(K.rules_module(m).constructors or {}) do
				if base_env[name] then error(sfmt("kiln: rules/%s.lua: '%s' is already defined", n, name), 0) end
				base_env[name] = ctor
			end
		end
	end
end

-- the libraries of which every plugin file gets its own copy: a plugin that replaces
-- string.find changes its own copy, not kiln's nor another plugin's
local own_libs = { string = string, table = table, math = math, utf8 = utf8, fs = fs }
local undefined_global = { __index = function(_, k)
	local v = base_env[k]
	if v == nil then
		fail(sfmt("undefined global '%s'%s", tostring(k), suggest(tostring(k), base_env)))
	end
	return v
end, __metatable = false }

function plugin_env()
	local env = {}
	for name, lib in next, own_libs do
		local c = {}
		for k, v in next, lib do c[k] = v end
		env[name] = c
	end
	return setmetatable(env, undefined_global)
end

-- a plugin that fails is recorded as a problem and the next plugin is loaded, so that one run
-- reports every problem of the configuration (a missing toolchain, members, submodules, ...)
-- instead of one per run; nothing is written while there are problems
local function load_plugin(path)
	local name = display(path)
	local fn, err = core.loadfile(path, name, plugin_env(), true)
	if not fn then K.problem(err) return end
	local prev = current
	current = { path = path, dir = dirname(path), name = name }
	-- the message handler runs where the error was raised: it names the plugin line of an
	-- error({}) or of an error inside kiln's own Lua, and keeps a limit's message
	local ok, e = xpcall(fn, core.msghandler)
	current = prev
	if not ok then K.problem(e) return end
	K.plugins[#K.plugins + 1] = name
end

-- the directories whose *.lua files are plugins, in load order
local function plugin_dirs()
	local dirs = {}
	K.system = conf.system ~= "" and conf.system or (conf.redox_src ~= "" and "redox" or "demo")
	if K.system == "redox" then
		if conf.redox_src == "" and not K.tolerant then error("kiln: --system=redox needs --redox-src=DIR", 0) end
		dirs[1] = datadir .. "/plugins"
	elseif K.system == "demo" then
		dirs[1] = datadir .. "/examples/demo"
	end
	for _, d in ipairs(conf.plugin_dirs) do dirs[#dirs + 1] = d end
	return dirs
end

-- load every plugin; mode "tolerant" (kiln gen --list-options) keeps going past problems, so
-- that the options of a plugin set are listed without a tree or a toolchain
function api.load(mode)
	K.tolerant = mode == "tolerant" or mode == "doctor"
	K.doctor = mode == "doctor"
	option { name = "config", type = "path",
		help = "an image config in Redox's format (config/ARCH/NAME.toml: include, [packages], [[files]], [users], [groups], [general]); default: the plugin set's own" }
	local function load_dir(dir)
		local names, err = core.listdir(dir)
		if not names then error("kiln: plugin directory " .. err, 0) end
		for _, n in ipairs(names) do
			if n:match("%.lua$") and core.stat(dir .. "/" .. n) == "file" then
				load_plugin(dir .. "/" .. n)
			end
		end
	end
	K.explicit = {}
	local extra = {}
	for _, d in ipairs(conf.plugin_dirs) do extra[d] = true end
	for _, dir in ipairs(plugin_dirs()) do
		local before = #K.plugins
		load_dir(dir)
		if extra[dir] then for i = before + 1, #K.plugins do K.explicit[K.plugins[i]] = true end end
	end
	-- a package the image config names that no plugin provides, but that kiln ships as an
	-- example (examples/packages/NAME): its plugins are loaded, so one config line adds it
	local ok, cfg = pcall(image_config)
	if not ok then
		K.problem(cfg)
	elseif cfg then
		local names_ = {}
		for name in pairs(cfg.packages) do names_[#names_ + 1] = name end
		table.sort(names_)
		for _, name in ipairs(names_) do
			local dir = datadir .. "/examples/packages/" .. name
			if not K.provided[name] and core.stat(dir) == "dir" then load_dir(dir) end
		end
	end
	for _, a in ipairs(K.after) do
		current = a.plugin -- relative paths and origins as in the plugin that registered it
		local ok, e = xpcall(a.fn, core.msghandler)
		current = nil
		if not ok then K.problem(e) end
	end
	-- options given but declared by no plugin
	local names = {}
	for k in pairs(given_opts) do names[#names + 1] = k end
	table.sort(names)
	for _, k in ipairs(names) do
		if not K.option_by_name[k] then
			local known = {}
			for _, o in ipairs(K.options) do known[#known + 1] = "--" .. o.name end
			K.problem(sfmt("kiln.conf: unknown option --%s%s (options declared by the plugins: %s)", k,
				suggest(k, K.option_by_name), #known > 0 and table.concat(known, " ") or "none"))
		end
	end
	if #K.problems > 0 and not K.tolerant then
		for _, n in ipairs(K.notes) do io.stderr:write("note: ", n, "\n") end
		local t = { sfmt("%d problem%s; build.ninja was not written. Each line names the fix:",
			#K.problems, #K.problems == 1 and "" or "s") }
		for i, p in ipairs(K.problems) do t[#t + 1] = sfmt("  %d. %s", i, p) end
		error(table.concat(t, "\n"), 0)
	end
end

---------------------------------------------------------------------------------------------
-- resolution: declarations -> rules and edges

-- check component dependencies: unknown names and cycles, with every location involved
local function check_deps()
	for _, c in ipairs(K.components) do
		for _, d in ipairs(c.deps) do
			if not K.by_name[d] then
				fail(sfmt("component '%s' depends on '%s', which no plugin declares%s", c.name, d,
					suggest(d, K.by_name)), c.origin)
			end
		end
	end
	-- depth first, without recursion (a chain of components may be as long as it likes)
	local state, order = {}, {}
	for _, root in ipairs(K.components) do
		if not state[root] then
			local stack, pos = { root }, { 1 }
			state[root] = "active"
			while #stack > 0 do
				local top = #stack
				local c = stack[top]
				local d = c.deps[pos[top]]
				if d then
					pos[top] = pos[top] + 1
					local dc = K.by_name[d]
					if state[dc] == "active" then
						local parts, start = {}, nil
						for i, x in ipairs(stack) do if x == dc then start = i end end
						for i = start, #stack do
							parts[#parts + 1] = sfmt("%s (%s)", stack[i].name, stack[i].origin)
						end
						parts[#parts + 1] = dc.name
						fail("dependency cycle: " .. table.concat(parts, " -> "), dc.origin)
					elseif not state[dc] then
						state[dc] = "active"
						stack[top + 1], pos[top + 1] = dc, 1
					end
				else
					state[c] = "done"
					order[#order + 1] = c
					stack[top], pos[top] = nil, nil
				end
			end
		end
	end
	return order
end

-- output directory of a component
function K.outdir(c) return "out/" .. c.name end

-- files every edge of component c must wait for: the outputs of its dependencies
function K.dep_outputs(c)
	local list = {}
	for _, d in ipairs(c.deps) do
		for _, o in ipairs(K.by_name[d].outputs or {}) do list[#list + 1] = o end
	end
	return list
end

-- the list of (image, path) where component c's main output is installed
local function install_targets(c)
	local list = {}
	local imgs = {}
	for img in pairs(c.install) do imgs[#imgs + 1] = img end
	table.sort(imgs)
	for _, img in ipairs(imgs) do
		for _, p in ipairs(aslist(c.install[img])) do list[#list + 1] = { image = img, path = p } end
	end
	return list
end
K.install_targets = install_targets

local function add_content(img_name, entry, who)
	local img = K.by_name[img_name]
	if not img or img.decl ~= "image" then
		fail(sfmt("%s installs %s into '%s', which is not a declared image%s", who.name, entry.path,
			img_name, suggest(img_name, K.by_name)), who.origin)
	end
	if img.format == "gpt" then
		fail(sfmt("%s installs %s into '%s', a partitioned disk: install into one of its filesystem images",
			who.name, entry.path, img_name), who.origin)
	end
	entry.component = who.name
	entry.origin = entry.origin or who.origin
	img.contents[#img.contents + 1] = entry
end

-- [packages] of the image config: a component (or files) of a package the config does not
-- name is left out, unless a selected one depends on it; a package the config names that no
-- plugin provides is an error for a config given with --config, a note for a default one
local function select_packages()
	local cfg = image_config()
	if not cfg then return end
	for _, c in ipairs(K.components) do
		if c.package and not K.provided[c.package] then K.provided[c.package] = c.plugin end
	end
	local wanted, missing = {}, {}
	for name, v in pairs(cfg.packages) do
		if v ~= "ignore" then
			wanted[name] = true
			if not K.provided[name] then missing[#missing + 1] = name end
		end
	end
	if #missing > 0 then
		table.sort(missing)
		local known = {}
		for n in pairs(K.provided) do known[#known + 1] = n end
		table.sort(known)
		local msg = sfmt("%s: [packages] %s: no plugin provides %s (known: %s); fix: a plugin that says package \"%s\" and declares its components, or %s = \"ignore\" in [packages]",
			cfg.path, table.concat(missing, ", "), #missing == 1 and "it" or "them", table.concat(known, ", "), missing[1], missing[1])
		if cfg.is_default then
			K.note(sfmt("the default image config %s names packages kiln does not build: %s", cfg.path, table.concat(missing, ", ")))
		else
			local first = cfg.package_where[missing[1]]
			fail(msg:sub(#cfg.path + 3), first or cfg.path)
		end
	end
	local keep = {}
	local function mark(c)
		if keep[c] then return end
		keep[c] = true
		for _, d in ipairs(c.deps or {}) do if K.by_name[d] then mark(K.by_name[d]) end end
	end
	-- the plugins of a --plugin-dir were asked for by name: always built
	for _, c in ipairs(K.components) do
		if not c.package or wanted[c.package] or K.explicit[c.plugin] then mark(c) end
	end
	local kept, dropped = {}, {}
	for _, c in ipairs(K.components) do
		if keep[c] then kept[#kept + 1] = c else dropped[#dropped + 1] = c.name; K.by_name[c.name] = nil end
	end
	K.components = kept
	K.unselected = dropped
end

function api.finish()
	select_packages()
	-- components are generated dependencies first, so that a component's edges can name the
	-- outputs of what it depends on, whatever order the plugins declared them in
	local ordered = check_deps()
	if next(K.elf_policies) then
		local names, lines, body = {}, { "-- gen/elf-policies.lua: ELF policies declared by the plugins (kiln gen)" }, {}
		for name in pairs(K.elf_policies) do names[#names + 1] = name end
		table.sort(names)
		for _, name in ipairs(names) do
			local p = K.elf_policies[name]
			lines[#lines + 1] = sfmt("-- %s: %s", name, p.origin)
			local key = name:match("^[%a_][%w_]*$") and name or sfmt("[%q]", name)
			body[#body + 1] = "\t" .. key .. " = " .. p.text .. ","
		end
		table.sort(lines)
		K.policy_file = "gen/elf-policies.lua"
		K.generate(K.policy_file, table.concat(lines, "\n") .. "\nreturn {\n" .. table.concat(body, "\n") .. "\n}\n", "kiln")
	end
	-- 1. components: build edges with their checks (validations), then strip
	-- K.check_of: a checked file (and its stripped copy) -> the stamp of its check, which
	-- every image edge that holds the file depends on: no image ever contains a binary whose
	-- check has not passed, even with `ninja -k 0`
	K.check_of = {}
	for _, c in ipairs(ordered) do
		if c.decl == "component" then
			local mod = K.rules_module(c.build.module)
			c.outputs = mod.generate(c, c.build)
			c.final = K.rules_module("elf").postlink(c)
			if c.check_stamp then
				if c.outputs and c.outputs[1] then K.check_of[c.outputs[1]] = c.check_stamp end
				if c.final then K.check_of[c.final] = c.check_stamp end
			end
		end
	end
	-- rules that emit their edges once all components are known (cargo: one run per workspace)
	local mods = {}
	for name, m in pairs(rule_modules) do if m.finish then mods[#mods + 1] = name end end
	table.sort(mods)
	for _, name in ipairs(mods) do rule_modules[name].finish() end
	-- 2. image contents from installs and files
	for _, c in ipairs(K.components) do
		if c.decl == "files" then
			for _, e in ipairs(c.entries) do add_content(c.image, e, c) end
			c.outputs = {}
			for _, e in ipairs(c.entries) do if e.src then c.outputs[#c.outputs + 1] = e.src end end
		else
			for _, t in ipairs(install_targets(c)) do
				add_content(t.image, { path = t.path, type = "file", src = c.final,
					mode = c.mode or K.kinds[c.kind].mode or "0755" }, c)
			end
		end
	end
	-- appends, in plugin load order, to the file another declaration puts at the same path; a
	-- source file becomes data (its read is recorded, so editing it regenerates)
	for _, i in ipairs(K.images) do
		local keep, at = {}, {}
		for _, e in ipairs(i.contents) do
			if e.type ~= "append" then keep[#keep + 1] = e; at[e.path] = at[e.path] or e end
		end
		for _, e in ipairs(i.contents) do
			local t = e.type == "append" and at[e.path]
			if e.type == "append" and (not t or t.type ~= "file") then
				fail(sfmt("files '%s' appends to %s in image '%s', but nothing puts a file there to append to; declare the file first (files { ... [\"%s\"] = \"...\" })",
					e.component, e.path, i.name, e.path), e.origin)
			elseif t then
				if t.src then
					local s, err = core.readfile(t.src)
					if not s then fail(sfmt("files '%s' appends to %s, whose source cannot be read at generation time: %s", e.component, e.path, err), e.origin) end
					t.data, t.src = s, nil
				end
				t.data = t.data .. e.append
			end
		end
		i.contents = keep
	end
	for _, i in ipairs(K.images) do
		i.output = "out/images/" .. i.name .. ".img"
		for _, t in ipairs(install_targets(i)) do
			add_content(t.image, { path = t.path, type = "file", src = i.output, mode = "0644" }, i)
		end
	end
	-- 3. images, in dependency order (an image installed in another comes first)
	local done = {}
	local function build_image(i, chain)
		if done[i] then return end
		if chain[i] then fail(sfmt("image '%s' contains itself (through %s)", i.name, chain[i]), i.origin) end
		chain[i] = i.name
		for _, e in ipairs(i.contents) do
			local src = e.src and K.image_by_output and K.image_by_output[e.src]
			if src then build_image(src, chain) end
		end
		for _, p in ipairs(i.partitions or {}) do
			if p.image then build_image(K.by_name[p.image], chain) end
		end
		chain[i] = nil
		K.rules_module(i.format).generate(i)
		done[i] = true
	end
	K.image_by_output = {}
	for _, i in ipairs(K.images) do K.image_by_output[i.output] = i end
	for _, i in ipairs(K.images) do build_image(i, {}) end
	-- 4. QEMU targets, aliases, default, regeneration, tests
	if #K.boots > 0 then K.rules_module("qemu").generate(K.boots) end
	K.rules_module("top").generate()
end

function api.summary()
	local ncomp = #K.components
	io.stdout:write(sfmt("kiln %s: arch %s, system %s%s\n", conf.version, conf.arch, K.system,
		K.system == "demo" and " (the bundled demo, since no --redox-src was given)" or
		K.system == "redox" and (" (" .. conf.redox_src .. ")") or " (only --plugin-dir plugins)"))
	io.stdout:write(sfmt("  plugins: %d loaded: %s\n", #K.plugins, table.concat(K.plugins, " ")))
	io.stdout:write(sfmt("  graph: %d components, %d images, %d edges\n", ncomp, #K.images, K.nedges))
	local cfg = config_state.cfg
	if cfg then
		io.stdout:write(sfmt("  config: %s%s%s\n", display(cfg.path), cfg.is_default and " (the default; --config=FILE for another)" or "",
			#(K.unselected or {}) > 0 and sfmt("; %d components of packages it does not name left out", #K.unselected) or ""))
	end
	if conf.rustc_wrapper ~= "" then
		io.stdout:write(sfmt("  rustc wrapper: %s for every cargo run (CARGO_INCREMENTAL=0); its settings (sccache.env): %s\n",
			conf.rustc_wrapper, core.wrapper_summary()))
	end
	for _, n in ipairs(K.notes) do io.stdout:write("  note: ", n, "\n") end
	io.stdout:write("  wrote build.ninja; next: ninja image\n")
end

-- kiln doctor: what the configured system needs, found or missing; the number missing
function api.doctor()
	local w = function(...) io.stdout:write(sfmt(...)) end
	w("kiln doctor: arch %s, system %s%s\n", conf.arch, K.system, conf.redox_src ~= "" and (" (" .. conf.redox_src .. ")") or "")
	-- the C compilers the cc{} components will need (found when their edges are written)
	local asked = {}
	for _, c in ipairs(K.components) do
		if c.build and c.build.module == "cc" then
			local which = c.build.toolchain or K.kinds[c.kind].toolchain or "host"
			if not asked[which] then
				asked[which] = true
				local tc, why = K.toolchain.get(which)
				if not tc then K.problem(why) end
			end
		end
	end
	for _, r in ipairs(K.reports) do w("ok       %-28s %s\n", r.what, r.detail) end
	if #K.boots > 0 then
		local m = K.rules_module("qemu").constructors.qemu_host()
		if m.bin then w("ok       %-28s %s\n", m.name, m.bin) end
		if m.firmware then w("ok       %-28s %s\n", "UEFI firmware", table.concat(m.firmware, " ")) end
		local qm = K.rules_module("qemu")
		local a, why = qm.host_accel(opt("qemu-accel"))
		if a then
			w("ok       %-28s %s\n", "accelerator for ninja run", a == "tcg" and "TCG (software emulation)" or a:upper() .. " (-cpu host)")
			if why then K.note(why) end
		else
			K.problem(why)
		end
	end
	for _, p in ipairs(K.problems) do w("MISSING  %s\n", p) end
	for _, n in ipairs(K.notes) do w("note     %s\n", n) end
	w("%s\n", #K.problems == 0 and "everything this configuration needs is here" or
		sfmt("%d missing; each line names the fix", #K.problems))
	return #K.problems
end

function api.list_options()
	local opts = {}
	for _, o in ipairs(K.options) do opts[#opts + 1] = o end
	table.sort(opts, function(a, b) return a.name < b.name end)
	for _, o in ipairs(opts) do
		local t = o.type == "choice" and table.concat(o.values, "|") or o.type
		local d = o.default ~= nil and (", default " .. tostring(o.default)) or ""
		io.stdout:write(sfmt("  --%-22s %s (%s%s) [%s]\n", o.name .. "=" .. o.type:upper(), o.help, t, d, o.origin))
	end
	if #opts == 0 then io.stdout:write("  (none)\n") end
end

function api.query(cmd, ...)
	return lua_module("query").run(cmd, ...)
end

return api
