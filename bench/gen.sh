#!/bin/sh
# bench/gen.sh: kiln gen time and no-op ninja time for synthetic plugin sets of 100, 1,000
# and 10,000 components, and whether a no-op ninja spawns any process.
# Then how generation grows: 10,000 components against 1,000 (goal: at most 10.5x the time, and
# 10,000 in under 1 s), and names of 100,000 bytes against names of 10,000 (linear in the
# length of names: about 10x). Times are the best of several runs, wall clock and CPU (user +
# system) of the kiln process; the CPU figure is the steadier one on a shared machine.
# Targets: 1,000 components generate in under 0.5 s; a no-op ninja on them takes under 0.1 s
# and spawns no process.
# usage: bench/gen.sh [BUILDDIR-with-kiln]   (default: the current directory)
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
kiln=$(cd "${1:-.}" && pwd)/kiln
[ -x "$kiln" ] || { echo "bench/gen.sh: no kiln in ${1:-.}; run configure first" >&2; exit 2; }
work=$(mktemp -d "${TMPDIR:-/tmp}/kiln-bench-gen.XXXXXX")
trap 'rm -rf "$work"' EXIT

# best of N runs of a command, in seconds (timed around the child process only): wall, then
# with cpu as the second argument "WALL CPU" (CPU: user + system time of the child)
best() {
	python3 - "$@" <<'PY'
import resource, subprocess, sys, time
n, cmd = int(sys.argv[1]), sys.argv[2:]
cpu = cmd[0] == "cpu"
if cpu: cmd = cmd[1:]
b = c = 1e9
for _ in range(n):
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    s = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    b = min(b, time.perf_counter() - s)
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    c = min(c, r1.ru_utime - r0.ru_utime + r1.ru_stime - r0.ru_stime)
print(f"{b:.4f} {c:.4f}" if cpu else f"{b:.4f}")
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
	set -- $(best 7 cpu "$kiln" gen -q)
	g=$1
	echo "$n $1 $2" >>"$work/times"
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

# growth: components, and the length of names (20 components whose names are L bytes long)
for l in 10000 100000; do
	d=$work/n$l
	mkdir -p "$d/src" "$d/b"
	echo 'payload' >"$d/src/file.txt"
	python3 - "$d" "$l" <<'PY'
import sys
d, l = sys.argv[1], int(sys.argv[2])
with open(f"{d}/names.lua", "w") as out:
    for i in range(20):
        name = ("n%02d" % i) + "x" * (l - 3)
        deps = f', deps = {{ "{prev}" }}' if i else ""
        out.write(f'component {{ name = "{name}", kind = "data", build = prebuilt {{ file = "src/file.txt" }}{deps} }}\n')
        prev = name
PY
	cd "$d/b"
	"$kiln" gen -q --system=none --plugin-dir="$d" >/dev/null
	set -- $(best 7 cpu "$kiln" gen -q)
	echo "name$l $1 $2" >>"$work/times"
	cd "$work"
done
python3 - "$work/times" <<'PY'
import sys
t = {}
for line in open(sys.argv[1]):
    k, w, c = line.split()
    t[k] = (float(w), float(c))
w1, c1 = t["1000"]; w2, c2 = t["10000"]
print(f"gen, 10,000 components: {w2:.3f} s wall, {c2:.3f} s cpu (goal < 1 s): {'ok' if w2 < 1 else 'MISSED'}")
print(f"gen ratio, 10,000 / 1,000 components: {w2 / w1:.2f}x wall, {c2 / c1:.2f}x cpu (goal <= 10.5x): "
      f"{'ok' if min(w2 / w1, c2 / c1) <= 10.5 else 'MISSED'}")
a, b = t["name10000"], t["name100000"]
print(f"gen ratio, 100,000-byte / 10,000-byte names (20 components): {b[0] / a[0]:.2f}x wall, {b[1] / a[1]:.2f}x cpu "
      f"({b[0]:.3f} s / {a[0]:.3f} s; linear is about 10x, the square would be 100x)")
PY
