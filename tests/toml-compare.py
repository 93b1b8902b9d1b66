#!/usr/bin/env python3
"""tests/toml-compare.py: check kiln's TOML reader (lua/toml.lua, through the plugin API)
against an independent reader or the toml-test suite. Not a test of its own (it needs data
that is not in the tree); the figures it prints are quoted in tests/fuzz/README.md.

usage: tests/toml-compare.py KILN tree DIR...    every *.toml and Cargo.lock under DIR,
                                                 compared with Python's tomllib
       tests/toml-compare.py KILN suite TESTS    toml-test's tests/ directory: every case of
                                                 files-toml-1.0.0 (valid: the value in its
                                                 .json; invalid: an error)
Prints the counts and every disagreement; exits 1 if there is one.
       tests/toml-compare.py KILN check FILE...  for tests/t-toml.sh: "ok" or "FAIL" lines
                                                 (tests/lib.sh's protocol), one per file that
                                                 both readers must accept with equal values
"""
import datetime
import json
import math
import os
import subprocess
import sys
import tempfile
import time
import tomllib

SRC = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def kiln_decode(kiln, files):
    """{path: ("ok", tagged value) or ("error", message)} from tests/plugins/decode"""
    with tempfile.TemporaryDirectory() as tmp:
        lst = os.path.join(tmp, "list")
        with open(lst, "w") as f:
            for p in files:
                f.write("toml " + p + "\n")
        build = os.path.join(tmp, "b")
        os.mkdir(build)
        env = dict(os.environ, KILN_DECODE_LIST=lst)
        t0 = time.time()
        r = subprocess.run([kiln, "gen", "-q", "--system=none",
                            "--plugin-dir=" + os.path.join(SRC, "tests/plugins/decode")],
                           cwd=build, env=env, capture_output=True, text=True)
        elapsed = time.time() - t0
        if r.returncode != 0:
            sys.exit("kiln gen failed: " + r.stderr[:2000])
        out = {}
        with open(os.path.join(build, "gen/decoded.txt"), encoding="utf-8") as f:
            for line in f:
                path, status, payload = line.rstrip("\n").split("\t", 2)
                out[path] = (status, json.loads(payload) if status == "ok" else payload)
        return out, elapsed


def dt_key(kind, text):
    """a comparable form of a tagged date-time value"""
    text = text.replace(" ", "T").replace("t", "T").replace("z", "Z")
    frac = ""
    if "." in text:
        head, rest = text.split(".", 1)
        i = 0
        while i < len(rest) and rest[i].isdigit():
            i += 1
        frac, tail = rest[:i], rest[i:]
        text = head + tail
    frac = (frac + "000000")[:6]  # microseconds, as tomllib keeps them
    return (kind, text, frac)


def py_tagged(v):
    """tomllib's value in toml-test's tagged form"""
    if isinstance(v, dict):
        return {k: py_tagged(x) for k, x in v.items()}
    if isinstance(v, list):
        return [py_tagged(x) for x in v]
    if isinstance(v, bool):
        return {"type": "bool", "value": "true" if v else "false"}
    if isinstance(v, int):
        return {"type": "integer", "value": str(v)}
    if isinstance(v, float):
        return {"type": "float", "value": "nan" if v != v else repr(v)}
    if isinstance(v, str):
        return {"type": "string", "value": v}
    if isinstance(v, datetime.datetime):
        if v.tzinfo is None:
            return {"type": "datetime-local", "value": v.isoformat()}
        off = v.utcoffset()
        return {"type": "datetime", "value": v.replace(tzinfo=None).isoformat() + fmt_offset(off)}
    if isinstance(v, datetime.date):
        return {"type": "date-local", "value": v.isoformat()}
    if isinstance(v, datetime.time):
        return {"type": "time-local", "value": v.isoformat()}
    raise TypeError(type(v))


def fmt_offset(off):
    m = int(off.total_seconds()) // 60
    if m == 0:
        return "Z"
    sign = "+" if m > 0 else "-"
    m = abs(m)
    return "%s%02d:%02d" % (sign, m // 60, m % 60)


def norm_offset(text):
    """+00:00 and -00:00 are Z for comparison"""
    for z in ("+00:00", "-00:00"):
        if text.endswith(z):
            return text[:-6] + "Z"
    return text


def same(a, b):
    """tagged values a (kiln) and b (expected) are equal"""
    if isinstance(a, dict) and "type" in a and isinstance(a.get("value"), str) and len(a) == 2:
        if not (isinstance(b, dict) and b.get("type") == a["type"] and len(b) == 2):
            return False
        t, x, y = a["type"], a["value"], b["value"]
        if t == "float":
            fx, fy = float(x), float(y)
            return (math.isnan(fx) and math.isnan(fy)) or fx == fy
        if t == "integer":
            return int(x) == int(y)
        if t.startswith("date") or t.startswith("time"):
            return dt_key(t, norm_offset(x)) == dt_key(t, norm_offset(y))
        return x == y
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return isinstance(b, list) and len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return False


def tree(kiln, dirs):
    files = []
    for d in dirs:
        for root, _, names in os.walk(d):
            for n in names:
                if n.endswith(".toml") or n == "Cargo.lock":
                    files.append(os.path.join(root, n))
    files.sort()
    ours, t_kiln = kiln_decode(kiln, files)
    agreed = differ = both_rejected = kiln_only = py_only = 0
    t0 = time.time()
    for p in files:
        try:
            with open(p, "rb") as f:
                ref = ("ok", py_tagged(tomllib.load(f)))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
            ref = ("error", str(e))
        st, val = ours[p]
        if st == "ok" and ref[0] == "ok":
            if same(val, ref[1]):
                agreed += 1
            else:
                differ += 1
                print("DIFFER", p)
        elif st == "error" and ref[0] == "error":
            both_rejected += 1
            print("BOTH REJECT", p, "::", val, "::", ref[1])
        elif st == "error":
            kiln_only += 1
            print("KILN REJECTS", p, "::", val)
        else:
            py_only += 1
            print("TOMLLIB REJECTS", p, "::", ref[1])
    t_py = time.time() - t0
    print("files %d: agreed %d, differing %d, rejected by kiln only %d, by tomllib only %d, by both %d"
          % (len(files), agreed, differ, kiln_only, py_only, both_rejected))
    print("time: kiln gen (reading and decoding all) %.2fs, tomllib %.2fs" % (t_kiln, t_py))
    return differ + kiln_only + py_only == 0


def suite(kiln, tests):
    cases = [l.strip() for l in open(os.path.join(tests, "files-toml-1.0.0")) if l.strip().endswith(".toml")]
    files = [os.path.join(tests, c) for c in cases]
    ours, _ = kiln_decode(kiln, files)
    vpass = vfail = ipass = ifail = 0
    for c, p in zip(cases, files):
        st, val = ours[p]
        if c.startswith("valid/"):
            with open(p[:-5] + ".json") as f:
                want = json.load(f)
            if st == "ok" and same(val, want):
                vpass += 1
            else:
                vfail += 1
                print("FAIL", c, "::", val if st == "error" else json.dumps(val)[:300])
        else:
            if st == "error":
                ipass += 1
            else:
                ifail += 1
                print("FAIL (accepted)", c)
    print("toml-test 1.0.0: valid %d passed, %d failed; invalid %d passed, %d failed"
          % (vpass, vfail, ipass, ifail))
    return vfail + ifail == 0


def check(kiln, files):
    ours, _ = kiln_decode(kiln, files)
    for p in files:
        name = "tomllib agrees: " + os.path.basename(p)
        try:
            with open(p, "rb") as f:
                ref = py_tagged(tomllib.load(f))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
            print("FAIL %s: tomllib refuses it: %s" % (name, e))
            continue
        st, val = ours[p]
        if st != "ok":
            print("FAIL %s: kiln refuses it: %s" % (name, val))
        elif not same(val, ref):
            print("FAIL %s: kiln %s, tomllib %s" % (name, json.dumps(val)[:200], json.dumps(ref)[:200]))
        else:
            print("ok " + name)
    return True


def main():
    if len(sys.argv) < 4 or sys.argv[2] not in ("tree", "suite", "check"):
        sys.exit(__doc__)
    kiln = os.path.abspath(sys.argv[1])
    mode = sys.argv[2]
    if mode == "tree":
        ok = tree(kiln, sys.argv[3:])
    elif mode == "suite":
        ok = suite(kiln, sys.argv[3])
    else:
        ok = check(kiln, [os.path.abspath(p) for p in sys.argv[3:]])
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
