/* elf_check.h: post-link validation of ELF (and PE32+ EFI) files against a policy.
 *
 * The checker works on a memory buffer and never exits: a malformed file gives -1 and a
 * one-line reason, a well-formed one gives a report of violations (redox/components.md F1,
 * F2, F6, F9, F10, F13, F14, F15 and the hygiene checks of shared/anchors.md C.2). */
#ifndef KILN_ELF_CHECK_H
#define KILN_ELF_CHECK_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

/* 0 when data is an ELF64 LE whose every PT_LOAD has p_vaddr == p_offset + base and
 * p_filesz == p_memsz (it runs in place when loaded at base); else -1 and a one-line reason
 * appended to why (why may be NULL) */
int elf_check_in_place(const unsigned char *data, size_t len, uint64_t base, struct buf *why);
/* *entry = e_entry of an ELF64 LE file; 0 ok, -1 not ELF (or another class or byte order) */
int elf_entry(const unsigned char *data, size_t len, uint64_t *entry);

/* 0 when data is a well-formed ELF64 LE file: header, program headers, segments, section
 * headers and section contents all inside it; else -1 and a one-line reason appended to why */
int elf_validate(const unsigned char *data, size_t len, struct buf *why);

/* a policy: what one kind of file must look like (lua/elf_policies.lua, elf_policy.h) */
struct elf_policy {
	char *name;            /* policy name ("kernel") */
	char *description;     /* one line for humans */
	char *inherits;        /* parent policy before resolution, or NULL */
	int pe;                /* 1: the file is a PE32+ EFI application, not ELF */
	int type;              /* required e_type (ET_EXEC, ET_DYN) or 0 for any */
	int pie;               /* 0: ET_DYN is forbidden (check "pie"); 1 allowed */
	int static_;           /* 1: no PT_INTERP/PT_DYNAMIC/DT_NEEDED; 0: needs provided; 2: any */
	int machine;           /* 0 any, 1 the target (--arch), 2 the host */
	uint64_t entry_base;   /* e_entry must be at or above (0: no check) */
	uint64_t text_base;    /* .text and the code segment at or above (0: no check) */
	uint64_t min_code;     /* minimum size of the executable PT_LOADs (0: no check) */
	uint64_t max_size;     /* file size budget when not stripped (0: none) */
	uint64_t page_size;    /* PT_LOAD alignment and congruence (0: no check) */
	uint64_t inplace_base; /* runs in place at this address (0: no check) */
	char *start_symbol;    /* e_entry must equal this symbol when symbols exist, or NULL */
	int entry_nonzero;     /* e_entry != 0 */
	int entry_in_exec;     /* e_entry inside an executable PT_LOAD */
	int require_text;      /* a .text section must exist */
	int allow_rwx;         /* writable+executable PT_LOAD allowed */
	int allow_exec_stack;  /* PT_GNU_STACK with PF_X allowed */
	int allow_textrel;     /* DT_TEXTREL allowed */
	char **host_paths;     /* byte strings that must not appear (host build paths) */
	size_t nhost_paths;
	uint32_t pe_subsystem; /* required PE subsystem (10: EFI application) */
	int pe_relocs;         /* PE: base relocations present, inside a section */
	int pe_no_imports;     /* PE: no import directory (UEFI loads no DLLs) */
	char **waive_id;       /* waived check ids, with their reasons */
	char **waive_reason;
	size_t nwaive;
	uint32_t set;          /* bit per field given explicitly (elf_policy.c) */
};

/* what the checker knows besides the policy */
struct elf_env {
	const char *arch;        /* "aarch64" or "x86_64" */
	const char *host_arch;   /* the machine kiln runs on */
	char **provides;         /* absolute image paths (--provides) */
	size_t nprovides;
	int have_provides;       /* a --provides list was given */
	char **forbid;           /* extra forbidden path strings (--forbid-path) */
	size_t nforbid;
};

/* one violation */
struct elf_violation {
	char *id;       /* stable check id ("rwx-segment") */
	char *msg;      /* diagnosis naming the likely cause; fix */
	char *waived;   /* waiver reason, or NULL */
};

/* the result of one check */
struct elf_report {
	struct elf_violation *v;
	size_t nv;
	size_t nfailed;   /* violations not waived */
	char *kind;       /* "ELF64 ET_EXEC EM_AARCH64", "PE32+ EFI application" */
};

/* check data against policy p; 0 with r filled, or -1 with a one-line reason in err when the
 * file is malformed (truncated, tables past the end); never exits */
int elf_check_mem(const unsigned char *data, size_t len, const struct elf_policy *p,
                  const struct elf_env *env, struct elf_report *r, struct buf *err);
/* free the contents of r */
void elf_report_free(struct elf_report *r);

/* e_machine of an architecture name ("aarch64" 183, "x86_64" 62), 0 if unknown */
int elf_arch_machine(const char *arch);
/* name of the machine kiln was compiled for ("x86_64", "aarch64", ...) */
const char *elf_host_arch(void);

#endif
