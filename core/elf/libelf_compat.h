/* libelf_compat.h: the one place that knows which libelf kiln is built with.
 *
 * kiln builds with elfutils' libelf (Linux), with Michael Riepe's libelf 0.8.13 (what Homebrew
 * ships as `libelf` for macOS) and with elftoolchain's. It uses only the API the three share:
 * elf_version, elf_begin(ELF_C_READ | ELF_C_WRITE), elf_memory, elf_kind, elf_getshdrnum,
 * elf_getshdrstrndx, elf_getphdrnum, elf_nextscn, elf_getscn, elf_ndxscn, elf_getdata,
 * elf_newscn, elf_newdata, elf_strptr, elf_flag*, elf_update, elf_end, elf_errmsg and gelf_*.
 *
 * What differs is the set of ELF constants: libelf 0.8.13 on a system without <elf.h>
 * (macOS) uses its own elf_repl.h of 2009, which lacks EM_AARCH64 and the GNU program header
 * types. Each is defined here only when the headers do not define it (a feature test, not a
 * test of the operating system), with the value of the ELF gABI and the GNU extensions.
 */
#ifndef KILN_LIBELF_COMPAT_H
#define KILN_LIBELF_COMPAT_H

#include <libelf.h>
#include <gelf.h>

#ifndef EM_AARCH64
#define EM_AARCH64 183 /* ARM 64-bit (gABI) */
#endif
#ifndef EM_X86_64
#define EM_X86_64 62
#endif
#ifndef PT_GNU_EH_FRAME
#define PT_GNU_EH_FRAME 0x6474e550
#endif
#ifndef PT_GNU_STACK
#define PT_GNU_STACK 0x6474e551
#endif
#ifndef PT_GNU_RELRO
#define PT_GNU_RELRO 0x6474e552
#endif
#ifndef PT_GNU_PROPERTY
#define PT_GNU_PROPERTY 0x6474e553
#endif
#ifndef DF_TEXTREL
#define DF_TEXTREL 0x4
#endif
#ifndef DT_RUNPATH
#define DT_RUNPATH 29
#endif
#ifndef DT_FLAGS
#define DT_FLAGS 30
#endif
#ifndef SHF_INFO_LINK
#define SHF_INFO_LINK 0x40
#endif
#ifndef SHT_SYMTAB_SHNDX
#define SHT_SYMTAB_SHNDX 18
#endif

#endif
