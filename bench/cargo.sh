#!/bin/sh
# bench/cargo.sh: a workspace of real crates (16 binaries and two feature probes sharing a
# library and Debian's packaged crates, tests/cargo-ws.sh) built clean through kiln (kiln gen +
# ninja: one cargo run) beside one plain `cargo build --workspace --release` of the same tree,
# then the rebuild after a change to the shared crate, each the best of 3 runs.
# Goal: kiln within 1.05x of cargo's own time for both.
# usage: bench/cargo.sh [BUILDDIR-with-kiln] [BINARIES]   (default: the current directory, 16)
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
kiln=$(cd "${1:-.}" && pwd)/kiln
n=${2:-16}
[ -x "$kiln" ] || { echo "bench/cargo.sh: no kiln in ${1:-.}; run configure first" >&2; exit 2; }
command -v cargo >/dev/null || { echo "bench/cargo.sh: cargo is not on PATH" >&2; exit 2; }
work=$(mktemp -d "${TMPDIR:-/tmp}/kiln-bench-cargo.XXXXXX")
trap 'rm -rf "$work"' EXIT
. "$src/tests/cargo-ws.sh"
cargo_ws "$work" "$n"
export CARGO_HOME=$work/cargo-home

now() { python3 -c 'import time; print(time.perf_counter())'; }
secs() { python3 -c "print(f'{$2 - $1:.3f}')"; }
best() { printf '%s\n' "$@" | sort -n | head -1; }
ratio() { python3 -c "print(f'{$1 / $2:.3f}x')"; }

clean_cargo= clean_kiln= re_cargo= re_kiln=
for i in 1 2 3; do
	rm -rf "$work/plain" "$work/b"
	t0=$(now); (cd "$work/ws" && CARGO_TARGET_DIR=$work/plain cargo build --offline --release --workspace -q) >/dev/null 2>&1; t1=$(now)
	clean_cargo="$clean_cargo $(secs "$t0" "$t1")"
	mkdir -p "$work/b"
	t0=$(now); (cd "$work/b" && "$kiln" gen -q --system=none --plugin-dir="$work/plugins" && ninja) >/dev/null 2>&1; t1=$(now)
	clean_kiln="$clean_kiln $(secs "$t0" "$t1")"
	# a change to the shared crate: both rebuild it and relink every binary
	echo "// change $i" >>"$work/ws/shared/src/lib.rs"
	t0=$(now); (cd "$work/ws" && CARGO_TARGET_DIR=$work/plain cargo build --offline --release --workspace -q) >/dev/null 2>&1; t1=$(now)
	re_cargo="$re_cargo $(secs "$t0" "$t1")"
	t0=$(now); (cd "$work/b" && ninja) >/dev/null 2>&1; t1=$(now)
	re_kiln="$re_kiln $(secs "$t0" "$t1")"
done
cc=$(best $clean_cargo) ck=$(best $clean_kiln) rc=$(best $re_cargo) rk=$(best $re_kiln)
printf '%-44s %10s %10s %10s %s\n' "workload ($n+2 binaries, best of 3)" "kiln (s)" "cargo (s)" "ratio" "goal"
printf '%-44s %10s %10s %10s %s\n' "clean build" "$ck" "$cc" "$(ratio "$ck" "$cc")" "<= 1.05x"
printf '%-44s %10s %10s %10s %s\n' "rebuild after a shared-crate change" "$rk" "$rc" "$(ratio "$rk" "$rc")" "<= 1.05x"
