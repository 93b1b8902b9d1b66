# tests/t-gen.sh: kiln gen: the generated Ninja (golden), every bad-input case with its
# message and exit code, paths with spaces, '$' and ':', and the queries.
. "$SRCDIR/tests/lib.sh"
T=$TMPDIR_T
HELLO=$SRCDIR/tests/plugins/hello

# gen DIR ARGS...: run kiln gen in a fresh build dir DIR
gen() { _d=$1; shift; mkdir -p "$_d" && (cd "$_d" && "$KILN" gen "$@"); }

# --- golden: the hello plugin set, with machine paths replaced --------------------------------
gen "$T/g" -q --system=none --plugin-dir="$HELLO" >/dev/null 2>&1
cc=$(command -v cc)
sed -e "s|$KILN|@KILN@|g" -e "s|$SRCDIR|@SRCDIR@|g" -e "s|$cc|@CC@|g" "$T/g/build.ninja" >"$T/hello.ninja"
if cmp -s "$SRCDIR/tests/golden/hello.ninja" "$T/hello.ninja"; then ok "golden build.ninja for tests/plugins/hello"
else fail "golden build.ninja for tests/plugins/hello" "$(diff "$SRCDIR/tests/golden/hello.ninja" "$T/hello.ninja" | head -20 | tr '\n' ' ')"; fi
contains "regeneration depfile lists the plugin" "$T/g/gen/build.ninja.d" "tests/plugins/hello/hello.lua"
contains "regeneration depfile lists the plugin directory" "$T/g/gen/build.ninja.d" "tests/plugins/hello \\\\$"
contains "kiln.conf keeps command-line settings" "$T/g/kiln.conf" "^plugin-dir=$HELLO$"

# --- bad plugins: one directory per case ------------------------------------------------------
bad() { # NAME PATTERN LUA-TEXT [KILN-GEN-ARGS...]: more plugin files may be put in bad-NAME/p first
	_dir=$T/bad-$1 _pat=$2 _lua=$3
	shift 3
	mkdir -p "$_dir/p"
	printf '%s\n' "$_lua" >"$_dir/p/x.lua"
	: >"$_dir/p/a.c"
	mkdir -p "$_dir/b"
	echo "old" >"$_dir/b/build.ninja"
	expect_fail "bad input: $_dir" 1 "$_pat" sh -c "cd '$_dir/b' && '$KILN' gen --system=none --plugin-dir='$_dir/p' $*"
	if [ "$(cat "$_dir/b/build.ninja")" = old ]; then ok "bad input leaves build.ninja alone: ${_dir#"$T/bad-"}"
	else fail "bad input leaves build.ninja alone: ${_dir#"$T/bad-"}" "build.ninja was rewritten"; fi
	if [ -e "$_dir/b/kiln.conf" ] || [ -e "$_dir/b/kiln.env" ]; then
		fail "bad input writes neither kiln.conf nor kiln.env: ${_dir#"$T/bad-"}" "$(ls "$_dir/b" | tr '\n' ' ')"
	else ok "bad input writes neither kiln.conf nor kiln.env: ${_dir#"$T/bad-"}"; fi
}
bad syntax 'x\.lua:2: .*near' 'component {
	name = = "a" }'
bad runtime 'x\.lua:1: .*attempt to perform arithmetic' 'local x = nil + 1'
bad undefined-global "x\.lua:1: undefined global 'compnent' \(did you mean 'component'\?\)" 'compnent { name = "a" }'
bad unknown-field "x\.lua:1: unknown field 'instal' in component 'a' \(did you mean 'install'\?\)" \
	'component { name = "a", kind = "host-tool", build = host_cc { sources = { "a.c" } }, instal = {} }'
bad wrong-type "x\.lua:1: field 'deps' of component 'a' must be a list of strings, not number" \
	'component { name = "a", kind = "host-tool", build = host_cc { sources = { "a.c" } }, deps = 3 }'
bad unknown-kind "x\.lua:1: component 'a': unknown kind 'host-tol' \(did you mean 'host-tool'\?\)" \
	'component { name = "a", kind = "host-tol", build = host_cc { sources = { "a.c" } } }'
bad unknown-dep "x\.lua:2: component 'a' depends on 'helo', which no plugin declares \(did you mean 'hello'\?\)" \
	'component { name = "hello", kind = "host-tool", build = host_cc { sources = { "a.c" } } }
component { name = "a", kind = "host-tool", build = host_cc { sources = { "a.c" } }, deps = { "helo" } }'
bad cycle "dependency cycle: a \(.*x\.lua:1\) -> b \(.*x\.lua:2\) -> a" \
	'component { name = "a", kind = "host-tool", build = host_cc { sources = { "a.c" } }, deps = { "b" } }
component { name = "b", kind = "host-tool", build = host_cc { sources = { "a.c" } }, deps = { "a" } }'
bad duplicate-name "x\.lua:2: component 'a' is already declared at .*x\.lua:1" \
	'component { name = "a", kind = "host-tool", build = host_cc { sources = { "a.c" } } }
component { name = "a", kind = "host-tool", build = host_cc { sources = { "a.c" } } }'
bad duplicate-output "out/x/a\.c is also produced by .*x\.lua:1.*" \
	'component { name = "b", kind = "data", build = stage { file = "a.c", to = "x/a.c" } }
component { name = "a", kind = "data", build = stage { file = "a.c", to = "x/a.c" } }'
bad missing-source "input .*/p/nothere\.c does not exist and no edge produces it" \
	'component { name = "a", kind = "host-tool", build = host_cc { sources = { "nothere.c" } } }'
bad missing-dir "x\.lua:1: component 'a': source directory .*/p/nodir does not exist" \
	'component { name = "a", kind = "host-tool", dir = "nodir", build = host_cc { sources = { "a.c" } } }'
bad no-io "x\.lua:1: undefined global 'io'" 'io.open("/tmp/x", "w")'
bad no-os-execute "x\.lua:1: undefined global 'os'" 'os.execute("true")'
bad install-collision "x\.lua:3: image 'fs': /etc/x is installed twice" \
	'image { name = "fs", format = "fat", size = "1M" }
files { name = "f1", image = "fs", ["/etc/x"] = { data = "1" } }
files { name = "f2", image = "fs", ["/etc/x"] = { data = "2" } }'
contains "install collision lists both declarations" "$T/.err" "Collision: .*x\.lua:2 \(f1\)"
bad unknown-image "x\.lua:1: f1 installs /etc/x into 'rotfs', which is not a declared image" \
	'files { name = "f1", image = "rotfs", ["/etc/x"] = { data = "1" } }'
bad option-type "option --n=abc: expected a whole number" 'option { name = "n", type = "int", default = "abc", help = "h" }'

# --- confinement: what reaches build.ninja, where outputs go, what plugins share -----------
bad newline-in-a-value "x\.lua:1: the value of \\\$cflags of 'a' contains a newline, which would end the line in build\.ninja" \
	'component { name = "a", kind = "host-tool", build = host_cc { sources = { "a.c" },
	cflags = { "-O2\nrule pwn\n  command = touch /tmp/x\nbuild pwned: pwn\ndefault pwned" } } }'
bad newline-in-a-path "x\.lua:1: a: the path \".*x\\\\nrule pwn\" contains a newline or NUL, which Ninja cannot represent" \
	'component { name = "a", kind = "host-tool", build = host_cc { sources = { "a.c", "x\nrule pwn" } } }'
bad output-outside-the-build-dir "x\.lua:1: component 'a': output = \"\.\./\.\./\.\./\.\./tmp/x\" must be a file name" \
	'component { name = "a", kind = "initfs-bin", build = cross_cc { sources = { "a.c" }, output = "../../../../tmp/x" } }'
bad output-outside-through-any-rule "x\.lua:1: 'a' writes \"out/a/\.\./\.\./\.\./tmp/x.*\", outside the build directory" \
	'component { name = "a", kind = "host-tool", build = cargo { artifact = "../../../tmp/x" } }'
bad stage-outside-the-build-dir "x\.lua:1: 'a' writes \"out/\.\./\.\./tmp/x\", outside the build directory" \
	'component { name = "a", kind = "data", build = stage { file = "a.c", to = "../../tmp/x" } }'
bad gc-finalizer "x\.lua:2: setmetatable: a __gc finalizer is not allowed in a plugin" \
	'local mt = { __gc = function() end }
setmetatable({}, mt)'
mkdir -p "$T/bad-hijacked-string-library/p"
printf 'string.match = function() return true end\nstring.find = function() error("hijacked") end\nstring.format = string.rep\n' \
	>"$T/bad-hijacked-string-library/p/a.lua"
bad hijacked-string-library "x\.lua:2: component needs a name made of letters, digits" \
	'local at = ("abc"):find("b") + string.find("abc", "c") -- this plugin has the real library
component { name = "not a name", kind = "data", build = prebuilt { file = "a.c" } }'
mkdir -p "$T/iso/p" "$T/iso/b"
printf 'string.find = function() error("hijacked") end\ntable.concat = nil\nfs.read = nil\n' >"$T/iso/p/a.lua"
printf 'component { name = "b", kind = "data", build = prebuilt { file = "b.lua" }, description = string.find("abc", "c") .. table.concat({ "x", "y" }) .. #fs.read("b.lua") .. tostring(getmetatable("")) }\n' >"$T/iso/p/b.lua"
(cd "$T/iso/b" && "$KILN" gen -q --system=none --plugin-dir="$T/iso/p" && "$KILN" show b) >"$T/iso/out" 2>&1
contains "a plugin that replaces string.find, table.concat or fs.read changes only its own copy" "$T/iso/out" "description: +3xy[0-9]+false$"
bad environment-metatable "x\.lua:1: setmetatable: this table belongs to kiln" 'setmetatable(_ENV, {})'
bad nul-in-a-path "x\.lua:1: a: the path \".*a\.c\\\\x00b\" contains a newline or NUL" \
	'component { name = "a", kind = "data", build = prebuilt { file = "a.c\0b" } }'
bad device-as-a-file "x\.lua:1: /dev/zero: not a regular file" 'local s = fs.read("/dev/zero")'
bad kiln-metatables-are-not-reachable "x\.lua:2: attempt to index a boolean value" \
	'local mt = getmetatable(json_object {})
mt.__gc = function() end'

# --- limits: an endless loop or a huge allocation ends with the plugin's line -------------------
bad endless-loop "x\.lua:2: kiln gen ran for more than 1 s, the time limit \(an endless loop\?\); .*--gen-time-limit=SECONDS" \
	'local n = 0
while true do n = n + 1 end' --gen-time-limit=1
bad endless-loop-that-catches-errors "x\.lua:2: kiln gen ran for more than 1 s, the time limit" \
	'local n = 0
while true do pcall(function() while true do n = n + 1 end end) end' --gen-time-limit=1
bad endless-library-call "x\.lua:2: kiln gen ran for more than 1 s, the time limit, inside one library call" \
	'local s = string.rep("a", 40)
local at = s:find(string.rep("a?", 40) .. s)' --gen-time-limit=1
bad huge-string "x\.lua:1: kiln gen ran out of memory: the plugins need more than the limit of 1024 MiB.*--gen-memory-limit=SIZE" \
	'local s = string.rep("x", 3 * 512 * 1024 * 1024)'
bad huge-table "x\.lua:2: kiln gen ran out of memory: the plugins need more than the limit of 64 MiB" \
	'local t = {}
for i = 1, 1e9 do t[i] = i end' --gen-memory-limit=64M
bad huge-table-that-catches-errors "x\.lua:2: kiln gen ran out of memory" \
	'local t = {}
while true do pcall(function() t[#t + 1] = string.rep("x", 1e6) .. #t end) end' --gen-memory-limit=64M
expect_fail "a time limit that is not a number" 2 "--gen-time-limit=soon: expected a number of seconds" \
	sh -c "cd '$T/bad-endless-loop/b' && '$KILN' gen --gen-time-limit=soon"

# --- messages -------------------------------------------------------------------------------
bad error-with-a-table "x\.lua:1: error\(\) was given a table instead of a message string" 'error({})'
mkdir -p "$T/bad-import-cycle/p/common"
printf 'local x = import "b.lua"\nreturn x\n' >"$T/bad-import-cycle/p/common/a.lua"
printf 'local x = import "a.lua"\nreturn x\n' >"$T/bad-import-cycle/p/common/b.lua"
bad import-cycle "import cycle: .*common/a\.lua imports .*common/b\.lua, .*common/b\.lua imports .*common/a\.lua" \
	'local a = import "common/a.lua"'
bad deeply-nested-table "x\.lua:2: elf_policy 'deep': the value nests more than 32 tables deep" \
	'local t = {} for i = 1, 100000 do t = { t } end
elf_policy { name = "deep", inherits = "userspace", host_paths = t }'
bad table-that-contains-itself "x\.lua:2: json_encode: a value holds a table that contains itself" \
	'local t = {} t.x = t
local s = json_encode(t)'
bad empty-gen-file-name "x\.lua:1: gen_file: \"\" must name a file by a relative path inside gen/" \
	'gen_file { name = "", content = "x" }'
bad gen-file-that-is-a-directory "x\.lua:2: gen_file gen/a/b needs the directory gen/a, which is a gen_file declared at .*x\.lua:1" \
	'gen_file { name = "a", content = "x" }
gen_file { name = "a/b", content = "y" }'
bad size-over-2^63 "x\.lua:1: field 'size' of image 'fs' must be a size .*not \"99999999999999999999G\"" \
	'image { name = "fs", format = "fat", size = "99999999999999999999G" }'
bad size-option-over-2^63 "x\.lua:1: option --n: '99999999999999999999G' is too large" \
	'option { name = "n", type = "size", default = "99999999999999999999G", help = "h" }'
bad env-name-with-a-newline "x\.lua:1: env takes the name of an environment variable" 'local v = env("A\nB")'
long=$(awk 'BEGIN { while (i++ < 100000) printf "a" }')
bad long-name-suggestion "x\.lua:2: component 'b' depends on 'a+b', which no plugin declares \(did you mean 'a+'\?\)" \
	"component { name = \"$long\", kind = \"data\", build = prebuilt { file = \"a.c\" } }
component { name = \"b\", kind = \"data\", build = prebuilt { file = \"a.c\" }, deps = { \"${long}b\" } }" --gen-time-limit=20
mkdir -p "$T/nl"
expect_fail "a setting with a newline" 2 "--opt=\.\.\.: a setting cannot contain a newline" \
	sh -c "cd '$T/nl' && '$KILN' gen --system=none --plugin-dir='$HELLO' --opt='greeting=a
b'"

# unknown options and architectures
mkdir -p "$T/o"
expect_fail "unknown plugin option" 1 "unknown option --greting \(did you mean 'greeting'\?\)" \
	sh -c "cd '$T/o' && '$KILN' gen --system=none --plugin-dir='$HELLO' --opt=greting=x"
expect_fail "unknown --arch" 2 "unknown architecture 'mips'" sh -c "cd '$T/o' && '$KILN' gen --arch=mips"
expect_fail "unknown --system" 2 "unknown system 'bsd'" sh -c "cd '$T/o' && '$KILN' gen --system=bsd"
(cd "$T/o" && "$KILN" gen --system=none --plugin-dir="$HELLO" --list-options) >"$T/opts" 2>&1
contains "--list-options shows plugin options with help and origin" "$T/opts" "--greeting=STRING +what hello prints \(string, default hello\) \[.*hello\.lua:2\]"

# --- paths with spaces, '$' and ':' work ------------------------------------------------------
weird="$T/dir with space\$and:colon"
mkdir -p "$weird/plugins" "$weird/build here"
cp "$HELLO"/* "$weird/plugins/"
(cd "$weird/build here" && "$KILN" gen -q --system=none --plugin-dir="$weird/plugins" --opt='greeting=it'"'"'s $5: ok') >"$T/w.out" 2>&1
check "gen in a path with spaces, \$ and :" test -f "$weird/build here/build.ninja"
check "ninja builds in a path with spaces, \$ and :" ninja -C "$weird/build here"
eq "program built from such a path runs" "it's \$5: ok" "$("$weird/build here/out/hello/hello" 2>&1)"
check "no-op ninja in such a path" sh -c "ninja -C '$weird/build here' | grep -q 'no work to do'"

# --- queries ---------------------------------------------------------------------------------
q() { (cd "$T/g" && "$KILN" "$@"); }
q list >"$T/list" 2>&1
contains "kiln list names components with kind and origin" "$T/list" "^count +host-tool +.*hello\.lua:14$"
q show count >"$T/show" 2>&1
contains "kiln show: declared at" "$T/show" "declared at: +.*tests/plugins/hello/hello\.lua:14"
contains "kiln show: dependencies" "$T/show" "depends on: +hello"
contains "kiln show: outputs" "$T/show" "out/count/count"
q show hello >"$T/show2" 2>&1
contains "kiln show: reverse dependencies" "$T/show2" "needed by: +count"
q graph >"$T/dot" 2>&1
contains "kiln graph is dot with the dependency edge" "$T/dot" '"hello" -> "count";'
expect_fail "kiln show of an unknown name suggests" 1 "no component or image named 'cout' \(did you mean 'count'\?\)" \
	sh -c "cd '$T/g' && '$KILN' show cout"

# --- environment variables: snapshotted in kiln.env; a plain ninja never reads the shell -------
mkdir -p "$T/env/p" "$T/env/b"
echo 'component { name = "e", kind = "data", build = prebuilt { file = "x.lua" }, description = (env("KILN_TEST_VAR") or "unset") .. (find_program("sh") and "" or "!") }' >"$T/env/p/x.lua"
(cd "$T/env/b" && KILN_TEST_VAR=one "$KILN" gen -q --system=none --plugin-dir="$T/env/p") >/dev/null 2>&1
contains "kiln.env records the variables the plugins read" "$T/env/b/kiln.env" "^KILN_TEST_VAR=one$"
contains "kiln.env records PATH, which find_program reads" "$T/env/b/kiln.env" "^PATH="
ninja -C "$T/env/b" >/dev/null 2>&1
out=$(cd "$T/env/b" && KILN_TEST_VAR=two ninja 2>&1)
case $out in *"no work to do"*) ok "a changed shell variable alone does not regenerate" ;; *) fail "a changed shell variable alone does not regenerate" "$out" ;; esac
(cd "$T/env/b" && KILN_TEST_VAR=two "$KILN" show e) >"$T/env/show" 2>&1
contains "queries use the snapshot" "$T/env/show" "description: +one"
(cd "$T/env/b" && KILN_TEST_VAR=two ninja reconfigure) >/dev/null 2>&1
contains "ninja reconfigure takes the new value" "$T/env/b/kiln.env" "^KILN_TEST_VAR=two$"
(cd "$T/env/b" && ninja) >/dev/null 2>&1
out=$(cd "$T/env/b" && ninja 2>&1)
case $out in *"no work to do"*) ok "after reconfigure ninja settles" ;; *) fail "after reconfigure ninja settles" "$out" ;; esac

# --- regeneration: what a successful fs.exists saw, and the PATH a failed find_program searched --
mkdir -p "$T/rec/p/data" "$T/rec/b" "$T/rec/bin"
echo probe >"$T/rec/p/data/probe.txt"
cat >"$T/rec/p/x.lua" <<'LUA'
component { name = "e", kind = "data", build = prebuilt { file = "x.lua" },
	description = tostring(fs.exists("data/probe.txt")) .. " " .. tostring(find_program("kiln-test-tool")) }
LUA
(cd "$T/rec/b" && PATH="$T/rec/bin:$PATH" "$KILN" gen -q --system=none --plugin-dir="$T/rec/p") >/dev/null 2>&1
ninja -C "$T/rec/b" >/dev/null 2>&1
show_e() { (cd "$T/rec/b" && "$KILN" show e) | sed -n 's/^  description: *//p'; }
eq "fs.exists and find_program as generated" "file nil" "$(show_e)"
sleep 1
rm "$T/rec/p/data/probe.txt"
out=$(cd "$T/rec/b" && ninja 2>&1)
case $out in *"REGENERATE build.ninja"*) ok "deleting a file fs.exists found regenerates build.ninja" ;;
*) fail "deleting a file fs.exists found regenerates build.ninja" "$out" ;; esac
eq "fs.exists sees it gone" "nil nil" "$(show_e)"
sleep 1
printf '#!/bin/sh\n' >"$T/rec/bin/kiln-test-tool"
chmod +x "$T/rec/bin/kiln-test-tool"
out=$(cd "$T/rec/b" && ninja 2>&1)
case $out in *"REGENERATE build.ninja"*) ok "installing a program find_program did not find regenerates build.ninja" ;;
*) fail "installing a program find_program did not find regenerates build.ninja" "$out" ;; esac
eq "find_program finds it" "nil $T/rec/bin/kiln-test-tool" "$(show_e)"
out=$(cd "$T/rec/b" && ninja 2>&1)
case $out in *"no work to do"*) ok "then ninja settles" ;; *) fail "then ninja settles" "$out" ;; esac

# --- the limits are settings: kept in kiln.conf for the regeneration ---------------------------
mkdir -p "$T/lim"
(cd "$T/lim" && "$KILN" gen -q --system=none --plugin-dir="$HELLO" --gen-time-limit=30 --gen-memory-limit=512M) >/dev/null 2>&1
contains "kiln.conf keeps --gen-time-limit" "$T/lim/kiln.conf" "^gen-time-limit=30$"
contains "kiln.conf keeps --gen-memory-limit" "$T/lim/kiln.conf" "^gen-memory-limit=512M$"

# --- rules see the rules context, not kiln's state ---------------------------------------------
# a copy of kiln's data directory with one more rules module that reaches for kiln's internals
mkdir -p "$T/ctx/data" "$T/ctx/b"
for d in lua rules plugins examples modules; do [ -d "$SRCDIR/$d" ] && cp -R "$SRCDIR/$d" "$T/ctx/data/"; done
printf 'local ctx = ...\nreturn { constructors = { probe_ctx = function() return #ctx.plugins end } }\n' >"$T/ctx/data/rules/zz.lua"
printf 'component { name = "e", kind = "data", build = prebuilt { file = "x.lua" }, description = tostring(probe_ctx()) }\n' >"$T/ctx/x.lua"
(cd "$T/ctx/b" && KILN_DATADIR="$T/ctx/data" "$KILN" gen -q --system=none --plugin-dir="$T/ctx") >"$T/ctx/out" 2>&1
contains "a rules module cannot read kiln's state outside the rules context" "$T/ctx/out" \
	"rules/zz.lua:2: kiln: the rules context has no field 'plugins'"
printf 'local ctx = ...\nctx.conf.builddir = "/tmp"\nreturn {}\n' >"$T/ctx/data/rules/zz.lua"
(cd "$T/ctx/b" && KILN_DATADIR="$T/ctx/data" "$KILN" gen -q --system=none --plugin-dir="$T/ctx") >"$T/ctx/out" 2>&1
contains "a rules module cannot change kiln's configuration" "$T/ctx/out" "rules/zz.lua:2: kiln: the rules context's conf is read-only"
printf 'local ctx = ...\nreturn { constructors = { probe_ctx = function() return ctx.core.setenv ~= nil end } }\n' >"$T/ctx/data/rules/zz.lua"
(cd "$T/ctx/b" && KILN_DATADIR="$T/ctx/data" "$KILN" gen -q --system=none --plugin-dir="$T/ctx") >"$T/ctx/out" 2>&1
contains "a rules module sees only the core primitives it needs" "$T/ctx/out" "rules/zz.lua:2: kiln: the rules context's core has no field 'setenv'"
