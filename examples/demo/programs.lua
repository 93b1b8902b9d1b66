-- programs.lua: the static non-PIE user programs of the initfs, with their own _start
package "base-initfs"
local f = import "common/flags.lua"

for _, name in ipairs { "init", "hello" } do
	component {
		name = name,
		kind = "initfs-bin",
		build = cross_cc {
			sources = { name .. "/" .. name .. ".c" },
			includes = f.includes,
			cflags = f.cflags,
			ldflags = f.ldflags,
		},
		-- hello is also a program of the root filesystem, which init lists at boot
		install = name == "hello" and { initfs = "/bin/hello", rootfs = "/usr/bin/hello" }
			or { initfs = "/bin/" .. name },
	}
end
