-- base.lua: the programs and drivers of the base workspace (recipes/core/base/source): those
-- of the initfs and those of the root filesystem. Every name below must be built by a member
-- of the workspace (read from its Cargo.toml, not from cargo metadata): a missing member or an
-- empty submodule is reported with its fix. One cargo run builds them all.
local redox = import "redox"
local ws = redox.workspace_of "base"

-- unstripped Cranelift drivers are several MiB (the fork's stripped initfs is 73-77 MiB for
-- about 25 programs): the budget is for the unstripped link output, F10's limit is the initfs
elf_policy { name = "initfs-bin", max_size = "48M" }

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

-- built when the workspace has them (upstream recipes/core/base/recipe.toml); the fixture and
-- trimmed trees do not, and pcid.d tables only name drivers whose crate is there
local usr_drivers = { "xhcid", "usbhidd", "usbhubd", "usbscsid", "usbctl", "e1000d", "rtl8139d", "rtl8168d",
	"ixgbed", "alxd", "ihdad", "ihdgd" }
if arch == "x86_64" then
	for _, d in ipairs { "ac97d", "bgad", "sb16d", "vboxd" } do usr_drivers[#usr_drivers + 1] = d end
end
for _, d in ipairs(usr_drivers) do
	if ws.by_bin[d] then programs[#programs + 1] = { d, rootfs = { "/usr/lib/drivers/" .. d } } end
end
for _, b in ipairs { "redoxerd", "smolnetd" } do
	if ws.by_bin[b] then programs[#programs + 1] = { b, rootfs = { "/usr/bin/" .. b }, package = ws.by_bin[b].package } end
end

for _, p in ipairs(programs) do
	redox.program {
		name = p[1], workspace = "base", package = p.package,
		kind = p.initfs and "initfs-bin" or "userspace", recipe = p.initfs and "base-initfs" or "base",
		install = { initfs = p.initfs, rootfs = p.rootfs },
	}
end
