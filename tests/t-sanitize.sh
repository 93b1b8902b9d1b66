#!/bin/sh
# t-sanitize.sh: kiln built with AddressSanitizer and UndefinedBehaviorSanitizer (every report
# fatal), out of tree: configure and the demo's `ninja image` run through it (gen, elf check
# and strip, initfs, RedoxFS, FAT, GPT), then the edge cases that once were undefined
# behaviour: empty directories in every image format (qsort and memcpy of NULL and 0), an
# archive member that is not an object, fs.list of an empty directory, the manifest corpus.
. "$SRCDIR/tests/lib.sh"
T=$TMPDIR_T
cd "$T" || exit 2
mk() { sed -n "s/^$1 = //p" "$BUILDDIR/Makefile"; }
cc=$(mk CC)
san="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
# kiln does not free what it holds at exit; leaks are not what this test looks for
export ASAN_OPTIONS=detect_leaks=0:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1
# clean NAME CMD...: CMD exits 0 and no sanitizer spoke
clean() {
	_n=$1; shift
	"$@" >"$T/.out" 2>&1
	_rc=$?
	if [ "$_rc" -eq 0 ] && ! grep -Eq 'runtime error|AddressSanitizer|UndefinedBehaviorSanitizer' "$T/.out"; then ok "$_n"
	else
		_why=$(grep -E -m1 -A3 'runtime error|Sanitizer' "$T/.out" | head -c 400 | tr '\n' ' ')
		fail "$_n" "exit $_rc: ${_why:-$(tail -c 300 "$T/.out" | tr '\n' ' ')}"
	fi
}

mkdir -p b
clean "configure with ASan and UBSan (kiln gen runs sanitized)" \
	sh -c "cd b && CC='${cc:-cc}' CFLAGS='-O1 -g $san' LDFLAGS='$san' '$SRCDIR/configure'"
K=$T/b/kiln
clean "the demo's ninja image through the sanitized kiln" sh -c "cd b && ninja image"
clean "the sanitized kiln checks the demo disk" "$K" gpt list b/out/images/harddrive.img

# empty directories and an empty file in every format (FAT without the symlink)
printf 'kiln-manifest 1\ndir /empty 0755 0 0\ndir /a/b/c 0700 1 1\nfile /a/e 0644 0 0 data:\nsymlink /l 0777 0 0 a\n' >e.m
clean "initfs create with empty directories" "$K" initfs create e.m -o e.initfs --no-bootstrap
clean "initfs list with empty directories" "$K" initfs list e.initfs
clean "redoxfs create with empty directories" "$K" redoxfs create e.m -o e.rfs --size 2M
clean "redoxfs check with empty directories" "$K" redoxfs check e.rfs
printf 'kiln-manifest 1\ndir /empty 0755 0 0\ndir /a/b/c 0700 1 1\nfile /a/e 0644 0 0 data:\n' >f.m
clean "fat create with empty directories" "$K" fat create f.m -o f.fat --size 1M
clean "fat list with empty directories" "$K" fat list f.fat
printf 'kiln-manifest 1\n' >none.m
clean "an empty manifest" "$K" initfs create none.m -o none.initfs --no-bootstrap
clean "redoxfs of an empty manifest" "$K" redoxfs create none.m -o none.rfs --size 2M

# an archive member that is no object has no symbols: an empty piece of the symbol table
printf 'text\n' >odd.txt
clean "ar create with a member that is not an object" "$K" ar create -o odd.a odd.txt
clean "ar t of it" "$K" ar t odd.a

# fs.list of an empty directory from a plugin
mkdir -p p/empty g
printf 'local l = fs.list(here "empty")\nassert(#l == 0)\n' >p/p.lua
clean "fs.list of an empty directory" sh -c "cd g && '$K' gen -q --system=none --plugin-dir='$T/p'"

# the manifest fuzz corpus under the sanitizers
if ${cc:-cc} -std=c11 -O1 -g $san -I"$SRCDIR/core" -o replay "$SRCDIR/tests/fuzz/manifest.c" \
	"$SRCDIR/tests/fuzz/standalone.c" "$SRCDIR/core/image/manifest.c" "$SRCDIR/core/util.c" 2>replay.err; then
	n=$(ls "$SRCDIR/tests/fuzz/corpus/manifest" | wc -l | tr -d ' ')
	./replay "$SRCDIR"/tests/fuzz/corpus/manifest/* e.m f.m none.m >replay.out 2>&1
	rc=$?
	eq "manifest corpus under ASan and UBSan ($n seeds + 3)" "0 $((n + 3))" "$rc $(grep -c '^ok replay' replay.out)"
else
	fail "sanitized manifest replay: build" "$(head -c 300 replay.err)"
fi
