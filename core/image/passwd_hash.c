/* passwd_hash.c: the password field of Redox's /etc/shadow, and `kiln passwd-hash`, which
 * prints it for a password read from stdin. */
#define _POSIX_C_SOURCE 200809L
#define _DARWIN_C_SOURCE  /* macOS hides part of POSIX.1-2008 (O_NOFOLLOW) without it; others ignore it */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "argon2.h"
#include "cmd.h"
#include "passwd_hash.h"
#include "util.h"

/* rust-argon2's parameter sets, in the order of enum passwd_config */
static const struct preset {
	const char *name;       /* as given to --config */
	enum argon2_type type;  /* variant */
	uint32_t m, t, p;       /* memory (KiB), passes, lanes */
} presets[] = {
	{ "default",  ARGON2_ID, 19456, 2, 1 },
	{ "original", ARGON2_I,  4096,  3, 1 },
};

/* the tag length of every preset: rust-argon2's hash_length 32 */
#define TAGLEN 32

int
passwd_config_parse(const char *name, enum passwd_config *out)
{
	size_t i;

	for (i = 0; i < sizeof presets / sizeof presets[0]; i++) {
		if (!strcmp(name, presets[i].name)) {
			*out = (enum passwd_config)i;
			return 0;
		}
	}
	return -1;
}

/* the offset of the first byte of p that does not belong to valid UTF-8 (what a Rust str may
 * hold: no overlong forms, no surrogates, nothing above U+10FFFF), or n when all is valid */
static size_t
utf8_invalid_at(const unsigned char *p, size_t n)
{
	size_t i = 0, k, len;
	uint32_t cp;

	while (i < n) {
		unsigned char c = p[i];

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			len = 2, cp = c & 0x1f;
		else if (c >= 0xe0 && c <= 0xef)
			len = 3, cp = c & 0x0f;
		else if (c >= 0xf0 && c <= 0xf4)
			len = 4, cp = c & 0x07;
		else
			return i;
		if (n - i < len)
			return i;
		for (k = 1; k < len; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				return i;
			cp = cp << 6 | (p[i + k] & 0x3f);
		}
		if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return i;
		i += len;
	}
	return n;
}

/* what is wrong with a salt of saltlen bytes, or NULL */
static const char *
salt_problem(size_t saltlen)
{
	if (saltlen < PASSWD_SALT_MIN)
		return "the salt is shorter than 8 bytes (rust-argon2 refuses it)";
	if (saltlen > PASSWD_SALT_MAX)
		return "the salt is longer than 64 bytes";
	return NULL;
}

const char *
passwd_hash(struct buf *out, const void *pwd, size_t pwdlen, const void *salt, size_t saltlen,
            enum passwd_config config)
{
	const struct preset *ps = &presets[config];
	struct argon2_params a = { 0 };
	unsigned char tag[TAGLEN];
	const char *err;

	if ((err = salt_problem(saltlen)))
		return err;
	if (pwdlen > PASSWD_MAX)
		return "the password is longer than 4096 bytes";
	if (utf8_invalid_at(pwd, pwdlen) != pwdlen)
		return "the password is not valid UTF-8, so it could never be typed at a Redox login";
	if (pwdlen == 0) /* the installer's "blank" password: login accepts only an empty one */
		return NULL;
	a.type = ps->type;
	a.m = ps->m, a.t = ps->t, a.p = ps->p;
	a.taglen = TAGLEN;
	a.pwd = pwd, a.pwdlen = pwdlen;
	a.salt = salt, a.saltlen = saltlen;
	if ((err = argon2_hash(&a, tag)))
		return err;
	argon2_encode(out, &a, tag);
	return NULL;
}

const char usage_passwd_hash[] =
	"usage: kiln passwd-hash --salt=SALT [--config=default|original] <PASSWORD\n"
	"\n"
	"Print the /etc/shadow password field that the Redox installer writes for the password\n"
	"on stdin: rust-argon2's hash_encoded(password, SALT, config), which redox_users checks\n"
	"at login. stdin holds the password, optionally followed by one newline; other newlines\n"
	"and NUL bytes belong to it. It must be UTF-8, at most 4096 bytes. An empty password\n"
	"prints an empty line (the installer writes an empty field: login with no password).\n"
	"\n"
	"  --salt=SALT      8 to 64 bytes. The installer picks a random one; kiln is\n"
	"                   reproducible, so the caller derives it from SOURCE_DATE_EPOCH and\n"
	"                   the user name (e.g. 16 upper-case hex digits of a hash of both).\n"
	"  --config=NAME    rust-argon2's Config::NAME():\n"
	"                   default   Argon2id m=19456 t=2 p=1 (rust-argon2 3.x, the installer\n"
	"                             since March 2026)\n"
	"                   original  Argon2i m=4096 t=3 p=1 (Config::default() of rust-argon2\n"
	"                             0.8 and 1.0, the installer before)\n";

/* read all of stdin, at most max bytes; fatal when there is more or on a read error */
static size_t
read_stdin(unsigned char *p, size_t max)
{
	size_t n = 0;
	ssize_t r;

	for (;;) {
		r = read(0, p + n, max + 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			fatal("stdin: %s", strerror(errno));
		if (r == 0)
			return n;
		n += (size_t)r;
		if (n > max)
			fatal("stdin: the password is longer than %d bytes; give a shorter one", PASSWD_MAX);
	}
}

int
cmd_passwd_hash(int argc, char *argv[])
{
	static unsigned char pwd[PASSWD_MAX + 2]; /* the password, a newline, and one to spare */
	enum passwd_config config = PASSWD_DEFAULT;
	const char *salt = NULL, *err;
	struct buf out = { 0 };
	size_t n;
	int i;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strncmp(a, "--salt=", 7))
			salt = a + 7;
		else if (!strcmp(a, "--salt") && i + 1 < argc)
			salt = argv[++i];
		else if (!strncmp(a, "--config=", 9) || (!strcmp(a, "--config") && i + 1 < argc)) {
			const char *name = a[8] == '=' ? a + 9 : argv[++i];

			if (passwd_config_parse(name, &config) != 0)
				fatal("--config=%s: unknown parameter set; use 'default' (the installer's, "
				      "rust-argon2 3.x) or 'original' (rust-argon2 0.8)", name);
		} else if (a[0] == '-')
			unknown_option(a);
		else
			usage_error("unexpected argument '%s' (the password is read from stdin)", a);
	}
	if (!salt)
		usage_error("--salt is required: give 8 to 64 bytes derived from SOURCE_DATE_EPOCH and the "
		      "user name, so that the hash is reproducible");
	if ((err = salt_problem(strlen(salt))))
		fatal("--salt: %s: %zu bytes given; use 8 to 64 (the installer uses 16 hex digits)",
		      err, strlen(salt));
	n = read_stdin(pwd, PASSWD_MAX + 1);
	if (n > 0 && pwd[n - 1] == '\n')
		n--;
	if (n > PASSWD_MAX)
		fatal("stdin: the password is longer than %d bytes; give a shorter one", PASSWD_MAX);
	err = passwd_hash(&out, pwd, n, salt, strlen(salt), config);
	memset(pwd, 0, sizeof pwd);
	if (err)
		fatal("stdin: %s", err);
	buf_putc(&out, '\n');
	if (fwrite(out.s, 1, out.len, stdout) != out.len || fflush(stdout) != 0)
		fatal("stdout: %s", strerror(errno));
	buf_free(&out);
	return 0;
}
