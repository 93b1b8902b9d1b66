-- rules/top.lua: what every build.ninja has: a phony alias per component and image, the
-- `image` and `default` targets, the regeneration edge (and the Makefile's, where configure
-- made the build directory), `check` and `reconfigure`.
local ctx = ...   -- the rules context (lua/kiln.lua, docs/design.md): not kiln's state
local conf = ctx.conf

local M = {}

function M.generate()
	local Q = ctx.Q
	for _, c in ipairs(ctx.components) do
		local outs = {}
		for _, o in ipairs(c.outputs or {}) do outs[#outs + 1] = o end
		if c.check_stamp then outs[#outs + 1] = c.check_stamp end
		if #outs > 0 then
			ctx.edge { rule = "phony", outs = { c.name }, ins = outs, origin = c.origin, owner = c.name }
		end
	end
	-- `image`: every image that is not inside another image or disk
	local inner = {}
	for _, i in ipairs(ctx.images) do
		for _, e in ipairs(i.contents) do
			if e.src and ctx.image_by_output[e.src] then inner[ctx.image_by_output[e.src]] = true end
		end
		for _, p in ipairs(i.partitions or {}) do
			if p.image then inner[ctx.by_name[p.image]] = true end
		end
	end
	local top, all = {}, {}
	for _, i in ipairs(ctx.images) do
		ctx.edge { rule = "phony", outs = { i.name }, ins = { i.output }, origin = i.origin, owner = i.name }
		all[#all + 1] = i.output
		if not inner[i] or i.default then top[#top + 1] = i.output end
	end
	if #top > 0 then
		-- `ninja image` ends with the size summary (rules/summary.lua)
		top[#top + 1] = ctx.rules_module("summary").generate()
		ctx.edge { rule = "phony", outs = { "image" }, ins = top, origin = "kiln", owner = "image" }
		ctx.core.default("image")
	else
		-- no image declared: build every component
		local outs = {}
		for _, c in ipairs(ctx.components) do
			for _, o in ipairs(c.outputs or {}) do outs[#outs + 1] = o end
		end
		ctx.edge { rule = "phony", outs = { "all" }, ins = outs, origin = "kiln", owner = "all" }
		ctx.core.default("all")
	end

	-- regeneration: the depfile lists every Lua file, plugin and input the plugins read
	ctx.rule("regen", {
		{ "command", Q(conf.kiln) .. " gen --quiet --regen" },
		{ "description", "REGENERATE build.ninja" },
		{ "generator", "1" },
		{ "depfile", "gen/build.ninja.d" },
		{ "pool", "console" },
	}, "rules/top.lua")
	-- kiln.conf (the options) and kiln.env (the environment the plugins read) are written
	-- before build.ninja, and only when they change
	local imps = { conf.kiln, "kiln.env" }
	if ctx.core.stat("kiln.conf") then imps[#imps + 1] = "kiln.conf" end
	-- the Makefile, in a build directory configure made: configure runs again (config.status,
	-- with this directory's options) when configure, Makefile.in or a directory of the sources
	-- (configure's depfile) is newer, and only if one of them differs (restat: a touch stops
	-- there); it rebuilds kiln, and build.ninja regenerates after it
	if ctx.core.stat("config.status") then
		ctx.rule("configure", {
			{ "command", "./config.status --if-changed" },
			{ "description", "CONFIGURE? (configure, Makefile.in or the sources' directories changed)" },
			{ "depfile", "gen/Makefile.d" },
			{ "generator", "1" },
			{ "restat", "1" },
			{ "pool", "console" },
		}, "rules/top.lua")
		ctx.edge { rule = "configure", outs = { "Makefile" }, origin = "kiln", owner = "build.ninja" }
		imps[#imps + 1] = "Makefile"
	end
	ctx.edge { rule = "regen", outs = { "build.ninja" }, imps = imps, origin = "kiln", owner = "build.ninja" }
	ctx.rule("reconfigure", {
		{ "command", Q(conf.kiln) .. " gen" },
		{ "description", "RECONFIGURE (reads the environment again)" },
		{ "pool", "console" },
	}, "rules/top.lua")
	ctx.edge { rule = "reconfigure", outs = { "reconfigure" }, origin = "kiln", owner = "reconfigure" }

	-- ninja check: kiln's own test suite (rebuilds kiln and the unit tests first)
	ctx.rule("check", {
		{ "command", "make -s kiln tests && " .. Q(conf.datadir .. "/tests/run") .. " ." },
		{ "description", "TEST kiln" },
		{ "pool", "console" },
	}, "rules/top.lua")
	ctx.edge { rule = "check", outs = { "check" }, origin = "kiln", owner = "check" }
end

return M
