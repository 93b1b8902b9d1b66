-- netutils.lua: the network tools, when the tree has them: dhcpd (which init.d/10_net starts
-- beside smolnetd), dns, nc, ping and ifconfig.
local redox = import "redox"
package "netutils"
if fs.exists(redox.recipe "netutils") ~= "dir" then return end
for _, b in ipairs { "dhcpd", "dns", "nc", "ping", "ifconfig" } do
	redox.program { name = b, workspace = "netutils", install = { rootfs = "/usr/bin/" .. b } }
end
