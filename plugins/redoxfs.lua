-- redoxfs.lua: the RedoxFS daemon of the initfs (init.rc mounts the root with it), without FUSE.
local redox = import "redox"
package "base-initfs"
redox.program {
	name = "redoxfs", workspace = "redoxfs", kind = "initfs-bin",
	no_default_features = true, features = { "std", "log" }, install = { initfs = "/bin/redoxfs" },
}
