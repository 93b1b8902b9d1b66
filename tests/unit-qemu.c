/* unit-qemu.c: the accelerator `ninja run` gets (rules/qemu.lua's decide_accel) on hosts this
 * machine is not: Linux with a usable, an inaccessible or no /dev/kvm, macOS on arm64 and on
 * x86_64, the target's arch the host's or not; auto's choice and its note, and the one-line
 * error, ending with the fix, for each accelerator a host cannot give. t-qemu.sh checks the
 * same choice wired to this machine's real /dev/kvm. */
#include <stdlib.h>

#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>

#include "gen/lua_host.h"
#include "unit.h"

static lua_State *L;
static int mod;

/* "ACCEL", "ACCEL: note", or "error: message" */
static const char *
decide(const char *choice, const char *os, const char *host_arch, const char *arch, const char *kvm)
{
	static char buf[2048];
	const char *a, *why;

	lua_rawgeti(L, LUA_REGISTRYINDEX, mod);
	lua_getfield(L, -1, "decide_accel");
	lua_pushstring(L, choice);
	lua_createtable(L, 0, 4);
	lua_pushstring(L, os);
	lua_setfield(L, -2, "os");
	lua_pushstring(L, host_arch);
	lua_setfield(L, -2, "host_arch");
	lua_pushstring(L, arch);
	lua_setfield(L, -2, "arch");
	if (kvm) {
		lua_pushstring(L, kvm);
		lua_setfield(L, -2, "kvm");
	}
	if (lua_pcall(L, 2, 2, 0) != LUA_OK) {
		snprintf(buf, sizeof buf, "Lua error: %s", lua_tostring(L, -1));
		lua_pop(L, 2);
		return buf;
	}
	a = lua_tostring(L, -2);
	why = lua_tostring(L, -1);
	snprintf(buf, sizeof buf, "%s%s%s", a ? a : "error", why ? ": " : "", why ? why : "");
	lua_pop(L, 3);
	return buf;
}

/* HAS(name, text, part): part is in text */
#define HAS(name, text, part) do { \
	const char *t_ = (text); \
	if (strstr(t_, part)) printf("ok %s\n", name); \
	else { printf("FAIL %s: no \"%s\" in \"%s\" (%s:%d)\n", name, part, t_, __FILE__, __LINE__); unit_failed = 1; } \
} while (0)

int
main(void)
{
	const char *src = getenv("SRCDIR");
	char path[4096];
	const char *r;

	if (!src) {
		printf("FAIL unit-qemu: SRCDIR is not set (run it through tests/run)\n");
		return 1;
	}
	snprintf(path, sizeof path, "%s/rules/qemu.lua", src);
	L = luaL_newstate();
	host_openlibs(L);   /* what kiln gen opens */
	if (luaL_loadfile(L, path) != LUA_OK) {
		printf("FAIL unit-qemu: %s\n", lua_tostring(L, -1));
		return 1;
	}
	lua_newtable(L); /* the rules context: decide_accel needs none of it */
	if (lua_pcall(L, 1, 1, 0) != LUA_OK) {
		printf("FAIL unit-qemu: rules/qemu.lua: %s\n", lua_tostring(L, -1));
		return 1;
	}
	mod = luaL_ref(L, LUA_REGISTRYINDEX);

	/* auto */
	CHECK_STR("auto: KVM on Linux, /dev/kvm readable and writable, the host's arch", "kvm",
	          decide("auto", "linux", "x86_64", "x86_64", "rw"));
	CHECK_STR("auto: KVM on an arm64 Linux host for aarch64", "kvm", decide("auto", "linux", "aarch64", "aarch64", "rw"));
	CHECK_STR("auto: TCG for another arch, /dev/kvm or not", "tcg", decide("auto", "linux", "x86_64", "aarch64", "rw"));
	CHECK_STR("auto: TCG without /dev/kvm, and no note", "tcg", decide("auto", "linux", "x86_64", "x86_64", NULL));
	r = decide("auto", "linux", "x86_64", "x86_64", "exists");
	HAS("auto: TCG when /dev/kvm is not accessible...", r, "tcg: ninja run uses TCG: /dev/kvm is not readable and writable by you");
	HAS("... with a note naming the fix", r, "sudo usermod -aG kvm $USER, log in again and re-run configure");
	CHECK_STR("auto: HVF on an arm64 Mac for aarch64", "hvf", decide("auto", "macos", "aarch64", "aarch64", NULL));
	CHECK_STR("auto: TCG on an arm64 Mac for x86_64", "tcg", decide("auto", "macos", "aarch64", "x86_64", NULL));
	CHECK_STR("auto: TCG on an Intel Mac", "tcg", decide("auto", "macos", "x86_64", "x86_64", NULL));
	CHECK_STR("auto: TCG elsewhere", "tcg", decide("auto", "other", "x86_64", "x86_64", NULL));

	/* forced */
	CHECK_STR("tcg: always", "tcg", decide("tcg", "linux", "x86_64", "x86_64", "rw"));
	CHECK_STR("kvm: where it works", "kvm", decide("kvm", "linux", "x86_64", "x86_64", "rw"));
	r = decide("kvm", "linux", "x86_64", "aarch64", "rw");
	HAS("kvm for another arch: an error...", r, "error: --qemu-accel=kvm: KVM runs only x86_64 guests on this x86_64 host, not aarch64");
	HAS("... ending with the fix", r, "; fix: --qemu-accel=auto or --qemu-accel=tcg (software emulation)");
	r = decide("kvm", "linux", "x86_64", "x86_64", NULL);
	HAS("kvm without /dev/kvm: an error...", r, "error: --qemu-accel=kvm: this host has no /dev/kvm");
	HAS("... naming the module to load, or TCG", r, "fix: load it (sudo modprobe kvm_intel, kvm_amd or kvm), or --qemu-accel=auto or --qemu-accel=tcg");
	r = decide("kvm", "linux", "x86_64", "x86_64", "exists");
	HAS("kvm with an inaccessible /dev/kvm: an error...", r, "error: --qemu-accel=kvm: /dev/kvm is not readable and writable by you");
	HAS("... naming the kvm group", r, "fix: sudo usermod -aG kvm $USER");
	HAS("kvm on macOS: an error pointing at HVF", decide("kvm", "macos", "aarch64", "aarch64", NULL),
	    "error: --qemu-accel=kvm: KVM is Linux's, and this host runs macOS; fix: --qemu-accel=hvf, auto or tcg");
	CHECK_STR("hvf: on an arm64 Mac for aarch64", "hvf", decide("hvf", "macos", "aarch64", "aarch64", NULL));
	CHECK_STR("hvf: on an Intel Mac for x86_64 when asked", "hvf", decide("hvf", "macos", "x86_64", "x86_64", NULL));
	HAS("hvf on Linux: an error pointing at KVM", decide("hvf", "linux", "x86_64", "x86_64", "rw"),
	    "error: --qemu-accel=hvf: HVF is macOS's Hypervisor.framework, and this host is not macOS; fix: --qemu-accel=kvm, auto or tcg");
	HAS("hvf for another arch: an error", decide("hvf", "macos", "aarch64", "x86_64", NULL),
	    "error: --qemu-accel=hvf: HVF runs only aarch64 guests on this aarch64 Mac, not x86_64; fix:");
	lua_close(L);
	return unit_failed;
}
