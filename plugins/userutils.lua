-- userutils.lua: getty and login (recipes/core/userutils), when the tree has them: the root
-- filesystem's console then runs getty, which prints the `redox login:` prompt that
-- boot-test waits for (components.md 5.3). Without them the console runs ion directly
-- (the fork's "de novo" mode) and boot-test needs --boot-expect.
local R = import "lib/redox.lua"
import "lib/sysroot.lua"

local dir = redox "recipes/core/userutils/source"
if fs.exists(dir .. "/Cargo.toml") ~= "file" then return end
local ws = R.workspace(dir)
for _, b in ipairs { "getty", "login", "sudo", "passwd", "su", "id", "whoami" } do
	if ws.by_bin[b] or b == "getty" or b == "login" then
		R.program { name = b, workspace = ws, bin = b, install = { rootfs = "/usr/bin/" .. b } }
	end
end
