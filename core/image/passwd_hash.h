/* passwd_hash.h: the password field of Redox's /etc/shadow ("user;HASH" lines), as the Redox
 * installer writes it from a config's [users.NAME] password and redox_users checks it at login.
 *
 * The installer calls rust-argon2's hash_encoded(password, salt, &Config::default()) with a
 * random salt (16 upper-case hex digits), and writes an empty field for an empty password.
 * kiln must be reproducible, so the salt is an input here: the caller derives it from
 * SOURCE_DATE_EPOCH and the user name, so the same config and epoch give the same shadow file,
 * and two users with one password still get different hashes. */
#ifndef KILN_PASSWD_HASH_H
#define KILN_PASSWD_HASH_H

#include <stddef.h>

struct buf;

/* salt lengths accepted: rust-argon2 refuses fewer than 8 bytes; more than 64 is no use */
#define PASSWD_SALT_MIN 8
#define PASSWD_SALT_MAX 64
/* the longest password accepted */
#define PASSWD_MAX 4096

/* the Argon2 parameter sets of rust-argon2, named as its Config constructors are */
enum passwd_config {
	PASSWD_DEFAULT,  /* Config::default() of rust-argon2 3.x, the installer's since March 2026:
	                  * Argon2id, m=19456 KiB, t=2, p=1, 32-byte tag */
	PASSWD_ORIGINAL, /* Config::original(), which was Config::default() of rust-argon2 0.8 and
	                  * 1.0 (the installer's before): Argon2i, m=4096 KiB, t=3, p=1, 32 bytes */
};

/* the parameter set called name ("default", "original"); returns 0, or -1 for another name */
int passwd_config_parse(const char *name, enum passwd_config *out);
/* append the shadow field of a password: nothing for an empty password, else the Argon2 PHC
 * string ("$argon2id$v=19$m=19456,t=2,p=1$SALT$HASH"). Returns NULL, or a phrase saying what is
 * wrong with the salt or the password (its length, or that it is not UTF-8) */
const char *passwd_hash(struct buf *out, const void *pwd, size_t pwdlen, const void *salt,
                        size_t saltlen, enum passwd_config config);

#endif
