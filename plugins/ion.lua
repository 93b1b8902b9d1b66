-- ion.lua: the ion shell (components.md 2.12), the login shell of root and user. Linked like
-- every static program (the spec's CRT objects, once), not with the fork's S3n + link-args.
local R = import "lib/redox.lua"
import "lib/sysroot.lua"

local dir = redox "recipes/core/ion/source"
if fs.exists(dir .. "/Cargo.toml") ~= "file" then error(dir .. "/Cargo.toml: the ion tree is missing", 0) end

R.program {
	name = "ion", workspace = R.workspace(dir), package = "ion-shell", bin = "ion",
	install = { rootfs = "/usr/bin/ion" },
}
