-- bootstrap.lua: the first user program, embedded in the initfs at offset 0x1000 and run in
-- place: its linker script makes every file offset map to 0x2000 + offset.
package "base-initfs"
local f = import "common/flags.lua"

component {
	name = "bootstrap",
	kind = "bootstrap",
	description = "reads the initfs through __initfs_header and finds /bin/init",
	build = cross_cc {
		sources = { "bootstrap/bootstrap.c", "lib/initfs.c" },
		includes = f.includes,
		cflags = f.with(f.cflags, arch == "x86_64" and { "-mno-red-zone" } or {}),
		ldflags = f.ldflags,
		linker_script = "bootstrap/" .. arch .. ".ld",
	},
}
