#!/bin/sh
# modules/redox/rc-check.sh: F11, "the initfs references files it does not contain".
#
#   redox-rc-check.sh --manifest M --format rc|pcid [--root PREFIX] [--path DIR]...
#                     [--implied CMD=A,B]... [--other M2] -o OUT IN
#
# Reads IN, an init script (init.rc, init_drivers.rc, init.d/*) or a pcid driver table
# (initfs.toml, pcid.d/*.toml), and checks that every program it starts is in the image whose
# kiln manifest is M: commands run through PATH (export PATH is followed), absolute paths,
# `run FILE`, the programs a daemon spawns by itself (--implied hwd=acpid,pcid), and every
# driver `command`. PREFIX is where the image appears at run time (/scheme/initfs for the
# initfs); paths outside it are looked up in M2 when given (the root filesystem, which init.rc
# switches to with `export PATH /usr/bin`), else not checked. On success IN is
# copied to OUT (only when different: restat); on failure every missing program is named with
# its line, and the exit status is 1.
set -u
manifest= format=rc root= paths= implied= out= other=
while [ $# -gt 0 ]; do
	case $1 in
	--manifest) manifest=$2; shift 2 ;;
	--format) format=$2; shift 2 ;;
	--root) root=$2; shift 2 ;;
	--path) paths="$paths $2"; shift 2 ;;
	--implied) implied="$implied $2"; shift 2 ;;
	--other) other=$2; shift 2 ;;
	-o) out=$2; shift 2 ;;
	--) shift; break ;;
	-*) echo "redox-rc-check: unknown option $1" >&2; exit 2 ;;
	*) break ;;
	esac
done
[ $# -eq 1 ] && [ -n "$manifest" ] && [ -n "$out" ] || { echo "usage: redox-rc-check.sh --manifest M --format rc|pcid [--root P] [--path D]... -o OUT IN" >&2; exit 2; }
in=$1
[ -r "$in" ] || { echo "redox-rc-check: $in: cannot read [F11]" >&2; exit 2; }
[ -r "$manifest" ] || { echo "redox-rc-check: $manifest: cannot read the image manifest [F11]" >&2; exit 2; }
[ -z "$other" ] || [ -r "$other" ] || { echo "redox-rc-check: $other: cannot read the image manifest [F11]" >&2; exit 2; }

awk -v format="$format" -v root="$root" -v paths="$paths" -v implied="$implied" -v src="$in" -v other="$other" '
function unesc(s) { gsub(/\\s/, " ", s); gsub(/\\t/, "\t", s); gsub(/\\\\/, "\\", s); return s }
# the in-image path of run-time path p, or "" when p is outside this image
function inimage(p) {
	if (root == "") return p
	if (p == root) return "/"
	if (substr(p, 1, length(root) + 1) == root "/") return substr(p, length(root) + 1)
	return ""
}
# "ok", "outside" (nothing to check here), or the places looked at
function resolve(cmd,    i, n, d, ip, looked, outside) {
	if (cmd ~ /^\$/) return "ok"          # a variable: known only at run time
	if (cmd ~ /\//) {
		ip = inimage(cmd)
		if (ip == "") {
			if (other == "" || cmd ~ /^\/scheme\//) return "outside"
			return (cmd in have2) ? "ok" : cmd " (root filesystem)"
		}
		return (ip in have) ? "ok" : ip
	}
	n = split(pathv, d, ":")
	looked = ""; outside = 1
	for (i = 1; i <= n; i++) {
		if (d[i] == "") continue
		ip = inimage(d[i])
		if (ip == "") {
			if (other == "" || d[i] ~ /^\/scheme\//) continue
			outside = 0
			ip = (d[i] == "/" ? "" : d[i]) "/" cmd
			if (ip in have2) return "ok"
			looked = looked (looked == "" ? "" : ", ") ip " (root filesystem)"
			continue
		}
		outside = 0
		ip = (ip == "/" ? "" : ip) "/" cmd
		if (ip in have) return "ok"
		looked = looked (looked == "" ? "" : ", ") ip
	}
	return outside ? "outside" : looked
}
function need(cmd, line, why,    r, base, n, i, list) {
	r = resolve(cmd)
	if (r != "ok" && r != "outside") {
		printf "%s:%d: %s%s is not in the image (looked for %s); build and install it, or remove the line [F11]\n", src, line, cmd, why, r > "/dev/stderr"
		bad++
	}
	base = cmd; sub(/.*\//, "", base)
	if (base in imp) {
		n = split(imp[base], list, ",")
		for (i = 1; i <= n; i++) need(list[i], line, " (started by " base ")")
	}
}
BEGIN {
	pathv = paths; gsub(/^ +/, "", pathv); gsub(/ +/, ":", pathv)
	n = split(implied, il, " ")
	for (i = 1; i <= n; i++) { k = il[i]; sub(/=.*/, "", k); v = il[i]; sub(/^[^=]*=/, "", v); imp[k] = v }
	builtin["export"] = builtin["unset"] = builtin["cd"] = builtin["stdio"] = builtin["echo"] = 1
	builtin["run.d"] = builtin["set"] = builtin["nowait"] = builtin["sleep_ms"] = 1
	if (other != "") {
		while ((getline l < other) > 0) {
			split(l, f, " ")
			if (f[1] == "file" || f[1] == "symlink" || f[1] == "hardlink" || f[1] == "dir") have2[unesc(f[2])] = 1
		}
		close(other)
	}
}
FNR == NR {
	if ($1 == "file" || $1 == "symlink" || $1 == "hardlink" || $1 == "dir") have[unesc($2)] = 1
	next
}
format == "pcid" {
	if ($0 ~ /^[ \t]*command[ \t]*=/) {
		s = $0; sub(/^[^\[]*\[[ \t]*"/, "", s); sub(/".*/, "", s)
		if (s != "") need(s, FNR, "")
	}
	next
}
{
	line = $0; sub(/^[ \t]+/, "", line)
	if (line == "" || line ~ /^#/) next
	n = split(line, w, /[ \t]+/)
	i = 1
	if (w[1] == "nowait") i = 2
	cmd = w[i]
	if (cmd == "export" && w[i + 1] == "PATH") { pathv = w[i + 2]; next }
	if (cmd == "run") { if (w[i + 1] != "") need(w[i + 1], FNR, ""); next }
	if (cmd in builtin) next
	need(cmd, FNR, "")
}
END { exit bad ? 1 : 0 }
' "$manifest" "$in" || exit $?

if ! cmp -s "$in" "$out" 2>/dev/null; then
	cp -f "$in" "$out.tmp" && mv -f "$out.tmp" "$out"
fi
