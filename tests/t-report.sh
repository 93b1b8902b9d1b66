# tests/t-report.sh: the pictures and size reports on the bundled demo: the summary `ninja image`
# ends with (its figures against the image files, printed only when an image changed, never by
# a no-op ninja), kiln report's SVG (well-formed XML, partition rectangles proportional to the
# GPT entries as sgdisk reads them, the ESP's files as kiln fat lists them, the initfs budget),
# its errors, and kiln graph's clusters rendered by Graphviz.
. "$SRCDIR/tests/lib.sh"
T=$TMPDIR_T
cp -R "$SRCDIR/examples/demo" "$T/demo"
B=$T/b
mkdir -p "$B"
cd "$B" || exit 1
"$KILN" gen -q --system=none --plugin-dir="$T/demo" >"$T/gen.out" 2>&1 || fail "the demo generates" "$(cat "$T/gen.out")"

# human N: a size as the summary writes it (powers of 1024, one decimal)
human() { python3 -c 'import sys
n = int(sys.argv[1]); u = ["B", "KiB", "MiB", "GiB", "TiB"]; v = n; i = 0
while v >= 1024 and i < 4: v /= 1024; i += 1
print("%d B" % n if i == 0 else "%.1f %s" % (v, u[i]))' "$1"; }
size() { wc -c <"$1" | tr -d ' '; }

# --- the summary of ninja image ---------------------------------------------------------------------
ninja image >"$T/build.out" 2>&1 || fail "ninja image builds the demo" "$(tail -5 "$T/build.out")"
# the summary is the end of the output: from its first line to the last line of the output
sed -n '/^images in out\/images:$/,$p' "$T/build.out" >"$T/summary"
eq "ninja image ends with the summary (after its SUMMARY edge)" "SUMMARY out/images/summary.txt" \
	"$(grep -B1 '^images in out/images:$' "$T/build.out" | head -1 | sed 's/^\[[0-9]*\/[0-9]*\] //')"
eq "the summary has a line per image and the largest files of the initfs and the root fs" 7 "$(wc -l <"$T/summary" | tr -d ' ')"
same "the summary is also kept in out/images/summary.txt" "$T/summary" out/images/summary.txt
i=$(size out/images/initfs.img)
pct=$(python3 -c "print('%.1f' % (100 * $i / (8 << 20)))")
contains "summary: the initfs, its size and its share of the --initfs-max-size budget" "$T/summary" \
	"^  initfs +initfs +$(human "$i")  $pct% of its 8.0 MiB budget \(--initfs-max-size\), [0-9.]+ MiB left; 3 files$"
contains "summary: the disk and its partitions as its GPT says" "$T/summary" \
	"^  harddrive +gpt +64.0 MiB  3 partitions: BIOS 1007.0 KiB, EFI 1.0 MiB \(esp\), REDOX 61.0 MiB \(rootfs\)$"
contains "summary: the root filesystem's files" "$T/summary" "^  rootfs +redoxfs +61.0 MiB  [0-9]+ files, "
k=$(size out/kernel/kernel)
contains "summary: the largest files of the root fs, largest first, with their sizes" "$T/summary" \
	"^  largest in rootfs: /boot/kernel $(human "$k"), /boot/initfs $(human "$i"), "
contains "summary: the largest files of the initfs" "$T/summary" "^  largest in initfs: /bin/init [0-9.]+ (B|KiB), /bin/hello "
out=$(ninja image 2>&1)
case $out in *"no work to do"*) ok "a no-op ninja image stays 'no work to do'" ;; *) fail "a no-op ninja image stays 'no work to do'" "$out" ;; esac
case $out in *"images in"*) fail "a no-op ninja image prints no summary" "$out" ;; *) ok "a no-op ninja image prints no summary" ;; esac
sleep 1
touch "$T/demo/etc/motd"
ninja image >"$T/touch.out" 2>&1
check "a touched, unchanged root file rewrites no image and prints no summary" sh -c "! grep -Eq 'SUMMARY|images in' '$T/touch.out'"
sleep 1
head -c 30000 /dev/zero | tr '\0' m >"$T/demo/etc/motd"
ninja image >"$T/change.out" 2>&1
contains "a changed root file: the summary is printed again" "$T/change.out" "^images in out/images:$"
contains "... with the new largest file" "$T/change.out" "^  largest in rootfs: /boot/kernel [^,]*, /boot/initfs [^,]*, /etc/motd 29.3 KiB"
out=$(ninja image 2>&1)
case $out in *"no work to do"*) ok "and then ninja has no work to do" ;; *) fail "and then ninja has no work to do" "$out" ;; esac
"$KILN" report --summary >"$T/by-hand"
same "kiln report --summary prints the same summary" out/images/summary.txt "$T/by-hand"

# --- kiln report ---------------------------------------------------------------------------------------
"$KILN" report >"$T/report.out" 2>&1
eq "kiln report writes out/report.svg and says so" "wrote out/report.svg ($(size out/report.svg) bytes): open it in a web browser" "$(cat "$T/report.out")"
sgdisk -p out/images/harddrive.img >"$T/sgdisk.txt" 2>&1
python3 "$SRCDIR/tests/report-check.py" "report" out/report.svg "$T/sgdisk.txt"
"$KILN" report -o - >"$T/stdout.svg"
same "kiln report -o - writes the same picture to stdout" out/report.svg "$T/stdout.svg"
"$KILN" report -o "$T/again.svg" >/dev/null
same "kiln report is reproducible" out/report.svg "$T/again.svg"
check "the picture is self-contained: no script, no external reference" \
	sh -c "! grep -Eq '<script|xlink:href|href=|url\\(|@import' out/report.svg"
# the ESP's files, as kiln's FAT reader lists them, each drawn with its size
missing=
"$KILN" fat list out/images/esp.img | awk '$1 == "file" { print $2, $3 }' >"$T/esp.files"
while read -r sz p; do
	grep -q "data-path=\"$p\" data-bytes=\"$sz\"" out/report.svg || missing="$missing $p"
done <"$T/esp.files"
eq "report: every file of the ESP with its size ($(wc -l <"$T/esp.files" | tr -d ' ') files)" "" "$missing"
check "report: the initfs budget bar is --initfs-max-size" grep -q "class=\"capacity\" data-bytes=\"$((8 << 20))\"" out/report.svg
check "report: ... filled by the initfs's size" grep -q "class=\"used\" data-bytes=\"$i\"" out/report.svg
check "report: the root fs's largest file with its size" grep -q "data-path=\"/etc/motd\" data-bytes=\"30000\"" out/report.svg
used=$(python3 -c 'import re,sys; t=open(sys.argv[1]).read(); print(re.search(r"REDOX: RedoxFS blocks in use: ([^<]*)", t).group(1))' out/report.svg)
case $used in *" of 61.0 MiB ("*"%), "*" free") ok "report: the RedoxFS partition's blocks in use ($used)" ;;
*) fail "report: the RedoxFS partition's blocks in use" "$used" ;; esac

# errors
mv out/images/esp.img "$T/esp.img"
expect_fail "report: an image not built is an error naming it" 1 \
	"^kiln report: out/images/esp.img is not built yet: run ninja image first" "$KILN" report -o "$T/none.svg"
check "... and writes nothing" test ! -e "$T/none.svg"
mv "$T/esp.img" out/images/esp.img
expect_fail "report: a directory that cannot hold the output" 1 "^kiln report: cannot write $T/no/such/r.svg" \
	"$KILN" report -o "$T/no/such/r.svg"
printf 'not a disk' >"$T/junk.img"
cp out/images/harddrive.img "$T/hd.img"
cp "$T/junk.img" out/images/harddrive.img
expect_fail "report: a disk whose GPT cannot be read is an error naming it" 1 \
	"^kiln report: out/images/harddrive.img: too small for a GPT disk" "$KILN" report -o "$T/none.svg"
cp "$T/hd.img" out/images/harddrive.img
touch -r "$T/hd.img" out/images/harddrive.img

# --- kiln graph ----------------------------------------------------------------------------------------
"$KILN" graph >"$T/g.dot" 2>&1
if dot -Tsvg "$T/g.dot" -o "$T/g.svg" 2>"$T/dot.err" && [ ! -s "$T/dot.err" ]; then ok "graph: dot -Tsvg renders the demo's graph"
else fail "graph: dot -Tsvg renders the demo's graph" "$(head -c 300 "$T/dot.err")"; fi
python3 - "$T/g.svg" "$T/g.dot" <<'EOF'
import re, sys, xml.etree.ElementTree as ET
ns = "{http://www.w3.org/2000/svg}"
svg = ET.parse(sys.argv[1]).getroot()
clusters = {g.find(ns + "title").text for g in svg.iter(ns + "g") if g.get("class") == "cluster"}
want = {"cluster_initfs", "cluster_rootfs", "cluster_esp", "cluster_harddrive"}
print("ok graph: every image is a cluster of the rendered graph" if want <= clusters
      else f"FAIL graph: every image is a cluster of the rendered graph: {sorted(clusters)}")
# nesting in the dot text: each cluster's parent
stack, parent, node_in = [], {}, {}
for line in open(sys.argv[2]):
    m = re.match(r'\s*subgraph "cluster_([^"]+)" \{', line)
    if m:
        parent[m.group(1)] = stack[-1] if stack else None
        stack.append(m.group(1))
    elif line.strip() == "}" and stack:
        stack.pop()
    else:
        m = re.match(r'\s*"([^"]+)" \[', line)
        if m and stack:
            node_in[m.group(1)] = stack[-1]
ok = parent == {"harddrive": None, "rootfs": "harddrive", "initfs": "rootfs", "esp": "harddrive"}
print("ok graph: images inside images are nested clusters (initfs in rootfs in harddrive, esp in harddrive)" if ok
      else f"FAIL graph: images inside images are nested clusters: {parent}")
ok = node_in.get("hello") == "initfs" and node_in.get("bootstrap") == "initfs" and node_in.get("root-files") == "rootfs"
print("ok graph: components are drawn in the image they are installed into" if ok
      else f"FAIL graph: components are drawn in the image they are installed into: {node_in}")
EOF
