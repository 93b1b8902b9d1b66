-- sync.lua: the base workspace's sync program, installed in the root filesystem.
local redox = import "redox"
redox.program { name = "sync", workspace = "base", install = { rootfs = "/usr/bin/sync" } }
