#!/bin/sh
# tests/t-badinput.sh: the bad-input tally (issue 11). Hand-made bad inputs for every command
# that reads untrusted input, and seeded mutations of a valid file of each binary format, each
# run under a time limit and classified: crash (a signal or a sanitizer report), hang (the
# time limit), clear (non-zero exit and one line on stderr naming the input; for a checker that
# exits 1 with its findings, a last line on stderr that sums them up: the input, the count and
# the first finding), accepted (a mutation the reader takes as valid, exit 0), unclear
# (anything else). A failing writer leaves neither its output nor an OUT.tmp.* behind. Ends
# with the tally line.
. "$SRCDIR/tests/lib.sh"
T=$TMPDIR_T
cd "$T" || exit 2
LIMIT=10
: >"$T/tally"

# run CLASS-FILE CMD...: runs CMD with stdout in .o, stderr in .e, under LIMIT seconds (a
# background watchdog, no timeout(1)); sets rc, and hung=1 when the watchdog killed it
run() {
	rm -f "$T/.hung"
	"$@" >"$T/.o" 2>"$T/.e" </dev/null &
	_p=$!
	( trap 'kill $_s 2>/dev/null; exit 0' TERM
	  sleep $LIMIT & _s=$!; wait $_s; : >"$T/.hung"; kill -9 $_p 2>/dev/null ) &
	_w=$!
	wait $_p
	rc=$?
	kill $_w 2>/dev/null
	wait $_w 2>/dev/null
	hung=0
	[ -e "$T/.hung" ] && hung=1
}

# try GROUP MODE LOC NAME CMD...: one case. MODE: bad (must be refused), mut (a mutation:
# exit 0 is "accepted"), chk (a checker: exit 1 with detail lines and a summary line last is
# clear too), mutchk (both). LOC: a fixed string the message must contain (the input's path or
# file:line).
try() {
	_g=$1 _m=$2 _loc=$3 _n=$4; shift 4
	run "$@"
	# kiln gen lists its problems under one header line: each problem is a line of its own
	if head -n 1 "$T/.e" | grep -Eq '^kiln gen: [0-9]+ problems?; build.ninja was not written'; then
		sed 1d "$T/.e" >"$T/.e2" && mv "$T/.e2" "$T/.e"
	fi
	_nl=$(wc -l <"$T/.e" | tr -d ' ')
	if [ "$hung" = 1 ]; then _c=hang _why="still running after ${LIMIT}s"
	elif [ "$rc" -gt 128 ]; then _c=crash _why="killed by signal $((rc - 128))"
	elif grep -Eq 'AddressSanitizer|UndefinedBehaviorSanitizer|runtime error:|core dumped' "$T/.e"; then
		_c=crash _why="$(grep -Em1 'Sanitizer|runtime error|core dumped' "$T/.e")"
	elif [ "$rc" -eq 0 ]; then
		case $_m in mut*) _c=accepted ;; *) _c=unclear ;; esac
		[ "$_c" = accepted ] && grep -v 'warning:' "$T/.e" | grep -q . && _c=unclear
		if [ "$_c" = accepted ]; then :
		else _c=unclear _why="exit 0: $(head -c 200 "$T/.e" | tr '\n' ' ')"; fi
	elif { [ "$_m" = chk ] || [ "$_m" = mutchk ]; } && [ "$rc" -eq 1 ]; then
		# the summary: "FILE: N problems: first: CAUSE; FIX" (RedoxFS, GPT), or "FILE: FAIL: N
		# violations of policy P (KIND, ARCH): first: ID: CAUSE; FIX" (ELF); "first: " when N > 1
		_last=$(tail -n 1 "$T/.e")
		if printf '%s\n' "$_last" | grep -F -- "$_loc" |
			grep -Eq ': (1 (problem|violation of policy [^ ]+ \([^)]*\))|[0-9]+ (problems|violations of policy [^ ]+ \([^)]*\)): first): [^ ]'; then
			_c=clear
		else _c=unclear _why="exit 1, the last line on stderr is not a summary naming '$_loc': $_last"; fi
	elif [ "$_nl" -ne 1 ] && ! { [ "$_nl" -eq 2 ] && grep -q 'warning:' "$T/.e"; }; then
		_c=unclear _why="exit $rc, $_nl lines on stderr: $(head -c 300 "$T/.e" | tr '\n' '|')"
	elif ! grep -v 'warning:' "$T/.e" | grep -qF -- "$_loc"; then
		_c=unclear _why="exit $rc, the message does not name '$_loc': $(head -c 300 "$T/.e")"
	else _c=clear; fi
	echo "$_g $_c" >>"$T/tally"
	case $_c in
	clear|accepted) ;;
	*) fail "$_g: $_n" "$_c: $_why" ;;
	esac
}

# no_litter NAME OUT: after a failed writer, neither OUT nor OUT.tmp.* exists
no_litter() {
	if [ -e "$2" ] || ls "$2".tmp.* >/dev/null 2>&1; then fail "$1 leaves no output" "$(ls -d "$2"* | tr '\n' ' ')"
	else ok "$1 leaves no output"; fi
}

# --- valid files ---------------------------------------------------------------------------
aarch64-linux-gnu-gcc -ffreestanding -fno-pic -O2 -nostdlib -static -no-pie -Wl,-z,max-page-size=4096 \
	"$SRCDIR/tests/elf/start.c" "$SRCDIR/tests/elf/prog.c" -o valid.elf 2>build.log ||
	fail "build the valid ELF" "$(head -c 300 build.log)"
"$KILN" elf strip valid.elf -o small.elf >/dev/null 2>>build.log || fail "strip the valid ELF" "$(head -c 300 build.log)"
cat >ok.m <<'M'
kiln-manifest 1
dir /etc 0755 0 0
file /etc/hostname 0644 0 0 data:demo\n
file /etc/motd 0644 0 0 data:hello\sfrom\sa\svalid\simage\n
symlink /etc/link 0777 0 0 hostname
dir /bin 0755 0 0
file /bin/prog 0755 0 0 src:small.elf
M
"$KILN" initfs create ok.m -o valid.initfs --no-bootstrap 2>>build.log || fail "build initfs" "$(tail -c 300 build.log)"
"$KILN" redoxfs create ok.m -o valid.rfs --size 2M 2>>build.log || fail "build redoxfs" "$(tail -c 300 build.log)"
grep -v symlink ok.m >fat.m
"$KILN" fat create fat.m -o valid.fat --size 1M 2>>build.log || fail "build fat" "$(tail -c 300 build.log)"
"$KILN" gpt create -o valid.gpt --size 4M --part name=EFI,type=esp,image=valid.fat --part name=REDOX,type=redoxfs 2>>build.log ||
	fail "build gpt" "$(tail -c 300 build.log)"
"$KILN" stubobj --arch aarch64 -o stub.o foo bar 2>>build.log && "$KILN" ar create -o valid.a stub.o small.elf 2>>build.log ||
	fail "build ar" "$(tail -c 300 build.log)"
for f in valid.elf valid.initfs valid.rfs valid.fat valid.gpt valid.a; do
	[ -s "$f" ] || { fail "valid fixtures" "$f was not built"; echo "0 passed, 1 failed"; exit 0; }
done

# --- hand-made bad files, for every reader ----------------------------------------------------
: >empty
head -c 30 valid.elf >trunc
awk 'BEGIN { srand(1); for (i = 0; i < 5000; i++) printf "%c", int(rand() * 255) + 1 }' >garbage
mkdir -p adir
ln -s loop-b loop-a
ln -s loop-a loop-b
[ -p fifo ] || mkfifo fifo
long=$T/$(printf '%0200d' 0)/$(printf '%0200d' 1)/$(printf '%0200d' 2)
mkdir -p "$long" && cp garbage "$long/garbage"
if [ "$(id -u)" -ne 0 ]; then
	cp garbage unreadable && chmod 000 unreadable
	unread=unreadable
else
	# root reads a chmod 000 file: a path through a regular file instead (ENOTDIR)
	unread=garbage/child
	ok "as root, the unreadable case is replaced by garbage/child (not a directory)"
fi
BAD="empty trunc garbage adir fifo /dev/zero /dev/null loop-a nonexistent $unread $long/garbage"
for f in $BAD; do
	l=${f##*/}
	try elf bad "$l" "elf check $f" "$KILN" elf check "$f" --policy=userspace
	try elf bad "$l" "elf strip $f" "$KILN" elf strip "$f" -o stripped.out
	try elf bad "$l" "elf info $f" "$KILN" elf info "$f"
	try initfs bad "$l" "initfs list $f" "$KILN" initfs list "$f"
	try initfs bad "$l" "initfs extract $f" "$KILN" initfs extract "$f" -o xdir
	try redoxfs bad "$l" "redoxfs list $f" "$KILN" redoxfs list "$f"
	try redoxfs bad "$l" "redoxfs cat $f" "$KILN" redoxfs cat "$f" /etc/motd
	try redoxfs chk "$l" "redoxfs check $f" "$KILN" redoxfs check "$f"
	try fat bad "$l" "fat list $f" "$KILN" fat list "$f"
	try fat bad "$l" "fat cat $f" "$KILN" fat cat "$f" /etc/motd
	try gpt chk "$l" "gpt list $f" "$KILN" gpt list "$f"
	try ar bad "$l" "ar t $f" "$KILN" ar t "$f"
	try ar bad "$l" "ar x $f" "$KILN" ar x "$f" -C xdir
done
no_litter "a failed elf strip" stripped.out

# ELF: wrong class, wrong machine, section offsets out of range
cp valid.elf class32.elf && printf '\001' | dd of=class32.elf bs=1 seek=4 conv=notrunc 2>/dev/null
try elf chk class32.elf "elf check: 32-bit class on a 64-bit file" "$KILN" elf check class32.elf --policy=userspace
try elf chk valid.elf "elf check: aarch64 file for x86_64" "$KILN" elf check valid.elf --policy=userspace --arch=x86_64
cp valid.elf machine.elf && printf '\076\000' | dd of=machine.elf bs=1 seek=18 conv=notrunc 2>/dev/null
try elf chk machine.elf "elf check: machine x86_64 in an aarch64 file" "$KILN" elf check machine.elf --policy=userspace
# e_shoff (offset 40) far beyond the file; e_phoff (32) likewise
cp valid.elf shoff.elf && printf '\377\377\377\177' | dd of=shoff.elf bs=1 seek=40 conv=notrunc 2>/dev/null
cp valid.elf phoff.elf && printf '\377\377\377\177' | dd of=phoff.elf bs=1 seek=32 conv=notrunc 2>/dev/null
for f in shoff.elf phoff.elf; do
	try elf bad $f "elf check $f" "$KILN" elf check $f --policy=userspace
	try elf bad $f "elf strip $f" "$KILN" elf strip $f -o stripped.out
	try elf bad $f "elf info $f" "$KILN" elf info $f
done
no_litter "elf strip of a section table out of range" stripped.out
try elf bad nopolicy "elf check: an unknown policy" "$KILN" elf check valid.elf --policy=nopolicy
printf 'return {{{' >bad-policies.lua
try elf bad bad-policies.lua "elf check: a policy file with a syntax error" "$KILN" elf check valid.elf --policy=userspace --policies=bad-policies.lua

# --- image writers given bad manifests --------------------------------------------------------
i=0
while IFS='|' read -r what text; do
	i=$((i + 1))
	printf "$text" >bad$i.m
	for w in initfs redoxfs fat; do
		case $w in initfs) set -- --no-bootstrap ;; *) set -- --size 2M ;; esac
		try manifest bad "bad$i.m" "$w create: $what" "$KILN" $w create bad$i.m -o out$i.$w "$@"
		no_litter "$w create of a manifest with $what" out$i.$w
	done
done <<'M'
no header|dir /etc 0755 0 0\n
a wrong version|kiln-manifest 2\n
an unknown type|kiln-manifest 1\nfifo /x 0644 0 0\n
a bad mode|kiln-manifest 1\ndir /etc 0799 0 0\n
a mode too large|kiln-manifest 1\ndir /etc 17777 0 0\n
a uid too large|kiln-manifest 1\ndir /etc 0755 99999999999 0\n
a relative path|kiln-manifest 1\ndir etc 0755 0 0\n
a .. path|kiln-manifest 1\ndir /etc/../x 0755 0 0\n
a trailing slash|kiln-manifest 1\ndir /etc/ 0755 0 0\n
a duplicate path|kiln-manifest 1\ndir /etc 0755 0 0\ndir /etc 0755 0 0\n
a file below a file|kiln-manifest 1\nfile /a 0644 0 0 data:x\nfile /a/b 0644 0 0 data:y\n
a missing src|kiln-manifest 1\nfile /a 0644 0 0 src:does-not-exist\n
a src that is a directory|kiln-manifest 1\nfile /a 0644 0 0 src:adir\n
a src that is a FIFO|kiln-manifest 1\nfile /a 0644 0 0 src:fifo\n
a hard link to nothing|kiln-manifest 1\nhardlink /a /b\n
a hard link to a directory|kiln-manifest 1\ndir /d 0755 0 0\nhardlink /a /d\n
a bad escape|kiln-manifest 1\nfile /a 0644 0 0 data:\\q\n
a short escape|kiln-manifest 1\nfile /a 0644 0 0 data:\\x4\n
a missing field|kiln-manifest 1\ndir /etc 0755 0\n
an extra field|kiln-manifest 1\ndir /etc 0755 0 0 extra\n
a file without src or data|kiln-manifest 1\nfile /a 0644 0 0 nothing\n
a NUL in a path|kiln-manifest 1\nfile /a\\x00b 0644 0 0 data:x\n
a 256-byte component|kiln-manifest 1\ndir /%0256d 0755 0 0\n
binary garbage|\001\002\003\377\376\n\000\000kiln\n
M
try manifest bad nonexistent.m "initfs create: no manifest" "$KILN" initfs create nonexistent.m -o outx.initfs --no-bootstrap
no_litter "initfs create without a manifest" outx.initfs
try manifest bad /dev/zero "redoxfs create: a character device as manifest" "$KILN" redoxfs create /dev/zero -o outz.rfs --size 1M
no_litter "redoxfs create from /dev/zero" outz.rfs
try manifest bad 99999999999999999999G "redoxfs create: a size over 2^64" "$KILN" redoxfs create ok.m -o outs.rfs --size 99999999999999999999G
no_litter "redoxfs create with a size over 2^64" outs.rfs
try manifest bad outs.rfs "redoxfs create: a size too small" "$KILN" redoxfs create ok.m -o outs.rfs --size 8K
no_litter "redoxfs create too small" outs.rfs
try manifest bad outs.fat "fat create: a size too small" "$KILN" fat create fat.m -o outs.fat --size 1K
no_litter "fat create too small" outs.fat
try manifest bad outm.initfs "initfs create: --max-size too small" "$KILN" initfs create ok.m -o outm.initfs --no-bootstrap --max-size 100
no_litter "initfs create over --max-size" outm.initfs
try manifest bad garbage "initfs create: a garbage bootstrap" "$KILN" initfs create ok.m -o outb.initfs --bootstrap garbage
no_litter "initfs create with a garbage bootstrap" outb.initfs
try gpt bad nothere.img "gpt create: a missing partition image" "$KILN" gpt create -o outg.gpt --size 4M --part name=A,type=esp,image=nothere.img
no_litter "gpt create with a missing image" outg.gpt
try gpt bad typo "gpt create: an unknown partition type" "$KILN" gpt create -o outg.gpt --size 4M --part name=A,type=typo
try gpt bad valid.rfs "gpt create: a disk too small for its image" "$KILN" gpt create -o outg.gpt --size 1M --part name=A,type=redoxfs,image=valid.rfs
no_litter "gpt create too small" outg.gpt
try ar bad nothere.o "ar create: a missing member" "$KILN" ar create -o outa.a nothere.o
no_litter "ar create with a missing member" outa.a


# --- kiln gen: bad plugins, options and configs -------------------------------------------------
gi=0
badgen() { # NAME LOC LUA-TEXT [KILN-GEN-ARGS...]
	gi=$((gi + 1))
	_d=$T/gen$gi _gn=$1 _gl=$2
	mkdir -p "$_d/p" "$_d/b"
	printf '%s\n' "$3" >"$_d/p/x.lua"
	: >"$_d/p/a.c"
	shift 3
	try gen bad "$_gl" "gen: $_gn" sh -c "cd '$_d/b' && exec '$KILN' gen -q --system=none --plugin-dir='$_d/p' $*"
	[ -e "$_d/b/build.ninja" ] && fail "gen: $_gn writes no build.ninja" "it was written"
}
badgen "a syntax error" x.lua:1 'component { name = = "a" }'
badgen "a runtime error" x.lua:1 'local x = nil + 1'
badgen "error({})" x.lua:1 'error({})'
badgen "error(nil)" x.lua:1 'error()'
badgen "an unknown field" x.lua:1 'component { name = "a", kind = "host-tool", build = host_cc { sources = { "a.c" } }, instal = {} }'
badgen "a wrong type" x.lua:1 'component { name = "a", kind = "host-tool", build = host_cc { sources = { "a.c" } }, deps = 3 }'
badgen "an import cycle" x.lua 'import "x"'
badgen "endless recursion" x.lua:1 'local function f() return 1 + f() end f()'
grep -c 'calls itself without end' "$T/.e" >"$T/.n"
eq "gen: a stack overflow is explained once" 1 "$(cat "$T/.n")"
badgen "a deeply nested table" x.lua 'local t = {} for i = 1, 300000 do t = { t } end component { name = "a", kind = "data", build = stage { file = "a.c", to = "a.c" }, policy = t }'
badgen "an endless loop" x.lua:1 'while true do end' --gen-time-limit=1
badgen "a huge allocation" x.lua:1 'local t = {} for i = 1, 1e9 do t[i] = string.rep("x", 1000) .. i end' --gen-memory-limit=64M
badgen "a newline in a Ninja value" x.lua:1 'component { name = "a", kind = "host-tool", build = host_cc { sources = { "a.c" }, cflags = { "-O2\nrule pwn" } } }'
badgen "an output outside the build dir" x.lua:1 'component { name = "a", kind = "initfs-bin", build = cross_cc { sources = { "a.c" }, output = "../../tmp/x" } }'
badgen "an empty gen_file name" x.lua:1 'gen_file { name = "" }'
badgen "a bad toml_decode" bad.toml:1 'toml_decode("a = [1,", "bad.toml")'
badgen "a bad json_decode" bad.json:1 'json_decode("[1e,2]", "bad.json")'
badgen "a TOML unicode escape" bad.toml:1 'toml_decode("a = \"\\u-00e\"", "bad.toml")'
badgen "a huge JSON number" bad.json:1 'json_decode("[99999999999999999999]", "bad.json")'
badgen "a bad --gen-time-limit" gen-time-limit 'local x = 1' --gen-time-limit=soon
badgen "a size over 2^64 for --gen-memory-limit" gen-memory-limit 'local x = 1' --gen-memory-limit=99999999999999999999G
mkdir -p "$T/gd"
printf '[general]\nfilesystem_size = "big\n' >"$T/bad-config.toml"
printf 'include = ["bad-config.toml"]\n' >"$T/incl.toml"
for c in "initfs-max-size=99999999999999999999G|initfs-max-size" "initfs-max-size=12Q|initfs-max-size" \
	"frobnicate=1|frobnicate" "config=$T/bad-config.toml|bad-config.toml:2" "config=$T/incl.toml|bad-config.toml:2" \
	"config=$T/nothere.toml|nothere.toml" "config=$T/adir|adir"; do
	try options bad "${c#*|}" "gen --system=demo --opt=${c%|*}" sh -c "cd '$T/gd' && exec '$KILN' gen -q --system=demo --opt='${c%|*}'"
done
try options bad sparc "gen --arch=sparc" sh -c "cd '$T/gd' && exec '$KILN' gen -q --system=demo --arch=sparc"
try options bad bogus "gen --system=bogus" sh -c "cd '$T/gd' && exec '$KILN' gen -q --system=bogus"
# configure's own checks, before it builds kiln
for c in --arch=sparc --arch --system=bogus --plugin-dir=/nonexistent --prefix bare-word; do
	mkdir -p "$T/cf"
	try configure bad "${c%%=*}" "configure $c" sh -c "cd '$T/cf' && exec '$SRCDIR/configure' $c"
done

# --- mutations of each valid file: truncations, header byte flips, seeded random flips -------
# flip FILE OFF...: m.bin is FILE with the byte at each OFF replaced by 255 minus it
flip() {
	cp "$1" m.bin; _f=$1; shift
	for _o do
		_v=$(od -An -tu1 -j "$_o" -N1 "$_f" | tr -d ' ')
		[ -n "$_v" ] || continue
		printf "\\$(printf %o $((255 - _v)))" | dd of=m.bin bs=1 seek="$_o" conv=notrunc 2>/dev/null
	done
}
# mutate GROUP FILE "HEADER-OFFSETS" READER...: the reader's arguments with @ for the file
mutate() {
	_Mg=$1 _Msrc=$2 _Mhdr=$3; shift 3
	_Msize=$(wc -c <"$_Msrc" | tr -d ' ')
	_Mcases=
	for _Mt in 1 8 16 44 64 100 512 1024 4096 8192 $((_Msize / 2)) $((_Msize - 512)) $((_Msize - 1)); do
		[ "$_Mt" -gt 0 ] && [ "$_Mt" -lt "$_Msize" ] && _Mcases="$_Mcases t$_Mt"
	done
	for _Mo in $_Mhdr; do [ "$_Mo" -lt "$_Msize" ] && _Mcases="$_Mcases h$_Mo"; done
	# seeded random flips: 12 cases of 1 to 4 bytes each, the same on every run
	_Mcases="$_Mcases $(awk -v n="$_Msize" -v s="$_Mg" 'BEGIN { srand(length(s) * 7 + 1)
		for (i = 0; i < 12; i++) { k = 1 + int(rand() * 4); c = "r"
			for (j = 0; j < k; j++) c = c (j ? "," : "") int(rand() * n); printf "%s ", c } }')"
	for _Mc in $_Mcases; do
		case $_Mc in
		t*) head -c "${_Mc#t}" "$_Msrc" >m.bin ;;
		h*) flip "$_Msrc" "${_Mc#h}" ;;
		r*) flip "$_Msrc" $(echo "${_Mc#r}" | tr ',' ' ') ;;
		esac
		_Mi=0
		for _Ma do
			[ "$_Mi" -eq 0 ] && set --
			_Mi=$((_Mi + 1))
			[ "$_Ma" = @ ] && _Ma=m.bin
			set -- "$@" "$_Ma"
		done
		_Mm=mut
		case $1$2$3 in *check*|*gptlist*) _Mm=mutchk ;; esac
		try "mutation-$_Mg" $_Mm m.bin "$_Mg $_Mc" "$@"
	done
}
mutate elf valid.elf "0 4 5 6 7 16 18 20 24 32 40 52 54 56 58 60 62 64 72 120" "$KILN" elf check @ --policy=userspace
mutate elf-strip valid.elf "4 5 16 18 32 40 54 56 58 60 62" "$KILN" elf strip @ -o mstrip.out
mutate initfs valid.initfs "0 7 8 12 16 20 24 28 32 36 40 42 4096 4100 4104 4108 8192 8196 8200" "$KILN" initfs list @
mutate redoxfs valid.rfs "0 8 16 24 32 40 48 56 64 72 80 96 128 4095 4096 8192" "$KILN" redoxfs check @
mutate redoxfs-cat valid.rfs "0 8 16 24 32 40 48 56" "$KILN" redoxfs cat @ /etc/motd
mutate fat valid.fat "0 3 11 12 13 14 16 17 19 21 22 24 28 32 36 38 44 510 511 512" "$KILN" fat list @
mutate gpt valid.gpt "446 450 454 458 510 512 520 524 528 536 544 552 560 576 584 592 596 600 1024 1056 1080" "$KILN" gpt list @
mutate ar valid.a "0 7 8 24 40 48 56 58 66 68 76 84" "$KILN" ar t @

# --- the tally ------------------------------------------------------------------------------
awk '{ n[$1]++; c[$1 " " $2]++; t++; a[$2]++ }
	END { for (g in n) printf "  %-18s %4d tried: %d clear, %d accepted, %d unclear, %d crashes, %d hangs\n",
		g, n[g], c[g " clear"], c[g " accepted"], c[g " unclear"], c[g " crash"], c[g " hang"] | "sort"
		close("sort")
		printf "tally: %d tried: %d clear, %d accepted, %d unclear, %d crashes, %d hangs\n",
			t, a["clear"], a["accepted"], a["unclear"], a["crash"], a["hang"] }' "$T/tally" >tally.txt
cat tally.txt
bad=$(awk '$2 == "unclear" || $2 == "crash" || $2 == "hang"' "$T/tally" | wc -l | tr -d ' ')
eq "no crash, hang or unclear message among $(wc -l <"$T/tally" | tr -d ' ') bad inputs" 0 "$bad"
