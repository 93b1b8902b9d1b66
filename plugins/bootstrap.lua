-- bootstrap.lua: the first user program, linked to run in place from the initfs.
local redox = import "redox"
package "base-initfs"
redox.bootstrap { script = "src/" .. arch .. ".ld" }
