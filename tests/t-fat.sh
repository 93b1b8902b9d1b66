#!/bin/sh
# t-fat.sh: kiln fat create/list/cat: the installer's 1 MiB FAT12 geometry (formats.md 3.5),
# fsck.fat -n, mdir/mtype read-back, FAT16 with thousands of files, FAT32, long names,
# reproducibility, bad input, corrupt images, fuzz corpus replay.
. "$SRCDIR/tests/lib.sh"
T=$TMPDIR_T
cd "$T" || exit 2
export MTOOLS_SKIP_CHECK=1

# --- the ESP of the installer: 1 MiB, FAT12, EFI/BOOT/BOOTAA64.EFI ---------------------------
head -c 167936 /dev/urandom >boot.efi
cat >esp.m <<'EOF'
kiln-manifest 1
file /EFI/BOOT/BOOTAA64.EFI 0644 0 0 src:boot.efi
EOF
check "1 MiB ESP: create" "$KILN" fat create esp.m -o esp.img --size 1M
eq "boot sector BPB = fatfs geometry (formats.md 3.5)" \
	"eb3c90""4d5357494e342e31""0002""01""0100""02""0002""0008""f8""0600""2000""4000""00000000""00000000""00""00""29""78563412""4e4f204e414d4520202020""4641543132202020" \
	"$(od -An -tx1 -N62 esp.img | tr -d ' \n')"
eq "boot code stub at 62 points at its message" "0e1fbe5b7c" "$(od -An -tx1 -j62 -N5 esp.img | tr -d ' \n')"
eq "55 AA" "55aa" "$(od -An -tx1 -j510 -N2 esp.img | tr -d ' \n')"
eq "FAT 1 starts F8 FF FF" "f8ffff" "$(od -An -tx1 -j512 -N3 esp.img | tr -d ' \n')"
dd if=esp.img bs=512 skip=1 count=6 2>/dev/null >f1
dd if=esp.img bs=512 skip=7 count=6 2>/dev/null >f2
same "FAT 2 = FAT 1" f1 f2
eq "FAT entries past cluster 2004 are end-of-chain (as fatfs)" "ffffff" "$(od -An -tx1 -j$((512 + 3072 - 3)) -N3 esp.img | tr -d ' \n')"
"$KILN" fat list esp.img >l.out
contains "list: FAT12, 2003 clusters" l.out '^clusters 2003$'
contains "list: 2 FATs of 6 sectors" l.out '^fats 2 x 6 sectors$'
contains "list: the loader" l.out '^file +167936 /EFI/BOOT/BOOTAA64\.EFI$'
check "fsck.fat -n" fsck.fat -n esp.img
mdir -i esp.img ::/EFI/BOOT >mdir.out 2>&1
contains "mdir ::/EFI/BOOT" mdir.out 'BOOTAA64 EFI +167936'
mtype -i esp.img ::/EFI/BOOT/BOOTAA64.EFI >mtype.out 2>/dev/null
same "mtype reads the loader back" boot.efi mtype.out
"$KILN" fat cat esp.img /EFI/BOOT/BOOTAA64.EFI >cat.out
same "kiln fat cat reads it back" boot.efi cat.out
contains "timestamps from SOURCE_DATE_EPOCH (2023-11-14 22:13)" mdir.out '2023-11-14 +22:13'

# --- round trip on FAT16: big files, deep tree, 3000 files in one directory, long names ------
head -c 3000000 /dev/urandom >big.bin
head -c 1500000 /dev/urandom >big2.bin
{
	echo 'kiln-manifest 1'
	echo 'file /big.bin 0644 0 0 src:big.bin'
	echo 'file /EFI/BOOT/BOOTX64.EFI 0644 0 0 src:big2.bin'
	echo 'hardlink /EFI/BOOT/copy.efi /EFI/BOOT/BOOTX64.EFI'
	echo 'file /empty.txt 0644 0 0 data:'
	echo 'dir /emptydir 0755 0 0'
	echo 'file /A\sLong\sName\swith\sspaces\sand\sCase.txt 0644 0 0 data:long\n'
	echo 'file /Überschrift\sæøå\sdatei.txt 0644 0 0 data:utf8\n'
	echo 'file /.hidden 0644 0 0 data:dot\n'
	echo 'file /a.b.c.d 0644 0 0 data:dots\n'
	d=
	for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do d=$d/level$i; done
	echo "file $d/leaf.txt 0644 0 0 data:deep"
	i=0
	while [ $i -lt 3000 ]; do echo "file /many/file-with-a-long-name-$i.txt 0644 0 0 data:$i"; i=$((i + 1)); done
} >rt.m
check "FAT16 round trip: create" "$KILN" fat create rt.m -o rt.img --size 16M
"$KILN" fat list rt.img >rt.list
contains "16 MiB is FAT16" rt.list '^type FAT16$'
check "FAT16: fsck.fat -n" fsck.fat -n rt.img
eq "FAT16: 3000 files in one directory (kiln fat list)" 3000 "$(grep -c ' /many/' rt.list)"
eq "FAT16: 3000 files in one directory (mdir)" 3000 "$(mdir -i rt.img ::/many 2>/dev/null | grep -c 'file-with-a-long-name')"
"$KILN" fat cat rt.img /big.bin >o1; same "big file (kiln fat cat)" big.bin o1
mtype -i rt.img ::/big.bin >o2 2>/dev/null; same "big file (mtype)" big.bin o2
mtype -i rt.img ::/EFI/BOOT/copy.efi >o3 2>/dev/null; same "hard link stored as a copy" big2.bin o3
eq "long name with spaces (mtype)" long "$(mtype -i rt.img '::/A Long Name with spaces and Case.txt' 2>/dev/null)"
eq "UTF-8 long name (mtype)" utf8 "$(LC_ALL=C.UTF-8 mtype -i rt.img '::/Überschrift æøå datei.txt' 2>/dev/null)"
eq "UTF-8 long name (kiln fat cat)" utf8 "$("$KILN" fat cat rt.img '/Überschrift æøå datei.txt')"
eq "dot file" dot "$("$KILN" fat cat rt.img /.hidden)"
eq "several dots" dots "$(mtype -i rt.img ::/a.b.c.d 2>/dev/null)"
eq "file 2999 of 3000" 2999 "$(mtype -i rt.img ::/many/file-with-a-long-name-2999.txt 2>/dev/null)"
eq "deep file (20 levels)" deep "$("$KILN" fat cat rt.img /level1/level2/level3/level4/level5/level6/level7/level8/level9/level10/level11/level12/level13/level14/level15/level16/level17/level18/level19/level20/leaf.txt)"
eq "empty file" 0 "$("$KILN" fat cat rt.img /empty.txt | wc -c | tr -d ' ')"
contains "empty directory listed" rt.list '^dir +0 /emptydir$'
eq "empty directory (mdir: only . and ..)" 2 "$(mdir -i rt.img ::/emptydir 2>/dev/null | grep -c '<DIR>')"
mdir -i rt.img ::/ >root.dir 2>/dev/null
contains "8.3 name kept as is (EFI)" root.dir '^EFI +<DIR>'
contains "generated short name with ~N for a long name" root.dir '^ALONGN~1 TXT .* A Long Name with spaces and Case\.txt$'
mcopy -n -i rt.img ::/many/file-with-a-long-name-1234.txt mc.out 2>/dev/null
eq "mcopy reads a file back" 1234 "$(cat mc.out)"

# --- list + cat -> manifest -> create gives the same bytes back -----------------------------
grep -v '/many/' rt.m >small.m
"$KILN" fat create small.m -o small.img --size 16M
"$KILN" fat list small.img | awk 'NR > 10' >small.list
mkdir -p back
n=0
{
	echo 'kiln-manifest 1'
	while read -r type size path; do
		if [ "$type" = dir ]; then
			echo "dir $path 0755 0 0"
		else
			n=$((n + 1))
			"$KILN" fat cat small.img "$(printf '%s' "$path" | sed 's/\\s/ /g')" >back/$n
			echo "file $path 0644 0 0 src:back/$n"
		fi
	done <small.list
} >back.m
"$KILN" fat create back.m -o back.img --size 16M
same "list + cat -> manifest -> create: identical image" small.img back.img

# --- FAT32 ------------------------------------------------------------------------------------
check "600 MiB is FAT32: create" "$KILN" fat create rt.m -o f32.img --size 600M
"$KILN" fat list f32.img >f32.list
contains "600 MiB is FAT32" f32.list '^type FAT32$'
check "FAT32: fsck.fat -n" fsck.fat -n f32.img
mtype -i f32.img ::/big.bin >o4 2>/dev/null; same "FAT32: big file (mtype)" big.bin o4
eq "FAT32: file in a big directory" 77 "$(mtype -i f32.img ::/many/file-with-a-long-name-77.txt 2>/dev/null)"
eq "FAT32: sparse output" yes "$([ "$(du -k f32.img | cut -f1)" -lt 40000 ] && echo yes || echo no)"

# --- reproducible ----------------------------------------------------------------------------
mkdir -p r1 r2
for d in r1 r2; do cp big.bin big2.bin rt.m $d/; done
(cd r1 && "$KILN" fat create rt.m -o a.img --size 16M)
(cd r2 && sleep 1 && "$KILN" fat create rt.m -o a.img --size 16M)
same "reproducible: two runs in two directories" r1/a.img r2/a.img

# --- bad input: one-line error, exit 2, no output --------------------------------------------
printf 'kiln-manifest 1\nsymlink /EFI/x 0777 0 0 y\n' >sym.m
expect_fail "symlinks are refused" 2 'sym.m:2: /EFI/x: FAT has no symlinks' "$KILN" fat create sym.m -o x1.img --size 1M
expect_fail "too small: says how much is needed" 2 'image too small: .* it needs --size [0-9]+ \([0-9]+ bytes more\)' \
	"$KILN" fat create rt.m -o x2.img --size 1M
need=$(sed -n 's/.*it needs --size \([0-9]*\).*/\1/p' "$T/.err")
check "the size it asks for is enough" "$KILN" fat create rt.m -o enough.img --size "$need"
printf 'kiln-manifest 1\nfile /a:b 0644 0 0 data:x\n' >colon.m
expect_fail "name with ':' is refused" 2 'colon.m:2: /a:b: name not allowed on FAT' "$KILN" fat create colon.m -o x3.img --size 1M
printf 'kiln-manifest 1\nfile /Foo 0644 0 0 data:x\nfile /FOO 0644 0 0 data:y\n' >case.m
expect_fail "names differing only in case are refused" 2 'FAT names ignore case' "$KILN" fat create case.m -o x4.img --size 1M
awk 'BEGIN { print "kiln-manifest 1"; for (i = 0; i < 600; i++) printf "file /F%d 0644 0 0 data:\n", i }' >root.m
expect_fail "too many root entries for FAT12/16" 2 'root directory needs 600 entries, FAT12 holds 512' \
	"$KILN" fat create root.m -o x5.img --size 1M
printf 'kiln-manifest 1\nfile /x 0644 0 0 src:no-such-file\n' >miss.m
expect_fail "missing source file" 2 'miss.m:2.*no-such-file' "$KILN" fat create miss.m -o x6.img --size 1M
long=$(printf '%0256d' 0)
printf 'kiln-manifest 1\nfile /%s 0644 0 0 data:x\n' "$long" >long.m
expect_fail "name too long" 2 'long.m:2' "$KILN" fat create long.m -o x7.img --size 1M
expect_fail "a --size over 2^63 is refused" 2 '\-\-size 99999999999999999999G: too large' "$KILN" fat create rt.m -o x8.img --size 99999999999999999999G
expect_fail "a malformed --size" 2 '\-\-size 1Q: not a size' "$KILN" fat create rt.m -o x9.img --size 1Q
eq "failed creates leave no output" "" "$(ls | grep -E '^x[0-9]\.img' || true)"
refuses_nonregular "fat list" "$KILN" fat list @
refuses_nonregular "fat cat" "$KILN" fat cat @ /EFI/BOOT/BOOTAA64.EFI

# --- corrupt images: one-line error, exit 2 --------------------------------------------------
cp esp.img c1.img; printf '\000\000' | dd of=c1.img bs=1 seek=510 conv=notrunc 2>/dev/null
head -c 300000 esp.img >c2.img
cp esp.img c3.img; printf '\000' | dd of=c3.img bs=1 seek=13 conv=notrunc 2>/dev/null
# c4: a directory whose cluster chain loops: EFI's cluster (2) points to itself
cp esp.img c4.img; printf '\002\360' | dd of=c4.img bs=1 seek=$((512 + 3)) conv=notrunc 2>/dev/null
# c5: the loader's size larger than its chain
cp esp.img c5.img; printf '\377\377\017\000' | dd of=c5.img bs=1 seek=$((512 * 46 + 32 * 2 + 28)) conv=notrunc 2>/dev/null
# c6: EFI/BOOT pointing back at EFI (a directory loop)
cp esp.img c6.img; printf '\002\000' | dd of=c6.img bs=1 seek=$((512 * 45 + 32 * 2 + 26)) conv=notrunc 2>/dev/null
# c7: the loader's data starting in the cluster of its own directory (cross-linked)
cp esp.img c7.img; printf '\003\000' | dd of=c7.img bs=1 seek=$((512 * 46 + 32 * 2 + 26)) conv=notrunc 2>/dev/null
for c in "c1 no 55 AA" "c2 the image only" "c3 bad BPB" "c4 used twice" "c5 chain ends" "c6 reached twice" \
         "c7 used twice"; do
	f=${c%% *} why=${c#* }
	expect_fail "corrupt $f: list fails ($why)" 2 "$f.img: .*$why" "$KILN" fat list $f.img
	eq "corrupt $f: error is one line" 1 "$(wc -l <"$T/.err" | tr -d ' ')"
	expect_fail "corrupt $f: cat fails" 2 "$f.img" "$KILN" fat cat $f.img /EFI/BOOT/BOOTAA64.EFI
done
expect_fail "cat of a missing path" 2 'no such file' "$KILN" fat cat esp.img /EFI/nothing
expect_fail "cat of a directory" 2 'is a directory' "$KILN" fat cat esp.img /EFI

# --- fuzz corpus replay ----------------------------------------------------------------------
# the fuzz replay is built like kiln itself (same compiler, flags and sanitizers, if any)
mk() { sed -n "s/^$1 = //p" "$BUILDDIR/Makefile"; }
cc=$(mk CC) cflags=$(mk CFLAGS) ldflags=$(mk LDFLAGS) libs=$(mk LIBS)
if ${cc:-cc} $cflags -I"$SRCDIR/core" -o replay "$SRCDIR/tests/fuzz/fat.c" "$SRCDIR/tests/fuzz/standalone.c" \
	"$BUILDDIR/obj/image/fat.o" "$BUILDDIR/obj/image/manifest.o" "$BUILDDIR/obj/util.o" $ldflags $libs 2>replay.err; then
	./replay "$SRCDIR"/tests/fuzz/corpus/fat/* c1.img c2.img c3.img c4.img c5.img c6.img c7.img | sed "s|$SRCDIR/tests/fuzz/corpus/||"
else
	fail "fuzz replay: build" "$(head -c 300 replay.err)"
fi
