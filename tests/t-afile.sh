#!/bin/sh
# t-afile.sh: the atomic outputs of every kiln command (afile in core/util.c): a writer killed
# with SIGKILL leaves no temporary file where the system has unnamed files (Linux O_TMPFILE),
# and elsewhere (the portable path, built here with -DKILN_NO_O_TMPFILE) at most OUT.tmp,
# which the next writer of OUT takes over; a second writer at the same time, a symlink
# planted at OUT.tmp, leftovers of older kilns and of killed second writers (removed by the
# next writer of that output, and only those), and a real image writer killed mid-write.
. "$SRCDIR/tests/lib.sh"
T=$TMPDIR_T
cd "$T" || exit 2
mk() { sed -n "s/^$1 = //p" "$BUILDDIR/Makefile"; }
cc=$(mk CC) cflags=$(mk CFLAGS)
cat >drv.c <<'EOC'
#define _POSIX_C_SOURCE 200809L
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "util.h"
/* drv write|kill|hold OUT TEXT: commit TEXT, or write 1 MiB and die of SIGKILL, or commit
 * TEXT after 4 seconds */
int
main(int argc, char *argv[])
{
	struct afile *a;
	static char mb[1 << 20];

	if (argc != 4)
		return 2;
	a = afile_open(argv[2]);
	if (!strcmp(argv[1], "kill")) {
		fwrite(mb, 1, sizeof mb, a->f);
		fflush(a->f);
		kill(getpid(), SIGKILL);
	}
	fputs(argv[3], a->f);
	if (!strcmp(argv[1], "hold"))
		sleep(4);
	afile_commit(a);
	return 0;
}
EOC
build() { ${cc:-cc} -std=c11 $cflags -I"$SRCDIR/core" $1 -o $2 drv.c "$SRCDIR/core/util.c" >cc.log 2>&1 ||
	fail "build $2" "$(head -c 300 cc.log)"; }
build "" drv
build -DKILN_NO_O_TMPFILE drv-portable
left() { ls -a "$1" | grep '\.tmp' | tr '\n' ' ' | sed 's/ $//'; }

# --- the default: unnamed temporary files where the system has them --------------------------
mkdir d1
./drv kill d1/out x
if [ "$(uname -s)" = Linux ] && ! forced_off O_TMPFILE; then
	eq "a killed writer leaves no temporary file (Linux: unnamed until committed)" "" "$(left d1)"
else
	case $(left d1) in ""|out.tmp) ok "a killed writer leaves at most out.tmp" ;;
	*) fail "a killed writer leaves at most out.tmp" "$(left d1)" ;; esac
fi
check "the next writer commits" ./drv write d1/out hello
eq "its content" hello "$(cat d1/out)"
eq "and nothing is left" "" "$(left d1)"

# --- the portable path: OUT.tmp, locked while written, taken over by the next writer ---------
mkdir d2
./drv-portable kill d2/out x
eq "portable: a killed writer leaves out.tmp" out.tmp "$(left d2)"
./drv-portable kill d2/out x
eq "portable: a second killed writer reuses it (never more than one leftover)" out.tmp "$(left d2)"
check "portable: the next writer commits" ./drv-portable write d2/out hello
eq "portable: its content" hello "$(cat d2/out)"
eq "portable: the leftover is gone" "" "$(left d2)"
./drv-portable hold d2/out first &
sleep 1
check "portable: a second writer while the first holds out.tmp" ./drv-portable write d2/out second
wait
eq "portable: both committed, nothing left" "" "$(left d2)"
eq "portable: the last commit wins" first "$(cat d2/out)"
echo victim >victim
ln -s "$T/victim" d2/out.tmp
check "portable: a symlink planted at out.tmp is not followed" ./drv-portable write d2/out third
eq "portable: the symlink's target is untouched" victim "$(cat victim)"
eq "portable: the output is right" third "$(cat d2/out)"
rm -f d2/out.tmp

# --- leftovers under other names: an older kiln's OUT.tmp.XXXXXX, a killed second writer ----
mkdir d4
head -c 100000 /dev/zero >d4/out.tmp.AbC123
: >d4/out.tmp.4242.0
echo mine >d4/other.tmp.XyZ789
check "the next writer of out commits" ./drv write d4/out fresh
eq "it removed out's leftovers, and only out's" "other.tmp.XyZ789" "$(left d4)"
mkdir d5
./drv-portable hold d5/out first &
sleep 1
./drv-portable hold d5/out second &
sleep 1
eq "portable: two live writers hold out.tmp and out.tmp.XXXXXX" 2 "$(ls d5 | grep -c '^out\.tmp')"
check "portable: a third writer meanwhile leaves the live ones alone" ./drv-portable write d5/out third
wait
eq "portable: all three committed, nothing left" "" "$(left d5)"

# --- a real image writer killed mid-write ------------------------------------------------------
head -c 50000000 /dev/urandom >big.bin
printf 'kiln-manifest 1\nfile /big 0644 0 0 src:%s/big.bin\n' "$T" >big.m
mkdir d3
"$KILN" redoxfs create big.m -o d3/root.img --size 1G >/dev/null 2>&1 &
pid=$!
sleep 1
kill -9 $pid 2>/dev/null
wait $pid 2>/dev/null
if [ "$(uname -s)" = Linux ] && ! forced_off O_TMPFILE; then
	eq "a killed RedoxFS writer leaves no temporary file" "" "$(left d3)"
fi
check "the next build of the image succeeds" "$KILN" redoxfs create big.m -o d3/root.img --size 1G
eq "and leaves no temporary file" "" "$(left d3)"
