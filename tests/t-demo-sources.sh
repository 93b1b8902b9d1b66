#!/bin/sh
# t-demo-sources.sh: the bundled demo system's sources (examples/demo) build with the exact
# commands of examples/demo/BUILD.md, have the ELF and PE shapes kiln's policies demand, run,
# and boot: the images written by kiln from BUILD.md's manifests boot through the UEFI
# firmware alone (bootloader, kernel, bootstrap, init, hello, the motd from RedoxFS, a
# power-off), and disks with a bootstrap-less or corrupt initfs or a corrupt RedoxFS header
# stop with their error line. The readers of untrusted bytes replay their fuzz corpora.
. "$SRCDIR/tests/lib.sh"

D=$SRCDIR/examples/demo
T=$TMPDIR_T
A=$T/aarch64
unset NOPIE

# block NAME: print the shell block of BUILD.md between "<!-- build:NAME -->" and its fence end
block() {
	awk -v m="<!-- build:$1 -->" '$0 == m { f = 1; next }
		f && /^```sh/ { g = 1; next } g && /^```/ { exit } g { print }' "$D/BUILD.md"
}


# field FILE KEY: a value from readelf -h output ("Entry point address", "Type", ...)
field() {
	readelf -hW "$1" | sed -n "s/^ *$2: *//p"
}

# sym FILE NAME: the value of symbol NAME as 0x-hex without leading zeros
sym() {
	readelf -sW "$1" | awk -v n="$2" '$8 == n { v = $2; sub(/^0+/, "", v); print "0x" (v == "" ? "0" : v); exit }'
}

# loads FILE: "offset vaddr filesz memsz" of each PT_LOAD (hex as readelf prints it)
loads() {
	readelf -lW "$1" | awk '$1 == "LOAD" { print $2, $3, $5, $6 }'
}

# clean LOG: the serial log without ANSI escapes and carriage returns, into LOG.txt
clean() {
	_e=$(printf '\033') _r=$(printf '\r')
	sed -e "s/${_e}\[[0-9;?=]*[A-Za-z]//g" -e "s/${_e}.//g" -e "s/${_r}//g" "$1" >"$1.txt"
}

# boot DISK LOG: boot DISK (aarch64) through the firmware, its own copy of the variable store;
# the status of qemu (137 when killed after 60 s); LOG.txt is the cleaned log
boot() {
	cp /usr/share/AAVMF/AAVMF_VARS.fd "$T/vars.fd"
	with_timeout 60 qemu-system-aarch64 -M virt -cpu cortex-a72 -m 256M -no-reboot -nodefaults \
		-display none -monitor none -serial "file:$2" \
		-drive if=pflash,format=raw,unit=0,readonly=on,file=/usr/share/AAVMF/AAVMF_CODE.fd \
		-drive "if=pflash,format=raw,unit=1,file=$T/vars.fd" \
		-drive "file=$1,format=raw,if=none,id=disk,snapshot=on" -device virtio-blk-device,drive=disk \
		</dev/null >"$2.qemu" 2>&1
	_rc=$?
	clean "$2"
	return $_rc
}

# disk INITFS OUT: the aarch64 disk of BUILD.md with INITFS as /boot/initfs
disk() {
	sed "s|src:$A/initfs.img|src:$1|" "$A/rootfs.manifest" >"$T/alt.manifest"
	"$KILN" redoxfs create "$T/alt.manifest" -o "$T/alt-rootfs.img" --size 61M >/dev/null 2>&1
	"$KILN" gpt create -o "$2" --size 64M --part name=BIOS,type=bios,size=1048576 \
		--part "name=EFI,type=esp,image=$A/esp.img" --part "name=REDOX,type=redoxfs,image=$T/alt-rootfs.img" >/dev/null 2>&1
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
for f in kernel bootstrap init hello BOOTAA64.EFI; do cmp -s "$A/$f" "$T/again/$f" || r="$f differs"; done
eq build-reproducible ok "$r"

# --- ELF and PE shapes ------------------------------------------------------------------------
eq kernel-type "EXEC (Executable file)" "$(field "$A/kernel" Type)"
eq kernel-machine AArch64 "$(field "$A/kernel" Machine)"
e=$(field "$A/kernel" 'Entry point address')
eq kernel-entry-is-kstart "$(sym "$A/kernel" kstart)" "$e"
case $e in 0xffffff00000*) ok kernel-entry-at-the-redox-base ;; *) fail kernel-entry-at-the-redox-base "entry $e" ;; esac
# every file offset F is at 0xffffff0000000000 + F and the file backs all memory: the Redox
# bootloader, which maps the raw file, and the demo's, which copies PT_LOADs, agree
bad=$(loads "$A/kernel" | while read -r o v f m; do
	[ $((o)) -eq $((v - 0xffffff0000000000)) ] && [ "$f" = "$m" ] || echo "$o $v $f $m"; done)
eq kernel-loads-offset-equals-address "" "$bad"
check kernel-passes-the-kernel-policy "$KILN" elf check "$A/kernel" --policy=kernel --arch=aarch64

eq bootstrap-type "EXEC (Executable file)" "$(field "$A/bootstrap" Type)"
eq bootstrap-entry 0x3000 "$(field "$A/bootstrap" 'Entry point address')"
eq bootstrap-entry-is-start 0x3000 "$(sym "$A/bootstrap" _start)"
eq bootstrap-initfs-header 0x1000 "$(sym "$A/bootstrap" __initfs_header)"
bad=$(loads "$A/bootstrap" | while read -r o v f m; do
	[ $((v)) -eq $((o + 0x2000)) ] && [ "$f" = "$m" ] || echo "$o $v $f $m"; done)
eq bootstrap-loads-in-place "" "$bad"
for p in init hello; do
	eq $p-type "EXEC (Executable file)" "$(field "$A/$p" Type)"
	e=$(field "$A/$p" 'Entry point address')
	eq $p-entry-is-start "$(sym "$A/$p" _start)" "$e"
	[ "$e" != 0x0 ] && ok $p-entry-nonzero || fail $p-entry-nonzero "entry 0"
	eq $p-static-no-interp-no-dynamic "" "$(readelf -lW "$A/$p" | grep -E 'INTERP|DYNAMIC')"
done
check bootloader-passes-the-uefi-policy "$KILN" elf check "$A/BOOTAA64.EFI" --policy=uefi --arch=aarch64
"$KILN" elf check "$A/BOOTAA64.EFI" --policy=uefi --arch=aarch64 --json >"$T/efi.json" 2>&1
contains bootloader-is-pe32plus-aarch64 "$T/efi.json" 'PE32\+ aarch64'

# --- hello runs under qemu-aarch64 (user mode): write and exit are Linux's -------------------
out=$(qemu-aarch64 "$A/hello")
eq hello-runs-status 0 $?
eq hello-output "hello from kiln-demo" "$out"

# --- the images of BUILD.md, written by kiln ----------------------------------------------------
block images >"$T/images.sh"
if KILN=$KILN S=$D O=$A EFI=BOOTAA64.EFI sh -e "$T/images.sh" >"$T/images.out" 2>&1; then ok images-block; else
	fail images-block "$(head -c 400 "$T/images.out" | tr '\n' ' ')"; fi
"$KILN" gpt list "$A/harddrive.img" >"$T/gpt" 2>&1
contains images-three-partitions "$T/gpt" 'REDOX'
"$KILN" fat list "$A/esp.img" >"$T/esp" 2>&1
contains images-esp-holds-the-bootloader "$T/esp" 'file +[0-9]+ /EFI/BOOT/BOOTAA64.EFI'

# --- boot: the block of BUILD.md, through the firmware alone -----------------------------------
block boot-aarch64 >"$T/boot.sh"
S=$D O=$A with_timeout 60 sh "$T/boot.sh" </dev/null >"$T/boot.out" 2>&1
eq boot-powers-off 0 $?
clean "$A/serial.log"
L=$A/serial.log.txt
# each stage's line, and in this order
n=0
for want in "kiln-demo bootloader on aarch64/UEFI, started by the firmware: EDK II" \
	"bootloader: GPT partition 3: type 0FC63DAF-8483-4772-8E79-3D69D8477DE4 (RedoxFS)" \
	"bootloader: RedoxFS found on GPT partition 3 at byte 0x200000" \
	"bootloader: kernel /boot/kernel: $(wc -c <"$A/kernel" | tr -d ' ') bytes" \
	"bootloader: initfs /boot/initfs: $(wc -c <"$A/initfs.img" | tr -d ' ') bytes" \
	"kiln-demo: kernel started (aarch64)" \
	"kiln-demo: initfs: file 0755" \
	"kiln-demo: rootfs: RedoxFS" \
	"bootstrap: running in place, _start at 0x3000, run 1" \
	"bootstrap: /bin/init: inode" \
	"init: running /etc/init.rc ($(wc -c <"$D/etc/init.rc" | tr -d ' ') bytes, from the initfs)" \
	"kiln-demo: starting hello" \
	"hello from kiln-demo" \
	"$(head -n 1 "$D/etc/motd")" \
	"init: /usr/bin (from RedoxFS): hello" \
	"kiln-demo: init exited with status 0"; do
	n=$((n + 1))
	at=$(grep -nF -m1 -- "$want" "$L" | cut -d: -f1)
	if [ -z "$at" ]; then fail "boot-stage-$n" "no line '$want' in the serial log"
	elif [ -n "${prev:-}" ] && [ "$at" -le "$prev" ]; then fail "boot-stage-$n" "'$want' at line $at, before the previous stage (line $prev)"
	else ok "boot-stage-$n"; prev=$at; fi
done
eq boot-done-last "kiln-demo: done" "$(tail -n 1 "$L")"
eq boot-no-error-line "" "$(grep -E '(bootloader|kiln-demo|bootstrap|init): error:' "$L")"

# --- boot failures: one clear line, a power-off, no "done" --------------------------------------
# bootfail NAME PATTERN DISK
bootfail() {
	boot "$3" "$T/$1.log"
	_rc=$?
	if [ "$_rc" -ne 0 ]; then fail "$1" "qemu exit status $_rc (hung or crashed)"
	elif grep -q '^kiln-demo: done' "$T/$1.log.txt"; then fail "$1" "booted to 'done'"
	elif grep -Eq -- "$2" "$T/$1.log.txt"; then ok "$1"
	else fail "$1" "serial log does not match /$2/: $(tail -n 2 "$T/$1.log.txt" | tr '\n' ' ')"; fi
}
# the initfs packed without the bootstrap: the kernel refuses it (the Redox kernel jumps to
# 0xFFFFFFFFFFFFFFFF)
"$KILN" initfs create "$A/initfs.manifest" -o "$T/noboot.initfs" --no-bootstrap >/dev/null 2>&1
disk "$T/noboot.initfs" "$T/noboot.img"
bootfail boot-no-bootstrap '^kiln-demo: error: initfs: no bootstrap was packed \(bootstrap_entry 0xffffffffffffffff\)' "$T/noboot.img"
# a compact initfs with a directory cycle (fuzz seed): the kernel's walk stops with an error
disk "$D/lib/fuzz-corpus/cycle.initfs" "$T/cycle.img"
bootfail boot-initfs-dir-cycle '^kiln-demo: error: initfs: more directory entries than inodes' "$T/cycle.img"
# a corrupted RedoxFS header (a byte of the uuid, at 2 MiB + 16): the bootloader names it
cp "$A/harddrive.img" "$T/badfs.img"
printf 'X' | dd of="$T/badfs.img" bs=1 seek=$((2 * 1024 * 1024 + 16)) conv=notrunc 2>/dev/null
bootfail boot-corrupt-redoxfs-header '^bootloader: error: RedoxFS: header checksum mismatch' "$T/badfs.img"

# --- clang and lld: the kernel and programs of the same block build and boot --------------------
C=$T/clang
if CC="clang --target=aarch64-none-elf -fuse-ld=lld" NOPIE= S=$D O=$C \
	sh -e "$T/build-aarch64.sh" >"$T/buildc.out" 2>&1 && ! [ -s "$T/buildc.out" ]; then
	ok build-clang; else fail build-clang "$(head -c 400 "$T/buildc.out" | tr '\n' ' ')"; fi
eq clang-hello-entry-is-start "$(sym "$C/hello" _start)" "$(field "$C/hello" 'Entry point address')"
eq clang-hello-output "hello from kiln-demo" "$(qemu-aarch64 "$C/hello")"
KILN=$KILN S=$D O=$C EFI=BOOTAA64.EFI sh -e "$T/images.sh" >/dev/null 2>&1
boot "$C/harddrive.img" "$T/clang.log"
eq clang-boot-powers-off 0 $?
contains clang-boot-init-ran-hello "$T/clang.log.txt" '^hello from kiln-demo$'
eq clang-boot-done "kiln-demo: done" "$(tail -n 1 "$T/clang.log.txt")"

# --- x86_64: the x86_64 block of BUILD.md builds, with the same shapes --------------------------
X=$T/x86_64
block x86_64 >"$T/build-x86_64.sh"
if CC=gcc S=$D O=$X sh -e "$T/build-x86_64.sh" >"$T/buildx.out" 2>&1 && ! [ -s "$T/buildx.out" ]; then
	ok build-x86_64; else fail build-x86_64 "$(head -c 400 "$T/buildx.out" | tr '\n' ' ')"; fi
eq x86_64-kernel-type "EXEC (Executable file)" "$(field "$X/kernel" Type)"
eq x86_64-kernel-machine "Advanced Micro Devices X86-64" "$(field "$X/kernel" Machine)"
e=$(field "$X/kernel" 'Entry point address')
eq x86_64-kernel-entry-is-kstart "$(sym "$X/kernel" kstart)" "$e"
case $e in 0xffffffff8*) ok x86_64-kernel-entry-at-the-redox-base ;; *) fail x86_64-kernel-entry-at-the-redox-base "entry $e" ;; esac
check x86_64-kernel-passes-the-kernel-policy "$KILN" elf check "$X/kernel" --policy=kernel --arch=x86_64
check x86_64-bootloader-passes-the-uefi-policy "$KILN" elf check "$X/BOOTX64.EFI" --policy=uefi --arch=x86_64
eq x86_64-bootstrap-entry 0x3000 "$(field "$X/bootstrap" 'Entry point address')"
for p in init hello; do
	eq x86_64-$p-entry-is-start "$(sym "$X/$p" _start)" "$(field "$X/$p" 'Entry point address')"
	eq x86_64-$p-static "" "$(readelf -lW "$X/$p" | grep -E 'INTERP|DYNAMIC')"
done
eq x86_64-hello-output "hello from kiln-demo" "$(qemu-x86_64 "$X/hello")"

# --- the readers of untrusted bytes replay their fuzz corpora (host build, sanitizers if any) ---
cc=${CC:-cc}
san=
if $cc -fsanitize=address,undefined -x c -o "$T/san" - >/dev/null 2>&1 <<'EOF'
int main(void) { return 0; }
EOF
then san="-fsanitize=address,undefined -fno-sanitize-recover=all"; fi
# replay NAME EXT SOURCES...: build the driver and replay lib/fuzz-corpus/*.EXT
replay() {
	_name=$1 _ext=$2; shift 2
	if $cc -std=c11 -O1 -g $san -I"$D/lib" -o "$T/fz-$_name" "$@" "$SRCDIR/tests/fuzz/standalone.c" >"$T/fzcc.out" 2>&1; then
		_n=$(ls "$D/lib/fuzz-corpus/"*."$_ext" | wc -l | tr -d ' ')
		"$T/fz-$_name" "$D/lib/fuzz-corpus/"*."$_ext" >"$T/replay.out" 2>&1
		_rc=$?
		_r=$(grep -c '^ok replay' "$T/replay.out")
		if [ "$_rc" -eq 0 ] && [ "$_r" -eq "$_n" ] && [ "$_n" -gt 0 ]; then ok "fuzz-corpus-replay-$_name"; else
			fail "fuzz-corpus-replay-$_name" "status $_rc, $_r of $_n replayed: $(tail -n 3 "$T/replay.out" | tr '\n' ' ')"; fi
	else fail "fuzz-corpus-replay-$_name" "driver does not build: $(head -c 300 "$T/fzcc.out")"; fi
}
replay initfs initfs "$D/lib/fuzz-initfs.c" "$D/lib/initfs.c"
replay elf elf-seed "$D/lib/fuzz-elf.c" "$D/lib/elf.c"
replay redoxfs redoxfs "$D/lib/fuzz-redoxfs.c" "$D/lib/redoxfs.c" "$D/lib/lz4.c" "$D/lib/seahash.c"
replay redoxfs-nohash redoxfs -DRFS_FUZZ_SKIP_HASH "$D/lib/fuzz-redoxfs.c" "$D/lib/redoxfs.c" "$D/lib/lz4.c" "$D/lib/seahash.c"

# --- the RedoxFS reader reads what kiln writes: every file of the seeds, plain and LZ4 ---------
cat >"$T/rd.c" <<'EOF'
#include <stdio.h>
#include <string.h>
#include "redoxfs.h"
static unsigned char rec[RFS_RECORD_MAX], raw[RFS_RECORD_MAX], buf[1 << 20];
static struct rfs fs;
static struct rfs_node n;
static FILE *f;
static const char *rd(void *c, uint64_t off, unsigned char *b, uint64_t len)
{
	(void)c;
	return fseek(f, (long)off, SEEK_SET) || fread(b, 1, len, f) != len ? "short read" : 0;
}
/* rd IMAGE PATH: PATH's bytes on stdout, or the reader's error on stderr */
int main(int argc, char **argv)
{
	const char *e;
	uint64_t got;
	long size;

	if (argc != 3 || !(f = fopen(argv[1], "rb")))
		return 2;
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	if ((e = rfs_open(&fs, rd, 0, (uint64_t)size, rec, raw)) || (e = rfs_lookup(&fs, argv[2], &n)) ||
	    (e = rfs_read(&fs, &n, 0, buf, sizeof buf, &got))) {
		fprintf(stderr, "%s\n", e);
		return 1;
	}
	fwrite(buf, 1, got, stdout);
	return 0;
}
EOF
if $cc -std=c11 -O1 $san -I"$D/lib" -o "$T/rd" "$T/rd.c" "$D/lib/redoxfs.c" "$D/lib/lz4.c" "$D/lib/seahash.c" >"$T/rdcc.out" 2>&1; then
	"$T/rd" "$A/rootfs.img" /boot/kernel >"$T/kernel.read" 2>"$T/rd.err"
	same reader-reads-the-kernel-kiln-wrote "$A/kernel" "$T/kernel.read"
	"$T/rd" "$A/rootfs.img" /etc/motd >"$T/motd.read" 2>"$T/rd.err"
	same reader-reads-an-inline-file "$D/etc/motd" "$T/motd.read"
	# the LZ4 seed: the same files as the plain one, its records compressed
	python3 - "$D/lib/fuzz-corpus" "$T" <<'PY'
import sys
src, out = sys.argv[1], sys.argv[2]
for name in ("small", "lz4"):
    d = open(src + "/" + name + ".redoxfs", "rb").read()
    size = int.from_bytes(d[32:40], "little")
    img = bytearray(size)
    img[:4096] = d[:4096]
    img[257 * 4096:257 * 4096 + len(d) - 4096] = d[4096:]
    open(out + "/" + name + ".full", "wb").write(img)
PY
	for p in /boot/kernel /usr/lib/boot/initfs /etc/motd; do
		"$T/rd" "$T/small.full" "$p" >"$T/plain.read" 2>"$T/rd.err"
		"$T/rd" "$T/lz4.full" "$p" >"$T/lz4.read" 2>>"$T/rd.err"
		if [ -s "$T/plain.read" ] && cmp -s "$T/plain.read" "$T/lz4.read"; then ok "reader-lz4-records-$p"; else
			fail "reader-lz4-records-$p" "plain and LZ4 reads differ: $(head -c 200 "$T/rd.err")"; fi
	done
	# the seed's last block is the compressed record of /usr/lib/boot/initfs
	last=$((257 + $(wc -c <"$D/lib/fuzz-corpus/lz4.redoxfs") / 4096 - 2))
	printf 'X' | dd of="$T/lz4.full" bs=1 seek=$((4096 * last + 7)) conv=notrunc 2>/dev/null
	if "$T/rd" "$T/lz4.full" /usr/lib/boot/initfs >/dev/null 2>"$T/rd.err"; then
		fail reader-refuses-a-corrupt-record "a changed byte in a compressed record was not noticed"
	else contains reader-refuses-a-corrupt-record "$T/rd.err" 'checksum mismatch'; fi
else fail reader-builds "$(head -c 300 "$T/rdcc.out")"; fi
