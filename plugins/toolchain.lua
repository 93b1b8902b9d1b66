-- toolchain.lua: the Rust toolchain and the code generator (options and detection live in
-- lib/redox.lua, which every Redox plugin imports). Checked here, at configure time, so that a
-- missing toolchain or backend is one clear error with its fix, before anything is built.
local R = import "lib/redox.lua"

local any_cranelift = opt "codegen" == "cranelift" or (opt "codegen-override"):find("=cranelift") ~= nil
if any_cranelift then R.cranelift() end

-- F16: the tree's own toolchain pins (kernel, relibc, base, ...) are overridden by the
-- RUSTUP_TOOLCHAIN kiln gives every cargo run; say so when they disagree with it
if R.src then
	local differ = {}
	for _, c in ipairs(fs.list(redox "recipes/core")) do
		local f = redox("recipes/core/" .. c .. "/source/rust-toolchain.toml")
		if fs.exists(f) == "file" then
			local t = R.read_toml(f) or {}
			local ch = t.toolchain and t.toolchain.channel
			if ch and ch ~= R.tc.channel then differ[#differ + 1] = c .. " (" .. ch .. ")" end
		end
	end
	if #differ > 0 then
		print(string.format("note: rust-toolchain.toml of %s differs from %s; kiln builds with %s through RUSTUP_TOOLCHAIN (F16)",
			table.concat(differ, ", "), R.tc.channel, R.tc.channel))
	end
end
