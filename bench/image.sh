#!/bin/sh
# bench/image.sh: build a 512 MiB GPT disk holding 200 MiB of files with kiln (ESP with
# `kiln fat create`, root with `kiln redoxfs create`, or a second FAT partition when that
# fails, disk with `kiln gpt create`), beside what a user would otherwise run on the same
# payload (mkfs.fat + mmd + mcopy for each FAT, sgdisk + dd for the disk) and beside a plain
# `cp -R` of the same bytes as the floor. Prints wall time, MB/s of payload, peak RSS and the
# ratio to the baseline, in one table. Then disk assembly beside a plain cp of the partition
# images (the floor it must stay within 1.2x of), and the reassembly after a one-file change of
# the root filesystem at two disk sizes (512 MiB and 4 GiB: the time follows the partitions,
# not the disk), with how the partitions got in (cloned or copied, `kiln gpt create -v`).
# usage: bench/image.sh [BUILDDIR-with-kiln]   (default: the current directory)
set -eu
kiln=$(cd "${1:-.}" && pwd)/kiln
[ -x "$kiln" ] || { echo "bench/image.sh: no kiln in ${1:-.}; run configure first" >&2; exit 2; }
for t in mkfs.fat mcopy mmd sgdisk dd; do
	command -v $t >/dev/null 2>&1 || { echo "bench/image.sh: $t is needed for the baseline" >&2; exit 2; }
done
work=$(mktemp -d "${TMPDIR:-/tmp}/kiln-bench-image.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"
export SOURCE_DATE_EPOCH=1700000000 MTOOLS_SKIP_CHECK=1 LC_ALL=C

# --- payload: 8 MiB ESP (4 files), 192 MiB root (40 x 4 MiB + 2048 x 16 KiB) ---------------
mkdir -p esp/EFI/BOOT root/bin root/usr/share/many
head -c $((4 << 20)) /dev/urandom >esp/EFI/BOOT/BOOTAA64.EFI
for i in 1 2 3; do head -c $(((4 << 20) / 3)) /dev/urandom >esp/EFI/BOOT/drv$i.efi; done
i=0; while [ $i -lt 40 ]; do head -c $((4 << 20)) /dev/urandom >root/bin/prog$i; i=$((i + 1)); done
head -c $((2048 * 16384)) /dev/urandom >blob
split -b 16384 -a 4 blob root/usr/share/many/f
rm blob
manifest() { # DIR: a manifest of every file under DIR
	echo 'kiln-manifest 1'
	(cd "$1" && find . -type d ! -name . | sed 's|^\.||' | sort | while read -r d; do echo "dir $d 0755 0 0"; done)
	(cd "$1" && find . -type f | sed 's|^\.||' | sort | while read -r f; do echo "file $f 0644 0 0 src:$1$f"; done)
}
manifest "$work/esp" >esp.m
manifest "$work/root" >root.m
bytes() { find "$1" -type f -exec cat {} + | wc -c | tr -d ' '; }
espb=$(bytes esp)
rootb=$(bytes root)
payload=$((espb + rootb))

# --- measuring: best wall time of 3 runs and its peak RSS (KiB) ----------------------------
# measure NAME BYTES SETUP COMMAND: SETUP (untimed) removes the previous outputs
once() { # COMMAND -> "seconds maxrss" on stdout (wall time from python, RSS from time -v)
	python3 - "$1" <<'PY'
import os, resource, subprocess, sys, time
cmd = sys.argv[1]
gnu = subprocess.run(["/usr/bin/time", "-v", "true"], capture_output=True).returncode == 0
argv = ["/usr/bin/time", "-v", "-o", "tv", "sh", "-c", cmd] if gnu else ["sh", "-c", cmd]
s = time.perf_counter()
r = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
t = time.perf_counter() - s
if r.returncode != 0:
    sys.stderr.write("failed: %s\n%s" % (cmd, r.stderr.decode(errors="replace")))
    sys.exit(1)
if gnu:
    rss = [l for l in open("tv") if "Maximum resident set size" in l][0].split(":")[1].strip()
else:
    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    rss = rss // 1024 if sys.platform == "darwin" else rss
print(f"{t:.4f}", rss)
PY
}
measure() {
	best=
	for run in 1 2 3; do
		sh -c "$3"
		r=$(once "$4") || exit 1
		if [ -z "$best" ] || awk -v a="${r% *}" -v b="${best% *}" 'BEGIN { exit !(a < b) }'; then best=$r; fi
	done
	echo "$1 $2 $best" >>results
}
: >results
sync

# --- kiln ------------------------------------------------------------------------------------
measure kiln-esp $espb "rm -f k-esp.img" "'$kiln' fat create esp.m -o k-esp.img --size 16M"
rootkind=redoxfs
if "$kiln" redoxfs create root.m -o k-root.img --size 400M >/dev/null 2>rfs.err; then
	measure kiln-root $rootb "rm -f k-root.img" "'$kiln' redoxfs create root.m -o k-root.img --size 400M"
else
	rootkind="FAT (kiln redoxfs create failed: $(head -n1 rfs.err))"
	measure kiln-root $rootb "rm -f k-root.img" "'$kiln' fat create root.m -o k-root.img --size 400M"
fi
measure kiln-disk $payload "rm -f k-disk.img" "'$kiln' gpt create -o k-disk.img --size 512M --part name=BIOS,type=bios,size=1M --part name=EFI,type=esp,image=k-esp.img --part name=REDOX,type=redoxfs,image=k-root.img"

# --- disk assembly beside cp of its partition images, and after a one-file root change -------
gparts="--part name=BIOS,type=bios,size=1M --part name=EFI,type=esp,image=k-esp.img --part name=REDOX,type=redoxfs,image=k-root.img"
measure cp-parts $((espb + rootb)) "rm -rf cpd && mkdir cpd" "cp k-esp.img k-root.img cpd/"
"$kiln" gpt create -o k-disk.img --size 512M $gparts -v >copy.txt
"$kiln" gpt create -o k-disk4g.img --size 4G $gparts
cp k-disk.img k-disk.old
cp k-disk4g.img k-disk4g.old
# one root file changes: the root image is rewritten, then the disks are reassembled (the old
# disk is still there, as in a Ninja rebuild)
head -c 16384 /dev/urandom >root/usr/share/many/faaaa
if [ "$rootkind" = redoxfs ]; then "$kiln" redoxfs create root.m -o k-root.img --size 400M
else "$kiln" fat create root.m -o k-root.img --size 400M; fi
measure kiln-change $payload "cp k-disk.old k-disk.img" "'$kiln' gpt create -o k-disk.img --size 512M $gparts"
measure kiln-change4g $payload "cp k-disk4g.old k-disk4g.img" "'$kiln' gpt create -o k-disk4g.img --size 4G $gparts"
rm -f k-disk.old k-disk4g.old k-disk4g.img

# --- what a user would run otherwise ---------------------------------------------------------
measure base-esp $espb "rm -f b-esp.img" "dd if=/dev/zero bs=1048576 count=0 seek=16 2>/dev/null of=b-esp.img && mkfs.fat b-esp.img && mcopy -s -i b-esp.img esp/EFI ::/"
measure base-root $rootb "rm -f b-root.img" "dd if=/dev/zero bs=1048576 count=0 seek=400 2>/dev/null of=b-root.img && mkfs.fat b-root.img && mcopy -s -i b-root.img root/bin root/usr ::/"
measure base-disk $payload "rm -f b-disk.img" "dd if=/dev/zero bs=1048576 count=0 seek=512 2>/dev/null of=b-disk.img && sgdisk -a 1 -n 1:34:2047 -t 1:EF02 -c 1:BIOS -n 2:2048:34815 -t 2:EF00 -c 2:EFI -n 3:34816:1046527 -t 3:8300 -c 3:REDOX b-disk.img && dd if=b-esp.img of=b-disk.img bs=1048576 seek=1 conv=notrunc,sparse 2>/dev/null && dd if=b-root.img of=b-disk.img bs=1048576 seek=17 conv=notrunc,sparse 2>/dev/null"

# --- the floor: copying the payload bytes ----------------------------------------------------
measure cp-floor $payload "rm -rf copy-esp copy-root" "cp -R esp copy-esp && cp -R root copy-root"

# --- the outputs are valid -------------------------------------------------------------------
sgdisk -v k-disk.img 2>&1 | grep -q 'No problems found' && vd=ok || vd=FAILED
fsck.fat -n k-esp.img >/dev/null 2>&1 && ve=ok || ve=FAILED
if [ "$rootkind" = redoxfs ]; then
	"$kiln" redoxfs check k-root.img >/dev/null 2>&1 && vr=ok || vr=FAILED
else
	fsck.fat -n k-root.img >/dev/null 2>&1 && vr=ok || vr=FAILED
fi
echo "kiln outputs checked: sgdisk -v $vd, fsck.fat -n (ESP) $ve, root check $vr"

# --- table -----------------------------------------------------------------------------------
awk -v payload="$payload" -v rootkind="$rootkind" '
	{ b[$1] = $2; t[$1] = $3; m[$1] = $4 }
	function row(name, k, base,   mbs) {
		mbs = t[k] > 0 ? b[k] / 1048576 / t[k] : 0
		printf "%-34s %9.1f %8.3f %9.1f %10d", name, b[k] / 1048576, t[k], mbs, m[k]
		if (base != "") printf " %9.2fx", (t[base] > 0 ? t[k] / t[base] : 0)
		else printf " %10s", "-"
		printf "\n"
	}
	function max3(x, y, z) { return x > y ? (x > z ? x : z) : (y > z ? y : z) }
	END {
		t["kiln-all"] = t["kiln-esp"] + t["kiln-root"] + t["kiln-disk"]; b["kiln-all"] = payload
		t["base-all"] = t["base-esp"] + t["base-root"] + t["base-disk"]; b["base-all"] = payload
		m["kiln-all"] = max3(m["kiln-esp"], m["kiln-root"], m["kiln-disk"])
		m["base-all"] = max3(m["base-esp"], m["base-root"], m["base-disk"])
		printf "payload %.1f MiB (ESP %.1f, root %.1f); 512 MiB GPT disk; root filesystem: %s\n",
		       payload / 1048576, b["kiln-esp"] / 1048576, b["kiln-root"] / 1048576, rootkind
		printf "best of 3 runs; MB/s = MiB of payload handled by the step / seconds\n"
		printf "%-34s %9s %8s %9s %10s %10s\n", "step", "MiB", "seconds", "MB/s", "peak KiB", "vs base"
		row("kiln fat create (ESP, 16M)", "kiln-esp", "base-esp")
		row("mkfs.fat + mcopy (ESP)", "base-esp", "")
		row("kiln root create (400M)", "kiln-root", "base-root")
		row("mkfs.fat + mcopy (root as FAT)", "base-root", "")
		row("kiln gpt create (512M)", "kiln-disk", "base-disk")
		row("dd seek + sgdisk + dd (disk)", "base-disk", "")
		row("kiln, whole disk", "kiln-all", "base-all")
		row("baseline, whole disk", "base-all", "")
		row("cp -R of the payload (floor)", "cp-floor", "")
		printf "kiln whole disk / cp floor: %.2fx;  baseline / cp floor: %.2fx\n",
		       (t["cp-floor"] > 0 ? t["kiln-all"] / t["cp-floor"] : 0),
		       (t["cp-floor"] > 0 ? t["base-all"] / t["cp-floor"] : 0)
		printf "\n"
		row("cp of the partition images (floor)", "cp-parts", "")
		row("kiln gpt create after 1 root file", "kiln-change", "cp-parts")
		row("  the same, 4 GiB disk", "kiln-change4g", "cp-parts")
		printf "disk assembly, kiln gpt create / cp of its partition images: %.2fx (goal: at most 1.20x)\n",
		       (t["cp-parts"] > 0 ? t["kiln-disk"] / t["cp-parts"] : 0)
		printf "one-file root change, disk reassembly 4 GiB / 512 MiB disk: %.2fx (proportional to the partitions: about 1x, to the disk: 8x)\n",
		       (t["kiln-change"] > 0 ? t["kiln-change4g"] / t["kiln-change"] : 0)
	}' results
awk '{ gsub(/:/, ""); c += $5; w += $7; h += $9 }
	END { printf "how the partitions got into the disk (kiln gpt create -v): %.1f MiB cloned, %.1f MiB copied, %.1f MiB of holes skipped\n",
	      c / 1048576, w / 1048576, h / 1048576 }' copy.txt
