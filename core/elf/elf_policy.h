/* elf_policy.h: ELF check policies as data, loaded from Lua (lua/elf_policies.lua plus
 * --policies=FILE overrides merged field by field, then `inherits` resolved). */
#ifndef KILN_ELF_POLICY_H
#define KILN_ELF_POLICY_H

#include <stddef.h>

#include "elf_check.h"

/* every policy known after loading */
struct elf_policies {
	struct elf_policy *p;
	size_t n;
};

/* load the Lua file path (it returns { name = { field = value, ... }, ... }) and merge it
 * field by field over ps; per-architecture values ({ aarch64 = ..., x86_64 = ... }) are
 * resolved for arch; fatal (exit 2) naming the file, policy and field on any error */
void elf_policies_load(struct elf_policies *ps, const char *path, const char *arch);
/* the policy called name with `inherits` chains resolved and defaults applied; fatal when
 * it does not exist (listing the known names) or its inheritance is broken */
struct elf_policy *elf_policy_resolve(struct elf_policies *ps, const char *name);
/* add a waiver (check id, reason) to p, replacing an earlier one for the same id */
void elf_policy_waive(struct elf_policy *p, const char *id, const char *reason);
/* names of all policies, sorted, separated by ", " (freshly allocated) */
char *elf_policy_names(const struct elf_policies *ps);

#endif
