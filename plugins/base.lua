-- base.lua: the programs and drivers of the base workspace (recipes/core/base/source),
-- components.md 2.5 (initfs) and 2.9 (root filesystem). Every name below must be built by a
-- member of the workspace (read from its Cargo.toml, not from cargo metadata): a missing
-- member or an empty submodule stops kiln gen with its name.
local R = import "lib/redox.lua"
import "lib/sysroot.lua"

local ws = R.workspace(R.base)

-- name = { initfs paths, rootfs paths, package (when the binary's name is not enough) }
local bin, drv = "/bin/", "/lib/drivers/"
local programs = {
	{ "init",         initfs = { bin .. "init" } },
	{ "logd",         initfs = { bin .. "logd" } },
	{ "ramfs",        initfs = { bin .. "ramfs" } },
	{ "randd",        initfs = { bin .. "randd" } },
	{ "zerod",        initfs = { bin .. "zerod", bin .. "nulld" } }, -- nulld is a copy (the recipes do not link)
	{ "rtcd",         initfs = { bin .. "rtcd" } },
	{ "pcid",         initfs = { bin .. "pcid" }, rootfs = { "/usr/bin/pcid" } },
	{ "pcid-spawner", initfs = { bin .. "pcid-spawner" }, rootfs = { "/usr/bin/pcid-spawner" } },
	{ "acpid",        initfs = { bin .. "acpid" } },
	{ "hwd",          initfs = { bin .. "hwd" } },
	{ "inputd",       initfs = { bin .. "inputd" }, rootfs = { "/usr/bin/inputd" } },
	{ "lived",        initfs = { bin .. "lived" } },
	{ "vesad",        initfs = { bin .. "vesad" } },
	{ "fbbootlogd",   initfs = { bin .. "fbbootlogd" } },
	{ "fbcond",       initfs = { bin .. "fbcond" } },
	{ "test-9p",      initfs = { bin .. "test-9p" } },
	{ "simple-ls",    initfs = { bin .. "simple-ls", bin .. "ls" } },
	{ "simple-file",  initfs = { bin .. "simple-file", bin .. "file" } },
	{ "sleep",        initfs = { bin .. "sleep" }, rootfs = { "/usr/bin/sleep" }, package = "simple-coreutils" },
	-- drivers started by pcid-spawner from /scheme/initfs/etc/pcid/initfs.toml
	{ "nvmed",        initfs = { drv .. "nvmed" } },
	{ "ahcid",        initfs = { drv .. "ahcid" } },
	{ "ided",         initfs = { drv .. "ided" } },
	{ "virtio-blkd",  initfs = { drv .. "virtio-blkd" } },
	{ "virtio-gpud",  initfs = { drv .. "virtio-gpud" } },
	{ "virtio-9pd",   initfs = { drv .. "virtio-9pd" } },
	-- root filesystem daemons and drivers (/usr/lib/init.d, /etc/pcid.d)
	{ "ipcd",         rootfs = { "/usr/bin/ipcd" } },
	{ "ptyd",         rootfs = { "/usr/bin/ptyd" } },
	{ "audiod",       rootfs = { "/usr/bin/audiod" } },
	{ "virtio-netd",  rootfs = { "/usr/lib/drivers/virtio-netd" } },
}
if arch == "x86_64" then
	programs[#programs + 1] = { "ps2d", initfs = { bin .. "ps2d" } } -- init_drivers.rc: ps2d us
end

for _, p in ipairs(programs) do
	R.program {
		name = p[1], workspace = ws, package = p.package,
		kind = p.initfs and "initfs-bin" or "userspace",
		install = { initfs = p.initfs, rootfs = p.rootfs },
	}
end
