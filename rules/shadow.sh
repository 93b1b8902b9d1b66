#!/bin/sh
# rules/shadow.sh: /etc/shadow from "NAME;PASSWORD;SALT" lines, as the Redox installer writes
# it: "NAME;" for an empty password, else "NAME;HASH" with HASH the argon2 encoding of
# `kiln passwd-hash --salt=SALT`. The output is written only when its bytes change.
#   shadow.sh KILN IN OUT
set -eu
kiln=$1 in=$2 out=$3
tmp=$out.tmp
trap 'rm -f "$tmp"' EXIT
: >"$tmp"
while IFS=';' read -r name pass salt; do
	if [ -z "$pass" ]; then
		printf '%s;\n' "$name" >>"$tmp"
	else
		hash=$(printf '%s\n' "$pass" | "$kiln" passwd-hash --salt="$salt") ||
			{ echo "shadow.sh: kiln passwd-hash failed for user $name" >&2; exit 1; }
		printf '%s;%s\n' "$name" "$hash" >>"$tmp"
	fi
done <"$in"
if cmp -s "$tmp" "$out"; then rm -f "$tmp"; else mv -f "$tmp" "$out"; fi
