/* doctor.c: kiln doctor, every prerequisite of a Redox build with what is missing and the
 * command that installs it.
 *
 *   kiln doctor [--redox-src=DIR] [--arch=A] [--rust-toolchain=T] [--cranelift=PATH]
 *
 * Defaults come from ./kiln.conf when run in a build directory. Unlike plugin evaluation it
 * may run programs (rustc, cargo, rustup, ninja --version). Exit 0 when everything needed is
 * there, 1 when something is missing (each line says what and how to get it), 2 on bad usage. */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd.h"
#include "util.h"

static int nmissing, nwarn;

static void
okay(const char *what, const char *detail)
{
	printf("ok       %-28s %s\n", what, detail);
}

static void
missing(const char *what, const char *fix)
{
	printf("MISSING  %-28s %s\n", what, fix);
	nmissing++;
}

static void
warning(const char *what, const char *fix)
{
	printf("warning  %-28s %s\n", what, fix);
	nwarn++;
}

static int
isdir(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static int
isfile(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

/* the program's absolute path on PATH, or NULL (caller frees) */
static char *
which(const char *name)
{
	const char *path = getenv("PATH");
	char *dirs = xstrdup(path ? path : "/usr/bin:/bin"), *dir, *save = NULL, *full;

	for (dir = strtok_r(dirs, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
		full = xasprintf("%s/%s", *dir ? dir : ".", name);
		if (isfile(full) && access(full, X_OK) == 0) {
			free(dirs);
			return full;
		}
		free(full);
	}
	free(dirs);
	return NULL;
}

/* the first line a command prints, or NULL */
static char *
first_line(const char *cmd)
{
	char line[512];
	FILE *p = popen(cmd, "r");
	char *res = NULL;

	if (!p)
		return NULL;
	if (fgets(line, sizeof line, p)) {
		line[strcspn(line, "\n")] = '\0';
		res = xstrdup(line);
	}
	if (pclose(p) != 0) {
		free(res);
		return NULL;
	}
	return res;
}

/* value of key in a "key=value" file such as kiln.conf, or NULL */
static char *
conf_value(const char *file, const char *key)
{
	size_t len, klen = strlen(key);
	char *s = read_file(file, &len), *line, *save = NULL, *v = NULL;

	if (!s)
		return NULL;
	for (line = strtok_r(s, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		if (!strncmp(line, key, klen) && line[klen] == '=') {
			free(v);
			v = xstrdup(line + klen + 1);
		}
	free(s);
	return v;
}

/* channel = "..." from a rust-toolchain.toml, or NULL */
static char *
toolchain_channel(const char *path)
{
	size_t len;
	char *s = read_file(path, &len), *p, *q, *res = NULL;

	if (!s)
		return NULL;
	if ((p = strstr(s, "channel")) && (p = strchr(p, '"')) && (q = strchr(p + 1, '"')))
		res = xstrndup(p + 1, (size_t)(q - p - 1));
	free(s);
	return res;
}

/* the directory entry of dir that starts with prefix, or NULL (caller frees) */
static char *
find_entry(const char *dir, const char *prefix, const char *suffix)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char *res = NULL;

	if (!d)
		return NULL;
	while ((e = readdir(d)) && !res) {
		size_t n = strlen(e->d_name), sl = suffix ? strlen(suffix) : 0;

		if (!strncmp(e->d_name, prefix, strlen(prefix)) && (!suffix || (n >= sl && !strcmp(e->d_name + n - sl, suffix))))
			res = xasprintf("%s/%s", dir, e->d_name);
	}
	closedir(d);
	return res;
}

static int
empty_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	if (!d)
		return 1;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	closedir(d);
	return n == 0;
}

static void
program(const char *name, const char *args, const char *fix)
{
	char *p = which(name), *v = NULL, *cmd;

	if (!p) {
		missing(name, fix);
		return;
	}
	if (args) {
		cmd = xasprintf("'%s' %s 2>&1", p, args);
		v = first_line(cmd);
		free(cmd);
	}
	okay(name, v ? v : p);
	free(v);
	free(p);
}

int
cmd_doctor(int argc, char *argv[])
{
	char *src = conf_value("kiln.conf", "redox-src"), *arch = conf_value("kiln.conf", "arch");
	char *channel = conf_value("kiln.conf", "opt=rust-toolchain"), *cranelift = conf_value("kiln.conf", "opt=cranelift");
	char *home, *tcdir = NULL, *host = NULL, *p, *msg;
	int i;

	for (i = 1; i < argc; i++) {
		char **slot = !strncmp(argv[i], "--redox-src=", 12) ? &src : !strncmp(argv[i], "--arch=", 7) ? &arch :
		              !strncmp(argv[i], "--rust-toolchain=", 17) ? &channel : !strncmp(argv[i], "--cranelift=", 12) ? &cranelift : NULL;

		if (!slot || !strchr(argv[i], '=')) {
			fprintf(stderr, "usage: kiln doctor [--redox-src=DIR] [--arch=aarch64|x86_64] [--rust-toolchain=T] [--cranelift=PATH]\n");
			return 2;
		}
		free(*slot);
		*slot = xstrdup(strchr(argv[i], '=') + 1);
	}
	if (!arch || !*arch) {
		free(arch);
		arch = xstrdup("aarch64");
	}
	if (src && !*src) {
		free(src);
		src = NULL;
	}
	printf("kiln doctor: prerequisites of a Redox build for %s%s%s\n\n", arch, src ? " from " : "", src ? src : "");

	/* the build tools */
	program("ninja", "--version", "install ninja 1.11 or newer: apt-get install ninja-build | brew install ninja");
	program("rustup", "--version", "install rustup: https://rustup.rs (curl --proto '=https' -sSf https://sh.rustup.rs | sh)");
	program("cargo", "--version", "comes with rustup: https://rustup.rs");
	program("rustc", "--version", "comes with rustup: https://rustup.rs");
	if (getenv("RUSTC_WRAPPER") && *getenv("RUSTC_WRAPPER"))
		warning("RUSTC_WRAPPER", "is set (sccache refuses incremental builds, F21); kiln's cargo runs unset it anyway");

	/* the Redox tree */
	if (!src) {
		missing("Redox tree", "configure --redox-src=DIR (a tree laid out like the reference fork: recipes/core/*/source), or kiln doctor --redox-src=DIR");
	} else {
		static const char *const comps[] = { "kernel", "relibc", "base", "redoxfs", "ion", "uutils" };
		size_t k;

		for (k = 0; k < sizeof comps / sizeof comps[0]; k++) {
			p = xasprintf("%s/recipes/core/%s/source", src, comps[k]);
			msg = xasprintf("recipes/core/%s/source", comps[k]);
			if (!isdir(p))
				(k == 5 ? warning : missing)(msg, k == 5 ? "absent: uutils coreutils is skipped" : "absent: fetch the component (git-all.sh / git submodule update --init)");
			else
				okay(msg, p);
			free(p);
			free(msg);
		}
		p = xasprintf("%s/recipes/core/kernel/source/rmm", src);
		if (isdir(p) && empty_dir(p)) {
			msg = xasprintf("empty submodule (F29): git -C %s/recipes/core/kernel/source submodule update --init rmm", src);
			missing("kernel/rmm", msg);
			free(msg);
		}
		free(p);
		if (!channel) {
			p = xasprintf("%s/rust-toolchain.toml", src);
			channel = toolchain_channel(p);
			free(p);
		}
	}

	/* the toolchain and its components */
	if (!channel) {
		missing("Rust toolchain", "unknown: configure --rust-toolchain=nightly-YYYY-MM-DD (or add rust-toolchain.toml to the tree)");
	} else {
		home = getenv("RUSTUP_HOME") && *getenv("RUSTUP_HOME") ? xstrdup(getenv("RUSTUP_HOME")) :
		       xasprintf("%s/.rustup", getenv("HOME") ? getenv("HOME") : "");
		p = xasprintf("%s/toolchains", home);
		msg = xasprintf("%s-", channel);
		tcdir = find_entry(p, msg, NULL);
		free(msg);
		free(p);
		if (!tcdir) {
			msg = xasprintf("not installed: rustup toolchain install %s --profile minimal --component rust-src --component rustc-codegen-cranelift-preview", channel);
			missing(channel, msg);
			free(msg);
		} else {
			okay(channel, tcdir);
			host = xstrdup(strrchr(tcdir, '/') + 1 + strlen(channel) + 1);
			p = xasprintf("%s/lib/rustlib/src/rust", tcdir);
			msg = xasprintf("rustup component add rust-src --toolchain %s (-Zbuild-std needs it)", channel);
			if (isdir(p)) okay("rust-src", p); else missing("rust-src", msg);
			free(p);
			free(msg);
			p = xasprintf("%s/lib/rustlib/%s/bin/rust-lld", tcdir, host);
			msg = xasprintf("rustup component add llvm-tools --toolchain %s (links the bootstrap and the CRT objects)", channel);
			if (isfile(p)) okay("rust-lld", p); else missing("rust-lld", msg);
			free(p);
			free(msg);
		}
		free(home);
	}
	if (cranelift && *cranelift) {
		msg = xasprintf("--cranelift=%s: no such file", cranelift);
		if (isfile(cranelift)) okay("Cranelift backend", cranelift); else missing("Cranelift backend", msg);
		free(msg);
	} else {
		char *dir = tcdir ? xasprintf("%s/lib/rustlib/%s/codegen-backends", tcdir, host) : NULL;
		char *found = dir ? find_entry(dir, "librustc_codegen_cranelift", NULL) : NULL;

		if (!found && src) {
			p = xasprintf("%s/rustc_codegen_cranelift/dist/lib", src);
			found = find_entry(p, "librustc_codegen_cranelift", NULL);
			free(p);
		}
		if (found) {
			okay("Cranelift backend", found);
		} else {
			msg = xasprintf("rustup component add rustc-codegen-cranelift-preview --toolchain %s, or configure --cranelift=PATH, "
			                "or build rustc_codegen_cranelift (./y.sh prepare && ./y.sh build), or configure --codegen=llvm",
			                channel ? channel : "TOOLCHAIN");
			missing("Cranelift backend", msg);
			free(msg);
		}
		free(found);
		free(dir);
	}
	if (!strcmp(arch, "x86_64"))
		program("nasm", "-v", "the x86_64 kernel's build.rs assembles its trampoline: apt-get install nasm | brew install nasm");

	/* booting */
	{
		static const char *const fw_a64[] = { "/usr/share/AAVMF/AAVMF_CODE.fd", "/usr/share/qemu-efi-aarch64/QEMU_EFI.fd",
			"/opt/homebrew/share/qemu/edk2-aarch64-code.fd", "/usr/local/share/qemu/edk2-aarch64-code.fd", NULL };
		static const char *const fw_x64[] = { "/usr/share/OVMF/OVMF_CODE.fd", "/usr/share/ovmf/OVMF.fd",
			"/opt/homebrew/share/qemu/edk2-x86_64-code.fd", "/usr/local/share/qemu/edk2-x86_64-code.fd", NULL };
		const char *const *fw = strcmp(arch, "x86_64") ? fw_a64 : fw_x64;
		int a64 = strcmp(arch, "x86_64") != 0;

		program(a64 ? "qemu-system-aarch64" : "qemu-system-x86_64", "--version",
		        a64 ? "ninja run/boot-test: apt-get install qemu-system-arm | brew install qemu" :
		              "ninja run/boot-test: apt-get install qemu-system-x86 | brew install qemu");
		for (i = 0; fw[i] && !isfile(fw[i]); i++)
			;
		if (fw[i])
			okay("UEFI firmware", fw[i]);
		else
			missing("UEFI firmware", a64 ? "apt-get install qemu-efi-aarch64 | brew install qemu" : "apt-get install ovmf | brew install qemu");
	}
	printf("\nbootloader: --bootloader=FILE takes a prebuilt BOOTAA64.EFI/BOOTX64.EFI (Cranelift cannot emit PE/COFF, F15)\n");
	printf("%d missing, %d warnings\n", nmissing, nwarn);
	free(src);
	free(arch);
	free(channel);
	free(cranelift);
	free(tcdir);
	free(host);
	return nmissing ? 1 : 0;
}
