-- kernel.lua: the kernel, with its own target spec and linker script, installed as /boot/kernel.
local redox = import "redox"
package "kernel"
redox.kernel { script = "linkers/" .. arch .. ".ld" }
