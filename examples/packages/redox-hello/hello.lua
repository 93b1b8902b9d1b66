-- hello.lua: a Redox program from a crate of your own (crate/ beside this file, or any
-- checkout: give its path), built with the configured backend for the Redox userspace target,
-- linked against kiln's sysroot and installed in the root filesystem.
local redox = import "redox"
redox.program {
	name = "hello-redox",
	source = "crate",
	install = { rootfs = "/usr/bin/hello-redox" },
}
