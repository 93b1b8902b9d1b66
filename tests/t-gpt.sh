#!/bin/sh
# t-gpt.sh: kiln gpt create/list: the installer's layout (formats.md 3.1), protective MBR
# bytes, sgdisk -v/-p, partition images copied in (sparse) by each copy mode (clone, extents,
# plain: the same bytes), derived GUIDs, CRC and backup verification, bad input, fuzz replay.
. "$SRCDIR/tests/lib.sh"
T=$TMPDIR_T
cd "$T" || exit 2
# the fuzz replay is built like kiln itself (same compiler, flags and sanitizers, if any)
mk() { sed -n "s/^$1 = //p" "$BUILDDIR/Makefile"; }
cc=$(mk CC) cflags=$(mk CFLAGS) ldflags=$(mk LDFLAGS) libs=$(mk LIBS)

# (SHA-256, which derives the GUIDs, has its FIPS 180-4 vectors in tests/unit-sha256.c)

# --- the installer's 64 MiB layout with real partition images -------------------------------
head -c 300000 /dev/urandom >esp.img
# a hole in the middle (dd seeks past the end), then more data: the hole stays a hole
head -c 5000 /dev/urandom | dd of=esp.img bs=5000 seek=460 conv=notrunc 2>/dev/null
head -c 3000000 /dev/urandom >root.img
parts="--part name=BIOS,type=bios,size=1M --part name=EFI,type=esp,size=1M --part name=REDOX,type=redoxfs,image=root.img"
check "create 64 MiB disk" "$KILN" gpt create -o disk.img --size 64M $parts
eq "disk size" 67108864 "$(wc -c <disk.img | tr -d ' ')"
sgdisk -v disk.img >v.out 2>&1
contains "sgdisk -v: no problems" v.out 'No problems found'
sgdisk -p disk.img >p.out 2>&1
contains "sgdisk -p: BIOS 34..2047" p.out '^ +1 +34 +2047 .* EF02 +BIOS$'
contains "sgdisk -p: EFI 2048..4095" p.out '^ +2 +2048 +4095 .* EF00 +EFI$'
contains "sgdisk -p: REDOX 4096..129023 (Linux fs)" p.out '^ +3 +4096 +129023 .* 8300 +REDOX$'
dd if=disk.img of=root.back bs=512 skip=4096 count=$((3000000 / 512)) 2>/dev/null
head -c $((3000000 / 512 * 512)) root.img >root.head
same "partition image copied at LBA 4096" root.head root.back
eq "protective MBR record (formats.md 3.2)" "00000200eeffffff01000000ffff0100" \
	"$(od -An -tx1 -j446 -N16 disk.img | tr -d ' \n')"
eq "MBR signature" "55aa" "$(od -An -tx1 -j510 -N2 disk.img | tr -d ' \n')"
eq "MBR boot code area left zero" 0 "$(head -c 446 disk.img | tr -d '\0' | wc -c | tr -d ' ')"
eq "header: EFI PART, revision 1.0, 92 bytes" "4546492050415254000001005c000000" \
	"$(od -An -tx1 -j512 -N16 disk.img | tr -d ' \n')"
eq "ESP type GUID bytes (mixed-endian)" "28732ac11ff8d211ba4b00a0c93ec93b" \
	"$(od -An -tx1 -j$((1024 + 128)) -N16 disk.img | tr -d ' \n')"
eq "partition name UTF-16LE" "450046004900" "$(od -An -tx1 -j$((1024 + 128 + 56)) -N6 disk.img | tr -d ' \n')"

"$KILN" gpt create -o esp-disk.img --size 64M --part name=BIOS,type=bios,size=1M \
	--part name=EFI,type=esp,image=esp.img --part name=REDOX,type=redoxfs 2>/dev/null
sgdisk -p esp-disk.img >p2.out 2>&1
contains "ESP sized to its image rounded up to a MiB (2048..8191)" p2.out '^ +2 +2048 +8191 '
contains "last partition from the next MiB" p2.out '^ +3 +8192 +129023 '
dd if=esp-disk.img of=esp.back bs=512 skip=2048 count=$(( ($(wc -c <esp.img) + 511) / 512 )) 2>/dev/null
head -c "$(wc -c <esp.img)" esp.back >esp.back2
same "ESP image copied at LBA 2048" esp.img esp.back2
blocks=$(du -k esp-disk.img | cut -f1)
eq "output is sparse (holes stay holes)" yes "$([ "$blocks" -lt 1500 ] && echo yes || echo "no: $blocks KiB")"

"$KILN" gpt create -o big.img --size 512M $parts 2>/dev/null
sgdisk -p big.img >p3.out 2>&1
contains "512 MiB: REDOX 4096..1046527 (formats.md 3.1)" p3.out '^ +3 +4096 +1046527 '

# --- a kiln ESP inside a kiln disk, read by mtools at the partition offset -------------------
printf 'kiln-manifest 1\nfile /EFI/BOOT/BOOTAA64.EFI 0644 0 0 src:root.img\n' >esp.m
"$KILN" fat create esp.m -o fat-esp.img --size 4M
"$KILN" gpt create -o full.img --size 64M --part name=BIOS,type=bios,size=1M \
	--part name=EFI,type=esp,image=fat-esp.img --part name=REDOX,type=redoxfs 2>/dev/null
MTOOLS_SKIP_CHECK=1 mtype -i full.img@@1M ::/EFI/BOOT/BOOTAA64.EFI >esp.read 2>/dev/null
same "ESP in the disk: mtype at offset 1 MiB reads the loader" root.img esp.read
dd if=full.img of=esp.part bs=1048576 skip=1 count=4 2>/dev/null
check "ESP in the disk: fsck.fat -n on the partition" fsck.fat -n esp.part

# --- UEFI firmware (edk2 for aarch64 in QEMU) reads the kiln disk and the kiln ESP ----------
# The firmware checks the GPT CRCs, mounts the ESP as FS0: and its shell runs startup.nsh.
cat >nsh.m <<'EOF'
kiln-manifest 1
file /startup.nsh 0644 0 0 data:echo\sKILN-ESP-\x4fK\r\nreset\s-s\r\n
EOF
"$KILN" fat create nsh.m -o nsh-esp.img --size 1M
"$KILN" gpt create -o uefi.img --size 64M --part name=BIOS,type=bios,size=1M \
	--part name=EFI,type=esp,image=nsh-esp.img --part name=REDOX,type=redoxfs 2>/dev/null
fw=
for d in /usr/share/AAVMF /usr/share/qemu /opt/homebrew/share/qemu /usr/local/share/qemu; do
	for c in AAVMF_CODE.fd edk2-aarch64-code.fd; do [ -f "$d/$c" ] && [ -z "$fw" ] && fw=$d/$c; done
done
if [ -n "$fw" ]; then
	dd if=/dev/zero of=vars.fd bs=1048576 count=64 2>/dev/null
	with_timeout 90 qemu-system-aarch64 -M virt -cpu cortex-a57 -m 256 -nographic -net none \
		-drive if=pflash,format=raw,readonly=on,file="$fw" -drive if=pflash,format=raw,file=vars.fd \
		-drive file=uefi.img,format=raw,if=virtio -serial mon:stdio </dev/null >uefi.log 2>&1
	tr -d '\033' <uefi.log >uefi.txt
	contains "UEFI firmware mounts the kiln ESP as FS0:" uefi.txt 'FS0:.*Alias.*HD0'
	contains "UEFI shell runs startup.nsh from the kiln ESP" uefi.txt '^KILN-ESP-OK'
else
	fail "UEFI firmware mounts the kiln ESP" "no edk2 aarch64 firmware (AAVMF_CODE.fd or edk2-aarch64-code.fd) found"
fi

# --- gpt list: fields, verification ----------------------------------------------------------
"$KILN" gpt list disk.img >l.out
contains "list: verify ok" l.out '^verify ok'
contains "list: table row" l.out '^3 4096 129023 63963136 linux [0-9A-F-]{36} REDOX$'
contains "list: usable range" l.out 'usable 34\.\.131038'
disk_guid=$(sed -n 's/^disk_guid //p' l.out)
sgdisk -p disk.img | grep -q "Disk identifier (GUID): $disk_guid" && ok "disk GUID agrees with sgdisk" ||
	fail "disk GUID agrees with sgdisk" "$disk_guid"
guids=$(sed -n 's/^disk_guid //p' l.out; awk '/^[0-9]+ /{print $6}' l.out)
eq "GUIDs are version 4, variant 10xx" 4 \
	"$(printf '%s\n' "$guids" | grep -Ec '^[0-9A-F]{8}-[0-9A-F]{4}-4[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}$')"
eq "partition GUIDs differ" 3 "$(awk '/^[0-9]+ /{print $6}' l.out | sort -u | wc -l | tr -d ' ')"

# --- reproducible; GUIDs depend on seed and output name --------------------------------------
mkdir -p a b
cp root.img a/ && cp root.img b/
(cd a && "$KILN" gpt create -o d.img --size 64M $parts)
(cd b && "$KILN" gpt create -o d.img --size 64M $parts)
same "reproducible: two runs in two directories" a/d.img b/d.img
cp a/d.img b/other.img
(cd b && "$KILN" gpt create -o other.img --size 64M $parts)
g1=$("$KILN" gpt list a/d.img | sed -n 's/^disk_guid //p')
g2=$("$KILN" gpt list b/other.img | sed -n 's/^disk_guid //p')
g3=$(cd a && "$KILN" gpt create -o d.img --size 64M --seed other $parts && "$KILN" gpt list d.img | sed -n 's/^disk_guid //p')
[ "$g1" != "$g2" ] && ok "another image name gives another disk GUID" || fail "another image name gives another disk GUID" "$g1"
[ "$g1" != "$g3" ] && ok "another seed gives another disk GUID" || fail "another seed gives another disk GUID" "$g1"

# --- copy modes: clone (copies instead where the filesystem shares no blocks), data extents
# and plain write the same bytes; -v accounts for every byte of every image -----------------
head -c 12345 /dev/urandom >mix.img                 # the tail is no multiple of 4096
head -c 1048576 /dev/zero >>mix.img                 # zero data: copied by extents, skipped by plain
head -c 70000 /dev/urandom | dd of=mix.img bs=10000 seek=300 conv=notrunc 2>/dev/null  # a hole, then data
mparts="--part name=BIOS,type=bios,size=1M --part name=EFI,type=esp,image=$T/mix.img --part name=REDOX,type=redoxfs,image=$T/root.img"
for m in clone extents plain default; do
	mkdir -p "m-$m"
	case $m in default) opt= ;; *) opt=--copy=$m ;; esac
	if (cd "m-$m" && "$KILN" gpt create -o disk.img --size 64M $mparts $opt -v >v.out 2>&1); then ok "--copy=$m: create"
	else fail "--copy=$m: create" "$(head -c 300 "m-$m/v.out")"; fi
done
same "--copy=extents writes the bytes --copy=clone does" m-clone/disk.img m-extents/disk.img
same "--copy=plain writes the bytes --copy=clone does" m-clone/disk.img m-plain/disk.img
same "the default is --copy=clone" m-clone/disk.img m-default/disk.img
sz=$(wc -c <mix.img | tr -d ' ')
dd if=m-clone/disk.img of=mix.back bs=512 skip=2048 count=$(((sz + 511) / 512)) 2>/dev/null
head -c "$sz" mix.back >mix.back2
same "image with holes, zero data and a short tail read back from the disk" mix.img mix.back2
# "disk.img: NAME: N bytes: A cloned, B copied, C holes", one line per partition image
acct() { awk '{ gsub(/:/, ""); if ($3 != $5 + $7 + $9) bad = 1; n++ } END { print (n == 2 && !bad) ? "ok" : "bad" }' "$1"; }
for m in clone extents plain; do eq "--copy=$m -v: cloned + copied + holes = image size" ok "$(acct "m-$m/v.out")"; done
h_ext=$(awk '/ EFI: / { print $9 }' m-extents/v.out) h_pl=$(awk '/ EFI: / { print $9 }' m-plain/v.out)
c_ext=$(awk '/ EFI: / { print $5 }' m-extents/v.out)
if [ "${h_ext:-0}" -ge 1900000 ] && [ "${c_ext:-1}" -eq 0 ]; then ok "--copy=extents skips the hole, clones nothing"
else fail "--copy=extents skips the hole, clones nothing" "holes ${h_ext:-?}, cloned ${c_ext:-?}"; fi
if forced_off SEEK_HOLE; then
	# built without SEEK_DATA/SEEK_HOLE (CFLAGS=-DKILN_NO_SEEK_HOLE): extents is plain
	eq "--copy=extents without SEEK_HOLE is --copy=plain" "${h_pl:-?}" "${h_ext:-?}"
elif [ "${h_pl:-0}" -gt $((${h_ext:-0} + 1000000)) ]; then ok "--copy=plain skips the zero data too"
else fail "--copy=plain skips the zero data too" "plain holes ${h_pl:-?}, extents holes ${h_ext:-?}"; fi
expect_fail "unknown copy mode" 2 '--copy=fast: unknown copy mode \(known: clone, extents, plain\)' \
	"$KILN" gpt create -o x9.img --size 64M $parts --copy=fast

# --- literal GUID types, start=, UTF-8 names -------------------------------------------------
check "literal type GUID, start=, non-ASCII name" "$KILN" gpt create -o lit.img --size 4M \
	--part name=Données,type=EBD0A0A2-B9E5-4433-87C0-68B6B72699C7,start=2048,size=1M
sgdisk -i 1 lit.img >i.out 2>&1
contains "sgdisk sees the literal type" i.out 'EBD0A0A2-B9E5-4433-87C0-68B6B72699C7'
contains "sgdisk sees the UTF-8 name" i.out "Partition name: 'Données'"

# --- verification failures: exit 1 with the cause --------------------------------------------
cp disk.img bad1.img; printf 'X' | dd of=bad1.img bs=1 seek=$((1024 + 200)) conv=notrunc 2>/dev/null
expect_fail "corrupt table: list exits 1 naming the CRC" 1 'primary table CRC' "$KILN" gpt list bad1.img
tail -n 1 "$T/.err" >last.err
contains "... each problem, then one summary line last: the count, the first, the fix" last.err \
	'^kiln gpt: bad1.img: GPT: 2 problems: first: primary table CRC 0x[0-9a-f]{8}, computed 0x[0-9a-f]{8}; write the disk again \(ninja image, or kiln gpt create\)$'
cp disk.img bad2.img; printf 'X' | dd of=bad2.img bs=1 seek=$((67108864 - 512 + 60)) conv=notrunc 2>/dev/null
expect_fail "corrupt backup header: list exits 1" 1 'backup header CRC' "$KILN" gpt list bad2.img
sgdisk -v bad2.img >v2.out 2>&1; contains "sgdisk agrees the backup is damaged" v2.out '[Pp]roblem|CRC|mismatch|corrupt'
cp disk.img bad3.img; printf 'X' | dd of=bad3.img bs=1 seek=$((67108864 - 33 * 512 + 300)) conv=notrunc 2>/dev/null
expect_fail "backup table differs: list exits 1" 1 'backup table .* differs' "$KILN" gpt list bad3.img
cp disk.img bad4.img; printf 'XX' | dd of=bad4.img bs=1 seek=512 conv=notrunc 2>/dev/null
expect_fail "no signature: exit 2, not a GPT" 2 'bad4.img: offset 0x200: .*not a GPT' "$KILN" gpt list bad4.img
head -c 10000 disk.img >short.img
expect_fail "a disk cut inside its table: exit 2, truncated" 2 'short.img: truncated: 10000 bytes, but its GPT header describes a disk of 67108864 bytes' \
	"$KILN" gpt list short.img
head -c 40000000 disk.img >cut.img
expect_fail "a disk cut short: exit 1, truncated, said once" 1 '^kiln gpt: cut.img: truncated: the primary header describes a disk of 131072 sectors \(67108864 bytes\), the file has 78125; copy the whole image again$' \
	"$KILN" gpt list cut.img
eq "a disk cut short: the problem once, then the summary" 2 "$(wc -l <"$T/.err" | tr -d ' ')"
eq "... the summary: the count and the problem with its own fix" \
	"kiln gpt: cut.img: GPT: 1 problem: truncated: the primary header describes a disk of 131072 sectors (67108864 bytes), the file has 78125; copy the whole image again" \
	"$(tail -n 1 "$T/.err")"
head -c 300 /dev/zero >tiny.img
expect_fail "a file too small for a GPT disk" 2 'tiny.img: 300 bytes, too small for a GPT disk' "$KILN" gpt list tiny.img
refuses_nonregular "gpt list" "$KILN" gpt list @
refuses_nonregular "gpt create: a partition image" "$KILN" gpt create -o nr.img --size 64M --part name=EFI,type=esp,image=@
expect_fail "a size over 2^63 is refused, not wrapped" 2 '\-\-size 99999999999999999999G: too large \(a size is at most 2\^63 - 1 bytes' \
	"$KILN" gpt create -o huge.img --size 99999999999999999999G $parts
expect_fail "a partition size over 2^63 is refused" 2 "size '16777216T': too large" \
	"$KILN" gpt create -o huge.img --size 64M --part name=EFI,type=esp,size=16777216T
expect_fail "a start LBA that overflows is refused" 2 "start '99999999999999999999' is not an LBA" \
	"$KILN" gpt create -o huge.img --size 64M --part name=EFI,type=esp,start=99999999999999999999
eq "refused sizes leave no output" "" "$(ls | grep -E '^(huge|nr)\.img' || true)"

# --- bad input to create: clear error, no output ---------------------------------------------
head -c 3000000 /dev/urandom >fat.img
expect_fail "image larger than its slot says how much is needed" 2 'fat.img is 3000000 bytes, its slot .* holds 1048576: 1951424 more bytes needed' \
	"$KILN" gpt create -o x1.img --size 64M --part name=EFI,type=esp,image=fat.img,size=1M --part type=linux
expect_fail "disk too small for the last partition" 2 'outside the usable 34..4062: the disk needs' \
	"$KILN" gpt create -o x2.img --size 2M $parts
expect_fail "missing partition image" 2 'nothing.img: nothing.img: No such file' \
	"$KILN" gpt create -o x3.img --size 64M --part name=x3,type=esp,image=nothing.img
expect_fail "unknown type" 2 "type 'ntfs' is not" "$KILN" gpt create -o x4.img --size 64M --part type=ntfs
expect_fail "overlapping partitions" 2 'overlaps' \
	"$KILN" gpt create -o x5.img --size 64M --part name=a,type=esp,start=2048,size=2M --part name=b,type=linux,start=3000,size=1M
expect_fail "name longer than 36 UTF-16 units" 2 'longer than 36' \
	"$KILN" gpt create -o x6.img --size 64M --part name=abcdefghijklmnopqrstuvwxyzabcdefghijk,type=esp,size=1M
many=$(i=0; while [ $i -lt 129 ]; do printf ' --part name=p%d,type=linux,size=512' $i; i=$((i + 1)); done)
expect_fail "129 partitions are too many" 2 '129 partitions, a GPT holds 128' "$KILN" gpt create -o x8.img --size 64M $many
expect_fail "size not a multiple of 512" 2 'not a multiple of 512' "$KILN" gpt create -o x7.img --size 1000000 $parts
eq "failed creates leave no output" "" "$(ls | grep -E '^x[0-9]\.img' || true)"

# --- fuzz corpus replay ----------------------------------------------------------------------
if ${cc:-cc} $cflags -I"$SRCDIR/core" -o replay "$SRCDIR/tests/fuzz/gpt.c" "$SRCDIR/tests/fuzz/standalone.c" \
	"$BUILDDIR/obj/image/gpt.o" "$BUILDDIR/obj/image/fcopy.o" "$BUILDDIR/obj/image/sha256.o" \
	"$BUILDDIR/obj/util.o" $ldflags $libs 2>replay.err; then
	./replay "$SRCDIR"/tests/fuzz/corpus/gpt/* bad1.img bad2.img bad3.img bad4.img | sed "s|$SRCDIR/tests/fuzz/corpus/||"
else
	fail "fuzz replay: build" "$(head -c 300 replay.err)"
fi
