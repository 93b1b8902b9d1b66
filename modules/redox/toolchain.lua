-- modules/redox/toolchain.lua: the Rust toolchain (rustup's directory of the channel), rust-src,
-- rust-lld, the code generator of each component and the Cranelift backend. Found by looking at
-- files only; what is missing is a problem, and detection goes on with placeholders so that
-- one configure run reports everything.
return function(R)
	local sfmt = string.format
	---------------------------------------------------------------------------------------------
	-- the toolchain

	local tc = {}
	R.tc = tc

	-- the channel: --rust-toolchain, else the tree's rust-toolchain.toml. What is missing is a
	-- problem, and detection goes on with placeholders so that the rest of the tree is checked too.
	tc.channel = opt "rust-toolchain"
	if not tc.channel and R.src then
		local f = redox "rust-toolchain.toml"
		if fs.exists(f) ~= "file" then
			problem(sfmt("%s: missing, so the Rust toolchain is unknown; fix: configure --rust-toolchain=nightly-YYYY-MM-DD", f), false)
		else
			local t = R.read_toml(f)
			tc.channel = t and t.toolchain and t.toolchain.channel
			if t and not tc.channel then
				problem(sfmt("%s: no [toolchain] channel; fix: configure --rust-toolchain=nightly-YYYY-MM-DD", f), false)
			end
		end
	elseif not tc.channel then
		problem("no Rust toolchain: configure --rust-toolchain=NAME (e.g. nightly-2026-01-02)", false)
	end
	tc.channel = tc.channel or "nightly"

	-- rustup's directory of that toolchain: <RUSTUP_HOME>/toolchains/<channel>-<host>
	local home = env "RUSTUP_HOME"
	if not home or home == "" then
		local h = env "HOME"
		home = (h or "") .. "/.rustup"
	end
	-- cargo and rustup run in each crate's directory, where a relative path means another place
	local relative = home:sub(1, 1) ~= "/"
	local tcs = home .. "/toolchains"
	tc.install = sfmt("rustup toolchain install %s --profile minimal --component rust-src --component rustc-codegen-cranelift-preview", tc.channel)
	local mac = fs.exists("/System/Library/CoreServices") == "dir"
	if relative then
		problem(sfmt("RUSTUP_HOME=%s is a relative path, and cargo runs in each crate's directory; fix: export RUSTUP_HOME=\"$(cd %s && pwd)\" and re-run configure",
			home, home), "the environment")
	elseif fs.exists(tcs) ~= "dir" then
		problem(sfmt("no rustup toolchains in %s (RUSTUP_HOME); fix: install rustup (https://rustup.rs), then: %s", tcs, tc.install), false)
	else
		for _, n in ipairs(fs.list(tcs)) do
			if n:sub(1, #tc.channel + 1) == tc.channel .. "-" and n:sub(#tc.channel + 2):match("^[%w_]+%-[%w_]+%-[%w_]+") then
				local host = n:sub(#tc.channel + 2)
				-- the host's own toolchain: on macOS the apple-darwin one, elsewhere not
				if (host:find("apple%-darwin") ~= nil) == mac then
					tc.host, tc.dir = host, tcs .. "/" .. n
					break
				end
			end
		end
		if not tc.dir then
			problem(sfmt("Rust toolchain %s is not installed (looked in %s); fix: %s", tc.channel, tcs, tc.install), false)
		end
	end
	tc.found = tc.dir ~= nil
	if tc.found then report(tc.channel, tc.dir) end
	if R.src then report("Redox tree", R.src) end
	tc.host = tc.host or (mac and "aarch64-apple-darwin" or "x86_64-unknown-linux-gnu")
	tc.dir = tc.dir or (tcs .. "/" .. tc.channel .. "-" .. tc.host)
	tc.libdir = tc.dir .. "/lib"
	tc.loader_var = tc.host:find("apple%-darwin") and "DYLD_LIBRARY_PATH" or "LD_LIBRARY_PATH"
	tc.dylib = tc.host:find("apple%-darwin") and "dylib" or "so"
	tc.rust_src = tc.dir .. "/lib/rustlib/src/rust"

	-- rust-lld, for the links kiln drives itself (bootstrap, CRT objects)
	tc.lld = tc.dir .. "/lib/rustlib/" .. tc.host .. "/bin/rust-lld"
	if tc.found and fs.exists(tc.lld) ~= "file" then
		local other = find_program "rust-lld"
		if not other then
			problem(sfmt("%s: missing (the bootstrap and the CRT objects are linked with it); fix: rustup component add llvm-tools --toolchain %s, or reinstall the toolchain: %s",
				tc.lld, tc.channel, tc.install), false)
		else
			tc.lld = other
		end
	end
	if tc.found then report("rust-lld", tc.lld) end
	-- -Zbuild-std compiles the standard library from rust-src: checked once, when a component
	-- builds with it
	local rust_src_checked = false
	function R.need_rust_src()
		if rust_src_checked or not tc.found then return end
		rust_src_checked = true
		if fs.exists(tc.rust_src .. "/library/Cargo.toml") ~= "file" or fs.exists(tc.rust_src .. "/library/Cargo.lock") ~= "file" then
			problem(sfmt("%s: missing, and -Zbuild-std builds the standard library from it; fix: rustup component add rust-src --toolchain %s",
				tc.rust_src, tc.channel), false)
		else
			report("rust-src", tc.rust_src)
		end
	end

	-- the backend of component name: --codegen-override, else --codegen
	local overrides = {}
	for item in (opt "codegen-override"):gmatch("[^,%s]+") do
		local n, b = item:match("^([%w_%-%.]+)=(%w+)$")
		if not n or (b ~= "cranelift" and b ~= "llvm") then
			problem(sfmt("--codegen-override: '%s' is not NAME=cranelift or NAME=llvm", item), "kiln.conf")
		end
		overrides[n] = b
	end
	function R.backend(name) return overrides[name] or opt "codegen" end

	-- the Cranelift backend library, found once and only if some component needs it; a problem
	-- (and a placeholder path) when there is none
	local cranelift
	function R.cranelift()
		if cranelift then return cranelift end
		local given = opt "cranelift"
		if given then
			if fs.exists(given) ~= "file" then
				problem(sfmt("--cranelift=%s: no such file; give the path of librustc_codegen_cranelift.%s", given, tc.dylib), false)
			end
			if fs.exists(given) == "file" then report("Cranelift backend", given) end
			cranelift = given
			return cranelift
		end
		local tried = {}
		local dir = tc.dir .. "/lib/rustlib/" .. tc.host .. "/codegen-backends"
		tried[#tried + 1] = dir
		if fs.exists(dir) == "dir" then
			for _, n in ipairs(fs.list(dir)) do
				if n:match("^librustc_codegen_cranelift.*%." .. tc.dylib .. "$") then
					cranelift = dir .. "/" .. n
					report("Cranelift backend", cranelift)
					return cranelift
				end
			end
		end
		if R.src then
			for _, p in ipairs { "rustc_codegen_cranelift/dist/lib/librustc_codegen_cranelift." .. tc.dylib,
					"rustc_codegen_cranelift/dist/lib/rustlib/" .. tc.host .. "/codegen-backends/librustc_codegen_cranelift." .. tc.dylib } do
				tried[#tried + 1] = redox(p)
				if fs.exists(redox(p)) == "file" then
					cranelift = redox(p)
					report("Cranelift backend", cranelift)
					return cranelift
				end
			end
		end
		problem(sfmt("no Cranelift backend (looked in %s); fix one of: configure --cranelift=PATH/librustc_codegen_cranelift.%s; " ..
			"rustup component add rustc-codegen-cranelift-preview --toolchain %s; " ..
			"build rustc_codegen_cranelift (./y.sh prepare && ./y.sh build) in the tree; or configure --codegen=llvm",
			table.concat(tried, ", "), tc.dylib, tc.channel), false)
		cranelift = dir .. "/librustc_codegen_cranelift." .. tc.dylib
		return cranelift
	end

	-- checked at configure time, so that a missing backend is reported with the rest
	local any_cranelift = opt "codegen" == "cranelift" or (opt "codegen-override"):find("=cranelift") ~= nil
	if any_cranelift and R.src then R.cranelift() end

	-- the tree's own toolchain pins (kernel, relibc, base, ...) are overridden by the
	-- RUSTUP_TOOLCHAIN kiln gives every cargo run; say so when they disagree with it
	if R.src and fs.exists(redox "recipes/core") == "dir" then
		local differ = {}
		for _, c in ipairs(fs.list(redox "recipes/core")) do
			local f = redox("recipes/core/" .. c .. "/source/rust-toolchain.toml")
			if fs.exists(f) == "file" then
				local t = R.read_toml(f) or {}
				local ch = t.toolchain and t.toolchain.channel
				if ch and ch ~= tc.channel then differ[#differ + 1] = c .. " (" .. ch .. ")" end
			end
		end
		if #differ > 0 then
			note(sfmt("rust-toolchain.toml of %s differs from %s; kiln builds with %s through RUSTUP_TOOLCHAIN [F16]",
				table.concat(differ, ", "), tc.channel, tc.channel))
		end
	end
end
