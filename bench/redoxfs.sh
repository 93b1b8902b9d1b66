#!/bin/sh
# bench/redoxfs.sh: RedoxFS images of real ELF programs, as a Redox root mostly holds: this
# machine's ELF files from /usr/bin and /usr/lib, up to 200 MiB, into a 512 MiB image with
# `kiln redoxfs create` (records LZ4-compressed where that is smaller, on every online
# processor and on one thread, and --no-compress) beside the real writer, redoxfs-ar, when it
# is on PATH. Prints wall time (best of 3), peak RSS (the median of the 3: one run's swings
# with the machine's noise), the disk the image takes (du: allocated blocks) and the ratios;
# then kiln's peak RSS at half the payload (memory must not grow with it). Both writers'
# images are verified with kiln redoxfs check.
# usage: bench/redoxfs.sh [BUILDDIR-with-kiln]   (default: the current directory)
set -eu
kiln=$(cd "${1:-.}" && pwd)/kiln
[ -x "$kiln" ] || { echo "bench/redoxfs.sh: no kiln in ${1:-.}; run configure first" >&2; exit 2; }
command -v python3 >/dev/null 2>&1 || { echo "bench/redoxfs.sh: python3 is needed" >&2; exit 2; }
work=$(mktemp -d "${TMPDIR:-/tmp}/kiln-bench-redoxfs.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"
export SOURCE_DATE_EPOCH=1700000000 LC_ALL=C

# --- payload: ELF files, sorted by path, until 200 MiB (and a first half of 100 MiB) ---------
python3 - <<'PY'
import os
files, tot = [], 0
for top in ("/usr/bin", "/usr/lib"):
    for d, dirs, names in sorted(os.walk(top)):
        dirs.sort()
        for n in sorted(names):
            p = os.path.join(d, n)
            try:
                if os.path.islink(p) or not os.path.isfile(p):
                    continue
                s = os.path.getsize(p)
                with open(p, "rb") as f:
                    if f.read(4) != b"\x7fELF":
                        continue
            except OSError:
                continue
            if s < 4096 or tot + s > 200 << 20:
                continue
            files.append(p)
            tot += s
os.makedirs("root/bin")
half, acc = [], 0
for i, p in enumerate(files):
    q = "root/bin/%04d-%s" % (i, os.path.basename(p))
    with open(p, "rb") as f, open(q, "wb") as g:
        g.write(f.read())
    acc += os.path.getsize(p)
    if acc <= 100 << 20:
        half.append(q)
def manifest(name, paths):
    with open(name, "w") as m:
        m.write("kiln-manifest 1\ndir /bin 0755 0 0\n")
        for q in paths:
            m.write("file /%s 0755 0 0 src:%s\n" % (q[5:], os.path.abspath(q)))
manifest("root.m", ["root/bin/" + n for n in sorted(os.listdir("root/bin"))])
manifest("half.m", half)
print(len(files), tot)
PY
payload=$(find root -type f -exec cat {} + | wc -c | tr -d ' ')
nfiles=$(find root -type f | wc -l | tr -d ' ')

# --- measuring: best wall time of 3 runs, median peak RSS (KiB) ---------------------------
once() { # COMMAND -> "seconds maxrss"; on failure both its stdout and stderr (redoxfs-ar
	# prints its errors on stdout)
	python3 - "$1" <<'PY'
import os, resource, subprocess, sys, time
cmd = sys.argv[1]
gnu = subprocess.run(["/usr/bin/time", "-v", "true"], capture_output=True).returncode == 0
argv = ["/usr/bin/time", "-v", "-o", "tv", "sh", "-c", cmd] if gnu else ["sh", "-c", cmd]
s = time.perf_counter()
r = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
t = time.perf_counter() - s
if r.returncode != 0:
    out, err = (x.decode(errors="replace").strip() for x in (r.stdout, r.stderr))
    sys.stderr.write("failed (exit %d): %s\n  stdout: %s\n  stderr: %s\n" %
                     (r.returncode, cmd, out or "(nothing)", err or "(nothing)"))
    sys.exit(1)
if gnu:
    rss = [l for l in open("tv") if "Maximum resident set size" in l][0].split(":")[1].strip()
else:
    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    rss = rss // 1024 if sys.platform == "darwin" else rss
print(f"{t:.4f}", rss)
PY
}
measure() { # NAME SETUP COMMAND IMAGE
	best= rss=
	for run in 1 2 3; do
		sh -c "$2"
		r=$(once "$3") || exit 1
		if [ -z "$best" ] || awk -v a="${r% *}" -v b="$best" 'BEGIN { exit !(a < b) }'; then best=${r% *}; fi
		rss="$rss ${r#* }"
	done
	med=$(printf '%s\n' $rss | sort -n | sed -n 2p)
	echo "$1 $best $med $(du -k "$4" | cut -f1)" >>results
}
: >results
sync

measure kiln "rm -f k.img" "'$kiln' redoxfs create root.m -o k.img --size 512M" k.img
measure kiln-1 "rm -f k1.img" "'$kiln' redoxfs create root.m -o k1.img --size 512M --jobs 1" k1.img
measure kiln-raw "rm -f r.img" "'$kiln' redoxfs create root.m -o r.img --size 512M --no-compress" r.img
measure kiln-half "rm -f h.img" "'$kiln' redoxfs create half.m -o h.img --size 512M" h.img
ar=no
if command -v redoxfs-ar >/dev/null 2>&1; then
	# redoxfs-ar DISK FOLDER writes into an existing file of the image's size
	measure ar "rm -f a.img && dd if=/dev/zero of=a.img bs=1 count=0 seek=536870912 2>/dev/null" \
		"redoxfs-ar a.img root" a.img
	ar=yes
fi
"$kiln" redoxfs check k.img >/dev/null 2>&1 && vk=ok || vk=FAILED
# the threads the default used: the online processors, at most 16 (kiln redoxfs create)
jobs=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 1)
[ "$jobs" -gt 16 ] && jobs=16
n=0 bad=0
for f in root/bin/*; do
	n=$((n + 1)); [ $((n % 25)) -eq 1 ] || continue
	"$kiln" redoxfs cat k.img "/${f#root/}" | cmp -s - "$f" || bad=$((bad + 1))
done
echo "kiln image checked: kiln redoxfs check $vk; every 25th file read back: $([ $bad = 0 ] && echo equal || echo "$bad differ")"
if [ "$ar" = yes ]; then
	if "$kiln" redoxfs check a.img >check.out 2>&1; then echo "redoxfs-ar image checked: kiln redoxfs check ok"
	else echo "redoxfs-ar image checked: kiln redoxfs check FAILED: $(head -n 3 check.out | tr '\n' ' ')"; fi
fi

awk -v payload="$payload" -v nfiles="$nfiles" -v ar="$ar" -v jobs="$jobs" '
	{ t[$1] = $2; m[$1] = $3; d[$1] = $4 }
	function row(label, k) {
		printf "%-36s %8.3f %10d %10.1f %9.1f\n", label, t[k], m[k], d[k] / 1024, payload / 1048576 / t[k]
	}
	END {
		printf "payload: %d ELF files, %.1f MiB, into a 512 MiB image; best time and median peak memory of 3 runs\n", nfiles, payload / 1048576
		printf "%-36s %8s %10s %10s %9s\n", "writer", "seconds", "peak KiB", "du MiB", "MB/s"
		row("kiln redoxfs create (LZ4)", "kiln")
		row("kiln redoxfs create --jobs 1", "kiln-1")
		row("kiln redoxfs create --no-compress", "kiln-raw")
		if (ar == "yes") row("redoxfs-ar (the real writer)", "ar")
		else printf "%-36s %s\n", "redoxfs-ar (the real writer)", "not available (not on PATH)"
		printf "redoxfs kiln threads: %d (the online processors, at most 16); one thread / default: %.2fx the time\n",
		       jobs, t["kiln-1"] / t["kiln"]
		printf "redoxfs disk used, kiln / payload: %.2fx\n", d["kiln"] * 1024 / payload
		printf "redoxfs disk used, kiln LZ4 / kiln --no-compress: %.2fx\n", d["kiln"] / d["kiln-raw"]
		if (ar == "yes") {
			printf "redoxfs disk used, kiln / redoxfs-ar: %.2fx (goal: at most 1.00x)\n", d["kiln"] / d["ar"]
			printf "redoxfs speed, redoxfs-ar time / kiln time: %.2fx (goal: at least 2.5x)\n", t["ar"] / t["kiln"]
			printf "redoxfs peak memory, kiln / redoxfs-ar: %d / %d KiB\n", m["kiln"], m["ar"]
		} else {
			printf "redoxfs disk used, kiln / redoxfs-ar: n/a (redoxfs-ar not available)\n"
			printf "redoxfs speed, redoxfs-ar time / kiln time: n/a (redoxfs-ar not available)\n"
		}
		printf "redoxfs kiln peak memory, half / full payload: %d / %d KiB (%.2fx; flat is 1.00x)\n",
		       m["kiln-half"], m["kiln"], m["kiln"] / m["kiln-half"]
	}' results
