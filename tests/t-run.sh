#!/bin/sh
# t-run.sh: tests/run itself, on a tree of three small tests: the totals, and Ctrl-C (SIGINT
# to the process group, as a terminal sends it) or SIGTERM in the middle of the second test
# stops the run with that status, says so, runs nothing more, prints no total and removes
# its scratch directory.
. "$SRCDIR/tests/lib.sh"
T=$TMPDIR_T
cd "$T" || exit 2
mkdir -p src/tests b tmp
cp "$SRCDIR/tests/run" src/tests/run
printf '#!/bin/sh\nexit 0\n' >b/kiln && chmod +x b/kiln
printf 'echo "ok a"\n' >src/tests/t-a.sh
printf 'echo "ok b started"\n: >"%s/b.started"\nsleep 30\necho "ok b"\n' "$T" >src/tests/t-b.sh
printf ': >"%s/c.ran"\necho "ok c"\n' "$T" >src/tests/t-c.sh
# interrupt SIGNAL: start tests/run in a session of its own, signal its process group once
# the second test runs; prints the exit status (or "hung")
cat >interrupt.py <<'EOP'
import os, signal, subprocess, sys, time
sig = getattr(signal, "SIG" + sys.argv[1])
def child():
    signal.signal(signal.SIGINT, signal.SIG_DFL)
with open(sys.argv[2], "w") as out:
    p = subprocess.Popen(sys.argv[3:], stdout=out, stderr=subprocess.STDOUT,
                         start_new_session=True, preexec_fn=child)
    for _ in range(300):
        if os.path.exists(os.environ["STARTED"]):
            break
        time.sleep(0.1)
    os.killpg(p.pid, sig)
    try:
        print(p.wait(timeout=20))
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        print("hung")
EOP
export STARTED="$T/b.started"

sed -i.bak 's/^sleep 30$//' src/tests/t-b.sh
TMPDIR=$T/tmp src/tests/run b >all.out 2>&1
eq "a whole run: exit 0" 0 $?
contains "a whole run: the total" all.out '^4 passed, 0 failed$'
printf 'echo "ok b started"\n: >"%s/b.started"\nsleep 30\necho "ok b"\n' "$T" >src/tests/t-b.sh

for sig in INT TERM; do
	rm -f b.started c.ran
	case $sig in INT) want=130 ;; TERM) want=143 ;; esac
	rc=$(TMPDIR=$T/tmp python3 interrupt.py $sig $sig.out src/tests/run b)
	eq "SIG$sig: the run stops with status $want" $want "$rc"
	contains "SIG$sig: it says so, naming the test" $sig.out "^tests/run: interrupted by SIG$sig in t-b; the run is incomplete"
	check "SIG$sig: no total line" sh -c "! grep -Eq '^[0-9]+ passed, [0-9]+ failed$' $sig.out"
	check "SIG$sig: the next test did not run" test ! -e c.ran
	eq "SIG$sig: the scratch directory is removed" "" "$(ls tmp)"
done
