-- userutils.lua: getty and login, when the tree has them: the console then runs getty, which
-- prints the "redox login:" prompt that boot-test waits for.
local redox = import "redox"
if fs.exists(redox.recipe "userutils") ~= "dir" then return end
for _, b in ipairs { "getty", "login" } do
	redox.program { name = b, workspace = "userutils", install = { rootfs = "/usr/bin/" .. b } }
end
