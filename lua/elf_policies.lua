-- elf_policies.lua: what each kind of linked file must look like (`kiln elf check --policy=NAME`).
--
-- Data only. `kiln elf check --policies=FILE.lua` merges FILE's table over this one field by
-- field (new policies may be added the same way). Unknown fields are errors.
--
-- Fields (all optional; `inherits` copies every field the policy does not set itself):
--   description      one line for humans
--   inherits         name of the policy to start from
--   format           "elf" (default) or "pe" (PE32+ EFI application)  (format, pe-format, pe-magic)
--   type             "exec", "dyn" or "any": required e_type              (check: type)
--   pie              false: ET_DYN forbidden; "with-interp": only with PT_INTERP  (pie)
--   static           true: no PT_INTERP, PT_DYNAMIC, DT_NEEDED (interp, dynamic, needed);
--                    false: interpreter and DT_NEEDED must be in --provides
--                    (interp-missing, needed-missing); "any": not checked
--   machine          "target" (--arch), "host" or "any"                    (machine, class, endian)
--   entry_base       e_entry at or above; a number or { aarch64 = ..., x86_64 = ... } (kernel-base)
--   text_base        .text and the code segment at or above              (kernel-base)
--   min_code         minimum bytes in executable PT_LOADs                 (min-code)
--   max_size         budget in bytes for an unstripped file ("4M" works)  (size-budget)
--   page_size        PT_LOAD p_align at least this, vaddr == offset mod it (align)
--   inplace_base     every PT_LOAD has p_vaddr == p_offset + base, filesz == memsz (in-place)
--   start_symbol     e_entry equals this symbol when symbols exist        (no-start, entry-start)
--   entry_nonzero    e_entry != 0                                         (entry-zero)
--   entry_in_exec    e_entry inside an executable PT_LOAD                 (entry-outside)
--   require_text     a .text section exists                               (no-text)
--   allow_rwx        writable+executable PT_LOAD allowed                  (rwx-segment)
--   allow_exec_stack executable PT_GNU_STACK allowed                      (exec-stack)
--   allow_textrel    DT_TEXTREL allowed                                   (textrel)
--   host_paths       byte strings that must not occur in the file         (host-path)
--   pe_subsystem     required PE subsystem, 10 = EFI application          (pe-subsystem)
--   pe_relocs        relocatable: relocations not stripped, any inside a section (pe-relocs)
--   pe_no_imports    no import directory: UEFI loads no DLLs              (pe-imports)
--   (entry_nonzero and entry_in_exec apply to PE files too: the entry point (pe-entry))
--   waive            { ["check-id"] = "why this is fine" }: violation printed as waived

local host_paths = { "/home/", "/Users/", "/opt/other/" }

return {
	-- checks every Redox artefact shares (redox/components.md F13, anchors.md C.2)
	common = {
		description = "64-bit little-endian, target machine, no RWX, no exec stack, no TEXTREL",
		format = "elf",
		machine = "target",
		page_size = 4096,
		host_paths = host_paths,
	},

	-- F6: linked with linkers/<arch>.ld at KERNEL_OFFSET, entry kstart
	kernel = {
		description = "Redox kernel: ET_EXEC at the kernel base, entry kstart, real code",
		inherits = "common",
		type = "exec",
		pie = false,
		static = true,
		entry_base = { aarch64 = 0xFFFFFF0000000000, x86_64 = 0xFFFFFFFF80000000 },
		text_base = { aarch64 = 0xFFFFFF0000000000, x86_64 = 0xFFFFFFFF80000000 },
		min_code = 16384,
		require_text = true,
		entry_nonzero = true,
		entry_in_exec = true,
		start_symbol = "kstart",
	},

	-- F9: the kernel jumps into the raw file bytes mapped at 0x2000 (formats.md 1.8)
	bootstrap = {
		description = "initfs bootstrap: static ET_EXEC that runs in place at 0x2000",
		inherits = "common",
		type = "exec",
		pie = false,
		static = true,
		inplace_base = 0x2000,
		entry_nonzero = true,
		entry_in_exec = true,
		start_symbol = "_start",
	},

	-- F1, F2, F10: static non-PIE with the CRT objects linked
	["initfs-bin"] = {
		description = "initfs program: static non-PIE ET_EXEC with _start as its entry",
		inherits = "common",
		type = "exec",
		pie = false,
		static = true,
		entry_nonzero = true,
		entry_in_exec = true,
		start_symbol = "_start",
		max_size = "8M",
	},

	-- F14: static, or dynamic with everything it needs inside the image
	userspace = {
		description = "root filesystem program: static, or dynamic with its libraries in the image",
		inherits = "common",
		type = "any",
		pie = "with-interp",
		static = false,
		entry_nonzero = true,
		entry_in_exec = true,
		start_symbol = "_start",
	},

	-- build scripts, proc-macros and kiln's own helpers run on the build machine
	["host-tool"] = {
		description = "program for the build machine: host machine, sane segments",
		inherits = "common",
		machine = "host",
		type = "any",
		pie = true,
		static = "any",
		host_paths = {},
	},

	-- F15: BOOTAA64.EFI / BOOTX64.EFI
	uefi = {
		description = "UEFI bootloader: PE32+ EFI application for the target machine, relocatable, no imports",
		format = "pe",
		machine = "target",
		pe_subsystem = 10,
		entry_nonzero = true,
		entry_in_exec = true,
		pe_relocs = true,
		pe_no_imports = true,
	},
}
