#!/usr/bin/env python3
"""tests/reader-diff.py: differential check of kiln's readers against Python's on random
documents: TOML (lua/toml.lua) against tomllib, JSON (lua/json.lua) against the json module
made strict (no NaN or Infinity, no duplicate names, 64-bit integers, finite floats). The
documents come from a small grammar (keys, every value form, tables, arrays, inline tables,
edge-case numbers, strings and dates), a third of them then mutated byte by byte. Not a test
of its own; it found the [1-5] bug of json_decode.

usage: tests/reader-diff.py KILN toml|json COUNT SEED
Prints each disagreement and the counts. Known and intended differences: kiln refuses
integers outside 64 bits (TOML 1.0 requires it; tomllib reads any size, so these show as
"rejected by kiln only") and lone surrogate escapes in JSON; it accepts the leap second :60
(RFC 3339), which Python's datetime cannot hold, so the generator does not write one.
"""
import importlib.util
import json
import math
import os
import random
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True  # no tests/__pycache__ from loading toml-compare.py
HERE = os.path.dirname(os.path.abspath(__file__))
_spec = importlib.util.spec_from_file_location("toml_compare", os.path.join(HERE, "toml-compare.py"))
tc = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(tc)

R = random.Random()

# --- TOML documents ----------------------------------------------------------------------------
def bare():
    return R.choice(["a","b","c","key","x-y","_z","1","007","true","inf","nan","ab_c"])
def qkey():
    s = R.choice(["a b","a.b","","é","\\\"q\\\"","\\u00e9","\\t","'x'","=", "#"])
    return '"%s"' % s if "'" in s or R.random()<0.6 else "'%s'" % s.replace("\\","")
def key():
    parts = [bare() if R.random()<0.7 else qkey() for _ in range(R.choice([1,1,1,2,3]))]
    sep = R.choice([".", ".", " . "])
    return sep.join(parts)
def sval():
    kinds = [
        lambda: '"%s"' % R.choice(["", "x", "a\\nb", "\\u00E9", "\\U0001F600", "\\uD800", "\\\\", "\\\"", "\\x", "tab\\t", "é"]),
        lambda: "'%s'" % R.choice(["", "C:\\x", "a\"b", "é"]),
        lambda: '"""%s"""' % R.choice(["", "\na\nb", "a \\\n   b", '""q""', "\\\n", 'a""', "x\\   \n y"]),
        lambda: "'''%s'''" % R.choice(["", "\nraw\\n", "a''b", "''"]),
    ]
    return R.choice(kinds)()
def num():
    return R.choice(["0","-0","+0","1","-1","+1","007","1_000","1__0","_1","1_","9223372036854775807","-9223372036854775808",
        "9223372036854775808","0x7fffffffffffffff","0x8000000000000000","0xDEAD_beef","0o777","0o8","0b102","0b1","+0x1",
        "1.0","1.","1e5","1E+5","1e-05","-0.0","3.14_15","1.2e3_4","1e_5","inf","-inf","+nan","nan","1.5e400",".5","0.e1",
        "1979-05-27","1979-05-27T07:32:00Z","1979-05-27 07:32:00.123456789-07:00","1979-05-27t07:32:00z","07:32:00","07:32",
        "2000-02-29","2001-02-29","24:00:00","1979-05-27T07:32:61Z","true","false","True"])
def val(d=0):
    r = R.random()
    if d < 3 and r < 0.12:
        items = [val(d+1) for _ in range(R.randint(0,3))]
        sepn = R.choice([", ", ",", ",\n  ", " ,# c\n"])
        return "[" + R.choice(["","\n"]) + sepn.join(items) + R.choice(["", ",", ",\n"]) + "]"
    if d < 3 and r < 0.22:
        items = [key() + " = " + val(d+1) for _ in range(R.randint(0,3))]
        return "{" + R.choice([" ",""]) + ", ".join(items) + R.choice([" ","", ","]) + "}"
    if r < 0.6: return num()
    return sval()
def toml_doc():
    lines = []
    for _ in range(R.randint(1, 12)):
        r = R.random()
        if r < 0.2: lines.append("[" + key() + "]")
        elif r < 0.3: lines.append("[[" + key() + "]]")
        elif r < 0.35: lines.append("# comment " + R.choice(["", "é", "\t"]))
        elif r < 0.38: lines.append("")
        else: lines.append(key() + R.choice([" = ", "=", " =  "]) + val() + R.choice(["", " # c", "  "]))
    s = "\n".join(lines) + R.choice(["", "\n"])
    if R.random() < 0.3:  # mutate
        b = list(s)
        for _ in range(R.randint(1,3)):
            if not b: break
            i = R.randrange(len(b))
            op = R.random()
            if op < 0.4: del b[i]
            elif op < 0.7: b.insert(i, R.choice(list("[]{}\"'=.,#\n \\_-+:0aZ\r\t")))
            else: b[i] = R.choice(list("[]{}\"'=.,#\n \\_-+:0aZ"))
        s = "".join(b)
    return s

# --- JSON documents ----------------------------------------------------------------------------
def jstr():
    return '"' + R.choice(["", "a", "\\n", "\\u00e9", "\\uD83D\\uDE00", "\\uD800", "\\uDC00", "\\uD800\\u0041", "\\/", "\\x", "é", "\\u12", "\t", "\\\\", "\\\""]) + '"'
def jnum():
    return R.choice(["0","-0","1","-1","01","+1",".5","1.","1e","1e5","1E+5","1e-5","-0.0","0.1","9223372036854775807","9223372036854775808","-9223372036854775808","-9223372036854775809","99999999999999999999","1e400","-1e400","1.5e-400","123.456e7","-","1.5x","NaN","Infinity","-Infinity"])
def jval(d=0):
    r = R.random()
    if d < 4 and r < 0.2:
        return "[" + R.choice([",",", "," , "]).join(jval(d+1) for _ in range(R.randint(0,3))) + R.choice(["","",","]) + "]"
    if d < 4 and r < 0.4:
        return "{" + ",".join(jstr() + R.choice([":", " : "]) + jval(d+1) for _ in range(R.randint(0,3))) + R.choice(["","",","]) + "}"
    if r < 0.7: return jnum()
    if r < 0.8: return R.choice(["true","false","null","True","nul"])
    return jstr()
def json_doc():
    s = R.choice(["", " ", "\n"]) + jval() + R.choice(["", " ", "\n", " x"])
    if R.random() < 0.3:
        b = list(s)
        for _ in range(R.randint(1,3)):
            if not b: break
            i = R.randrange(len(b)); op = R.random()
            if op < 0.4: del b[i]
            elif op < 0.7: b.insert(i, R.choice(list('[]{}",:.-+0e\\ \n\r\tu')))
            else: b[i] = R.choice(list('[]{}",:.-+0e\\ '))
        s = "".join(b)
    return s

# --- the strict Python JSON reader, as tagged values --------------------------------------------
class Bad(Exception): pass
def pairs(ps):
    d = {}
    for k, v in ps:
        if k in d: raise Bad("dup")
        d[k] = v
    return d
def const(c): raise Bad(c)
def tag(v):
    if v is None: return None
    if isinstance(v, dict): return {k: tag(x) for k, x in v.items() if x is not None}
    if isinstance(v, list): return [tag(x) for x in v]
    if isinstance(v, bool): return {"type":"bool","value":"true" if v else "false"}
    if isinstance(v, int):
        if not -2**63 <= v < 2**63: raise Bad("range")
        return {"type":"integer","value":str(v)}
    if isinstance(v, float):
        if math.isinf(v): raise Bad("inf")
        return {"type":"float","value":repr(v)}
    if isinstance(v, str):
        v.encode("utf-8")
        return {"type":"string","value":v}
def same(a, b):
    if isinstance(a, dict) and set(a) == {"type","value"} and isinstance(a["value"], str):
        if not (isinstance(b, dict) and b.get("type") == a["type"]): return False
        if a["type"] == "float":
            x, y = float(a["value"]), float(b["value"])
            return x == y and math.copysign(1, x) == math.copysign(1, y)
        return a["value"] == b["value"]
    if isinstance(a, dict): return isinstance(b, dict) and a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list): return isinstance(b, list) and len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return a == b


def kiln_json(kiln, files):
    with tempfile.TemporaryDirectory() as tmp:
        lst = os.path.join(tmp, "list")
        with open(lst, "w") as f:
            for p in files:
                f.write("json " + p + "\n")
        os.mkdir(os.path.join(tmp, "b"))
        subprocess.run([kiln, "gen", "-q", "--system=none", "--plugin-dir=" + os.path.join(HERE, "plugins/decode")],
                       cwd=os.path.join(tmp, "b"), env=dict(os.environ, KILN_DECODE_LIST=lst), check=True)
        ours = {}
        for line in open(os.path.join(tmp, "b/gen/decoded.txt"), encoding="utf-8"):
            p, st, pay = line.rstrip("\n").split("\t", 2)
            ours[p] = (st, json.loads(pay) if st == "ok" else pay)
        return ours


def main():
    if len(sys.argv) != 5 or sys.argv[2] not in ("toml", "json"):
        sys.exit(__doc__)
    kiln, kind, count = os.path.abspath(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    R.seed(int(sys.argv[4]))
    with tempfile.TemporaryDirectory() as tmp:
        if kind == "toml":
            d = os.path.join(tmp, "docs")
            os.mkdir(d)
            for i in range(count):
                with open(os.path.join(d, "d%06d.toml" % i), "w", newline="") as f:
                    f.write(toml_doc())
            ok = tc.tree(kiln, [d])
            sys.exit(0 if ok else 1)
        files = []
        for i in range(count):
            p = os.path.join(tmp, "j%06d.json" % i)
            with open(p, "w", newline="") as f:
                f.write(json_doc())
            files.append(p)
        ours = kiln_json(kiln, files)
        counts = {}
        for p in files:
            raw = open(p, "rb").read()
            try:
                ref = ("ok", tag(json.loads(raw.decode("utf-8"), object_pairs_hook=pairs, parse_constant=const)))
            except (ValueError, Bad, UnicodeError) as e:
                ref = ("error", str(e))
            st, v = ours[p]
            if st == "ok" and ref[0] == "ok":
                k = "agreed" if same(v, ref[1]) else "differing"
            elif st == ref[0]:
                k = "rejected by both"
            elif st == "error" and "surrogate" in v:
                k = "lone surrogate (intended)"
            else:
                k = "rejected by kiln only" if st == "error" else "rejected by python only"
            counts[k] = counts.get(k, 0) + 1
            if k in ("differing", "rejected by kiln only", "rejected by python only"):
                print(k, repr(raw[:160]), "::", v if st == "error" else ref[1])
        print("json documents %d: %s" % (count, ", ".join("%s %d" % kv for kv in sorted(counts.items()))))
        sys.exit(0 if not (counts.get("differing") or counts.get("rejected by kiln only") or counts.get("rejected by python only")) else 1)


main()
