/* lz4.h: a bounds-checked decoder of the LZ4 block format (no frame, no size header), the
 * compression RedoxFS uses for records (shared/redox/formats.md 2.6) */
#ifndef DEMO_LZ4_H
#define DEMO_LZ4_H

#include <stdint.h>

/* decode the block src[0..n) into dst (room for cap bytes); *out gets the decoded length.
 * Returns NULL, or why the block is corrupt (it never reads or writes out of bounds). */
const char *lz4_decode(const unsigned char *src, uint64_t n, unsigned char *dst, uint64_t cap,
    uint64_t *out);

#endif
