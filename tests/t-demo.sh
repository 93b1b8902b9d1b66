# tests/t-demo.sh: the bundled demo through kiln, end to end: build, boot test, the printed
# init.rc against the manifest, reproducibility across build directories, incremental
# behaviour, the error path of a kernel linked without its linker script, and x86_64.
. "$SRCDIR/tests/lib.sh"
T=$TMPDIR_T
cp -R "$SRCDIR/examples/demo" "$T/demo"

# gen DIR ARGS...: a build dir of a copy of the demo
gen() { _d=$1; shift; mkdir -p "$_d" && (cd "$_d" && "$KILN" gen -q --system=none --plugin-dir="$T/demo" "$@"); }
# what ninja ran: the sorted descriptions, one per line, as "WORD path"
ran() { grep -E '^\[[0-9]+/[0-9]+\] ' "$1" | sed 's/^\[[0-9]*\/[0-9]*\] //; s/ (.*//' | sort | tr '\n' ';'; }

gen "$T/a" >"$T/gen.out" 2>&1
check "gen the demo" test -f "$T/a/build.ninja"
if ninja -C "$T/a" image >"$T/build.out" 2>&1; then ok "ninja image builds the demo"; else
	fail "ninja image builds the demo" "$(tail -5 "$T/build.out" | tr '\n' ' ')"; fi
for i in initfs rootfs esp harddrive; do check "image $i exists" test -s "$T/a/out/images/$i.img"; done
contains "the kernel was checked as a validation" "$T/build.out" "CHECK out/kernel/kernel \(demo-kernel\)"
contains "the bootstrap was checked" "$T/build.out" "CHECK out/bootstrap/bootstrap \(bootstrap\)"
contains "the programs were stripped" "$T/build.out" "STRIP out/hello/stripped/hello"

# --- boot -----------------------------------------------------------------------------------
if ninja -C "$T/a" boot-test >"$T/boot.out" 2>&1; then ok "ninja boot-test passes"; else
	fail "ninja boot-test passes" "$(tail -8 "$T/boot.out" | tr '\n' ' ')"; fi
log=$T/a/out/boot-test/serial.log
entry=$(readelf -hW "$T/a/out/bootstrap/bootstrap" | awk '/Entry point/ { print $4 }')
inodes=$("$KILN" initfs list "$T/a/out/images/initfs.img" 2>/dev/null | grep -cE '^ *(file|dir|symlink|link)')
contains "serial: the kernel read the initfs header" "$log" "magic RedoxFtw, inodes [0-9]+, bootstrap_entry $entry, initfs_size"
# the init.rc the kernel printed, byte for byte: LEN bytes after the "/etc/init.rc: ... LEN bytes" line
python3 - "$log" "$T/printed.rc" <<'PY'
import re, sys
data = open(sys.argv[1], "rb").read()
m = re.search(rb"kiln-demo: /etc/init.rc: inode \d+, (\d+) bytes\n", data)
open(sys.argv[2], "wb").write(data[m.end():m.end() + int(m.group(1))] if m else b"(not found)")
PY
same "serial: the printed /etc/init.rc equals the manifest's file" "$SRCDIR/examples/demo/etc/init.rc" "$T/printed.rc"
contains "serial: the bootstrap ran in place" "$log" "^bootstrap: running in place, _start at $entry"
contains "serial: the bootstrap found /bin/init" "$log" "^bootstrap: /bin/init: inode [0-9]+, ELF"
contains "serial: the system finished" "$log" "^kiln-demo: done"

# --- queries on the demo --------------------------------------------------------------------
(cd "$T/a" && "$KILN" why /bin/hello) >"$T/why" 2>&1
contains "kiln why names the component and plugin line" "$T/why" "put there by component 'hello' \(.*programs\.lua:[0-9]+\)"
contains "kiln why follows the chain to the disk" "$T/why" "chain: hello -> initfs:/bin/hello -> rootfs:/boot/initfs -> harddrive partition REDOX"

# --- reproducibility: a second build directory gives identical images -----------------------
gen "$T/second dir" >/dev/null 2>&1
ninja -C "$T/second dir" image >/dev/null 2>&1
for i in initfs rootfs esp harddrive; do
	same "reproducible: $i.img is identical in two build dirs" "$T/a/out/images/$i.img" "$T/second dir/out/images/$i.img"
done

# --- incremental ------------------------------------------------------------------------------
out=$(ninja -C "$T/a" image)
case $out in *"no work to do"*) ok "nothing changed: ninja has no work to do" ;; *) fail "nothing changed: ninja has no work to do" "$out" ;; esac
sleep 1
sed -i.bak 's/hello from kiln-demo/hello again from kiln-demo/' "$T/demo/hello/hello.c" && rm -f "$T/demo/hello/hello.c.bak"
ninja -C "$T/a" image >"$T/inc1" 2>&1
eq "a changed program rebuilds exactly it, its check, the initfs, the root fs and the disk" \
	"CC out/hello/obj/hello/hello.c.o;CHECK out/hello/hello;DISK out/images/harddrive.img;INITFS out/images/initfs.img;LINK out/hello/hello;REDOXFS out/images/rootfs.img;STRIP out/hello/stripped/hello;SUMMARY out/images/summary.txt;" \
	"$(ran "$T/inc1")"
sleep 1
touch "$T/demo/hello/hello.c"
ninja -C "$T/a" image >"$T/inc2" 2>&1
eq "a touched but unchanged source stops at the strip (restat)" \
	"CC out/hello/obj/hello/hello.c.o;CHECK out/hello/hello;LINK out/hello/hello;STRIP out/hello/stripped/hello;" \
	"$(ran "$T/inc2")"
sleep 1
echo "changed motd" >"$T/demo/etc/motd"
ninja -C "$T/a" image >"$T/inc3" 2>&1
eq "a changed root file rewrites only the root fs and the disk" \
	"DISK out/images/harddrive.img;REDOXFS out/images/rootfs.img;SUMMARY out/images/summary.txt;" "$(ran "$T/inc3")"
out=$(ninja -C "$T/a" image)
case $out in *"no work to do"*) ok "after the changes ninja has no work to do" ;; *) fail "after the changes ninja has no work to do" "$out" ;; esac

# --- error path: the kernel linked without its linker script -----------------------------------
cp -R "$SRCDIR/examples/demo" "$T/broken"
grep -v 'linker_script = "kernel/' "$T/broken/kernel.lua" >"$T/broken/k" && mv "$T/broken/k" "$T/broken/kernel.lua"
mkdir -p "$T/c" && (cd "$T/c" && "$KILN" gen -q --system=none --plugin-dir="$T/broken") >/dev/null 2>&1
ninja -C "$T/c" image >"$T/broken.out" 2>&1
rc=$?
if [ $rc -ne 0 ]; then ok "a kernel without its linker script fails ninja image"; else fail "a kernel without its linker script fails ninja image" "ninja succeeded"; fi
contains "the failure is the kernel policy's diagnosis" "$T/broken.out" "kernel.*linker script"
# checks are validations (they never delay the chain), so the disk may have been written; but
# nothing boots it: the QEMU targets depend on every check
if ninja -C "$T/c" boot-test >"$T/broken-boot.out" 2>&1; then fail "boot-test refuses a system whose kernel check failed" "ninja boot-test succeeded"
else contains "boot-test refuses a system whose kernel check failed" "$T/broken-boot.out" "kernel-base: .*linker script"; fi
check "QEMU was not started for it" test ! -e "$T/c/out/boot-test/serial.log"

# --- x86_64: the demo and its images build and pass their checks ---------------------------------
mkdir -p "$T/x" && (cd "$T/x" && "$KILN" gen -q --system=none --plugin-dir="$T/demo" --arch=x86_64) >"$T/x.gen" 2>&1
if ninja -C "$T/x" image >"$T/x.out" 2>&1; then ok "x86_64: the demo images build and pass their checks"; else
	fail "x86_64: the demo images build and pass their checks" "$(tail -5 "$T/x.out" | tr '\n' ' ')"; fi
check "x86_64: the kernel is an x86-64 ELF" sh -c "readelf -hW '$T/x/out/kernel/kernel' | grep -q 'X86-64'"
