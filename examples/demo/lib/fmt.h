/* fmt.h: number formatting without libc, for the demo kernel and programs */
#ifndef DEMO_FMT_H
#define DEMO_FMT_H

#include <stdint.h>

/* write v in decimal into buf (at least 21 bytes); return the NUL-terminated digits */
static inline char *
fmt_dec(char *buf, uint64_t v)
{
	char *p = buf + 20;

	*p = 0;
	do
		*--p = (char)('0' + v % 10);
	while (v /= 10);
	return p;
}

/* write v as 0x-prefixed lower-case hex into buf (at least 19 bytes); return the string */
static inline char *
fmt_hex(char *buf, uint64_t v)
{
	char *p = buf + 18;

	*p = 0;
	do
		*--p = "0123456789abcdef"[v & 15];
	while (v >>= 4);
	*--p = 'x';
	*--p = '0';
	return p;
}

/* length of a NUL-terminated string */
static inline unsigned long
fmt_len(const char *s)
{
	unsigned long n = 0;

	while (s[n])
		n++;
	return n;
}

#endif
