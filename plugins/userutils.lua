-- userutils.lua: getty and login, when the tree has them: the console then runs getty, which
-- prints the "redox login:" prompt that boot-test waits for.
local redox = import "redox"
package "userutils"
if fs.exists(redox.recipe "userutils") ~= "dir" then
	note("the tree has no recipes/core/userutils/source: getty and login are not built")
	return
end
for _, b in ipairs { "getty", "login" } do
	redox.program { name = b, workspace = "userutils", install = { rootfs = "/usr/bin/" .. b } }
end
