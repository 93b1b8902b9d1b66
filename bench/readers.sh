#!/bin/sh
# bench/readers.sh: decoding speed of kiln's Lua readers (toml_decode, json_decode, run by a
# plugin in kiln gen) beside Python's tomllib and json on the same text: a Cargo.lock of
# PKGS packages (the largest TOML a Redox build reads) and a JSON document of the same data.
# kiln's time per decode is (gen with R decodes - gen with none) / R, so the start-up of kiln
# gen is left out. Prints MB/s and Python's time divided by kiln's (above 1: kiln is faster).
# usage: bench/readers.sh [BUILDDIR-with-kiln]   (default: the current directory; PKGS=3000)
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
kiln=$(cd "${1:-.}" && pwd)/kiln
[ -x "$kiln" ] || { echo "bench/readers.sh: no kiln in ${1:-.}; run configure first" >&2; exit 2; }
command -v python3 >/dev/null 2>&1 || { echo "bench/readers.sh: python3 is needed" >&2; exit 2; }
PKGS=${PKGS:-3000}
W=$(mktemp -d "${TMPDIR:-/tmp}/kiln-bench-readers.XXXXXX")
trap 'rm -rf "$W"' EXIT INT TERM
mkdir -p "$W/p" "$W/b"

python3 - "$W" "$PKGS" <<'PY'
import json, random, sys
w, n = sys.argv[1], int(sys.argv[2])
r = random.Random(1)
pkgs = []
for i in range(n):
    deps = ["crate-%d" % r.randrange(n) for _ in range(r.randrange(6))]
    pkgs.append({"name": "crate-%d" % i, "version": "%d.%d.%d" % (r.randrange(5), r.randrange(30), r.randrange(10)),
                 "source": "registry+https://github.com/rust-lang/crates.io-index",
                 "checksum": "%064x" % r.getrandbits(256), "dependencies": deps})
with open(w + "/lock.toml", "w") as f:
    f.write("# @generated\nversion = 3\n")
    for p in pkgs:
        f.write('\n[[package]]\nname = "%s"\nversion = "%s"\nsource = "%s"\nchecksum = "%s"\n' %
                (p["name"], p["version"], p["source"], p["checksum"]))
        if p["dependencies"]:
            f.write("dependencies = [\n" + "".join(' "%s",\n' % d for d in p["dependencies"]) + "]\n")
with open(w + "/lock.json", "w") as f:
    json.dump({"version": 3, "package": pkgs}, f, indent=1)
PY

cat >"$W/p/decode.lua" <<'EOF'
local n = tonumber(env "BENCH_N")
local toml, jsn = fs.read(env "BENCH_TOML"), fs.read(env "BENCH_JSON")
local which = env "BENCH_WHICH"
for _ = 1, n do
	if which == "toml" then toml_decode(toml, "lock.toml") else json_decode(jsn, "lock.json") end
end
EOF

# best of 3 wall times of kiln gen with BENCH_N=$2 decodes of $1
gen_time() {
	python3 - "$kiln" "$W" "$1" "$2" <<'PY'
import os, subprocess, sys, time
kiln, w, which, n = sys.argv[1:5]
env = dict(os.environ, BENCH_N=n, BENCH_WHICH=which, BENCH_TOML=w + "/lock.toml", BENCH_JSON=w + "/lock.json")
best = None
for _ in range(3):
    t = time.perf_counter()
    subprocess.run([kiln, "gen", "-q", "--system=none", "--plugin-dir=" + w + "/p"], cwd=w + "/b", env=env, check=True,
                   stdout=subprocess.DEVNULL)
    t = time.perf_counter() - t
    best = t if best is None or t < best else best
print(best)
PY
}

R=10
printf '%-36s %10s %10s %10s %10s %8s\n' "document" "size (KB)" "kiln (ms)" "kiln MB/s" "python (ms)" "ratio"
for which in toml json; do
	f=$W/lock.$which
	size=$(wc -c <"$f" | tr -d ' ')
	base=$(gen_time "$which" 0)
	full=$(gen_time "$which" $R)
	py=$(python3 - "$f" "$which" <<'PY'
import json, sys, time, tomllib
f, which = sys.argv[1], sys.argv[2]
text = open(f, encoding="utf-8").read()
load = tomllib.loads if which == "toml" else json.loads
best = None
for _ in range(5):
    t = time.perf_counter(); load(text); t = time.perf_counter() - t
    best = t if best is None or t < best else best
print(best)
PY
)
	python3 - "$which" "$size" "$base" "$full" "$R" "$py" "$PKGS" <<'PY'
import sys
which, size, base, full, r, py, pkgs = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5]), float(sys.argv[6]), sys.argv[7]
k = max(full - base, 1e-9) / r
label = "Cargo.lock, %s packages (toml)" % pkgs if which == "toml" else "the same data as JSON (json)"
print("%-36s %10.0f %10.1f %10.1f %10.1f %8.2f" % (label, size / 1024, k * 1000, size / k / 1e6, py * 1000, py / k))
PY
done
