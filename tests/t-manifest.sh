#!/bin/sh
# t-manifest.sh: the manifest reader (docs/manifest.md) shared by every image writer: CRLF
# line ends, messages that quote control bytes on one line, and the fuzz corpus replay
# (tests/fuzz/manifest.c: every rejection is one line naming the manifest and line, every
# accepted manifest a consistent tree).
. "$SRCDIR/tests/lib.sh"
T=$TMPDIR_T
cd "$T" || exit 2
# the fuzz replay is built like kiln itself (same compiler, flags and sanitizers, if any)
mk() { sed -n "s/^$1 = //p" "$BUILDDIR/Makefile"; }
cc=$(mk CC) cflags=$(mk CFLAGS) ldflags=$(mk LDFLAGS) libs=$(mk LIBS)

# --- CRLF line ends: the same image as LF ---------------------------------------------------------
printf 'kiln-manifest 1\n# a comment\ndir /etc 0755 0 0\nfile /etc/hostname 0644 0 0 data:demo\\n\nsymlink /bin 0777 0 0 usr/bin\nfile /usr/bin/x 0755 0 0 data:\\r\n' >lf.m
sed 's/$/\r/' lf.m >crlf.m
eq "the CRLF manifest has CR bytes" 6 "$(tr -cd '\r' <crlf.m | wc -c | tr -d ' ')"
check "initfs from a CRLF manifest" "$KILN" initfs create crlf.m -o crlf.img --no-bootstrap
"$KILN" initfs create lf.m -o lf.img --no-bootstrap >/dev/null 2>&1
same "CRLF and LF manifests give the same initfs" lf.img crlf.img
check "redoxfs from a CRLF manifest" "$KILN" redoxfs create crlf.m -o crlf.rfs --size 2M --uuid 00112233-4455-6677-8899-aabbccddeeff
"$KILN" redoxfs create lf.m -o lf.rfs --size 2M --uuid 00112233-4455-6677-8899-aabbccddeeff >/dev/null 2>&1
same "CRLF and LF manifests give the same RedoxFS image" lf.rfs crlf.rfs
"$KILN" initfs list crlf.img >crlf.list
contains "a CR escaped inside a field is kept" crlf.list ' 1 /usr/bin/x$'

# --- messages: one line, control bytes shown escaped ----------------------------------------------
printf 'kiln-manifest 1\nfi\001le /a 0644 0 0 data:x\n' >ctl.m
expect_fail "a control byte in a message is escaped" 2 "^kiln initfs: ctl.m:2: unknown entry type 'fi\\\\x01le'" \
	"$KILN" initfs create ctl.m -o x.img --no-bootstrap
eq "a control byte in a message: one line" 1 "$(wc -l <.err | tr -d ' ')"
printf 'kiln-manifest 1\ndir /a\\nb/../c 0755 0 0\n' >nl.m
expect_fail "an escaped newline in a quoted path stays one line" 2 "^kiln initfs: nl.m:2: path '/a\\\\nb/\\.\\./c' has a '\\.' or '\\.\\.' component$" \
	"$KILN" initfs create nl.m -o x.img --no-bootstrap
eq "an escaped newline in a message: one line" 1 "$(wc -l <.err | tr -d ' ')"
printf 'kiln-manifest 1\nfile /a 0644 0 0 data:x\nfile /a\\x0a 0644 0 0 data:y\nhardlink /b /a\\x0a\\x0a\n' >hl.m
expect_fail "a hard link to a missing path with newlines: one line" 2 "^kiln initfs: hl.m:4: hardlink /b: /a\\\\n\\\\n is not a file entry" \
	"$KILN" initfs create hl.m -o x.img --no-bootstrap
printf 'kiln-manifest 2\n' >v2.m
expect_fail "another version is not a kiln manifest" 2 "v2.m:1: not a kiln manifest: the first line must be 'kiln-manifest 1'" \
	"$KILN" initfs create v2.m -o x.img --no-bootstrap
check "failed creates leave no output" test ! -e x.img

# --- fuzz corpus replay ------------------------------------------------------------------------
if ${cc:-cc} $cflags -I"$SRCDIR/core" -o replay "$SRCDIR/tests/fuzz/manifest.c" "$SRCDIR/tests/fuzz/standalone.c" \
	"$BUILDDIR/obj/image/manifest.o" "$BUILDDIR/obj/util.o" $ldflags $libs 2>replay.err; then
	n=$(ls "$SRCDIR/tests/fuzz/corpus/manifest" | wc -l | tr -d ' ')
	./replay "$SRCDIR"/tests/fuzz/corpus/manifest/* lf.m crlf.m ctl.m nl.m hl.m v2.m >replay.out 2>&1
	rc=$?
	eq "fuzz corpus replay ($n seeds and the inputs above)" "0 $((n + 6))" "$rc $(grep -c '^ok replay' replay.out)"

	# --- size: 65,536 files in one directory, and 65,536 under 4,096 directories, are read in
	# linear time (parents and duplicates through a hash table, a child by its name through a
	# binary search); read quadratically, the first took 80 s. The replay parses each and finds
	# every entry again by its path.
	awk 'BEGIN { print "kiln-manifest 1"; for (i = 0; i < 65536; i++) printf "file /d/f%06d 0644 0 0 data:x\n", i }' >flat.m
	awk 'BEGIN { print "kiln-manifest 1"
		for (i = 0; i < 65536; i++) printf "file /a%d/b%d/c%d/f%06d 0644 0 0 data:x\n", i % 16, i % 256, i % 4096, i }' >deep.m
	for m in flat deep; do
		start=$(date +%s)
		./replay $m.m >$m.out 2>&1 &
		pid=$!
		( sleep 30; kill -9 $pid 2>/dev/null ) &
		w=$!
		wait $pid
		rc=$?
		kill $w 2>/dev/null
		eq "65,536 files ($m.m) read and found by path in under 30 s" "0 ok replay $m.m" "$rc $(cat $m.out)"
		echo "# $m.m: $(( $(date +%s) - start )) s"
	done
else
	fail "fuzz replay: build" "$(head -c 300 replay.err)"
fi
