#!/bin/sh
# t-initfs.sh: kiln initfs create/list/extract: golden bytes (formats.md 1.10), round trips,
# bootstrap checks, --max-size, limits, corrupt images, reproducibility, fuzz corpus replay.
. "$SRCDIR/tests/lib.sh"
T=$TMPDIR_T
cd "$T" || exit 2

# golden bytes of whole images (with and without a bootstrap): tests/unit-initfs.c
# the fuzz replay is built like kiln itself (same compiler, flags and sanitizers, if any)
mk() { sed -n "s/^$1 = //p" "$BUILDDIR/Makefile"; }
cc=$(mk CC) cflags=$(mk CFLAGS) ldflags=$(mk LDFLAGS) libs=$(mk LIBS)
objs="$BUILDDIR/obj/image/initfs.o $BUILDDIR/obj/image/manifest.o $BUILDDIR/obj/util.o $BUILDDIR/obj/elf/elf_check.o $BUILDDIR/obj/elf/bytescan.o"

# the same example through the command line: the header bytes of formats.md 1.10
cat >ex.m <<'EOF'
kiln-manifest 1
dir /dir 0755 0 0
file /dir/run.sh 0755 0 0 data:#!/bin/sh\necho\srun\n
file /hello.txt 0644 0 0 data:hi\n
EOF
SOURCE_DATE_EPOCH=1795257746 "$KILN" initfs create ex.m -o ex.img 2>ex.err
eq "1.10 example: size 32777" 32777 "$(wc -c <ex.img | tr -d ' ')"
eq "1.10 example: header bytes" \
	"5265646f78467477""00100000""9275016b00000000""00000000""0400""ffffffffffffffff""0980000000000000""0010" \
	"$(od -An -tx1 -N44 ex.img | tr -d ' \n')"
eq "1.10 example: root entry table" "0200030000600000""0300090000800000" \
	"$(od -An -tx1 -j 8192 -N16 ex.img | tr -d ' \n')"
contains "no bootstrap: warns about the 0xFFFFFFFFFFFFFFFF jump" ex.err 'warning: .*0xFFFFFFFFFFFFFFFF'
"$KILN" initfs create ex.m -o ex2.img --no-bootstrap 2>ex2.err
eq "--no-bootstrap: no warning" "" "$(cat ex2.err)"

# --- max size: the example needs 36864 bytes (formats.md 1.7) -------------------------------
expect_fail "--max-size 32768 fails with the size needed" 2 'needs 36864 bytes.*largest files: /dir/run.sh \(19\), /hello.txt \(3\)' \
	"$KILN" initfs create ex.m -o max.img --no-bootstrap --max-size 32768
eq "--max-size failure leaves no output" "" "$(ls | grep '^max\.img' || true)"
check "--max-size 36864 is enough" "$KILN" initfs create ex.m -o max.img --no-bootstrap --max-size 36864

# --- bootstrap: a demo ELF linked to run in place at 0x2000 ----------------------------------
cat >boot.ld <<'EOF'
ENTRY(_start)
PHDRS { all PT_LOAD FILEHDR PHDRS FLAGS(7); }
SECTIONS {
  . = 0x2000 + SIZEOF_HEADERS;
  .text : { *(.text*) } :all
  /DISCARD/ : { *(.note*) *(.comment) *(.eh_frame*) }
}
EOF
printf '.globl _start\n_start: b _start\n' >boot.s
aarch64-linux-gnu-gcc -nostdlib -static -Wl,-T,boot.ld -Wl,-z,max-page-size=4096 \
	-Wl,--build-id=none boot.s -o boot.elf 2>/dev/null
entry=$(readelf -h boot.elf | sed -n 's/.*Entry point address: *0x//p')
"$KILN" initfs create ex.m -o boot.img --bootstrap boot.elf 2>boot.err
dd if=boot.img bs=4096 skip=1 2>/dev/null | head -c "$(wc -c <boot.elf)" >boot.copy
same "bootstrap copied verbatim at 0x1000" boot.elf boot.copy
"$KILN" initfs list boot.img >boot.list
contains "bootstrap_entry is the ELF e_entry" boot.list "^bootstrap_entry 0x$entry\$"
contains "inode table after the bootstrap page" boot.list '^inode_table_offset 0x2000$'
expect_fail "a PIE host binary is refused as bootstrap (not in place)" 2 'cannot run in place at 0x2000' \
	"$KILN" initfs create ex.m -o bad.img --bootstrap /bin/sh
printf 'not an elf' >junk.elf
expect_fail "a non-ELF bootstrap is refused" 2 'junk.elf: not an ELF' \
	"$KILN" initfs create ex.m -o bad.img --bootstrap junk.elf
eq "refused bootstraps leave no output" "" "$(ls | grep '^bad\.img' || true)"

# --- round trip: big file, deep tree, many files, symlinks, empty file and dir, hard link ---
mkdir src
head -c 3000000 /dev/urandom >src/big.bin
printf '' >src/empty
{
	echo 'kiln-manifest 1'
	echo 'file /big.bin 04755 1000 100 src:src/big.bin'
	echo 'file /empty 0600 0 0 src:src/empty'
	echo 'dir /emptydir 0700 0 0'
	echo 'file /with\sspace 0644 0 0 data:x'
	echo 'dir /etc 0755 0 0'
	echo 'file /etc/hostname 0644 0 0 data:demo\n'
	echo 'symlink /etc/abs 0777 0 0 /bin/tool'
	echo 'symlink /etc/rel 0777 0 0 hostname'
	echo 'symlink /etc/up 0777 0 0 ../big.bin'
	echo 'symlink /etc/dot 0777 0 0 ./sub//../hostname'
	echo 'hardlink /etc/big-again /big.bin'
	d=
	for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25; do d=$d/d$i; done
	echo "file $d/leaf 0644 0 0 data:deep"
	i=0
	while [ $i -lt 2000 ]; do echo "file /many/f$i 0644 0 0 data:$i"; i=$((i + 1)); done
	echo 'file /bin/tool 0755 0 0 data:tool'
} >rt.m
check "round trip: create" "$KILN" initfs create rt.m -o rt.img --no-bootstrap
check "round trip: extract" "$KILN" initfs extract rt.img -o out
"$KILN" initfs list rt.img >rt.list
eq "list: one line per inode" "$(sed -n 's/^inode_count //p' rt.list)" \
	"$(($(wc -l <rt.list) - 7))"
eq "inode count = entries extracted (root included)" "$(sed -n 's/^inode_count //p' rt.list)" \
	"$(find out | wc -l | tr -d ' ')"
same "big file content" src/big.bin out/big.bin
same "hard link content" src/big.bin out/etc/big-again
grep -v '^hardlink' rt.m >nolink.m
"$KILN" initfs create nolink.m -o nolink.img --no-bootstrap
eq "hard link shares the data (costs one name page, not a copy)" 4096 \
	"$(($(wc -c <rt.img) - $(wc -c <nolink.img)))"
contains "list shows mode, uid, gid, size" rt.list '^file +4755 1000 100 3000000 /big\.bin$'
eq "empty file" 0 "$(wc -c <out/empty | tr -d ' ')"
eq "empty file mode" 600 "$(stat -c %a out/empty 2>/dev/null || stat -f %Lp out/empty)"
eq "empty directory" "" "$(ls -A out/emptydir)"
eq "empty directory mode" 700 "$(stat -c %a out/emptydir 2>/dev/null || stat -f %Lp out/emptydir)"
eq "deep file" deep "$(cat out/d1/d2/d3/d4/d5/d6/d7/d8/d9/d10/d11/d12/d13/d14/d15/d16/d17/d18/d19/d20/d21/d22/d23/d24/d25/leaf)"
eq "2000 files in one directory" 2000 "$(ls out/many | wc -l | tr -d ' ')"
eq "file in a big directory" 1234 "$(cat out/many/f1234)"
eq "name with a space" x "$(cat 'out/with space')"
contains "absolute symlink stored root-relative" rt.list '^symlink 0777 0 0 8 /etc/abs -> bin/tool$'
contains "relative symlink stored root-relative" rt.list '^symlink 0777 0 0 12 /etc/rel -> etc/hostname$'
contains "symlink with .. stored as written, as redox-initfs-ar stores it" rt.list '^symlink 0777 0 0 14 /etc/up -> etc/\.\./big\.bin$'
contains "symlink: '.' and empty components dropped, '..' kept" rt.list '^symlink 0777 0 0 19 /etc/dot -> etc/sub/\.\./hostname$'
eq "extracted symlink resolves" tool "$(cat out/etc/abs)"
eq "extracted relative symlink resolves" demo "$(cat out/etc/rel)"
same "extracted .. symlink resolves" src/big.bin out/etc/up

# --- list + extract -> manifest -> create gives the same bytes back (no hard links here:
# extract writes them as copies) -------------------------------------------------------------
"$KILN" initfs extract nolink.img -o back
"$KILN" initfs list nolink.img | awk 'NR > 7 {
	if ($1 == "dir") print "dir " $6 " " $2 " " $3 " " $4
	else if ($1 == "file") print "file " $6 " " $2 " " $3 " " $4 " src:back" ($6 == "/" ? "" : $6)
	else if ($1 == "symlink") print "symlink " $6 " " $2 " " $3 " " $4 " /" $8
} BEGIN { print "kiln-manifest 1" }' >back.m
"$KILN" initfs create back.m -o back.img --no-bootstrap
same "list + extract -> manifest -> create: identical image" nolink.img back.img

# --- reproducible: same manifest from two directories, same bytes ---------------------------
mkdir -p r1 r2
cp -R src r1/ && cp -R src r2/ && cp rt.m r1/ && cp rt.m r2/
(cd r1 && "$KILN" initfs create rt.m -o a.img --no-bootstrap)
(cd r2 && sleep 1 && "$KILN" initfs create rt.m -o a.img --no-bootstrap)
same "reproducible: two runs in two directories" r1/a.img r2/a.img

# --- limits and bad input --------------------------------------------------------------------
printf 'kiln-manifest 1\nfile /x 0644 0 0 src:missing-file\n' >miss.m
expect_fail "missing source file" 2 'miss.m:2.*missing-file' "$KILN" initfs create miss.m -o miss.img --no-bootstrap
long=$(printf '%0300d' 0)
printf 'kiln-manifest 1\nfile /%s 0644 0 0 data:x\n' "$long" >long.m
expect_fail "name too long" 2 'long.m:2' "$KILN" initfs create long.m -o long.img --no-bootstrap
# (the 65535-inode limit is checked in unit-initfs.c: parsing a 65536-line manifest is slow)
expect_fail "a --max-size over 2^63 is refused, not replaced" 2 '\-\-max-size 99999999999999999999G: too large' \
	"$KILN" initfs create ex.m -o huge.img --no-bootstrap --max-size=99999999999999999999G
expect_fail "a malformed --max-size" 2 '\-\-max-size 12Q: not a size' "$KILN" initfs create ex.m -o huge.img --no-bootstrap --max-size 12Q
eq "failed creates leave no output" "" "$(ls | grep -E '^(miss|long|huge)\.img' || true)"
refuses_nonregular "initfs list" "$KILN" initfs list @
refuses_nonregular "initfs extract" "$KILN" initfs extract @ -o nr
refuses_nonregular "initfs create: the bootstrap" "$KILN" initfs create ex.m -o nr.img --bootstrap @
refuses_nonregular "initfs create: the manifest" "$KILN" initfs create @ -o nr.img --no-bootstrap
eq "refused inputs leave no output" "" "$(ls -d nr nr.img 2>/dev/null)"

# --- corrupt images: one-line error, exit 2, nothing extracted -------------------------------
cp ex.img c1.img; printf 'X' | dd of=c1.img bs=1 seek=0 conv=notrunc 2>/dev/null
head -c 40 ex.img >c2.img
cp ex.img c3.img; printf '\377\377' | dd of=c3.img bs=1 seek=24 conv=notrunc 2>/dev/null
cp ex.img c4.img; printf '\377\377\377\000' | dd of=c4.img bs=1 seek=8196 conv=notrunc 2>/dev/null
cp ex.img c5.img; printf '\000\000' | dd of=c5.img bs=1 seek=8192 conv=notrunc 2>/dev/null
cp ex.img c6.img; printf '..' | dd of=c6.img bs=1 seek=24576 conv=notrunc 2>/dev/null; printf '\002\000' | dd of=c6.img bs=1 seek=8194 conv=notrunc 2>/dev/null
cp ex.img c7.img; printf '\377\377\377\177' | dd of=c7.img bs=1 seek=4120 conv=notrunc 2>/dev/null
for c in "c1 bad magic" "c2 shorter than the 44-byte header" "c3 runs past the end" \
         "c4 name .* runs past the end" "c5 reached twice" "c6 unsafe name" "c7 runs past the end"; do
	f=${c%% *} why=${c#* }
	expect_fail "corrupt $f: list fails ($why)" 2 "$f.img: .*$why" "$KILN" initfs list $f.img
	eq "corrupt $f: error is one line" 1 "$(wc -l <"$T/.err" | tr -d ' ')"
	expect_fail "corrupt $f: extract fails" 2 "$f.img" "$KILN" initfs extract $f.img -o x-$f
	eq "corrupt $f: nothing extracted" "" "$(ls -d x-$f 2>/dev/null)"
done

# --- fuzz corpus replay (normal build of the fuzz driver) -----------------------------------
if ${cc:-cc} $cflags -I"$SRCDIR/core" -o replay "$SRCDIR/tests/fuzz/initfs.c" "$SRCDIR/tests/fuzz/standalone.c" \
	$objs $ldflags $libs 2>replay.err; then
	./replay "$SRCDIR"/tests/fuzz/corpus/initfs/* c1.img c2.img c3.img c4.img c5.img c6.img c7.img \
		| sed "s|$SRCDIR/tests/fuzz/corpus/||"
else
	fail "fuzz replay: build" "$(head -c 300 replay.err)"
fi
