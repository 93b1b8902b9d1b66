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

RH=$T/rustup
TC=$RH/toolchains/nightly-2026-01-02-$host
toolchain "$RH" nightly-2026-01-02
# kiln cargo passes cargo only an allow-list of the shell's variables, so the fake cargo gets
# its log, kiln and its switches through a wrapper (FAKE_CARGO_OFFLINE_FAIL: the file
# $T/offline-fail exists)
FAKE_CARGO_LOG=$T/cargo.log
cat >"$T/cargo-wrap" <<WRAP
#!/bin/sh
FAKE_CARGO_LOG='$FAKE_CARGO_LOG' KILN='$KILN' FAKE_CARGO_OFFLINE_FAIL=\$(cat '$T/offline-fail' 2>/dev/null) exec '$FX/redox-tools/fake-cargo' "\$@"
WRAP
chmod +x "$T/cargo-wrap"
export RUSTUP_HOME=$RH CARGO=$T/cargo-wrap CARGO_HOME=$T/cargo-home
mkdir -p "$CARGO_HOME"

# tree DIR: a copy of the fixture, as a git checkout on master
tree() {
	cp -R "$FX/redox" "$1"
	mkdir -p "$1/.git/refs/heads"
	echo "ref: refs/heads/master" >"$1/.git/HEAD"
	echo "0123456789abcdef0123456789abcdef01234567" >"$1/.git/refs/heads/master"
}
R=$T/tree
tree "$R"
mkdir -p "$R/recipes/core/relibc/source/openlibm" # an empty submodule nothing kiln builds needs
CL=$R/cranelift/librustc_codegen_cranelift.so
gen() { # DIR TREE ARGS...
	_d=$1 _t=$2; shift 2
	mkdir -p "$_d" && (cd "$_d" && "$KILN" gen -q --redox-src="$_t" --opt=cranelift="$_t/cranelift/librustc_codegen_cranelift.so" \
		--opt=bootloader="$_t/bootloader/BOOTAA64.EFI" "$@")
}
B=$T/b
if gen "$B" "$R" >"$T/gen.out" 2>&1; then ok "gen: the fixture tree generates"; else fail "gen: the fixture tree generates" "$(head -c 600 "$T/gen.out")"; fi
(cd "$B" && "$KILN" gen) >"$T/summary" 2>&1
eq "every edge that runs kiln (cargo, sysroot steps, checks, images) has the kiln binary as an input" "" "$(edges_missing_kiln "$B" "$KILN")"
contains "summary: the stale and unused submodules are a note, not an error" "$T/summary" \
	"note: empty or absent submodules that nothing kiln builds needs \(left alone\): recipes/core/kernel/source/redox-path, recipes/core/relibc/source/compiler-builtins, recipes/core/relibc/source/openlibm$"
contains "summary: [patch] paths of another machine point at the tree's copies, said once" "$T/summary" \
	"note: [0-9]+ \[patch\] paths of another machine \(such as /opt/other/redox/recipes/core/relibc/source\) point at the tree's own copies"
contains "summary: a pcid.d table of a driver that is not built is left out" "$T/summary" "note: pcid.d tables left out because their drivers are not built: ac97d$"
contains "summary: which line boot-test waits for" "$T/summary" "note: boot-test waits for 'redox login:' \(getty and login are in the image\)"
contains "summary: the crate cache lacks the Cargo.lock's crates: ninja fetch" "$T/summary" \
	"note: crate cache: 1 crates of the workspaces' Cargo.lock files are not in cargo's cache \($T/cargo-home\), and builds are offline: run .ninja fetch. once with network \(first missing: libc 0.2.150\)"

# --- target specs: the reference fork's S1 and S3, with the CRT objects by name (no path) ------
for s in aarch64-unknown-none aarch64-unknown-redox-clif; do
	sed "s|@SYSROOT@|$B/out/sysroot/lib|g" "$FX/redox-expected/$s.json" >"$T/$s.json"
	same "spec $s.json equals components.md (generated into the build dir)" "$T/$s.json" "$B/gen/targets/$s.json"
done
check "the user spec names no path: the same in every build directory (rustc's E0461, sccache's hash)" sh -c "! grep -q / '$B/gen/targets/aarch64-unknown-redox-clif.json'"
check "no spec is written into the source tree" sh -c "! find '$R' -name '*.json' | grep -q ."

# --- exact commands -------------------------------------------------------------------------
cmd() { (cd "$B" && ninja -t commands "$1" | tail -1); }
BASE=$R/recipes/core/base/source
KD=$R/recipes/core/kernel/source
UT=$B/out/targets/aarch64-unknown-redox-clif.json
REMAP="--rustflag=--remap-path-prefix=$R=/redox --rustflag=--remap-path-prefix=$RH/toolchains/nightly-2026-01-02-$host/lib/rustlib/src/rust=/rustc/src --rustflag=--remap-path-prefix=${CARGO_HOME:-$HOME/.cargo}=/cargo --rustflag=--remap-path-prefix=$B=/kiln-build"
ENV="--env=CARGO_INCREMENTAL=1 --env=CARGO_NET_OFFLINE=true --env=CARGO_PROFILE_RELEASE_LTO=false --env=LD_LIBRARY_PATH=$RH/toolchains/nightly-2026-01-02-$host/lib --env=RUSTUP_TOOLCHAIN=nightly-2026-01-02"
SYSROOT="--relink-on=out/sysroot/lib/libc.a --relink-on=out/sysroot/lib/crt0.o --relink-on=out/sysroot/lib/crti.o --relink-on=out/sysroot/lib/crtn.o --relink-on=out/sysroot/lib/libunwind_stubs.a --relink-on=out/sysroot/lib/libgcc_eh.a --relink-on=out/sysroot/lib/libpthread.a --relink-on=out/sysroot/lib/libdl.a --relink-on=out/sysroot/lib/librt.a --relink-on=out/sysroot/lib/libm.a --relink-on=out/sysroot/obj/unwind_stubs.o"
# what finds the tools, as configure recorded it: the same in every cargo command
if [ -n "${TMPDIR+set}" ]; then TD="--tool-env=TMPDIR=$TMPDIR"; else TD=--tool-env=-TMPDIR; fi
TOOLS="--cargo=$CARGO --tool-env=PATH=$PATH --tool-env=HOME=$HOME --tool-env=CARGO_HOME=$CARGO_HOME --tool-env=RUSTUP_HOME=$RH $TD"
USERFLAGS="--rustflag=-Zcodegen-backend=$CL --rustflag=-Lnative=$B/out/sysroot/lib --rustflag=-Crelocation-model=static --rustflag=-Cpanic=abort --rustflag=-Clink-arg=-z --rustflag=-Clink-arg=muldefs --rustflag=-Clink-arg=-lunwind_stubs"

eq "kernel: the exact kiln cargo command (S1 spec, build-std core,alloc + compiler-builtins-mem, linker script, static, run in the crate)" \
	"$KILN cargo $TOOLS --log=out/logs/kernel.log --manifest-path=$KD/Cargo.toml --target-dir=out/cargo/aarch64-unknown-none-cranelift --cwd=$KD --rustflag=-Zcodegen-backend=$CL --rustflag=-Crelocation-model=static --rustflag=-Clink-arg=-T$KD/linkers/aarch64.ld $REMAP $ENV --relink-on=$KD/linkers/aarch64.ld --relink-on=out/targets/aarch64-unknown-none.json --artifact=out/cargo/aarch64-unknown-none-cranelift/aarch64-unknown-none/release/kernel --out=out/kernel/kernel --depfile=out/kernel/kernel.d -- build --offline --manifest-path $KD/Cargo.toml --release --bin kernel --target $B/out/targets/aarch64-unknown-none.json -Zbuild-std=core,alloc -Zbuild-std-features=compiler-builtins-mem,compiler_builtins/no-f16-f128" \
	"$(cmd out/kernel/kernel)"
c=$(cmd out/pcid/pcid)
case $c in "$KILN cargo $TOOLS --log=out/logs/base.log --manifest-path=$BASE/Cargo.toml --target-dir=out/cargo/aarch64-unknown-redox-clif-cranelift --cwd=$BASE $USERFLAGS $REMAP $ENV $SYSROOT --relink-on=out/targets/aarch64-unknown-redox-clif.json --artifact=out/cargo/aarch64-unknown-redox-clif-cranelift/aarch64-unknown-redox-clif/release/init --out=out/init/init "*"--artifact=out/cargo/aarch64-unknown-redox-clif-cranelift/aarch64-unknown-redox-clif/release/pcid --out=out/pcid/pcid "*"--depfile=out/init/init.d -- build --offline --manifest-path $BASE/Cargo.toml --release -p init "*" -p pcid "*"--bin init "*" --bin pcid "*" --target $UT -Zbuild-std=core,alloc,std,panic_abort -Zbuild-std-features=compiler_builtins/no-f16-f128 --config "*)
	ok "pcid: built by the one run of the base workspace (S3 spec, build-std with std, muldefs, unwind stubs, relinked on the sysroot)" ;;
*) fail "pcid: built by the one run of the base workspace" "$c" ;; esac
n=$(cd "$B" && ninja -t commands image | grep -c -- "--log=out/logs/base.log")
eq "the base workspace's programs (but those with a .cargo/config of their own) are one cargo run" 1 "$n"
statics=$(cd "$B" && "$KILN" list | awk '$2 == "initfs-bin" || $2 == "userspace" { print $1 }')
runs=$(for s in $statics; do cmd "out/$s/$s" | sed -n 's/.*--log=out\/logs\/\([^ ]*\)\.log .*/\1/p'; done | sort -u | tr '\n' ' ')
eq "one cargo run per workspace and directory configuration, for $(echo $statics | wc -w) programs" "base base-simple-coreutils ion redoxfs userutils uutils " "$runs"
case $(cmd out/sleep/sleep) in *"--cwd=$BASE/simple-coreutils "*) ok "simple-coreutils (own .cargo/config.toml) runs in its directory, so cargo reads that file" ;;
*) fail "simple-coreutils runs in its directory" "$(cmd out/sleep/sleep)" ;; esac
c=$(cmd out/relibc/librelibc.a)
case $c in *"--rustflag=-Zcodegen-backend=$CL --rustflag=-Lnative=$B/out/sysroot/lib $REMAP $ENV --relink-on=out/targets/aarch64-unknown-redox-clif.json --artifact="*"/librelibc.a --out=out/relibc/librelibc.a "*"-- build --offline --manifest-path $R/recipes/core/relibc/source/Cargo.toml --release -p relibc -p crt0 -p crti -p crtn --lib --target $UT -Zbuild-std=core,alloc -Zbuild-std-features=compiler_builtins/no-f16-f128") ok "relibc: the exact rustflags, environment and cargo arguments (relibc and its CRT crates in one run)" ;;
*) fail "relibc: the exact rustflags, environment and cargo arguments" "$c" ;; esac
c=$(cmd out/redoxfs/redoxfs)
case $c in *"-p redoxfs --bin redoxfs --target $UT --features std,log --no-default-features -Zbuild-std=core,alloc,std,panic_abort"*) ok "redoxfs: --no-default-features --features std,log (no FUSE)" ;;
*) fail "redoxfs: --no-default-features --features std,log (no FUSE)" "$c" ;; esac
c=$(cmd out/coreutils/coreutils)
case $c in *"--rustflag=-Clto=no"*"--features cat,echo,ls,test --no-default-features"*) ok "uutils: the applets the tree defines (implicit features of optional dependencies, and test), -Clto=no, CARGO_PROFILE_RELEASE_LTO=false (F20)" ;;
*) fail "uutils: the applets the tree defines, -Clto=no" "$c" ;; esac
eq "bootstrap: linked by rust-lld with its script and max-page-size=4096 (F9)" \
	"$RH/toolchains/nightly-2026-01-02-$host/lib/rustlib/$host/bin/rust-lld -flavor gnu --gc-sections -z max-page-size=4096 -o out/bootstrap/bootstrap -T $BASE/bootstrap/src/aarch64.ld out/bootstrap-lib/libbootstrap.a" \
	"$(cmd out/bootstrap/bootstrap)"
eq "sysroot: the crt0.o command (the crate's own objects, merged by rust-lld -r)" \
	"sh $SRCDIR/modules/redox/sysroot.sh crt $KILN $RH/toolchains/nightly-2026-01-02-$host/lib/rustlib/$host/bin/rust-lld crt0 out/crt0/libcrt0.a out/sysroot/lib/crt0.o" \
	"$(cmd out/sysroot/lib/crt0.o)"
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
case $c in *"qemu-system-aarch64 -M virt -cpu cortex-a72 -m 2G -smp 2 -no-reboot -drive if=pflash,format=raw,unit=0,readonly=on,file="*" -drive if=pflash,format=raw,unit=1,snapshot=on,file=out/firmware/"*" -drive file=out/images/harddrive.img,format=raw,if=none,id=disk,snapshot=on -device virtio-blk-pci,drive=disk -virtfs local,path=$T/share,mount_tag=hostshare,security_model=none -netdev user,id=net0 -device virtio-net-pci,netdev=net0 -nographic")
	ok "ninja run: virt, cortex-a72, UEFI firmware (code read-only, a copy of the variable store), the disk on virtio-blk (snapshot), the 9p share" ;;
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
case $(cd "$T/x86" && ninja -t commands run | tail -1) in *"qemu-system-x86_64 "*"-M q35 "*) ok "x86_64: ninja run uses q35" ;;
*) fail "x86_64: ninja run uses q35" "$(cd "$T/x86" && ninja -t commands run | tail -1)" ;; esac

# --- the build, through the fake cargo, with a hostile environment --------------------------------
: >"$FAKE_CARGO_LOG"
# (and another cargo, toolchain, crate cache and PATH than configure recorded: the build uses
# configure's, from kiln.env)
NINJA=$(command -v ninja)
P1=${PATH%%:*}
if (cd "$B" && RUSTC_WRAPPER=sccache RUSTFLAGS=-Cbogus CARGO_INCREMENTAL=0 RUSTC=/nonexistent/rustc CARGO_PROFILE_RELEASE_OPT_LEVEL=0 \
	CARGO_BUILD_RUSTC_WRAPPER=sccache CARGO=/nonexistent/cargo CARGO_HOME=$T/other-cargo-home RUSTUP_HOME=$T/other-rustup \
	PATH=/nonexistent/bin:$PATH "$NINJA" image) >"$T/build.out" 2>&1; then ok "ninja image builds the fixture tree"; else
	fail "ninja image builds the fixture tree" "$(grep -v '^\[' "$T/build.out" | tail -8 | tr '\n' ' ')"; fi
n=$(grep -c '^fake-cargo' "$FAKE_CARGO_LOG")
m=$(grep '^fake-cargo' "$FAKE_CARGO_LOG" | grep -c "CARGO_INCREMENTAL=1 CARGO_NET_OFFLINE=true CARGO_PROFILE_RELEASE_LTO=false RUSTUP_TOOLCHAIN=nightly-2026-01-02 LD_LIBRARY_PATH=$RH/toolchains/nightly-2026-01-02-$host/lib DYLD_LIBRARY_PATH=unset RUSTC_WRAPPER=unset RUSTFLAGS=unset CARGO_TARGET_DIR=$B/out/cargo/")
eq "cargo ran $n times, each with the plugin's environment (RUSTC_WRAPPER and RUSTFLAGS of the shell removed)" "$n" "$m"
m=$(grep '^fake-cargo' "$FAKE_CARGO_LOG" | grep -c "RUSTC=unset CARGO_PROFILE_RELEASE_OPT_LEVEL=unset CARGO_BUILD_RUSTC_WRAPPER=unset CARGO_ENCODED")
eq "the shell's RUSTC, CARGO_PROFILE_* and CARGO_BUILD_RUSTC_WRAPPER never reach cargo (an allow-list)" "$n" "$m"
m=$(grep '^fake-cargo' "$FAKE_CARGO_LOG" | grep -c " CARGO_HOME=$CARGO_HOME RUSTUP_HOME=$RH PATH1=$P1 PWD=")
eq "cargo, its toolchain, crate cache and PATH are configure's (kiln.env), not the shell's" "$n" "$m"
# no config file of this tree or CARGO_HOME names a wrapper: no override, which would cost cargo
# its rustc info cache (an empty wrapper is a program it cannot fingerprint); the hostile host
# crate below has one in $CARGO_HOME/config.toml
m=$(grep '^fake-cargo' "$FAKE_CARGO_LOG" | grep -c -e "--config build.rustc-wrapper")
eq "no config file names a wrapper: cargo gets no wrapper override" 0 "$m"
check "cargo got the rustflags as CARGO_ENCODED_RUSTFLAGS" grep -q "^fake-cargo .* pcid .*CARGO_ENCODED_RUSTFLAGS=-Zcodegen-backend=$CL -Lnative=$B/out/sysroot/lib -Crelocation-model=static -Cpanic=abort -Clink-arg=-z -Clink-arg=muldefs -Clink-arg=-lunwind_stubs --remap-path-prefix=$R=/redox " "$FAKE_CARGO_LOG"
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

# --- the size summary, kiln report and kiln graph on the fixture's images ---------------------------
contains "summary: ninja image ends with the initfs against its 128 MiB budget" "$T/build.out" \
	"^  initfs +initfs +[0-9.]+ KiB  [0-9.]+% of its 128.0 MiB budget \(--initfs-max-size\), [0-9.]+ MiB left; [0-9]+ files$"
contains "summary: the 512 MiB disk and its partitions" "$T/build.out" \
	"^  harddrive +gpt +512.0 MiB  3 partitions: BIOS 1007.0 KiB, EFI 1.0 MiB \(esp\), REDOX 509.0 MiB \(rootfs\)$"
(cd "$B" && "$KILN" report -o "$T/redox.svg") >"$T/report.out" 2>&1
sgdisk -p "$I/harddrive.img" >"$T/sgdisk.txt" 2>&1
python3 "$SRCDIR/tests/report-check.py" "redox report" "$T/redox.svg" "$T/sgdisk.txt"
check "redox report: the ESP's bootloader is drawn" grep -q 'data-path="/EFI/BOOT/BOOTAA64.EFI"' "$T/redox.svg"
(cd "$B" && "$KILN" graph) >"$T/g.dot" 2>&1
(cd "$B" && "$KILN" graph --all) >"$T/g-all.dot" 2>&1
for g in g g-all; do
	if dot -Tsvg "$T/$g.dot" -o "$T/$g.svg" 2>"$T/dot.err" && [ ! -s "$T/dot.err" ]; then ok "graph: dot -Tsvg renders $g.dot"
	else fail "graph: dot -Tsvg renders $g.dot" "$(head -c 300 "$T/dot.err")"; fi
done
n_all=$(grep -c '^  "sysroot" -> ' "$T/g-all.dot")
eq "graph: the edges every program has (sysroot, target-user) are left out" 0 "$(grep -Ec '^  "(sysroot|target-user)" -> ' "$T/g.dot")"
check "graph --all draws them ($n_all from sysroot)" test "$n_all" -gt 20
contains "graph: the label names what is left out" "$T/g.dot" "label=\"not drawn: the edges from sysroot, target-user, which [0-9]+ components depend on \(kiln graph --all draws them\)\""
check "graph: other edges stay (bootstrap-lib -> bootstrap)" grep -q '^  "bootstrap-lib" -> "bootstrap";' "$T/g.dot"
for c in initfs rootfs esp harddrive; do
	check "graph: image $c is a cluster of the rendered graph" grep -q "<title>cluster_$c</title>" "$T/g.svg"
done
for x in pcid relibc initfs harddrive; do
	(cd "$B" && "$KILN" show "$x" --json) >"$T/show.json" 2>&1
	(cd "$B" && "$KILN" show "$x") >"$T/show.txt" 2>&1
	python3 "$SRCDIR/tests/json-check.py" show "show $x --json carries the text's facts (cargo run, config files, overrides)" "$T/show.json" "$T/show.txt"
done
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
contains "ESP: EFI/BOOT/BOOTAA64.EFI" "$T/mdir" "BOOTAA64 +EFI +1536"
nm "$B/out/sysroot/lib/crt0.o" >"$T/nm" 2>&1
contains "sysroot: crt0.o defines _start" "$T/nm" " T _start$"
nm "$B/out/sysroot/lib/libunwind_stubs.a" >"$T/nm" 2>&1
contains "sysroot: libunwind_stubs.a defines _Unwind_Backtrace" "$T/nm" " T _Unwind_Backtrace$"
readelf -sW "$B/out/init/init" >"$T/sym" 2>&1
eq "init: _start from the sysroot's crt0.o, linked once (F2, F3)" "1" "$(grep -c ' _start$' "$T/sym")"
out=$(cd "$B" && ninja image)
case $out in *"no work to do"*) ok "nothing changed: ninja has no work to do" ;; *) fail "nothing changed: ninja has no work to do" "$out" ;; esac
contains "rootfs: /dev/null links to /scheme/null, as upstream" "$T/root.list" "^l .* /dev/null -> /scheme/null$"
contains "rootfs: /dev/stdin links to libc:stdin" "$T/root.list" "^l .* /dev/stdin -> libc:stdin$"
check "rootfs: no pcid.d table for a driver that is not built" sh -c "! grep -q 'pcid.d/ac97d' '$T/root.list'"
# cargo ran where the tree's .cargo/config.toml apply, with the other machine's [patch] paths
# pointed at the tree's copies
contains "cargo: the base run in the workspace's directory, with the tree's relibc for the [patch] of another machine" "$FAKE_CARGO_LOG" \
	"^fake-cargo init .* PWD=$BASE FEATURES= CONFIG=.*patch.crates-io.relibc.path=\"$R/recipes/core/relibc/source\""
contains "cargo: the bootstrap's own Cargo.toml [patch] too" "$FAKE_CARGO_LOG" \
	"^fake-cargo .*bootstrap.* PWD=$BASE/bootstrap .*CONFIG=.*patch.\"https://gitlab.redox-os.org/redox-os/relibc.git\".redox-rt.path=\"$R/recipes/core/relibc/source/redox-rt\""
contains "cargo: simple-coreutils runs in its own directory" "$FAKE_CARGO_LOG" "^fake-cargo .*sleep.* PWD=$BASE/simple-coreutils "
(cd "$B" && "$KILN" show pcid) >"$T/show2" 2>&1
contains "kiln show: the cargo run and its log" "$T/show2" "^  cargo run: +base \([0-9]+ crates, log out/logs/base.log\)$"
contains "kiln show: the config files cargo reads" "$T/show2" "^  cargo config: $BASE/.cargo/config.toml$"
contains "kiln show: what kiln overrode, with file:line" "$T/show2" \
	"^  overridden: +$BASE/.cargo/config.toml:7: \[patch.crates-io\] relibc: /opt/other/redox/recipes/core/relibc/source does not exist here; cargo gets the tree's $R/recipes/core/relibc/source$"
contains "kiln show: the config's rustflags are replaced" "$T/show2" "overridden: +$BASE/.cargo/config.toml: \[target.aarch64-unknown-redox-clif\] rustflags is replaced by kiln's"
contains "cargo's output is kept in out/logs/RUN.log" "$B/out/logs/base.log" "Compiling init \(fake\)"
# ninja fetch: one cargo fetch per workspace (and the standard library's), online
: >"$FAKE_CARGO_LOG"
(cd "$B" && ninja fetch) >"$T/fetch" 2>&1
n=$(grep -c 'CARGO_NET_OFFLINE=false' "$FAKE_CARGO_LOG")
m=$(cd "$B" && ninja -t query fetch | grep -c 'out/fetch/')
eq "ninja fetch: cargo fetch ran online once per manifest ($m)" "$m" "$n"
contains "ninja fetch: the standard library's workspace for -Zbuild-std" "$FAKE_CARGO_LOG" "ARGS=fetch --manifest-path $TC/lib/rustlib/src/rust/library/Cargo.toml"
contains "ninja fetch: in the run's directory, with its [patch] overrides" "$FAKE_CARGO_LOG" \
	"PWD=$BASE .*ARGS=fetch --manifest-path $BASE/Cargo.toml --config patch"
out=$(cd "$B" && ninja fetch)
case $out in *"no work to do"*) ok "ninja fetch: done once until a manifest or Cargo.lock changes" ;; *) fail "ninja fetch: done once" "$out" ;; esac
# an offline build whose crates are not in the cache says what to do
sleep 1; echo "// changed" >>"$BASE/logd/src/main.rs"
echo 1 >"$T/offline-fail"
(cd "$B" && ninja image) >"$T/offline" 2>&1
rm -f "$T/offline-fail"
contains "offline build without the crates: the first failure says to run ninja fetch" "$T/offline" \
	"kiln cargo: cargo could not find crates in its cache .* run .ninja fetch. once with network"
contains "a failed cargo run names its log" "$T/offline" "kiln cargo: cargo failed \(exit 101\) building $BASE/Cargo.toml; its whole output is in out/logs/base.log"
(cd "$B" && ninja image) >/dev/null 2>&1

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
missing=
for s in $statics; do
	run=$(cmd "out/$s/$s" | sed -n 's/.*--log=out\/logs\/\([^ ]*\)\.log .*/\1/p')
	grep -Eqx "CARGO (out/$s/$s|$run: [0-9]+ crates)" "$T/dry1" || missing="$missing $s"
done
eq "relibc touched: ninja -n image relinks every static program ($(echo $statics | wc -w)), in one cargo run per workspace" "" "$missing"
for e in "CARGO relibc: 4 crates" "STAGE out/sysroot/lib/libc.a" "CARGO out/bootstrap-lib/libbootstrap.a" "LINK out/bootstrap/bootstrap" \
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
# the base workspace's one cargo run reruns (cargo rebuilds only virtio-blkd); restat stops
# every other program at its unchanged binary
(cd "$B" && ninja image) >"$T/one" 2>&1
eq "one driver touched: the base run, then only that driver, the initfs and the disk" \
	"CARGO base: 28 crates;CHECK out/virtio-blkd/virtio-blkd;DISK out/images/harddrive.img;INITFS out/images/initfs.img;REDOXFS out/images/rootfs.img;STRIP out/virtio-blkd/stripped/virtio-blkd;SUMMARY out/images/summary.txt;" \
	"$(sed -n 's/^\[[0-9]*\/[0-9]*\] //p' "$T/one" | sed 's/ (.*//' | sort | tr '\n' ';')"
check "one driver touched: cargo compiled only that driver" sh -c "grep -c Compiling '$T/one' | grep -qx 1"

# --- F11: a command the image does not contain ------------------------------------------------------
awk '{ print } /^nowait randd$/ { print "nowait missingd --flag" }' "$BASE/init.rc" >"$T/rc" && cp "$T/rc" "$BASE/init.rc"
(cd "$B" && ninja image) >"$T/f11" 2>&1
contains "F11: an init.rc command missing from the initfs fails the build, naming it and the line" "$T/f11" \
	"gen/config/init.rc:[0-9]+: missingd is not in the image \(looked for /bin/missingd\)"
check "F11: the initfs was not rewritten" sh -c "! grep -q 'INITFS' '$T/f11'"
sed -i.bak '/missingd/d' "$BASE/init.rc" && rm -f "$BASE/init.rc.bak"
echo "nowait rootonlyd" >>"$BASE/init.rc"
(cd "$B" && ninja image) >"$T/f11b" 2>&1
contains "F11: after 'export PATH /usr/bin' init.rc commands are looked up in the root filesystem" "$T/f11b" \
	"gen/config/init.rc:[0-9]+: rootonlyd is not in the image \(looked for /usr/bin/rootonlyd \(root filesystem\)\)"
sed -i.bak '/rootonlyd/d' "$BASE/init.rc" && rm -f "$BASE/init.rc.bak"
sed -i.bak 's|/scheme/initfs/lib/drivers/ahcid|/scheme/initfs/lib/drivers/missingd|' "$BASE/drivers/initfs.toml" && rm -f "$BASE/drivers/initfs.toml.bak"
(cd "$B" && ninja image) >"$T/f11c" 2>&1
contains "F11: a pcid driver table naming a driver the initfs lacks" "$T/f11c" \
	".*drivers/initfs.toml:[0-9]+: /scheme/initfs/lib/drivers/missingd is not in the image"
sed -i.bak 's|/scheme/initfs/lib/drivers/missingd|/scheme/initfs/lib/drivers/ahcid|' "$BASE/drivers/initfs.toml" && rm -f "$BASE/drivers/initfs.toml.bak"
if (cd "$B" && ninja image) >"$T/f11d" 2>&1; then ok "F11: fixed files build again"; else fail "F11: fixed files build again" "$(tail -3 "$T/f11d")"; fi

# --- bad trees and configurations: clear gen errors ------------------------------------------------
tree "$T/t1"; rm -rf "$T/t1/recipes/core/base/source/drivers/storage/lived"
expect_fail "missing workspace member: named, with the fix" '*' "base/source/Cargo.toml:[0-9]+: recipes/core/base/source/drivers/storage/lived does not exist, and the workspace recipes/core/base/source \(member 'drivers/storage/lived': cargo refuses the whole workspace without it\) needs it; fix:" gen "$T/e1" "$T/t1"
tree "$T/t2"; rm -rf "$T/t2/recipes/core/kernel/source/rmm"/*
expect_fail "empty submodule: named, with the fix" '*' "kernel/source/Cargo.toml:[0-9]+: recipes/core/kernel/source/rmm is empty \(a git submodule\), and recipes/core/kernel/source/Cargo.toml \(path dependency 'rmm'\) needs it; fix: git -C .*/kernel/source submodule update --init rmm" gen "$T/e2" "$T/t2"
expect_fail "--cranelift naming a missing file" '*' "--cranelift=/nonexistent.so: no such file" gen "$T/e3" "$R" --opt=cranelift=/nonexistent.so
mkdir -p "$T/e4" && (cd "$T/e4" && "$KILN" gen -q --redox-src="$R" --opt=bootloader="$R/bootloader/BOOTAA64.EFI") >/dev/null 2>"$T/e4.err"
contains "no Cranelift backend anywhere: the fixes are listed" "$T/e4.err" "no Cranelift backend .*rustup component add rustc-codegen-cranelift-preview --toolchain nightly-2026-01-02"
expect_fail "toolchain not installed: the rustup command" '*' "Rust toolchain nightly-2000-01-01 is not installed .*rustup toolchain install nightly-2000-01-01" \
	gen "$T/e5" "$R" --opt=rust-toolchain=nightly-2000-01-01
# a relative RUSTUP_HOME or CARGO_HOME means another place in each crate's directory: one problem
# naming the variable and the absolute form, not "no rustup toolchains" or a crate cache elsewhere
with_env() { ( _v=$1; shift; export "$_v"; "$@" ) }
expect_fail "a relative RUSTUP_HOME: the variable and its fix" '*' \
	"the environment: RUSTUP_HOME=rel/rustup is a relative path, and cargo runs in each crate's directory; fix: export RUSTUP_HOME=.\\\$\\(cd rel/rustup && pwd\\)." \
	with_env RUSTUP_HOME=rel/rustup gen "$T/e5r" "$R"
check "a relative RUSTUP_HOME is not also 'no rustup toolchains'" sh -c "! grep -q 'no rustup toolchains' '$TMPDIR_T/.err'"
expect_fail "a relative CARGO_HOME: the variable and its fix" '*' \
	"the environment: CARGO_HOME=rel/cargo is a relative path, and cargo runs in each crate's directory; fix: export CARGO_HOME=" \
	with_env CARGO_HOME=rel/cargo gen "$T/e5c" "$R"
mkdir -p "$T/e6" && (cd "$T/e6" && "$KILN" gen -q --redox-src="$R" --opt=cranelift="$CL") >/dev/null 2>"$T/e6.err"
contains "no bootloader: --bootloader is explained" "$T/e6.err" "no UEFI bootloader: configure --bootloader=FILE"
tree "$T/t8"; printf '[package]\nname = "logd"\nversion = 0.1.0"\n' >"$T/t8/recipes/core/base/source/logd/Cargo.toml"
expect_fail "a broken member Cargo.toml: file, line and column" '*' "base/source/logd/Cargo.toml:3:11: invalid number '0\\.1\\.0'; if it is text, quote it: \"0\\.1\\.0\"" gen "$T/e8" "$T/t8"
tree "$T/t9"
sed -i.bak 's|"drivers/storage/lived",|"drivers/storage/*",|; s|"drivers/storage/nvmed",||; s|"drivers/storage/virtio-blkd",||; s|"drivers/storage/ahcid",||; s|"drivers/storage/ided",||' "$T/t9/recipes/core/base/source/Cargo.toml"
if gen "$T/e9" "$T/t9" >"$T/e9.out" 2>&1; then ok "a members glob (drivers/storage/*) finds every crate"; else fail "a members glob (drivers/storage/*) finds every crate" "$(head -c 300 "$T/e9.out")"; fi
check "the glob's crates are built" sh -c "cd '$T/e9' && ninja -t commands out/virtio-blkd/virtio-blkd | grep -- '-p virtio-blkd ' | grep -q -- '--bin virtio-blkd '"
mkdir -p "$T/e10" && (cd "$T/e10" && "$KILN" gen -q --redox-src="$R" --opt=codegen=llvm --opt=bootloader="$R/bootloader/BOOTAA64.EFI") >"$T/e10.out" 2>&1
check "--codegen=llvm needs no Cranelift backend" sh -c "test -f '$T/e10/build.ninja' && ! grep -q Cranelift '$T/e10.out'"
check "--codegen=llvm: no -Zcodegen-backend anywhere" sh -c "! (cd '$T/e10' && ninja -t commands image) | grep -q codegen-backend"
tree "$T/t11"; sed -i.bak 's/nightly-2026-01-02/nightly-2025-10-03/' "$T/t11/recipes/core/relibc/source/rust-toolchain.toml"
mkdir -p "$T/e11" && (cd "$T/e11" && "$KILN" gen --redox-src="$T/t11" --opt=cranelift="$CL" --opt=bootloader="$R/bootloader/BOOTAA64.EFI") >"$T/e11.out" 2>&1
contains "F16: a component pinning another toolchain is named" "$T/e11.out" "rust-toolchain.toml of relibc \(nightly-2025-10-03\) differs from nightly-2026-01-02; kiln builds with nightly-2026-01-02"
tree "$T/t7"; sed -i.bak 's/"init",/"init", "simple-edit",/' "$T/t7/recipes/core/base/source/Cargo.toml"
expect_fail "the fork's missing member simple-edit is named" '*' "recipes/core/base/source/simple-edit does not exist, and the workspace recipes/core/base/source \(member 'simple-edit'" gen "$T/e7" "$T/t7"

# --- the Redox module: plugins say what to build; worked examples; layering --------------------------
bad=$(cd "$B" && "$KILN" list | awk '$3 !~ /^plugins\/[a-z]+\.lua:[0-9]+$/ { print $1 " " $3 }' | tr '\n' ';')
eq "every node of the Redox plugin set is declared at a line of plugins/, never inside the module" "" "$bad"
eq "rules/ knows nothing of Redox's components or tree" "" \
	"$(grep -rlEi 'relibc|recipes/|sysroot|cranelift|pcid|init\.rc|redox[-_]src|rust-toolchain' "$SRCDIR/rules" | tr '\n' ' ')"
# messages name a failure in words; its id may only follow in brackets ("... [F11]"), never lead
# ("kiln F11:") or stand in parentheses ("(F2)"), and no message names a file users lack
eq "messages cite failure ids only as a trailing [Fn] and never components.md or design.md" "" \
	"$(grep -rnE '"[^"]*(\(F[0-9]+\)|kiln F[0-9]+|failure mode F[0-9]|components\.md|shared/design)[^"]*"' \
		"$SRCDIR/core" "$SRCDIR/lua" "$SRCDIR/rules" "$SRCDIR/modules" "$SRCDIR/plugins" "$SRCDIR/configure" |
		grep -vE '^[^:]+:[0-9]+:[[:space:]]*(--|/?\*|#)' | cut -c1-120 | tr '\n' ';')"
eq "a new program of the base workspace is one plugin of at most 5 lines" 1 "$(awk 'END { print (NR <= 5) }' "$SRCDIR/examples/packages/redox-sync/sync.lua")"
eq "a crate outside the tree is one plugin of at most 10 lines" 1 "$(awk 'END { print (NR <= 10) }' "$SRCDIR/examples/packages/redox-hello/hello.lua")"
X=$T/ex
gen "$X" "$R" --plugin-dir="$SRCDIR/examples/packages/redox-sync" --plugin-dir="$SRCDIR/examples/packages/redox-hello" >"$T/ex.gen" 2>&1
check "worked examples: the tree with both example plugins generates" test -f "$X/build.ninja"
case $(cd "$X" && ninja -t commands out/sync/sync | tail -1) in *"--log=out/logs/base.log "*"-p sync "*) ok "redox-sync: built by the base workspace's one run" ;;
*) fail "redox-sync: built by the base workspace's one run" "$(cd "$X" && ninja -t commands out/sync/sync | tail -1 | cut -c1-300)" ;; esac
case $(cd "$X" && ninja -t commands out/hello-redox/hello-redox | tail -1) in
*"--cwd=$SRCDIR/examples/packages/redox-hello/crate "*"--rustflag=-Zcodegen-backend=$CL "*"--relink-on=out/sysroot/lib/libc.a "*"--target $X/out/targets/aarch64-unknown-redox-clif.json -Zbuild-std=core,alloc,std,panic_abort"*)
	ok "redox-hello: a crate outside the tree, Cranelift, the userspace spec, relinked with the sysroot" ;;
*) fail "redox-hello: the cargo command" "$(cd "$X" && ninja -t commands out/hello-redox/hello-redox | tail -1 | cut -c1-400)" ;; esac
if (cd "$X" && ninja image) >"$T/ex.build" 2>&1; then ok "worked examples: ninja image builds them (fake cargo)"; else
	fail "worked examples: ninja image" "$(grep -v '^\[' "$T/ex.build" | tail -5 | tr '\n' ' ')"; fi
"$KILN" redoxfs list "$X/out/images/rootfs.img" >"$T/ex.list" 2>&1
contains "worked examples: /usr/bin/sync in the root filesystem" "$T/ex.list" "^f 0755 .* /usr/bin/sync$"
contains "worked examples: /usr/bin/hello-redox in the root filesystem" "$T/ex.list" "^f 0755 .* /usr/bin/hello-redox$"
(cd "$X" && "$KILN" show hello-redox) >"$T/ex.show" 2>&1
contains "worked examples: kiln show names the example plugin's line" "$T/ex.show" "declared at: +examples/packages/redox-hello/hello.lua:5$"
mkdir -p "$T/dup" && printf 'local redox = import "redox"\nredox.program { name = "ion", workspace = "ion", package = "ion-shell" }\n' >"$T/dup/dup.lua"
expect_fail "a name declared twice: both places" '*' "$T/dup/dup.lua:2: component 'ion' is already declared at plugins/ion.lua:4" gen "$T/e13" "$R" --plugin-dir="$T/dup"
printf 'local redox = import "redox"\nredox.program { name = "x", workspace = "base", instal = {} }\n' >"$T/dup/dup.lua"
expect_fail "redox.program checks its fields, with did you mean" '*' "$T/dup/dup.lua:2: unknown field 'instal' in redox.program\{\} \(did you mean 'install'\?\)" gen "$T/e14" "$R" --plugin-dir="$T/dup"
printf 'local r = import "redoxx"\n' >"$T/dup/dup.lua"
expect_fail "import of a module that does not exist, with did you mean" '*' "import \"redoxx\": no module of that name \(did you mean 'redox'\?\)" gen "$T/e15" "$R" --plugin-dir="$T/dup"

# --- kiln doctor ---------------------------------------------------------------------------------
(cd "$B" && "$KILN" doctor) >"$T/doc" 2>&1
eq "doctor: exit 1 when something is missing" 1 "$?"
contains "doctor: reads the tree from kiln.conf and finds the toolchain" "$T/doc" "^ok +nightly-2026-01-02 +$TC$"
contains "doctor: the Cranelift backend of kiln.conf" "$T/doc" "^ok +Cranelift backend +$CL$"
contains "doctor: rust-src" "$T/doc" "^ok +rust-src +$TC/lib/rustlib/src/rust$"
contains "doctor: the UEFI firmware's code and variable store, as paths" "$T/doc" '^ok +UEFI firmware +/[^ ]+ /[^ ]+$'
contains "doctor: the crate cache of the configured CARGO_HOME (kiln.env), with ninja fetch" "$T/doc" \
	"^MISSING +crate cache: 1 crates .* \($T/cargo-home\), .*run .ninja fetch. once with network"
mkdir -p "$CARGO_HOME/registry/cache/index.crates.io-1949cf8c6b5b557f" && : >"$CARGO_HOME/registry/cache/index.crates.io-1949cf8c6b5b557f/libc-0.2.150.crate"
(cd "$B" && CARGO_HOME=/elsewhere "$KILN" doctor) >"$T/doc" 2>&1
eq "doctor: exit 0 once the crates are in the cache (the configured CARGO_HOME, not the shell's)" 0 "$?"
contains "doctor: the crate cache" "$T/doc" "^ok +crate cache +$T/cargo-home: every crate of [0-9]+ Cargo.lock files$"
(cd "$B" && "$KILN" gen -q) >/dev/null 2>&1
tree "$T/t2"; rm -rf "$T/t2/recipes/core/kernel/source/rmm"/*
"$KILN" doctor --redox-src="$T/t2" --rust-toolchain=nightly-2000-01-01 >"$T/doc2" 2>&1
eq "doctor: exit 1 for a tree and toolchain with problems" 1 "$?"
contains "doctor: an empty rmm submodule" "$T/doc2" "^MISSING +.*kernel/source/rmm is empty \(a git submodule\).*git -C .* submodule update --init rmm"
contains "doctor: a toolchain that is not installed" "$T/doc2" "^MISSING +Rust toolchain nightly-2000-01-01 is not installed .*rustup toolchain install nightly-2000-01-01"
contains "doctor: no Cranelift backend: every way to get one" "$T/doc2" "^MISSING +no Cranelift backend .*rustup component add rustc-codegen-cranelift-preview"
mkdir -p "$T/demo" && (cd "$T/demo" && "$KILN" gen -q --system=demo && "$KILN" doctor) >"$T/doc3" 2>&1
eq "doctor: a demo build dir that can be built exits 0 (no Redox tree or toolchain is asked for)" 0 "$?"
contains "doctor: the demo's cross compiler" "$T/doc3" "^ok +C compiler for aarch64 +"

# --- one configure run reports every problem of the tree and the toolchain ------------------------
tree "$T/t12"; rm -rf "$T/t12/recipes/core/kernel/source/rmm"/*
sed -i.bak 's/"init",/"init", "simple-edit", "dns-test",/' "$T/t12/recipes/core/base/source/Cargo.toml"
sed -i.bak '8s|redox-rt = { path = "/opt/other/redox/recipes/core/relibc/source/redox-rt" }|redox-rt = { path = "/opt/other/elsewhere/no-such-crate" }|' "$T/t12/recipes/core/base/source/.cargo/config.toml"
mkdir -p "$T/e12" && (cd "$T/e12" && "$KILN" gen -q --redox-src="$T/t12" --opt=rust-toolchain=nightly-2000-01-01) >/dev/null 2>"$T/e12.err"
contains "one report: the number of problems" "$T/e12.err" "^kiln gen: 7 problems; build.ninja was not written"
contains "one report: the toolchain" "$T/e12.err" "^  [0-9]\. Rust toolchain nightly-2000-01-01 is not installed"
contains "one report: the Cranelift backend" "$T/e12.err" "^  [0-9]\. no Cranelift backend"
contains "one report: the bootloader" "$T/e12.err" "^  [0-9]\. .*no UEFI bootloader"
contains "one report: the empty submodule" "$T/e12.err" "^  [0-9]\. .*kernel/source/Cargo.toml:[0-9]+: recipes/core/kernel/source/rmm is empty"
contains "one report: both missing members" "$T/e12.err" "^  [0-9]\. .*base/source/Cargo.toml:[0-9]+: recipes/core/base/source/dns-test does not exist"
contains "one report: the unresolvable [patch] path, with file:line" "$T/e12.err" \
	"^  [0-9]\. $T/t12/recipes/core/base/source/.cargo/config.toml:8: \[patch.crates-io\] redox-rt: /opt/other/elsewhere/no-such-crate does not exist, and no directory of the tree ends like it"
check "one report: no false positive for the unused submodules" sh -c "! grep -E '^  [0-9]+\\. .*(openlibm|compiler-builtins|redox-path)' '$T/e12.err'"
check "one report: nothing was written" test ! -f "$T/e12/build.ninja"

# --- a host crate built for real by the installed cargo, through the same helpers -------------------
unset CARGO RUSTUP_HOME
H=$T/host
cp -R "$FX/redox-host" "$H.src"
if command -v rustup >/dev/null 2>&1; then
	tc=$(rustup default | cut -d' ' -f1); tc=${tc%-"$host"} # the installed default, e.g. stable
else
	# rustc and cargo without rustup (Debian's packages): cargo ignores RUSTUP_TOOLCHAIN, and
	# the plugins find a toolchain named "system" in a rustup home made for it
	export RUSTUP_HOME=$T/rustup-system
	tc=system
	toolchain "$RUSTUP_HOME" $tc
fi
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

# --- ninja run of the Redox image: user-mode networking on virtio-net, 2 CPUs -------------------
r=$(cd "$B" && ninja -t commands run | tail -n 1)
case $r in *"-smp 2 "*"-netdev user,id=net0 -device virtio-net-pci,netdev=net0"*) ok "ninja run: the Redox image gets 2 CPUs and user-mode networking" ;;
*) fail "ninja run: the Redox image gets 2 CPUs and user-mode networking" "$(printf '%s' "$r" | cut -c1-400)" ;; esac

# a user's own wrapper in $CARGO_HOME/config.toml (sccache, say): configure says once that
# kiln's cargo runs do not use it, and how to use one
printf '[build]\nrustc-wrapper = "sccache"\n' >"$CARGO_HOME/config.toml"
gen "$T/wn" "$R" >"$T/wn.out" 2>&1
contains "a rustc-wrapper in \$CARGO_HOME/config.toml: the summary says kiln's cargo runs do not use it" "$T/wn.out" \
	"note: $CARGO_HOME/config.toml sets \[build\] rustc-wrapper = \"sccache\": kiln's cargo runs do not use it \(only configure --rustc-wrapper=PATH reaches cargo"
eq "... said once" 1 "$(grep -c 'rustc-wrapper = "sccache"' "$T/wn.out")"
rm -f "$CARGO_HOME/config.toml"
