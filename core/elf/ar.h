/* ar.h: deterministic Unix ar archives (the GNU variant the linkers read): writing from
 * object files with a symbol table, and a validating reader for extraction */
#ifndef KILN_AR_H
#define KILN_AR_H
#include <stddef.h>
#include <stdint.h>

#include "util.h"

/* one member of an archive being read */
struct ar_member {
	char name[256];            /* member name, without GNU's trailing '/' */
	const unsigned char *data; /* its bytes, inside the archive buffer */
	size_t size;
};

/* called for each regular member; returns 0 to go on, non-zero to stop the walk */
typedef int (*ar_visit)(const struct ar_member *m, void *ctx);

/* walk the archive in d[0..len): symbol tables and the long-name table are checked and
 * skipped; returns 0, or -1 with the reason (offset and cause) in err */
int ar_read(const unsigned char *d, size_t len, ar_visit fn, void *ctx, struct buf *err);

/* the defined global symbols of the ELF relocatable object in d[0..len), appended to syms
 * (NUL-terminated strings, count in *n); a file that is not ELF gives none; returns 0, or
 * -1 with the reason in err */
int ar_elf_symbols(const unsigned char *d, size_t len, struct buf *syms, size_t *n, struct buf *err);

/* write the archive of the named files (in the given order; their base names become member
 * names) to out, deterministically: zero mtime, uid and gid, mode 644, and a GNU symbol table
 * when a member defines symbols; fatal on error */
void ar_create(const char *out, char **files, size_t nfiles);

#endif
