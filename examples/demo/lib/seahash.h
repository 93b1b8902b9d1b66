/* seahash.h: the seahash 4.1 checksum RedoxFS uses for every block pointer and header
 * (shared/redox/formats.md 2.2), written for the demo's bootloader and kernel */
#ifndef DEMO_SEAHASH_H
#define DEMO_SEAHASH_H

#include <stdint.h>

/* seahash of n bytes at p; reads bytes one at a time, so p may be unaligned */
uint64_t seahash(const unsigned char *p, uint64_t n);

#endif
