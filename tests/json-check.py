#!/usr/bin/env python3
"""tests/json-check.py: the JSON of kiln list, show and why against their text output.

usage: json-check.py list|show|why NAME JSON-FILE TEXT-FILE

Parses JSON-FILE with Python's json module (strict: no NaN, no trailing data) and checks that
every fact it carries is in the text output, line for line, and that the text has no line the
JSON lacks (list). Prints one "ok NAME" or "FAIL NAME: reason" line (tests/lib.sh).
"""
import json
import sys

mode, name, jpath, tpath = sys.argv[1:5]


def reject(c):
    raise ValueError(f"not JSON: {c}")


try:
    with open(jpath, encoding="utf-8") as f:
        data = json.loads(f.read(), parse_constant=reject)
except (ValueError, UnicodeDecodeError) as e:
    print(f"FAIL {name}: the JSON does not parse: {e}")
    sys.exit(0)
text = open(tpath, encoding="utf-8").read()
lines = text.split("\n")
want = []  # lines the text must contain, in order of the facts


def line(s):
    want.append(s)


if mode == "list":
    if data.get("schema") != "kiln-list-1":
        print(f"FAIL {name}: schema is {data.get('schema')!r}")
        sys.exit(0)
    rebuilt = "".join("%-24s %-14s %s\n" % (i["name"], i["kind"], i["origin"]) for i in data["items"])
    if rebuilt == text and data["items"]:
        print(f"ok {name}")
    else:
        print(f"FAIL {name}: the JSON items do not give the text lines ({len(data['items'])} items)")
    sys.exit(0)

if mode == "show":
    if data.get("schema") != "kiln-show-1":
        print(f"FAIL {name}: schema is {data.get('schema')!r}")
        sys.exit(0)
    line(data["name"])
    line(f"  kind:         {data['kind']}")
    line(f"  declared at:  {data['origin']}")
    if "description" in data:
        line(f"  description:  {data['description']}")
    if "source_dir" in data:
        line(f"  source dir:   {data['source_dir']}")
    if "build" in data:
        line(f"  build:        {data['build']['module']} ({data['build']['origin']})")
    if "elf_policy" in data:
        line(f"  elf policy:   {data['elf_policy']}")
    if "cargo" in data:
        c = data["cargo"]
        line(f"  cargo run:    {c['run']} ({c['crates']} crate{'' if c['crates'] == 1 else 's'}, log {c.get('log', '-')})")
        for cf in c["config_files"]:
            line(f"  cargo config: {cf}")
        for o in c["overridden"]:
            line(f"  overridden:   {o}")
    if data["declaration"] == "image":
        built = f" ({data['built_size']} bytes built)" if "built_size" in data else " (not built)"
        line(f"  output:       {data['output']}{built}")
        if "size" in data:
            line(f"  size:         {data['size']} bytes")
        if "max_size" in data:
            line(f"  max size:     {data['max_size']} bytes")
        if "bootstrap" in data:
            line(f"  bootstrap:    {data['bootstrap']}")
        for e in data["contents"]:
            sz = "%10d" % e["size"] if "size" in e else (e["type"] if e["type"] != "file" else "")
            line(f"    {e['path']:<30} {e.get('component', ''):<14} {sz}")
        for p in data["partitions"]:
            line(f"    partition {p['name']:<10} {p['type']}" + (f" <- {p['image']}" if "image" in p else ""))
    for i in data["inputs"]:
        line(f"    {i}")
    if "files" in data:
        line(f"  files (into {data['files']['image']}):")
        for e in data["files"]["entries"]:
            line(f"    {e['path']:<30} {e.get('source', e['type'])}")
    for o in data["outputs"]:
        line(f"    {o}")
    if data["depends_on"]:
        line("  depends on:   " + " ".join(data["depends_on"]))
    if data["needed_by"]:
        line("  needed by:    " + " ".join(data["needed_by"]))
    for r in data["lands_in"]:
        line(f"    {r['chain']}")
        if ("path" in r) == ("partition" in r):
            print(f"FAIL {name}: a lands_in entry has neither or both of path and partition: {r}")
            sys.exit(0)
elif mode == "why":
    if data.get("schema") != "kiln-why-1" or not data["matches"]:
        print(f"FAIL {name}: schema {data.get('schema')!r}, {len(data.get('matches', []))} matches")
        sys.exit(0)
    for m in data["matches"]:
        line(f"{m['path']} in image {m['image']} ({m['image_output']})")
        line(f"  put there by {m['by']['declaration']} '{m['by']['name']}' ({m['by']['origin']})")
        if "from" in m:
            line(f"  from {m['from']}")
        for c in m["chains"]:
            line(f"  chain: {c}")
        if m["built_after"]:
            line("  built after: " + " ".join(m["built_after"]))

have = set(lines)
missing = [w for w in want if w.rstrip() not in {l.rstrip() for l in have}]
if missing:
    print(f"FAIL {name}: facts of the JSON missing from the text: {missing[:3]}")
elif len(want) < 4:
    print(f"FAIL {name}: too few facts to compare ({len(want)})")
else:
    print(f"ok {name} ({len(want)} facts)")
