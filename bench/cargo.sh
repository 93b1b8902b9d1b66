#!/bin/sh
# bench/cargo.sh: a workspace of real crates (16 binaries and two feature probes sharing a
# library and Debian's packaged crates, tests/cargo-ws.sh) built clean through kiln (kiln gen +
# ninja: one cargo run) beside one plain `cargo build --workspace --release` of the same tree,
# then the rebuild after a change to the shared crate, each the best of 5 runs.
# Goal: kiln within 1.05x of cargo's own time for both.
# With sccache on PATH (configure --rustc-wrapper), two more rows: a clean kiln build through
# sccache with a cold (empty) cache, and one in another build dir with the cache the cold
# build filled (warm), beside the plain cargo build; sccache's own server and cache dir.
# usage: bench/cargo.sh [BUILDDIR-with-kiln] [BINARIES]   (default: the current directory, 16)
# BENCH_DEBUG=1 prints every run's time on stderr.
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
kiln=$(cd "${1:-.}" && pwd)/kiln
n=${2:-16}
[ -x "$kiln" ] || { echo "bench/cargo.sh: no kiln in ${1:-.}; run configure first" >&2; exit 2; }
command -v cargo >/dev/null || { echo "bench/cargo.sh: cargo is not on PATH" >&2; exit 2; }
work=$(mktemp -d "${TMPDIR:-/tmp}/kiln-bench-cargo.XXXXXX")
SCCACHE=$(command -v sccache || :)
stop_sccache() { [ -z "$SCCACHE" ] || SCCACHE_SERVER_PORT=$port "$SCCACHE" --stop-server >/dev/null 2>&1 || :; }
port=$((20000 + $$ % 20000))
trap 'stop_sccache; rm -rf "$work"' EXIT
. "$src/tests/cargo-ws.sh"
cargo_ws "$work" "$n"
export CARGO_HOME=$work/cargo-home

now() { python3 -c 'import time; print(time.perf_counter())'; }
secs() { python3 -c "print(f'{$2 - $1:.3f}')"; }
best() { printf '%s\n' "$@" | sort -n | head -1; }
ratio() { python3 -c "print(f'{$1 / $2:.3f}x')"; }

# five rounds, the order of cargo and kiln alternating: on two cores a clean build varies by
# 10-15% from run to run, so one tool first in every round would favour it
plain_round() {
	rm -rf "$work/plain"
	t0=$(now); (cd "$work/ws" && CARGO_TARGET_DIR=$work/plain cargo build --offline --release --workspace -q) >/dev/null 2>&1; t1=$(now)
	clean_cargo="$clean_cargo $(secs "$t0" "$t1")"
	echo "// change $i cargo" >>"$work/ws/shared/src/lib.rs"
	t0=$(now); (cd "$work/ws" && CARGO_TARGET_DIR=$work/plain cargo build --offline --release --workspace -q) >/dev/null 2>&1; t1=$(now)
	re_cargo="$re_cargo $(secs "$t0" "$t1")"
}
kiln_round() {
	rm -rf "$work/b" && mkdir -p "$work/b"
	t0=$(now); (cd "$work/b" && "$kiln" gen -q --system=none --plugin-dir="$work/plugins" && ninja) >/dev/null 2>&1; t1=$(now)
	clean_kiln="$clean_kiln $(secs "$t0" "$t1")"
	echo "// change $i kiln" >>"$work/ws/shared/src/lib.rs"
	t0=$(now); (cd "$work/b" && ninja) >/dev/null 2>&1; t1=$(now)
	re_kiln="$re_kiln $(secs "$t0" "$t1")"
}
clean_cargo= clean_kiln= re_cargo= re_kiln=
for i in 1 2 3 4 5; do
	# a change to the shared crate before each rebuild: both rebuild it and relink every binary
	case $i in 1|3|5) plain_round; kiln_round ;; *) kiln_round; plain_round ;; esac
done
cold= warm=
if [ -n "$SCCACHE" ]; then
	for i in 1 2 3; do
		stop_sccache
		rm -rf "$work/cache" "$work/s1" "$work/elsewhere"
		mkdir -p "$work/s1" "$work/elsewhere/s2"
		t0=$(now); (cd "$work/s1" && SCCACHE_DIR=$work/cache SCCACHE_SERVER_PORT=$port "$kiln" gen -q --system=none \
			--plugin-dir="$work/plugins" --rustc-wrapper="$SCCACHE" && ninja) >/dev/null 2>&1; t1=$(now)
		cold="$cold $(secs "$t0" "$t1")"
		t0=$(now); (cd "$work/elsewhere/s2" && SCCACHE_DIR=$work/cache SCCACHE_SERVER_PORT=$port "$kiln" gen -q --system=none \
			--plugin-dir="$work/plugins" --rustc-wrapper="$SCCACHE" && ninja) >/dev/null 2>&1; t1=$(now)
		warm="$warm $(secs "$t0" "$t1")"
		cmp -s "$work/s1/out/bin-01/bin-01" "$work/elsewhere/s2/out/bin-01/bin-01" ||
			{ echo "bench/cargo.sh: the warm build's bin-01 differs from the cold one's" >&2; exit 1; }
	done
	hits=$(SCCACHE_SERVER_PORT=$port "$SCCACHE" --show-stats 2>/dev/null | sed -n 's/^Cache hits  *\([0-9]*\)$/\1/p')
fi
[ -z "${BENCH_DEBUG-}" ] || echo "clean kiln:$clean_kiln cargo:$clean_cargo; rebuild kiln:$re_kiln cargo:$re_cargo" >&2
cc=$(best $clean_cargo) ck=$(best $clean_kiln) rc=$(best $re_cargo) rk=$(best $re_kiln)
printf '%-44s %10s %10s %10s %s\n' "workload ($n+2 binaries, best of 5)" "kiln (s)" "cargo (s)" "ratio" "goal"
printf '%-44s %10s %10s %10s %s\n' "clean build" "$ck" "$cc" "$(ratio "$ck" "$cc")" "<= 1.05x"
printf '%-44s %10s %10s %10s %s\n' "rebuild after a shared-crate change" "$rk" "$rc" "$(ratio "$rk" "$rc")" "<= 1.05x"
if [ -n "$SCCACHE" ]; then
	co=$(best $cold) wa=$(best $warm)
	printf '%-44s %10s %10s %10s %s\n' "clean, sccache, cold cache" "$co" "$cc" "$(ratio "$co" "$cc")" "(the cache's cost)"
	printf '%-44s %10s %10s %10s %s\n' "clean, sccache, warm from another build dir" "$wa" "$cc" "$(ratio "$wa" "$cc")" "($hits hits in the last)"
else
	echo "(sccache is not on PATH: no sccache rows)"
fi
