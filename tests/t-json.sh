# tests/t-json.sh: the JSON reader and writer (lua/json.lua) as plugins see them (json_decode,
# json_encode, through tests/plugins/decode): RFC 8259 numbers (malformed ones such as [1e,2]
# refused, integers exact within 64 bits and refused beyond, floats finite), strings (escapes,
# surrogate pairs, lone surrogates, control characters, UTF-8), nesting depth, duplicate names,
# null, trailing text, each refusal with its exact one-line message (name:line:column); what
# json_encode writes back; and the replay of the fuzz corpus through tests/fuzz/json.c.
. "$SRCDIR/tests/lib.sh"
T=$TMPDIR_T
cd "$T" || exit 1
: >list
: >cases

# valid NAME TEXT VALUE: TEXT decodes to VALUE (tagged JSON as in t-toml.sh); TEXT "-" when
# NAME.json is written already
valid() {
	[ "$2" = - ] || printf '%s' "$2" >"$1.json"
	printf '%s' "$3" >"$1.want"
	echo "json $T/$1.json" >>list
	echo "valid $1" >>cases
}
# invalid NAME TEXT MESSAGE: TEXT is refused with exactly "NAME.json:MESSAGE"
invalid() {
	[ "$2" = - ] || printf '%s' "$2" >"$1.json"
	printf '%s.json:%s' "$1" "$3" >"$1.want"
	echo "json $T/$1.json" >>list
	echo "invalid $1" >>cases
}
# encoded NAME TEXT ENCODED: json_encode(json_decode(TEXT)) is ENCODED (as a JSON string)
encoded() {
	printf '%s' "$2" >"$1.json"
	printf '%s' "$3" >"$1.want"
	echo "jsonenc $T/$1.json" >>list
	echo "valid $1" >>cases
}

i=0 deep=
while [ $i -lt 256 ]; do deep="[$deep]"; i=$((i + 1)); done

# --- values -------------------------------------------------------------------------------------
valid numbers '[0, -0, 9223372036854775807, -9223372036854775808, 1.5, -0.0, 1e2, 1E-2, 0.1, 2.5e+3]' \
	'[{"type":"integer","value":"0"},{"type":"integer","value":"0"},{"type":"integer","value":"9223372036854775807"},{"type":"integer","value":"-9223372036854775808"},{"type":"float","value":"1.5"},{"type":"float","value":"-0"},{"type":"float","value":"100"},{"type":"float","value":"0.01"},{"type":"float","value":"0.10000000000000001"},{"type":"float","value":"2500"}]'
valid strings '["\u00e9\uD83D\uDE00", "\"\\\/\b\f\n\r\t", "raw é", "\u0000", ""]' \
	'[{"type":"string","value":"é😀"},{"type":"string","value":"\"\\/\b\f\n\r\t"},{"type":"string","value":"raw é"},{"type":"string","value":"\u0000"},{"type":"string","value":""}]'
valid nulls '{"a": null, "b": [1, null, 2], "c": {}, "d": []}' \
	'{"b":[{"type":"integer","value":"1"},null,{"type":"integer","value":"2"}],"c":{},"d":[]}'
valid top-null ' null ' 'null'
valid top-scalar '
	"x"
' '{"type":"string","value":"x"}'
printf '%s' "$deep" >deep-256.json
valid deep-256 - "$deep"

# --- refused, with the exact message --------------------------------------------------------------
invalid bad-exponent '[1e,2]' "1:2: invalid number '1e': expected a digit in the exponent"
invalid big-integer '99999999999999999999' "1:1: integer 99999999999999999999 is out of range: integers are read exactly and must fit in 64 bits (-9223372036854775808 to 9223372036854775807); write it as a string, or with a fraction or an exponent to read it as a float"
invalid below-int64 '[-9223372036854775809]' "1:2: integer -9223372036854775809 is out of range: integers are read exactly and must fit in 64 bits (-9223372036854775808 to 9223372036854775807); write it as a string, or with a fraction or an exponent to read it as a float"
invalid float-overflow '[1e400]' "1:2: number 1e400 is too large for a float (at most about 1.8e308)"
invalid leading-zero '[01]' "1:2: invalid number '01': leading zeros are not allowed"
invalid plus-sign '[+1]' "1:2: expected a value (an object, array, string, number, true, false or null), found '+'"
invalid leading-dot '[.5]' "1:2: expected a value (an object, array, string, number, true, false or null), found '.'"
invalid trailing-dot '[1.]' "1:2: invalid number '1.': expected a digit after the decimal point"
invalid lone-minus '[-]' "1:2: invalid number '-': expected a digit after '-'"
invalid number-junk '[1.5x]' "1:2: invalid number '1.5x': unexpected characters after it"
invalid long-number '[111111111111111111111111111111111111111111111111111111111111x]' "1:2: invalid number '1111111111111111111111111111111111111111...': unexpected characters after it"
invalid number-minus '[1-5]' "1:2: invalid number '1-5': unexpected characters after it"
invalid number-plus '[2+3]' "1:2: invalid number '2+3': unexpected characters after it"
invalid nan '[NaN]' "1:2: expected a value (an object, array, string, number, true, false or null), found 'NaN'"
invalid true-case '[True]' "1:2: expected a value (an object, array, string, number, true, false or null), found 'True'"
invalid high-surrogate '["\uD800"]' '1:3: \uD800 is a high surrogate not followed by a low surrogate escape (\uDC00 to \uDFFF)'
invalid high-then-letter '["\uD83D\u0041"]' '1:3: \uD83D is a high surrogate not followed by a low surrogate escape (\uDC00 to \uDFFF)'
invalid low-surrogate '["ab\uDE00"]' '1:5: \uDE00 is a low surrogate without a high surrogate before it'
invalid short-u '["\u12"]' '1:3: \u needs four hexadecimal digits'
invalid bad-escape '["\x41"]' "1:3: unknown escape: a backslash followed by 'x'; the escapes are \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX"
printf '["a\tb"]' >raw-tab.json
invalid raw-tab - '1:4: the control character U+0009 must be escaped in a string (\u0009)'
printf '["\303\251", "\355\240\200"]' >bad-utf8.json
invalid bad-utf8 - '1:8: invalid UTF-8 (byte 0xED); JSON text is UTF-8'
printf '\357\273\277{}' >bom.json
invalid bom - '1:1: a byte order mark is not allowed at the start of JSON text (RFC 8259, section 8.1)'
invalid trailing '[1] 2' "1:5: expected the end of the text after the value, found '2'"
invalid empty '' '1:1: expected a value (an object, array, string, number, true, false or null), found the end of the text'
invalid blank ' 
 ' '2:2: expected a value (an object, array, string, number, true, false or null), found the end of the text'
invalid duplicate '{"a": 1,
 "a": 2}' '2:2: the name "a" is given twice in this object (first at line 1, column 2)'
invalid missing-colon '{"a" 1}' "1:6: expected ':' after the member name, found '1'"
invalid missing-comma '[1 2]' "1:4: expected ',' or ']' after an array element, found '2'"
invalid trailing-comma '[1,]' "1:4: expected a value (an object, array, string, number, true, false or null), found ']'"
invalid trailing-comma-object '{"a":1,}' "1:8: expected a member name in quotes, found '}'"
invalid single-quotes "{'a':1}" "1:2: expected a member name in quotes, found '''"
invalid unclosed-array '[1, 2' "1:1: this array is never closed with ']'"
invalid unclosed-object '{"a": 1' "1:1: this object is never closed with '}'"
invalid unclosed-string '["abc' '1:2: this string is never closed with '"'"'"'"'"
invalid position '{
  "a": 1,
  "b": x
}' "3:8: expected a value (an object, array, string, number, true, false or null), found 'x'"
printf '[%s]' "$deep" >deep-257.json
invalid deep-257 - "1:257: arrays and objects nested deeper than 256"

# --- what json_encode writes back ---------------------------------------------------------------
encoded floats '[1.0, -0.0, 0.1, 1e300, 100, 0.30000000000000004]' '"[\n    1.0,\n    -0.0,\n    0.1,\n    1e+300,\n    100,\n    0.30000000000000004\n]\n"'
encoded shapes '{"o": {}, "a": [], "n": [null], "s": "\u0001\"é"}' '"{\n    \"a\": [],\n    \"n\": [\n        null\n    ],\n    \"o\": {},\n    \"s\": \"\\u0001\\\"é\"\n}\n"'

KILN_DECODE_LIST=$T/list "$KILN" gen -q --system=none --plugin-dir="$SRCDIR/tests/plugins/decode" >gen.out 2>&1 </dev/null &&
	mv gen/decoded.txt decoded.txt 2>/dev/null
if [ -f decoded.txt ]; then ok "the decode plugin ran"; else fail "the decode plugin ran" "$(head -c 400 gen.out)"; fi
awk -F'\t' -v t="$T/" '
	function strip(s,  i) { while ((i = index(s, t)) > 0) s = substr(s, 1, i - 1) substr(s, i + length(t)); return s }
	{ p = strip($1); sub(/\.json$/, "", p); print $2 "\t" strip($3) > (p ".got") }' decoded.txt
while read -r how name; do
	got=$(cat "$name.got" 2>/dev/null)
	want=$(cat "$name.want")
	if [ "$how" = valid ]; then eq "decodes: $name" "ok	$want" "$got"
	else eq "refused with its line and column: $name" "error	$want" "$got"; fi
done <cases

# --- without a name, and bad arguments -------------------------------------------------------------
mkdir -p args args-b && printf 'json_decode("[1e,2]")\n' >args/x.lua
expect_fail "without a name, errors say json" 1 " json:1:2: invalid number '1e': expected a digit in the exponent" \
	sh -c "cd args-b && '$KILN' gen --system=none --plugin-dir='$T/args'"
printf 'json_decode({})\n' >args/x.lua
expect_fail "json_decode of a table names the plugin line" 1 'x\.lua:1: json_decode: the text is a table, not a string' \
	sh -c "cd args-b && '$KILN' gen --system=none --plugin-dir='$T/args'"
printf 'json_encode({ 0/0 })\n' >args/x.lua
expect_fail "json_encode refuses nan" 1 'json: cannot encode (-?nan|-nan)' \
	sh -c "cd args-b && '$KILN' gen --system=none --plugin-dir='$T/args'"
printf 'json_encode({ "\\255" })\n' >args/x.lua
expect_fail "json_encode refuses a string that is not UTF-8" 1 'json: cannot encode a string that is not UTF-8' \
	sh -c "cd args-b && '$KILN' gen --system=none --plugin-dir='$T/args'"

# --- the fuzz corpus replays through the driver (tests/fuzz/json.c), sanitizers on ----------------
lua_cflags=$(pkg-config --cflags lua5.4 2>/dev/null || pkg-config --cflags lua 2>/dev/null)
lua_libs=$(pkg-config --libs lua5.4 2>/dev/null || pkg-config --libs lua 2>/dev/null)
san=-fsanitize=address,undefined
echo 'int main(void){return 0;}' >san.c
${CC:-cc} $san -o san san.c 2>/dev/null || san=
if ${CC:-cc} -std=c11 -O1 -g $san $lua_cflags -o replay "$SRCDIR/tests/fuzz/json.c" "$SRCDIR/tests/fuzz/lua_reader.c" \
	"$SRCDIR/tests/fuzz/standalone.c" $lua_libs 2>replay.err; then
	n=$(ls "$SRCDIR/tests/fuzz/corpus/json" | wc -l | tr -d ' ')
	KILN_SRCDIR=$SRCDIR ./replay "$SRCDIR"/tests/fuzz/corpus/json/* >replay.out 2>&1
	rc=$? r=$(grep -c '^ok replay' replay.out)
	if [ "$rc" -eq 0 ] && [ "$r" -eq "$n" ] && [ "$n" -gt 0 ]; then ok "fuzz corpus replay: $n seeds"
	else fail "fuzz corpus replay" "status $rc, $r of $n replayed: $(tail -n 3 replay.out | tr '\n' ' ')"; fi
else
	fail "fuzz replay: build" "$(head -c 300 replay.err)"
fi
