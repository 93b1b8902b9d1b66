-- config.lua: the configuration files of the initfs and the root filesystem, the build
-- stamp, and the init scripts and driver tables, each checked against the image it goes into
-- so that every program it starts is there.
local redox = import "redox"

local base = redox.base
package "base-initfs" -- init.rc and the initfs's driver tables
local backend = opt "codegen" .. (opt "codegen-override" ~= "" and (" (" .. opt "codegen-override" .. ")") or "")
local st = redox.stamp.fields(redox.src, backend)

local function checked(name, src, image, install, fmt, output)
	redox.checked { name = name, src = src, image = image, install = install, format = fmt, output = output }
end

-- the initfs
local rc = base .. "/init.rc"
local rc_gen = gen_file { name = "config/init.rc", content = redox.stamp.init_rc(fs.read(rc), st) }
checked("init.rc", rc_gen, "initfs", "/etc/init.rc", "rc")
local drivers_rc = base .. "/" .. arch .. "-unknown-redox/init_drivers.rc"
if fs.exists(drivers_rc) ~= "file" then drivers_rc = base .. "/init_drivers.rc" end
checked("init_drivers.rc", drivers_rc, "initfs", "/etc/init_drivers.rc", "rc")
checked("pcid-initfs.toml", base .. "/drivers/initfs.toml", "initfs", "/etc/pcid/initfs.toml", "pcid", "initfs.toml")

-- the root filesystem: the image config's files, users and groups (the tree's
-- config/ARCH/minimal-net.toml unless --config names another: see modules/redox), its init.d
-- scripts fitted to what is built, and the pcid.d driver tables (every drivers/**/config.toml
-- as <dir>.toml) of the drivers that are built: decided after every plugin has declared its
-- programs. Without an image config, kiln's own minimal set.
package "base"
local function installed(p) return redox.installed["rootfs:" .. p] end
local cfg = image_config()
after_plugins(function()
	local initd, where = {}, {}
	if cfg then
		for _, f in ipairs(cfg.files) do
			local n = f.path:match("^/usr/lib/init%.d/([^/]+)$")
			if n and not f.directory and not f.symlink then initd[n], where[n] = f.data, f.where end
		end
	else
		initd = {
			["00_base"] = "ipcd\nptyd\n",
			["00_drivers"] = "pcid-spawner /etc/pcid.d/\n",
			["30_console"] = "inputd -A 2\nnowait getty 2\nnowait getty /scheme/debug/no-preserve -J\n",
		}
		if installed "/usr/bin/smolnetd" then initd["10_net"] = "smolnetd\nnowait dhcpd\n" end
	end
	local names = {}
	for n in pairs(initd) do names[#names + 1] = n end
	table.sort(names)
	for _, n in ipairs(names) do
		local text = initd[n]
		-- a default config asks for programs this tree may not build (sudo, getty): such lines
		-- are left out, and a console without getty runs ion; a config given with --config is
		-- taken as written, and the check at build time names what it lacks
		if not cfg or cfg.is_default then
			local dropped
			text, dropped = redox.fit_script(text, "rootfs")
			if n == "30_console" and not text:find("getty") and installed "/usr/bin/ion" then text = text .. "ion\n" end
			if #dropped > 0 and cfg then
				note(string.format("/usr/lib/init.d/%s (%s): left out what is not built: %s", n, where[n], table.concat(dropped, "; ")))
			end
		end
		local p = gen_file { name = "config/init.d/" .. n, content = text }
		checked("init.d-" .. n, p, "rootfs", "/usr/lib/init.d/" .. n, "rc")
	end
	local skipped = {}
	local function walk(dir, rel)
		for _, n in ipairs(fs.list(dir)) do
			local p = dir .. "/" .. n
			if fs.exists(p) == "dir" then walk(p, n)
			elseif n == "config.toml" and rel then
				local t = redox.read_toml(p) or {}
				local all = true
				for _, d in ipairs(type(t.drivers) == "table" and t.drivers or {}) do
					local cmd = type(d.command) == "table" and d.command[1]
					if type(cmd) == "string" and not (cmd:sub(1, 1) == "/" and installed(cmd)
							or installed("/usr/lib/drivers/" .. cmd) or installed("/usr/bin/" .. cmd)) then
						all = false
					end
				end
				if all then
					checked("pcid.d-" .. rel, p, "rootfs", "/etc/pcid.d/" .. rel .. ".toml", "pcid", rel .. ".toml")
				else
					skipped[#skipped + 1] = rel
				end
			end
		end
	end
	walk(base .. "/drivers", nil)
	if #skipped > 0 then
		table.sort(skipped)
		note("pcid.d tables left out because their drivers are not built: " .. table.concat(skipped, ", "))
	end
end)

local build = string.format("tree: %s\ndate: %s\nkiln: %s\ncodegen: %s\nrust-toolchain: %s\narch: %s\n",
	st.tree, st.date, st.kiln, st.codegen, redox.tc.channel, arch)
local own = {
	name = "root-config",
	image = "rootfs",
	["/etc/kiln-build"] = { data = build },
	-- newer bootloaders look under /usr/lib/boot: hard links serve both
	["/usr/lib/boot/kernel"] = { hardlink = "/boot/kernel" },
	["/usr/lib/boot/initfs"] = { hardlink = "/boot/initfs" },
}
local skip = { ["/etc/kiln-build"] = true }
if cfg then
	for _, f in ipairs(cfg.files) do
		if f.path:match("^/usr/lib/init%.d/[^/]+$") and not f.directory and not f.symlink then skip[f.path] = true end
	end
	config_files { image = "rootfs", skip = skip }
else
	-- no image config in the tree: what upstream config/base.toml and net.toml give
	for p, e in pairs {
		["/etc/hostname"] = { data = "redox\n" },
		["/etc/net/ip"] = { data = "10.0.2.15\n" },
		["/etc/net/ip_router"] = { data = "10.0.2.2\n" },
		["/etc/net/ip_subnet"] = { data = "255.255.255.0\n" },
		["/etc/net/dns"] = { data = "9.9.9.9\n" },
		["/etc/passwd"] = { data = "root;0;0;root;/root;/usr/bin/ion\nuser;1000;1000;user;/home/user;/usr/bin/ion\n" },
		["/etc/group"] = { data = "root;x;0;root\nuser;x;1000;user\n" },
		["/etc/shadow"] = { data = "root;\nuser;\n", mode = "0600" },
		["/bin"] = { symlink = "usr/bin" },
		["/lib"] = { symlink = "usr/lib" },
		["/dev/null"] = { symlink = "/scheme/null" },
		["/dev/random"] = { symlink = "/scheme/rand" },
		["/dev/urandom"] = { symlink = "/scheme/rand" },
		["/dev/zero"] = { symlink = "/scheme/zero" },
		["/dev/tty"] = { symlink = "libc:tty" },
		["/dev/stdin"] = { symlink = "libc:stdin" },
		["/dev/stdout"] = { symlink = "libc:stdout" },
		["/dev/stderr"] = { symlink = "libc:stderr" },
		["/tmp"] = { dir = true, mode = "1777" },
		["/root"] = { dir = true, mode = "0700" },
		["/home/user"] = { dir = true, uid = 1000, gid = 1000 },
	} do own[p] = e end
end
files(own)
