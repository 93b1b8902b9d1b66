# tests/t-demo.sh: the bundled demo through kiln, end to end: build, the boot test through the
# UEFI firmware on aarch64 and x86_64 (every stage in order, a clean power-off), a root file
# changed and seen at the next boot, reproducibility across build directories, incremental
# behaviour, a corrupted RedoxFS header, the failure modes a check catches (a kernel linked
# without its linker script, a PIE, entry 0, an initfs without its bootstrap) failing the
# build and, waived, failing at boot with the loader's message, and an added package (greet).
. "$SRCDIR/tests/lib.sh"
T=$TMPDIR_T
cp -R "$SRCDIR/examples/demo" "$T/demo"

# gen DIR ARGS...: a build dir of a copy of the demo
gen() { _d=$1; shift; mkdir -p "$_d" && (cd "$_d" && "$KILN" gen -q --system=none --plugin-dir="$T/demo" "$@"); }
# what ninja ran: the sorted descriptions, one per line, as "WORD path"
ran() { grep -E '^\[[0-9]+/[0-9]+\] ' "$1" | sed 's/^\[[0-9]*\/[0-9]*\] //; s/ (.*//' | sort | tr '\n' ';'; }
# boot_fails NAME DIR PATTERN: ninja boot-test fails in DIR, naming PATTERN in its output
boot_fails() {
	if ninja -C "$2" boot-test >"$T/$1.out" 2>&1; then fail "$1" "ninja boot-test passed"
	else contains "$1" "$T/$1.out" "$3"; fi
}

# --- rules/boot-test.sh on a fake QEMU that writes its serial log and exits -------------------------
# bt NAME STATUS PRINTF-FORMAT [ARGS...]: the fake writes the format (with ESC as \033) to the log
bt() {
	_n=$1 _st=$2 _fmt=$3; shift 3
	sh "$SRCDIR/rules/boot-test.sh" --log "$T/bt/serial.log" --timeout 10 --expect one --expect two \
		--fail "error:" "$@" -- sh -c "printf '$_fmt' >'$T/bt/serial.log'; exit $_st" >"$T/bt.out" 2>&1
}
mkdir -p "$T/bt"
bt ordered 0 'one\ntwo\n'
eq "boot-test: the expected lines in order pass" 0 $?
bt unordered 0 'two\none\n'
if [ $? -ne 0 ]; then contains "boot-test: lines out of order fail, naming the missing one" "$T/bt.out" "missing: two"
else fail "boot-test: lines out of order fail, naming the missing one" "passed"; fi
bt ansi 0 '\033[2J\033[01;01H\033[=3hone\r\n\033[0mtwo\r\n' --poweroff
eq "boot-test: ANSI escapes and CRs are stripped before matching" 0 $?
eq "boot-test: ... and from the log it keeps" "$(printf 'one\ntwo')" "$(cat "$T/bt/serial.log.txt")"
bt errline 0 'one\nboot: error: it broke\ntwo\n'
if [ $? -ne 0 ]; then contains "boot-test: an error line fails it, quoted" "$T/bt.out" "failure line in the serial log: boot: error: it broke"
else fail "boot-test: an error line fails it, quoted" "passed"; fi
bt nopoweroff 3 'one\ntwo\n' --poweroff
if [ $? -ne 0 ]; then contains "boot-test --poweroff: a non-zero QEMU exit fails it" "$T/bt.out" "QEMU exited with status 3 instead of a clean power-off"
else fail "boot-test --poweroff: a non-zero QEMU exit fails it" "passed"; fi

gen "$T/a" >"$T/gen.out" 2>&1
check "gen the demo" test -f "$T/a/build.ninja"
if ninja -C "$T/a" image >"$T/build.out" 2>&1; then ok "ninja image builds the demo"; else
	fail "ninja image builds the demo" "$(tail -5 "$T/build.out" | tr '\n' ' ')"; fi
for i in initfs rootfs esp harddrive; do check "image $i exists" test -s "$T/a/out/images/$i.img"; done
contains "the kernel was checked with the real kernel policy" "$T/build.out" "CHECK out/kernel/kernel \(kernel\)"
contains "the bootloader was checked with the uefi policy" "$T/build.out" "CHECK out/bootloader/BOOTAA64.EFI \(uefi\)"
contains "the bootstrap was checked" "$T/build.out" "CHECK out/bootstrap/bootstrap \(bootstrap\)"
contains "the programs were stripped" "$T/build.out" "STRIP out/hello/stripped/hello"
"$KILN" fat list "$T/a/out/images/esp.img" >"$T/esp" 2>&1
contains "the ESP holds the bootloader where firmware looks" "$T/esp" "file +[0-9]+ /EFI/BOOT/BOOTAA64.EFI$"

# --- boot through the firmware ------------------------------------------------------------------
c=$(ninja -C "$T/a" -t commands boot-test | tail -1)
case $c in *" -kernel "*|*"loader,file"*) fail "boot-test boots through the firmware alone" "$c" ;;
*"if=pflash"*"readonly=on"*"out/firmware/AAVMF_VARS.fd"*"virtio-blk-device"*) ok "boot-test boots through the firmware alone" ;;
*) fail "boot-test boots through the firmware alone" "$c" ;; esac
if ninja -C "$T/a" boot-test >"$T/boot.out" 2>&1; then ok "ninja boot-test passes"; else
	fail "ninja boot-test passes" "$(tail -8 "$T/boot.out" | tr '\n' ' ')"; fi
contains "boot-test saw every stage in order and the power-off" "$T/boot.out" "every expected line appeared in order .*, then a clean power-off"
check "the firmware's variable store was copied into the build dir" test -s "$T/a/out/firmware/AAVMF_VARS.fd"
log=$T/a/out/boot-test/serial.log.txt
eq "the checked log has no ANSI escapes or CRs" "" "$(tr -d '\n' <"$log" | tr -d '[:print:]\t')"
entry=$(readelf -hW "$T/a/out/bootstrap/bootstrap" | awk '/Entry point/ { print $4 }')
kentry=$(readelf -hW "$T/a/out/kernel/kernel" | awk '/Entry point/ { print $4 }')
contains "serial: the bootloader found RedoxFS through the GPT" "$log" "^bootloader: RedoxFS found on GPT partition 3 at byte 0x200000$"
contains "serial: the bootloader read the kernel from RedoxFS" "$log" "^bootloader: kernel /usr/lib/boot/kernel: $(wc -c <"$T/a/out/kernel/kernel" | tr -d ' ') bytes$"
contains "serial: the bootloader read the initfs from RedoxFS" "$log" "^bootloader: initfs /usr/lib/boot/initfs: $(wc -c <"$T/a/out/images/initfs.img" | tr -d ' ') bytes$"
contains "serial: the kernel was entered at its ELF entry" "$log" "entering the kernel at $kentry with KernelArgs"
contains "serial: the kernel read the initfs header" "$log" "magic RedoxFtw, inodes [0-9]+, bootstrap_entry $entry, initfs_size"
contains "serial: the bootstrap ran in place" "$log" "^bootstrap: running in place, _start at $entry"
contains "serial: init ran /etc/init.rc" "$log" "^init: running /etc/init.rc \($(wc -c <"$SRCDIR/examples/demo/etc/init.rc" | tr -d ' ') bytes, from the initfs\)$"
contains "serial: hello ran" "$log" "^hello from kiln-demo$"
contains "serial: the motd came from RedoxFS" "$log" "^$(head -n 1 "$SRCDIR/examples/demo/etc/motd")$"
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
cp "$T/a/out/images/initfs.img" "$T/initfs.before"
echo "the motd changed, and only the root filesystem with it" >"$T/demo/etc/motd"
ninja -C "$T/a" image >"$T/inc3" 2>&1
eq "a changed root file rewrites only the root fs and the disk" \
	"DISK out/images/harddrive.img;REDOXFS out/images/rootfs.img;SUMMARY out/images/summary.txt;" "$(ran "$T/inc3")"
out=$(ninja -C "$T/a" image)
case $out in *"no work to do"*) ok "after the changes ninja has no work to do" ;; *) fail "after the changes ninja has no work to do" "$out" ;; esac
# the next boot reads the new motd from RedoxFS, with the same initfs
ninja -C "$T/a" boot-test >/dev/null 2>&1
contains "the next boot shows the changed root file" "$log" "^the motd changed, and only the root filesystem with it$"
same "... without touching the initfs" "$T/initfs.before" "$T/a/out/images/initfs.img"
contains "... and runs the changed program" "$log" "^hello again from kiln-demo$"

# --- a corrupted RedoxFS header: the bootloader names it, boot-test fails on it ------------------
cp "$T/a/out/images/harddrive.img" "$T/good.img"
printf 'X' | dd of="$T/a/out/images/harddrive.img" bs=1 seek=$((2 * 1024 * 1024 + 16)) conv=notrunc 2>/dev/null
boot_fails "a corrupted RedoxFS header fails boot-test with the bootloader's error" "$T/a" \
	"boot-test: FAILED: failure line in the serial log: bootloader: error: RedoxFS: header checksum mismatch \(the header is corrupt\)"
cp "$T/good.img" "$T/a/out/images/harddrive.img"

# --- error path: the kernel linked without its linker script -----------------------------------
cp -R "$SRCDIR/examples/demo" "$T/broken"
grep -v 'linker_script = "kernel/' "$T/broken/kernel.lua" >"$T/broken/k" && mv "$T/broken/k" "$T/broken/kernel.lua"
mkdir -p "$T/c" && (cd "$T/c" && "$KILN" gen -q --system=none --plugin-dir="$T/broken") >/dev/null 2>&1
ninja -C "$T/c" image >"$T/broken.out" 2>&1
rc=$?
if [ $rc -ne 0 ]; then ok "a kernel without its linker script fails ninja image"; else fail "a kernel without its linker script fails ninja image" "ninja succeeded"; fi
contains "the failure is the kernel policy's diagnosis" "$T/broken.out" "kernel-base: .*linker script"
# nothing boots it: the QEMU targets depend on every check
if ninja -C "$T/c" boot-test >"$T/broken-boot.out" 2>&1; then fail "boot-test refuses a system whose kernel check failed" "ninja boot-test succeeded"
else contains "boot-test refuses a system whose kernel check failed" "$T/broken-boot.out" "kernel-base: .*linker script"; fi
check "QEMU was not started for it" test ! -e "$T/c/out/boot-test/serial.log"

# --- a PIE and an entry-0 program: the check fails the build; waived, the loader refuses them -----
# bad DIR NAME CFLAGS LDFLAGS WAIVE: a plugin dir with program NAME (hello.c built with the
# flags) in the initfs, run by init.rc, its checks waived if WAIVE (a Lua table) is given
bad() {
	mkdir -p "$1"
	_waive=${5:-}
	[ -n "$_waive" ] || _waive='{}'
	cat >"$1/bad.lua" <<EOF
component {
	name = "$2", kind = "initfs-bin", waive = $_waive,
	build = cross_cc {
		sources = { "$T/demo/hello/hello.c" }, includes = { "$T/demo/lib" }, freestanding = false,
		cflags = { "-ffreestanding", "-fno-stack-protector", "-mgeneral-regs-only", "-O2", $3 },
		ldflags = { "-nostdlib", "-Wl,--build-id=none", "-Wl,-z,max-page-size=4096", $4 },
	},
	install = { initfs = "/bin/$2" },
}
files { name = "$2-rc", image = "initfs", ["/etc/init.rc"] = { append = "$2\n" } }
EOF
}
bad "$T/pie" pie '"-fpie"' '"-static-pie"'
gen "$T/p1" --plugin-dir="$T/pie" >/dev/null 2>&1
if ninja -C "$T/p1" image >"$T/p1.out" 2>&1; then fail "a PIE fails the build" "ninja image passed"; else
	contains "a PIE fails the build with the check's diagnosis" "$T/p1.out" "out/pie/pie: pie: ET_DYN \(position-independent executable"; fi
bad "$T/pie-w" pie '"-fpie"' '"-static-pie"' '{ pie = "test: the loader must refuse it", dynamic = "test" }'
gen "$T/p2" --plugin-dir="$T/pie-w" >/dev/null 2>&1
check "a PIE with its check waived builds" ninja -C "$T/p2" image
boot_fails "... and fails at boot with the loader's message" "$T/p2" \
	"kiln-demo: error: exec /scheme/initfs/bin/pie: is a position-independent executable \(ET_DYN\)"
bad "$T/e0" entry0 '"-fno-pie"' '"-static", "-no-pie", "-Wl,-e,0"'
gen "$T/e1" --plugin-dir="$T/e0" >/dev/null 2>&1
if ninja -C "$T/e1" image >"$T/e1.out" 2>&1; then fail "entry 0 fails the build" "ninja image passed"; else
	contains "entry 0 fails the build with the check's diagnosis" "$T/e1.out" "out/entry0/entry0: entry-zero: e_entry is 0"; fi
bad "$T/e0-w" entry0 '"-fno-pie"' '"-static", "-no-pie", "-Wl,-e,0"' \
	'{ ["entry-zero"] = "test: the loader must refuse it", ["entry-start"] = "test" }'
gen "$T/e2" --plugin-dir="$T/e0-w" >/dev/null 2>&1
check "entry 0 with its check waived builds" ninja -C "$T/e2" image
boot_fails "... and fails at boot with the loader's message" "$T/e2" \
	"kiln-demo: error: exec /scheme/initfs/bin/entry0: has entry point 0"

# --- an initfs without its bootstrap: kiln gen refuses it; waived, the kernel does ---------------
cp -R "$SRCDIR/examples/demo" "$T/noboot"
sed 's/bootstrap = "bootstrap", max_size/max_size/' "$T/demo/images.lua" >"$T/noboot/images.lua"
mkdir -p "$T/n1" && (cd "$T/n1" && "$KILN" gen -q --system=none --plugin-dir="$T/noboot") >"$T/n1.out" 2>&1
if [ -f "$T/n1/build.ninja" ]; then fail "an initfs without its bootstrap fails the build" "kiln gen passed"; else
	contains "an initfs without its bootstrap fails the build with the diagnosis" "$T/n1.out" "images.lua:[0-9]+: .*image 'initfs': an initfs needs bootstrap = COMPONENT"; fi
sed 's/bootstrap = "bootstrap", max_size/waive = { ["no-bootstrap"] = "test: the kernel must refuse it" }, max_size/' \
	"$T/demo/images.lua" >"$T/noboot/images.lua"
mkdir -p "$T/n2" && (cd "$T/n2" && "$KILN" gen -q --system=none --plugin-dir="$T/noboot") >/dev/null 2>&1
check "with the check waived it builds" ninja -C "$T/n2" image
boot_fails "... and fails at boot with the kernel's message" "$T/n2" \
	"kiln-demo: error: initfs: no bootstrap was packed \(bootstrap_entry 0xffffffffffffffff\)"

# --- an added package: greet puts a line in init.rc, and init runs it at boot ---------------------
# (the unedited demo from here on: the copy's hello and motd were changed above)
cp -R "$SRCDIR/examples/demo/." "$T/demo/"
gen "$T/g" --plugin-dir="$SRCDIR/examples/packages/greet" >/dev/null 2>&1
if ninja -C "$T/g" boot-test >"$T/g.out" 2>&1; then ok "with greet added, boot-test passes"; else
	fail "with greet added, boot-test passes" "$(tail -8 "$T/g.out" | tr '\n' ' ')"; fi
contains "greet's line is in the initfs's init.rc" "$T/g/gen/manifests/initfs.manifest" 'file /etc/init.rc .*\\ngreet\\n$'
contains "boot-test saw greet's output" "$T/g/out/boot-test/serial.log.txt" "^greetings from a one-file kiln package$"
contains "init listed greet in /usr/bin on RedoxFS" "$T/g/out/boot-test/serial.log.txt" "^init: /usr/bin \(from RedoxFS\):.* greet"

# --- the same with one line in the demo's image config: greet = {} finds examples/packages/greet
mkdir -p "$T/demo-cfg" && cp -R "$SRCDIR/examples/demo/." "$T/demo-cfg/"
sed 's/^base-initfs = {}$/base-initfs = {}\
greet = {}/' "$SRCDIR/examples/demo/config.toml" >"$T/demo-cfg/config.toml"
mkdir -p "$T/gc" && (cd "$T/gc" && "$KILN" gen --system=none --plugin-dir="$T/demo-cfg") >"$T/gc.gen" 2>&1
contains "config: the demo's config.toml is in use" "$T/gc.gen" "^  config: $T/demo-cfg/config.toml \(the default"
contains "config: greet = {} loads examples/packages/greet" "$T/gc.gen" "plugins: [0-9]+ loaded: .*examples/packages/greet/greet.lua"
if ninja -C "$T/gc" boot-test >"$T/gc.out" 2>&1; then ok "config: with greet = {}, boot-test passes"; else
	fail "config: with greet = {}, boot-test passes" "$(tail -8 "$T/gc.out" | tr '\n' ' ')"; fi
contains "config: boot-test saw greet's output" "$T/gc/out/boot-test/serial.log.txt" "^greetings from a one-file kiln package$"
"$KILN" redoxfs cat "$T/gc/out/images/rootfs.img" /etc/passwd >"$T/gc.passwd" 2>&1
contains "config: [users] made /etc/passwd" "$T/gc.passwd" "^root;0;0;root;/root;/bin/sh$"

# --- x86_64: the same boot through OVMF ----------------------------------------------------------
mkdir -p "$T/x" && (cd "$T/x" && "$KILN" gen -q --system=none --plugin-dir="$T/demo" --arch=x86_64) >"$T/x.gen" 2>&1
if ninja -C "$T/x" image >"$T/x.out" 2>&1; then ok "x86_64: the demo images build and pass their checks"; else
	fail "x86_64: the demo images build and pass their checks" "$(tail -5 "$T/x.out" | tr '\n' ' ')"; fi
contains "x86_64: the kernel was checked with the real kernel policy" "$T/x.out" "CHECK out/kernel/kernel \(kernel\)"
"$KILN" fat list "$T/x/out/images/esp.img" >"$T/xesp" 2>&1
contains "x86_64: the ESP holds BOOTX64.EFI" "$T/xesp" "file +[0-9]+ /EFI/BOOT/BOOTX64.EFI$"
if ninja -C "$T/x" boot-test >"$T/xboot.out" 2>&1; then ok "x86_64: ninja boot-test passes"; else
	fail "x86_64: ninja boot-test passes" "$(tail -8 "$T/xboot.out" | tr '\n' ' ')"; fi
xlog=$T/x/out/boot-test/serial.log.txt
contains "x86_64: the bootloader ran on the firmware" "$xlog" "^kiln-demo bootloader on x86_64/UEFI, started by the firmware"
contains "x86_64: the kernel started at the Redox base" "$xlog" "^kiln-demo: kernel started \(x86_64\) at 0xffffffff8"
contains "x86_64: the disk was read through virtio-blk on PCI" "$xlog" "^kiln-demo: virtio-blk: [0-9]+ sectors, queue of [0-9]+ \(PCI\)$"
contains "x86_64: hello ran" "$xlog" "^hello from kiln-demo$"
contains "x86_64: the system finished" "$xlog" "^kiln-demo: done"
