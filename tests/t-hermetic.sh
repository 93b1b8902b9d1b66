# tests/t-hermetic.sh: an image is a pure function of its inputs, and the graph says so.
# Two checkouts of one source tree at different paths, with different umask, TZ and locale,
# build byte-identical images; then, in one of them: a new kiln binary or an edited policy
# file reruns the checks; a touched but unchanged source rewrites no image (restat);
# SOURCE_DATE_EPOCH comes from configure, not from the shell, and changing it through
# configure rebuilds exactly the images; and no image ever contains a binary whose check
# failed, even with `ninja -k 0`.
. "$SRCDIR/tests/lib.sh"
T=$TMPDIR_T
export MAKEFLAGS=-j2

# checkout DIR: the files of the source tree that configure and the demo need
checkout() {
	mkdir -p "$1"
	(cd "$SRCDIR" && cp -R configure Makefile.in VERSION core lua rules plugins examples "$1/")
}
A=$T/one/kiln
B=$T/second/checkout/at/a/longer/path/kiln
checkout "$A"
checkout "$B"
# the build must not depend on the shell: SOURCE_DATE_EPOCH is configure's (tests/run sets it)
(cd "$A" && umask 022 && TZ=UTC LC_ALL=C ./configure && ninja image) >"$T/a.log" 2>&1
ra=$?
(cd "$B" && umask 077 && TZ=Pacific/Chatham LC_ALL=C.utf8 LANG=C.utf8 ./configure && ninja image) >"$T/b.log" 2>&1
rb=$?
eq "checkout one: configure && ninja image" 0 "$ra"
eq "checkout two (umask 077, TZ Pacific/Chatham, LC_ALL C.utf8): configure && ninja image" 0 "$rb"
for i in initfs rootfs esp harddrive; do
	same "the $i image is byte-identical in both checkouts" "$A/out/images/$i.img" "$B/out/images/$i.img"
done

# ninja in A from here on (ninja's output lists what ran, one description per line)
ran() { (cd "$A" && ninja image) >"$T/ran" 2>&1; sed -n 's/^\[[0-9]*\/[0-9]*\] //p' "$T/ran" | sort | tr '\n' ';'; }

# a new kiln binary: every check, strip and image edge reruns (restat keeps what is unchanged)
sleep 1
touch "$A/kiln"
r=$(ran)
case $r in *"CHECK out/kernel/kernel (kernel)"*"STRIP out/hello/stripped/hello"*) ok "a new kiln binary reruns the checks and strips" ;;
*) fail "a new kiln binary reruns the checks and strips" "$r" ;; esac
case $r in *"DISK out/images/harddrive.img"*"INITFS out/images/initfs.img"*) ok "a new kiln binary rewrites the images" ;;
*) fail "a new kiln binary rewrites the images" "$r" ;; esac
same "after the new kiln the disk is still identical" "$A/out/images/harddrive.img" "$B/out/images/harddrive.img"

# an edited lua/elf_policies.lua: the checks rerun
sleep 1
echo "-- edited" >>"$A/lua/elf_policies.lua"
r=$(ran)
case $r in *"CHECK out/hello/hello (initfs-bin)"*"CHECK out/kernel/kernel (kernel)"*) ok "an edited lua/elf_policies.lua reruns the checks" ;;
*) fail "an edited lua/elf_policies.lua reruns the checks" "$r" ;; esac
r=$(ran)
case $r in "") ok "then ninja has no work to do" ;; *) fail "then ninja has no work to do" "$r" ;; esac

# a touched but unchanged source: compiled, linked, checked and stripped again, no image rewritten
sleep 1
touch "$T/ref" "$A/examples/demo/hello/hello.c"
r=$(ran)
case $r in *"CC out/hello/obj/hello/hello.c.o"*) ok "a touched source is compiled again" ;; *) fail "a touched source is compiled again" "$r" ;; esac
case $r in *INITFS*|*REDOXFS*|*DISK*) fail "a touched but unchanged source rewrites no image" "$r" ;; *) ok "a touched but unchanged source rewrites no image" ;; esac
check "the initfs keeps its mtime" sh -c "! [ '$A/out/images/initfs.img' -nt '$T/ref' ]"

# every edge that runs the kiln binary has it as an input
missing=$(edges_missing_kiln "$A" "$A/kiln")
eq "every edge that runs kiln has the kiln binary as an input" "" "$missing"
n=$(cd "$A" && ninja -t targets all | grep -c ': \(elf_check\|elf_strip\|initfs\|redoxfs\|fat\|gpt\|summary\)$')
check "... and that covers the image, check and summary edges ($n)" test "$n" -ge 6

# SOURCE_DATE_EPOCH: from configure (kiln.env), written into the image commands
contains "kiln.env records SOURCE_DATE_EPOCH" "$A/kiln.env" "^SOURCE_DATE_EPOCH=1700000000$"
initfs_time() { "$A/kiln" initfs list "$A/out/images/initfs.img" | sed -n 's/^creation_time \([0-9]*\)\..*/\1/p'; }
eq "the initfs carries the configured time" 1700000000 "$(initfs_time)"
r=$(SOURCE_DATE_EPOCH=1234 ran)
case $r in "") ok "another SOURCE_DATE_EPOCH in the shell changes nothing" ;; *) fail "another SOURCE_DATE_EPOCH in the shell changes nothing" "$r" ;; esac
sleep 1
echo "new motd" >"$A/examples/demo/etc/motd"
r=$(SOURCE_DATE_EPOCH=1234 ran)
case $r in *"REDOXFS out/images/rootfs.img"*) ok "a changed rootfs file rewrites the rootfs" ;; *) fail "a changed rootfs file rewrites the rootfs" "$r" ;; esac
echo "new motd" >"$B/examples/demo/etc/motd"
(cd "$B" && ninja image) >/dev/null 2>&1
same "a partial rebuild keeps the configured time, not the shell's (the same change in the other checkout gives the same rootfs)" \
	"$A/out/images/rootfs.img" "$B/out/images/rootfs.img"
(cd "$A" && SOURCE_DATE_EPOCH=1800000000 ./configure) >"$T/reconf" 2>&1
r=$(ran)
eq "changing SOURCE_DATE_EPOCH through configure rebuilds exactly the images" \
	"DISK out/images/harddrive.img;FAT out/images/esp.img;INITFS out/images/initfs.img;REDOXFS out/images/rootfs.img;SUMMARY out/images/summary.txt;" "$r"
eq "the initfs carries the new time" 1800000000 "$(initfs_time)"
r=$(ran)
case $r in "") ok "then ninja has no work to do" ;; *) fail "then ninja has no work to do" "$r" ;; esac
(cd "$A" && SOURCE_DATE_EPOCH=soon ./configure) >"$T/sde-bad" 2>&1
contains "a SOURCE_DATE_EPOCH that is not a number is refused by configure" "$T/sde-bad" "SOURCE_DATE_EPOCH=soon: not a whole number of seconds"

# no image contains a binary whose check failed, even with ninja -k 0: one stripped program and
# one unstripped, both failing their policy, both installed into images
mkdir -p "$T/never" "$T/k"
cp "$A/examples/demo/hello/hello.c" "$T/never/"
cat >"$T/never/never.lua" <<'LUA'
local f = import "../one/kiln/examples/demo/common/flags.lua"
elf_policy { name = "never", inherits = "initfs-bin", min_code = 100000000 }
component { name = "bad", kind = "initfs-bin", policy = "never", install = { initfs = "/bin/bad" },
	build = cross_cc { sources = { "hello.c" }, includes = { "../one/kiln/examples/demo/lib" }, cflags = f.cflags, ldflags = f.ldflags } }
component { name = "bad2", kind = "initfs-bin", policy = "never", strip = false, install = { esp = "/bad2" },
	build = cross_cc { sources = { "hello.c" }, includes = { "../one/kiln/examples/demo/lib" }, cflags = f.cflags, ldflags = f.ldflags } }
LUA
(cd "$T/k" && "$A/kiln" gen -q --srcdir="$A" --system=none --plugin-dir="$A/examples/demo" --plugin-dir="$T/never") >"$T/k.gen" 2>&1
(cd "$T/k" && ninja -k 0 image) >"$T/k.log" 2>&1
eq "ninja -k 0 image fails" 1 "$?"
contains "the failing check is reported" "$T/k.log" "^FAILED: out/bad/bad\.check"
check "the program that failed its check is not stripped" test ! -e "$T/k/out/bad/stripped/bad"
for i in initfs rootfs harddrive esp; do
	check "ninja -k 0: no $i image holds an unchecked binary" test ! -e "$T/k/out/images/$i.img"
done
check "ninja -k 0 still builds what does not depend on the failure" test -f "$T/k/out/kernel/kernel.check"
