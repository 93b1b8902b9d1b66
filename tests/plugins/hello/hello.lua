-- a host C program: the smallest plugin the tests build for real
option { name = "greeting", type = "string", default = "hello", help = "what hello prints" }

component {
	name = "hello",
	kind = "host-tool",
	build = host_cc {
		sources = { "hello.c", "greet.c" },
		cflags = { "-O1", "-DGREETING=\"" .. opt "greeting" .. "\"" },
	},
	check = false,
}

component {
	name = "count",
	kind = "host-tool",
	build = host_cc { sources = { "count.c" } },
	deps = { "hello" },
	check = false,
}
