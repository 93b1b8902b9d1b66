-- coreutils.lua: the fork's simple-coreutils (base workspace, one program per binary) and
-- uutils' multicall coreutils where it builds (components.md 2.10, 2.11): without the applets
-- that pull C code (expr: onig; hashsum/b3sum: blake3, F22), and without LTO (F20).
local R = import "lib/redox.lua"
import "lib/sysroot.lua"

local ws = R.workspace(R.base)
local simple = R.member(ws, nil, "simple-coreutils") or { bins = {} }
local provided = {}
for _, b in ipairs(simple.bins) do
	provided[b] = true
	if b ~= "sleep" and b ~= "test-mtime" then -- sleep: base.lua (initfs too); test-mtime: a test
		R.program { name = b, workspace = ws, package = "simple-coreutils", bin = b, install = { rootfs = "/usr/bin/" .. b } }
	end
end

local dir = redox "recipes/core/uutils/source"
if fs.exists(dir .. "/Cargo.toml") == "file" then
	local uws = R.workspace(dir)
	local m = R.member(uws, "coreutils", "coreutils")
	-- the applets are features of the multicall package, most of them implicit (one per
	-- optional uu_* dependency, as cargo defines them)
	local defined = m and R.features(m) or {}
	local wanted = { "base64", "basename", "cat", "cp", "cut", "date", "dd", "dir", "dirname", "du", "echo", "env",
		"false", "fmt", "fold", "head", "join", "link", "ln", "ls", "mkdir", "mktemp", "more", "mv", "nl", "od",
		"paste", "pr", "printenv", "printf", "pwd", "readlink", "realpath", "rm", "rmdir", "seq", "shuf", "sleep",
		"sort", "split", "tac", "tail", "tee", "test", "touch", "tr", "true", "truncate", "tsort", "unexpand",
		"uniq", "unlink", "vdir", "wc", "yes", "chmod", "stat", "uname" }
	local features, links = {}, {}
	for _, f in ipairs(wanted) do
		if defined[f] then
			features[#features + 1] = f
			if not provided[f] then links["/usr/bin/" .. f] = { symlink = "coreutils" } end
		end
	end
	local missing = {}
	for _, f in ipairs(wanted) do if m and not defined[f] then missing[#missing + 1] = f end end
	if #missing > 0 then
		note(string.format("uutils: %s defines no applet %s (not built)", m.dir .. "/Cargo.toml", table.concat(missing, ", ")))
	end
	R.program {
		name = "coreutils", workspace = uws, package = "coreutils", bin = "coreutils",
		no_default_features = true, features = features, rustflags = { "-Clto=no" },
		install = { rootfs = "/usr/bin/coreutils" },
	}
	links.name, links.image = "coreutils-applets", "rootfs"
	files(links)
end
