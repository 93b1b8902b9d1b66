/* bytescan.h: find the first occurrence of each of several byte strings in a buffer, in one
 * pass over it (the host-path check reads whole files: kernels with debug info, 30 MiB and
 * more, so the scan has to run at memory speed). */
#ifndef KILN_BYTESCAN_H
#define KILN_BYTESCAN_H

#include <stddef.h>

/* for each pats[k] (npats of them, each non-empty) set first[k] to the offset of its first
 * occurrence in d[0..len), or to len when it does not occur */
void bytescan(const unsigned char *d, size_t len, const char *const *pats, size_t npats,
              size_t *first);

/* the filters bytescan can run, slowest first */
enum { BYTESCAN_SCALAR, BYTESCAN_VECTOR, BYTESCAN_AVX2 };
/* the one it runs here: AVX2 where the compiler has it and the CPU reports it, else the
 * 16-byte vectors of GCC and Clang (SSE2, NEON), else byte by byte */
int bytescan_level(void);
/* run no filter above level (the tests compare every filter with a naive search) */
void bytescan_limit(int level);

#endif
