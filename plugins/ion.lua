-- ion.lua: the ion shell, the login shell of root and user.
local redox = import "redox"
package "ion"
redox.program { name = "ion", workspace = "ion", package = "ion-shell", install = { rootfs = "/usr/bin/ion" } }
