-- greet.lua: adding a package is one Lua file. This one builds greet.c for the target,
-- checks it with the initfs-bin policy (static non-PIE, entry = _start), strips it, installs
-- it into the initfs and the root filesystem of the demo, and adds a line to the initfs's
-- /etc/init.rc, so that init runs it at boot:
--
--     ./configure --plugin-dir=examples/packages/greet && ninja image && ninja boot-test
--
-- or, as a package of the demo's image config, one line in examples/demo/config.toml:
--
--     greet = {}
--     ./kiln why /usr/bin/greet
package "greet"
component {
	name = "greet",
	kind = "initfs-bin",
	build = cross_cc {
		sources = { "greet.c" },
		includes = { "../../demo/lib" },
		cflags = { "-std=c11", "-O2", "-Wall", "-fno-asynchronous-unwind-tables", "-mgeneral-regs-only" },
		ldflags = { "-Wl,-z,max-page-size=4096", "-Wl,-z,noexecstack" },
	},
	install = { initfs = "/bin/greet", rootfs = "/usr/bin/greet" },
}

files {
	name = "greet-init-rc",
	image = "initfs",
	["/etc/init.rc"] = { append = "echo greet: added by examples/packages/greet\ngreet\n" },
}
