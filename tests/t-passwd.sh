#!/bin/sh
# t-passwd.sh: kiln passwd-hash, the /etc/shadow field the Redox installer writes, against the
# Argon2 reference implementation: its argon2 command (encoded strings compared byte for byte,
# both of rust-argon2's parameter sets, several passwords and salts, NUL and newline inside)
# and its library through python3's ctypes (passwords the command cannot take: longer than 127
# bytes; reference verification of kiln's strings, as redox_users' verify_encoded does at
# login). python3's argon2 module is used too when it happens to be installed. Then the edges:
# empty password, trailing newline, length limits, bad salts, invalid UTF-8, reproducibility.
. "$SRCDIR/tests/lib.sh"
T=$TMPDIR_T
cd "$T" || exit 2

# rust-argon2's Config::default() (3.x, the installer's) and Config::original() (0.8's default)
ref_default="-id -t 2 -k 19456 -p 1 -l 32"
ref_original="-i -t 3 -k 4096 -p 1 -l 32"

if ! command -v argon2 >/dev/null 2>&1; then
	fail "argon2 command" "not installed: the reference implementation comes with ./configure --install-deps"
fi

# cmp_ref NAME PWFILE SALT CONFIG: kiln's output for the password in PWFILE (given with a
# trailing newline, which kiln strips) equals the argon2 command's for exactly PWFILE's bytes
cmp_ref() {
	_n=$1 _pw=$2 _salt=$3 _cfg=$4
	eval "_args=\$ref_$_cfg"
	{ cat "$_pw"; printf '\n'; } | "$KILN" passwd-hash --salt="$_salt" --config="$_cfg" >k.out 2>k.err ||
		{ fail "$_n" "kiln passwd-hash failed: $(cat k.err)"; return; }
	# shellcheck disable=SC2086
	argon2 "$_salt" $_args -e <"$_pw" >r.out 2>r.err ||
		{ fail "$_n" "argon2 failed: $(cat r.err)"; return; }
	if cmp -s k.out r.out; then ok "$_n"; else
		fail "$_n" "kiln '$(cat k.out)' != argon2 '$(cat r.out)'"; fi
}

printf 'password' >pw.plain
printf 'correct horse battery staple' >pw.spaces
printf ' leading and trailing ' >pw.blanks
printf 'p\303\244ssw\303\266rd \360\237\224\221' >pw.utf8          # pässwörd and a key emoji
printf 'line one\nline two' >pw.newline
printf 'nul\000inside' >pw.nul
printf '\000' >pw.onlynul
printf 'ends with newline\n' >pw.trailingnl                      # kiln is given it plus one more
printf 'semi;colon$dollar=equals,comma' >pw.punct
head -c 127 /dev/zero | tr '\0' 'x' >pw.127                      # the argon2 command's maximum

salt16=0123456789ABCDEF                                          # the installer's form
salt64=$(printf '%064d' 0 | tr 0 S)
for pw in plain spaces blanks utf8 newline nul onlynul trailingnl punct 127; do
	cmp_ref "default config, salt $salt16, password $pw" "pw.$pw" "$salt16" default
done
cmp_ref "default config, 8-byte salt" pw.plain saltsalt default
cmp_ref "default config, 64-byte salt" pw.plain "$salt64" default
cmp_ref "default config, salt with \$ ; = and space" pw.plain 'a$b;c=d e,f' default
for pw in plain utf8 nul newline; do
	cmp_ref "original config, password $pw" "pw.$pw" 9F3C0A51D2E4B786 original
done
cmp_ref "original config, 64-byte salt" pw.spaces "$salt64" original

# --- through the reference library: long passwords, and its verify of kiln's strings -------
cat >ref.py <<'PY'
# ref.py MODE SALT CONFIG PWFILE [ENCODED]: hash with libargon2 (MODE hash) or verify ENCODED
# against the password (MODE verify), through ctypes
import ctypes, ctypes.util, sys
mode, salt, config, pwfile = sys.argv[1:5]
pw = open(pwfile, 'rb').read()
names = [ctypes.util.find_library('argon2'), 'libargon2.so.1', 'libargon2.so',
         'libargon2.1.dylib', '/opt/homebrew/lib/libargon2.dylib', '/usr/local/lib/libargon2.dylib']
lib = None
for n in names:
    try:
        lib = ctypes.CDLL(n) if n else None
    except OSError:
        lib = None
    if lib:
        break
if not lib:
    print('libargon2 not found (it comes with the argon2 package)')
    sys.exit(3)
t, m, ty = {'default': (2, 19456, 2), 'original': (3, 4096, 1)}[config]
if mode == 'hash':
    enc = ctypes.create_string_buffer(256)
    raw = ctypes.create_string_buffer(32)
    lib.argon2_hash.restype = ctypes.c_int
    r = lib.argon2_hash(ctypes.c_uint32(t), ctypes.c_uint32(m), ctypes.c_uint32(1), pw,
                        ctypes.c_size_t(len(pw)), salt.encode(), ctypes.c_size_t(len(salt)),
                        raw, ctypes.c_size_t(32), enc, ctypes.c_size_t(256), ctypes.c_int(ty),
                        ctypes.c_uint32(0x13))
    if r != 0:
        print('argon2_hash: error', r)
        sys.exit(1)
    print(enc.value.decode())
else:
    r = lib.argon2_verify(sys.argv[5].encode(), pw, ctypes.c_size_t(len(pw)), ctypes.c_int(ty))
    print('verified' if r == 0 else 'mismatch %d' % r)
    sys.exit(0 if r == 0 else 1)
PY
# cmp_lib NAME PWFILE SALT CONFIG: kiln equals libargon2's argon2_hash for PWFILE's bytes
cmp_lib() {
	{ cat "$2"; printf '\n'; } | "$KILN" passwd-hash --salt="$3" --config="$4" >k.out 2>k.err
	if python3 ref.py hash "$3" "$4" "$2" >r.out 2>&1 && cmp -s k.out r.out; then ok "$1"; else
		fail "$1" "kiln '$(cat k.out k.err)' != libargon2 '$(cat r.out)'"; fi
}
head -c 4096 /dev/zero | tr '\0' 'z' >pw.4096
head -c 1000 /dev/zero | tr '\0' '\n' >pw.newlines
{ printf 'a'; head -c 300 /dev/zero; printf 'b'; } >pw.nuls
cmp_lib "libargon2: 4096-byte password (the longest accepted)" pw.4096 "$salt16" default
cmp_lib "libargon2: 1000 newlines" pw.newlines "$salt16" default
cmp_lib "libargon2: 300 NUL bytes inside" pw.nuls "$salt16" original
printf 'hunter2\n' | "$KILN" passwd-hash --salt=5EED5EED5EED5EED >h.out
printf 'hunter2' >pw.hunter2
if python3 ref.py verify x default pw.hunter2 "$(cat h.out)" >v.out 2>&1; then
	ok "libargon2 argon2_verify accepts kiln's default-config string"; else
	fail "libargon2 argon2_verify accepts kiln's default-config string" "$(cat v.out)"; fi
printf 'hunter3' >pw.hunter3
if python3 ref.py verify x default pw.hunter3 "$(cat h.out)" >v.out 2>&1; then
	fail "libargon2 argon2_verify rejects another password" "it verified"; else
	ok "libargon2 argon2_verify rejects another password"; fi
# python3's argon2 module (argon2-cffi), when present: it wraps the same reference code
if python3 -c 'import argon2.low_level' 2>/dev/null; then
	python3 -c 'import sys, argon2.low_level as l
print(l.hash_secret(b"password", b"0123456789ABCDEF", 2, 19456, 1, 32, l.Type.ID).decode())' >p.out
	printf 'password' | "$KILN" passwd-hash --salt=0123456789ABCDEF >k.out
	same "python3 argon2 module agrees" p.out k.out
fi

# --- the shape redox_users parses ----------------------------------------------------------
printf 'password\n' | "$KILN" passwd-hash --salt="$salt16" >d.out
contains "default: \$argon2id\$v=19\$m=19456,t=2,p=1\$, unpadded base64 salt and 43-char tag" d.out \
	'^\$argon2id\$v=19\$m=19456,t=2,p=1\$MDEyMzQ1Njc4OUFCQ0RFRg\$[A-Za-z0-9+/]{43}$'
eq "one line of output" 1 "$(wc -l <d.out | tr -d ' ')"
printf 'password' | "$KILN" passwd-hash --salt="$salt16" >d2.out
same "a trailing newline is not part of the password" d.out d2.out
printf 'password\n' | "$KILN" passwd-hash --salt="$salt16" >d3.out
same "same password and salt, same hash (reproducible)" d.out d3.out
printf 'password\n' | "$KILN" passwd-hash --salt=0123456789ABCDEG >d4.out
if cmp -s d.out d4.out; then fail "another salt, another hash" "identical"; else ok "another salt, another hash"; fi

# --- empty passwords: an empty field, as the installer writes --------------------------------
printf '' | "$KILN" passwd-hash --salt="$salt16" >e.out
eq "empty stdin: an empty line" "0a" "$(od -An -tx1 e.out | tr -d ' \n')"
printf '\n' | "$KILN" passwd-hash --salt="$salt16" >e2.out
eq "a lone newline: an empty line" "0a" "$(od -An -tx1 e2.out | tr -d ' \n')"
expect_fail "empty password still needs a valid salt" 2 'salt.*shorter than 8 bytes' \
	sh -c "printf '' | '$KILN' passwd-hash --salt=short"

# --- refusals: one line naming the cause, exit 2, nothing on stdout -------------------------
salt65=${salt64}S
expect_fail "65-byte salt refused" 2 '^kiln passwd-hash: --salt: the salt is longer than 64 bytes: 65 bytes given' \
	sh -c "printf pw | '$KILN' passwd-hash --salt=$salt65"
expect_fail "7-byte salt refused" 2 'shorter than 8 bytes \(rust-argon2 refuses it\): 7 bytes given' \
	sh -c "printf pw | '$KILN' passwd-hash --salt=1234567"
expect_fail "missing --salt" 2 '^kiln passwd-hash: --salt is required.*SOURCE_DATE_EPOCH' \
	sh -c "printf pw | '$KILN' passwd-hash"
expect_fail "unknown --config" 2 "^kiln passwd-hash: --config=argon2d: unknown parameter set; use 'default'" \
	sh -c "printf pw | '$KILN' passwd-hash --salt=$salt16 --config=argon2d"
head -c 4097 /dev/zero | tr '\0' 'z' >pw.4097
expect_fail "4097-byte password refused" 2 '^kiln passwd-hash: stdin: the password is longer than 4096 bytes' \
	sh -c "'$KILN' passwd-hash --salt=$salt16 <pw.4097"
head -c 100000 /dev/zero >pw.huge
expect_fail "100 kB of stdin refused" 2 'longer than 4096 bytes' \
	sh -c "'$KILN' passwd-hash --salt=$salt16 <pw.huge"
{ cat pw.4096; printf '\n'; } >pw.4096nl
check "4096 bytes plus a newline accepted" sh -c "'$KILN' passwd-hash --salt=$salt16 <pw.4096nl"
printf 'caf\351' >pw.latin1
expect_fail "Latin-1 (invalid UTF-8) refused" 2 'stdin: the password is not valid UTF-8' \
	sh -c "'$KILN' passwd-hash --salt=$salt16 <pw.latin1"
"$KILN" passwd-hash --salt=$salt16 <pw.latin1 >bad.out 2>/dev/null
eq "nothing on stdout after a refusal" 0 "$(wc -c <bad.out | tr -d ' ')"
check "--help" sh -c "'$KILN' passwd-hash --help | grep -q 'SOURCE_DATE_EPOCH'"
