-- relibc.lua: relibc and the sysroot (declared in lib/sysroot.lua, which every plugin with
-- static programs imports first; see there).
import "lib/sysroot.lua"
