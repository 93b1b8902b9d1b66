/* redoxfs_format.c: what the RedoxFS writer and reader share: the node layout tables, the
 * htree name hash and the rules for entry names (see redoxfs.h) */
#include <stddef.h>
#include <stdint.h>

#include "redoxfs.h"
#include "seahash.h"

const unsigned rfs_level_off[5] = { 128, 2176, 3200, 3712, 3968 };
const unsigned rfs_level_n[5] = { 128, 64, 32, 16, 8 };

uint32_t
rfs_namehash(const char *name, size_t len)
{
	uint32_t h = (uint32_t)seahash(name, len);

	return h == 0xFFFFFFFFu ? 0xFFFFFFFEu : h;
}

const char *
rfs_badname(const char *name, size_t len)
{
	const unsigned char *s = (const unsigned char *)name;
	size_t i, k, n;

	if (len == 0)
		return "empty name";
	if (len > RFS_NAME_MAX)
		return "name longer than 252 bytes (the RedoxFS limit)";
	for (i = 0; i < len; i += n) {
		uint32_t c;
		if (s[i] == ':')
			return "name contains ':' (RedoxFS rejects it)";
		if (s[i] == '/' || s[i] == '\0')
			return "name contains '/' or NUL";
		if (s[i] < 0x80) { n = 1; continue; }
		if (s[i] >= 0xC2 && s[i] <= 0xDF) n = 2, c = s[i] & 0x1F;
		else if (s[i] >= 0xE0 && s[i] <= 0xEF) n = 3, c = s[i] & 0x0F;
		else if (s[i] >= 0xF0 && s[i] <= 0xF4) n = 4, c = s[i] & 0x07;
		else return "name is not valid UTF-8";
		if (i + n > len)
			return "name is not valid UTF-8";
		for (k = 1; k < n; k++) {
			if ((s[i + k] & 0xC0) != 0x80)
				return "name is not valid UTF-8";
			c = c << 6 | (s[i + k] & 0x3F);
		}
		if ((n == 3 && (c < 0x800 || (c >= 0xD800 && c <= 0xDFFF))) ||
		    (n == 4 && (c < 0x10000 || c > 0x10FFFF)))
			return "name is not valid UTF-8";
	}
	return NULL;
}
