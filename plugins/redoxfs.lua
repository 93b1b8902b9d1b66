-- redoxfs.lua: the RedoxFS daemon for the initfs (components.md 2.6), its own workspace,
-- without the FUSE feature; init.rc mounts the root with it.
local R = import "lib/redox.lua"
import "lib/sysroot.lua"

local dir = redox "recipes/core/redoxfs/source"
if fs.exists(dir .. "/Cargo.toml") ~= "file" then error(dir .. "/Cargo.toml: the redoxfs tree is missing", 0) end

R.program {
	name = "redoxfs", workspace = R.workspace(dir), package = "redoxfs", kind = "initfs-bin",
	no_default_features = true, features = { "std", "log" },
	install = { initfs = "/bin/redoxfs" },
}
