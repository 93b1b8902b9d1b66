-- a host Rust program built by cargo through kiln cargo, relinked when libfake.a changes
component {
	name = "rhello",
	kind = "host-tool",
	dir = "crate",
	build = cargo { bin = "rhello", relink_on = { "../libfake.a" }, rustflags = { "-Cdebuginfo=0" } },
	check = false,
}

component {
	name = "after",
	kind = "host-tool",
	build = host_cc { sources = { "after.c" } },
	deps = { "rhello" },
	check = false,
}
