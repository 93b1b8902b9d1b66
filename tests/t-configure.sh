# tests/t-configure.sh: end to end with configure: out-of-tree configure and ninja on a small
# host C example, then incremental behaviour: an edited source reruns only what depends on
# it, an added plugin regenerates build.ninja, and a second ninja has no work to do; a source
# tree whose path has a space, in tree and out of it, and an in-tree make clean that keeps the
# unit test sources; the build running configure again when configure, Makefile.in or the
# list of sources changes (ninja and make), and only then.
. "$SRCDIR/tests/lib.sh"
T=$TMPDIR_T
cp -R "$SRCDIR/tests/plugins/hello" "$T/plugins"

# configure's own errors
expect_fail "configure: unknown arch" 1 "--arch=sparc: unknown architecture" "$SRCDIR/configure" --arch=sparc
expect_fail "configure: a built-in option without its value" 1 "option '--arch' needs a value: --arch=VALUE" "$SRCDIR/configure" --arch

# Ninja 1.11 or newer; samurai cannot read the validations (|@) kiln writes
mkdir -p "$T/path" "$T/samu-only" "$T/samu-as-ninja"
for t in sh dirname cat sed uname cc gcc make pkg-config tr sort ls id; do
	p=$(command -v "$t") && ln -sf "$p" "$T/path/$t"
done
printf '#!/bin/sh\necho 1.9.0\n' >"$T/path/samu"
chmod +x "$T/path/samu"
expect_fail "configure: samurai alone is refused by name" 1 "only samurai \(samu\) was found; it cannot read the validations \(\|@\)" \
	sh -c "cd '$T/samu-only' && PATH='$T/path' '$SRCDIR/configure'"
ln -s samu "$T/path/ninja"
expect_fail "configure: a ninja that is samurai (1.9) is refused" 1 "ninja 1\.9\.0 .* is too old, or is samurai .*needs Ninja 1\.11 or newer" \
	sh -c "cd '$T/samu-as-ninja' && PATH='$T/path' '$SRCDIR/configure'"
expect_fail "configure: missing plugin dir" 1 "--plugin-dir=/nonexistent: no such directory" \
	"$SRCDIR/configure" --plugin-dir=/nonexistent

mkdir -p "$T/b"
cd "$T/b" || exit 1
if "$SRCDIR/configure" --system=none --plugin-dir="$T/plugins" --greeting=configured >"$T/conf.out" 2>&1; then
	ok "configure out of tree"
else
	fail "configure out of tree" "$(tail -5 "$T/conf.out" | tr '\n' ' ')"
	exit 0
fi
contains "configure prints the summary" "$T/conf.out" "graph: 2 components, 0 images, [0-9]+ edges"
check "configure built kiln in the build dir" test -x "$T/b/kiln"
"$SRCDIR/configure" --system=none --plugin-dir="$T/plugins" --help >"$T/help" 2>&1
contains "configure --help lists the built-in options" "$T/help" "--redox-src=DIR"
contains "configure --help lists plugin options" "$T/help" "--greeting=STRING +what hello prints"

# options without a value: a plugin's is named as such, anything else is unknown (checked once
# kiln is built, since only the plugins know their options); kiln.conf stays as it was
cp kiln.conf "$T/conf.before"
expect_fail "configure: unknown option" 1 "unknown option '--frobnicate'" "$SRCDIR/configure" --system=none --plugin-dir="$T/plugins" --frobnicate
expect_fail "configure: a plugin option without its value" 1 "option '--greeting' needs a value: --greeting=VALUE" \
	"$SRCDIR/configure" --system=none --plugin-dir="$T/plugins" --greeting
same "a refused option leaves kiln.conf alone" "$T/conf.before" kiln.conf
"$SRCDIR/configure" --system=none --plugin-dir="$T/plugins" --greeting=configured --gen-time-limit=45 >"$T/conf2.out" 2>&1
contains "configure passes --gen-time-limit to kiln.conf" kiln.conf "^gen-time-limit=45$"
# a yes/no option given alone means yes (--qemu-gdb), one of another type still needs its value
"$SRCDIR/configure" --system=none --plugin-dir="$T/plugins" --greeting=configured --qemu-gdb --qemu-persistent-disk >"$T/conf-bool.out" 2>&1
contains "configure: a yes/no option alone is yes" kiln.conf "^opt=qemu-gdb=yes$"
contains "configure: ... every one given so" kiln.conf "^opt=qemu-persistent-disk=yes$"
expect_fail "configure: kiln's own option of another type without its value" 1 "option '--qemu-smp' needs a value: --qemu-smp=VALUE" \
	"$SRCDIR/configure" --system=none --plugin-dir="$T/plugins" --greeting=configured --qemu-smp
"$SRCDIR/configure" --system=none --plugin-dir="$T/plugins" --greeting=configured >"$T/conf3.out" 2>&1

check "first ninja builds everything" ninja
eq "the plugin option reached the program" "configured" "$(./out/hello/hello)"
out=$(ninja)
case $out in *"no work to do"*) ok "second ninja has no work to do" ;; *) fail "second ninja has no work to do" "$out" ;; esac

# edit one source: exactly its object, its link and the dependent link rerun
sleep 1
printf '#include "greet.h"\nconst char *greet(void) { return GREETING "!"; }\n' >"$T/plugins/greet.c"
ninja -d explain >"$T/explain" 2>&1
ran=$(grep -E '^\[[0-9]+/[0-9]+\]' "$T/explain" | sed 's/^\[[0-9]*\/[0-9]*\] //' | sort | tr '\n' ';')
eq "editing greet.c reruns exactly its dependents" "CC out/hello/obj/greet.c.o;LINK out/count/count;LINK out/hello/hello;" "$ran"
eq "the edit reached the program" "configured!" "$(./out/hello/hello)"

# add a plugin: build.ninja regenerates, the new component builds
printf 'int main(void) { return 0; }\n' >"$T/plugins/extra.c"
cat >"$T/plugins/extra.lua" <<'LUA'
component { name = "extra", kind = "host-tool", build = host_cc { sources = { "extra.c" } }, check = false }
LUA
ninja >"$T/regen" 2>&1
contains "adding a plugin regenerates build.ninja" "$T/regen" "REGENERATE build.ninja"
check "the new plugin's component was built" test -x out/extra/extra
out=$(ninja)
case $out in *"no work to do"*) ok "ninja after regeneration has no work to do" ;; *) fail "ninja after regeneration has no work to do" "$out" ;; esac

# touching an unrelated file in the build dir does not regenerate
touch "$T/b/unrelated"
out=$(ninja -n)
case $out in *"no work to do"*) ok "unrelated change: no regeneration" ;; *) fail "unrelated change: no regeneration" "$out" ;; esac

# a plugin error during regeneration fails ninja and keeps the old build.ninja
cp build.ninja "$T/before.ninja"
echo 'component { name = ' >>"$T/plugins/extra.lua"
expect_fail "a broken plugin fails the regeneration" 1 "extra\.lua:3: unexpected symbol" ninja
same "the old build.ninja stays after a failed regeneration" "$T/before.ninja" build.ninja

# configure --help in a directory where kiln was never built: every plugin set's options,
# grouped, listed by the plugins themselves, and nothing left behind
mkdir -p "$T/helpdir" && cd "$T/helpdir" || exit 1
sh "$SRCDIR/configure" --help --plugin-dir="$SRCDIR/examples/packages/greet" >"$T/help.out" 2>&1
eq "configure --help exits 0" 0 "$?"
contains "configure --help: the demo's options" "$T/help.out" "^Options of the bundled demo"
contains "configure --help: the demo's initfs size option" "$T/help.out" "^  --initfs-max-size=SIZE .*examples/demo/images.lua"
contains "configure --help: the Redox set's options without a tree or toolchain" "$T/help.out" "^  --rust-toolchain=STRING .*modules/redox/init.lua"
contains "configure --help: the Redox set's image options" "$T/help.out" "^  --rootfs-size=SIZE "
contains "configure --help: a --plugin-dir's own group" "$T/help.out" "^Options of the plugins in .*examples/packages/greet:"
eq "configure --help leaves nothing in the directory" "" "$(ls -A "$T/helpdir")"

# --- a source tree whose path has a space: in tree, out of tree, make clean -----------------------
S="$T/src dir"
mkdir -p "$S/tests"
(cd "$SRCDIR" && cp -R configure Makefile.in VERSION core lua rules "$S/" && cp tests/unit-*.c tests/unit.h "$S/tests/")
cp -R "$SRCDIR/tests/plugins/hello" "$T/plug ins"
if (cd "$S" && CFLAGS=-O0 ./configure --system=none --plugin-dir="$T/plug ins") >"$T/sp.out" 2>&1; then ok "configure in a source tree whose path has a space"
else fail "configure in a source tree whose path has a space" "$(tail -5 "$T/sp.out" | tr '\n' ' ')"; fi
check "ninja there builds" sh -c "cd '$S' && ninja"
eq "the program runs" "hello" "$("$S/out/hello/hello" 2>&1)"
out=$(cd "$S" && ninja)
case $out in *"no work to do"*) ok "a second ninja there has no work to do" ;; *) fail "a second ninja there has no work to do" "$out" ;; esac
mkdir -p "$T/else where"
check "the kiln built there finds its data directory from anywhere" \
	sh -c "cd '$T/else where' && '$S/kiln' gen -q --system=none --plugin-dir='$T/plug ins'"
check "make tests there" sh -c "cd '$S' && make -s tests"
out=$(cd "$S" && ninja)
case $out in *"no work to do"*) ok "in tree: after the unit tests are built, ninja has no work to do" ;; *) fail "in tree: after the unit tests are built, ninja has no work to do" "$out" ;; esac
n=$(ls "$S"/tests/unit-*.c | wc -l | tr -d ' ')
check "make clean in tree" sh -c "cd '$S' && make -s clean"
eq "make clean keeps the unit test sources" "$n" "$(ls "$S"/tests/unit-*.c 2>/dev/null | wc -l | tr -d ' ')"
eq "make clean removes the unit test programs and kiln" "" "$(cd "$S" && ls kiln obj 2>/dev/null; ls "$S/tests" | grep -v '\.[ch]$')"
mkdir -p "$T/b dir"
if (cd "$T/b dir" && CFLAGS=-O0 "$S/configure" --system=none --plugin-dir="$T/plug ins") >"$T/sp2.out" 2>&1; then ok "configure out of tree from a source path with a space"
else fail "configure out of tree from a source path with a space" "$(tail -5 "$T/sp2.out" | tr '\n' ' ')"; fi
check "ninja out of tree builds" sh -c "cd '$T/b dir' && ninja"
eq "the out-of-tree program runs" "hello" "$("$T/b dir/out/hello/hello" 2>&1)"

# --- the build runs configure again when configure, Makefile.in or the list of sources changes ---
# (out of tree, from the source path with a space: the Makefile reaches it through kiln-src)
B="$T/b dir"
cd "$B" || exit 1
noop() { # NAME: a ninja with nothing to do
	_o=$(ninja 2>&1)
	case $_o in *"no work to do"*) ok "$1" ;; *) fail "$1" "$(printf '%s' "$_o" | tail -3 | tr '\n' ' ')" ;; esac
}
noop "a configured build dir: ninja has no work to do"
check "configure recorded how to run it again" test -x config.status
sleep 1
touch "$S/Makefile.in" "$S/configure"
ninja >"$T/touch.out" 2>&1
check "touched, unchanged: configure does not run" sh -c "! grep -q 'config.status:' '$T/touch.out' && ! grep -q REGENERATE '$T/touch.out'"
noop "... and the next ninja has no work to do"
# a new source of kiln: ninja runs configure with the recorded options, kiln is built with it
sleep 1
printf 'int kiln_zz_new_source(void) { return 42; }\n' >"$S/core/gen/zz_new.c"
ninja >"$T/src.out" 2>&1
contains "a new core source: ninja runs configure again, saying why" "$T/src.out" "^config.status: the list of sources changed: configure runs again with this directory's options$"
contains "... the Makefile compiles it" Makefile "^OBJS = .* obj/gen/zz_new\.o "
check "... into kiln" sh -c "nm kiln | grep -q kiln_zz_new_source"
contains "... with the options configure was given (CFLAGS)" Makefile "^CFLAGS = -O0$"
contains "... and its plugin options (kiln.conf)" kiln.conf "^plugin-dir=$T/plug ins$"
contains "... then build.ninja regenerates" "$T/src.out" "REGENERATE build.ninja"
noop "... and the next ninja has no work to do"
# a changed Makefile.in
sleep 1
printf 'KILN_TEST_MARK = 1\n' >>"$S/Makefile.in"
ninja >"$T/mk.out" 2>&1
contains "a changed Makefile.in: ninja runs configure again" "$T/mk.out" "^config.status: Makefile.in changed: "
contains "... and the Makefile has the change" Makefile "^KILN_TEST_MARK = 1$"
noop "... and the next ninja has no work to do"
# a new unit test, with make alone: (GNU) make writes its Makefile again and reads it
sleep 1
printf '#include "unit.h"\nint main(void) { CHECK("zz", 1); return unit_failed; }\n' >"$S/tests/unit-zz.c"
make -s tests >"$T/make.out" 2>&1
contains "a new unit test: make runs configure again" "$T/make.out" "^config.status: the list of sources changed: "
check "... and builds the test with the new Makefile" test -x obj/tests/unit-zz
ninja >/dev/null 2>&1
noop "... then ninja once, and the next has no work to do"
