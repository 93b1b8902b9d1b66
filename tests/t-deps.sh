#!/bin/sh
# t-deps.sh: what configure installs (--install-deps=minimal|full) per package manager (apt,
# dnf, pacman, brew), the sizes it prints before installing (real apt on this machine, and
# stand-ins for apt-get, apt-cache, dnf and pacman whose answers are known), the README's
# first command, and kiln doctor in a demo build directory.
. "$SRCDIR/tests/lib.sh"
T=$TMPDIR_T
cd "$T" || exit 2
cfg() { sh "$SRCDIR/configure" "$@"; }
has() { case " $1 " in *" $2 "*) return 0 ;; esac; return 1; }

# --- the package lists ---------------------------------------------------------------------------
for m in apt dnf pacman brew; do
	min=$(cfg --print-deps=$m:minimal) || fail "$m: --print-deps" "exit $?"
	full=$(cfg --print-deps=$m:full)
	eq "$m: --print-deps=$m is the minimal set" "$min" "$(cfg --print-deps=$m)"
	bad=
	for p in $min; do has "$full" "$p" || bad="$bad $p"; done
	eq "$m: the full set holds the minimal one" "" "$bad"
	eq "$m: no package named twice" "$(printf '%s\n' $full | wc -l | tr -d ' ')" "$(printf '%s\n' $full | sort -u | wc -l | tr -d ' ')"
	[ "$(printf '%s\n' $full | wc -l)" -gt "$(printf '%s\n' $min | wc -l)" ] && ok "$m: the full set adds the tests' tools" ||
		fail "$m: the full set adds the tests' tools" "$full"
done
# one package per prerequisite, by its name on each system
want() { # NAME MANAGER:SET PACKAGE...
	_n=$1 _s=$2; shift 2
	_l=$(cfg --print-deps=$_s) _m=
	for _p do has "$_l" "$_p" || _m="$_m $_p"; done
	eq "$_n" "" "$_m"
}
want "apt minimal: kiln's libraries, Ninja, the demo's cross compiler, clang, lld, QEMU, AAVMF" apt:minimal \
	gcc libc6-dev make pkg-config liblua5.4-dev libelf-dev zlib1g-dev liblz4-dev ninja-build clang lld qemu-system-arm qemu-efi-aarch64
want "apt full: the validators, Rust and its packaged crates, x86_64 QEMU and OVMF" apt:full \
	elfutils pax-utils gdisk dosfstools mtools cargo rustc librust-itoa-dev qemu-system-x86 ovmf qemu-user argon2 graphviz groff-base zsh libc6-dev-arm64-cross
want "dnf minimal: Fedora's names" dnf:minimal \
	gcc make pkgconf-pkg-config lua-devel elfutils-libelf-devel zlib-devel lz4-devel ninja-build clang lld qemu-system-aarch64 edk2-aarch64
want "dnf full" dnf:full elfutils gdisk dosfstools mtools cargo rust edk2-ovmf qemu-system-x86 argon2 graphviz groff-base zsh
want "pacman minimal: Arch's names" pacman:minimal gcc make pkgconf lua libelf zlib lz4 ninja clang lld qemu-system-aarch64 edk2-aarch64
want "pacman full" pacman:full elfutils gptfdisk dosfstools mtools rust edk2-ovmf qemu-system-x86 argon2 graphviz groff zsh
want "brew minimal: Homebrew's libelf (0.8.13), not elfutils" brew:minimal pkgconf lua libelf lz4 ninja aarch64-elf-gcc llvm lld qemu
if has "$(cfg --print-deps=brew:full)" elfutils; then fail "brew: elfutils (Linux-only on Homebrew) is in no set" "it is"
else ok "brew: elfutils (Linux-only on Homebrew) is in no set"; fi
want "brew full" brew:full x86_64-elf-gcc gptfdisk dosfstools mtools rust argon2 graphviz groff
# --arch decides the minimal set's cross compiler and firmware
case $(uname -m) in x86_64|amd64) xg= ;; *) xg=gcc-x86-64-linux-gnu ;; esac
l=$(cfg --arch=x86_64 --print-deps=apt:minimal)
if has "$l" ovmf && has "$l" qemu-system-x86 && ! has "$l" qemu-efi-aarch64 && ! has "$l" gcc-aarch64-linux-gnu; then
	ok "apt minimal for --arch=x86_64: ovmf and qemu-system-x86, not the aarch64 ones"
else fail "apt minimal for --arch=x86_64: ovmf and qemu-system-x86, not the aarch64 ones" "$l"; fi
if [ -z "$xg" ]; then
	if has "$l" gcc-x86-64-linux-gnu; then fail "apt on an x86_64 machine: no cross gcc for x86_64 (the native gcc is x86_64-linux-gnu-gcc)" "$l"
	else ok "apt on an x86_64 machine: no cross gcc for x86_64 (the native gcc is x86_64-linux-gnu-gcc)"; fi
else
	if has "$l" gcc-x86-64-linux-gnu; then ok "apt on another machine: the x86_64 cross gcc"
	else fail "apt on another machine: the x86_64 cross gcc" "$l"; fi
fi

# --- bad sets and managers: one line, exit 1 ------------------------------------------------------
expect_fail "an unknown manager" 1 "^configure: error: --print-deps=yum: unknown package manager 'yum' \(known: apt, dnf, pacman, brew\)$" cfg --print-deps=yum
expect_fail "an unknown set" 1 "^configure: error: --print-deps=apt:most: unknown set 'most' \(known: minimal, full\)$" cfg --print-deps=apt:most
expect_fail "--install-deps=SET: an unknown set" 1 "^configure: error: --install-deps=all: unknown set \(known: --install-deps or --install-deps=minimal, .*--install-deps=full" cfg --install-deps=all
expect_fail "--deps-sizes: an unknown set" 1 "^configure: error: --deps-sizes=some: unknown set" cfg --deps-sizes=some

# --- sizes: real apt on this machine --------------------------------------------------------------
# the tests run on Debian with every package of the full set installed, so apt, asked for real,
# knows every name of the set and has nothing left to install
if command -v apt-get >/dev/null 2>&1; then
	if KILN_PM=apt cfg --deps-sizes=full >"$T/real.out" 2>&1; then
		contains "real apt: every package of the full set is known and installed" "$T/real.out" '^configure: apt: nothing to install'
	else fail "real apt: every package of the full set is known and installed" "$(cat "$T/real.out")"; fi
else
	fail "real apt: the full set" "apt-get not found: the tests run on Debian"
fi

# --- sizes: stand-ins whose answers are known -----------------------------------------------------
mkdir -p stub
cat >stub/apt-get <<'EOS'
#!/bin/sh
# apt-get install -s: two packages and a dependency to install, one already there
for a do case $a in nosuch) echo "E: Unable to locate package nosuch"; exit 100 ;; esac; done
echo "Reading package lists..."
echo "Inst libdep1 (1.0-1 Debian:12/stable [amd64])"
echo "Inst tool-a (2.0-1 Debian:12/stable [amd64])"
echo "Inst tool-b (3.1-2 Debian:12/stable [all])"
echo "Conf libdep1 (1.0-1 Debian:12/stable [amd64])"
EOS
cat >stub/apt-cache <<'EOS'
#!/bin/sh
# apt-cache show --no-all-versions: Size in bytes, Installed-Size in KiB
[ "$1" = show ] || exit 1
for p in libdep1 tool-a tool-b; do
	printf 'Package: %s\nSize: 500000\nInstalled-Size: 2000\n\n' $p
done
EOS
cat >stub/dnf <<'EOS'
#!/bin/sh
echo "Installing:"
echo " tool-a   x86_64  2.0-1  fedora  1.2 M"
echo "Total download size: 1.2 M"
echo "Installed size: 4.5 M"
echo "Operation aborted."
exit 1
EOS
cat >stub/pacman <<'EOS'
#!/bin/sh
echo "libdep1 1000000"
echo "tool-a 2500000"
EOS
chmod +x stub/*
S=$T/stub
KILN_PM=apt PATH="$S:$PATH" cfg --deps-sizes=minimal >apt.out 2>&1
eq "apt sizes: exit 0" 0 $?
contains "apt sizes: what apt would install, dependencies included, with download and installed size" apt.out \
	'^configure: apt: 3 packages to install, 1\.5 MB to download, 6\.1 MB installed:$'
contains "apt sizes: the packages by name" apt.out '^  libdep1 tool-a tool-b$'
# a name apt does not know is one line and exit 1, before anything is installed
cat >stub/apt-get <<'EOS'
#!/bin/sh
echo "E: Unable to locate package nosuch"; exit 100
EOS
expect_fail "apt sizes: a package apt does not know" 1 \
	'^configure: error: apt-get cannot install these packages: E: Unable to locate package nosuch \(after apt-get update\?\)$' \
	env KILN_PM=apt PATH="$S:$PATH" sh "$SRCDIR/configure" --deps-sizes=minimal
KILN_PM=dnf PATH="$S:$PATH" cfg --deps-sizes=minimal >dnf.out 2>&1
contains "dnf sizes: dnf's transaction summary, download size" dnf.out '^Total download size: 1\.2 M$'
contains "dnf sizes: installed size" dnf.out '^Installed size: 4\.5 M$'
check "dnf sizes: dnf's refusal of the question is not shown" sh -c "! grep -q 'Operation aborted' dnf.out"
KILN_PM=pacman PATH="$S:$PATH" cfg --deps-sizes=full >pac.out 2>&1
contains "pacman sizes: the targets and their download size" pac.out '^configure: pacman: 2 packages to install, 3\.5 MB to download'
KILN_PM=brew cfg --deps-sizes=minimal >brew.out 2>&1
contains "brew: the formulae, and why there are no sizes" brew.out '^configure: brew: sizes are not shown'
check "brew: the Xcode command line tools are no formula" sh -c "! grep -q xcode-select brew.out"

# --- the README's first command installs what ninja check needs; fresh-machine runs it ------------
first=$(sed -n 's/^    \(\.\/configure[^#]*\)#.*/\1/p' "$SRCDIR/README.md" | head -1 | sed 's/ *$//')
eq "README: the first command installs the full set" "./configure --install-deps=full && ninja image" "$first"
contains "tests/fresh-machine runs the README's first command" "$SRCDIR/tests/fresh-machine" "^inroot .*'$first'$"

# --- kiln doctor in a demo build directory ---------------------------------------------------------
mkdir demo && (cd demo && "$KILN" gen -q --system=demo && "$KILN" doctor) >doc.out 2>&1
eq "doctor, demo: exit 0 when it can be built" 0 $?
contains "doctor, demo: the cross compiler" doc.out '^ok +C compiler for aarch64 +/'
contains "doctor, demo: the UEFI compiler, named as such" doc.out '^ok +UEFI C compiler \(PE32\+\) +/.*clang'
contains "doctor, demo: QEMU" doc.out '^ok +qemu-system-aarch64 +/'
contains "doctor, demo: the firmware's code and variable store, as paths" doc.out '^ok +UEFI firmware +/[^ ]+ /[^ ]+$'
check "doctor, demo: asks for no Redox tree, toolchain or Cranelift" sh -c "! grep -Eiq 'redox tree|toolchain|cranelift|rust-src' doc.out"
# a PATH (recorded in kiln.env) without a cross compiler: the missing piece with its fix, exit 1
mkdir bin nocc
for t in clang lld-link qemu-system-aarch64 ninja sh; do ln -s "$(command -v $t)" bin/$t; done
(cd nocc && PATH="$T/bin" "$KILN" gen -q --system=demo) >/dev/null 2>&1
(cd nocc && PATH="$T/bin" "$KILN" doctor) >doc2.out 2>&1
eq "doctor, demo without a cross compiler: exit 1" 1 $?
contains "doctor, demo without a cross compiler: what is missing and how to get it" doc2.out \
	'^MISSING +no C cross compiler for aarch64 on PATH .*install gcc-aarch64-linux-gnu .*aarch64-elf-gcc \(Homebrew\)'
