#!/bin/sh
# bench/gen.sh: kiln gen time and no-op ninja time for synthetic plugin sets of 100, 1,000
# and 10,000 components, and whether a no-op ninja spawns any process.
# Targets: 1,000 components generate in under 0.5 s; a no-op ninja on them takes under 0.1 s
# and spawns no process.
# usage: bench/gen.sh [BUILDDIR-with-kiln]   (default: the current directory)
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
kiln=$(cd "${1:-.}" && pwd)/kiln
[ -x "$kiln" ] || { echo "bench/gen.sh: no kiln in ${1:-.}; run configure first" >&2; exit 2; }
work=$(mktemp -d "${TMPDIR:-/tmp}/kiln-bench-gen.XXXXXX")
trap 'rm -rf "$work"' EXIT

# best of N runs of a command, in seconds (timed around the child process only)
best() {
	python3 - "$@" <<'PY'
import subprocess, sys, time
n, cmd = int(sys.argv[1]), sys.argv[2:]
b = 1e9
for _ in range(n):
    s = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    b = min(b, time.perf_counter() - s)
print(f"{b:.4f}")
PY
}

printf '%-12s %12s %12s %14s %10s %10s\n' components "gen (s)" "edges" "no-op ninja (s)" processes "targets"
for n in 100 1000 10000; do
	d=$work/p$n
	mkdir -p "$d/src" "$d/b"
	echo 'payload' >"$d/src/file.txt"
	# one plugin file per 100 components, as a large system would have
	python3 - "$d" "$n" <<'PY'
import sys
d, n = sys.argv[1], int(sys.argv[2])
per = 100
for f in range(0, n, per):
    with open(f"{d}/p{f // per:04d}.lua", "w") as out:
        for i in range(f, min(f + per, n)):
            deps = f', deps = {{ "c{i - 1}" }}' if i % 10 else ""
            out.write(f'component {{ name = "c{i}", kind = "data", build = prebuilt {{ file = "src/file.txt" }}{deps} }}\n')
PY
	cd "$d/b"
	"$kiln" gen -q --system=none --plugin-dir="$d" >/dev/null
	g=$(best 3 "$kiln" gen -q)
	edges=$(grep -c '^build ' build.ninja)
	ninja >/dev/null
	ninja >/dev/null
	z=$(best 5 ninja)
	if command -v strace >/dev/null 2>&1; then
		strace -f -e trace=execve,vfork,clone,clone3,fork -o "$work/trace" ninja >/dev/null 2>&1 || true
		procs=$(grep -Ec 'execve|clone|fork' "$work/trace" || true)
		procs=$((procs - 1)) # ninja's own execve
	else
		procs="(no strace)"
	fi
	target=
	[ "$n" = 1000 ] && target=$(python3 -c "print('gen<0.5 ' + ('ok' if $g < 0.5 else 'MISSED') + ', noop<0.1 ' + ('ok' if $z < 0.1 else 'MISSED'))")
	printf '%-12s %12.3f %12s %14.4f %10s   %s\n' "$n" "$g" "$edges" "$z" "$procs" "$target"
	cd "$work"
done
