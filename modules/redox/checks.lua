-- modules/redox/checks.lua: init scripts and driver tables, checked against the image they go
-- into, so that every program they start is there ("the image references files it does not
-- contain").
--
-- redox.checked { name, src, image, install, format = "rc" | "pcid", output }
--   a component whose output is src, checked by rc-check.sh against the manifest of image
--   (and, for the initfs, of the root filesystem that init.rc switches to), installed at
--   install in that image. Programs are looked up as the Redox init looks them up: through
--   PATH (/scheme/initfs/bin in the initfs; /usr/bin and /usr/lib/drivers in the root
--   filesystem), absolute paths, `run FILE`, and the programs a daemon spawns by itself.
return function(R)
	local sfmt = string.format
	local schema = { name = "string", src = "string", image = "string", install = "string", format = "string",
		output = "string" }

	-- the programs init runs itself, not looked up in the image
	local builtins = { export = true, unset = true, cd = true, stdio = true, echo = true, ["run.d"] = true,
		set = true, nowait = true, sleep_ms = true }

	-- text, an init script of image, without the lines that start a program R.program did not
	-- install there (looked up in /usr/bin and /usr/lib/drivers, or by absolute path); the
	-- dropped lines. For the default image config of a tree, whose scripts name programs the
	-- tree may not build.
	function R.fit_script(text, image)
		local out, dropped = {}, {}
		for line in (text .. (text:sub(-1) == "\n" and "" or "\n")):gmatch("([^\n]*)\n") do
			local words = {}
			for w in line:gmatch("%S+") do words[#words + 1] = w end
			local cmd = words[1] == "nowait" and words[2] or words[1]
			if cmd == "run" then cmd = words[2] end
			local ok = not cmd or cmd:sub(1, 1) == "#" or builtins[cmd] or cmd:sub(1, 1) == "$"
				or (cmd:sub(1, 1) == "/" and (R.installed[image .. ":" .. cmd] or cmd:sub(1, 8) == "/scheme/"))
				or R.installed[image .. ":/usr/bin/" .. cmd] or R.installed[image .. ":/usr/lib/drivers/" .. cmd]
			if ok then out[#out + 1] = line else dropped[#dropped + 1] = line end
		end
		return table.concat(out, "\n") .. (#out > 0 and "\n" or ""), dropped
	end

	function R.checked(t)
		check_fields(t, schema, "redox.checked{}")
		if not t.name or not t.src or not t.image or not t.install then
			error("redox.checked{} needs name, src, image and install", 2)
		end
		local script = R.dir .. "/rc-check.sh"
		local run = { "sh", script, "--manifest", image_manifest(t.image), "--format", t.format or "rc" }
		local tools = { script, image_manifest(t.image) }
		if t.image == "initfs" then
			-- init.rc ends in the root filesystem; hwd spawns acpid and pcid through PATH
			for _, w in ipairs { "--root", "/scheme/initfs", "--path", "/scheme/initfs/bin", "--implied", "hwd=acpid,pcid",
					"--other", image_manifest "rootfs" } do
				run[#run + 1] = w
			end
			tools[#tools + 1] = image_manifest "rootfs"
		else
			for _, w in ipairs { "--path", "/usr/bin", "--path", "/usr/lib/drivers" } do run[#run + 1] = w end
		end
		for _, w in ipairs { "-o", "$out", "$in" } do run[#run + 1] = w end
		component {
			name = t.name, kind = "data", dir = R.base or here ".",
			description = "checked " .. t.src .. " (every program it starts is in " .. t.image .. ")",
			build = steps { { output = t.output or t.src:match("([^/]+)$"), inputs = { t.src }, run = run, tools = tools,
				description = "F11" } },
			install = { [t.image] = t.install },
		}
	end
end
