#!/bin/sh
# rules/boot-test.sh: run QEMU headless and watch its serial log: the expected lines must appear
# in the order given; a failure line, a timeout, or QEMU exiting before every expected line
# appeared fails the test. With --poweroff the system must also power itself off (QEMU exits
# with status 0) before the timeout. What is checked and shown is the log with ANSI escapes
# and carriage returns removed (firmware consoles draw with them): LOG.txt beside LOG.
# The timeout is QEMU's work, not the clock's: past --timeout seconds it fails once QEMU has
# used that much CPU time too, and at three times --timeout whatever it used. A guest that
# spins fails as soon as before; a boot on a loaded machine, where QEMU waits for a CPU, gets
# up to three times as long.
# usage: boot-test.sh --log FILE --timeout SECONDS [--expect TEXT]... [--fail TEXT]... [--poweroff]
#                     [--progress SECONDS] -- QEMU...
set -u
log= timeout=60 expects= fails= poweroff= every=10
nl='
'
while [ $# -gt 0 ]; do
	case $1 in
	--log) log=$2; shift 2 ;;
	--timeout) timeout=$2; shift 2 ;;
	--expect) expects="$expects$2$nl"; shift 2 ;;
	--fail) fails="$fails$2$nl"; shift 2 ;;
	--poweroff) poweroff=1; shift ;;
	--progress) every=$2; shift 2 ;;
	--) shift; break ;;
	*) echo "boot-test: unknown argument $1" >&2; exit 2 ;;
	esac
done
[ -n "$log" ] && [ $# -gt 0 ] || { echo "boot-test: usage: --log FILE [--timeout S] [--expect TEXT]... [--poweroff] -- QEMU..." >&2; exit 2; }
mkdir -p "$(dirname "$log")"
text=$log.txt
: >"$log"
: >"$text"
"$@" </dev/null >"$log.qemu" 2>&1 &
pid=$!
esc=$(printf '\033')
bel=$(printf '\007')

# progress while it waits: on a terminal one status line redrawn each second (elapsed time, the
# expected lines seen so far, the last serial line, cut to the terminal's width), elsewhere a
# plain line every 10 s (--progress SECONDS)
tty=
if [ -t 1 ]; then
	tty=1
	# the width: tput asks the terminal (given as its input: tput on a pipe answers the
	# terminfo default), else $COLUMNS, else 80 columns
	cols=$(tput cols 2>/dev/null </dev/tty)
	case $cols in ''|*[!0-9]*) cols=${COLUMNS:-} ;; esac
fi
case ${cols:-} in ''|*[!0-9]*) cols=80 ;; esac
[ "$cols" -ge 20 ] || cols=80   # a terminal that reports no size
start=$(date +%s) shown=0
progress() { # SEEN
	_el=$(( $(date +%s) - start ))
	if [ -n "$tty" ]; then [ "$_el" -gt "$shown" ] || return 0
	else [ "$_el" -ge $((shown + every)) ] || return 0; fi
	shown=$_el
	_last=$(grep -v '^[[:space:]]*$' "$text" | tail -n 1 | tr -d '\000-\037\177')
	_msg="boot-test: ${_el}s, $1/$nexpect expected lines${_last:+; last: $_last}"
	if [ -n "$tty" ]; then printf '\r\033[K%s' "$(printf '%s' "$_msg" | cut -c1-$((cols - 1)))"
	else printf '%s\n' "$_msg"; fi
}

# FILE without terminal escape sequences and control characters, on stdout: OSC (ESC ] ...
# BEL or ESC \), CSI (ESC [, parameter bytes 0-?, intermediate bytes space-/, a final byte
# @-~), the other escapes (ESC, intermediates, a final byte), then every control character but
# tab and newline (CR, BEL, NUL: grep would take a log with NULs for a binary file). In the C
# locale, where the ranges are bytes.
unescape() {
	LC_ALL=C sed -e "s,${esc}][^${bel}${esc}]*${bel},,g" -e "s,${esc}][^${bel}${esc}]*${esc}\\\\,,g" \
		-e "s,${esc}\[[0-?]*[ -/]*[@-~],,g" -e "s,${esc}[ -/]*[0-~],,g" "$1" | LC_ALL=C tr -d '\000-\010\013-\037\177'
}
# the log as checked and shown: LOG.txt
clean() {
	unescape "$log" >"$text.new" && mv "$text.new" "$text"
}

# the number of leading expected lines found in order (each after the line of the previous)
seen_in_order() {
	printf '%s' "$expects" | awk -v logf="$text" '
		BEGIN { n = 0; while ((getline l < logf) > 0) lines[++n] = l }
		{ want[++k] = $0 }
		END {
			at = 0; found = 0
			for (i = 1; i <= k; i++) {
				if (want[i] == "") { found++; continue }
				for (j = at + 1; j <= n; j++) if (index(lines[j], want[i])) break
				if (j > n) break
				at = j; found++
			}
			print found
		}'
}
nexpect=$(printf '%s' "$expects" | awk 'END { print NR }')
# the first line of the log that holds a failure text; status 1 if none does (the loop is
# the pipeline's last command, so its exit is the function's status)
failed() {
	printf '%s' "$fails" | {
		while IFS= read -r e; do
			[ -n "$e" ] || continue
			if l=$(grep -F -m1 -- "$e" "$text"); then printf '%s\n' "$l"; exit 0; fi
		done
		exit 1
	}
}

# cpu_time PID: the seconds of CPU time the process has used (ps -o time: [DD-]HH:MM:SS, or
# MM:SS.hh on macOS), or nothing when ps cannot tell
cpu_time() {
	ps -o time= -p "$1" 2>/dev/null | awk 'NR == 1 && $1 ~ /^[0-9]/ { t = $1; d = 0; sub(/\..*/, "", t)
		if (i = index(t, "-")) { d = substr(t, 1, i - 1); t = substr(t, i + 1) }
		n = split(t, f, ":"); s = 0
		for (i = 1; i <= n; i++) s = s * 60 + f[i]
		print d * 86400 + s }'
}

status=
end=$(( start + timeout )) last=$(( start + 3 * timeout ))
while :; do
	# whether QEMU still runs, taken before the log is read: once it has exited, the log read
	# next is complete
	alive=1
	kill -0 "$pid" 2>/dev/null || alive=
	clean
	if f=$(failed); then status="failure line in the serial log: $f"; break; fi
	seen=$(seen_in_order)
	progress "$seen"
	if [ "$seen" -eq "$nexpect" ]; then
		if [ -z "$poweroff" ]; then status=ok; break; fi
		if [ -z "$alive" ]; then
			wait "$pid"
			rc=$?
			pid=
			if [ "$rc" -eq 0 ]; then status=ok; else status="QEMU exited with status $rc instead of a clean power-off"; fi
			break
		fi
	elif [ -z "$alive" ]; then
		status="QEMU exited before every expected line appeared"
		break
	fi
	now=$(date +%s)
	if [ "$now" -ge "$end" ]; then
		# without ps, the clock alone, as the limit was
		cpu=$(cpu_time "$pid")
		if [ -z "$cpu" ] || [ "$cpu" -ge "$timeout" ] || [ "$now" -ge "$last" ]; then
			if [ -z "$cpu" ]; then why=
			elif [ "$cpu" -ge "$timeout" ]; then why=": QEMU used ${cpu}s of CPU time (--timeout $timeout)"
			else why=": QEMU used only ${cpu}s of CPU time, and the clock allows three times --timeout $timeout (a guest waiting for something, or a machine too busy to run it)"; fi
			status="timeout after $((now - start))s$why"
			[ -n "$poweroff" ] && [ "$(seen_in_order)" -eq "$nexpect" ] &&
				status="every line appeared but the system did not power off within $((now - start))s$why"
			break
		fi
	fi
	# whole seconds: a fractional sleep is not POSIX
	sleep 1
done
if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
	# give a system that powers itself off a moment, then stop QEMU
	sleep 1
	kill "$pid" 2>/dev/null
fi
[ -n "$pid" ] && wait "$pid" 2>/dev/null
[ -n "$tty" ] && [ "$shown" -gt 0 ] && printf '\r\033[K'
clean
if [ "$status" = ok ]; then
	echo "boot-test: ok: every expected line appeared in order in $text${poweroff:+, then a clean power-off}"
	exit 0
fi
echo "boot-test: FAILED: $status" >&2
n=$(seen_in_order)
printf '%s' "$expects" | awk -v n="$n" 'NR > n && $0 != "" { print "boot-test:   missing" (NR == n + 1 ? "" : " (after that)") ": " $0 }' >&2
echo "boot-test: last lines of $text:" >&2
tail -n 15 "$text" | sed 's/^/    /' >&2
[ -s "$log.qemu" ] && { echo "boot-test: QEMU said:" >&2; unescape "$log.qemu" | tail -n 5 | sed 's/^/    /' >&2; }
exit 1
