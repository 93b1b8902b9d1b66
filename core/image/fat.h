/* fat.h: FAT12/16/32 images for the EFI system partition (redox/formats.md 3.5).
 *
 * Geometry follows rust-fatfs's format_volume (what redox_installer uses): 512-byte sectors,
 * the cluster size from the volume size (FAT12 below 4200 KiB: next power of two of the size
 * / 1 MiB x 512; FAT16 below 512 MiB: 1 KiB up to 16 MiB, 2 KiB up to 128 MiB, then
 * next_pow2 / 64 MiB KiB; FAT32: 512 up to 260 MiB, 4 KiB up to 8 GiB, then next_pow2 / 2 GiB
 * KiB), then the first of FAT32, FAT16, FAT12 whose cluster count is valid for it; 2 FATs
 * sized by fatfs's formula; 512 root entries (FAT12/16); media F8, 32 sectors per track,
 * 64 heads, volume id 0x12345678, label "NO NAME". Reserved sectors: 1, or 32 for FAT32 (as
 * mkfs.fat; FSInfo at 1, backup boot sector at 6). A 1 MiB volume comes out exactly as
 * section 3.5: FAT12, 6-sector FATs, 2003 clusters of 512 bytes. */
#ifndef KILN_FAT_H
#define KILN_FAT_H

#include <stddef.h>
#include <stdint.h>

#include "manifest.h"
#include "util.h"

/* layout of a volume */
struct fat_geom {
	int type;             /* 12, 16 or 32 */
	uint32_t bps;         /* bytes per sector */
	uint32_t spc;         /* sectors per cluster */
	uint32_t reserved;    /* reserved sectors before the first FAT */
	uint32_t nfats;       /* number of FATs */
	uint32_t fatsz;       /* sectors per FAT */
	uint32_t rootents;    /* root directory entries (FAT12/16) */
	uint32_t rootsecs;    /* sectors of the root directory (FAT12/16) */
	uint32_t rootclus;    /* first cluster of the root (FAT32) */
	uint64_t total;       /* sectors in the volume */
	uint32_t data;        /* first sector of cluster 2 */
	uint32_t nclus;       /* data clusters */
};

/* choose the geometry for a volume of total 512-byte sectors; 0, or -1 if none fits */
int fat_geometry(uint64_t total, struct fat_geom *g);
/* write the FAT image of manifest m, size bytes, to out atomically; fatal on any error */
void fat_write(struct manifest *m, const char *out, uint64_t size);

/* a parsed image (bytes not owned) */
struct fat {
	const unsigned char *data;
	size_t len;
	struct fat_geom g;
	uint32_t volid;
	char label[12];
};

/* one directory entry as the reader reports it */
struct fat_dirent {
	int dir;              /* 1 for a directory */
	uint32_t first;       /* first cluster (0: none) */
	uint32_t size;        /* file size */
	unsigned char attr;   /* attribute byte */
};

/* check the boot sector; 0, or -1 with a reason in err */
int fat_open(struct fat *fs, const unsigned char *data, size_t len, struct buf *err);
/* visitor: path is "/A/b" built from long names (short ones when no valid long name) */
typedef int fat_visit(void *ctx, const char *path, const struct fat_dirent *e);
/* walk every entry depth-first in on-disk order, validating names, every chain (long enough
 * for the file size, no loop, no cluster used twice) and directory cycles; 0, the visitor's
 * non-zero value, or -1 with a reason in err */
int fat_walk(const struct fat *fs, fat_visit *fn, void *ctx, struct buf *err);
/* find path (components compared ASCII case-insensitively); 0 and *e, or -1 with err */
int fat_lookup(const struct fat *fs, const char *path, struct fat_dirent *e, struct buf *err);
/* append the content of a file entry to out, following and checking its chain; 0 or -1 */
int fat_read(const struct fat *fs, const struct fat_dirent *e, struct buf *out, struct buf *err);

#endif
