-- coreutils.lua: the fork's simple-coreutils (one program per binary of the base workspace) and
-- uutils' multicall coreutils with the fork's applets (without expr: onig, and hashsum/b3sum:
-- blake3, which need C code).
local redox = import "redox"
package "coreutils"
local provided = {}
for _, b in ipairs(redox.bins("base", "simple-coreutils")) do
	provided[b] = true
	if b ~= "sleep" and b ~= "test-mtime" then -- sleep: base.lua (initfs too); test-mtime: a test
		redox.program { name = b, workspace = "base", package = "simple-coreutils", install = { rootfs = "/usr/bin/" .. b } }
	end
end
package "uutils"
redox.multicall {
	applets = { "base64", "basename", "cat", "cp", "cut", "date", "dd", "dir", "dirname", "du", "echo", "env",
		"false", "fmt", "fold", "head", "join", "link", "ln", "ls", "mkdir", "mktemp", "more", "mv", "nl", "od",
		"paste", "pr", "printenv", "printf", "pwd", "readlink", "realpath", "rm", "rmdir", "seq", "shuf", "sleep",
		"sort", "split", "tac", "tail", "tee", "test", "touch", "tr", "true", "truncate", "tsort", "unexpand",
		"uniq", "unlink", "vdir", "wc", "yes", "chmod", "stat", "uname" },
	skip = provided,
}
