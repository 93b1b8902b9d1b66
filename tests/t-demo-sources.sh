#!/bin/sh
# t-demo-sources.sh: the bundled demo system's sources (examples/demo) build with the exact
# commands of examples/demo/BUILD.md, have the ELF shapes kiln's policies demand, run, and
# boot: the aarch64 kernel in qemu-system-aarch64 prints the header of an initfs made by
# `kiln initfs create`, /etc/init.rc byte for byte, runs the bootstrap in place, and stops
# with a clear error line on a missing, corrupt or bootstrap-less initfs.
. "$SRCDIR/tests/lib.sh"

D=$SRCDIR/examples/demo
T=$TMPDIR_T
A=$T/aarch64
unset NOPIE

# block ARCH: print the shell block of BUILD.md between "<!-- build:ARCH -->" and its fence end
block() {
	awk -v m="<!-- build:$1 -->" '$0 == m { f = 1; next }
		f && /^```sh/ { g = 1; next } g && /^```/ { exit } g { print }' "$D/BUILD.md"
}

# with_timeout SECONDS CMD...: run CMD, killing it after SECONDS; status 137 when killed
with_timeout() {
	_t=$1; shift
	"$@" &
	_p=$!
	( sleep "$_t" & _s=$!; trap 'kill $_s 2>/dev/null; exit 0' TERM; wait $_s
	  kill -9 $_p 2>/dev/null ) &
	_w=$!
	wait $_p
	_rc=$?
	kill $_w 2>/dev/null
	wait $_w 2>/dev/null
	return $_rc
}

# boot LOG [INITFS [KERNEL]]: boot the aarch64 kernel (default $A/kernel) with INITFS at
# 0x44000000; the status of qemu (137 when killed after 20 s)
boot() {
	_log=$1
	set -- -M virt -cpu cortex-a72 -m 128M -nodefaults -display none -monitor none \
		-no-reboot -serial "file:$_log" -kernel "${3:-$A/kernel}" ${2:+-device} \
		${2:+loader,file=$2,addr=0x44000000,force-raw=on}
	with_timeout 20 qemu-system-aarch64 "$@" </dev/null >"$_log.qemu" 2>&1
}

# field FILE KEY: a value from readelf -h output ("Entry point address", "Type", ...)
field() {
	readelf -hW "$1" | sed -n "s/^ *$2: *//p"
}

# sym FILE NAME: the value of symbol NAME as 0x-hex without leading zeros
sym() {
	readelf -sW "$1" | awk -v n="$2" '$8 == n { v = $2; sub(/^0+/, "", v); print "0x" (v == "" ? "0" : v); exit }'
}

# loads FILE: "offset vaddr filesz memsz" of each PT_LOAD, as decimal numbers
loads() {
	readelf -lW "$1" | awk '$1 == "LOAD" { printf "%d %d %d %d\n", $2, $3, $5, $6 }'
}

# --- build: the aarch64 block of BUILD.md, with warnings counted as failures -------------
block aarch64 >"$T/build-aarch64.sh"
if [ -s "$T/build-aarch64.sh" ]; then ok build-block-extracted; else
	fail build-block-extracted "no <!-- build:aarch64 --> sh block in BUILD.md"; fi
if CC=aarch64-linux-gnu-gcc S=$D O=$A sh -e "$T/build-aarch64.sh" >"$T/build.out" 2>&1; then
	if [ -s "$T/build.out" ]; then
		fail build-aarch64 "warnings: $(head -c 400 "$T/build.out" | tr '\n' ' ')"
	else ok build-aarch64; fi
else fail build-aarch64 "$(head -c 400 "$T/build.out" | tr '\n' ' ')"; fi

# the same commands give the same bytes (nothing from the clock, paths or build ids)
CC=aarch64-linux-gnu-gcc S=$D O=$T/again sh -e "$T/build-aarch64.sh" >/dev/null 2>&1
r=ok
for f in kernel bootstrap init hello; do cmp -s "$A/$f" "$T/again/$f" || r="$f differs"; done
eq build-reproducible ok "$r"

# --- ELF shapes ---------------------------------------------------------------------------
eq kernel-type "EXEC (Executable file)" "$(field "$A/kernel" Type)"
eq kernel-machine AArch64 "$(field "$A/kernel" Machine)"
eq kernel-entry 0x40080000 "$(field "$A/kernel" 'Entry point address')"
eq kernel-entry-is-start 0x40080000 "$(sym "$A/kernel" _start)"
eq kernel-first-load-at-script-address 1074266112 "$(loads "$A/kernel" | awk 'NR == 1 { print $2 }')"
t=$(readelf -SW "$A/kernel" | sed -n 's/^ *\[ *[0-9]*\] \.text  *[A-Z]*  *[0-9a-f]*  *[0-9a-f]*  *\([0-9a-f]*\).*/\1/p')
if [ -n "$t" ] && [ $((0x$t)) -gt 1024 ]; then ok kernel-has-text; else
	fail kernel-has-text "no .text or a tiny one ($t): linked without kernel/aarch64.ld?"; fi

eq bootstrap-type "EXEC (Executable file)" "$(field "$A/bootstrap" Type)"
eq bootstrap-entry 0x3000 "$(field "$A/bootstrap" 'Entry point address')"
eq bootstrap-entry-is-start 0x3000 "$(sym "$A/bootstrap" _start)"
eq bootstrap-initfs-header 0x1000 "$(sym "$A/bootstrap" __initfs_header)"
loads "$A/bootstrap" >"$T/bs-loads"
eq bootstrap-three-loads 3 "$(wc -l <"$T/bs-loads" | tr -d ' ')"
bad=$(awk '$2 != $1 + 8192 || $3 != $4 { print }' "$T/bs-loads")
eq bootstrap-loads-in-place "" "$bad"
eq bootstrap-headers-at-0x2000 "0 8192" "$(awk 'NR == 1 { print $1, $2 }' "$T/bs-loads")"
for p in init hello; do
	eq $p-type "EXEC (Executable file)" "$(field "$A/$p" Type)"
	eq $p-machine AArch64 "$(field "$A/$p" Machine)"
	e=$(field "$A/$p" 'Entry point address')
	eq $p-entry-is-start "$(sym "$A/$p" _start)" "$e"
	[ "$e" != 0x0 ] && ok $p-entry-nonzero || fail $p-entry-nonzero "entry 0"
	h=$(readelf -lW "$A/$p" | grep -E 'INTERP|DYNAMIC')
	eq $p-static-no-interp-no-dynamic "" "$h"
done

# --- user mode: hello and init run under qemu-aarch64 ------------------------------------
out=$(qemu-aarch64 "$A/hello")
eq hello-runs-status 0 $?
eq hello-output "hello from kiln-demo" "$out"
qemu-aarch64 "$A/init" /bin/hello >"$T/init.out" 2>&1
eq init-runs-status 0 $?
contains init-output "$T/init.out" '^init: would run /bin/hello$'

# --- the initfs, written by kiln ----------------------------------------------------------
cat >"$T/initfs.manifest" <<EOF
kiln-manifest 1
file /bin/init    0755 0 0 src:$A/init
file /bin/hello   0755 0 0 src:$A/hello
file /etc/init.rc 0644 0 0 src:$D/etc/init.rc
EOF
check initfs-create "$KILN" initfs create "$T/initfs.manifest" -o "$A/initfs.img" \
	--bootstrap "$A/bootstrap"
check initfs-create-no-bootstrap "$KILN" initfs create "$T/initfs.manifest" \
	-o "$A/noboot.img" --no-bootstrap

# --- boot ---------------------------------------------------------------------------------
boot "$T/boot.log" "$A/initfs.img"
eq boot-qemu-exits-by-psci 0 $?
size=$(wc -c <"$A/initfs.img" | tr -d ' ')
contains boot-header "$T/boot.log" \
	"^kiln-demo: initfs at 0x44000000: magic RedoxFtw, inodes 6, bootstrap_entry 0x3000, initfs_size $size\$"
contains boot-lists-hello "$T/boot.log" '^kiln-demo: initfs: file 0755 [0-9]+ /bin/hello$'
# the bytes after the "/etc/init.rc: inode N, LEN bytes" line are the file, exactly LEN long
line=$(grep -a -m1 '^kiln-demo: /etc/init.rc: inode [0-9]*, [0-9]* bytes$' "$T/boot.log")
len=$(echo "$line" | sed 's/.*, \([0-9]*\) bytes$/\1/')
off=$(grep -a -b -m1 '^kiln-demo: /etc/init.rc: inode' "$T/boot.log" | cut -d: -f1)
if [ -n "$line" ] && [ -n "$off" ]; then
	dd if="$T/boot.log" of="$T/init.rc.printed" bs=1 skip=$((off + ${#line} + 1)) \
		count="$len" 2>/dev/null
	eq boot-init-rc-length "$(wc -c <"$D/etc/init.rc" | tr -d ' ')" "$len"
	same boot-init-rc-identical "$D/etc/init.rc" "$T/init.rc.printed"
else
	fail boot-init-rc-identical "no '/etc/init.rc: inode N, LEN bytes' line in the serial log"
fi
contains boot-bootstrap-in-place "$T/boot.log" '^bootstrap: running in place, _start at 0x3000, run 1$'
contains boot-bootstrap-sees-initfs "$T/boot.log" "^bootstrap: initfs at 0x1000, $size bytes, 6 inodes\$"
contains boot-bootstrap-finds-init "$T/boot.log" '^bootstrap: /bin/init: inode [0-9]+, ELF'
contains boot-bootstrap-exit "$T/boot.log" '^kiln-demo: bootstrap exited with status 0$'
eq boot-done-last "kiln-demo: done" "$(tail -n 1 "$T/boot.log")"

# --- boot failures: one clear line, QEMU still exits, no "done" ---------------------------
# bootfail NAME PATTERN [INITFS]
bootfail() {
	boot "$T/$1.log" "${3:-}"
	_rc=$?
	if [ "$_rc" -ne 0 ]; then fail "$1" "qemu exit status $_rc (hung or crashed)"
	elif grep -q '^kiln-demo: done' "$T/$1.log"; then fail "$1" "booted to 'done'"
	elif grep -Eq -- "$2" "$T/$1.log"; then ok "$1"
	else fail "$1" "serial log does not match /$2/: $(tail -n 2 "$T/$1.log" | tr '\n' ' ')"; fi
}
bootfail boot-no-initfs '^kiln-demo: error: initfs at 0x44000000: no initfs \(the magic bytes are zero'
# F7: packed without the bootstrap; /etc/init.rc is still printed before the refusal
bootfail boot-no-bootstrap '^kiln-demo: error: initfs: no bootstrap was packed \(bootstrap_entry 0xffffffffffffffff\)' "$A/noboot.img"
contains boot-no-bootstrap-still-reads "$T/boot-no-bootstrap.log" '^kiln-demo: end of /etc/init.rc$'
# corrupt copies: bad magic, inode table past the end, init.rc data past the end
cp "$A/initfs.img" "$T/badmagic.img"
printf 'X' | dd of="$T/badmagic.img" bs=1 seek=0 conv=notrunc 2>/dev/null
bootfail boot-bad-magic '^kiln-demo: error: initfs at 0x44000000: bad magic' "$T/badmagic.img"
cp "$A/initfs.img" "$T/baditable.img"
printf '\377\377\377\000' | dd of="$T/baditable.img" bs=1 seek=8 conv=notrunc 2>/dev/null
bootfail boot-bad-inode-table 'error: initfs at 0x44000000: inode table extends past initfs_size' "$T/baditable.img"
# the inode of /etc/init.rc: patch its data offset (record byte 8) to 0x7fffffff
it=$(od -An -tu4 -j8 -N4 "$A/initfs.img" | tr -d ' ')
ino=$(echo "$line" | sed 's/.*inode \([0-9]*\),.*/\1/')
cp "$A/initfs.img" "$T/badrc.img"
printf '\377\377\377\177' | dd of="$T/badrc.img" bs=1 seek=$((it + ${ino:-0} * 20 + 8)) \
	conv=notrunc 2>/dev/null
bootfail boot-bad-data-offset 'error: (/etc/init.rc|initfs): inode data extends past initfs_size' "$T/badrc.img"
# a compact image with a directory cycle (fuzz seed): the walk stops with an error
bootfail boot-dir-cycle 'error: initfs: more directory entries than inodes' "$D/lib/fuzz-corpus/cycle.initfs"

# --- clang and lld: the same aarch64 block (NOPIE= as BUILD.md says) builds and boots ----
C=$T/clang
if CC="clang --target=aarch64-none-elf -fuse-ld=lld" NOPIE= S=$D O=$C \
	sh -e "$T/build-aarch64.sh" >"$T/buildc.out" 2>&1 && ! [ -s "$T/buildc.out" ]; then
	ok build-clang; else fail build-clang "$(head -c 400 "$T/buildc.out" | tr '\n' ' ')"; fi
eq clang-bootstrap-loads-in-place "" "$(loads "$C/bootstrap" | awk '$2 != $1 + 8192 || $3 != $4')"
eq clang-hello-entry-is-start "$(sym "$C/hello" _start)" "$(field "$C/hello" 'Entry point address')"
eq clang-hello-output "hello from kiln-demo" "$(qemu-aarch64 "$C/hello")"
sed "s|$A/|$C/|" "$T/initfs.manifest" >"$T/clang.manifest"
"$KILN" initfs create "$T/clang.manifest" -o "$C/initfs.img" --bootstrap "$C/bootstrap" 2>/dev/null
boot "$T/clang.log" "$C/initfs.img" "$C/kernel"
eq clang-boot-exits 0 $?
contains clang-boot-bootstrap "$T/clang.log" '^kiln-demo: bootstrap exited with status 0$'
eq clang-boot-done "kiln-demo: done" "$(tail -n 1 "$T/clang.log")"

# --- x86_64: the x86_64 block of BUILD.md builds, with the same ELF shapes -----------------
X=$T/x86_64
block x86_64 >"$T/build-x86_64.sh"
if CC=gcc S=$D O=$X sh -e "$T/build-x86_64.sh" >"$T/buildx.out" 2>&1 && ! [ -s "$T/buildx.out" ]; then
	ok build-x86_64; else fail build-x86_64 "$(head -c 400 "$T/buildx.out" | tr '\n' ' ')"; fi
eq x86_64-kernel-type "EXEC (Executable file)" "$(field "$X/kernel" Type)"
eq x86_64-kernel-machine "Advanced Micro Devices X86-64" "$(field "$X/kernel" Machine)"
eq x86_64-kernel-entry 0x200000 "$(field "$X/kernel" 'Entry point address')"
eq x86_64-bootstrap-entry 0x3000 "$(field "$X/bootstrap" 'Entry point address')"
eq x86_64-bootstrap-loads-in-place "" "$(loads "$X/bootstrap" | awk '$2 != $1 + 8192 || $3 != $4')"
for p in init hello; do
	eq x86_64-$p-entry-is-start "$(sym "$X/$p" _start)" "$(field "$X/$p" 'Entry point address')"
	eq x86_64-$p-static "" "$(readelf -lW "$X/$p" | grep -E 'INTERP|DYNAMIC')"
done
eq x86_64-hello-output "hello from kiln-demo" "$(qemu-x86_64 "$X/hello")"

# --- the kernel's initfs reader replays its fuzz corpus (host build, sanitizers if any) ---
cc=${CC:-cc}
san=
if $cc -fsanitize=address,undefined -x c -o "$T/san" - >/dev/null 2>&1 <<'EOF'
int main(void) { return 0; }
EOF
then san="-fsanitize=address,undefined -fno-sanitize-recover=all"; fi
if $cc -std=c11 -O1 -g $san -I"$D/lib" -o "$T/fuzz-initfs" "$D/lib/fuzz-initfs.c" \
	"$D/lib/initfs.c" "$SRCDIR/tests/fuzz/standalone.c" >"$T/fuzzcc.out" 2>&1; then
	n=$(ls "$D/lib/fuzz-corpus" | wc -l | tr -d ' ')
	"$T/fuzz-initfs" "$D"/lib/fuzz-corpus/* >"$T/replay.out" 2>&1
	rc=$?
	r=$(grep -c '^ok replay' "$T/replay.out")
	if [ "$rc" -eq 0 ] && [ "$r" -eq "$n" ] && [ "$n" -gt 0 ]; then ok fuzz-corpus-replay; else
		fail fuzz-corpus-replay "status $rc, $r of $n replayed: $(tail -n 3 "$T/replay.out" | tr '\n' ' ')"; fi
else fail fuzz-corpus-replay "driver does not build: $(head -c 300 "$T/fuzzcc.out")"; fi
