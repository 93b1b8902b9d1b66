#!/bin/sh
# bench/elf.sh: throughput of `kiln elf check` and `kiln elf strip` beside `eu-elflint --gnu-ld`
# and binutils `strip` on the same files: one large unstripped binary and a directory of 200
# small ones (all generated here with cc -g). One process per file for every tool, as a Ninja
# edge would run them. Prints a table: seconds (best of 3), MB/s, and the other tool's time
# divided by kiln's (above 1: kiln is faster); best of 5 runs. A command that exits with
# another status than its row expects (a tool failing at once looks fast) is named on stderr.
#
# usage: bench/elf.sh [KILN]     (default: ./kiln; CC, FUNCS=3000 and BLOB_MB=32 may be set:
#                                the large binary has FUNCS functions with -g and BLOB_MB MiB
#                                of read-only data, as a kernel or a big Rust program has)
set -eu
KILN=${1:-${KILN:-./kiln}}
case $KILN in /*) ;; *) KILN=$(pwd)/$KILN ;; esac
[ -x "$KILN" ] || { echo "bench/elf.sh: $KILN not found (pass the kiln binary)" >&2; exit 2; }
CC=${CC:-cc}
FUNCS=${FUNCS:-3000}
BLOB_MB=${BLOB_MB:-32}
for t in eu-elflint strip awk; do
	command -v $t >/dev/null 2>&1 || { echo "bench/elf.sh: $t is needed" >&2; exit 2; }
done
W=$(mktemp -d "${TMPDIR:-/tmp}/kiln-bench-elf.XXXXXX")
trap 'rm -rf "$W"' EXIT INT TERM
cd "$W"

now() { date +%s.%N 2>/dev/null | grep -v N || python3 -c 'import time; print(time.time())'; }
# best CMD [STATUS]: run CMD 5 times, print the best wall time in seconds; a run that exits
# with another status than STATUS (default 0) is said on stderr, since its time is then not
# that of the work the row stands for (a tool that fails at once is fast)
best() {
	_b= _bad=
	for _i in 1 2 3 4 5; do
		_rc=0
		_s=$(now); sh -c "$1" >/dev/null 2>&1 || _rc=$?; _e=$(now)
		[ "$_rc" -eq "${2:-0}" ] || _bad=$_rc
		_b=$(awk -v s="$_s" -v e="$_e" -v b="$_b" 'BEGIN { t = e - s; if (b == "" || t < b) b = t; printf "%.4f", b }')
	done
	[ -z "$_bad" ] || echo "bench/elf.sh: exit status $_bad, not ${2:-0}, from: $1" >&2
	echo "$_b"
}

# --- inputs ----------------------------------------------------------------------------------
echo "generating: one binary with $FUNCS functions (-g) and $BLOB_MB MiB of data, 200 small binaries (-g) ..." >&2
head -c $((BLOB_MB * 1048576)) /dev/urandom >blob.bin
awk -v n="$FUNCS" 'BEGIN {
	print "__asm__(\".section .rodata.blob,\\\"a\\\"\\n.incbin \\\"blob.bin\\\"\\n.previous\");";
	for (i = 0; i < n; i++)
		printf "int f%d(int x) { int s = %d; for (int j = 0; j < x; j++) s += (j * %d) ^ (s >> 3); return s; }\n", i, i, i * 7 + 1;
	print "int main(int c, char **v) { int s = 0;";
	for (i = 0; i < n; i++) printf "s += f%d(c);\n", i;
	print "return s & 1; }" }' >big.c
$CC -O1 -g big.c -o big
rm -f blob.bin
mkdir many
i=0
while [ $i -lt 200 ]; do
	awk -v k=$i 'BEGIN {
		m = k % 25 + 1;
		for (i = 0; i < m; i++) printf "static int g%d(int x) { return x * %d + %d; }\n", i, k + i, i;
		print "#include <stdio.h>\nint main(int c, char **v) { int s = 0;";
		for (i = 0; i < m; i++) printf "s += g%d(c);\n", i;
		printf "printf(\"%%d %d\\n\", s); return 0; }\n", k }' >many/p$i.c
	i=$((i + 1))
done
(cd many && $CC -O1 -g -c p*.c)
for o in many/*.o; do $CC "$o" -o "${o%.o}"; done
rm -f many/*.c many/*.o
printf 'int main(void) { return 0; }\n' >empty.c
$CC -O2 empty.c -o empty
bigsz=$(wc -c <big)
manysz=$(cat many/* | wc -c)

# --- runs ------------------------------------------------------------------------------------
mkdir out
K_CHECK="'$KILN' elf check big --policy=host-tool --forbid-path='$W/src'"
L_CHECK="eu-elflint --gnu-ld -q big"
K_STRIP="'$KILN' elf strip big -o out/big"
S_STRIP="strip -o out/big.gnu big"
# the loops exit with the status of a file that failed (else the last file's would count)
K_CHECKN="s=0; for f in many/*; do '$KILN' elf check \$f --policy=host-tool --forbid-path='$W/src' || s=\$?; done; exit \$s"
L_CHECKN="s=0; for f in many/*; do eu-elflint --gnu-ld -q \$f || s=\$?; done; exit \$s"
K_STRIPN="s=0; for f in many/*; do '$KILN' elf strip \$f -o out/\${f#many/} || s=\$?; done; exit \$s"
S_STRIPN="s=0; for f in many/*; do strip -o out/\${f#many/}.gnu \$f || s=\$?; done; exit \$s"
K_STRUCT="'$KILN' elf check big --policy=host-tool"
G_SCAN="LC_ALL=C grep -c -a -F -e /home/ -e /Users/ -e /opt/other/ -e '$W/src' big; [ \$? -le 1 ]"   # 1: none found
# the userspace policy fails a dynamic program without --provides (needed-missing): exit 1
K_SCAN="'$KILN' elf check big --policy=userspace --arch=x86_64 --forbid-path='$W/src'"
C_READ="cat big"
E_EMPTY="for f in many/*; do ./empty \$f; done"

row() { # LABEL BYTES KILN-CMD OTHER-NAME OTHER-CMD [KILN-STATUS]
	tk=$(best "$3" "${6:-0}")
	to=$(best "$5")
	awk -v l="$1" -v b="$2" -v tk="$tk" -v o="$4" -v to="$to" 'BEGIN {
		mk = tk > 0 ? b / 1048576 / tk : 0; mo = to > 0 ? b / 1048576 / to : 0;
		printf "%-30s %9.2f %8.3f %9.1f   %-20s %8.3f %9.1f %7.2fx\n", l, b / 1048576, tk, mk, o, to, mo, (tk > 0 ? to / tk : 0) }'
}

# the figures mean something only on an idle machine: say how busy it was
printf 'load average: %s\n' "$(uptime | sed 's/.*load average[s]*: *//')"
printf '%-30s %9s %8s %9s   %-20s %8s %9s %8s\n' workload MiB "kiln s" "kiln MB/s" other "other s" "MB/s" ratio
row "check: 1 large" "$bigsz" "$K_CHECK" "eu-elflint --gnu-ld" "$L_CHECK"
row "check: 200 small" "$manysz" "$K_CHECKN" "eu-elflint --gnu-ld" "$L_CHECKN"
row "check: 1 large, no host paths" "$bigsz" "$K_STRUCT" "eu-elflint --gnu-ld" "$L_CHECK"
row "host-path scan: 4 paths" "$bigsz" "$K_SCAN" "grep -F, 4 paths" "$G_SCAN" 1
row "check: 1 large (again)" "$bigsz" "$K_CHECK" "cat (read floor)" "$C_READ"
row "check: 200 small (again)" "$manysz" "$K_CHECKN" "empty C program" "$E_EMPTY"
row "strip: 1 large" "$bigsz" "$K_STRIP" "strip" "$S_STRIP"
row "strip: 200 small" "$manysz" "$K_STRIPN" "strip" "$S_STRIPN"
echo
printf 'sizes after strip: large %s -> kiln %s, strip %s bytes\n' "$bigsz" "$(wc -c <out/big)" "$(wc -c <out/big.gnu)"
ks=$(cat out/p*[0-9] | wc -c); gs=$(cat out/p*.gnu | wc -c)
printf '                   200 small %s -> kiln %s, strip %s bytes\n' "$manysz" "$ks" "$gs"
echo "ratio = other tool's time / kiln's time (above 1: kiln is faster); eu-elflint does far more" \
	"gABI checking than kiln's policy checks, so the check rows compare cost, not coverage."
