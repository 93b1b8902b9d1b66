# tests/t-redox.sh: the Redox plugin set (plugins/) on a fixture tree with the reference fork's
# layout (tests/fixtures/redox): the generated target specs against components.md byte for
# byte, the exact cargo commands and environment of each component, the build through a fake
# cargo that makes small real aarch64 ELF files (so the checks, strip, sysroot, initfs,
# RedoxFS, ESP and disk steps all run), the rebuild sets after touching relibc or one driver,
# bad trees, F11, and a host crate built for real by the installed cargo through the same
# helpers (depfile, restat, forced relink).
. "$SRCDIR/tests/lib.sh"
T=$TMPDIR_T
FX=$SRCDIR/tests/fixtures
host=$(rustc -vV | sed -n 's/^host: //p')

# a rustup home whose nightly-2026-01-02 is the installed toolchain (for rust-lld and lib/)
RH=$T/rustup
mkdir -p "$RH/toolchains"
ln -s "$(rustc --print sysroot)" "$RH/toolchains/nightly-2026-01-02-$host"
# kiln cargo passes cargo only an allow-list of the shell's variables, so the fake cargo gets
# its log and kiln through a wrapper
FAKE_CARGO_LOG=$T/cargo.log
printf '#!/bin/sh\nFAKE_CARGO_LOG=%s KILN=%s exec %s "$@"\n' "'$FAKE_CARGO_LOG'" "'$KILN'" "'$FX/redox-tools/fake-cargo'" >"$T/cargo-wrap"
chmod +x "$T/cargo-wrap"
export RUSTUP_HOME=$RH CARGO=$T/cargo-wrap

# tree DIR: a copy of the fixture, as a git checkout on master
tree() {
	cp -R "$FX/redox" "$1"
	mkdir -p "$1/.git/refs/heads"
	echo "ref: refs/heads/master" >"$1/.git/HEAD"
	echo "0123456789abcdef0123456789abcdef01234567" >"$1/.git/refs/heads/master"
}
R=$T/tree
tree "$R"
CL=$R/cranelift/librustc_codegen_cranelift.so
gen() { # DIR TREE ARGS...
	_d=$1 _t=$2; shift 2
	mkdir -p "$_d" && (cd "$_d" && "$KILN" gen -q --redox-src="$_t" --opt=cranelift="$_t/cranelift/librustc_codegen_cranelift.so" \
		--opt=bootloader="$_t/bootloader/BOOTAA64.EFI" "$@")
}
B=$T/b
if gen "$B" "$R" >"$T/gen.out" 2>&1; then ok "gen: the fixture tree generates"; else fail "gen: the fixture tree generates" "$(head -c 600 "$T/gen.out")"; fi

# --- target specs: byte for byte the reference fork's S1 and S3, with this build's sysroot ----
for s in aarch64-unknown-none aarch64-unknown-redox-clif; do
	sed "s|@SYSROOT@|$B/out/sysroot/lib|g" "$FX/redox-expected/$s.json" >"$T/$s.json"
	same "spec $s.json equals components.md (generated into the build dir)" "$T/$s.json" "$B/gen/targets/$s.json"
done
check "no spec is written into the source tree" sh -c "! find '$R' -name '*.json' | grep -q ."

# --- exact commands -------------------------------------------------------------------------
cmd() { (cd "$B" && ninja -t commands "$1" | tail -1); }
BASE=$R/recipes/core/base/source
KD=$R/recipes/core/kernel/source
UT=$B/out/targets/aarch64-unknown-redox-clif.json
REMAP="--rustflag=--remap-path-prefix=$R=/redox --rustflag=--remap-path-prefix=$RH/toolchains/nightly-2026-01-02-$host/lib/rustlib/src/rust=/rustc/src --rustflag=--remap-path-prefix=${CARGO_HOME:-$HOME/.cargo}=/cargo --rustflag=--remap-path-prefix=$B=/kiln-build"
ENV="--env=CARGO_INCREMENTAL=1 --env=CARGO_NET_OFFLINE=true --env=CARGO_PROFILE_RELEASE_LTO=false --env=LD_LIBRARY_PATH=$RH/toolchains/nightly-2026-01-02-$host/lib --env=RUSTUP_TOOLCHAIN=nightly-2026-01-02"
SYSROOT="--relink-on=out/sysroot/lib/libc.a --relink-on=out/sysroot/lib/crt0.o --relink-on=out/sysroot/lib/crti.o --relink-on=out/sysroot/lib/crtn.o --relink-on=out/sysroot/lib/libunwind_stubs.a --relink-on=out/sysroot/lib/libgcc_eh.a --relink-on=out/sysroot/lib/libpthread.a --relink-on=out/sysroot/lib/libdl.a --relink-on=out/sysroot/lib/librt.a --relink-on=out/sysroot/lib/libm.a"
USERFLAGS="--rustflag=-Zcodegen-backend=$CL --rustflag=-Crelocation-model=static --rustflag=-Cpanic=abort --rustflag=-Clink-arg=-z --rustflag=-Clink-arg=muldefs --rustflag=-Clink-arg=-lunwind_stubs"

eq "kernel: the exact kiln cargo command (S1 spec, build-std core,alloc + compiler-builtins-mem, linker script, static)" \
	"$KILN cargo --manifest-path=$KD/Cargo.toml --target-dir=out/cargo/aarch64-unknown-none-cranelift --artifact=out/cargo/aarch64-unknown-none-cranelift/aarch64-unknown-none/release/kernel --rustflag=-Zcodegen-backend=$CL --rustflag=-Crelocation-model=static --rustflag=-Clink-arg=-T$KD/linkers/aarch64.ld $REMAP $ENV --relink-on=$KD/linkers/aarch64.ld --relink-on=out/targets/aarch64-unknown-none.json --out=out/kernel/kernel --depfile=out/kernel/kernel.d -- build --offline --manifest-path $KD/Cargo.toml --release --bin kernel --target $B/out/targets/aarch64-unknown-none.json -Zbuild-std=core,alloc -Zbuild-std-features=compiler-builtins-mem,compiler_builtins/no-f16-f128" \
	"$(cmd out/kernel/kernel)"
eq "pcid: the exact command of an initfs driver (S3 spec, build-std with std, muldefs, unwind stubs, relinked on the sysroot)" \
	"$KILN cargo --manifest-path=$BASE/Cargo.toml --target-dir=out/cargo/aarch64-unknown-redox-clif-cranelift --artifact=out/cargo/aarch64-unknown-redox-clif-cranelift/aarch64-unknown-redox-clif/release/pcid $USERFLAGS $REMAP $ENV $SYSROOT --relink-on=out/targets/aarch64-unknown-redox-clif.json --out=out/pcid/pcid --depfile=out/pcid/pcid.d -- build --offline --manifest-path $BASE/Cargo.toml --release -p pcid --bin pcid --target $UT -Zbuild-std=core,alloc,std,panic_abort -Zbuild-std-features=compiler_builtins/no-f16-f128" \
	"$(cmd out/pcid/pcid)"
c=$(cmd out/relibc/librelibc.a)
case $c in *"--rustflag=-Zcodegen-backend=$CL $REMAP $ENV --relink-on=out/targets/aarch64-unknown-redox-clif.json --out=out/relibc/librelibc.a "*"-- build --offline --manifest-path $R/recipes/core/relibc/source/Cargo.toml --release -p relibc --lib --target $UT -Zbuild-std=core,alloc -Zbuild-std-features=compiler_builtins/no-f16-f128") ok "relibc: the exact rustflags, environment and cargo arguments" ;;
*) fail "relibc: the exact rustflags, environment and cargo arguments" "$c" ;; esac
c=$(cmd out/redoxfs/redoxfs)
case $c in *"-p redoxfs --bin redoxfs --target $UT --features std,log --no-default-features -Zbuild-std=core,alloc,std,panic_abort"*) ok "redoxfs: --no-default-features --features std,log (no FUSE)" ;;
*) fail "redoxfs: --no-default-features --features std,log (no FUSE)" "$c" ;; esac
c=$(cmd out/coreutils/coreutils)
case $c in *"--rustflag=-Clto=no"*"--features cat,echo,ls --no-default-features"*) ok "uutils: the applets the tree defines, -Clto=no, CARGO_PROFILE_RELEASE_LTO=false (F20)" ;;
*) fail "uutils: the applets the tree defines, -Clto=no" "$c" ;; esac
eq "bootstrap: linked by rust-lld with its script and max-page-size=4096 (F9)" \
	"$RH/toolchains/nightly-2026-01-02-$host/lib/rustlib/$host/bin/rust-lld -flavor gnu -o out/bootstrap/bootstrap --gc-sections -z max-page-size=4096 -T $BASE/bootstrap/src/aarch64.ld out/bootstrap-lib/libbootstrap.a" \
	"$(cmd out/bootstrap/bootstrap)"
case $(cmd out/sysroot/lib/crt0.o) in *"ar x out/crt0/libcrt0.a --prefix=crt0 -C out/sysroot/lib/crt0.o.x && "*"rust-lld -flavor gnu -r -o out/sysroot/lib/crt0.o.tmp out/sysroot/lib/crt0.o.x/*.o"*) ok "sysroot: the crt0.o command" ;;
*) fail "sysroot: the crt0.o command" "$(cmd out/sysroot/lib/crt0.o)" ;; esac
eq "sysroot: libunwind_stubs.a by kiln ar from a kiln stubobj object (no C compiler, no llvm-ar)" \
	"$KILN ar create -o out/sysroot/lib/libunwind_stubs.a out/sysroot/obj/unwind_stubs.o" "$(cmd out/sysroot/lib/libunwind_stubs.a)"
case $(cmd out/images/initfs.img) in *"--bootstrap out/bootstrap/stripped/bootstrap --max-size 134217728") ok "initfs: with the bootstrap and an explicit --max-size (F7, F10)" ;;
*) fail "initfs: with the bootstrap and an explicit --max-size" "$(cmd out/images/initfs.img)" ;; esac
check "no command sets RUSTC_WRAPPER or RUSTFLAGS" sh -c "! (cd '$B' && ninja -t commands image) | grep -Eq 'RUSTC_WRAPPER|--env=RUSTFLAGS'"
n=$(cd "$B" && ninja -t commands image | grep -c ' cargo ')
m=$(cd "$B" && ninja -t commands image | grep ' cargo ' | grep -c -- "--env=CARGO_INCREMENTAL=1 --env=CARGO_NET_OFFLINE=true")
eq "every cargo run ($n) gets the controlled environment" "$n" "$m"

(cd "$B" && "$KILN" show pcid) >"$T/show" 2>&1
contains "kiln show: pcid depends on the sysroot and the user spec" "$T/show" "depends on: +sysroot target-user"
contains "kiln show: pcid lands in the initfs" "$T/show" "pcid -> initfs:/bin/pcid -> rootfs:/boot/initfs -> harddrive partition REDOX"
contains "kiln show: pcid lands in the root filesystem" "$T/show" "pcid -> rootfs:/usr/bin/pcid"
contains "kiln show: the policy" "$T/show" "elf policy: +initfs-bin"

# --- QEMU: run and boot-test ----------------------------------------------------------------------
mkdir -p "$T/share"
gen "$T/q" "$R" --opt=share="$T/share" --opt=boot-expect="root:~#" >/dev/null 2>&1
c=$(cd "$T/q" && ninja -t commands run | tail -1)
case $c in *"qemu-system-aarch64 -M virt -cpu cortex-a72 -m 2G -no-reboot -bios "*" -drive file=out/images/harddrive.img,format=raw,if=none,id=disk,snapshot=on -device virtio-blk-pci,drive=disk -virtfs local,path=$T/share,mount_tag=hostshare,security_model=none -smp 2 -nographic")
	ok "ninja run: virt, cortex-a72, UEFI firmware, the disk on virtio-blk (snapshot), the 9p share" ;;
*) fail "ninja run: the QEMU command" "$c" ;; esac
c=$(cd "$T/q" && ninja -t commands boot-test | tail -1)
case $c in *"--expect 'root:~#' --fail 'Bootstrap entry point: FFFFFFFFFFFFFFFF'"*) ok "boot-test: the configured success marker and the F7 failure signature" ;;
*) fail "boot-test: markers" "$c" ;; esac
case $(cd "$B" && ninja -t commands boot-test | tail -1) in *"--expect 'redox login:'"*) ok "boot-test: 'redox login:' by default" ;;
*) fail "boot-test: 'redox login:' by default" "$(cd "$B" && ninja -t commands boot-test | tail -1)" ;; esac

# --- per-component backend: one component with LLVM gets its own target dir ------------------
gen "$T/ovr" "$R" --opt=codegen-override=ion=llvm >/dev/null 2>&1
c=$(cd "$T/ovr" && ninja -t commands out/ion/ion | tail -1)
case $c in *--target-dir=out/cargo/aarch64-unknown-redox-clif-llvm*) ok "codegen-override: ion=llvm builds in its own target dir" ;; *) fail "codegen-override: ion target dir" "$c" ;; esac
case $c in *codegen-backend*) fail "codegen-override: no -Zcodegen-backend for LLVM" "$c" ;; *) ok "codegen-override: no -Zcodegen-backend for LLVM" ;; esac

# --- x86_64: S2, S4 with kiln's sysroot, the x86 linker script, ps2d -----------------------------
gen "$T/x86" "$R" --arch=x86_64 --opt=bootloader="$R/bootloader/BOOTX64.EFI" >"$T/x86.out" 2>&1
for s in x86_64-unknown-none x86_64-unknown-redox-clif; do
	sed "s|@SYSROOT@|$T/x86/out/sysroot/lib|g" "$FX/redox-expected/$s.json" >"$T/$s.json"
	same "x86_64: spec $s.json" "$T/$s.json" "$T/x86/gen/targets/$s.json"
done
case $(cd "$T/x86" && ninja -t commands out/kernel/kernel | tail -1) in
*"--rustflag=-Clink-arg=-T$KD/linkers/x86_64.ld"*"--target $T/x86/out/targets/x86_64-unknown-none.json "*) ok "x86_64: the kernel links with linkers/x86_64.ld and the S2 spec" ;;
*) fail "x86_64: the kernel links with linkers/x86_64.ld and the S2 spec" "$(cd "$T/x86" && ninja -t commands out/kernel/kernel | tail -1)" ;; esac
check "x86_64: ps2d goes into the initfs (init_drivers.rc: ps2d us)" grep -q '/bin/ps2d' "$T/x86/gen/manifests/initfs.manifest"
# (configure --install-deps installs qemu-system-x86 and OVMF, so this is always asserted)
case $(cd "$T/x86" && ninja -t commands run | tail -1) in *"qemu-system-x86_64 -M q35 "*) ok "x86_64: ninja run uses q35" ;;
*) fail "x86_64: ninja run uses q35" "$(cd "$T/x86" && ninja -t commands run | tail -1)" ;; esac

# --- the build, through the fake cargo, with a hostile environment --------------------------------
: >"$FAKE_CARGO_LOG"
if (cd "$B" && RUSTC_WRAPPER=sccache RUSTFLAGS=-Cbogus CARGO_INCREMENTAL=0 RUSTC=/nonexistent/rustc CARGO_PROFILE_RELEASE_OPT_LEVEL=0 \
	CARGO_BUILD_RUSTC_WRAPPER=sccache ninja image) >"$T/build.out" 2>&1; then ok "ninja image builds the fixture tree"; else
	fail "ninja image builds the fixture tree" "$(grep -v '^\[' "$T/build.out" | tail -8 | tr '\n' ' ')"; fi
n=$(grep -c '^fake-cargo' "$FAKE_CARGO_LOG")
m=$(grep '^fake-cargo' "$FAKE_CARGO_LOG" | grep -c "CARGO_INCREMENTAL=1 CARGO_NET_OFFLINE=true CARGO_PROFILE_RELEASE_LTO=false RUSTUP_TOOLCHAIN=nightly-2026-01-02 LD_LIBRARY_PATH=$RH/toolchains/nightly-2026-01-02-$host/lib DYLD_LIBRARY_PATH=unset RUSTC_WRAPPER=unset RUSTFLAGS=unset CARGO_TARGET_DIR=out/cargo/")
eq "cargo ran $n times, each with the plugin's environment (RUSTC_WRAPPER and RUSTFLAGS of the shell removed)" "$n" "$m"
m=$(grep '^fake-cargo' "$FAKE_CARGO_LOG" | grep -c "RUSTC=unset CARGO_PROFILE_RELEASE_OPT_LEVEL=unset CARGO_BUILD_RUSTC_WRAPPER=unset CARGO_ENCODED")
eq "the shell's RUSTC, CARGO_PROFILE_* and CARGO_BUILD_RUSTC_WRAPPER never reach cargo (an allow-list)" "$n" "$m"
m=$(grep '^fake-cargo' "$FAKE_CARGO_LOG" | grep -c "ARGS=--config build.rustc-wrapper='' --config build.rustc-workspace-wrapper='' build ")
eq "every cargo run disables the wrappers of config files (--config build.rustc-wrapper='')" "$n" "$m"
check "cargo got the rustflags as CARGO_ENCODED_RUSTFLAGS" grep -q "^fake-cargo pcid .*CARGO_ENCODED_RUSTFLAGS=-Zcodegen-backend=$CL -Crelocation-model=static -Cpanic=abort -Clink-arg=-z -Clink-arg=muldefs -Clink-arg=-lunwind_stubs --remap-path-prefix=$R=/redox " "$FAKE_CARGO_LOG"
I=$B/out/images
entry=$(readelf -hW "$B/out/bootstrap/bootstrap" | awk '/Entry point/ { print $4 }')
"$KILN" initfs list "$I/initfs.img" >"$T/initfs.list" 2>&1
contains "initfs: bootstrap_entry is the bootstrap's entry (F7)" "$T/initfs.list" "^bootstrap_entry $entry$"
for p in /bin/init /bin/nulld /bin/redoxfs /bin/ls /lib/drivers/virtio-blkd /lib/drivers/ahcid /etc/init.rc /etc/init_drivers.rc /etc/pcid/initfs.toml; do
	contains "initfs contains $p" "$T/initfs.list" " $p$"
done
"$KILN" initfs extract "$I/initfs.img" -o "$T/x-initfs" >/dev/null 2>&1
eq "init.rc: the build stamp replaces the hand-edited lines" \
	"# kiln build: master@0123456789ab | 2023-11-14 22:13 UTC | kiln $(cat "$SRCDIR/VERSION") | codegen cranelift;export PATH /scheme/initfs/bin" \
	"$(head -2 "$T/x-initfs/etc/init.rc" | tr '\n' ';' | sed 's/;$//')"
"$KILN" redoxfs cat "$I/rootfs.img" /etc/kiln-build >"$T/stamp" 2>&1
eq "/etc/kiln-build" "tree: master@0123456789ab;date: 2023-11-14 22:13 UTC;kiln: $(cat "$SRCDIR/VERSION");codegen: cranelift;rust-toolchain: nightly-2026-01-02;arch: aarch64" \
	"$(tr '\n' ';' <"$T/stamp" | sed 's/;$//')"
"$KILN" redoxfs list "$I/rootfs.img" >"$T/root.list" 2>&1
contains "rootfs: /boot/kernel and /usr/lib/boot/kernel are one file (2 links)" "$T/root.list" "^f .* 2 /usr/lib/boot/kernel$"
contains "rootfs: /boot/initfs" "$T/root.list" "^f .* 2 /boot/initfs$"
contains "rootfs: ion" "$T/root.list" "^f 0755 .* /usr/bin/ion$"
contains "rootfs: uutils applet link" "$T/root.list" "^l .* /usr/bin/cat -> coreutils$"
contains "rootfs: pcid.d driver table" "$T/root.list" " /etc/pcid.d/virtio-netd.toml$"
contains "rootfs: /bin -> usr/bin" "$T/root.list" "^l .* /bin -> usr/bin$"
contains "rootfs: getty from userutils" "$T/root.list" "^f 0755 .* /usr/bin/getty$"
"$KILN" redoxfs cat "$I/rootfs.img" /usr/lib/init.d/30_console >"$T/console" 2>&1
contains "rootfs: the console runs getty (the 'redox login:' prompt)" "$T/console" "^nowait getty 2$"
sgdisk -p "$I/harddrive.img" >"$T/sgdisk" 2>&1
contains "disk: BIOS 34-2047" "$T/sgdisk" "^ +1 +34 +2047 .* EF02 +BIOS"
contains "disk: EFI 2048-4095" "$T/sgdisk" "^ +2 +2048 +4095 .* EF00 +EFI"
contains "disk: REDOX 4096-1046527 (the fork's 1,042,432 sectors)" "$T/sgdisk" "^ +3 +4096 +1046527 "
mdir -i "$I/esp.img" ::/EFI/BOOT >"$T/mdir" 2>&1
contains "ESP: EFI/BOOT/BOOTAA64.EFI" "$T/mdir" "BOOTAA64 +EFI +512"
nm "$B/out/sysroot/lib/crt0.o" >"$T/nm" 2>&1
contains "sysroot: crt0.o defines _start" "$T/nm" " T _start$"
nm "$B/out/sysroot/lib/libunwind_stubs.a" >"$T/nm" 2>&1
contains "sysroot: libunwind_stubs.a defines _Unwind_Backtrace" "$T/nm" " T _Unwind_Backtrace$"
readelf -sW "$B/out/init/init" >"$T/sym" 2>&1
eq "init: _start from the sysroot's crt0.o, linked once (F2, F3)" "1" "$(grep -c ' _start$' "$T/sym")"
out=$(cd "$B" && ninja image)
case $out in *"no work to do"*) ok "nothing changed: ninja has no work to do" ;; *) fail "nothing changed: ninja has no work to do" "$out" ;; esac

# --- reproducible: a second build directory gives the same images ---------------------------------
gen "$T/b2" "$R" >/dev/null 2>&1
(cd "$T/b2" && ninja image) >/dev/null 2>&1
for i in initfs rootfs esp harddrive; do
	same "reproducible: $i.img is identical in two build dirs" "$I/$i.img" "$T/b2/out/images/$i.img"
done

# --- rebuild sets ---------------------------------------------------------------------------------
dry() { (cd "$B" && ninja -n image) | sed -n 's/^\[[0-9]*\/[0-9]*\] //p' | sed 's/ (.*//' | sort; }
sleep 1
echo "// changed" >>"$R/recipes/core/relibc/source/src/lib.rs"
dry >"$T/dry1"
statics=$(cd "$B" && "$KILN" list | awk '$2 == "initfs-bin" || $2 == "userspace" { print $1 }')
missing=
for s in $statics; do grep -qx "CARGO out/$s/$s" "$T/dry1" || missing="$missing $s"; done
eq "relibc touched: ninja -n image relinks every static program ($(echo $statics | wc -w))" "" "$missing"
for e in "CARGO out/relibc/librelibc.a" "STAGE out/sysroot/lib/libc.a" "CARGO out/bootstrap-lib/libbootstrap.a" "LINK out/bootstrap/bootstrap" \
	"INITFS out/images/initfs.img" "REDOXFS out/images/rootfs.img" "DISK out/images/harddrive.img"; do
	check "relibc touched: ninja -n image lists $e" grep -qx "$e" "$T/dry1"
done
check "relibc touched: the kernel is not rebuilt" sh -c "! grep -q 'out/kernel/kernel' '$T/dry1'"
: >"$FAKE_CARGO_LOG"
(cd "$B" && ninja image) >"$T/inc1" 2>&1
missing=
for s in $statics; do grep -q "changed: relinking out/cargo/.*/release/$s$" "$T/inc1" || missing="$missing $s"; done
eq "relibc changed: every static program was relinked (kiln cargo forced it)" "" "$missing"
check "relibc changed: the bootstrap was rebuilt" grep -q "changed: relinking out/cargo/.*/release/libbootstrap.a$" "$T/inc1"
out=$(cd "$B" && ninja image)
case $out in *"no work to do"*) ok "after the relink ninja has no work to do" ;; *) fail "after the relink ninja has no work to do" "$out" ;; esac
sleep 1
echo "// changed" >>"$BASE/drivers/storage/virtio-blkd/src/main.rs"
eq "one driver touched: ninja -n image lists only it, the initfs and the disk" \
	"CARGO out/virtio-blkd/virtio-blkd;CHECK out/virtio-blkd/virtio-blkd;DISK out/images/harddrive.img;INITFS out/images/initfs.img;REDOXFS out/images/rootfs.img;STRIP out/virtio-blkd/stripped/virtio-blkd;" \
	"$(dry | tr '\n' ';')"
(cd "$B" && ninja image) >/dev/null 2>&1

# --- F11: a command the image does not contain ------------------------------------------------------
awk '{ print } /^nowait randd$/ { print "nowait missingd --flag" }' "$BASE/init.rc" >"$T/rc" && cp "$T/rc" "$BASE/init.rc"
(cd "$B" && ninja image) >"$T/f11" 2>&1
contains "F11: an init.rc command missing from the initfs fails the build, naming it and the line" "$T/f11" \
	"kiln F11: gen/config/init.rc:[0-9]+: missingd is not in the image \(looked for /bin/missingd\)"
check "F11: the initfs was not rewritten" sh -c "! grep -q 'INITFS' '$T/f11'"
sed -i.bak '/missingd/d' "$BASE/init.rc" && rm -f "$BASE/init.rc.bak"
echo "nowait rootonlyd" >>"$BASE/init.rc"
(cd "$B" && ninja image) >"$T/f11b" 2>&1
contains "F11: after 'export PATH /usr/bin' init.rc commands are looked up in the root filesystem" "$T/f11b" \
	"kiln F11: gen/config/init.rc:[0-9]+: rootonlyd is not in the image \(looked for /usr/bin/rootonlyd \(root filesystem\)\)"
sed -i.bak '/rootonlyd/d' "$BASE/init.rc" && rm -f "$BASE/init.rc.bak"
sed -i.bak 's/"virtio-netd"/"e1000d"/' "$BASE/drivers/net/virtio-netd/config.toml" && rm -f "$BASE/drivers/net/virtio-netd/config.toml.bak"
(cd "$B" && ninja image) >"$T/f11c" 2>&1
contains "F11: a pcid.d driver table naming a driver the root filesystem lacks" "$T/f11c" \
	"kiln F11: .*drivers/net/virtio-netd/config.toml:[0-9]+: e1000d is not in the image \(looked for /usr/bin/e1000d, /usr/lib/drivers/e1000d\)"
sed -i.bak 's/"e1000d"/"virtio-netd"/' "$BASE/drivers/net/virtio-netd/config.toml" && rm -f "$BASE/drivers/net/virtio-netd/config.toml.bak"
if (cd "$B" && ninja image) >"$T/f11d" 2>&1; then ok "F11: fixed files build again"; else fail "F11: fixed files build again" "$(tail -3 "$T/f11d")"; fi

# --- bad trees and configurations: clear gen errors ------------------------------------------------
tree "$T/t1"; rm -rf "$T/t1/recipes/core/base/source/drivers/storage/lived"
expect_fail "missing workspace member: named, with the fix" '*' "workspace member 'drivers/storage/lived' does not exist" gen "$T/e1" "$T/t1"
tree "$T/t2"; rm -rf "$T/t2/recipes/core/kernel/source/rmm"/*
expect_fail "empty submodule: named, with the fix" '*' "submodule 'rmm' is empty; fix: git -C .* submodule update --init rmm" gen "$T/e2" "$T/t2"
expect_fail "--cranelift naming a missing file" '*' "--cranelift=/nonexistent.so: no such file" gen "$T/e3" "$R" --opt=cranelift=/nonexistent.so
mkdir -p "$T/e4" && (cd "$T/e4" && "$KILN" gen -q --redox-src="$R" --opt=bootloader="$R/bootloader/BOOTAA64.EFI") >/dev/null 2>"$T/e4.err"
contains "no Cranelift backend anywhere: the fixes are listed" "$T/e4.err" "no Cranelift backend .*rustup component add rustc-codegen-cranelift-preview --toolchain nightly-2026-01-02"
expect_fail "toolchain not installed: the rustup command" '*' "Rust toolchain nightly-2000-01-01 is not installed .*rustup toolchain install nightly-2000-01-01" \
	gen "$T/e5" "$R" --opt=rust-toolchain=nightly-2000-01-01
mkdir -p "$T/e6" && (cd "$T/e6" && "$KILN" gen -q --redox-src="$R" --opt=cranelift="$CL") >/dev/null 2>"$T/e6.err"
contains "no bootloader: --bootloader is explained" "$T/e6.err" "no UEFI bootloader: configure --bootloader=FILE"
tree "$T/t8"; printf '[package]\nname = "logd"\nversion = 0.1.0"\n' >"$T/t8/recipes/core/base/source/logd/Cargo.toml"
expect_fail "a broken member Cargo.toml: file and line" '*' "base/source/logd/Cargo.toml:3: junk after the value of 'version'" gen "$T/e8" "$T/t8"
tree "$T/t9"
sed -i.bak 's|"drivers/storage/lived",|"drivers/storage/*",|; s|"drivers/storage/nvmed",||; s|"drivers/storage/virtio-blkd",||; s|"drivers/storage/ahcid",||; s|"drivers/storage/ided",||' "$T/t9/recipes/core/base/source/Cargo.toml"
if gen "$T/e9" "$T/t9" >"$T/e9.out" 2>&1; then ok "a members glob (drivers/storage/*) finds every crate"; else fail "a members glob (drivers/storage/*) finds every crate" "$(head -c 300 "$T/e9.out")"; fi
check "the glob's crates are built" sh -c "cd '$T/e9' && ninja -t commands out/virtio-blkd/virtio-blkd | grep -q -- '-p virtio-blkd --bin virtio-blkd'"
mkdir -p "$T/e10" && (cd "$T/e10" && "$KILN" gen -q --redox-src="$R" --opt=codegen=llvm --opt=bootloader="$R/bootloader/BOOTAA64.EFI") >"$T/e10.out" 2>&1
check "--codegen=llvm needs no Cranelift backend" sh -c "test -f '$T/e10/build.ninja' && ! grep -q Cranelift '$T/e10.out'"
check "--codegen=llvm: no -Zcodegen-backend anywhere" sh -c "! (cd '$T/e10' && ninja -t commands image) | grep -q codegen-backend"
tree "$T/t11"; sed -i.bak 's/nightly-2026-01-02/nightly-2025-10-03/' "$T/t11/recipes/core/relibc/source/rust-toolchain.toml"
gen "$T/e11" "$T/t11" >"$T/e11.out" 2>&1
contains "F16: a component pinning another toolchain is named" "$T/e11.out" "rust-toolchain.toml of relibc \(nightly-2025-10-03\) differs from nightly-2026-01-02; kiln builds with nightly-2026-01-02"
tree "$T/t7"; sed -i.bak 's/"init",/"init", "simple-edit",/' "$T/t7/recipes/core/base/source/Cargo.toml"
expect_fail "the fork's missing member simple-edit is named" '*' "workspace member 'simple-edit' does not exist" gen "$T/e7" "$T/t7"

# --- kiln doctor ---------------------------------------------------------------------------------
(cd "$B" && "$KILN" doctor) >"$T/doc" 2>&1
eq "doctor: exit 1 when something is missing" 1 "$?"
contains "doctor: reads the tree from kiln.conf and finds the toolchain" "$T/doc" "^ok +nightly-2026-01-02 +$RH/toolchains/nightly-2026-01-02-$host$"
contains "doctor: the Cranelift backend of kiln.conf" "$T/doc" "^ok +Cranelift backend +$CL$"
contains "doctor: rust-src missing, with the rustup command" "$T/doc" "^MISSING +rust-src +rustup component add rust-src --toolchain nightly-2026-01-02"
"$KILN" doctor --redox-src="$T/t2" --rust-toolchain=nightly-2000-01-01 >"$T/doc2" 2>&1
contains "doctor: an empty rmm submodule" "$T/doc2" "^MISSING +kernel/rmm +empty submodule \(F29\): git -C .* submodule update --init rmm"
contains "doctor: a toolchain that is not installed" "$T/doc2" "^MISSING +nightly-2000-01-01 +not installed: rustup toolchain install nightly-2000-01-01"
contains "doctor: no Cranelift backend: every way to get one" "$T/doc2" "^MISSING +Cranelift backend +rustup component add rustc-codegen-cranelift-preview"

# --- a host crate built for real by the installed cargo, through the same helpers -------------------
unset CARGO RUSTUP_HOME
H=$T/host
cp -R "$FX/redox-host" "$H.src"
sed -i.bak "s|\"../../../plugins/lib/redox.lua\"|\"$SRCDIR/plugins/lib/redox.lua\"|" "$H.src/host.lua"
tc=$(rustup default | cut -d' ' -f1); tc=${tc%-"$host"} # the installed default, e.g. stable
mkdir -p "$H" && (cd "$H" && "$KILN" gen -q --system=none --plugin-dir="$H.src" --opt=rust-toolchain=$tc --opt=codegen=llvm) >"$T/h.gen" 2>&1
# a hostile environment: wrappers in the variables and in $CARGO_HOME/config.toml, another rustc,
# profile settings; none of them may reach cargo
mkdir -p "$T/evil-home"
printf '#!/bin/sh\necho "wrapped: $*" >>%s\nexec "$@"\n' "'$T/wrapped.log'" >"$T/wrap.sh"
chmod +x "$T/wrap.sh"
printf '[build]\nrustc-wrapper = "%s"\nrustc-workspace-wrapper = "%s"\n' "$T/wrap.sh" "$T/wrap.sh" >"$T/evil-home/config.toml"
if (cd "$H" && CARGO_HOME=$T/evil-home RUSTC=/nonexistent/rustc RUSTC_WRAPPER=$T/wrap.sh RUSTC_WORKSPACE_WRAPPER=$T/wrap.sh \
	CARGO_BUILD_RUSTC_WRAPPER=$T/wrap.sh CARGO_PROFILE_RELEASE_OPT_LEVEL=bogus RUSTFLAGS=-Cbogus ninja) >"$T/h1" 2>&1; then
	ok "host crate: real cargo builds it (in a hostile environment)"; else fail "host crate: real cargo builds it (in a hostile environment)" "$(tail -5 "$T/h1" | tr '\n' ' ')"; fi
check "host crate: no rustc wrapper ran, from the environment or from \$CARGO_HOME/config.toml" test ! -e "$T/wrapped.log"
check "host crate: the program runs" sh -c "'$H/out/khello/khello' | grep -q 'hello from a kiln cargo edge'"
case $(cd "$H" && ninja -t commands out/khello/khello | tail -1) in
*"--target-dir=out/cargo/$host-llvm "*"--env=RUSTUP_TOOLCHAIN=$tc"*"-- build --offline"*"--target $host") ok "host crate: host triple, llvm target dir, the toolchain pinned, offline" ;;
*) fail "host crate: command" "$(cd "$H" && ninja -t commands out/khello/khello | tail -1)" ;; esac
(cd "$H" && ninja -t deps out/khello/khello) >"$T/h.deps"
contains "host crate: the depfile has the module cargo found" "$T/h.deps" "crate/src/msg.rs$"
contains "host crate: the depfile has the sysroot input" "$T/h.deps" "out/fakesys/fake-sysroot-input$"
out=$(cd "$H" && ninja)
case $out in *"no work to do"*) ok "host crate: no work when nothing changed" ;; *) fail "host crate: no work when nothing changed" "$out" ;; esac
sleep 1; touch "$H.src/crate/src/msg.rs"
(cd "$H" && ninja) >"$T/h2" 2>&1
check "host crate: a touched module reruns cargo" grep -q "CARGO out/khello/khello" "$T/h2"
check "host crate: identical output stops there (restat: the copy is not redone)" sh -c "! grep -q 'STAGE out/khello-copy' '$T/h2'"
printf 'fake sysroot input 2\n' >"$H.src/fake-sysroot-input"
(cd "$H" && ninja) >"$T/h3" 2>&1
contains "host crate: a changed sysroot input forces the relink" "$T/h3" "kiln cargo: out/fakesys/fake-sysroot-input changed: relinking out/cargo/$host-llvm/$host/release/khello"
check "host crate: after the relink it still runs" sh -c "'$H/out/khello/khello' | grep -q 'hello from a kiln cargo edge'"
