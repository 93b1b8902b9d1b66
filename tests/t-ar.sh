# tests/t-ar.sh: kiln ar and kiln stubobj, which write the sysroot's stub libraries without a
# C compiler or llvm-ar: binutils (readelf, nm, ar) and eu-elflint agree with what they write,
# programs link against the stubs and run (x86_64 natively, aarch64 under qemu-aarch64),
# archives are deterministic, the reader extracts binutils' archives, bad archives are
# refused with the offset and cause, and the fuzz corpus replays.
. "$SRCDIR/tests/lib.sh"
cd "$TMPDIR_T" || exit 2
SYMS="_Unwind_Backtrace _Unwind_GetIP _Unwind_GetCFA"

# --- stubobj ---------------------------------------------------------------------------------
check "stubobj aarch64" "$KILN" stubobj --arch aarch64 -o a64.o $SYMS
check "stubobj x86_64" "$KILN" stubobj --arch=x86_64 -o x64.o $SYMS
readelf -hW a64.o >h 2>&1
contains "aarch64 object: ET_REL" h "Type: +REL \(Relocatable file\)"
contains "aarch64 object: machine AArch64" h "Machine: +AArch64"
readelf -hW x64.o >h 2>&1
contains "x86_64 object: machine X86-64" h "Machine: +Advanced Micro Devices X86-64"
readelf -sW a64.o >s 2>&1
eq "aarch64 object: three global functions of 8 bytes" "3" "$(grep -cE ' 8 FUNC +GLOBAL +DEFAULT +1 _Unwind_' s)"
readelf -x .text a64.o >x 2>&1
contains "aarch64 code: mov x0, #0; ret (d2800000 d65f03c0)" x "0x00000000 000080d2 c0035fd6 000080d2 c0035fd6"
readelf -x .text x64.o >x 2>&1
contains "x86_64 code: xor eax, eax; ret" x "0x00000000 31c0c390 31c0c390 31c0c390"
eu-elflint --gnu-ld a64.o >l 2>&1
contains "eu-elflint accepts the aarch64 object" l "^No errors"
eu-elflint --gnu-ld x64.o >l 2>&1
contains "eu-elflint accepts the x86_64 object" l "^No errors"
expect_fail "stubobj: an unknown arch" 2 "unknown architecture" "$KILN" stubobj --arch riscv64 -o r.o foo
expect_fail "stubobj: a bad symbol name" 2 "is not a symbol name" "$KILN" stubobj --arch aarch64 -o r.o 'a b'
expect_fail "stubobj: a symbol given twice" 2 "given twice" "$KILN" stubobj --arch aarch64 -o r.o foo foo
check "stubobj: nothing written on error" test ! -e r.o

# --- ar create ---------------------------------------------------------------------------------
check "ar create" "$KILN" ar create -o libunwind_stubs.a a64.o
ar t libunwind_stubs.a >t 2>&1
eq "ar t lists the member" "a64.o" "$(cat t)"
ar tv libunwind_stubs.a >tv 2>&1
contains "zero mtime, uid, gid and mode 644 (ar tv)" tv "^rw-r--r-- 0/0 +[0-9]+ Jan  1 00:00 1970 a64.o$"
nm -s libunwind_stubs.a >n 2>&1
contains "nm sees the GNU symbol table" n "^_Unwind_GetCFA in a64.o$"
eq "the symbol table names every symbol" "3" "$(grep -c ' in a64.o$' n)"
printf 'int helper(void) { return 7; }\n' >h.c
aarch64-linux-gnu-gcc -c h.c -o a_member_with_a_long_name.o
check "ar create with a long member name" "$KILN" ar create -o long.a a_member_with_a_long_name.o a64.o
eq "ar t reads the long name (// table)" "a_member_with_a_long_name.o;a64.o;" "$(ar t long.a | tr '\n' ';')"
nm -s long.a >n 2>&1
contains "symbol table points at the second member" n "^_Unwind_GetIP in a64.o$"
contains "symbol table points at the first member" n "^helper in a_member_with_a_long_name.o$"
"$KILN" ar create -o long2.a a_member_with_a_long_name.o a64.o
same "deterministic: the same inputs give the same archive" long.a long2.a
check "ar create of nothing: an empty archive" "$KILN" ar create -o empty.a
eq "the empty archive is the magic alone" '!<arch>' "$(cat empty.a)"
printf 'text\n' >odd.txt
check "non-object members have no symbols" "$KILN" ar create -o odd.a odd.txt a64.o
check "binutils reads a non-object member of odd size" sh -c "ar p odd.a odd.txt | grep -qx text"
expect_fail "two members with one name" 2 "a second member named 'a64.o'" "$KILN" ar create -o dup.a a64.o ./a64.o
expect_fail "a missing input" 2 "nope.o: No such file" "$KILN" ar create -o m.a nope.o

# --- linking against the stubs ----------------------------------------------------------------------
cat >m.c <<'C'
extern long _Unwind_GetIP(void *);
extern long _Unwind_GetCFA(void *);
int main(void) { return (int)(_Unwind_GetIP(0) + _Unwind_GetCFA(0)) + 3; }
C
"$KILN" ar create -o libx.a x64.o
if cc -o mx m.c -L. -lx 2>cc.err; then ./mx; eq "x86_64: a program linked with the stubs runs, they return 0" 3 "$?"
else fail "x86_64: link against the stub archive" "$(head -c 300 cc.err)"; fi
printf '.globl _start\n_start: bl main\nmov x8, #93\nsvc #0\n' >start.s
if aarch64-linux-gnu-gcc -static -nostdlib -o ma start.s m.c -L. -lunwind_stubs 2>cc.err; then ok "aarch64-linux-gnu-gcc links against the stub archive"
else fail "aarch64-linux-gnu-gcc links against the stub archive" "$(head -c 300 cc.err)"; fi
qemu-aarch64 ./ma; eq "aarch64: the program runs under qemu-aarch64, the stubs return 0" 3 "$?"

# --- ar t / x ---------------------------------------------------------------------------------------
"$KILN" ar t long.a >kt 2>&1
eq "kiln ar t" "a_member_with_a_long_name.o	$(wc -c <a_member_with_a_long_name.o | tr -d ' ');a64.o	$(wc -c <a64.o | tr -d ' ');" "$(tr '\n' ';' <kt)"
check "kiln ar x" "$KILN" ar x long.a -C out
same "extracted long-name member is identical" a_member_with_a_long_name.o out/a_member_with_a_long_name.o
same "extracted member is identical" a64.o out/a64.o
check "kiln ar x --prefix keeps only the matching members" "$KILN" ar x long.a --prefix=a64 -C only
eq "--prefix" "a64.o" "$(ls only)"
expect_fail "--prefix matching nothing is an error" 2 "no member whose name starts with 'crt0'" "$KILN" ar x long.a --prefix=crt0 -C none
rm -f gnu.a && ar rcS gnu.a a_member_with_a_long_name.o odd.txt a64.o
check "kiln ar x reads binutils' archive" "$KILN" ar x gnu.a -C g
same "binutils archive: member 1" a_member_with_a_long_name.o g/a_member_with_a_long_name.o
same "binutils archive: odd-sized member 2" odd.txt g/odd.txt
same "binutils archive: member 3" a64.o g/a64.o

rm -f dupl.a && ar q dupl.a a64.o odd.txt x64.o 2>/dev/null && ar q dupl.a odd.txt 2>/dev/null
"$KILN" ar x dupl.a -C dupx 2>dup.err
eq "a repeated member name is extracted as N_NAME, not overwritten" "2_odd.txt;a64.o;odd.txt;x64.o;" "$(ls dupx | tr '\n' ';')"
contains "a repeated member name is reported" dup.err "a second member named 'odd.txt': extracted as dupx/2_odd.txt"

# --- bad archives -------------------------------------------------------------------------------------
printf 'hello world\n' >bad1.a
expect_fail "not an archive" 2 "bad1.a: offset 0: not an ar archive" "$KILN" ar t bad1.a
head -c 40 long.a >bad2.a
expect_fail "truncated member header" 2 "bad2.a: offset 8: truncated member header" "$KILN" ar t bad2.a
{ printf '!<arch>\n'; printf '%-16s%-12s%-6s%-6s%-8s%-10s`\n' 'x.o/' 0 0 0 644 9999; printf 'abc\n'; } >bad3.a
expect_fail "member size past the end" 2 "bad3.a: offset 8: member size runs past the end" "$KILN" ar t bad3.a
{ printf '!<arch>\n'; printf '%-16s%-12s%-6s%-6s%-8s%-10s`\n' '//' 0 0 0 644 11; printf '../evil.o/\n\n'; printf '%-16s%-12s%-6s%-6s%-8s%-10s`\n' '/0' 0 0 0 644 4; printf 'abc\n'; } >bad4.a
expect_fail "a member name with a path is refused" 2 "bad4.a: offset 80: member name '../evil.o' is not a plain file name" "$KILN" ar x bad4.a -C evil
check "nothing escaped the extraction directory" test ! -e evil.o
{ printf '!<arch>\n'; printf '%-16s%-12s%-6s%-6s%-8s%-10s`\n' 'x.o/' 0 0 0 644 12z; } >bad5.a
expect_fail "a size that is not a number" 2 "bad5.a: offset 8: member size field is not a number" "$KILN" ar t bad5.a
expect_fail "usage: an unknown ar command is one line naming the known ones" 2 \
	"^kiln ar: unknown ar command 'frobnicate' \(known: create, t, x\); see 'kiln help ar'$" "$KILN" ar frobnicate
refuses_nonregular "ar t" "$KILN" ar t @
refuses_nonregular "ar x" "$KILN" ar x @ -C nr
refuses_nonregular "ar create: a member" "$KILN" ar create -o nr.a @
check "refused inputs leave no output" test ! -e nr.a

# --- fuzz corpus replay ------------------------------------------------------------------------------
libs=$(pkg-config --libs libelf 2>/dev/null || echo -lelf)
cflags=$(pkg-config --cflags libelf 2>/dev/null)
printf 'const char *kiln_self;\nconst char *kiln_datadir(void) { return "."; }\n' >stub-cmd.c
if ${CC:-cc} $cflags -I"$SRCDIR/core" -o replay "$SRCDIR/tests/fuzz/ar.c" "$SRCDIR/tests/fuzz/standalone.c" \
	"$SRCDIR/core/elf/ar.c" "$SRCDIR/core/util.c" stub-cmd.c $libs 2>replay.err; then
	./replay "$SRCDIR"/tests/fuzz/corpus/ar/* bad1.a bad2.a bad3.a bad4.a bad5.a | sed "s|$SRCDIR/tests/fuzz/corpus/||"
else
	fail "fuzz replay: build" "$(head -c 300 replay.err)"
fi
