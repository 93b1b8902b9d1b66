# tests/t-toml.sh: the TOML reader (lua/toml.lua) as plugins see it (toml_decode, through
# tests/plugins/decode): valid documents and their exact values (the Cargo idioms, such as
# ion's quoted cfg keys with \" inside, integers at the 64-bit limits, every string kind,
# dates and times), the same documents against Python's tomllib, invalid ones with their exact
# one-line messages (name:line:column), the redefinition rules, the positions option, bad
# arguments; and the replay of the fuzz corpus through tests/fuzz/toml.c.
. "$SRCDIR/tests/lib.sh"
T=$TMPDIR_T
cd "$T" || exit 1
: >list
: >cases

# valid NAME TEXT VALUE: TEXT decodes to VALUE (toml-test's tagged JSON, keys sorted); TEXT "-"
# when NAME.toml is written already
valid() {
	[ "$2" = - ] || printf '%s' "$2" >"$1.toml"
	printf '%s' "$3" >"$1.want"
	echo "toml $T/$1.toml" >>list
	echo "valid $1" >>cases
}
# invalid NAME TEXT MESSAGE: TEXT is refused with exactly "NAME.toml:MESSAGE"
invalid() {
	printf '%s' "$2" >"$1.toml"
	printf '%s.toml:%s' "$1" "$3" >"$1.want"
	echo "toml $T/$1.toml" >>list
	echo "invalid $1" >>cases
}
# positions NAME TEXT LINES: with { lines = true }, the "key.path=line" list is LINES
positions() {
	printf '%s' "$2" >"$1.toml"
	printf '%s' "$3" >"$1.want"
	echo "lines $T/$1.toml" >>list
	echo "valid $1" >>cases
}

# --- values -------------------------------------------------------------------------------------
valid ion-cfg-key '[target."cfg(all(unix, not(target_os = \"redox\")))".dependencies]
users = "0.10"

[target.'"'"'cfg(target_os = "redox")'"'"'.dependencies]
redox_users = "0.4"
' '{"target":{"cfg(all(unix, not(target_os = \"redox\")))":{"dependencies":{"users":{"type":"string","value":"0.10"}}},"cfg(target_os = \"redox\")":{"dependencies":{"redox_users":{"type":"string","value":"0.4"}}}}}'

valid integers 'max = 9223372036854775807
min = -9223372036854775808
hexmax = 0x7FFF_ffff_ffff_ffff
oct = 0o755
bin = 0b1010
us = 1_000_000
plus = +42
zero = -0
' '{"bin":{"type":"integer","value":"10"},"hexmax":{"type":"integer","value":"9223372036854775807"},"max":{"type":"integer","value":"9223372036854775807"},"min":{"type":"integer","value":"-9223372036854775808"},"oct":{"type":"integer","value":"493"},"plus":{"type":"integer","value":"42"},"us":{"type":"integer","value":"1000000"},"zero":{"type":"integer","value":"0"}}'

valid floats 'exp = 1e3
neg = -0.5
negzero = -0.0
us = 1_0.2_5e-0_1
big = 1e400
inf = inf
ninf = -inf
nan = nan
one = 1.0
' '{"big":{"type":"float","value":"inf"},"exp":{"type":"float","value":"1000"},"inf":{"type":"float","value":"inf"},"nan":{"type":"float","value":"nan"},"neg":{"type":"float","value":"-0.5"},"negzero":{"type":"float","value":"-0"},"ninf":{"type":"float","value":"-inf"},"one":{"type":"float","value":"1"},"us":{"type":"float","value":"1.0249999999999999"}}'

valid dates 'odt = 1979-05-27T07:32:00Z
space = 1979-05-27 07:32:00.5+05:30
lower = 1979-05-27t07:32:00z
ldt = 1979-05-27T07:32:00
ld = 2000-02-29
lt = 07:32:00.999
list = [1979-05-27, 00:00:00]
' '{"ld":{"type":"date-local","value":"2000-02-29"},"ldt":{"type":"datetime-local","value":"1979-05-27T07:32:00"},"list":[{"type":"date-local","value":"1979-05-27"},{"type":"time-local","value":"00:00:00"}],"lower":{"type":"datetime","value":"1979-05-27T07:32:00Z"},"lt":{"type":"time-local","value":"07:32:00.999"},"odt":{"type":"datetime","value":"1979-05-27T07:32:00Z"},"space":{"type":"datetime","value":"1979-05-27T07:32:00.5+05:30"}}'

# RFC 3339 allows a leap second (tomllib does not: it is left out of the comparison below)
valid leap-second 'leap = 2016-12-31T23:59:60Z
' '{"leap":{"type":"datetime","value":"2016-12-31T23:59:60Z"}}'

valid strings 'esc = "\b\t\n\f\r\"\\ \u00E9 \U0001F600"
lit = '"'"'C:\dir\n'"'"'
ml = """
one ""two"" \
    three"""""
mll = '"'"''"'"''"'"'
raw \n '"'"''"'"'x'"'"''"'"''"'"''"'"''"'"'
empty = ""
"" = "empty key"
"quoted \"key\"" = 1
' '{"":{"type":"string","value":"empty key"},"empty":{"type":"string","value":""},"esc":{"type":"string","value":"\b\t\n\f\r\"\\ é 😀"},"lit":{"type":"string","value":"C:\\dir\\n"},"ml":{"type":"string","value":"one \"\"two\"\" three\"\""},"mll":{"type":"string","value":"raw \\n '"'"''"'"'x'"'"''"'"'"},"quoted \"key\"":{"type":"integer","value":"1"}}'

valid tables '# implicit, then defined; dotted keys; arrays of tables with sub-tables
a.b = 1
[x.y.z]
w = 1
[x]
y.v = 2
[[pkg]]
name = "a"
[pkg.meta]
k = true
[[pkg.bin]]
n = 1
[[pkg]]
name = "b"
[fruit]
apple.color = "red"
[fruit.apple.texture]
smooth = true
' '{"a":{"b":{"type":"integer","value":"1"}},"fruit":{"apple":{"color":{"type":"string","value":"red"},"texture":{"smooth":{"type":"bool","value":"true"}}}},"pkg":[{"bin":[{"n":{"type":"integer","value":"1"}}],"meta":{"k":{"type":"bool","value":"true"}},"name":{"type":"string","value":"a"}},{"name":{"type":"string","value":"b"}}],"x":{"y":{"v":{"type":"integer","value":"2"},"z":{"w":{"type":"integer","value":"1"}}}}}'

valid arrays-inline 'deps = [
  "a", # first
  # a comment line
  "b",
]
empty = []
nested = [[1, 2], ["x"], [{ k = 1 }]]
t = { a.b = 1, a.c = [2], e = {} }
[empty-table]
' '{"deps":[{"type":"string","value":"a"},{"type":"string","value":"b"}],"empty":[],"empty-table":{},"nested":[[{"type":"integer","value":"1"},{"type":"integer","value":"2"}],[{"type":"string","value":"x"}],[{"k":{"type":"integer","value":"1"}}]],"t":{"a":{"b":{"type":"integer","value":"1"},"c":[{"type":"integer","value":"2"}]},"e":{}}}'

printf '\357\273\277a = "x"\r\nb = """\r\nline\r\n"""\r\n' >bom-crlf.toml
valid bom-crlf - '{"a":{"type":"string","value":"x"},"b":{"type":"string","value":"line\n"}}'
valid empty '' '{}'
valid comments-only '# nothing
   # but comments	and blanks

' '{}'

# nesting: the top-level table and 255 levels of arrays, or of tables by a dotted key
i=0 open= close=
while [ $i -lt 255 ]; do open="$open[" close="$close]" i=$((i + 1)); done
valid deep-255 "a = $open$close
" "{\"a\":$open$close}"
keys=$(i=0; while [ $i -lt 256 ]; do printf 'a.'; i=$((i + 1)); done)
valid deep-keys "${keys%.} = 1
" "$(i=0; while [ $i -lt 256 ]; do printf '{"a":'; i=$((i + 1)); done)"'{"type":"integer","value":"1"}'"$(echo "$close}" | tr ']' '}')"

# --- positions -----------------------------------------------------------------------------------
positions cargo-lines '[package]
name = "x"

[dependencies]
a = "1"
b = { path = "../b" }

[[bin]]
name = "one"
[[bin]]
name = "two"

[patch.crates-io]
c.path = "c"
list = [
  1,
  2,
]
' 'package=1 package.name=2 dependencies=4 dependencies.a=5 dependencies.b=6 dependencies.b.path=6 bin=8 bin.1=8 bin.1.name=9 bin.2=10 bin.2.name=11 patch=13 patch.crates-io=13 patch.crates-io.c=14 patch.crates-io.c.path=14 patch.crates-io.list=15 patch.crates-io.list.1=16 patch.crates-io.list.2=17'

# --- refused, with the exact message --------------------------------------------------------------
invalid int-over 'i = 9223372036854775808
' "1:5: invalid number '9223372036854775808': out of range: TOML integers are 64-bit signed (-9223372036854775808 to 9223372036854775807)"
invalid int-under 'i = -9223372036854775809
' "1:5: invalid number '-9223372036854775809': out of range: TOML integers are 64-bit signed (-9223372036854775808 to 9223372036854775807)"
invalid hex-over 'h = 0x8000_0000_0000_0000
' "1:5: invalid number '0x8000_0000_0000_0000': out of range: TOML integers are 64-bit signed (at most 0x7fffffffffffffff)"
invalid int-leading-zero 'i = 007
' "1:5: invalid number '007': leading zeros are not allowed"
invalid int-signed-hex 'i = -0x1
' "1:5: invalid number '-0x1': a hexadecimal, octal or binary integer has no sign"
invalid int-double-underscore 'i = 1__0
' "1:5: invalid number '1__0'; if it is text, quote it: \"1__0\""
invalid float-dot 'f = 1.
' "1:5: invalid number '1.': expected digits after the decimal point"
invalid cargo-version '[package]
name = "logd"
version = 0.1.0"
' "3:11: invalid number '0.1.0'; if it is text, quote it: \"0.1.0\""
invalid bare-word 'edition = twenty
' "1:11: expected a value (a \"string\", a number, true, false, a date, an [array] or an {inline table}), found 'twenty'; if it is text, quote it: \"twenty\""
long=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx
invalid long-word "a = $long
" "1:5: expected a value (a \"string\", a number, true, false, a date, an [array] or an {inline table}), found 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...'"
invalid two-per-line 'a = 1 b = 2
' "1:7: expected the end of the line after the value of 'a' (one key = value per line), found 'b'"
invalid no-equals '[dependencies]
serde "1.0"
' "2:7: expected '=' after the key 'serde', found '\"'"
invalid date-feb29 'd = 2021-02-29
' "1:5: invalid date or time '2021-02-29': day 29 is not 01 to 28"
invalid date-hour 'd = 2021-02-01T24:00:00Z
' "1:5: invalid date or time '2021-02-01T24:00:00Z': hour 24 is not 00 to 23"
invalid date-no-seconds 't = 07:32
' "1:5: invalid date or time '07:32': a time is HH:MM:SS with an optional fraction, such as 07:32:00 or 07:32:00.5"
invalid time-offset 't = 07:32:00Z
' "1:5: invalid date or time '07:32:00Z': a time without a date cannot have an offset"
invalid surrogate 's = "\uD800"
' '1:6: \uD800 is not a Unicode scalar value (0 to D7FF or E000 to 10FFFF)'
invalid beyond-unicode 's = "\U00110000"
' '1:6: \U00110000 is not a Unicode scalar value (0 to D7FF or E000 to 10FFFF)'
invalid short-escape 's = "\u12"
' '1:6: \u needs 4 hexadecimal digits'
invalid bad-escape 's = "\x41"
' "1:6: unknown escape: a backslash followed by 'x'; the escapes are \\b \\t \\n \\f \\r \\\" \\\\ \\uXXXX \\UXXXXXXXX"
invalid unterminated 's = "abc
t = 1
' '1:5: this string is not closed on its line; a "string" ends with " on the line it starts (""" starts a multi-line string)'
invalid unterminated-ml 's = """abc
' '1:5: this multi-line string is never closed (it needs a closing """)'
invalid control-char "$(printf 's = "a\001b"\n')" '1:7: the control character U+0001 is not allowed in a string; write it as an escape such as \u0001'
invalid bare-cr "$(printf 'a = 1\rb = 2\n')" "1:6: expected the end of the line after the value of 'a' (one key = value per line), found the control character U+000D"
invalid bad-utf8 "$(printf 'a = "\303\251"\nb = "\377"\n')" '2:6: invalid UTF-8 (byte 0xFF); a TOML file is UTF-8 text'
invalid column-chars "$(printf 's = "\303\251\303\251" x\n')" "1:10: expected the end of the line after the value of 's' (one key = value per line), found 'x'"
invalid inline-newline 't = { a = 1,
  b = 2 }
' "1:13: expected a key, found the end of the line: an inline table is written on one line (use a [table] for more)"
invalid inline-trailing-comma 't = { a = 1, }
' "1:14: a comma before '}' is not allowed in an inline table"
invalid multiline-key '"""k""" = 1
' '1:1: a key cannot be a multi-line string'
invalid unclosed-array 'a = [1, 2
' "1:5: this array is never closed with ']'"

invalid deep-256 "a = [$open$close]
" '1:260: tables and arrays nested deeper than 256 levels'
invalid deep-keys-257 "${keys}a = 1
" '1:511: tables and arrays nested deeper than 256 levels'

# redefinitions
invalid dup-key 'name = "a"
name = "b"
' "2:1: the key 'name' is defined twice (first at line 1)"
invalid dup-dotted 'a.b = 1
a.b = 2
' "2:1: the key 'a.b' is defined twice (first at line 1)"
invalid dup-table '[dependencies]
a = "1"

[dependencies]
' '4:1: the table [dependencies] is defined twice (first at line 1)'
invalid dup-implicit-explicit '[a.b]
[a]
[a.b]
' '3:1: the table [a.b] is defined twice (first at line 1)'
invalid value-then-table 'a = 1
[a]
' "2:1: cannot define the table [a]: 'a' is already an integer (line 1)"
invalid inline-then-table 'a = { b = 1 }
[a]
' "2:1: cannot define the table [a]: 'a' is already an inline table (line 1)"
invalid inline-then-subtable 'a = { b = 1 }
[a.c]
' "2:2: cannot define the table [a.c]: 'a' is already an inline table (line 1)"
invalid inline-then-dotted 'a = { b = 1 }
a.c = 2
' "2:1: cannot add the key 'a.c' to the top-level table: 'a' is an inline table (line 1)"
invalid inline-inner-extend 't = { a = { b = 1 }, a.c = 2 }
' "1:22: cannot add the key 'a.c' in this inline table: 'a' is an inline table (line 1)"
invalid array-then-aot 'a = []
[[a]]
' "2:3: cannot define the array of tables [[a]]: 'a' is already an array (line 1); an array written as a value cannot be extended"
invalid table-then-aot '[a]
[[a]]
' "2:3: cannot define the array of tables [[a]]: 'a' is already a table (line 1)"
invalid aot-then-table '[[a]]
[a]
' "2:1: cannot define the table [a]: 'a' is already an array of tables (line 1)"
invalid dotted-then-table '[fruit]
apple.color = "red"
[fruit.apple]
' "3:1: cannot define the table [fruit.apple]: it was defined by dotted keys (line 2)"
invalid table-then-dotted '[a.b]
x = 1
[a]
b.y = 2
' "4:1: cannot add the key 'b.y' to [a]: 'b' is a table defined by its [header] (line 1); write the key in that table's section"

KILN_DECODE_LIST=$T/list "$KILN" gen -q --system=none --plugin-dir="$SRCDIR/tests/plugins/decode" >gen.out 2>&1 </dev/null &&
	mv gen/decoded.txt decoded.txt 2>/dev/null
if [ -f decoded.txt ]; then ok "the decode plugin ran"; else fail "the decode plugin ran" "$(head -c 400 gen.out)"; fi
# a result per case: NAME.got holds "ok<tab>VALUE" or "error<tab>MESSAGE" (paths made relative)
awk -F'\t' -v t="$T/" '
	function strip(s,  i) { while ((i = index(s, t)) > 0) s = substr(s, 1, i - 1) substr(s, i + length(t)); return s }
	{ p = strip($1); sub(/\.toml$/, "", p); print $2 "\t" strip($3) > (p ".got") }' decoded.txt
while read -r how name; do
	got=$(cat "$name.got" 2>/dev/null)
	want=$(cat "$name.want")
	if [ "$how" = valid ]; then eq "decodes: $name" "ok	$want" "$got"
	else eq "refused with its line and column: $name" "error	$want" "$got"; fi
done <cases

# every valid document above reads the same with Python's tomllib (an independent reader), but
# for the positions case (not a value), the leap second and the byte order mark (tomllib
# refuses both; toml-test has BOM documents among its valid ones)
python3 "$SRCDIR/tests/toml-compare.py" "$KILN" check $(sed -n 's/^valid //p' cases | grep -v -e cargo-lines -e leap-second -e bom-crlf | sed 's/$/.toml/') ||
	fail "tomllib comparison" "tests/toml-compare.py exited $?"

# --- bad arguments name the plugin line --------------------------------------------------------------
mkdir -p args && printf 'toml_decode(42)\n' >args/x.lua
expect_fail "toml_decode of a number names the plugin line" 1 'x\.lua:1: toml_decode: the text is a number, not a string' \
	sh -c "mkdir -p args-b && cd args-b && '$KILN' gen --system=none --plugin-dir='$T/args'"
printf 'toml_decode("a = 1", "f", "lines")\n' >args/x.lua
expect_fail "toml_decode's options must be a table" 1 'x\.lua:1: toml_decode: the options are a table such as \{ lines = true \}' \
	sh -c "cd args-b && '$KILN' gen --system=none --plugin-dir='$T/args'"
printf 'toml_decode("a = 1\\nb = [1, x]\\n")\n' >args/x.lua
expect_fail "without a name, errors say toml" 1 " toml:2:9: expected a value" \
	sh -c "cd args-b && '$KILN' gen --system=none --plugin-dir='$T/args'"

# --- the fuzz corpus replays through the driver (tests/fuzz/toml.c), sanitizers on ----------------
lua_cflags=$(pkg-config --cflags lua5.4 2>/dev/null || pkg-config --cflags lua 2>/dev/null)
lua_libs=$(pkg-config --libs lua5.4 2>/dev/null || pkg-config --libs lua 2>/dev/null)
san=-fsanitize=address,undefined
echo 'int main(void){return 0;}' >san.c
${CC:-cc} $san -o san san.c 2>/dev/null || san=
if ${CC:-cc} -std=c11 -O1 -g $san $lua_cflags -o replay "$SRCDIR/tests/fuzz/toml.c" "$SRCDIR/tests/fuzz/lua_reader.c" \
	"$SRCDIR/tests/fuzz/standalone.c" $lua_libs 2>replay.err; then
	n=$(ls "$SRCDIR/tests/fuzz/corpus/toml" | wc -l | tr -d ' ')
	KILN_SRCDIR=$SRCDIR ./replay "$SRCDIR"/tests/fuzz/corpus/toml/* >replay.out 2>&1
	rc=$? r=$(grep -c '^ok replay' replay.out)
	if [ "$rc" -eq 0 ] && [ "$r" -eq "$n" ] && [ "$n" -gt 0 ]; then ok "fuzz corpus replay: $n seeds"
	else fail "fuzz corpus replay" "status $rc, $r of $n replayed: $(tail -n 3 replay.out | tr '\n' ' ')"; fi
else
	fail "fuzz replay: build" "$(head -c 300 replay.err)"
fi
