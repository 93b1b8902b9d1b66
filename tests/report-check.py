#!/usr/bin/env python3
"""tests/report-check.py: checks a `kiln report` SVG against the disk it draws.

usage: report-check.py NAME SVG SGDISK-OUTPUT

Prints test lines ("ok NAME: ..." / "FAIL NAME: ...", the protocol of tests/lib.sh):
the SVG is well-formed XML (xml.etree); it draws the disk; its partition rectangles are
the entries sgdisk (an independent GPT reader) lists, with the same first and last LBAs;
each rectangle's width and position are proportional to the entry's sectors (to 0.01 px);
the rectangles do not overlap and stay inside the disk's bar.
"""
import re
import sys
import xml.etree.ElementTree as ET

name, svg_path, sgdisk_out = sys.argv[1:4]
NS = "{http://www.w3.org/2000/svg}"


def ok(what):
    print(f"ok {name}: {what}")


def fail(what, why):
    print(f"FAIL {name}: {what}: {why}")


try:
    root = ET.parse(svg_path).getroot()
except ET.ParseError as e:
    fail("the SVG is well-formed XML", e)
    sys.exit(0)
ok("the SVG is well-formed XML")
if root.tag == NS + "svg":
    ok("its root is an SVG element in the SVG namespace")
else:
    fail("its root is an SVG element in the SVG namespace", root.tag)

# the entries of the disk, as sgdisk -p lists them
entries = {}
with open(sgdisk_out) as f:
    for line in f:
        m = re.match(r"\s+(\d+)\s+(\d+)\s+(\d+)\s+\S+ \S+\s+\S+\s+(.*)$", line)
        if m:
            entries[int(m.group(1))] = (int(m.group(2)), int(m.group(3)), m.group(4).strip())
sectors = None
with open(sgdisk_out) as f:
    m = re.search(r": (\d+) sectors", f.read())
    sectors = int(m.group(1)) if m else None
if entries and sectors:
    ok(f"sgdisk lists {len(entries)} partitions of a {sectors}-sector disk")
else:
    fail("sgdisk lists the partitions", open(sgdisk_out).read()[:300])
    sys.exit(0)

disks = [g for g in root.iter(NS + "g") if g.get("class") == "disk"]
if len(disks) == 1:
    ok("the picture draws one disk")
else:
    fail("the picture draws one disk", f"{len(disks)} disk groups")
    sys.exit(0)
d = disks[0]
x0, width = float(d.get("data-x")), float(d.get("data-width"))
if int(d.get("data-sectors")) == sectors:
    ok("the disk's size in sectors is sgdisk's")
else:
    fail("the disk's size in sectors is sgdisk's", f"{d.get('data-sectors')} != {sectors}")

rects = [r for r in d.iter(NS + "rect") if r.get("class") == "partition"]
drawn = {int(r.get("data-index")): r for r in rects}
if sorted(drawn) == sorted(entries):
    ok(f"one rectangle per partition entry ({len(rects)})")
else:
    fail("one rectangle per partition entry", f"drawn {sorted(drawn)}, sgdisk {sorted(entries)}")

bad = []
for idx, (first, last, pname) in sorted(entries.items()):
    r = drawn.get(idx)
    if r is None:
        continue
    if (int(r.get("data-first-lba")), int(r.get("data-last-lba"))) != (first, last):
        bad.append(f"{pname}: LBAs {r.get('data-first-lba')}-{r.get('data-last-lba')} != {first}-{last}")
    if r.get("data-name") != pname:
        bad.append(f"partition {idx}: name {r.get('data-name')} != {pname}")
    want_w = (last - first + 1) / sectors * width
    want_x = x0 + first / sectors * width
    got_w, got_x = float(r.get("width")), float(r.get("x"))
    if abs(got_w - want_w) > 0.01 or abs(got_x - want_x) > 0.01:
        bad.append(f"{pname}: x {got_x} width {got_w}, expected x {want_x:.3f} width {want_w:.3f}")
if bad:
    fail("each rectangle's position and width are proportional to its GPT entry", "; ".join(bad))
else:
    ok("each rectangle's position and width are proportional to its GPT entry (first and last LBA, to 0.01 px)")

# the SVG's numbers have 3 decimals: allow their rounding
spans = sorted((float(r.get("x")), float(r.get("x")) + float(r.get("width"))) for r in rects)
overlap = any(a[1] > b[0] + 0.002 for a, b in zip(spans, spans[1:]))
inside = all(a >= x0 - 0.002 and b <= x0 + width + 0.002 for a, b in spans)
if not overlap and inside:
    ok("the rectangles do not overlap and lie inside the disk")
else:
    fail("the rectangles do not overlap and lie inside the disk", spans)
