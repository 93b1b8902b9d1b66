#!/bin/sh
# bench/passwd.sh: one `kiln passwd-hash` (rust-argon2's default: Argon2id, 19 MiB, 2 passes,
# and its original: Argon2i, 4 MiB, 3 passes) beside the reference implementation's `argon2`
# command with the same parameters, one process per hash as an image build runs it. Prints
# the best of 5 wall times in seconds, the CPU time (user + system) and peak memory (KiB) of one
# run where /usr/bin/time -v or -l reports them, and the reference's wall time divided by
# kiln's (above 1: kiln is faster). On a shared machine the CPU times are the steadier figure.
#
# usage: bench/passwd.sh [KILN]     (default: ./kiln)
set -eu
KILN=${1:-${KILN:-./kiln}}
case $KILN in /*) ;; *) KILN=$(pwd)/$KILN ;; esac
[ -d "$KILN" ] && KILN=$KILN/kiln
[ -x "$KILN" ] || { echo "bench/passwd.sh: $KILN not found (pass the kiln binary)" >&2; exit 2; }
command -v argon2 >/dev/null 2>&1 ||
	{ echo "bench/passwd.sh: the argon2 command is needed (./configure --install-deps)" >&2; exit 2; }

now() { date +%s.%N 2>/dev/null | grep -v N || python3 -c 'import time; print(time.time())'; }
# best CMD: run CMD 5 times, print the best wall time in seconds
best() {
	_b=
	for _i in 1 2 3 4 5; do
		_s=$(now); sh -c "$1" >/dev/null 2>&1; _e=$(now)
		_b=$(awk -v s="$_s" -v e="$_e" -v b="$_b" 'BEGIN { t = e - s; if (b == "" || t < b) b = t; printf "%.4f", b }')
	done
	echo "$_b"
}
# usage CMD: "CPU-SECONDS PEAK-KiB" of one run of CMD (user + system time, and the peak
# resident memory), or "n/a n/a" without a /usr/bin/time that reports them
usage() {
	if /usr/bin/time -v true >/dev/null 2>&1; then
		/usr/bin/time -v sh -c "$1" 2>&1 >/dev/null | awk -F': ' '
			/User time/ { c += $2 } /System time/ { c += $2 } /Maximum resident/ { m = $2 }
			END { printf "%.3f %s\n", c, m }'
	elif /usr/bin/time -l true >/dev/null 2>&1; then
		/usr/bin/time -l sh -c "$1" 2>&1 >/dev/null | awk '
			/ real / { c = $3 + $5 } /maximum resident/ { m = int($1 / 1024) }
			END { printf "%.3f %s\n", c, m }'
	else
		echo "n/a n/a"
	fi
}

salt=0123456789ABCDEF
row() { printf '%-32s %8s %8s %8s %8s %9s %9s %6s\n' "$@"; }
row "parameters" "kiln s" "ref s" "kiln cpu" "ref cpu" "kiln KiB" "ref KiB" "ratio"
for cfg in default original; do
	case $cfg in
	default) ref="-id -t 2 -k 19456 -p 1 -l 32" label="default (argon2id m=19456 t=2)" ;;
	original) ref="-i -t 3 -k 4096 -p 1 -l 32" label="original (argon2i m=4096 t=3)" ;;
	esac
	k="printf password | '$KILN' passwd-hash --salt=$salt --config=$cfg"
	r="printf password | argon2 $salt $ref -e"
	[ "$(sh -c "$k")" = "$(sh -c "$r")" ] || { echo "bench/passwd.sh: kiln and argon2 disagree for $cfg" >&2; exit 1; }
	kt=$(best "$k") rt=$(best "$r")
	# shellcheck disable=SC2046
	set -- $(usage "$k") $(usage "$r")
	row "$label" "$kt" "$rt" "$1" "$3" "$2" "$4" "$(awk -v k="$kt" -v r="$rt" 'BEGIN { printf "%.2f", r / k }')"
done
