# tests/cargo-ws.sh: writes a Cargo workspace of real crates for tests/t-cargo.sh and
# bench/cargo.sh, and the kiln plugin that builds it. Source it, then: cargo_ws DIR N [images] [remap]
#
# DIR/ws: N binary packages bin-01..bin-NN and two feature-probe binaries, all depending on
# the library `shared` (itoa, ryu, fnv, hex from Debian's packaged crate sources, through a
# directory source in ws/.cargo/config.toml: no network), `feat-on` with shared's feature
# "extra", `feat-off` without it: built in one cargo run, cargo unifies the features and
# feat-off sees "extra" too; built alone (-p feat-off) it does not.
# DIR/plugins/ws.lua: one component per binary, each a plain cargo{} (one cargo run in all).
# With "images": every binary is also installed in a RedoxFS (/usr/bin/NAME) and an initfs
# (/bin/NAME) that kiln writes, declared in DIR/plugins/images.lua (t-sccache compares them).
# With "remap": rustc gets --remap-path-prefix=BUILDDIR=/kiln-build, as the Redox plugins give
# it, and the workspace has gen-path, whose build script writes code into OUT_DIR (in the
# build directory) and which prints the path that code was compiled from.
REGISTRY=${REGISTRY:-/usr/share/cargo/registry}

cargo_ws() { # DIR N [images] [remap]
	_d=$1 _n=$2 _img= _remap=
	shift 2
	for _w; do case $_w in
	images) _img='		install = { rootfs = "/usr/bin/" .. n, initfs = "/bin/" .. n },' ;;
	remap) _remap=', rustflags = { "--remap-path-prefix=" .. build_path "." .. "=/kiln-build" }' ;;
	esac; done
	mkdir -p "$_d/ws/.cargo" "$_d/ws/shared/src" "$_d/plugins"
	printf '[source.crates-io]\nreplace-with = "debian"\n\n[source.debian]\ndirectory = "%s"\n' "$REGISTRY" >"$_d/ws/.cargo/config.toml"
	{
		printf '[workspace]\nresolver = "2"\nmembers = ["shared", "feat-on", "feat-off"'
		_i=1; while [ $_i -le "$_n" ]; do printf ', "bin-%02d"' $_i; _i=$((_i + 1)); done
		[ -z "$_remap" ] || printf ', "gen-path"'
		printf ']\n\n[profile.release]\ndebug = false\n'
	} >"$_d/ws/Cargo.toml"
	cat >"$_d/ws/shared/Cargo.toml" <<'TOML'
[package]
name = "shared"
version = "0.1.0"
edition = "2021"

[features]
extra = ["dep:hex"]

[dependencies]
itoa = "1"
ryu = "1"
fnv = "1"
hex = { version = "0.4", optional = true }
TOML
	cat >"$_d/ws/shared/src/lib.rs" <<'RS'
use std::collections::HashMap;
use std::hash::BuildHasherDefault;

/// a line that depends on every dependency: itoa, ryu, fnv (and hex with "extra")
pub fn line(name: &str, n: u64) -> String {
    let mut m: HashMap<&str, u64, BuildHasherDefault<fnv::FnvHasher>> = HashMap::default();
    m.insert(name, n);
    let mut i = itoa::Buffer::new();
    let mut r = ryu::Buffer::new();
    format!("{} {} {} extra: {}", name, i.format(m[name]), r.format(n as f64 / 8.0), extra())
}

#[cfg(feature = "extra")]
pub fn extra() -> String { format!("on ({})", hex::encode([0x6b, 0x69])) }
#[cfg(not(feature = "extra"))]
pub fn extra() -> String { "off".to_string() }
RS
	_pkg() { # NAME FEATURES
		mkdir -p "$_d/ws/$1/src"
		printf '[package]\nname = "%s"\nversion = "0.1.0"\nedition = "2021"\n\n[dependencies]\nshared = { path = "../shared"%s }\n' \
			"$1" "$2" >"$_d/ws/$1/Cargo.toml"
		printf 'fn main() {\n    println!("{}", shared::line("%s", %d));\n}\n' "$1" "${#1}" >"$_d/ws/$1/src/main.rs"
	}
	_pkg feat-on ', features = ["extra"]'
	_pkg feat-off ''
	_i=1; while [ $_i -le "$_n" ]; do _pkg "$(printf 'bin-%02d' $_i)" ''; _i=$((_i + 1)); done
	if [ -n "$_remap" ]; then
		_pkg gen-path ''
		cat >"$_d/ws/gen-path/build.rs" <<'RS'
fn main() {
    let out = std::env::var("OUT_DIR").unwrap();
    std::fs::write(format!("{}/gen.rs", out), "pub fn from() -> &'static str { file!() }\n").unwrap();
}
RS
		cat >"$_d/ws/gen-path/src/main.rs" <<'RS'
mod generated {
    include!(concat!(env!("OUT_DIR"), "/gen.rs"));
}
fn main() {
    println!("{}", generated::from());
}
RS
	fi
	{
		echo '-- ws.lua: every binary of the workspace, each its own component; rules/cargo.lua builds'
		echo '-- them with one cargo run (same manifest, directory, profile and flags)'
		printf 'local names = { "feat-on", "feat-off"%s' "${_remap:+, \"gen-path\"}"
		_i=1; while [ $_i -le "$_n" ]; do printf ', "bin-%02d"' $_i; _i=$((_i + 1)); done
		echo ' }'
		echo 'for _, n in ipairs(names) do'
		echo '	component {'
		echo '		name = n, kind = "host-tool", dir = "../ws", check = false,'
		[ -z "$_img" ] || echo "$_img"
		printf '		build = cargo { package = n, bin = n, profile = "release", cwd = "%s/ws"%s },\n' "$_d" "$_remap"
		echo '	}'
		echo 'end'
	} >"$_d/plugins/ws.lua"
	[ -n "$_img" ] || return 0
	cat >"$_d/plugins/images.lua" <<'LUA'
-- images.lua: the workspace's binaries in a RedoxFS and an initfs (never booted: no bootstrap)
-- (128 MiB: with Debian 12's own rustc, as on a fresh machine, these programs take about 26 MB)
image { name = "rootfs", format = "redoxfs", size = "128M" }
image { name = "initfs", format = "initfs", waive = { ["no-bootstrap"] = "a test image of host programs, never booted" } }
LUA
}
