-- lua/toolchain.lua: finding the C compilers the rules need, on PATH (every lookup recorded, so
-- installing a compiler regenerates build.ninja). Nothing is run: a probe that spawned a
-- compiler would make plugin evaluation impure.
local K = ...
local core, conf = K.core, K.conf

local T = {}
local cache = {}

-- candidates per arch: a GNU cross gcc, then clang with lld
local cross = {
	aarch64 = {
		{ "aarch64-linux-gnu-gcc" }, { "aarch64-none-elf-gcc" }, { "aarch64-elf-gcc" },
		{ "clang", "ld.lld", flags = { "--target=aarch64-none-elf", "-fuse-ld=lld" } },
	},
	x86_64 = {
		{ "x86_64-linux-gnu-gcc" }, { "x86_64-elf-gcc" },
		{ "clang", "ld.lld", flags = { "--target=x86_64-none-elf", "-fuse-ld=lld" } },
	},
}

local install_hint = {
	aarch64 = "install gcc-aarch64-linux-gnu (Debian/Ubuntu) or aarch64-elf-gcc (Homebrew), or run ./configure --install-deps",
	x86_64 = "install gcc-x86-64-linux-gnu (Debian/Ubuntu) or x86_64-elf-gcc (Homebrew), or run ./configure --install-deps",
}

-- UEFI applications (PE32+): clang for the *-windows target, whose objects and calling
-- convention are the ones UEFI uses, linked by lld-link through the clang driver
local function uefi()
	local clang, lld = core.find_program("clang"), core.find_program("lld-link")
	if not clang or not lld then
		return nil, "UEFI applications are built with clang and lld-link, and " ..
			(clang and "lld-link" or "clang") .. " is not on PATH; install clang and lld (Debian/Ubuntu: apt-get install clang lld), or run ./configure --install-deps"
	end
	local flags = { "--target=" .. conf.arch .. "-unknown-windows", "-fuse-ld=lld" }
	return { cc = K.Q(clang) .. " " .. table.concat(flags, " "), name = "clang", path = clang, flags = flags }
end

-- T.get("host" | "target" | "uefi") -> { cc = "shell words", name = "...", flags = {...} }, or nil, why
function T.get(which)
	if cache[which] then return cache[which] end
	local tc
	if which == "uefi" then
		local why
		tc, why = uefi()
		if not tc then return nil, why end
	elseif which == "host" then
		local cc = core.getenv("CC")
		if cc and cc ~= "" then
			tc = { cc = cc, name = cc, flags = {} }
		else
			for _, n in ipairs { "cc", "gcc", "clang" } do
				local p = core.find_program(n)
				if p then tc = { cc = K.Q(p), name = n, path = p, flags = {} } break end
			end
		end
		if not tc then return nil, "no host C compiler (cc, gcc, clang) on PATH; install gcc or clang" end
	else
		for _, cand in ipairs(cross[conf.arch]) do
			local p = core.find_program(cand[1])
			local ok = p and (not cand[2] or core.find_program(cand[2]))
			if ok then
				local words = { K.Q(p) }
				for _, f in ipairs(cand.flags or {}) do words[#words + 1] = K.Q(f) end
				tc = { cc = table.concat(words, " "), name = cand[1], path = p, flags = cand.flags or {} }
				break
			end
		end
		if not tc then
			local names = {}
			for _, cand in ipairs(cross[conf.arch]) do names[#names + 1] = table.concat(cand, "+") end
			return nil, string.format("no C cross compiler for %s on PATH (tried %s); %s", conf.arch,
				table.concat(names, ", "), install_hint[conf.arch])
		end
	end
	cache[which] = tc
	K.reports[#K.reports + 1] = { what = which == "host" and "host C compiler" or which == "uefi" and "UEFI C compiler (PE32+)" or ("C compiler for " .. conf.arch), detail = tc.path or tc.cc }
	return tc
end

return T
