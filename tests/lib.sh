# tests/lib.sh: helpers for the shell tests. Source it from a test script.
#
# Protocol (read by tests/run): each test prints exactly one line per assertion,
#   "ok NAME" or "FAIL NAME: reason".
# Environment set by tests/run: KILN (the kiln binary, absolute), SRCDIR (the source tree,
# absolute), TMPDIR_T (a fresh scratch directory for this test file).

: "${KILN:?KILN is not set; run the tests through tests/run}"
: "${SRCDIR:?SRCDIR is not set}"
: "${TMPDIR_T:=$(mktemp -d "${TMPDIR:-/tmp}/kiln-test.XXXXXX")}"

ok() { printf 'ok %s\n' "$1"; }

# forced_off NAME: the build was configured with CFLAGS=-DKILN_NO_NAME, which makes kiln take
# the POSIX path instead of a system's fast one (configure's probes, core/image/fcopy.c)
forced_off() {
	sed -n 's/^CFLAGS = //p' "${BUILDDIR:-.}/Makefile" 2>/dev/null | grep -q -- "-DKILN_NO_$1"
}

# with_timeout SECONDS CMD...: run CMD, killed after SECONDS (status 137 then); timeout(1) is
# not POSIX and macOS has none
with_timeout() {
	_t=$1; shift
	"$@" &
	_p=$!
	( sleep "$_t" & _s=$!; trap 'kill $_s 2>/dev/null; exit 0' TERM; wait $_s
	  kill -9 $_p 2>/dev/null ) &
	_w=$!
	wait $_p
	_rc=$?
	kill $_w 2>/dev/null
	wait $_w 2>/dev/null
	return $_rc
}
fail() { printf 'FAIL %s: %s\n' "$1" "$2"; }

# check NAME CMD...: passes when CMD exits 0
check() {
	_n=$1; shift
	if "$@" >"$TMPDIR_T/.out" 2>&1; then ok "$_n"; else
		fail "$_n" "command failed ($?): $* :: $(head -c 400 "$TMPDIR_T/.out" | tr '\n' ' ')"; fi
}

# expect_fail NAME STATUS PATTERN CMD...: passes when CMD exits with STATUS (or any non-zero
# status when STATUS is '*') and its stderr matches the extended regex PATTERN on one line
expect_fail() {
	_n=$1 _st=$2 _pat=$3; shift 3
	"$@" >"$TMPDIR_T/.out" 2>"$TMPDIR_T/.err"
	_rc=$?
	if [ "$_rc" -eq 0 ]; then fail "$_n" "expected failure, got exit 0"; return; fi
	if [ "$_st" != '*' ] && [ "$_rc" -ne "$_st" ]; then
		fail "$_n" "expected exit $_st, got $_rc: $(head -c 300 "$TMPDIR_T/.err")"; return; fi
	if [ "$_rc" -gt 128 ]; then fail "$_n" "killed by signal $((_rc - 128))"; return; fi
	if grep -Eq -- "$_pat" "$TMPDIR_T/.err"; then ok "$_n"; else
		fail "$_n" "stderr does not match /$_pat/: $(head -c 400 "$TMPDIR_T/.err" | tr '\n' ' ')"; fi
}

# same NAME FILE1 FILE2: passes when the files are byte-identical
same() {
	if cmp -s "$2" "$3"; then ok "$1"; else fail "$1" "$2 and $3 differ"; fi
}

# eq NAME EXPECTED ACTUAL
eq() {
	if [ "$2" = "$3" ]; then ok "$1"; else fail "$1" "expected '$2', got '$3'"; fi
}

# contains NAME FILE PATTERN (extended regex)
contains() {
	if grep -Eq -- "$3" "$2"; then ok "$1"; else fail "$1" "$2 does not match /$3/"; fi
}

# refuses_nonregular NAME CMD...: CMD with the argument @ (or the @ of KEY=@) replaced by a character device
# (/dev/zero), then by a FIFO, exits 2 within 10 seconds with one line saying what the file
# is, instead of reading until memory runs out or blocking
refuses_nonregular() {
	_n=$1; shift
	[ -p "$TMPDIR_T/.fifo" ] || mkfifo "$TMPDIR_T/.fifo"
	for _kind in "character device" FIFO; do
		case $_kind in FIFO) _p=$TMPDIR_T/.fifo ;; *) _p=/dev/zero ;; esac
		_i=0
		for _a do
			[ "$_i" -eq 0 ] && set --
			_i=$((_i + 1))
			case $_a in @|*=@) _a=${_a%@}$_p ;; esac
			set -- "$@" "$_a"
		done
		"$@" >"$TMPDIR_T/.out" 2>"$TMPDIR_T/.err" &
		_pid=$!
		( sleep 10; kill -9 $_pid 2>/dev/null ) &
		_w=$!
		wait $_pid
		_rc=$?
		kill $_w 2>/dev/null
		if [ "$_rc" -eq 2 ] && [ "$(wc -l <"$TMPDIR_T/.err" | tr -d ' ')" -eq 1 ] &&
			grep -q "$_p: .*is a $_kind, not a regular file" "$TMPDIR_T/.err"; then
			ok "$_n refuses a $_kind"
		else
			fail "$_n refuses a $_kind" "exit $_rc: $(head -c 300 "$TMPDIR_T/.err" | tr '\n' ' ')"
		fi
		# the FIFO round gets the arguments with the device path back in place of @
		_i=0
		for _a do
			[ "$_i" -eq 0 ] && set --
			_i=$((_i + 1))
			case $_a in "$_p"|*="$_p") _a=${_a%"$_p"}@ ;; esac
			set -- "$@" "$_a"
		done
	done
}

# toolchain HOME NAME: a rustup home whose toolchain NAME is the installed one, as a directory
# of links to it (for rust-lld and lib/), plus a rust-src whose library/ -Zbuild-std would
# compile, and a rust-lld where the toolchain has none (Debian's rustc package): the system's
# lld, 16 or newer, which links an archive without an object file as rust-lld does
toolchain() {
	host=${host:-$(rustc -vV | sed -n 's/^host: //p')}
	_tc=$1/toolchains/$2-$host
	_sys=$(rustc --print sysroot)
	mkdir -p "$_tc/lib/rustlib/src/rust/library"
	for _e in "$_sys"/*; do [ "$(basename "$_e")" = lib ] || ln -s "$_e" "$_tc/"; done
	for _e in "$_sys"/lib/*; do [ "$(basename "$_e")" = rustlib ] || ln -s "$_e" "$_tc/lib/"; done
	for _e in "$_sys"/lib/rustlib/*; do
		case $(basename "$_e") in src|"$host") ;; *) ln -s "$_e" "$_tc/lib/rustlib/" ;; esac
	done
	mkdir -p "$_tc/lib/rustlib/$host/bin"
	for _e in "$_sys/lib/rustlib/$host"/*; do [ "$(basename "$_e")" = bin ] || ln -s "$_e" "$_tc/lib/rustlib/$host/"; done
	for _e in "$_sys/lib/rustlib/$host/bin"/*; do [ -e "$_e" ] && ln -s "$_e" "$_tc/lib/rustlib/$host/bin/"; done
	if [ ! -e "$_tc/lib/rustlib/$host/bin/rust-lld" ]; then
		for _l in ld.lld-20 ld.lld-19 ld.lld-18 ld.lld-17 ld.lld-16 ld.lld; do
			command -v $_l >/dev/null 2>&1 && { ln -s "$(command -v $_l)" "$_tc/lib/rustlib/$host/bin/rust-lld"; break; }
		done
	fi
	printf 'version = 3\n' >"$_tc/lib/rustlib/src/rust/library/Cargo.lock"
	printf '[workspace]\nmembers = []\n' >"$_tc/lib/rustlib/src/rust/library/Cargo.toml"
}

# edges_missing_kiln DIR KILN: the outputs (with their rule) of the edges of DIR's build.ninja
# whose command runs KILN but which do not list it as an input (by its path, or as "kiln":
# a path inside the build directory is written relative). Actions that always run (phony,
# reconfigure, check, boot-test, run) and ninja fetch's edges (they must not go online again
# after kiln is rebuilt) are left out.
edges_missing_kiln() {
	(cd "$1" && ninja -t targets all | while IFS= read -r _l; do
		_o=${_l%: *} _r=${_l##*: }
		case $_r in phony|reconfigure|check|qemu_boot_test|qemu_run|cargo_fetch) continue ;; esac
		case $(ninja -t commands "$_o" | tail -1) in *"$2 "*|*"'$2' "*) ;; *) continue ;; esac
		ninja -t query "$_o" | sed -n '/^  input:/,/^  outputs:/p' |
			grep -q -e "^    .*$2\$" -e "^    \(| \)\{0,1\}kiln\$" || echo "$_o ($_r)"
	done | sort -u | tr '\n' ' ')
}
