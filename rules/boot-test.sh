#!/bin/sh
# rules/boot-test.sh: run QEMU headless, wait for the expected lines in the serial log, fail on
# a failure line, a timeout, or QEMU exiting before every expected line appeared.
# usage: boot-test.sh --log FILE --timeout SECONDS [--expect TEXT]... [--fail TEXT]... -- QEMU...
set -u
log= timeout=60 expects= fails=
nl='
'
while [ $# -gt 0 ]; do
	case $1 in
	--log) log=$2; shift 2 ;;
	--timeout) timeout=$2; shift 2 ;;
	--expect) expects="$expects$2$nl"; shift 2 ;;
	--fail) fails="$fails$2$nl"; shift 2 ;;
	--) shift; break ;;
	*) echo "boot-test: unknown argument $1" >&2; exit 2 ;;
	esac
done
[ -n "$log" ] && [ $# -gt 0 ] || { echo "boot-test: usage: --log FILE [--timeout S] [--expect TEXT]... -- QEMU..." >&2; exit 2; }
mkdir -p "$(dirname "$log")"
: >"$log"
"$@" </dev/null >"$log.qemu" 2>&1 &
pid=$!

all_seen() {
	printf '%s' "$expects" | while IFS= read -r e; do
		[ -n "$e" ] || continue
		grep -qF -- "$e" "$log" || exit 1
	done
}
failed() {
	printf '%s' "$fails" | while IFS= read -r e; do
		[ -n "$e" ] || continue
		if grep -qF -- "$e" "$log"; then echo "$e"; exit 0; fi
	done
	exit 1
}

status=
end=$(( $(date +%s) + timeout ))
while :; do
	if f=$(failed); then status="failure line in the serial log: $f"; break; fi
	if all_seen; then status=ok; break; fi
	if ! kill -0 "$pid" 2>/dev/null; then status="QEMU exited before every expected line appeared"; break; fi
	if [ "$(date +%s)" -ge "$end" ]; then status="timeout after ${timeout}s"; break; fi
	sleep 0.2
done
if kill -0 "$pid" 2>/dev/null; then
	# give a system that powers itself off a moment, then stop QEMU
	sleep 1
	kill "$pid" 2>/dev/null
fi
wait "$pid" 2>/dev/null
if [ "$status" = ok ]; then
	echo "boot-test: ok: every expected line appeared in $log"
	exit 0
fi
echo "boot-test: FAILED: $status" >&2
printf '%s' "$expects" | while IFS= read -r e; do
	[ -n "$e" ] || continue
	grep -qF -- "$e" "$log" || echo "boot-test:   missing: $e" >&2
done
echo "boot-test: last lines of $log:" >&2
tail -n 15 "$log" | sed 's/^/    /' >&2
[ -s "$log.qemu" ] && { echo "boot-test: QEMU said:" >&2; tail -n 5 "$log.qemu" | sed 's/^/    /' >&2; }
exit 1
