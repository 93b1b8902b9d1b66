# tests/t-config.sh: image configs in Redox's own format (config/ARCH/NAME.toml), on the Redox
# fixture tree with the fake cargo: the tree's default config, include chains and overrides,
# [[files]] of every kind, [users] and [groups] as the Redox installer writes them, [packages]
# selecting what is built (and a package no plugin provides), [general] filesystem_size.
. "$SRCDIR/tests/lib.sh"
T=$TMPDIR_T
FX=$SRCDIR/tests/fixtures
host=$(rustc -vV | sed -n 's/^host: //p')
RH=$T/rustup TC=$T/rustup/toolchains/nightly-2026-01-02-$host
toolchain "$RH" nightly-2026-01-02
# kiln cargo passes cargo only an allow-list of the shell's variables: the fake cargo gets its
# log and kiln through a wrapper
cat >"$T/cargo-wrap" <<WRAP
#!/bin/sh
FAKE_CARGO_LOG='$T/cargo.log' KILN='$KILN' exec '$FX/redox-tools/fake-cargo' "\$@"
WRAP
chmod +x "$T/cargo-wrap"
export RUSTUP_HOME=$RH CARGO=$T/cargo-wrap CARGO_HOME=$T/cargo-home
R=$T/tree
cp -R "$FX/redox" "$R"
gen() { # DIR ARGS...
	_d=$1; shift
	mkdir -p "$_d" && (cd "$_d" && "$KILN" gen --redox-src="$R" --opt=cranelift="$R/cranelift/librustc_codegen_cranelift.so" \
		--opt=bootloader="$R/bootloader/BOOTAA64.EFI" "$@")
}

# --- the tree's default config --------------------------------------------------------------
B=$T/b
gen "$B" >"$T/gen" 2>&1
contains "default: the tree's config for the arch, named by the summary" "$T/gen" "^  config: $R/config/aarch64/minimal.toml \(the default; --config=FILE for another\)"
contains "default: packages no plugin builds are a note, not an error" "$T/gen" "note: the default image config .* names packages kiln does not build: kibi$"
contains "default: init scripts fitted to what is built, said once" "$T/gen" \
	"note: /usr/lib/init.d/00_base \($R/config/base.toml:[0-9]+\): left out what is not built: nowait sudo --daemon$"
if (cd "$B" && ninja image) >"$T/build" 2>&1; then ok "default: ninja image builds"; else fail "default: ninja image builds" "$(grep -v '^\[' "$T/build" | tail -4 | tr '\n' ' ')"; fi
I=$B/out/images/rootfs.img
cat_() { "$KILN" redoxfs cat "$I" "$1" 2>&1; }
"$KILN" redoxfs list "$I" >"$T/list" 2>&1
eq "users: /etc/passwd as the installer writes it (name order, uid/gid from 1000, NAME;UID;GID;GECOS;HOME;SHELL)" \
	"root;0;0;root;/root;/usr/bin/ion|user;1000;1000;user;/home/user;/usr/bin/ion|" "$(cat_ /etc/passwd | tr '\n' '|')"
eq "groups: one per user, then [groups] (NAME;x;GID;MEMBERS)" "root;x;0;root|user;x;1000;user|sudo;x;1;user|" "$(cat_ /etc/group | tr '\n' '|')"
eq "users: /etc/shadow, empty passwords empty" "root;|user;|" "$(cat_ /etc/shadow | tr '\n' '|')"
contains "users: /etc/shadow is 0600" "$T/list" "^f 0600 0 0 .* /etc/shadow$"
contains "users: the home directory, owned by the user" "$T/list" "^d 0777 1000 1000 .* /home/user$"
contains "users: XDG directories for a uid of 1000 or more" "$T/list" "^d 0700 1000 1000 .* /home/user/Documents$"
contains "users: user-dirs.dirs" "$T/list" "^f 0600 1000 1000 .* /home/user/.config/user-dirs.dirs$"
check "users: no XDG directories for root" sh -c "! grep -q ' /root/Documents$' '$T/list'"
contains "files: data" "$T/list" "^f 0644 0 0 .* /etc/hostname$"
eq "files: data content" "redox" "$(cat_ /etc/hostname)"
contains "files: a symlink" "$T/list" "^l .* /etc/os-release -> ../usr/lib/os-release$"
contains "files: a directory with its mode" "$T/list" "^d 1777 0 0 .* /tmp$"
eq "init.d: the config's script without the line of a program not built" "ipcd|ptyd|" "$(cat_ /usr/lib/init.d/00_base | tr '\n' '|')"
eq "init.d: the console keeps getty (built by this tree)" "inputd -A 2|nowait getty 2|nowait getty /scheme/debug/no-preserve -J|" \
	"$(cat_ /usr/lib/init.d/30_console | tr '\n' '|')"
contains "kiln's own files stay: the build stamp" "$T/list" " /etc/kiln-build$"

# --- --config: include chains, overrides, every kind of file, users, packages -----------------
C=$T/cfg
mkdir -p "$C/sub"
cat >"$C/sub/common.toml" <<'TOML'
include = ["../../tree/config/base.toml"]
[general]
filesystem_size = 64
[[files]]
path = "/etc/motd"
data = "first\n"
[users.alice]
password = ""
uid = 2000
name = "Alice A"
TOML
cat >"$C/mine.toml" <<'TOML'
include = ["sub/common.toml"]
[general]
filesystem_size = 80
[packages]
ion = {}
uutils = "ignore"
[[files]]
path = "/etc/motd"
data = "second\n"
mode = 0o600
uid = 2000
gid = 2000
[[files]]
path = "/srv/data"
data = ""
directory = true
mode = 0o750
[[files]]
path = "/usr/lib/init.d/30_console"
data = "inputd -A 2\nion\n"
[[files]]
path = "/usr/lib/init.d/00_base"
data = "ipcd\nptyd\n"
[groups.wheel]
members = ["alice", "root"]
TOML
B2=$T/b2
gen "$B2" --opt=config="$C/mine.toml" >"$T/gen2" 2>&1
contains "--config: named by the summary" "$T/gen2" "^  config: $C/mine.toml; [0-9]+ components of packages it does not name left out$"
if (cd "$B2" && ninja image) >"$T/build2" 2>&1; then ok "--config: ninja image builds"; else fail "--config: ninja image builds" "$(grep -v '^\[' "$T/build2" | tail -4 | tr '\n' ' ')"; fi
I=$B2/out/images/rootfs.img
"$KILN" redoxfs list "$I" >"$T/list2" 2>&1
eq "include chain: the later file's [[files]] entry for a path replaces the earlier one" "second" "$(cat_ /etc/motd)"
contains "files: mode, uid and gid" "$T/list2" "^f 0600 2000 2000 .* /etc/motd$"
contains "files: a directory of the including file" "$T/list2" "^d 0750 0 0 .* /srv/data$"
contains "files: from the file two includes down" "$T/list2" " /etc/hostname$"
eq "users: every include's users, a name of its own (GECOS)" "alice;2000;1000;Alice A;/home/alice;/bin/ion|root;0;0;root;/root;/usr/bin/ion|user;2001;1001;user;/home/user;/usr/bin/ion|" \
	"$(cat_ /etc/passwd | tr '\n' '|')"
eq "groups: [groups] after the users' own, gids counted on" "alice;x;1000;alice|root;x;0;root|user;x;1001;user|sudo;x;1;user|wheel;x;1002;alice,root|" \
	"$(cat_ /etc/group | tr '\n' '|')"
contains "packages: ion is named, so built" "$T/list2" " /usr/bin/ion$"
check "packages: uutils = \"ignore\": coreutils is not built" sh -c "! grep -q ' /usr/bin/coreutils$' '$T/list2'"
check "packages: coreutils (simple-coreutils) not named: not built" sh -c "! grep -q ' /usr/bin/simple-cat$' '$T/list2'"
check "packages: what ion needs is built anyway (the sysroot)" test -f "$B2/out/sysroot/lib/libc.a"
eq "general: filesystem_size (MiB) sizes the RedoxFS, the later file winning" "83886080" "$(wc -c <"$I" | tr -d ' ')"
gen "$T/b3" --opt=config="$C/mine.toml" --opt=rootfs-size=96M >/dev/null 2>&1
(cd "$T/b3" && ninja out/images/rootfs.img) >/dev/null 2>&1
eq "general: --rootfs-size given to configure wins over the config" "100663296" "$(wc -c <"$T/b3/out/images/rootfs.img" | tr -d ' ')"

# --- bad configs: one line each, with the place and the fix ---------------------------------------
printf 'include = ["mine.toml"]\n[packages]\nkibi = {}\n' >"$C/bad1.toml"
mkdir -p "$T/e1" && (cd "$T/e1" && "$KILN" gen -q --redox-src="$R" --opt=cranelift="$R/cranelift/librustc_codegen_cranelift.so" \
	--opt=bootloader="$R/bootloader/BOOTAA64.EFI" --opt=config="$C/bad1.toml") >/dev/null 2>"$T/e1.err"
contains "a package no plugin provides, in a config given with --config: an error with the known ones and the fix" "$T/e1.err" \
	"$C/bad1.toml:3: \[packages\] kibi: no plugin provides it \(known: base, base-initfs, bootloader, coreutils, ion, kernel, netutils, relibc, userutils, uutils\); fix: a plugin that says package \"kibi\" and declares its components, or kibi = \"ignore\" in \[packages\]"
check "nothing was written" test ! -f "$T/e1/build.ninja"
gen_bad() { # TEXT: kiln gen with TEXT as --config, its stderr in e.err
	printf '%b' "$1" >"$C/bad.toml"
	mkdir -p "$T/e" && (cd "$T/e" && "$KILN" gen -q --redox-src="$R" --opt=cranelift="$R/cranelift/librustc_codegen_cranelift.so" \
		--opt=bootloader="$R/bootloader/BOOTAA64.EFI" --opt=config="$C/bad.toml") >/dev/null 2>"$T/e.err"
}
bad() { # NAME TEXT PATTERN
	gen_bad "$2"
	contains "$1" "$T/e.err" "$3"
}
# bad_line NAME TEXT LINE: the problem's line, exactly
bad_line() {
	gen_bad "$2"
	eq "$1" "$3" "$(grep '^  1\. ' "$T/e.err")"
}
bad "an unknown top-level key, with a suggestion" 'packges = {}\n' "bad.toml:1: unknown key 'packges' in an image config .*\(did you mean 'packages'\?\)"
bad "an unknown [[files]] key" '[[files]]\npath = "/x"\ndata = ""\nmod = 1\n' "bad.toml:4: unknown key 'mod' in a \[\[files\]\] entry \(did you mean 'mode'\?\)"
bad "a relative [[files]] path" '[[files]]\npath = "x"\ndata = ""\n' "bad.toml:1: a \[\[files\]\] entry needs path = \"/ABSOLUTE/PATH\""
bad "a file without data" '[[files]]\npath = "/x"\n' "bad.toml:1: /x needs data = "
bad "a wrong type" '[users.x]\nuid = "1"\n' "bad.toml:2: 'uid' in \[users.x\] must be an integer, not string"
bad "an include that does not exist" 'include = ["nope.toml"]\n' "nope.toml: cannot read the image config"
bad "an include cycle" 'include = ["bad.toml"]\n' "bad.toml: includes itself"
bad "a TOML error: file:line:column" '[general\n' "bad.toml:1:9: "
# the place once (it was "FILE: FILE:1:9: ..."); in an included file, its place and then the
# include line that led there
bad_line "a TOML error: the exact line, naming the file once" '[general\n' \
	"  1. $C/bad.toml:1:9: expected ']' to close the header [general], found the end of the line"
printf 'x = 1\n[general\n' >"$C/broken.toml"
printf 'include = ["broken.toml"]\n' >"$C/middle.toml"
bad_line "a TOML error in an included file: its place, then every include line" '# top\ninclude = ["middle.toml"]\n' \
	"  1. $C/broken.toml:2:9: expected ']' to close the header [general], found the end of the line (included from $C/middle.toml:1, from $C/bad.toml:2)"
bad_line "an include that does not exist: the exact line, naming the file once" 'include = ["nope.toml"]\n' \
	"  1. $C/nope.toml: cannot read the image config: No such file or directory (included from $C/bad.toml:1)"
