# tests/t-qemu.sh: `ninja run` and `ninja boot-test` as configured: kiln's run options
# (--qemu-accel, -smp, -memory, -net, -display, -gdb, -persistent-disk) in the generated QEMU
# commands, the accelerator's choice and its errors, and boot-test's progress and summary
# against a fake QEMU that prints slowly and with ANSI escapes.
. "$SRCDIR/tests/lib.sh"
T=$TMPDIR_T
gen() { # DIR ARGS...: the demo's graph
	_d=$1; shift
	rm -rf "$_d"; mkdir -p "$_d" && (cd "$_d" && "$KILN" gen -q "$@")
}
cmd() { (cd "$1" && ninja -t commands "$2" | tail -n 1); }
has() { # NAME TEXT PATTERN: TEXT contains PATTERN (fixed string)
	case $2 in *"$3"*) ok "$1" ;; *) fail "$1" "no '$3' in: $(printf '%s' "$2" | cut -c1-400)" ;; esac
}
hasnt() {
	case $2 in *"$3"*) fail "$1" "'$3' in: $(printf '%s' "$2" | cut -c1-400)" ;; *) ok "$1" ;; esac
}
bt() { cmd "$1" boot-test | sed 's/.* -- //'; }

# --- defaults ----------------------------------------------------------------------------------
gen "$T/d" --arch=aarch64 >"$T/d.out" 2>&1
r=$(cmd "$T/d" run) b=$(bt "$T/d")
has "run: the serial console on the terminal" "$r" " -nographic"
has "run: the demo has no network" "$r" " -nic none"
has "run: the guest writes an overlay, never the image" "$r" "file=out/images/harddrive.img,format=raw,if=none,id=disk,snapshot=on"
hasnt "run: no gdb server unless asked" "$r" " -s -S"
hasnt "boot-test: TCG unless --qemu-accel is given" "$b" "-accel"
has "boot-test: headless" "$b" "-nodefaults -display none -monitor none -serial file:out/boot-test/serial.log"

# --- the options ---------------------------------------------------------------------------------
gen "$T/o" --arch=aarch64 --opt=qemu-smp=3 --opt=qemu-memory=1G --opt=qemu-net=user --opt=qemu-gdb=yes \
	--opt=qemu-display=ramfb >"$T/o.out" 2>&1
r=$(cmd "$T/o" run) b=$(bt "$T/o")
has "--qemu-smp reaches run" "$r" " -smp 3 "
has "--qemu-smp reaches boot-test" "$b" " -smp 3 "
has "--qemu-memory reaches run" "$r" " -m 1G "
has "--qemu-memory reaches boot-test" "$b" " -m 1G "
has "--qemu-net=user: user-mode networking on virtio-net" "$r" "-netdev user,id=net0 -device virtio-net-pci,netdev=net0"
hasnt "--qemu-net: boot-test stays without a network" "$b" "-netdev"
has "--qemu-gdb: halted, gdb server on :1234" "$r" " -s -S"
hasnt "--qemu-gdb: not in boot-test" "$b" " -s -S"
has "--qemu-display=ramfb: a ramfb window, the serial console on the terminal" "$r" "-device ramfb -serial mon:stdio"
hasnt "--qemu-display: no -nographic with a window" "$r" "-nographic"
d=$(cd "$T/o" && ninja -t rules >/dev/null; grep -A3 '^rule qemu_run' build.ninja | sed -n 's/^ *description = //p')
has "--qemu-gdb: ninja run says how to attach" "$d" "gdb -ex 'target remote :1234'"
has "--qemu-gdb: ... and says it before QEMU starts, with the kernel's symbols" "$r" \
	"echo 'kiln: QEMU is halted before the first instruction, with a gdb server on port 1234; attach with: gdb -ex '\\''target remote :1234'\\'' out/kernel/kernel (then: continue)' && "
has "--qemu-display: the window's device alone (no standard VGA beside it)" "$r" "-vga none -device ramfb"
hasnt "--qemu-display: boot-test stays headless" "$b" "ramfb"
gen "$T/v" --arch=aarch64 --opt=qemu-display=virtio-gpu >/dev/null 2>&1
has "--qemu-display=virtio-gpu" "$(cmd "$T/v" run)" "-device virtio-gpu-pci -serial mon:stdio"
expect_fail "--qemu-display: a wrong value names the choices" '*' "expected one of none, ramfb, virtio-gpu" \
	gen "$T/e" --arch=aarch64 --opt=qemu-display=sdl
expect_fail "--qemu-net: a wrong value names the choices" '*' "kiln.conf: option --qemu-net=tap: expected one of user, none" \
	gen "$T/e" --arch=aarch64 --opt=qemu-net=tap

# memory in whole MiB, CPUs from 1; a bad value is one line naming kiln.conf and what is expected
gen "$T/m" --arch=aarch64 --opt=qemu-memory=1536M >/dev/null 2>&1
has "--qemu-memory=1536M reaches QEMU as 1536M" "$(cmd "$T/m" run)" " -m 1536M "
hasnt "the demo's own qemu{}: one CPU, no -smp" "$(cmd "$T/m" run)" "-smp"
expect_fail "--qemu-memory: not whole MiB" '*' "^kiln gen: kiln.conf: --qemu-memory: 1000000 bytes; QEMU takes guest memory in whole MiB, at least 1M" \
	gen "$T/e" --arch=aarch64 --opt=qemu-memory=1000000
expect_fail "--qemu-memory: not a size" '*' "qemu-memory" gen "$T/e" --arch=aarch64 --opt=qemu-memory=lots
expect_fail "--qemu-smp=0: one line with the range" '*' "^kiln gen: kiln.conf: --qemu-smp: 0 CPUs; expected a whole number from 1 to 1024" \
	gen "$T/e" --arch=aarch64 --opt=qemu-smp=0
check "configure --help lists kiln's run options for every plugin set" sh -c \
	"cd '$T/d' && '$KILN' gen --srcdir='$SRCDIR' --list-options --system=none | grep -q '^  --qemu-accel=CHOICE .*(auto|tcg|kvm|hvf, default auto)'"

# --- the persistent disk -------------------------------------------------------------------------
gen "$T/p" --arch=aarch64 --opt=qemu-persistent-disk=yes >/dev/null 2>&1
r=$(cmd "$T/p" run)
has "--qemu-persistent-disk: run boots a writable copy in out/run/" "$r" "file=out/run/harddrive.img,format=raw,if=none,id=disk -device"
has "--qemu-persistent-disk: boot-test still boots the image, read-only" "$(bt "$T/p")" "file=out/images/harddrive.img,format=raw,if=none,id=disk,snapshot=on"
if (cd "$T/p" && ninja out/run/harddrive.img) >"$T/p.log" 2>&1; then
	same "the copy starts as the image" "$T/p/out/images/harddrive.img" "$T/p/out/run/harddrive.img"
	sleep 1; printf 'guest wrote this' | dd of="$T/p/out/run/harddrive.img" bs=1 seek=4096 conv=notrunc 2>/dev/null
	out=$(cd "$T/p" && ninja -n out/run/harddrive.img)
	case $out in *"no work to do"*) ok "the guest's writes survive the next run" ;; *) fail "the guest's writes survive the next run" "$out" ;; esac
	sleep 1; touch "$T/p/out/images/harddrive.img"
	out=$(cd "$T/p" && ninja -n out/run/harddrive.img)
	case $out in *COPY*) ok "a rebuilt image replaces the copy" ;; *) fail "a rebuilt image replaces the copy" "$out" ;; esac
else fail "--qemu-persistent-disk: the copy builds" "$(tail -n 3 "$T/p.log")"; fi

# --- the accelerator -----------------------------------------------------------------------------
hos=$(uname -s) harch=$(uname -m)
case $harch in arm64) harch=aarch64 ;; amd64) harch=x86_64 ;; esac
other=x86_64; [ "$harch" = x86_64 ] && other=aarch64
gen "$T/a" --arch="$harch" >/dev/null 2>&1
r=$(cmd "$T/a" run)
# the look at /dev/kvm is recorded: build.ninja regenerates when it appears or goes
if [ "$hos" = Linux ]; then
	if [ -e /dev/kvm ]; then want=/dev/kvm; else want=/dev; fi
	check "/dev/kvm's state is an input of build.ninja ($want)" grep -Eq "(^| )$want( |\\\\|$)" "$T/a/gen/build.ninja.d"
fi
if [ "$hos" = Linux ] && [ -r /dev/kvm ] && [ -w /dev/kvm ]; then
	has "auto: KVM on Linux with /dev/kvm, for the host's own arch" "$r" "-accel kvm "
	has "auto: KVM with the host's CPU" "$r" "-cpu host"
	has "KVM: run says how to fall back when KVM fails" "$r" "kiln: QEMU failed under KVM; where the accelerator exists but does not work (some nested VMs), run ./configure again with --qemu-accel=tcg"
elif [ "$hos" = Darwin ]; then
	has "auto: HVF on macOS, for the host's own arch" "$r" "-accel hvf "
else
	hasnt "auto: TCG without an accelerator" "$r" "-accel"
fi
hasnt "auto: boot-test on TCG" "$(bt "$T/a")" "-accel"
gen "$T/x" --arch="$other" >/dev/null 2>&1
check "/dev/kvm is looked at only when KVM could be used (not for another arch)" sh -c \
	"test -s '$T/x/gen/build.ninja.d' && ! grep -q /dev/kvm '$T/x/gen/build.ninja.d'"
hasnt "auto: TCG for another arch than the host's" "$(cmd "$T/x" run)" "-accel"
gen "$T/t" --arch="$harch" --opt=qemu-accel=tcg >/dev/null 2>&1
hasnt "--qemu-accel=tcg: no accelerator" "$(cmd "$T/t" run)" "-accel"
expect_fail "--qemu-accel=kvm for another arch: one error with the fix" '*' "^kiln gen: kiln.conf: --qemu-accel=kvm: (KVM runs only $harch guests on this $harch host, not $other|KVM is Linux's, and this host runs macOS); fix: --qemu-accel=" \
	gen "$T/e" --arch="$other" --opt=qemu-accel=kvm
if [ "$hos" != Darwin ]; then
	expect_fail "--qemu-accel=hvf off macOS: one error with the fix" '*' "^kiln gen: kiln.conf: --qemu-accel=hvf: HVF is macOS's Hypervisor.framework, and this host is not macOS; fix: --qemu-accel=" \
		gen "$T/e" --arch="$harch" --opt=qemu-accel=hvf
fi
if [ "$hos" = Linux ] && [ -r /dev/kvm ] && [ -w /dev/kvm ]; then
	gen "$T/k" --arch="$harch" --opt=qemu-accel=kvm >/dev/null 2>&1
	has "--qemu-accel given: boot-test uses it too" "$(bt "$T/k")" "-accel kvm"
fi

# --- boot-test: progress and summary, with a fake QEMU ---------------------------------------------
cat >"$T/fakeqemu" <<'FQ'
#!/bin/sh
# prints LINES to the -serial file, one every 0.4 s, with ANSI colours, then exits with $FQ_RC
for a do case $a in file:*) log=${a#file:} ;; esac; done
e=$(printf '\033')
for l in "stage one" "stage two" "stage three" "stage four"; do
	printf '%s[1;32m%s%s[0m\r\n' "$e" "$l" "$e" >>"$log"; sleep 0.4
done
exit "${FQ_RC:-0}"
FQ
chmod +x "$T/fakeqemu"
BT=$SRCDIR/rules/boot-test.sh
(cd "$T" && sh "$BT" --log bt/serial.log --timeout 20 --progress 1 --expect "stage one" --expect "stage four" --poweroff \
	-- ./fakeqemu -serial file:bt/serial.log) >"$T/bt.out" 2>&1
rc=$?
eq "boot-test with a fake QEMU passes" 0 "$rc"
contains "not on a terminal: a plain progress line (elapsed, expected lines seen, last serial line)" "$T/bt.out" \
	'^boot-test: [0-9]+s, [0-2]/2 expected lines; last: stage (one|two|three|four)$'
check "the progress lines hold no escape sequence" sh -c "! grep -q \"$(printf '\033')\" '$T/bt.out'"
FQ_RC=0 python3 - "$T" "$BT" >"$T/pty.out" 2>&1 <<'PY'
import os, pty, sys
t, bt = sys.argv[1], sys.argv[2]
os.chdir(t)
out = bytearray()
def rd(fd):
    d = os.read(fd, 4096); out.extend(d); return d
pty.spawn(["sh", bt, "--log", "bt2/serial.log", "--timeout", "20", "--expect", "stage four", "--poweroff",
           "--", "./fakeqemu", "-serial", "file:bt2/serial.log"], rd)
sys.stdout.write(out.decode("utf-8", "replace").replace("\033", "<ESC>").replace("\r", "<CR>"))
PY
contains "on a terminal: one status line redrawn in place" "$T/pty.out" '<CR><ESC>\[Kboot-test: [0-9]+s, 0/1 expected lines; last: stage'
contains "on a terminal: the status line is cleared before the result" "$T/pty.out" '<CR><ESC>\[Kboot-test: ok: every expected line'
(cd "$T" && FQ_RC=0 sh "$BT" --log bt3/serial.log --timeout 20 --expect "stage five" -- ./fakeqemu -serial file:bt3/serial.log) >"$T/bt3.out" 2>&1
eq "a missing line fails boot-test" 1 "$?"
contains "the summary names the missing line" "$T/bt3.out" '^boot-test:   missing: stage five$'
contains "the summary quotes the serial log without ANSI escapes" "$T/bt3.out" '^    stage four$'
check "the summary holds no escape sequence" sh -c "! grep -q \"$(printf '\033')\" '$T/bt3.out'"

# --- the time limit: QEMU's work, not the clock's ----------------------------------------------------
# a fake ps says how much CPU time QEMU used (cpu.txt, in ps's format); the fake QEMUs only sleep
mkdir -p "$T/fakeps" "$T/lim"
printf '#!/bin/sh\ncat %s\n' "'$T/cpu.txt'" >"$T/fakeps/ps"
printf '#!/bin/sh\n# the expected line after 3 s, then a clean power-off\nfor a do case $a in file:*) log=${a#file:} ;; esac; done\nsleep 3\necho "stage slow" >>"$log"\n' >"$T/slowqemu"
printf '#!/bin/sh\n# a guest that never gets anywhere\nexec sleep 30\n' >"$T/stuckqemu"
chmod +x "$T/fakeps/ps" "$T/slowqemu" "$T/stuckqemu"
# limit NAME SECONDS CPU QEMU: boot-test --timeout SECONDS while ps reports CPU; its output in
# lim.out, its status in lrc, the seconds after which it gave up in lsecs
limit() {
	printf '%s\n' "$3" >"$T/cpu.txt"
	_s=$(date +%s)
	(cd "$T" && PATH="$T/fakeps:$PATH" sh "$BT" --log "lim/$1.log" --timeout "$2" --expect "stage slow" --poweroff \
		-- "./$4" -serial "file:lim/$1.log") >"$T/lim.out" 2>&1
	lrc=$?
	lsecs=$(sed -n 's/^boot-test: FAILED: timeout after \([0-9]*\)s.*/\1/p' "$T/lim.out")
	[ "$(( $(date +%s) - _s ))" -ge "${lsecs:-0}" ] || lsecs="(said ${lsecs}s, took less)"
}
limit busy 2 00:00:05 stuckqemu
eq "a guest that has used --timeout seconds of CPU fails at --timeout" "1 early" "$lrc $([ "$lsecs" -lt 6 ] 2>/dev/null && echo early || echo "after ${lsecs}s")"
contains "... naming the CPU time QEMU used" "$T/lim.out" '^boot-test: FAILED: timeout after [0-9]+s: QEMU used 5s of CPU time \(--timeout 2\)$'
limit busy-macos 1 0:03.47 stuckqemu
contains "ps's time as macOS prints it (MM:SS.hh)" "$T/lim.out" 'QEMU used 3s of CPU time'
limit busy-days 1 1-00:00:02 stuckqemu
contains "ps's time with days (DD-HH:MM:SS)" "$T/lim.out" 'QEMU used 86402s of CPU time'
limit starved 2 00:00:00 slowqemu
eq "a boot slower on the clock than --timeout, with QEMU's CPU time under it (a loaded machine), passes" 0 "$lrc"
limit waiting 1 00:00:00 stuckqemu
eq "a guest that waits without working fails at three times --timeout" "1 3-5s" "$lrc $([ "$lsecs" -ge 3 ] 2>/dev/null && [ "$lsecs" -le 5 ] && echo 3-5s || echo "${lsecs}s")"
contains "... saying why it waited longer" "$T/lim.out" \
	'^boot-test: FAILED: timeout after [0-9]+s: QEMU used only 0s of CPU time, and the clock allows three times --timeout 1 \(a guest waiting for something, or a machine too busy to run it\)$'
limit nops 2 '' stuckqemu
contains "where ps cannot tell, the clock alone" "$T/lim.out" '^boot-test: FAILED: timeout after [0-9]+s$'
eq "... at --timeout" early "$([ "$lsecs" -lt 6 ] 2>/dev/null && echo early || echo "after ${lsecs}s")"

# --- every kind of escape the firmware and the guest draw with, and the terminal's width ----------
cat >"$T/fakeqemu2" <<'FQ'
#!/bin/sh
# OSC titles and links, private CSI modes, CSI with '>' and '~', charset and keypad escapes, a
# BEL, a NUL, CRs; then a line far wider than a terminal; then a complaint on stderr, and exit 1
for a do case $a in file:*) log=${a#file:} ;; esac; done
e=$(printf '\033') b=$(printf '\007')
printf '%s]0;UEFI%s%s[?25l%s[2J%s[1;1H%s(Bfirmware up%s[0m\r\n' "$e" "$b" "$e" "$e" "$e" "$e" "$e" >>"$log"
printf '%s]8;;http://x%s\\link%s]8;;%s\\ %s[>0c%s[2~%s=keypad\007 nul\000here\r\n' "$e" "$e" "$e" "$e" "$e" "$e" "$e" >>"$log"
sleep 1.5
printf 'a very long serial line %s\r\n' "$(printf '%080d' 0 | tr 0 x)" >>"$log"
sleep 1.5
printf '%s[31mqemu-system-x: something broke%s[0m\r\n' "$e" "$e" >&2
exit 1
FQ
chmod +x "$T/fakeqemu2"
(cd "$T" && sh "$BT" --log bt4/serial.log --timeout 20 --expect "never" -- ./fakeqemu2 -serial file:bt4/serial.log) >"$T/bt4.out" 2>&1
eq "boot-test: the log as checked: escapes, BEL, NUL and CRs gone, the text kept" \
	"$(printf 'firmware up\nlink keypad nulhere')" "$(head -n 2 "$T/bt4/serial.log.txt")"
contains "boot-test: QEMU's own complaint is quoted without its escapes" "$T/bt4.out" '^    qemu-system-x: something broke$'
check "boot-test: nothing it printed holds an escape or a NUL" sh -c \
	"! LC_ALL=C grep -q \"$(printf '\033')\" '$T/bt4.out' && [ \$(tr -d '\\000' <'$T/bt4.out' | wc -c) -eq \$(wc -c <'$T/bt4.out') ]"
# in_pty.py: run(argv, cols, seconds) runs argv on a pseudo-terminal (cols columns wide, if
# given) and returns what it printed and its wait status, reading until it closes the terminal
# or the seconds are up
cat >"$T/in_pty.py" <<'PY'
import fcntl, os, pty, struct, termios, time
def run(argv, cols=None, seconds=None):
    pid, fd = pty.fork()
    if pid == 0:
        os.execvp(argv[0], argv)
    if cols:
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, cols, 0, 0))
    out, end = bytearray(), None if seconds is None else time.time() + seconds
    while end is None or time.time() < end:
        try:
            d = os.read(fd, 4096)
        except OSError:
            break
        if not d:
            break
        out.extend(d)
    return out, os.waitpid(pid, 0)[1]
PY
python3 - "$T" "$BT" >"$T/pty40.out" 2>&1 <<'PY'
import os, sys
t, bt = sys.argv[1], sys.argv[2]
os.chdir(t)
sys.path.insert(0, t)
from in_pty import run
out, _ = run(["sh", bt, "--log", "bt5/serial.log", "--timeout", "20", "--expect", "never",
              "--", "./fakeqemu2", "-serial", "file:bt5/serial.log"], cols=60)
text = out.decode("utf-8", "replace")
# the status lines: what follows each "CR ESC [K" up to the next CR
status = [seg.split("\r")[0] for seg in text.split("\r\033[K")[1:]]
status = [s for s in status if s.startswith("boot-test: ") and "expected lines" in s]
print("status lines:", len(status))
print("widest:", max((len(s) for s in status), default=0))
print("long line seen:", any("a very long" in s for s in status))
PY
contains "on a 60-column terminal: status lines were drawn" "$T/pty40.out" '^status lines: [1-9]'
contains "... the widest cut to 59 columns (the cursor stays on the line)" "$T/pty40.out" '^widest: 59$'
contains "... the last serial line in it, cut" "$T/pty40.out" '^long line seen: True$'
# where tput cannot tell (no TERM), $COLUMNS gives the width
python3 - "$T" "$BT" >"$T/pty45.out" 2>&1 <<'PY'
import os, sys
t, bt = sys.argv[1], sys.argv[2]
os.chdir(t)
sys.path.insert(0, t)
from in_pty import run
os.environ.pop("TERM", None)
os.environ["COLUMNS"] = "45"
out, _ = run(["sh", bt, "--log", "bt6/serial.log", "--timeout", "20", "--expect", "never",
              "--", "./fakeqemu2", "-serial", "file:bt6/serial.log"], cols=60)
status = [seg.split("\r")[0] for seg in out.decode("utf-8", "replace").split("\r\033[K")[1:]]
print("widest:", max((len(s) for s in status if "expected lines" in s), default=0))
PY
contains "without TERM: the width from \$COLUMNS (45: cut to 44)" "$T/pty45.out" '^widest: 44$'

# --- a real ninja run of the demo: options that change the machine still boot it -------------------
# (the image of the persistent-disk case above, now also with user-mode networking and 2 CPUs; in a
# pseudo-terminal, as ninja's console pool gives QEMU one; the demo powers itself off)
(cd "$T/p" && "$KILN" gen -q --arch=aarch64 --opt=qemu-persistent-disk=yes --opt=qemu-net=user --opt=qemu-smp=2) >/dev/null 2>&1
python3 - "$T/p" "$T" >"$T/run.out" 2>&1 <<'PY'
import os, sys
os.chdir(sys.argv[1])
sys.path.insert(0, sys.argv[2])
from in_pty import run
out, st = run(["ninja", "run"], seconds=120)
sys.stdout.write(out.decode("utf-8", "replace").replace("\r", ""))
print("\nninja run exit:", os.WEXITSTATUS(st) if os.WIFEXITED(st) else "signal")
PY
contains "ninja run boots the demo through every stage (-smp 2, user networking, the persistent disk)" "$T/run.out" '^kiln-demo: done'
contains "... and ends when the system powers off" "$T/run.out" '^ninja run exit: 0$'
contains "... ninja says how it runs and how to quit" "$T/run.out" 'QEMU \(TCG; Ctrl-A X quits\)'
