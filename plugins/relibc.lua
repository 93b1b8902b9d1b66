-- relibc.lua: relibc, its CRT objects and the sysroot every static program links against
-- (libc.a, crt0/crti/crtn.o, the unwinder stubs): a change to relibc relinks every program.
local redox = import "redox"
package "relibc"
redox.relibc {}
