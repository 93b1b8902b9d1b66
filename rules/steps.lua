-- rules/steps.lua: build steps that are plain commands, for any system.
--
--   stage { file = F, to = "DIR/NAME" }
--       F copied into the build (out/<component>/<basename of F>, or out/DIR/NAME with to);
--       the copy is rewritten only when its bytes change (restat). A generated file (gen/...)
--       becomes a build output that others can depend on.
--   link { inputs = { COMPONENT, ... }, script = FILE, linker = { WORD, ... }, args = { ... },
--          output = NAME }
--       a link the plugin drives itself: LINKER ARGS -o OUT -T SCRIPT INPUTS (the inputs are
--       the main outputs of the named components, which must be in deps); checked like every
--       linked file
--   steps { { output = NAME, inputs = { COMPONENT | FILE, ... }, run = { WORD, ... },
--             tools = { FILE, ... }, description = "WORD" }, ... }
--       commands, one per output (out/<component>/NAME): RUN is an argument list, each word
--       quoted for the shell, where the words "$in" and "$out" stand for the inputs and the
--       output; TOOLS are programs or scripts it runs (inputs too, so editing one reruns it).
--       Each output is rewritten only when its bytes change (restat).
-- Paths: absolute, relative to the component's directory, or "gen/..." / "out/..." (a file
-- kiln gen writes or an output, relative to the build directory).
local ctx = ...   -- the rules context (lua/kiln.lua, docs/design.md): not kiln's state
local sfmt = string.format

local M = { constructors = {} }

local function spec(what, t, schema)
	local where = ctx.origin()
	ctx.check_fields(t, schema, what .. "{}", where)
	local s = { is_spec = true, module = "steps", what = what, origin = where }
	for k, v in pairs(t) do s[k] = v end
	return s
end

function M.constructors.stage(t)
	local s = spec("stage", t, { file = "string", to = "string" })
	if not t.file then ctx.fail("stage{} needs file", s.origin) end
	return s
end

function M.constructors.link(t)
	local s = spec("link", t, { inputs = "list", script = "string", linker = "list", args = "list", output = "string" })
	if not t.inputs or not t.script or not t.linker then ctx.fail("link{} needs inputs, script and linker", s.origin) end
	s.inputs, s.args, s.linker = ctx.aslist(t.inputs), ctx.aslist(t.args), ctx.aslist(t.linker)
	return s
end

local step_schema = { output = "string", inputs = "list", run = "list", tools = "list", description = "string" }
function M.constructors.steps(t)
	local where = ctx.origin()
	if type(t) ~= "table" or #t == 0 then ctx.fail("steps{} takes a list of { output, inputs, run }", where) end
	for i, st in ipairs(t) do
		if type(st) ~= "table" then ctx.fail(sfmt("steps{}: step %d is not a table", i), where) end
		ctx.check_fields(st, step_schema, sfmt("step %d of steps{}", i), where)
		if not st.output or not st.run then ctx.fail(sfmt("steps{}: step %d needs output and run", i), where) end
	end
	return { is_spec = true, module = "steps", what = "steps", origin = where, list = t }
end

-- the main output of component name, which c must list in deps
local function output_of(c, name, s)
	local d = ctx.by_name[name]
	if not d or d.decl ~= "component" or not d.outputs then
		ctx.fail(sfmt("component '%s': '%s' is not a component declared before it%s", c.name, name,
			ctx.suggest(name, ctx.by_name)), s.origin)
	end
	local listed = false
	for _, x in ipairs(c.deps) do if x == name then listed = true end end
	if not listed then ctx.fail(sfmt("component '%s' uses '%s': list it in deps", c.name, name), s.origin) end
	return d.outputs[1]
end

-- a path as Ninja must see it: files kiln gen writes and outputs stay relative to the build
-- directory
local function path_of(c, p, s)
	local bd = ctx.conf.builddir .. "/"
	if p:sub(1, #bd) == bd then p = p:sub(#bd + 1) end
	if p:sub(1, 4) == "gen/" or p:sub(1, 4) == "out/" then return ctx.normalize(p) end
	return ctx.check_path(ctx.join(c.dir, p), c.name, s.origin)
end

-- an input of a step: a component's main output (by name, in deps), else a path
local function input_of(c, x, s)
	if ctx.by_name[x] and ctx.by_name[x].decl == "component" then return output_of(c, x, s) end
	return path_of(c, x, s)
end

local function copy_rule()
	ctx.rule("stage", {
		{ "command", "cmp -s $in $out || { cp -f $in $out.tmp && mv -f $out.tmp $out; }" },
		{ "description", "STAGE $out" },
		{ "restat", "1" },
	}, "rules/steps.lua")
end

local function gen_stage(c, s)
	local src = path_of(c, s.file, s)
	local out = s.to and ("out/" .. ctx.normalize(s.to)) or (ctx.outdir(c) .. "/" .. ctx.basename(src))
	copy_rule()
	ctx.edge { rule = "stage", outs = { out }, ins = { src }, origin = c.origin, owner = c.name }
	c.inputs = { src }
	return { out }
end

local function gen_link(c, s)
	ctx.rule("link", {
		{ "command", "$linker $args -o $out -T $script $in" },
		{ "description", "LINK $out" },
	}, "rules/steps.lua")
	local ins = {}
	for _, n in ipairs(s.inputs) do ins[#ins + 1] = output_of(c, n, s) end
	local script = path_of(c, s.script, s)
	local out = ctx.outdir(c) .. "/" .. (s.output or c.name)
	local args, linker = {}, {}
	for _, a in ipairs(s.args) do args[#args + 1] = ctx.Q(a) end
	for _, a in ipairs(s.linker) do linker[#linker + 1] = ctx.Q(a) end
	ctx.edge { rule = "link", outs = { out }, ins = ins, imps = { script },
		vals = ctx.rules_module("elf").checks(c, out),
		vars = { { "linker", table.concat(linker, " ") }, { "args", table.concat(args, " ") }, { "script", ctx.Q(script) } },
		origin = c.origin, owner = c.name }
	c.inputs = { script }
	return { out }
end

local function gen_steps(c, s)
	ctx.rule("step", {
		{ "command", "$run" },
		{ "description", "$what $out" },
		{ "restat", "1" },
	}, "rules/steps.lua")
	local outs, srcs = {}, {}
	for _, st in ipairs(s.list) do
		local out = ctx.outdir(c) .. "/" .. ctx.normalize(st.output)
		local ins, imps = {}, {}
		for _, x in ipairs(ctx.aslist(st.inputs)) do
			local p = input_of(c, x, s)
			ins[#ins + 1] = p
			if not ctx.by_name[x] then srcs[#srcs + 1] = p end
		end
		for _, x in ipairs(ctx.aslist(st.tools)) do imps[#imps + 1] = input_of(c, x, s) end
		-- the paths are known here: "$in" and "$out" are replaced by them (Ninja expands $in
		-- and $out in rule bindings only, not in an edge's variables)
		local words = {}
		for _, w in ipairs(st.run) do
			if w == "$in" then
				for _, i in ipairs(ins) do words[#words + 1] = ctx.Q(i) end
			elseif w == "$out" then
				words[#words + 1] = ctx.Q(out)
			else
				words[#words + 1] = ctx.Q(tostring(w))
			end
		end
		ctx.edge { rule = "step", outs = { out }, ins = ins, imps = imps,
			vars = { { "run", table.concat(words, " ") }, { "what", (st.description or "RUN"):upper() } },
			origin = c.origin, owner = c.name }
		outs[#outs + 1] = out
	end
	c.inputs = srcs
	return outs
end

function M.generate(c, s)
	if s.what == "stage" then return gen_stage(c, s) end
	if s.what == "link" then return gen_link(c, s) end
	return gen_steps(c, s)
end

return M
