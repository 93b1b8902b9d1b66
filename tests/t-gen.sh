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
bad() { # NAME PATTERN LUA-TEXT
	_dir=$T/bad-$1
	mkdir -p "$_dir/p"
	printf '%s\n' "$3" >"$_dir/p/x.lua"
	: >"$_dir/p/a.c"
	mkdir -p "$_dir/b"
	echo "old" >"$_dir/b/build.ninja"
	expect_fail "bad input: $1" 1 "$2" sh -c "cd '$_dir/b' && '$KILN' gen --system=none --plugin-dir='$_dir/p'"
	if [ "$(cat "$_dir/b/build.ninja")" = old ]; then ok "bad input leaves build.ninja alone: $1"
	else fail "bad input leaves build.ninja alone: $1" "build.ninja was rewritten"; fi
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
bad duplicate-output "out/b/b is also produced by .*x\.lua:1.*" \
	'component { name = "b", kind = "host-tool", build = host_cc { sources = { "a.c" } } }
component { name = "a", kind = "host-tool", build = host_cc { sources = { "a.c" }, output = "../b/b" } }'
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
