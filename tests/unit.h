/* tests/unit.h: assertions for the C unit tests, in the protocol tests/run reads */
#ifndef KILN_UNIT_H
#define KILN_UNIT_H
#include <stdio.h>
#include <string.h>

static int unit_failed;

/* CHECK(name, cond): one assertion, printed as "ok name" or "FAIL name: cond" */
#define CHECK(name, cond) do { \
	if (cond) printf("ok %s\n", name); \
	else { printf("FAIL %s: %s (%s:%d)\n", name, #cond, __FILE__, __LINE__); unit_failed = 1; } \
} while (0)

/* CHECK_STR(name, expected, actual): string equality with both values shown on failure */
#define CHECK_STR(name, exp, act) do { \
	const char *e_ = (exp), *a_ = (act); \
	if (e_ && a_ && !strcmp(e_, a_)) printf("ok %s\n", name); \
	else { printf("FAIL %s: expected \"%s\", got \"%s\" (%s:%d)\n", name, e_ ? e_ : "(null)", \
	               a_ ? a_ : "(null)", __FILE__, __LINE__); unit_failed = 1; } \
} while (0)

#endif
