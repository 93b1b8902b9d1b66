# tests/t-cli.sh: kiln's command line: help and --help for every command (stdout, exit 0,
# never running the command), usage errors as one line naming the fix (exit 2), did-you-mean
# for commands, subcommands and options, --version, one message prefix, the query commands
# outside a build directory, --json of list, show and why parsed by Python's json module and
# compared with the text output, the manual page (groff -ww, every command and option of the
# usage texts), make install, and the bash and zsh completions.
. "$SRCDIR/tests/lib.sh"
T=$TMPDIR_T
mkdir -p "$T/nowhere"
cd "$T/nowhere" || exit 1

# the commands, from kiln help itself
cmds=$("$KILN" help | awk '/^commands:/ { on = 1; next } on && /^  [a-z]/ { print $1 }')
n=$(echo $cmds | wc -w | tr -d ' ')
case " $(echo $cmds) " in
*" gen list show why graph report doctor elf initfs redoxfs fat gpt cargo ar stubobj "*" version help "*)
	ok "kiln help lists every command ($n)" ;;
*) fail "kiln help lists every command" "$cmds" ;; esac

# --- help and --help ---------------------------------------------------------------------------
bad_help= bad_dash= bad_h=
for c in $cmds; do
	"$KILN" help "$c" >"$T/h.out" 2>"$T/h.err"
	rc=$?
	if [ $rc -ne 0 ] || [ -s "$T/h.err" ] || ! head -1 "$T/h.out" | grep -Eq "^usage: kiln $c( |$)"; then
		bad_help="$bad_help $c($rc)"
	fi
	"$KILN" "$c" --help >"$T/d.out" 2>"$T/d.err"
	rc=$?
	if [ $rc -ne 0 ] || [ -s "$T/d.err" ] || ! cmp -s "$T/h.out" "$T/d.out"; then bad_dash="$bad_dash $c($rc)"; fi
	"$KILN" "$c" -h >"$T/d.out" 2>"$T/d.err"
	rc=$?
	if [ $rc -ne 0 ] || [ -s "$T/d.err" ] || ! cmp -s "$T/h.out" "$T/d.out"; then bad_h="$bad_h $c($rc)"; fi
done
eq "kiln help CMD prints CMD's usage on stdout, exit 0, for every command" "" "$bad_help"
eq "kiln CMD --help prints the same, exit 0, for every command" "" "$bad_dash"
eq "kiln CMD -h prints the same, exit 0, for every command" "" "$bad_h"
"$KILN" help show >"$T/help-show"
"$KILN" help >"$T/help-all"
if cmp -s "$T/help-show" "$T/help-all"; then fail "kiln help show is show's usage, not the general one" "same text"
else ok "kiln help show is show's usage, not the general one"; fi
check "kiln --help is the general usage, exit 0" sh -c "'$KILN' --help | cmp -s - '$T/help-all'"
out=$("$KILN" elf check x --policy=kernel --help 2>&1)
case $out in "usage: kiln elf check"*) ok "--help after other arguments prints the usage (elf check)" ;;
*) fail "--help after other arguments prints the usage" "$out" ;; esac
expect_fail "--help after -- is an argument, not a request for help" 1 "kiln show: no component or image named '--help'" \
	"$KILN" show --system=demo -- --help

# list --help and graph --help do not run the command: outside a build dir they would fail
for c in list graph; do
	"$KILN" "$c" --help >"$T/o" 2>&1
	rc=$?
	if [ $rc -eq 0 ] && "$KILN" help "$c" | cmp -s - "$T/o"; then
		ok "kiln $c --help prints the usage instead of running $c"
	else fail "kiln $c --help prints the usage instead of running $c" "rc $rc: $(head -c 200 "$T/o")"; fi
done
for c in show why; do
	"$KILN" "$c" --help --system=demo >"$T/o" 2>&1
	rc=$?
	if [ $rc -eq 0 ] && "$KILN" help "$c" | cmp -s - "$T/o"; then
		ok "kiln $c --help describes $c instead of taking --help as a name"
	else fail "kiln $c --help describes $c instead of taking --help as a name" "rc $rc: $(head -c 200 "$T/o")"; fi
done

# --- version -----------------------------------------------------------------------------------
v="kiln $(cat "$SRCDIR/VERSION")"
eq "kiln --version" "$v" "$("$KILN" --version)"
eq "kiln version" "$v" "$("$KILN" version)"

# --- usage errors: one line on stderr, nothing on stdout, exit 2 ---------------------------------
# usage NAME PATTERN CMD...: a usage error matching PATTERN that names 'kiln help ...'
usage() {
	_n=$1 _p=$2; shift 2
	"$@" >"$T/u.out" 2>"$T/u.err"
	_rc=$?
	_l=$(wc -l <"$T/u.err" | tr -d ' ')
	if [ $_rc -ne 2 ]; then fail "$_n" "exit $_rc, expected 2: $(head -c 200 "$T/u.err")"
	elif [ "$_l" != 1 ] || [ -s "$T/u.out" ]; then fail "$_n" "$_l lines on stderr, $(wc -c <"$T/u.out") bytes on stdout: $(head -c 300 "$T/u.err")"
	elif ! grep -Eq -- "$_p" "$T/u.err"; then fail "$_n" "$(cat "$T/u.err") does not match /$_p/"
	elif ! grep -Eq "; see 'kiln help( [a-z-]+)?'$" "$T/u.err"; then fail "$_n" "no 'see kiln help': $(cat "$T/u.err")"
	else ok "$_n"; fi
}
usage "an unknown command suggests the closest" "^kiln: unknown command 'lsit' \(did you mean 'list'\?\); see 'kiln help'$" "$KILN" lsit
usage "an unknown command far from any names none" "^kiln: unknown command 'frobnicate'; see 'kiln help'$" "$KILN" frobnicate
usage "kiln help of an unknown command" "^kiln help: unknown command 'shwo' \(did you mean 'show'\?\)" "$KILN" help shwo
usage "an option before the command" "^kiln: unknown option '--json'" "$KILN" --json list
usage "an unknown option suggests the closest (list --jsn)" "^kiln list: unknown option '--jsn' \(did you mean '--json'\?\); see 'kiln help list'$" "$KILN" list --jsn
usage "an option of another command is unknown (list --all)" "^kiln list: unknown option '--all'" "$KILN" list --all
usage "graph --al suggests --all" "did you mean '--all'\?" "$KILN" graph --al
usage "gpt --szie suggests --size" "^kiln gpt: unknown option '--szie' \(did you mean '--size'\?\); see 'kiln help gpt'$" "$KILN" gpt create --szie 1M
usage "elf check --polcy=kernel suggests --policy" "^kiln elf check: unknown option '--polcy=kernel' \(did you mean '--policy'\?\); see 'kiln help elf'$" \
	"$KILN" elf check f --polcy=kernel
usage "an unknown subcommand suggests the closest (gpt creat)" "^kiln gpt: unknown gpt command 'creat' \(did you mean 'create'\?\); see 'kiln help gpt'$" "$KILN" gpt creat
usage "an unknown subcommand lists the known ones" "^kiln redoxfs: unknown redoxfs command 'zap' \(known: create, list, cat, check\)" "$KILN" redoxfs zap
usage "show without a NAME" "^kiln show: which component or image\? kiln show NAME; see 'kiln help show'$" "$KILN" show --system=demo
usage "why without a PATH" "^kiln why: which path\?" "$KILN" why --system=demo
usage "show takes one NAME" "^kiln show: one NAME at a time \('a' and 'b'\)" "$KILN" show a b --system=demo
usage "list takes no names" "^kiln list: unexpected argument 'x'" "$KILN" list x --system=demo
usage "version takes no arguments" "^kiln version: unexpected argument 'x'" "$KILN" version x
usage "report -o needs a file" "^kiln report: -o needs a file name" "$KILN" report -o
usage "cargo: an unknown option suggests the closest" "did you mean '--manifest-path'\?" "$KILN" cargo --manifest-pth=x
usage "passwd-hash: an unknown option suggests the closest" "did you mean '--salt'\?" "$KILN" passwd-hash --slat=x
# each tool without arguments: one line saying what is missing
for c in elf initfs redoxfs fat gpt ar stubobj cargo; do
	usage "kiln $c without arguments: one line" "^kiln $c: " "$KILN" "$c"
done
usage "a value-taking option at the end (initfs -o)" "^kiln initfs: -o needs a value" "$KILN" initfs create m -o
usage "elf strip without -o" "^kiln elf strip: missing -o OUT" "$KILN" elf strip in
bad=$(grep -rnE 'fputs\(usage|usage_to\(|fatal\("usage' "$SRCDIR/core" | head -3)
eq "no command prints its usage as an error (usage errors are one line)" "" "$bad"

# --- queries outside a build directory ----------------------------------------------------------
for c in list graph report "show hello" "why /bin/hello"; do
	usage "kiln $c outside a build directory is an error, not the demo" \
		"is not a build directory \(no kiln.conf\)" "$KILN" $c
done
"$KILN" list >/dev/null 2>"$T/u.err"
contains "kiln list outside a build directory names --arch=, --redox-src= and --system=" "$T/u.err" \
	"run kiln list where ./configure ran, or say which configuration with --arch=, --redox-src= or --system="
"$KILN" list --system=demo >"$T/demo.list" 2>&1
contains "kiln list --system=demo outside a build directory lists the demo" "$T/demo.list" "^hello +initfs-bin +examples/demo/programs.lua:[0-9]+$"
usage "kiln report takes no configuration" "^kiln report: kiln report draws what this build directory built" "$KILN" report --system=demo

# --- one prefix -------------------------------------------------------------------------------
expect_fail "an unknown name: exit 1, one prefix and a suggestion" 1 \
	"^kiln show: no component or image named 'helo' \(did you mean 'hello'\?\)$" "$KILN" show helo --system=demo
check "... never 'kiln show: kiln show:' or 'kiln show: kiln:'" sh -c "! grep -q 'kiln show: kiln' '$T/.err'"
expect_fail "why of a path no image has: exit 1, one prefix" 1 "^kiln why: no image contains /nope and no component produces it" \
	"$KILN" why /nope --system=demo
check "... never doubled" sh -c "! grep -q 'kiln why: kiln' '$T/.err'"

# --- JSON against the text, in a built demo --------------------------------------------------------
B=$T/b
mkdir -p "$B"
(cd "$B" && "$KILN" gen -q --system=demo && ninja image) >"$T/build.out" 2>&1 ||
	fail "the demo builds" "$(tail -5 "$T/build.out")"
cd "$B" || exit 1
"$KILN" list --json >"$T/list.json" 2>&1
"$KILN" list >"$T/list.txt" 2>&1
python3 "$SRCDIR/tests/json-check.py" list "list --json parses and its items are the text lines" "$T/list.json" "$T/list.txt"
for x in $(awk '{ print $1 }' "$T/list.txt"); do
	"$KILN" show "$x" --json >"$T/show.json" 2>&1
	"$KILN" show "$x" >"$T/show.txt" 2>&1
	python3 "$SRCDIR/tests/json-check.py" show "show $x --json parses and carries the text's facts" "$T/show.json" "$T/show.txt"
done
for p in /bin/hello /boot/initfs /etc/motd out/hello/stripped/hello; do
	"$KILN" why "$p" --json >"$T/why.json" 2>&1
	"$KILN" why "$p" >"$T/why.txt" 2>&1
	python3 "$SRCDIR/tests/json-check.py" why "why $p --json parses and carries the text's facts" "$T/why.json" "$T/why.txt"
done
"$KILN" show initfs --json >"$T/initfs.json"
eq "show --json: an image's built size is the file's" "$(wc -c <out/images/initfs.img | tr -d ' ')" \
	"$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["built_size"])' "$T/initfs.json")"
eq "show --json: the size of an entry is its file's" "$(wc -c <out/hello/stripped/hello | tr -d ' ')" \
	"$(python3 -c 'import json,sys; print([e["size"] for e in json.load(open(sys.argv[1]))["contents"] if e["path"] == "/bin/hello"][0])' "$T/initfs.json")"
"$KILN" show rootfs --json >"$T/rootfs.json"
eq "show --json: a partition landing names the partition, not a path" "harddrive REDOX" \
	"$(python3 -c 'import json,sys; l=json.load(open(sys.argv[1]))["lands_in"]; print(l[0]["image"], l[0]["partition"], "path" in l[0] or "")' "$T/rootfs.json" | sed 's/ $//')"

# --- the manual page -----------------------------------------------------------------------------
M=$SRCDIR/docs/kiln.1
groff -man -Tutf8 -ww "$M" >"$T/man.txt" 2>"$T/man.err"
rc=$?
if [ $rc -eq 0 ] && [ ! -s "$T/man.err" ]; then ok "the manual page renders without a warning (groff -man -ww)"
else fail "the manual page renders without a warning" "rc $rc: $(head -c 300 "$T/man.err")"; fi
for w in 60 100; do
	groff -man -Tutf8 -ww -rLL=${w}n "$M" >/dev/null 2>"$T/man.err"
	check "... nor at $w columns" test ! -s "$T/man.err"
done
# the rendered text without bold and underlining
groff -man -Tutf8 -P-cbu "$M" >"$T/man.plain" 2>&1
missing=
for c in $cmds; do grep -Eq "kiln $c([^a-z-]|$)" "$T/man.plain" || missing="$missing $c"; done
eq "the manual page describes every command" "" "$missing"
missing=
for c in $cmds; do
	for o in $("$KILN" help "$c" | grep -Eo -- '(^|[[ |(])--?[A-Za-z][A-Za-z0-9-]*' | sed 's/^[[ |(]//' | sort -u); do
		case $o in --NAME) continue ;; esac
		grep -Eq -- "$o([^A-Za-z0-9-]|$)" "$T/man.plain" || missing="$missing $c:$o"
	done
done
eq "the manual page names every option of every command's usage" "" "$missing"
contains "the manual page documents the JSON schemas" "$T/man.plain" "kiln-show-1"
contains "the manual page documents the exit statuses" "$T/man.plain" "^EXIT STATUS"

# --- make install ----------------------------------------------------------------------------------
I=$T/inst
if make -s -C "$BUILDDIR" install DESTDIR="$I" PREFIX=/opt/k >"$T/install.out" 2>&1; then
	ok "make install into a DESTDIR"
	same "make install: the manual page in share/man/man1" "$M" "$I/opt/k/share/man/man1/kiln.1"
	same "make install: the bash completion" "$SRCDIR/completions/kiln.bash" "$I/opt/k/share/bash-completion/completions/kiln"
	same "make install: the zsh completion" "$SRCDIR/completions/_kiln" "$I/opt/k/share/zsh/site-functions/_kiln"
else
	fail "make install into a DESTDIR" "$(tail -5 "$T/install.out")"
fi

# --- bash completion: sourced in bash, the completion function called as bash calls it ---------------
cat >"$T/comp.bash" <<EOF
PATH=$(dirname "$KILN"):\$PATH
. "$SRCDIR/completions/kiln.bash"
complete -p kiln >/dev/null || echo "not registered"
c() { COMP_WORDS=("\$@"); COMP_CWORD=\$((\${#COMP_WORDS[@]} - 1)); COMPREPLY=(); _kiln; echo "\${COMPREPLY[*]}"; }
c kiln ''
c kiln li
c kiln list --j
c kiln gpt ''
c kiln elf ''
c kiln elf check --pol
c kiln show in
c kiln why /bin/he
c kiln help gp
c kiln list --arch=
c kiln show --system=
EOF
(cd "$B" && bash "$T/comp.bash") >"$T/comp.out" 2>&1
# line L of the output
cl() { sed -n "$1p" "$T/comp.out"; }
eq "bash: complete -F _kiln kiln is registered, no error" "" "$(grep -v '^[a-z/-]' "$T/comp.out" | grep -v '^$' | head -3)"
eq "bash: the commands" "$(echo $cmds)" "$(cl 1)"
eq "bash: a command prefix" "list" "$(cl 2)"
eq "bash: an option from the command's usage" "--json" "$(cl 3)"
eq "bash: gpt's subcommands" "create list" "$(cl 4)"
eq "bash: elf's subcommands" "check strip info" "$(cl 5)"
eq "bash: options that take a value end in =" "--policies= --policy=" "$(cl 6)"
eq "bash: show completes the names of kiln list in a build directory" "init initfs initfs-config" "$(cl 7)"
eq "bash: why completes image paths from the manifests" "/bin/hello" "$(cl 8)"
eq "bash: help completes commands" "gpt" "$(cl 9)"
eq "bash: --arch= values" "aarch64 x86_64" "$(cl 10)"
eq "bash: --system= values" "redox demo none" "$(cl 11)"
(cd "$T/nowhere" && bash "$T/comp.bash") >"$T/comp2.out" 2>&1
eq "bash: outside a build directory show completes no names (and prints no error)" "" "$(sed -n 7p "$T/comp2.out")"

# --- zsh completion: the function run by zsh with its completion builtins recorded ------------------
check "zsh: completions/_kiln parses (zsh -n)" zsh -n "$SRCDIR/completions/_kiln"
cat >"$T/comp.zsh" <<EOF
path=($(dirname "$KILN") \$path)
compadd() {
	while [[ \$1 == -* && \$1 != -- ]]; do [[ \$1 == -[PSJVX] ]] && shift; shift; done
	[[ \$1 == -- ]] && shift
	print -r -- "\$*"
}
_describe() { print -r -- \${\${(P)\${@[-1]}}%%:*}; }
_files() { print -r -- "<files>"; }
compset() { :; }
_call_program() { shift; eval "\$@"; }
words=("\$@"); CURRENT=\$#
source "$SRCDIR/completions/_kiln"
EOF
z() { (cd "$B" && zsh -f "$T/comp.zsh" "$@" 2>&1 | tr '\n' ' ' | sed 's/ *$//'); }
eq "zsh: the commands" "$(echo $cmds)" "$(z kiln '')"
eq "zsh: gpt's subcommands" "create list" "$(z kiln gpt '')"
eq "zsh: list's options (value-taking ones first, with =)" "--arch= --plugin-dir= --redox-src= --system= --json --help" "$(z kiln list --j)"
eq "zsh: show completes the names of kiln list" "$(awk '{ print $1 }' "$T/list.txt" | tr '\n' ' ' | sed 's/ $//')" "$(z kiln show '')"
eq "zsh: initfs list completes files" "<files>" "$(z kiln initfs list '')"

# --- paths JSON and XML cannot carry as they are: bytes that are not UTF-8, control bytes ----------
mkdir -p "$T/odd"
printf '%s\n' '-- odd.lua: a file whose name is not UTF-8 and holds control bytes and markup' \
	'files { name = "odd", image = "initfs", ["/etc/caf\xe9 <&>\"\x01"] = { data = "odd\n" } }' >"$T/odd/odd.lua"
B2=$T/b2
mkdir -p "$B2"
(cd "$B2" && "$KILN" gen -q --system=demo --plugin-dir="$T/odd" && ninja image) >"$T/odd.out" 2>&1 ||
	fail "a build with an odd file name" "$(tail -5 "$T/odd.out")"
(cd "$B2" && "$KILN" show odd --json) >"$T/odd.json" 2>&1
check "show --json of a non-UTF-8 path parses with a strict JSON parser" \
	python3 -c 'import json,sys; d=json.loads(open(sys.argv[1],encoding="utf-8").read()); assert d["files"]["entries"][0]["path"] == "/etc/caf\\xE9 <&>\"\x01", d' "$T/odd.json"
(cd "$B2" && "$KILN" report -o "$T/odd.svg") >"$T/odd-report.out" 2>&1
check "kiln report with such a path is well-formed XML and names it" \
	python3 -c 'import sys, xml.etree.ElementTree as E; t=open(sys.argv[1],encoding="utf-8").read(); E.fromstring(t.encode()); assert "/etc/caf\\xE9 &lt;&amp;&gt;&quot;\\x01" in t' "$T/odd.svg"
