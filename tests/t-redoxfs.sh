#!/bin/sh
# t-redoxfs.sh: kiln redoxfs create/list/cat/check: round trips (large files with indirect
# tables, deep and huge directories, symlinks, hard links, empty entries), the checker on
# corrupted images, bad input, peak memory against payload size, reproducibility, --offset,
# LZ4-compressed records (ELF programs, against --no-compress), the same image for any --jobs,
# and the fuzz corpus replay. tests/unit-redoxfs.c (run by tests/run) has the seahash vectors
# and the formats.md 2.14 golden image.
. "$SRCDIR/tests/lib.sh"
T=$TMPDIR_T
cd "$T" || exit 2

# ---- sources ----
mkdir -p src
# deterministic pseudo-random bytes: N bytes, seeded by $2
gen() { awk -v n="$1" -v s="$2" 'BEGIN { srand(s); for (i = 0; i < n; i += 64) {
	l = ""; for (j = 0; j < 64 && i + j < n; j++) l = l sprintf("%c", 33 + int(rand() * 90));
	printf "%s", l } }'; }
gen 5000 1 >src/five
gen 3967 2 >src/inline-max
gen 3968 3 >src/records-min
gen 131072 4 >src/one-record
head -c 6000000 /dev/urandom >src/big
# 17 MiB: more than the 128 direct records, so level-1 indirect block lists are needed
head -c 17825792 /dev/urandom >src/indirect
cp src/big src/big-copy
: >src/empty
S=$T/src

long=$(printf '%0200d' 0)
target4k=$(printf '/t%04000d' 0)
{
	echo 'kiln-manifest 1'
	echo 'dir / 0755 0 0'
	echo 'dir /boot 0755 0 0'
	echo "file /boot/kernel 0644 0 0 src:$S/big"
	echo 'hardlink /usr/lib/boot/kernel /boot/kernel'
	echo "file /indirect 0600 5 6 src:$S/indirect"
	echo "file /five 0640 7 8 src:$S/five"
	echo "file /inline-max 0644 0 0 src:$S/inline-max"
	echo "file /records-min 0644 0 0 src:$S/records-min"
	echo "file /one-record 0644 0 0 src:$S/one-record"
	echo "file /empty 0644 0 0 src:$S/empty"
	echo 'file /data 0644 0 0 data:hello\sworld\n'
	echo 'dir /emptydir 0700 1000 1000'
	echo 'symlink /bin/sh 0777 0 0 /bin/ion'
	echo "symlink /longlink 0777 0 0 $target4k"
	echo 'file /deep/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/leaf 0644 0 0 data:deep'
	i=0
	while [ $i -lt 3000 ]; do echo "file /many/file-$i 0644 0 0 data:$i"; i=$((i + 1)); done
	# long names force more than 204 dir lists: a two-level htree
	echo 'file /wide/f 0644 0 0 data:wide'
	i=0
	while [ $i -lt 4500 ]; do echo "hardlink /wide/$long$i /wide/f"; i=$((i + 1)); done
} >m

check create "$KILN" redoxfs create m -o img --size 64M
check check-clean "$KILN" redoxfs check img
"$KILN" redoxfs list img >list 2>list.err
eq list-status 0 $?
# 20 named or implicit entries, 43 on the deep path, 3000 in /many, 4501 in /wide
eq list-count "$((20 + 43 + 3000 + 4501))" "$(wc -l <list | tr -d ' ')"
contains list-root list '^d 0755 0 0 4096 1 /$'
contains list-file-owner list '^f 0600 5 6 17825792 1 /indirect$'
contains list-mode-uid list '^f 0640 7 8 5000 1 /five$'
contains list-hardlink-1 list '^f 0644 0 0 6000000 2 /boot/kernel$'
contains list-hardlink-2 list '^f 0644 0 0 6000000 2 /usr/lib/boot/kernel$'
contains list-empty-file list '^f 0644 0 0 0 1 /empty$'
contains list-empty-dir list '^d 0700 1000 1000 0 1 /emptydir$'
contains list-symlink list '^l 0777 0 0 8 1 /bin/sh -> /bin/ion$'
contains list-long-symlink list "^l 0777 0 0 4002 1 /longlink -> $target4k\$"
contains list-deep list '^f 0644 0 0 4 1 /deep(/d)+/leaf$'
contains list-wide-links list '^f 0644 0 0 4 4501 /wide/f$'
# dir size = 4096 x (dir lists + htree nodes): 3000 short names need more than one dir list
contains list-many-htree list '^d 0755 0 0 [0-9]{5,} 1 /many$'
# /wide: 237 dir lists of 19 names, 2 htree nodes and a root: 240 blocks, a two-level htree
contains list-wide-htree2 list '^d 0755 0 0 983040 1 /wide$'

ok=1
for f in five inline-max records-min one-record big indirect empty; do
	case $f in big) p=/boot/kernel ;; *) p=/$f ;; esac
	"$KILN" redoxfs cat img "$p" >out 2>/dev/null && cmp -s out "src/$f" || { ok=0; echo "# cat $p differs"; }
done
"$KILN" redoxfs cat img /usr/lib/boot/kernel >out && cmp -s out src/big || ok=0
[ "$ok" = 1 ] && ok cat-round-trip || fail cat-round-trip "some file differs after cat"
eq cat-data "hello world" "$("$KILN" redoxfs cat img /data)"
eq cat-many "2999" "$("$KILN" redoxfs cat img /many/file-2999)"
eq cat-wide "wide" "$("$KILN" redoxfs cat img "/wide/${long}4499")"
eq cat-deep "deep" "$("$KILN" redoxfs cat img /deep/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/leaf)"
eq cat-symlink "/bin/ion" "$("$KILN" redoxfs cat img /bin/sh)"
eq cat-long-symlink "$target4k" "$("$KILN" redoxfs cat img /longlink)"
expect_fail cat-missing 2 'no such file' "$KILN" redoxfs cat img /nope
expect_fail cat-dir 2 'is a directory' "$KILN" redoxfs cat img /boot

# ---- LZ4-compressed records: real ELF programs, as a Redox root mostly holds ----
mkdir -p elf
n=0
for f in "$KILN" $(command -v cc gcc ld as ar objdump readelf nm strip ninja sh 2>/dev/null); do
	[ -f "$f" ] && head -c 4 "$f" | grep -q ELF && cp "$f" "elf/p$n" && n=$((n + 1))
done
{
	echo 'kiln-manifest 1'
	for f in elf/*; do echo "file /bin/${f#elf/} 0755 0 0 src:$T/$f"; done
	echo "file /rand 0644 0 0 src:$S/big"
	echo "file /text 0644 0 0 src:$S/five"
} >elf.m
check compress-create "$KILN" redoxfs create elf.m -o elf.img --size 64M
check compress-nocompress-create "$KILN" redoxfs create elf.m -o elf-raw.img --size 64M --no-compress
check compress-check "$KILN" redoxfs check elf.img
ok=1
for f in elf/*; do
	"$KILN" redoxfs cat elf.img "/bin/${f#elf/}" >out 2>/dev/null && cmp -s out "$f" || { ok=0; echo "# cat /bin/${f#elf/} differs"; }
done
"$KILN" redoxfs cat elf.img /rand >out && cmp -s out src/big || ok=0
[ "$ok" = 1 ] && ok compress-round-trip || fail compress-round-trip "some file differs after cat"
"$KILN" redoxfs list elf.img >l1
"$KILN" redoxfs list elf-raw.img >l2
same compress-same-listing l1 l2
# the disk the image takes: compressed records of ELF programs take fewer blocks, and the zero
# padding of a record is never written, so it stays a hole
k1=$(du -k elf.img | cut -f1) k2=$(du -k elf-raw.img | cut -f1)
ek=$(du -k elf | cut -f1) rk=$(du -k src/big | cut -f1)
if [ "$k1" -lt "$k2" ] && [ "$k1" -lt $((ek + rk)) ]; then ok compress-smaller
else fail compress-smaller "compressed image $k1 KiB, uncompressed $k2 KiB, payload $ek + $rk KiB"; fi
mkdir c1 c2
(cd c1 && "$KILN" redoxfs create ../elf.m -o out.img --size 64M)
(cd c2 && "$KILN" redoxfs create ../elf.m -o out.img --size 64M)
same compress-reproducible c1/out.img c2/out.img
# records are compressed on several threads (--jobs, default the online processors) and
# allocated in order: the image is the same for any number of them
for j in 1 2 5; do
	mkdir "j$j" && (cd "j$j" && "$KILN" redoxfs create ../elf.m -o out.img --size 64M --jobs "$j")
	same "compress-jobs-$j-same-image" c1/out.img "j$j/out.img"
	mkdir "jt$j" && (cd "jt$j" && "$KILN" redoxfs create ../m -o img --size 64M --jobs="$j")
	same "tree-jobs-$j-same-image" img "jt$j/img"
done
expect_fail jobs-zero 2 "^kiln redoxfs: --jobs 0: not a number of threads from 1 to 64; see 'kiln help redoxfs'$" \
	"$KILN" redoxfs create elf.m -o bad.img --size 64M --jobs 0
expect_fail jobs-too-many 2 'not a number of threads from 1 to 64' "$KILN" redoxfs create elf.m -o bad.img --size 64M --jobs=65
expect_fail jobs-not-a-number 2 'not a number of threads' "$KILN" redoxfs create elf.m -o bad.img --size 64M --jobs two
expect_fail jobs-create-only 2 'list takes IMG and --offset only' "$KILN" redoxfs list elf.img --jobs 2
[ -e bad.img ] && fail jobs-bad-no-output "an image was left behind" || ok jobs-bad-no-output
# the size needed is the compressed one: an image between the two sizes works only compressed
need_raw=$("$KILN" redoxfs create elf.m -o tiny.img --size 1M --no-compress 2>&1 | sed -n 's/.*needs \([0-9]*\) bytes.*/\1/p')
need_c=$("$KILN" redoxfs create elf.m -o tiny.img --size 1M 2>&1 | sed -n 's/.*needs \([0-9]*\) bytes.*/\1/p')
if [ -n "$need_c" ] && [ -n "$need_raw" ] && [ "$need_c" -lt "$need_raw" ]; then ok compress-needs-less
else fail compress-needs-less "needs ${need_c:-?} compressed, ${need_raw:-?} uncompressed"; fi
check compress-exact-size "$KILN" redoxfs create elf.m -o exact.img --size "$need_c"
check compress-exact-size-check "$KILN" redoxfs check exact.img
expect_fail compress-exact-size-raw 2 'image too small.*needs [0-9]+ bytes' \
	"$KILN" redoxfs create elf.m -o exact-raw.img --size "$need_c" --no-compress
[ -e tiny.img ] || [ -e exact-raw.img ] && fail too-small-compressed-no-output "an image was left behind" ||
	ok too-small-compressed-no-output
expect_fail no-compress-only-create 2 "^kiln redoxfs: list takes IMG and --offset only; see 'kiln help redoxfs'$" "$KILN" redoxfs list elf.img --no-compress

# image { compress = false } in a plugin: the edge writes with --no-compress; other formats
# have no such field
mkdir -p plug/p plug/b
printf '%s\n' 'files { name = "etc", image = "root", ["/etc/x"] = { data = "x" } }' \
	'image { name = "root", format = "redoxfs", size = "2M", compress = false }' \
	'image { name = "root2", format = "redoxfs", size = "2M" }' \
	'files { name = "etc2", image = "root2", ["/etc/y"] = { data = "y" } }' >plug/p/x.lua
(cd plug/b && "$KILN" gen -q --system=none --plugin-dir="$T/plug/p") >plug.out 2>&1
eq compress-field-gen 0 $?
edge() { sed -n "/^build out\/images\/$1\.img:/,/^build $1:/p" plug/b/build.ninja; }
edge root >plug.root
contains compress-field-flag plug.root '^  flags = --no-compress$'
edge root2 >plug.root2
contains compress-field-edge plug.root2 '^build out/images/root2\.img: redoxfs'
if grep -q -- --no-compress plug.root2; then fail compress-field-default "root2 written with --no-compress"
else ok compress-field-default; fi
printf '%s\n' 'image { name = "esp", format = "fat", size = "2M", compress = false }' >plug/p/x.lua
expect_fail compress-field-fat 1 "x\.lua:1: image 'esp': a fat image has no field 'compress'" \
	sh -c "cd '$T/plug/b' && '$KILN' gen -q --system=none --plugin-dir='$T/plug/p'"
# image { jobs = N }: the edge writes with --jobs N (the image is the same for any N)
printf '%s\n' 'image { name = "root", format = "redoxfs", size = "2M", jobs = 3, compress = false }' \
	'files { name = "etc", image = "root", ["/etc/x"] = { data = "x" } }' >plug/p/x.lua
(cd plug/b && "$KILN" gen -q --system=none --plugin-dir="$T/plug/p") >plug.out 2>&1
eq jobs-field-gen 0 $?
edge root >plug.root
contains jobs-field-flag plug.root '^  flags = --no-compress --jobs 3$'
printf '%s\n' 'image { name = "root", format = "redoxfs", size = "2M", jobs = 0 }' >plug/p/x.lua
expect_fail jobs-field-range 1 "x\.lua:1: image 'root': jobs = 0: a number of threads from 1 to 64" \
	sh -c "cd '$T/plug/b' && '$KILN' gen -q --system=none --plugin-dir='$T/plug/p'"
printf '%s\n' 'image { name = "esp", format = "fat", size = "2M", jobs = 2 }' >plug/p/x.lua
expect_fail jobs-field-fat 1 "x\.lua:1: image 'esp': a fat image has no field 'jobs'" \
	sh -c "cd '$T/plug/b' && '$KILN' gen -q --system=none --plugin-dir='$T/plug/p'"

# ---- more than 254 x 254 nodes: a second level-1 tree list, full bits on the first ----
awk 'BEGIN { print "kiln-manifest 1"; for (i = 0; i < 66000; i++) printf "file /d%d/f%d 0644 0 0 data:%d\n", i / 1000, i, i }' >m66
check tree-66000-create "$KILN" redoxfs create m66 -o img66 --size 300M
check tree-66000-check "$KILN" redoxfs check img66
eq tree-66000-cat 65999 "$("$KILN" redoxfs cat img66 /d65/f65999)"
eq tree-66000-list "$((1 + 66 + 66000))" "$("$KILN" redoxfs list img66 | wc -l | tr -d ' ')"
rm -f img66

# ---- reproducibility and uuid ----
mkdir r1 r2
(cd r1 && "$KILN" redoxfs create ../m -o out.img --size 64M)
(cd r2 && "$KILN" redoxfs create ../m -o out.img --size 64M)
same reproducible r1/out.img r2/out.img
"$KILN" redoxfs create m -o other.img --size 64M
if cmp -s other.img img; then fail uuid-from-name "a different output name gave the same uuid"; else ok uuid-from-name; fi
"$KILN" redoxfs create m -o u.img --size 64M --uuid 00112233-4455-6677-8899-aabbccddeeff
eq uuid-option "00112233445566778899aabbccddeeff" "$(od -An -tx1 -j16 -N16 u.img | tr -d ' \n')"

# ---- --offset: the filesystem inside a disk, 2 MiB in ----
dd if=/dev/zero of=disk bs=1048576 count=2 2>/dev/null
cat img >>disk
"$KILN" redoxfs list disk --offset 2M >list2 2>&1
same offset-list list list2
check offset-check "$KILN" redoxfs check disk --offset 2097152
"$KILN" redoxfs cat disk /five --offset 2M >out && cmp -s out src/five && ok offset-cat || fail offset-cat "content differs"

# ---- the checker on corrupted images ----
# small image with a known layout: root dir list 257, root node 258, /a node 259 (in the
# hole the level-1 record left), /a record 260-261, tree lists 262..265, alloc list 266
printf 'kiln-manifest 1\nfile /a 0644 0 0 src:%s\n' "$S/five" >small.m
check small-create "$KILN" redoxfs create small.m -o small.img --size 2M
check small-check "$KILN" redoxfs check small.img
corrupt() { # NAME OFFSET PATTERN
	cp small.img c.img
	printf '\377' | dd of=c.img bs=1 seek="$2" conv=notrunc 2>/dev/null
	"$KILN" redoxfs check c.img >c.out 2>&1
	rc=$?
	if [ $rc -ne 1 ]; then fail "$1" "check exited $rc, expected 1: $(head -c 300 c.out)"
	elif grep -Eq -- "$3" c.out; then ok "$1"
	else fail "$1" "output does not match /$3/: $(head -c 300 c.out | tr '\n' ' ')"; fi
}
corrupt corrupt-header 40 'block 0: header hash mismatch'
tail -n 1 c.out >last.out
contains "corrupt-header: the last line sums it up (the count, the problem, the fix)" last.out \
	'^c\.img: RedoxFS: 1 problem: block 0: header hash mismatch.*; write the image again \(ninja image, or kiln redoxfs create\)$'
corrupt corrupt-dirlist $((257 * 4096 + 3)) 'block 257: dir list: hash mismatch'
corrupt corrupt-root-node $((258 * 4096 + 20)) 'block 258: node: hash mismatch'
corrupt corrupt-file-node $((259 * 4096 + 10)) 'block 259: node: hash mismatch'
corrupt corrupt-record $((260 * 4096 + 100)) 'block 260: record: hash mismatch'
corrupt corrupt-record-padding $((261 * 4096 + 4000)) 'block 260: record: hash mismatch'
corrupt corrupt-tree $((262 * 4096 + 4064)) 'block 262: tree list: hash mismatch'
corrupt corrupt-alloc $((266 * 4096 + 16)) 'block 266: alloc list: hash mismatch'
cp small.img c.img
dd if=/dev/zero of=c.img bs=4096 seek=262 count=1 conv=notrunc 2>/dev/null
"$KILN" redoxfs check c.img >c.out 2>&1
eq zeroed-tree-exit 1 $?
contains zeroed-tree-block c.out 'block 262: tree list: hash mismatch'
head -c 1048576 small.img >c.img
"$KILN" redoxfs check c.img >c.out 2>&1
eq truncated-exit 1 $?
contains truncated-named c.out 'block (0|262|266).*(exceeds the image|beyond the end)'
"$KILN" redoxfs check c.img >/dev/null 2>c.err
eq "truncated: every line on stderr, none on stdout" "$(cat c.out)" "$(cat c.err)"
tail -n 1 c.err >last.out
contains "truncated: the last line names the count and the first problem" last.out \
	'^c\.img: RedoxFS: [0-9]+ problems: first: block 0: header: filesystem size [0-9]+ bytes exceeds the image'
: >c.img
"$KILN" redoxfs check c.img >c.out 2>&1
eq empty-image-exit 1 $?
tail -n 1 c.out >last.out
contains "not RedoxFS at all: the summary says so, and how a partition is read" last.out \
	'^c\.img: RedoxFS: 1 problem: block 0: no RedoxFS signature.*; not a RedoxFS image \(one inside a disk needs --offset BYTES\)$'
expect_fail list-corrupt 2 'block 260: record: hash mismatch' sh -c \
	"cp small.img c.img && printf x | dd of=c.img bs=1 seek=$((260 * 4096)) conv=notrunc 2>/dev/null && '$KILN' redoxfs cat c.img /a >/dev/null"

# ---- bad input ----
printf 'kiln-manifest 1\nfile /x 0644 0 0 src:%s/missing\n' "$S" >bad.m
expect_fail missing-source 2 'missing' "$KILN" redoxfs create bad.m -o bad.img --size 2M
printf 'kiln-manifest 1\nfile /%0253d 0644 0 0 data:x\n' 0 >bad.m
expect_fail name-too-long 2 'longer than 252' "$KILN" redoxfs create bad.m -o bad.img --size 2M
printf 'kiln-manifest 1\nfile /%0252d 0644 0 0 data:x\n' 0 >ok.m
check name-252-ok "$KILN" redoxfs create ok.m -o ok.img --size 2M
printf 'kiln-manifest 1\nfile /a:b 0644 0 0 data:x\n' >bad.m
expect_fail name-colon 2 "contains ':'" "$KILN" redoxfs create bad.m -o bad.img --size 2M
expect_fail too-small 2 'image too small.*needs [0-9]+ bytes' "$KILN" redoxfs create m -o bad.img --size 8M
[ -e bad.img ] && fail too-small-no-output "bad.img was left behind" || ok too-small-no-output
expect_fail bad-uuid 2 'not a UUID' "$KILN" redoxfs create small.m -o bad.img --size 2M --uuid xyz
expect_fail bad-size 2 'not a size' "$KILN" redoxfs create small.m -o bad.img --size lots
expect_fail size-over-2^63 2 '\-\-size 99999999999999999999G: too large' "$KILN" redoxfs create small.m -o bad.img --size 99999999999999999999G
expect_fail offset-over-2^63 2 '\-\-offset 9999999999999999999: too large' "$KILN" redoxfs list small.img --offset 9999999999999999999
[ -e bad.img ] && fail refused-sizes-no-output "bad.img was left behind" || ok refused-sizes-no-output
refuses_nonregular "redoxfs list" "$KILN" redoxfs list @
refuses_nonregular "redoxfs check" "$KILN" redoxfs check @
# an image path longer than the reader's message buffer: the cause is still named, no overflow
long=$T/$(printf '%0200d' 0)/$(printf '%0200d' 0)/$(printf '%0200d' 0)
mkdir -p "$long" && printf 'not a filesystem, but long enough for a header block\n' >"$long/img"
head -c 8192 /dev/zero >>"$long/img"
expect_fail long-image-path 2 '^kiln redoxfs: \.\.\.[0/]+/img: block 0: no RedoxFS signature \(and no valid header in the blocks after it\)$' "$KILN" redoxfs list "$long/img"
expect_fail not-redoxfs 2 'no RedoxFS signature' "$KILN" redoxfs list m
expect_fail no-manifest 2 'nothere' "$KILN" redoxfs create nothere -o bad.img --size 2M

# ---- peak memory does not grow with the payload ----
head -c 4000000 /dev/urandom >src/p1
cat src/p1 src/p1 src/p1 src/p1 src/p1 src/p1 src/p1 src/p1 src/p1 src/p1 >src/p10
printf 'kiln-manifest 1\nfile /p 0644 0 0 src:%s/p1\n' "$S" >p1.m
printf 'kiln-manifest 1\nfile /p 0644 0 0 src:%s/p10\n' "$S" >p10.m
rss() { # peak RSS in KiB of: kiln redoxfs create MANIFEST -o OUT --size 64M
	if [ -x /usr/bin/time ] && /usr/bin/time -f %M true >/dev/null 2>&1; then
		/usr/bin/time -f %M -o rss.out "$KILN" redoxfs create "$1" -o "$2" --size 64M && tail -n 1 rss.out
	else
		python3 -c 'import resource, subprocess, sys
subprocess.check_call(sys.argv[1:])
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // (1024 if sys.platform == "darwin" else 1))' \
			"$KILN" redoxfs create "$1" -o "$2" --size 64M
	fi
}
r1=$(rss p1.m p1.img)
r10=$(rss p10.m p10.img)
if [ -n "$r1" ] && [ -n "$r10" ] && [ $((r10 * 2)) -lt $((r1 * 3)) ]; then ok memory-flat
else fail memory-flat "peak RSS ${r1:-?} KiB for 4 MB, ${r10:-?} KiB for 40 MB (ratio must be < 1.5)"; fi
"$KILN" redoxfs cat p10.img /p >out && cmp -s out src/p10 && ok memory-round-trip || fail memory-round-trip "content differs"

# ---- fuzz corpus replay through a normal build of the driver ----
C=$SRCDIR/core
if ${CC:-cc} -std=c11 -O1 -I"$C" -o fuzz-redoxfs "$SRCDIR/tests/fuzz/redoxfs.c" \
	"$SRCDIR/tests/fuzz/standalone.c" "$C/util.c" "$C/image/manifest.c" "$C/image/seahash.c" \
	"$C/image/redoxfs_read.c" "$C/image/redoxfs_format.c" 2>fuzz.err; then
	./fuzz-redoxfs "$SRCDIR"/tests/fuzz/corpus/redoxfs/*
else
	fail fuzz-build "$(head -c 300 fuzz.err)"
fi
