# tests/t-cargo.sh: real cargo on real crates (Debian's packaged sources, no network) through
# kiln's generic cargo{} rule: the binaries of one workspace are one cargo run, with features
# unified across them as cargo unifies them; each binary is its own output, so a change to
# one crate rebuilds only its binary (restat), and a change to the shared crate all of them.
. "$SRCDIR/tests/lib.sh"
. "$SRCDIR/tests/cargo-ws.sh"
T=$TMPDIR_T
export CARGO_HOME=$T/cargo-home
cargo_ws "$T" 4
B=$T/b
mkdir -p "$B" && (cd "$B" && "$KILN" gen -q --system=none --plugin-dir="$T/plugins") >"$T/gen" 2>&1
check "gen: the workspace plugin loads" test -f "$B/build.ninja"
n=$(cd "$B" && ninja -t commands all | grep -c ' cargo ')
eq "six binaries, one cargo run" 1 "$n"
case $(cd "$B" && ninja -t commands out/bin-03/bin-03 | tail -1) in
*"--cwd=$T/ws "*"-- build --offline --manifest-path $T/ws/Cargo.toml --release -p feat-on -p feat-off -p bin-01 "*"--bin feat-on --bin feat-off --bin bin-01 "*) ok "the run: every package and binary, in the workspace's directory" ;;
*) fail "the run: every package and binary" "$(cd "$B" && ninja -t commands out/bin-03/bin-03 | tail -1)" ;; esac

if (cd "$B" && ninja) >"$T/b1" 2>&1; then ok "real cargo builds the workspace through kiln"; else fail "real cargo builds the workspace" "$(tail -5 "$T/b1" | tr '\n' ' ')"; fi
# no config file names a wrapper, so kiln cargo gives no override, and cargo keeps its rustc
# info cache (an empty wrapper is a program it cannot fingerprint: then it writes none and asks
# rustc -vV on every run)
check "cargo kept its rustc info cache (no wrapper override)" test -f "$B/out/cargo/host-llvm/.rustc_info.json"
eq "bin-02 runs (with the unified feature too)" "bin-02 6 0.75 extra: on (6b69)" "$("$B/out/bin-02/bin-02" 2>&1)"
check "cargo's output is in out/logs/ws.log" grep -q "Compiling shared" "$B/out/logs/ws.log"
# the features of the one run are unified, as in the reference fork's one cargo run: feat-off
# gets shared's "extra" because feat-on asks for it; built alone it would not have it
eq "one run: feat-off sees the unified feature 'extra'" "feat-off 8 1.0 extra: on (6b69)" "$("$B/out/feat-off/feat-off")"
(cd "$T/ws" && CARGO_TARGET_DIR=$T/alone cargo build --offline --release -q -p feat-off) >"$T/alone.log" 2>&1
eq "per -p resolution differs (feat-off alone: extra off)" "feat-off 8 1.0 extra: off" "$("$T/alone/release/feat-off" 2>&1)"
out=$(cd "$B" && ninja)
case $out in *"no work to do"*) ok "nothing changed: no work" ;; *) fail "nothing changed: no work" "$out" ;; esac

# one binary's source changes: one cargo run, only that binary's output is rewritten
for f in bin-01 bin-02 bin-03 bin-04 feat-on feat-off; do cp -p "$B/out/$f/$f" "$T/$f.before"; done
sleep 1
printf 'fn main() {\n    println!("{} changed", shared::line("bin-03", 6));\n}\n' >"$T/ws/bin-03/src/main.rs"
(cd "$B" && ninja -d explain) >"$T/b2" 2>&1
eq "one crate changed: cargo compiled only it" "bin-03" "$(sed -n 's/^ *Compiling \([^ ]*\) .*/\1/p' "$T/b2" | tr '\n' ' ' | sed 's/ $//')"
check "one crate changed: its binary is new" sh -c "'$B/out/bin-03/bin-03' | grep -q 'bin-03 6 0.75 extra: on (6b69) changed'"
same_mtime() { [ ! "$1" -nt "$2" ] && [ ! "$2" -nt "$1" ]; }
kept=
for f in bin-01 bin-02 bin-04 feat-on feat-off; do same_mtime "$B/out/$f/$f" "$T/$f.before" || kept="$kept $f"; done
eq "one crate changed: the other binaries are untouched (restat)" "" "$kept"
# the shared crate changes: the one run rebuilds it and relinks every binary
sleep 1
echo '// changed' >>"$T/ws/shared/src/lib.rs"
(cd "$B" && ninja) >"$T/b3" 2>&1
eq "shared crate changed: cargo compiled it and every binary" "bin-01 bin-02 bin-03 bin-04 feat-off feat-on shared" \
	"$(sed -n 's/^ *Compiling \([^ ]*\) .*/\1/p' "$T/b3" | sort | tr '\n' ' ' | sed 's/ $//')"
eq "shared crate changed: one cargo run" 1 "$(grep -c '^\[.*CARGO ' "$T/b3")"

# the kiln binary is an input of the cargo edge (kiln cargo decides cargo's environment, the
# artifact copies, the relinks): a rebuilt kiln reruns cargo, which finds every unit fresh, and
# restat keeps the binaries and all that follows them
cp "$KILN" "$T/kiln" && (cd "$B" && "$T/kiln" gen -q --system=none --plugin-dir="$T/plugins" && ninja) >"$T/b4" 2>&1
for f in bin-01 feat-off; do cp -p "$B/out/$f/$f" "$T/$f.before"; done
sleep 1
touch "$T/kiln"
(cd "$B" && ninja) >"$T/b5" 2>&1
eq "a rebuilt kiln: cargo ran and compiled nothing" "1 0" "$(grep -c '^\[.*CARGO ' "$T/b5") $(grep -c 'Compiling' "$T/b5")"
kept=
for f in bin-01 feat-off; do same_mtime "$B/out/$f/$f" "$T/$f.before" || kept="$kept $f"; done
eq "a rebuilt kiln: the binaries are untouched (restat)" "" "$kept"
case $(cd "$B" && ninja) in *"no work to do"*) ok "a rebuilt kiln: then no work" ;; *) fail "a rebuilt kiln: then no work" "$(cd "$B" && ninja)" ;; esac

# a wrapper in a config file above the workspace (cargo reads every directory's .cargo/ up to /)
# never runs: kiln cargo finds it and overrides it; without one, no override (tested in t-redox)
mkdir -p "$T/.cargo"
printf '#!/bin/sh\necho "wrapped: $*" >>"%s"\nexec "$@"\n' "$T/wrapped.log" >"$T/wrap.sh" && chmod +x "$T/wrap.sh"
printf '[build]\nrustc-wrapper = "%s"\nrustc-workspace-wrapper = "%s"\n' "$T/wrap.sh" "$T/wrap.sh" >"$T/.cargo/config.toml"
sleep 1
echo '// changed again' >>"$T/ws/shared/src/lib.rs"
if (cd "$B" && ninja) >"$T/b6" 2>&1; then ok "a wrapper in a parent's .cargo/config.toml: the build works"; else fail "a wrapper in a parent's .cargo/config.toml: the build works" "$(tail -5 "$T/b6" | tr '\n' ' ')"; fi
check "... and that wrapper never ran" test ! -e "$T/wrapped.log"
contains "... and kiln cargo says that a disabled workspace wrapper still changes cargo's hash" "$T/b6" \
	"^kiln cargo: $T/.cargo/config.toml may set a rustc-workspace-wrapper: kiln disables it, but cargo puts that setting into the hash of every workspace crate"
# "include" as a value is no config-include; as a key it is (cargo would read another file)
printf '[env]\nCPATH = "/usr/include"\n' >"$T/.cargo/config.toml"
sleep 1; echo '// and again' >>"$T/ws/shared/src/lib.rs"
(cd "$B" && ninja) >"$T/b7" 2>&1
check "a config file with 'include' in a value: no workspace wrapper override" sh -c "! grep -q 'rustc-workspace-wrapper' '$T/b7'"
printf 'include = "more.toml"\n' >"$T/.cargo/config.toml"
sleep 1; echo '// and once more' >>"$T/ws/shared/src/lib.rs"
(cd "$B" && ninja) >"$T/b8" 2>&1
contains "a config file that includes another: the workspace wrapper is overridden, and said" "$T/b8" \
	"^kiln cargo: $T/.cargo/config.toml may set a rustc-workspace-wrapper"
rm -rf "$T/.cargo"
