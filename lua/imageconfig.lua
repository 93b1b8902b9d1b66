-- lua/imageconfig.lua: image configurations in Redox's own format (config/<arch>/NAME.toml of
-- a Redox tree, examples/demo/config.toml), read as the Redox installer reads them:
--
--   include = ["../base.toml", ...]     read first, relative to the including file; the file
--                                       itself comes last and overrides what it includes
--   [general]                           filesystem_size (MiB), prompt, ...: later keys win
--   [packages] NAME = {} | "binary" ... the packages of the image: later entries win
--   [[files]] path, data, symlink, directory, mode, uid, gid, postinstall
--                                       files of the root filesystem, in order (a later entry
--                                       for the same path replaces an earlier one)
--   [users.NAME] password, uid, gid, name, home, shell     later users replace earlier ones
--   [groups.NAME] gid, members
--
-- M.read(path) -> config, or raises "file:line: what is wrong" (every file read is recorded),
--   followed by " (included from a.toml:1, from b.toml:1)" when the file was included
-- config = { path, files = { {path, data, symlink, directory, mode, uid, gid, where}, ... },
--            packages = { NAME = value }, package_where = { NAME = "file:line" },
--            general = {...}, users = {...}, groups = {...} }
-- M.users(config, salt_of) -> passwd, group, shadow_input, homes: what the installer writes
local K = ...
local sfmt = string.format

local M = {}

local top_keys = { include = "array", general = "table", packages = "table", files = "array",
	users = "table", groups = "table" }
local file_keys = { path = "string", data = "string", symlink = "boolean", directory = "boolean",
	mode = "integer", uid = "integer", gid = "integer", postinstall = "boolean", recursive_chown = "boolean" }
local user_keys = { password = "string", uid = "integer", gid = "integer", name = "string", home = "string",
	shell = "string" }
local group_keys = { gid = "integer", members = "array" }

local function kind(v)
	if math.type(v) == "integer" then return "integer" end
	if type(v) == "table" then return v[1] ~= nil and "array" or (next(v) == nil and "array-or-table" or "table") end
	return type(v)
end

local function fits(v, want)
	local k = kind(v)
	return k == want or (k == "array-or-table" and (want == "array" or want == "table"))
end

local function check(t, keys, what, where_of)
	for k, v in pairs(t) do
		local want = keys[k]
		if not want then
			error(sfmt("%s: unknown key '%s' in %s%s", where_of(k), tostring(k), what, K.suggest(tostring(k), keys)), 0)
		end
		if not fits(v, want) then
			error(sfmt("%s: '%s' in %s must be %s, not %s", where_of(k), k, what,
				want == "array" and "an array" or want == "table" and "a table" or ("a" .. (want == "integer" and "n " or " ") .. want),
				kind(v)), 0)
		end
	end
end

local function dirname(p) return p:match("^(.*)/[^/]*$") or "." end

local function read_one(path, stack)
	for _, p in ipairs(stack) do
		if p == path then
			error(sfmt("%s: includes itself (%s -> %s)", path, table.concat(stack, " -> "), path), 0)
		end
	end
	local text, err = K.core.readfile(path)
	if not text then
		-- readfile's message names the file too: once is enough
		if err:sub(1, #path + 2) == path .. ": " then err = err:sub(#path + 3) end
		error(sfmt("%s: cannot read the image config: %s", path, err), 0)
	end
	local ok, t, lines = pcall(K.toml.decode, text, path, { lines = true })
	if not ok then error(t, 0) end
	local function at(tbl, k) return sfmt("%s:%d", path, (lines[tbl] or {})[k] or 1) end
	check(t, top_keys, "an image config (known: include, general, packages, files, users, groups)", function(k) return at(t, k) end)
	local cfg = { path = path, general = {}, packages = {}, package_where = {}, files = {}, users = {}, groups = {} }
	-- the included files first, in order, then this one over them
	local parts = {}
	for i, inc in ipairs(t.include or {}) do
		if type(inc) ~= "string" then error(sfmt("%s: include entries are paths (strings)", at(t.include, i)), 0) end
		local p = inc:sub(1, 1) == "/" and inc or K.normalize(dirname(path) .. "/" .. inc)
		stack[#stack + 1] = path
		local ok, part = pcall(read_one, p, stack)
		stack[#stack] = nil
		if not ok then
			-- the place in the included file, then every include line that led to it
			local via = at(t.include, i)
			error(part:sub(-1) == ")" and part:find(" %(included from ") and part:sub(1, -2) .. ", from " .. via .. ")"
				or part .. " (included from " .. via .. ")", 0)
		end
		parts[#parts + 1] = part
	end
	local own = { path = path, general = t.general or {}, packages = {}, package_where = {}, files = {},
		users = {}, groups = {} }
	for name, v in pairs(t.packages or {}) do
		own.packages[name] = v
		own.package_where[name] = at(t.packages, name)
	end
	for i, f in ipairs(t.files or {}) do
		if type(f) ~= "table" then error(sfmt("%s: [[files]] entries are tables", at(t.files, i)), 0) end
		check(f, file_keys, "a [[files]] entry", function(k) return at(f, k) end)
		local where = at(t.files, i)
		if type(f.path) ~= "string" or f.path:sub(1, 1) ~= "/" then
			error(sfmt("%s: a [[files]] entry needs path = \"/ABSOLUTE/PATH\"", where), 0)
		end
		if f.symlink and f.directory then error(sfmt("%s: %s is a symlink and a directory", where, f.path), 0) end
		if f.data == nil and not f.directory then
			error(sfmt("%s: %s needs data = \"...\" (the content, or the target of a symlink)", where, f.path), 0)
		end
		if f.mode and (f.mode < 0 or f.mode > 4095) then error(sfmt("%s: mode %d is not a file mode (0o0 to 0o7777)", where, f.mode), 0) end
		local e = {}
		for k, v in pairs(f) do e[k] = v end
		e.where = where
		own.files[#own.files + 1] = e
	end
	for name, u in pairs(t.users or {}) do
		if type(u) ~= "table" then error(sfmt("%s: [users.%s] must be a table", at(t.users, name), name), 0) end
		check(u, user_keys, "[users." .. name .. "]", function(k) return at(u, k) end)
		own.users[name] = u
	end
	for name, g in pairs(t.groups or {}) do
		if type(g) ~= "table" then error(sfmt("%s: [groups.%s] must be a table", at(t.groups, name), name), 0) end
		check(g, group_keys, "[groups." .. name .. "]", function(k) return at(g, k) end)
		own.groups[name] = g
	end
	parts[#parts + 1] = own
	-- merge in order: general key by key, packages/users/groups by name, files appended
	for _, p in ipairs(parts) do
		for k, v in pairs(p.general) do cfg.general[k] = v end
		for k, v in pairs(p.packages) do cfg.packages[k] = v; cfg.package_where[k] = p.package_where[k] end
		for _, f in ipairs(p.files) do cfg.files[#cfg.files + 1] = f end
		for k, v in pairs(p.users) do cfg.users[k] = v end
		for k, v in pairs(p.groups) do cfg.groups[k] = v end
	end
	return cfg
end

function M.read(path)
	local cfg = read_one(path, {})
	-- a later [[files]] entry for a path replaces an earlier one, as the installer overwrites
	local last, files = {}, {}
	for i, f in ipairs(cfg.files) do last[f.path] = i end
	for i, f in ipairs(cfg.files) do if last[f.path] == i then files[#files + 1] = f end end
	cfg.files = files
	if cfg.general.filesystem_size ~= nil and math.type(cfg.general.filesystem_size) ~= "integer" then
		error(sfmt("%s: [general] filesystem_size is a number of MiB", path), 0)
	end
	return cfg
end

local function sorted_keys(t)
	local l = {}
	for k in pairs(t) do l[#l + 1] = k end
	table.sort(l)
	return l
end

-- what the Redox installer writes for [users] and [groups]: users in name order, uid and gid
-- from 1000 on unless given, name = the user name, home /home/NAME, shell /bin/ion; each user
-- gets a group of its own, then the [groups] entries. passwd "NAME;UID;GID;GECOS;HOME;SHELL",
-- group "NAME;x;GID;MEMBERS", shadow "NAME;HASH" (HASH: argon2 of the password, empty when the
-- password is). Returns the three texts (shadow with each password in place of its hash:
-- "NAME;PASSWORD" lines, for the build step that hashes them) and the home directories.
function M.users(cfg)
	local passwd, group, shadow, homes = {}, {}, {}, {}
	local next_uid, next_gid = 1000, 1000
	local groups = {}
	for _, name in ipairs(sorted_keys(cfg.users)) do
		local u = cfg.users[name]
		local uid = u.uid or next_uid
		if uid >= next_uid then next_uid = uid + 1 end
		local gid = u.gid or next_gid
		if gid >= next_gid then next_gid = gid + 1 end
		local home = u.home or ("/home/" .. name)
		passwd[#passwd + 1] = sfmt("%s;%d;%d;%s;%s;%s\n", name, uid, gid, u.name or name, home, u.shell or "/bin/ion")
		shadow[#shadow + 1] = { name = name, password = u.password or "" }
		groups[#groups + 1] = { name, gid, { name } }
		homes[#homes + 1] = { path = home, uid = uid, gid = gid, xdg = uid >= 1000 }
	end
	for _, name in ipairs(sorted_keys(cfg.groups)) do
		local g = cfg.groups[name]
		local gid = g.gid or next_gid
		if gid >= next_gid then next_gid = gid + 1 end
		groups[#groups + 1] = { name, gid, g.members or {} }
	end
	for _, g in ipairs(groups) do group[#group + 1] = sfmt("%s;x;%d;%s\n", g[1], g[2], table.concat(g[3], ",")) end
	return table.concat(passwd), table.concat(group), shadow, homes
end

-- the directories the installer creates under a home of a uid >= 1000, and the file in it
M.xdg = { "Desktop", "Documents", "Downloads", "Music", "Pictures", "Public", "Templates", "Videos",
	".config", ".local", ".local/share", ".local/share/Trash", ".local/share/Trash/info" }
M.user_dirs = [[# Produced by redox installer (written by kiln as the Redox installer writes it)
XDG_DESKTOP_DIR="$HOME/Desktop"
XDG_DOCUMENTS_DIR="$HOME/Documents"
XDG_DOWNLOAD_DIR="$HOME/Downloads"
XDG_MUSIC_DIR="$HOME/Music"
XDG_PICTURES_DIR="$HOME/Pictures"
XDG_PUBLICSHARE_DIR="$HOME/Public"
XDG_TEMPLATES_DIR="$HOME/Templates"
XDG_VIDEOS_DIR="$HOME/Videos"
]]

return M
