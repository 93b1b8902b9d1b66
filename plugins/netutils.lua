-- netutils.lua: the network tools (components.md 2.13), when the tree has them: dhcpd (which
-- init.d/10_net starts beside smolnetd), dns, nc, ping and ifconfig, installed in /usr/bin.
local R = import "lib/redox.lua"
import "lib/sysroot.lua"

local dir = redox "recipes/core/netutils/source"
if fs.exists(dir .. "/Cargo.toml") ~= "file" then return end
local ws = R.workspace(dir)
for _, b in ipairs { "dhcpd", "dns", "nc", "ping", "ifconfig" } do
	if ws.by_bin[b] then R.program { name = b, workspace = ws, bin = b, install = { rootfs = "/usr/bin/" .. b } } end
end
