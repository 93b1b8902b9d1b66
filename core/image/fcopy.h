/* fcopy.h: copy a whole file into a byte range of another file (a partition image into a
 * disk) as cheaply as the filesystem allows:
 *
 *   clone    share the blocks (Linux FICLONERANGE: Btrfs, XFS, bcachefs, ...): no data moves,
 *            so a disk rebuilt after one partition changed rewrites none of the others;
 *   extents  copy only the data extents (SEEK_DATA/SEEK_HOLE), in the kernel where it can
 *            (Linux copy_file_range); holes stay holes;
 *   plain    read everything and write the blocks that are not all zero.
 *
 * Each mode falls back to the next when the filesystem or the system does not support it, so
 * every mode gives the same bytes. macOS has no clone of a range of a file (clonefile and
 * copyfile's COPYFILE_CLONE make whole files), so there clone means extents. */
#ifndef KILN_FCOPY_H
#define KILN_FCOPY_H

#include <stdint.h>

/* how to copy */
enum fcopy_mode { FCOPY_CLONE, FCOPY_EXTENTS, FCOPY_PLAIN };

/* what a copy did, in bytes */
struct fcopy_stats {
	uint64_t cloned;   /* shared with the source */
	uint64_t copied;   /* written */
	uint64_t holes;    /* left unwritten (holes or all-zero blocks of the source) */
};

/* copy the n bytes of file in (inname for messages, read from offset 0) into out at byte
 * off, whose range must read as zeros beforehand; fatal (exit 2) on an I/O error or when the
 * source changes size; adds to *st */
void fcopy(int in, const char *inname, uint64_t n, int out, uint64_t off, const char *outname,
           enum fcopy_mode mode, struct fcopy_stats *st);

#endif
