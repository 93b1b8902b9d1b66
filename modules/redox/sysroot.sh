#!/bin/sh
# modules/redox/sysroot.sh: the two sysroot steps that are more than one command.
#   sysroot.sh copy IN OUT                   OUT becomes a copy of IN (left alone when equal)
#   sysroot.sh crt KILN LLD PREFIX IN OUT    the objects of the staticlib IN that are the CRT
#                                            crate's own (named PREFIX*), merged into one
#                                            relocatable OUT with rust-lld -r
# An output whose bytes do not change keeps its mtime (the rule restats).
set -eu
case $1 in
copy)
	cmp -s "$2" "$3" || { cp -f "$2" "$3.tmp" && mv -f "$3.tmp" "$3"; } ;;
crt)
	kiln=$2 lld=$3 prefix=$4 in=$5 out=$6
	rm -rf "$out.x"
	"$kiln" ar x "$in" --prefix="$prefix" -C "$out.x"
	"$lld" -flavor gnu -r -o "$out.tmp" "$out.x"/*.o
	rm -rf "$out.x"
	if cmp -s "$out.tmp" "$out"; then rm -f "$out.tmp"; else mv -f "$out.tmp" "$out"; fi ;;
*)
	echo "sysroot.sh: unknown step '$1'" >&2; exit 2 ;;
esac
