#!/bin/sh
# t-elf.sh: kiln elf check|strip|info on fixtures compiled here (tests/elf/) with gcc,
# aarch64-linux-gnu-gcc, ld.lld and rustc: one per failure mode of redox/components.md F1, F2,
# F6, F9, F10, F13, F14, F15, F28 plus RWX, exec stack, TEXTREL; verdict, exit status and
# diagnosis of each, agreement with scanelf, waivers and policy overrides, strip checked with
# eu-elflint and byte comparison of the segments, malformed input, fuzz corpus replay.
. "$SRCDIR/tests/lib.sh"
T=$TMPDIR_T
cd "$T" || exit 2
E=$SRCDIR/tests/elf
A=aarch64-linux-gnu-gcc
AF="-ffreestanding -fno-pic -O2"
chk() { "$KILN" elf check "$@"; }
# under a time limit (a hang must fail, not block the run)
lim() { with_timeout 20 "$@"; }

# passes NAME CMD...: exit 0 and a "pass" verdict on stdout
passes() {
	_n=$1; shift
	"$@" >"$T/.out" 2>"$T/.err"
	_rc=$?
	if [ "$_rc" -eq 0 ] && grep -q ': pass: ' "$T/.out"; then ok "$_n"; else
		fail "$_n" "exit $_rc: $(cat "$T/.out" "$T/.err" | head -c 400 | tr '\n' ' ')"; fi
}
# build NAME CMD...: a fixture build must work; otherwise the test fails loudly
build() {
	_n=$1; shift
	"$@" >"$T/build.log" 2>&1 || fail "build $_n" "$(head -c 300 "$T/build.log" | tr '\n' ' ')"
}

# --- fixtures --------------------------------------------------------------------------------
build objects sh -c "$A $AF -c $E/kernel.c -o kernel.o && $A $AF -c $E/prog.c -o prog.o &&
	$A $AF -c $E/start.c -o start.o && $A $AF -c $E/bss.c -o bss.o"
build kernel $A -nostdlib -static -no-pie -Wl,-T,"$E/kernel.ld" -Wl,-z,max-page-size=4096 kernel.o -o kernel
build kernel-noscript $A -nostdlib -static -no-pie -Wl,--gc-sections kernel.o -o kernel-noscript
sed 's/0xFFFFFF0000000000/0xFFFFFFFF80000000/' "$E/kernel.ld" >kernel-x86.ld
build kernel-x86 sh -c "gcc -ffreestanding -fno-pic -mcmodel=kernel -O2 -c $E/kernel.c -o kx.o &&
	gcc -nostdlib -static -no-pie -Wl,-T,kernel-x86.ld -Wl,-z,max-page-size=4096 kx.o -o kernel-x86"
build static $A -O2 -static -no-pie "$E/hello.c" -o static
build static-pie $A -O2 -static-pie "$E/hello.c" -o static-pie
build dynamic $A -O2 "$E/hello.c" -o dynamic
build dynamic-runpath $A -O2 -no-pie -Wl,-rpath,/opt/redox/lib "$E/hello.c" -o dynamic-runpath
build nocrt ld.lld -static prog.o -o nocrt
build withcrt ld.lld -static start.o prog.o -o withcrt
build pie0 sh -c "$A -ffreestanding -fPIC -O2 -c $E/prog.c -o prog-pic.o && ld.lld -pie prog-pic.o -o pie0"
build rwx $A -nostdlib -static -no-pie -Wl,-N start.o prog.o -o rwx
build execstack $A -O2 -static -no-pie -Wl,-z,execstack "$E/hello.c" -o execstack
build x86-static gcc -O2 -static -no-pie "$E/hello.c" -o x86-static
build unstripped $A -O1 -g -static -no-pie "$E/hello.c" -o unstripped
build boot $A -nostdlib -static -no-pie -Wl,-T,"$E/bootstrap.ld" -Wl,-z,max-page-size=4096 start.o prog.o bss.o -o boot
build boot-noscript $A -nostdlib -static -no-pie -Wl,-z,max-page-size=4096 start.o prog.o bss.o -o boot-noscript
build boot-bss $A -nostdlib -static -no-pie -Wl,-T,"$E/bootstrap-bss.ld" -Wl,-z,max-page-size=4096 start.o prog.o bss.o -o boot-bss
build textrel gcc -O2 -fPIE -pie -Wl,-z,notext "$E/textrel.c" -o textrel
mkdir -p src && cp "$E/hostpath.c" src/
build hostpath $A -O2 -static -no-pie "$T/src/hostpath.c" -o hostpath
build rust rustc -O -C debuginfo=1 "$E/hello.rs" -o rust-host
build pe sh -c "python3 $E/mkpe.py boot.efi && python3 $E/mkpe.py boot-x86.efi 0x8664 &&
	python3 $E/mkpe.py boot-console.efi 0xaa64 3 && python3 $E/mkpe.py boot-pe32.efi 0xaa64 10 0x10b &&
	for d in stripped entry0 entrydata imports badreloc; do python3 $E/mkpe.py boot-\$d.efi 0xaa64 10 0x20b \$d || exit 1; done"

# --- kernel (F6) -----------------------------------------------------------------------------
passes "kernel at 0xFFFFFF0000000000 passes" chk kernel --policy=kernel --arch=aarch64
expect_fail "kernel without its linker script: the classic diagnosis" 1 \
	'^kernel-noscript: kernel-base: kernel: one PT_LOAD of [0-9]+ bytes and no \.text section; the linker script was probably not passed \(-C link-arg=-Tlinkers/aarch64\.ld\)$' \
	chk kernel-noscript --policy=kernel
contains "kernel without script: one violation, verdict line" "$T/.err" '^kernel-noscript: FAIL: 1 violation of policy kernel'
tail -n 1 "$T/.err" >verdict.err
contains "... the verdict is the last line and sums it up: the count, the violation, its fix" verdict.err \
	'^kernel-noscript: FAIL: 1 violation of policy kernel \([^)]*, target aarch64\): kernel-base: kernel: one PT_LOAD of [0-9]+ bytes and no \.text section; the linker script was probably not passed \(-C link-arg=-Tlinkers/aarch64\.ld\)$'
passes "x86_64 kernel at 0xFFFFFFFF80000000 passes" chk kernel-x86 --policy=kernel --arch=x86_64
expect_fail "aarch64 kernel checked as x86_64: below 0xffffffff80000000, wrong machine" 1 \
	'kernel-base: kernel: entry 0xffffff00[0-9a-f]+ is below the kernel base 0xffffffff80000000' \
	chk kernel --policy=kernel --arch=x86_64
contains "aarch64 kernel checked as x86_64: machine" "$T/.err" 'machine: e_machine is aarch64 \(183\) but the target is x86_64 \(62\)'

# --- initfs binaries: PIE (F1), no _start (F2) -------------------------------------------------
passes "static non-PIE glibc program passes initfs-bin" chk static --policy=initfs-bin
passes "ld.lld program with a _start passes initfs-bin" chk withcrt --policy=initfs-bin
expect_fail "static-pie is refused (F1)" 1 '^static-pie: pie: ET_DYN \(position-independent executable, no interpreter\) .*Redox ELF loader does not relocate PIE' \
	chk static-pie --policy=initfs-bin
expect_fail "no CRT objects: entry 0 (F2)" 1 '^nocrt: entry-zero: e_entry is 0: there is no entry point and no _start; the CRT objects \(crt0\.o\) were probably not linked' \
	chk nocrt --policy=initfs-bin
contains "no CRT objects: no _start (F2)" "$T/.err" '^nocrt: no-start: symbols present but no _start is defined'
expect_fail "Cranelift-style PIE: ET_DYN, entry 0 (F1)" 1 '^pie0: pie: ET_DYN \(position-independent executable, no interpreter\) with entry 0x0;' \
	chk pie0 --policy=initfs-bin
contains "PIE with entry 0: entry-zero too" "$T/.err" '^pie0: entry-zero: e_entry is 0'
expect_fail "dynamic program in the initfs: pie, interp, needed" 1 '^dynamic: interp: has PT_INTERP "/lib/ld-linux-aarch64\.so\.1"' \
	chk dynamic --policy=initfs-bin
contains "dynamic in the initfs: DT_NEEDED named" "$T/.err" '^dynamic: needed: needs the shared library libc\.so\.6'
contains "dynamic in the initfs: PIE named" "$T/.err" '^dynamic: pie: '
scanelf -qi dynamic static >scan-i.out 2>&1
eq "scanelf -i agrees: interpreter only in the dynamic one" "dynamic" \
	"$(awk '{print $2}' scan-i.out | sed 's|.*/||' | tr '\n' ' ' | sed 's/ $//')"

# --- userspace: DT_NEEDED against the image (F14) --------------------------------------------
printf '/usr/lib/libm.so.6\n/lib/ld-linux-aarch64.so.1\n/usr/share/libc.so.6\n' >prov-missing
printf '# image files\n/lib/ld-linux-aarch64.so.1\n/usr/lib/libc.so.6\n' >prov-ok
printf '/lib/ld-linux-aarch64.so.1\n/opt/redox/lib/libc.so.6\n' >prov-runpath
expect_fail "dynamic binary with a missing DT_NEEDED" 1 \
	'^dynamic: needed-missing: needs libc\.so\.6 \(DT_NEEDED\) but no file of the image provides it' \
	chk dynamic --policy=userspace --provides=prov-missing
passes "dynamic binary with its libraries in the image passes userspace" chk dynamic --policy=userspace --provides=prov-ok
expect_fail "library outside /lib, /usr/lib and RUNPATH does not count" 1 'needs libc\.so\.6' \
	chk dynamic --policy=userspace --provides=prov-runpath
passes "RUNPATH directory counts" chk dynamic-runpath --policy=userspace --provides=prov-runpath
printf '/usr/lib/libc.so.6\n' >prov-nointerp
expect_fail "interpreter missing from the image" 1 '^dynamic: interp-missing: interpreter /lib/ld-linux-aarch64\.so\.1' \
	chk dynamic --policy=userspace --provides=prov-nointerp
expect_fail "dynamic without --provides cannot be verified" 1 'needed-missing: dynamically linked .*pass --provides=LIST' \
	chk dynamic --policy=userspace
passes "static program passes userspace without --provides" chk static --policy=userspace
printf 'usr/lib/libc.so.6\n' >prov-rel
expect_fail "--provides: relative path is an error" 2 'prov-rel:1: .* is not an absolute image path' \
	chk dynamic --policy=userspace --provides=prov-rel

# --- machine, class, host tools (F13) ----------------------------------------------------------
expect_fail "x86_64 binary with --arch=aarch64" 1 \
	'^x86-static: machine: e_machine is x86_64 \(62\) but the target is aarch64 \(183\); a host binary slipped in' \
	chk x86-static --policy=initfs-bin --arch=aarch64
passes "x86_64 binary with --arch=x86_64" chk x86-static --policy=initfs-bin --arch=x86_64
passes "rustc host program passes host-tool" chk rust-host --policy=host-tool
# the verdict names the machine the file was held to: the host's for a host tool, whatever
# --arch says; the target's (--arch, aarch64 by default) for a target policy
host_m=$(uname -m | sed 's/arm64/aarch64/; s/amd64/x86_64/')
contains "host-tool verdict: held to the host, not to the default --arch" "$T/.out" \
	"^rust-host: pass: policy host-tool \(ELF64 ET_DYN $host_m dynamic, host $host_m\)\$"
passes "x86_64 binary with --arch=x86_64: verdict" chk x86-static --policy=initfs-bin --arch=x86_64
contains "target verdict: held to the target" "$T/.out" \
	'^x86-static: pass: policy initfs-bin \(ELF64 ET_EXEC x86_64 static, target x86_64\)$'
expect_fail "rustc host program as an aarch64 initfs binary: machine and PIE" 1 \
	'^rust-host: machine: e_machine is x86_64 .* but the target is aarch64' chk rust-host --policy=initfs-bin
contains "rustc host program: PIE named" "$T/.err" '^rust-host: (pie|interp): '
expect_fail "aarch64 binary is not a host tool here" 1 'machine: e_machine is aarch64 \(183\) but this host tool must run on x86_64' \
	chk static --policy=host-tool

# a host tool on macOS is Mach-O: the CPU type is checked against the host (x86_64 here)
printf '\317\372\355\376\007\000\000\001\003\000\000\000\002\000\000\000' >macho-x86
head -c 16 /dev/zero >>macho-x86
printf '\317\372\355\376\014\000\000\001\000\000\000\000\002\000\000\000' >macho-arm
head -c 16 /dev/zero >>macho-arm
host=$(uname -m | sed 's/arm64/aarch64/')
if [ "$host" = x86_64 ]; then other=macho-arm; mine=macho-x86; other_arch=aarch64; else other=macho-x86; mine=macho-arm; other_arch=x86_64; fi
passes "Mach-O host tool for this machine passes host-tool" chk $mine --policy=host-tool
expect_fail "Mach-O host tool for another machine" 1 "^$other: machine: Mach-O CPU type 0x[0-9a-f]+ \\($other_arch\\) but this host tool must run on $host" \
	chk $other --policy=host-tool
expect_fail "Mach-O under a target policy is not ELF" 2 'not an ELF file' chk $mine --policy=initfs-bin

# --- RWX, exec stack, textrel, alignment; scanelf agrees -----------------------------------------
expect_fail "RWX segment (-N), naming its sections" 1 '^rwx: rwx-segment: PT_LOAD #0 at 0x[0-9a-f]+ \([0-9]+ bytes, sections .*\.text .*\.data.*\) is writable and executable \(RWX\)' \
	chk rwx --policy=initfs-bin
contains "-N also breaks the page alignment" "$T/.err" '^rwx: align: PT_LOAD #0 has p_align 0x[0-9a-f]+, below the page size 0x1000'
scanelf -qe rwx >scan-e.out 2>&1
contains "scanelf -e agrees: RWX load" scan-e.out 'RWX'
expect_fail "executable stack" 1 '^execstack: exec-stack: PT_GNU_STACK is executable' chk execstack --policy=initfs-bin
scanelf -e execstack static >scan-e2.out 2>&1
eq "scanelf -e agrees: stack RWX only in execstack" "RWX RW-" \
	"$(awk 'NR > 1 {print $2}' scan-e2.out | tr '\n' ' ' | sed 's/ $//')"
expect_fail "text relocations" 1 '^textrel: textrel: has text relocations \(DT_TEXTREL\)' \
	chk textrel --policy=host-tool --arch=x86_64
scanelf -qt textrel static >scan-t.out 2>&1
eq "scanelf -t agrees: TEXTREL only in textrel" "textrel" "$(awk '{print $2}' scan-t.out | tr '\n' ' ' | sed 's/ $//')"
passes "host-tool allows a dynamic PIE (rustc)" chk rust-host --policy=host-tool --arch=aarch64

# --- bootstrap runs in place (F9) --------------------------------------------------------------
passes "bootstrap linked at 0x2000 with .bss in .data runs in place" chk boot --policy=bootstrap
expect_fail "bootstrap linked at the default address" 1 \
	'^boot-noscript: in-place: cannot run in place at 0x2000: PT_LOAD #0 has p_vaddr 0x400000 but p_offset 0x0 \+ 0x2000 = 0x2000' \
	chk boot-noscript --policy=bootstrap
expect_fail "bootstrap with .bss outside .data" 1 \
	'^boot-bss: in-place: cannot run in place at 0x2000: PT_LOAD #[0-9] has p_filesz 0x[0-9a-f]+ != p_memsz' \
	chk boot-bss --policy=bootstrap

# --- size budget (F10), --policies overrides ---------------------------------------------------
cat >budget.lua <<'EOF'
return { ["initfs-bin"] = { max_size = "100K" }, tiny = { inherits = "initfs-bin", max_size = 1000 } }
EOF
expect_fail "unstripped binary over its budget" 1 \
	'^unstripped: size-budget: not stripped \(\.symtab, [0-9]+ debug sections\) and [0-9]+ bytes, over the budget of 102400' \
	chk unstripped --policy=initfs-bin --policies=budget.lua
check "strip the over-budget binary" "$KILN" elf strip unstripped -o stripped
passes "stripped: the budget does not apply" chk stripped --policy=initfs-bin --policies=budget.lua
passes "without the override the default budget holds" chk unstripped --policy=initfs-bin
expect_fail "a new policy inheriting initfs-bin" 1 'size-budget: .* over the budget of 1000;' \
	chk unstripped --policy=tiny --policies=budget.lua
printf 'return { kernel = { min_code = 1 } }\n' >fieldwise.lua
expect_fail "--policies merges field by field (kernel keeps its base)" 1 '^kernel-noscript: kernel-base: kernel: one PT_LOAD' \
	chk kernel-noscript --policy=kernel --policies=fieldwise.lua
printf 'return { kernel = { max_sise = 5 } }\n' >typo.lua
expect_fail "unknown policy field: error with a suggestion" 2 "typo\.lua: policy 'kernel': unknown field 'max_sise' \(did you mean 'max_size'\?\)" \
	chk kernel --policy=kernel --policies=typo.lua
printf 'return { k2 = { inherits = "nope" } }\n' >inh.lua
expect_fail "inherits from an unknown policy" 2 "policy 'k2' inherits from 'nope', which does not exist" \
	chk kernel --policy=k2 --policies=inh.lua
printf 'return { kernel = { entry_base = "0xzz" } }\n' >num.lua
expect_fail "malformed number in a policy" 2 "num\.lua: policy 'kernel': field 'entry_base': malformed number" \
	chk kernel --policy=kernel --policies=num.lua
expect_fail "unknown policy name" 2 "unknown policy 'kernal' \(known: bootstrap, common, host-tool, initfs-bin, kernel, uefi, userspace\)" \
	chk kernel --policy=kernal
printf 'return { kernel = {' >syntax.lua
expect_fail "Lua syntax error names the file" 2 'syntax\.lua:1:' chk kernel --policy=kernel --policies=syntax.lua

# --- host paths (F28), waivers ---------------------------------------------------------------------
expect_fail "host path string in the binary" 1 \
	'^hostpath: host-path: contains the host path "/home/builder/redox/target/release/build\.log" at offset 0x[0-9a-f]+ \(section \.rodata\)' \
	chk hostpath --policy=initfs-bin
expect_fail "the configured build dir (--forbid-path)" 1 "host-path: contains the host path \"[^\"]*$T/src/hostpath\.c\"" \
	chk hostpath --policy=initfs-bin --forbid-path="$T"
# the policy's host paths and two --forbid-path directories in one scan: each found one is named
# (the violation lines; the verdict line after them repeats the first)
chk hostpath --policy=initfs-bin --forbid-path="$T" --forbid-path=/nowhere/at/all 2>&1 | grep '^hostpath: host-path: ' >multi.out
eq "several host paths in one scan: every one found is reported" "2 1 0" \
	"$(grep -c 'host-path: contains' multi.out) $(grep -c '/home/builder' multi.out) $(grep -c nowhere multi.out)"
chk hostpath --policy=initfs-bin --waive='host-path=test fixture: the path is the point' >waive.out 2>&1
eq "waiver turns the violation into a pass" 0 $?
contains "waived line names the reason" waive.out '^hostpath: host-path: waived \(test fixture: the path is the point\): contains the host path'
contains "waived verdict" waive.out '^hostpath: pass: policy initfs-bin .* with waivers$'
expect_fail "waiver without a reason is an error" 2 'a waiver needs a check id and a reason' \
	chk hostpath --policy=initfs-bin --waive=host-path=
printf 'return { ["initfs-bin"] = { waive = { ["host-path"] = "vendored blob" } } }\n' >waive.lua
passes "waiver in the policy data" chk hostpath --policy=initfs-bin --policies=waive.lua
printf 'return { ["initfs-bin"] = { waive = { ["host-path"] = "" } } }\n' >waive-empty.lua
expect_fail "policy waiver without a reason is an error" 2 "waiver of 'host-path' has no reason" \
	chk hostpath --policy=initfs-bin --policies=waive-empty.lua

# --- UEFI bootloader: PE32+ (F15) --------------------------------------------------------------
file boot.efi >file.out 2>&1
contains "fixture: file(1) sees a PE32+ EFI application" file.out 'PE32\+ executable \(EFI application\) Aarch64'
passes "PE32+ aarch64 EFI application passes uefi" chk boot.efi --policy=uefi
expect_fail "PE32+ x86_64 with --arch=aarch64" 1 '^boot-x86\.efi: machine: PE machine 0x8664 \(x86_64\) but the target is aarch64 \(0xaa64\)' \
	chk boot-x86.efi --policy=uefi --arch=aarch64
passes "PE32+ x86_64 with --arch=x86_64" chk boot-x86.efi --policy=uefi --arch=x86_64
expect_fail "console subsystem" 1 'pe-subsystem: subsystem 3 \(Windows console\), not 10 \(EFI application\)' chk boot-console.efi --policy=uefi
expect_fail "PE32 instead of PE32+" 1 'pe-magic: optional header magic 0x10b \(PE32, 32-bit\), not 0x20b' chk boot-pe32.efi --policy=uefi
# what firmware needs beyond the headers: code at the entry point, relocatable, no DLLs
expect_fail "relocations stripped: the firmware cannot place it" 1 \
	'^boot-stripped\.efi: pe-relocs: relocations stripped \(IMAGE_FILE_RELOCS_STRIPPED\): .* only fits at its ImageBase 0x10000000; link without -fixed' \
	chk boot-stripped.efi --policy=uefi
expect_fail "entry point 0" 1 '^boot-entry0\.efi: pe-entry: AddressOfEntryPoint is 0' chk boot-entry0.efi --policy=uefi
expect_fail "entry point in a data section" 1 '^boot-entrydata\.efi: pe-entry: entry point RVA 0x2000 is in no executable section' \
	chk boot-entrydata.efi --policy=uefi
expect_fail "DLL imports" 1 '^boot-imports\.efi: pe-imports: imports from DLLs \(an import directory of 40 bytes\): UEFI loads no DLLs' \
	chk boot-imports.efi --policy=uefi
expect_fail "relocation directory outside the sections" 1 '^boot-badreloc\.efi: pe-relocs: the base relocation directory \(RVA 0x8000, 12 bytes\) lies outside every section' \
	chk boot-badreloc.efi --policy=uefi
printf 'return { uefi = { waive = { ["pe-relocs"] = "loaded at its ImageBase by this firmware" } } }\n' >pe-waive.lua
passes "a waived PE check passes, the waiver printed" chk boot-stripped.efi --policy=uefi --policies=pe-waive.lua
expect_fail "an ELF file as the bootloader" 1 '^kernel: pe-format: is an ELF file, not a PE32\+ EFI application' chk kernel --policy=uefi
expect_fail "a PE file under an ELF policy" 1 '^boot\.efi: format: is a PE/COFF file, not ELF' chk boot.efi --policy=kernel
head -c 200 boot.efi >trunc.efi
expect_fail "truncated PE: exit 2" 2 'trunc\.efi: PE optional header .* past the end of the file' chk trunc.efi --policy=uefi
cp boot.efi lfanew.efi && printf '\377\377\377\000' | dd of=lfanew.efi bs=1 seek=60 conv=notrunc 2>/dev/null
expect_fail "PE header offset past the end: exit 2" 2 'PE header offset 0xffffff .*past the end' chk lfanew.efi --policy=uefi

# --- output forms: --json, --stamp ---------------------------------------------------------------
chk nocrt --policy=initfs-bin 2>v.err
tail -n 1 v.err >verdict.err
contains "two violations: the verdict line names the count and the first" verdict.err \
	'^nocrt: FAIL: 2 violations of policy initfs-bin \([^)]*\): first: entry-zero: '
chk nocrt --policy=initfs-bin --json >j.out 2>/dev/null
eq "--json: exit 1 on a violation" 1 $?
python3 -c 'import json,sys; d=json.load(open("j.out")); ids=[v["id"] for v in d["violations"]]; sys.exit(0 if d["verdict"]=="fail" and ids==["entry-zero","no-start"] else 1)' &&
	ok "--json: valid JSON with the verdict and the ids" || fail "--json: valid JSON with the verdict and the ids" "$(head -c 300 j.out)"
check "--stamp on pass" chk kernel --policy=kernel --stamp=kernel.stamp
contains "stamp holds the report" kernel.stamp '^kernel: pass: policy kernel'
chk kernel-noscript --policy=kernel --stamp=bad.stamp 2>/dev/null
eq "no stamp on failure" "absent" "$([ -e bad.stamp ] && echo present || echo absent)"
cp kernel-noscript kernel-later
chk kernel --policy=kernel --stamp=later.stamp >/dev/null 2>&1
chk kernel-later --policy=kernel --stamp=later.stamp 2>/dev/null
eq "a failure removes the stale stamp of an earlier pass" "absent" "$([ -e later.stamp ] && echo present || echo absent)"
eq "no temporary files left" "" "$(ls -a | grep -E '^\..*\.tmp|\.kiln-tmp' || true)"
check "--list-policies" sh -c "'$KILN' elf check --list-policies | grep -q '^bootstrap .*runs in place'"

# --- strip ---------------------------------------------------------------------------------------
cmpload() { # A B: the file bytes of every program segment of A are in B (ELF header excepted)
	readelf -lW "$1" | awk '$1 ~ /^[A-Z_]+$/ && $2 ~ /^0x/ { print $2, $5 }' >segs
	while read -r off size; do
		off=$((off)) size=$((size))
		if [ "$off" -lt 64 ]; then size=$((size - 64 + off)); off=64; fi
		[ "$size" -gt 0 ] || continue
		tail -c +$((off + 1)) "$1" | head -c "$size" >seg.a
		tail -c +$((off + 1)) "$2" | head -c "$size" >seg.b
		cmp -s seg.a seg.b || { echo "segment at $off ($size bytes) differs"; return 1; }
	done <segs
}
build dyn-g $A -O1 -g "$E/hello.c" -o dyn-g
build x86-g gcc -O1 -g "$E/hello.c" -o x86-g
for f in dyn-g x86-g rust-host kernel boot; do
	eu-elflint --gnu-ld -q "$f" >lint-in.out 2>&1; lin=$?
	lim "$KILN" elf strip "$f" -o "$f.s" >strip.out 2>&1
	eq "strip $f: exit 0" 0 $?
	contains "strip $f: reports bytes saved" strip.out "^$f\.s: [0-9]+ -> [0-9]+ bytes, [0-9]+ saved \([0-9]+ sections removed\)$"
	if [ "$lin" -eq 0 ]; then
		check "strip $f: eu-elflint --gnu-ld passes on the output" eu-elflint --gnu-ld -q "$f.s"
	else
		# the input has complaints (rustc's .gnu.version_r, a linker-script symbol): the
		# output may keep them but must not add any
		eu-elflint --gnu-ld -q "$f.s" >lint-out.out 2>&1
		eq "strip $f: eu-elflint --gnu-ld finds nothing new in the output" "" \
			"$(sort lint-in.out >l1; sort lint-out.out | comm -13 l1 - | head -3)"
	fi
	r=$(cmpload "$f" "$f.s") && ok "strip $f: every segment's bytes unchanged" || fail "strip $f: every segment's bytes unchanged" "$r"
	eq "strip $f: smaller" yes "$([ "$(wc -c <"$f.s")" -lt "$(wc -c <"$f")" ] && echo yes || echo no)"
	readelf -SW "$f.s" >sec.out
	eq "strip $f: no .symtab or .debug_* left" 0 \
		"$(grep -v '\.debug_gdb_scripts' sec.out | grep -cE ' \.(symtab|strtab|debug_[a-z_]+) ')"
	lim "$KILN" elf strip "$f" -o "$f.s2" >/dev/null 2>&1
	same "strip $f: deterministic" "$f.s" "$f.s2"
done
strip -o x86-g.gnu x86-g
eq "strip x86-g: within 64 bytes of GNU strip" yes \
	"$([ "$(wc -c <x86-g.s)" -le $(( $(wc -c <x86-g.gnu) + 64 )) ] && echo yes || echo "no: $(wc -c <x86-g.s) vs $(wc -c <x86-g.gnu)")"
eq "stripped x86 program still runs" "hello" "$(./x86-g.s)"
eq "stripped rust program still runs" "hello from the host" "$(./rust-host.s)"
grep -q '\.comment' sec.out; readelf -SW x86-g.s | grep -q ' \.comment ' && ok "strip keeps .comment by default" || fail "strip keeps .comment by default" "gone"
"$KILN" elf strip x86-g -o x86-g.nc --remove-comment >/dev/null 2>&1
readelf -SW x86-g.nc | grep -q ' \.comment ' && fail "--remove-comment" ".comment still there" || ok "--remove-comment removes .comment"
passes "stripped kernel still passes the kernel policy" chk kernel.s --policy=kernel
passes "stripped bootstrap still runs in place" chk boot.s --policy=bootstrap
eq "stripped executable stays executable" yes "$([ -x x86-g.s ] && echo yes || echo no)"
# a static glibc binary: eu-elflint rejects input and output alike (IRELATIVE in .rela.plt)
lim "$KILN" elf strip unstripped -o unstripped.s >/dev/null 2>&1
r=$(cmpload unstripped unstripped.s) && ok "strip static glibc: segments unchanged" || fail "strip static glibc: segments unchanged" "$r"

# --- info ----------------------------------------------------------------------------------------
"$KILN" elf info kernel >info.out 2>&1
contains "info: entry" info.out '^entry: +0xffffff00[0-9a-f]+$'
contains "info: segment" info.out '^  LOAD +off 0x00000000 vaddr 0xffffff0000000000 .* R-X align 0x1000$'
contains "info: section sizes" info.out '^  \.text +addr 0xffffff0000001000 .* [0-9]+ bytes alloc$'
"$KILN" elf info --json unstripped >info.json 2>&1
python3 -c 'import json; d=json.load(open("info.json")); assert d["type"]=="EXEC" and d["machine"]==183 and d["totals"]["debug"]>0' &&
	ok "info --json: valid, type, machine, debug bytes" || fail "info --json" "$(head -c 300 info.json)"

# --- malformed input: exit 2, one line, no crash, no output ------------------------------------------
patch() { # FILE OFFSET HEXBYTES: overwrite bytes in place
	_f=$1 _o=$2 _h=$3
	: >patch.bin
	for _b in $(printf '%s' "$_h" | sed 's/../& /g'); do printf "\\$(printf '%03o' "0x$_b")" >>patch.bin; done
	dd if=patch.bin of="$_f" bs=1 seek="$_o" conv=notrunc 2>/dev/null
}
: >empty
printf 'hello, not an ELF file\n' >text
head -c 40 static >trunc-hdr
cp static big-endian && patch big-endian 5 02
cp static elf32 && patch elf32 4 01
cp static phoff && patch phoff 32 ffffff0000000000
cp static phnum && patch phnum 56 ffff
cp static shnum && patch shnum 60 f0ff
cp static shstrndx && patch shstrndx 62 fe00
cp static shentsize && patch shentsize 58 0800
head -c 3000 static >trunc-body
shoff=$(readelf -hW static | awk '/Start of section headers/ {print $5}')
cp static secoff && patch secoff $((shoff + 64 * 2 + 24)) 00000000ff000000
cp dynamic dynoff
dynph=$(readelf -lW dynamic | awk '$1 == "DYNAMIC" {print $2}')
phoff=$(readelf -hW dynamic | awk '/Start of program headers/ {print $5}')
n=0; for t in $(readelf -lW dynamic | awk '/^  [A-Z]/ && $2 ~ /^0x/ {print $1}'); do
	[ "$t" = DYNAMIC ] && break; n=$((n + 1)); done
patch dynoff $((phoff + n * 56 + 8)) 00000000ff000000
for f in empty text trunc-hdr phoff phnum shnum shstrndx shentsize trunc-body secoff dynoff; do
	for sub in check strip info; do
		case $sub in
		check) lim "$KILN" elf check "$f" --policy=userspace --provides=prov-ok >bad.out 2>bad.err ;;
		strip) lim "$KILN" elf strip "$f" -o "$f.out" >bad.out 2>bad.err ;;
		info) lim "$KILN" elf info "$f" >bad.out 2>bad.err ;;
		esac
		rc=$?
		lines=$(wc -l <bad.err | tr -d ' ')
		if [ "$rc" -eq 2 ] && [ "$lines" -eq 1 ] && grep -q "^kiln elf $sub: $f: " bad.err; then
			ok "bad input $f: $sub exits 2 with one line"
		else
			fail "bad input $f: $sub exits 2 with one line" "exit $rc, $lines lines: $(head -c 300 bad.err | tr '\n' ' ')"
		fi
	done
	eq "bad input $f: no strip output" absent "$([ -e "$f.out" ] && echo present || echo absent)"
done
expect_fail "bad input reasons: phoff" 2 'program header table \(1 entries at offset 0xffffff\) runs past the end|program header table .* runs past the end' \
	"$KILN" elf check phoff --policy=initfs-bin
expect_fail "bad input reasons: section offset" 2 'section (#)?2 .*runs past the end of the file' "$KILN" elf check secoff --policy=initfs-bin
expect_fail "bad input reasons: not ELF" 2 'text: not an ELF file' "$KILN" elf check text --policy=initfs-bin
# a well-formed 32-bit or big-endian header is a policy violation for check, bad input for strip
expect_fail "32-bit ELF violates the class check" 1 '^elf32: class: 32-bit ELF \(ELFCLASS32' chk elf32 --policy=initfs-bin
expect_fail "big-endian ELF violates the endian check" 1 '^big-endian: endian: big-endian ELF' chk big-endian --policy=initfs-bin
expect_fail "32-bit ELF: strip refuses" 2 'elf32: not ELF64 \(EI_CLASS 1, 32-bit\)' "$KILN" elf strip elf32 -o x
expect_fail "big-endian ELF: strip refuses" 2 'big-endian: not little-endian' "$KILN" elf strip big-endian -o x
expect_fail "missing file" 2 'nosuch: No such file or directory' chk nosuch --policy=kernel
refuses_nonregular "elf check" "$KILN" elf check @ --policy=userspace
refuses_nonregular "elf strip" "$KILN" elf strip @ -o nr.out
refuses_nonregular "elf info" "$KILN" elf info @
check "refused inputs leave no strip output" test ! -e nr.out
# a symbol table whose sh_entsize is 0 is named as that (libelf itself reports "no error")
idx=$(readelf -SW static | sed -n 's/^ *\[ *\([0-9]*\)\] \.symtab .*/\1/p')
cp static entsize0 && patch entsize0 $((shoff + idx * 64 + 56)) 0000000000000000
expect_fail "symbol table with sh_entsize 0: check names it" 2 \
	'^kiln elf check: entsize0: symbol table \(section [0-9]+\) has sh_entsize 0, not 24: its section header is corrupt' \
	chk entsize0 --policy=userspace
cp entsize0 member0.o
expect_fail "symbol table with sh_entsize 0: ar create names it" 2 \
	'^kiln ar: member0.o: symbol table \(section [0-9]+\) has sh_entsize 0, not 24' "$KILN" ar create -o e0.a member0.o
# a sparse input on a full filesystem: read, never mapped (a mapping faults with SIGBUS on a
# hole that the full tmpfs cannot back). root mounts the small tmpfs and unmounts it again
# (a chroot has no mount namespace to spare); anyone else gets one from unshare -r -m
if [ "$(uname -s)" = Linux ]; then
	cat >full.sh <<EOS
set -e
mount -t tmpfs -o size=1m kiln-full "$T/full"
trap 'umount "$T/full"' EXIT
cp "$T/static" "$T/full/sparse"
truncate -s 8M "$T/full/sparse"
dd if=/dev/zero of="$T/full/fill" bs=4096 2>/dev/null || true
set +e
"$KILN" elf check "$T/full/sparse" --policy=userspace --arch=aarch64 >"$T/full.out" 2>&1
echo "check \$?" >"$T/full.rc"
"$KILN" elf info "$T/full/sparse" >>"$T/full.out" 2>&1
echo "info \$?" >>"$T/full.rc"
"$KILN" elf strip "$T/full/sparse" -o "$T/sparse.s" >>"$T/full.out" 2>&1
echo "strip \$?" >>"$T/full.rc"
EOS
	mkdir -p full
	if [ "$(id -u)" = 0 ]; then sh full.sh; else unshare -r -m sh full.sh; fi >full.log 2>&1
	got=$(tr '\n' ';' <full.rc 2>/dev/null | sed 's/;$//')
	[ -s full.log ] && got="$got (setup: $(head -c 200 full.log | tr '\n' ' '))"
	eq "sparse input on a full tmpfs: check, info and strip end normally (no SIGBUS)" "check 0;info 0;strip 0" "$got"
else
	truncate -s 8M sparse 2>/dev/null || { cp static sparse; dd if=/dev/zero of=sparse bs=1 count=0 seek=8388608 2>/dev/null; }
	check "sparse input: check ends normally" chk sparse --policy=userspace --arch=aarch64
fi
# mapped and read: a file without holes is mapped, the same file with holes (its zero blocks
# left out) is read; the two give the same report, byte for byte, host paths after the holes
printf 'const char zeros[1 << 17] = { 1 };\nint main(void) { return zeros[0]; }\n' >src/zeros.c
build zeros $A -O2 -g -static -no-pie "$T/src/zeros.c" -o dense
python3 - <<'EOS'
import os
d = open("dense", "rb").read()
with open("holed", "wb") as f:
    for i in range(0, len(d), 4096):
        b = d[i:i + 4096]
        if b.count(0) == len(b):
            f.seek(len(b), 1)
        else:
            f.write(b)
    f.truncate(len(d))
EOS
holes=$(awk -v b="$(du -k holed | cut -f1)" -v s="$(wc -c <holed)" 'BEGIN { print (b * 1024 < s) ? "yes" : "no" }')
chk dense --policy=userspace --arch=aarch64 --forbid-path="$T/src" >dense.out 2>&1
echo "exit $?" >>dense.out
chk holed --policy=userspace --arch=aarch64 --forbid-path="$T/src" >holed.raw 2>&1
echo "exit $?" >>holed.raw
sed 's/^holed:/dense:/' holed.raw >holed.out
eq "a file with holes (read) reports what the same file without them (mapped) does" \
	"yes $(cat dense.out)" "$holes $(cat holed.out)"
contains "mapped: the host path past the zero blocks is found" dense.out \
	"^dense: host-path: contains the host path \"[^\"]*$T/src/zeros\.c\""
expect_fail "unknown option" 2 "unknown option '--polcy=kernel'" chk kernel --polcy=kernel
expect_fail "unknown --arch" 2 'arch=mips: unknown architecture' chk kernel --policy=kernel --arch=mips

# --- fuzz corpus replay (a normal build of tests/fuzz/elf.c) ------------------------------------
libs=$(sed -n 's/^LIBS = //p' "$BUILDDIR/Makefile")
if ${CC:-cc} -std=c11 -O1 -g -I"$SRCDIR/core" -o replay "$SRCDIR/tests/fuzz/elf.c" "$SRCDIR/tests/fuzz/standalone.c" \
	"$SRCDIR/core/elf/elf_check.c" "$SRCDIR/core/elf/bytescan.c" "$SRCDIR/core/elf/elf_strip.c" \
	"$SRCDIR/core/util.c" $libs >replay.err 2>&1; then
	n=$(ls "$SRCDIR/tests/fuzz/corpus/elf" | wc -l | tr -d ' ')
	lim ./replay "$SRCDIR"/tests/fuzz/corpus/elf/* empty text trunc-hdr phoff phnum shnum secoff dynoff elf32 \
		big-endian kernel nocrt boot-bss >replay.out 2>&1
	rc=$?
	r=$(grep -c '^ok replay' replay.out)
	eq "fuzz corpus replay ($n seeds + bad inputs + fixtures)" "0 $((n + 13))" "$rc $r"
else
	fail "fuzz replay: build" "$(head -c 300 replay.err)"
fi
