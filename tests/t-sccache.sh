# tests/t-sccache.sh: configure --rustc-wrapper with Debian's sccache and a local cache: real
# cargo builds the workspace of real crates (tests/cargo-ws.sh) and kiln writes its binaries
# into a RedoxFS and an initfs, in build dir P without the wrapper, in build dir A with it (a
# cold cache), then in build dir B at another path; B compiles nothing itself (sccache's cache
# hits), and the binaries and images of P, A and B are byte-identical. The settings reach
# cargo from sccache.env (0600), the secrets appear nowhere else; a hostile RUSTC_WRAPPER in
# the shell or in $CARGO_HOME/config.toml does not replace the configured wrapper; a failing
# wrapper gives one message naming it and the fix.
# The build directory's remap (--remap-path-prefix=BUILDDIR=/kiln-build, as the Redox plugins
# give it) reaches cargo and sccache the same in every build directory (through kiln's rustc
# shim) and rustc as it is: P, A and B have byte-identical binaries and images, code from
# OUT_DIR is compiled from /kiln-build; an sccache before 0.10 (Debian 12's 0.4.0~pre6) caches
# none of those runs, and configure's summary says so; with a newer one B has only hits.
# KILN_TEST_SCCACHE=PATH runs the whole test with that sccache instead of the one on PATH.
# (Without the option, no wrapper reaches cargo: t-redox's host crate, real cargo.)
. "$SRCDIR/tests/lib.sh"
. "$SRCDIR/tests/cargo-ws.sh"
T=$TMPDIR_T
SCCACHE=${KILN_TEST_SCCACHE:-$(command -v sccache)} || { fail "sccache is installed" "not on PATH (./configure --install-deps installs it)"; echo "0 passed, 1 failed"; exit 1; }
export CARGO_HOME=$T/cargo-home SCCACHE_DIR=$T/cache SCCACHE_CACHE_SIZE=1G SCCACHE_IDLE_TIMEOUT=120
# a server of its own (another run, or the user's, listens on the default port)
SCCACHE_SERVER_PORT=$((20000 + $$ % 20000))
export SCCACHE_SERVER_PORT
export AWS_SECRET_ACCESS_KEY=kiln-test-secret-8d1f
trap '"$SCCACHE" --stop-server >/dev/null 2>&1' EXIT
cargo_ws "$T" 2 images
mkdir -p "$CARGO_HOME"
gen() { # DIR ARGS...: kiln gen in DIR for the workspace
	_g=$1; shift
	mkdir -p "$_g" && (cd "$_g" && "$KILN" gen --system=none --plugin-dir="$T/plugins" "$@")
}

# --- configure's option -------------------------------------------------------------------
expect_fail "configure: a wrapper not on PATH is one clear error" '*' "rustc-wrapper=no-such-sccache: not found on PATH" \
	sh -c "mkdir -p '$T/cf' && cd '$T/cf' && '$SRCDIR/configure' --rustc-wrapper=no-such-sccache"
expect_fail "kiln gen: a relative wrapper path is refused" '*' "expected an absolute path" gen "$T/rel" -q --rustc-wrapper=sccache

# --- build dir P: no wrapper, the reference images --------------------------------------------
gen "$T/P" -q >"$T/P.gen" 2>&1
if (cd "$T/P" && ninja) >"$T/P.build" 2>&1; then ok "P: builds the workspace and its images without a wrapper"
else fail "P: builds the workspace and its images without a wrapper" "$(tail -5 "$T/P.build" | tr '\n' ' ')"; fi
"$KILN" redoxfs cat "$T/P/out/images/rootfs.img" /usr/bin/bin-02 >"$T/P.bin-02" 2>&1
same "P: the RedoxFS holds the binary cargo built" "$T/P/out/bin-02/bin-02" "$T/P.bin-02"
"$SCCACHE" --show-stats >"$T/P.stats" 2>&1
contains "P: no compilation went through sccache" "$T/P.stats" "^Compile requests +0$"

# --- build dir A: a cold cache --------------------------------------------------------------
gen "$T/A" --rustc-wrapper="$SCCACHE" >"$T/A.gen" 2>&1
contains "summary: the wrapper and its settings" "$T/A.gen" "rustc wrapper: $SCCACHE for every cargo run \(CARGO_INCREMENTAL=0\).*SCCACHE_DIR=$T/cache"
contains "summary: a secret is named, as set" "$T/A.gen" "AWS_SECRET_ACCESS_KEY set"
check "the secret's value is not printed, nor in build.ninja, kiln.conf or kiln.env" \
	sh -c "! grep -q kiln-test-secret-8d1f '$T/A.gen' '$T/A/build.ninja' '$T/A/kiln.conf' '$T/A/kiln.env'"
eq "sccache.env is readable by its owner only" "-rw-------" "$(ls -l "$T/A/sccache.env" | cut -c1-10)"
contains "sccache.env holds the settings" "$T/A/sccache.env" "^AWS_SECRET_ACCESS_KEY=kiln-test-secret-8d1f$"
contains "kiln.conf records the wrapper" "$T/A/kiln.conf" "^rustc-wrapper=$SCCACHE$"
case $(cd "$T/A" && ninja -t commands out/bin-01/bin-01 | tail -1) in
*"--rustc-wrapper=$SCCACHE --wrapper-env=sccache.env "*) ok "the cargo edge runs through the wrapper" ;;
*) fail "the cargo edge runs through the wrapper" "$(cd "$T/A" && ninja -t commands out/bin-01/bin-01 | tail -1)" ;; esac
check "sccache.env is an input of the cargo edge" sh -c "cd '$T/A' && ninja -t query out/bin-01/bin-01 | grep -q '| sccache.env'"
# hostile: another wrapper in the shell and in $CARGO_HOME/config.toml
printf '#!/bin/sh\necho "wrapped: $*" >>%s\nexec "$@"\n' "'$T/wrapped.log'" >"$T/wrap.sh"
chmod +x "$T/wrap.sh"
# (the rustc wrapper only, as a config that names sccache has it: a workspace wrapper, even
# disabled, goes into cargo's hash of the workspace crates, and kiln cargo says so; t-cargo)
printf '[build]\nrustc-wrapper = "%s"\n' "$T/wrap.sh" >"$CARGO_HOME/config.toml"
"$SCCACHE" --stop-server >/dev/null 2>&1
if (cd "$T/A" && RUSTC_WRAPPER=$T/wrap.sh RUSTC_WORKSPACE_WRAPPER=$T/wrap.sh ninja) >"$T/A.build" 2>&1; then
	ok "A: real cargo builds the workspace through sccache"; else fail "A: real cargo builds the workspace through sccache" "$(tail -5 "$T/A.build" | tr '\n' ' ')"; fi
check "the shell's and config.toml's wrappers did not run" test ! -e "$T/wrapped.log"
"$SCCACHE" --show-stats >"$T/A.stats" 2>&1
contains "A: sccache compiled the crates (cache misses, cold cache)" "$T/A.stats" "^Cache misses +[1-9]"
eq "A: bin-02 runs" "bin-02 6 0.75 extra: on (6b69)" "$("$T/A/out/bin-02/bin-02" 2>&1)"

# --- build dir B, elsewhere: the cache from A -----------------------------------------------
"$SCCACHE" --zero-stats >/dev/null 2>&1
gen "$T/other/place/B" -q --rustc-wrapper="$SCCACHE" >"$T/B.gen" 2>&1
if (cd "$T/other/place/B" && ninja) >"$T/B.build" 2>&1; then ok "B: builds"; else fail "B: builds" "$(tail -5 "$T/B.build" | tr '\n' ' ')"; fi
"$SCCACHE" --show-stats >"$T/B.stats" 2>&1
contains "B: cache hits from A's build (sccache --show-stats)" "$T/B.stats" "^Cache hits +[1-9]"
contains "B: no cache misses" "$T/B.stats" "^Cache misses +0$"
diff=
for d in A other/place/B; do for f in bin-01 bin-02 feat-on feat-off; do
	cmp -s "$T/P/out/$f/$f" "$T/$d/out/$f/$f" || diff="$diff $d/$f"
done; done
eq "A and B: the binaries are byte-identical to P's (no wrapper)" "" "$diff"
diff=
for d in A other/place/B; do for i in rootfs initfs; do
	cmp -s "$T/P/out/images/$i.img" "$T/$d/out/images/$i.img" || diff="$diff $d/$i"
done; done
eq "P, A (cold cache) and B (warm cache, elsewhere): byte-identical RedoxFS and initfs images" "" "$diff"
# a changed setting is read again by ninja reconfigure and reruns the cargo edges
(cd "$T/other/place/B" && SCCACHE_CACHE_SIZE=2G ninja reconfigure) >/dev/null 2>&1
contains "reconfigure reads the settings again" "$T/other/place/B/sccache.env" "^SCCACHE_CACHE_SIZE=2G$"
check "a changed setting reruns the cargo edge" sh -c "cd '$T/other/place/B' && ninja -n | grep -q CARGO"
# the regeneration edge keeps the file (it never reads the shell)
touch "$T/other/place/B/kiln.conf"
(cd "$T/other/place/B" && SCCACHE_CACHE_SIZE=5G ninja -n) >/dev/null 2>&1
contains "regeneration keeps the recorded settings" "$T/other/place/B/sccache.env" "^SCCACHE_CACHE_SIZE=2G$"

# --- the build directory's remap: P without the wrapper, A with it (cold), B elsewhere -------
R=$T/remap
cargo_ws "$R" 1 images remap
genr() { # DIR ARGS...: kiln gen in DIR for the workspace built with the remap
	_g=$1; shift
	mkdir -p "$_g" && (cd "$_g" && "$KILN" gen --system=none --plugin-dir="$R/plugins" "$@")
}
ver=$("$SCCACHE" --version 2>/dev/null | sed -n 's/^sccache 0\.\([0-9]*\)\..*/\1/p')
genr "$R/P" -q >/dev/null 2>&1
if (cd "$R/P" && ninja) >"$R/P.build" 2>&1; then ok "remap, P: builds without the wrapper"
else fail "remap, P: builds without the wrapper" "$(tail -5 "$R/P.build" | tr '\n' ' ')"; fi
contains "remap, P: code from OUT_DIR is compiled from /kiln-build, not the build directory" \
	"$(printf '%s\n' "$("$R/P/out/gen-path/gen-path" 2>&1)" >"$R/P.from"; echo "$R/P.from")" \
	"^/kiln-build/out/cargo/host-llvm/release/build/gen-path-[0-9a-f]+/out/gen\.rs$"
"$SCCACHE" --stop-server >/dev/null 2>&1
genr "$R/A" --rustc-wrapper="$SCCACHE" >"$R/A.gen" 2>&1
if [ "${ver:-99}" -lt 10 ]; then
	contains "remap, summary: sccache before 0.10 caches no remapped run, and the summary says so" "$R/A.gen" \
		"note: sccache 0\.$ver\..* caches no rustc run with --remap-path-prefix \(0\.10 and newer do\): 1 of the 1 cargo runs here will compile uncached"
else
	check "remap, summary: no note with sccache 0.$ver" sh -c "! grep -q 'caches no rustc run' '$R/A.gen'"
fi
case $(cd "$R/A" && ninja -t commands out/gen-path/gen-path | tail -1) in
*"--rustflag=--remap-path-prefix=$R/A=/kiln-build"*) ok "remap, A: build.ninja gives kiln cargo the real remap" ;;
*) fail "remap, A: build.ninja gives kiln cargo the real remap" "$(cd "$R/A" && ninja -t commands out/gen-path/gen-path | tail -1)" ;; esac
if (cd "$R/A" && ninja) >"$R/A.build" 2>&1; then ok "remap, A: builds through the wrapper and the rustc shim"
else fail "remap, A: builds through the wrapper and the rustc shim" "$(tail -5 "$R/A.build" | tr '\n' ' ')"; fi
eq "remap, A: one rustc shim, in gen/rustc/" 1 "$(ls "$R"/A/gen/rustc/*/rustc 2>/dev/null | wc -l | tr -d ' ')"
contains "remap, A: the shim gives rustc the build directory" "$(ls "$R"/A/gen/rustc/*/rustc | head -1)" "a='--remap-path-prefix=$R/A'"
"$SCCACHE" --show-stats >"$R/A.stats" 2>&1
"$SCCACHE" --zero-stats >/dev/null 2>&1
genr "$R/other/place/B" -q --rustc-wrapper="$SCCACHE" >/dev/null 2>&1
if (cd "$R/other/place/B" && ninja) >"$R/B.build" 2>&1; then ok "remap, B: builds"
else fail "remap, B: builds" "$(tail -5 "$R/B.build" | tr '\n' ' ')"; fi
"$SCCACHE" --show-stats >"$R/B.stats" 2>&1
if [ "${ver:-99}" -lt 10 ]; then
	contains "remap, B (sccache 0.$ver): no hit, the remapped runs are non-cacheable" "$R/B.stats" "^Cache hits +0$"
	contains "remap, B (sccache 0.$ver): --remap-path-prefix is the reason" "$R/B.stats" "^--remap-path-prefix +[1-9]"
else
	contains "remap, B (sccache 0.$ver): cache hits from A's build" "$R/B.stats" "^Cache hits +[1-9]"
	contains "remap, B (sccache 0.$ver): no cache misses" "$R/B.stats" "^Cache misses +0$"
fi
diff=
for d in A other/place/B; do
	for f in bin-01 feat-on feat-off gen-path; do cmp -s "$R/P/out/$f/$f" "$R/$d/out/$f/$f" || diff="$diff $d/$f"; done
	for i in rootfs initfs; do cmp -s "$R/P/out/images/$i.img" "$R/$d/out/images/$i.img" || diff="$diff $d/$i"; done
done
eq "remap: the binaries and images of A and B are byte-identical to P's" "" "$diff"
# the note counts the runs with a remap or a JSON target spec (gen only: nothing is built)
mkdir -p "$T/jp" && : >"$T/ws/x86_64-kiln-test.json"
cat >"$T/jp/j.lua" <<EOF
component { name = "j", kind = "host-tool", dir = "$T/ws", check = false,
	build = cargo { package = "bin-01", bin = "bin-01", target = "x86_64-kiln-test.json" } }
component { name = "k", kind = "host-tool", dir = "$T/ws", check = false,
	build = cargo { package = "bin-02", bin = "bin-02", rustflags = { "--remap-path-prefix=/x=/y" } } }
component { name = "l", kind = "host-tool", dir = "$T/ws", check = false,
	build = cargo { package = "feat-on", bin = "feat-on" } }
EOF
mkdir -p "$T/J" && (cd "$T/J" && "$KILN" gen --system=none --plugin-dir="$T/jp" --rustc-wrapper="$SCCACHE") >"$T/J.gen" 2>&1
if [ "${ver:-99}" -lt 9 ]; then
	contains "summary: the note names both reasons and counts the runs they concern" "$T/J.gen" \
		"note: sccache 0\.$ver\..* caches no rustc run with --remap-path-prefix \(0\.10 and newer do\) or with --target SPEC\.json \(0\.9\.1 and newer do\): 2 of the 3 cargo runs here"
elif [ "${ver:-99}" -lt 10 ]; then
	contains "summary: the note names the remap (0.9 caches JSON targets from 0.9.1)" "$T/J.gen" \
		"note: sccache 0\.9\..* caches no rustc run with --remap-path-prefix \(0\.10 and newer do\)"
else
	check "summary: no note with sccache 0.$ver (JSON target, remap)" sh -c "! grep -q 'caches no rustc run' '$T/J.gen'"
fi

# --- kiln doctor ------------------------------------------------------------------------------
(cd "$T/A" && "$KILN" doctor) >"$T/A.doctor" 2>&1
contains "doctor: the configured sccache runs" "$T/A.doctor" "^ok +rustc wrapper +$SCCACHE \(sccache 0"

# --- a failing wrapper: one message, its error quoted, the fix ------------------------------
mkdir -p "$T/bad"
printf '#!/bin/sh\nenv | grep -E "^(CARGO_INCREMENTAL|CARGO_TARGET_DIR|SCCACHE_DIR|AWS_SECRET_ACCESS_KEY|KILN_HOSTILE)=" >%s\necho "sccache: error: Server startup failed: Operation not permitted (os error 1)" >&2\nexit 2\n' \
	"'$T/bad.env'" >"$T/bad/sccache"
chmod +x "$T/bad/sccache"
gen "$T/D" -q --rustc-wrapper="$T/bad/sccache" >/dev/null 2>&1
expect_fail "a failing sccache: the edge says so, quotes it, names the fix" '*' \
	"the rustc wrapper $T/bad/sccache failed: \"sccache: error: Server startup failed: Operation not permitted \(os error 1\)\".*reconfigure without --rustc-wrapper" \
	sh -c "cd '$T/D' && KILN_HOSTILE=1 ninja"
eq "the wrapper gets CARGO_INCREMENTAL=0, the settings, nothing else of the shell" \
	"AWS_SECRET_ACCESS_KEY=kiln-test-secret-8d1f CARGO_INCREMENTAL=0 SCCACHE_DIR=$T/cache" "$(sort "$T/bad.env" | tr '\n' ' ' | sed 's/ $//')"
(cd "$T/D" && "$KILN" doctor) >"$T/D.doctor" 2>&1
rc=$?
contains "doctor: a wrapper that does not run is MISSING, with the fix" "$T/D.doctor" "^MISSING +rustc wrapper +$T/bad/sccache --version failed.*reconfigure without --rustc-wrapper"
eq "doctor: exit 1" 1 "$rc"
# another wrapper (not sccache) failing inside cargo: its line is quoted too
printf '#!/bin/sh\necho "cachewrap: error: unsupported flag -Zbuild-std" >&2\nexit 1\n' >"$T/bad/cachewrap"
chmod +x "$T/bad/cachewrap"
gen "$T/E" -q --rustc-wrapper="$T/bad/cachewrap" >/dev/null 2>&1
expect_fail "a wrapper failing inside cargo: quoted, with the fix" '*' \
	"the rustc wrapper $T/bad/cachewrap failed: \"[^\"]*cachewrap: error: unsupported flag -Zbuild-std\".*reconfigure without --rustc-wrapper" \
	sh -c "cd '$T/E' && ninja"
