/* gpt.h: protective MBR + GPT disks laid out like redox_installer (redox/formats.md 3.1-3.3).
 *
 * GUIDs are derived, never random: guid = SHA-256(seed, 0, basename(output), 0, name) cut to
 * 16 bytes, read as the RFC 4122 text order, with the version nibble set to 4 and the variant
 * to 10xx; the disk GUID uses the name "" and each partition its own name. So a disk is the
 * same on every rebuild and different for every image and partition. */
#ifndef KILN_GPT_H
#define KILN_GPT_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

#define GPT_SECTOR 512
#define GPT_ENTRIES 128       /* entries in the table */
#define GPT_ENTRY_SIZE 128    /* bytes per entry */
#define GPT_TABLE_SECTORS 32  /* 128 x 128 bytes */
#define GPT_MIB_SECTORS 2048  /* sectors in one MiB: partitions start and end on these */

/* one decoded partition table entry */
struct gpt_entry {
	unsigned idx;                 /* 1-based slot number */
	unsigned char type[16];       /* type GUID, on-disk (mixed-endian) bytes */
	unsigned char guid[16];       /* unique GUID, on-disk bytes */
	uint64_t first, last, attr;   /* LBA range (inclusive) and attribute bits */
	char name[36 * 3 + 1];        /* name converted from UTF-16LE to UTF-8 */
};

/* a decoded disk: header fields, used entries, and what failed verification */
struct gpt {
	uint64_t nsect;               /* disk size in sectors */
	uint32_t mbr_start, mbr_size; /* protective MBR record */
	unsigned char mbr_type;
	uint64_t my_lba, alt_lba, first_usable, last_usable, table_lba;
	unsigned char disk_guid[16];
	uint32_t nent, entsize;       /* table geometry */
	uint32_t hcrc, ecrc;          /* stored CRCs of the primary header and table */
	struct gpt_entry ent[GPT_ENTRIES];
	unsigned nused;               /* entries with a non-zero type */
	struct buf bad;               /* verification failures, one per line (empty: all good) */
};

/* decode a disk of nsect sectors from its first 34 sectors (head) and last 33 (tail);
 * 0 when it is a GPT (verification failures go to g->bad), -1 with a reason in err when it
 * is not one or its geometry is unusable */
int gpt_parse(const unsigned char *head, const unsigned char *tail, uint64_t nsect,
              struct gpt *g, struct buf *err);
/* derive a GUID as described above, in on-disk byte order */
void gpt_guid(const char *seed, const char *image, const char *name, unsigned char out[16]);
/* format on-disk GUID bytes as text (37 bytes with the NUL) */
void gpt_guid_str(const unsigned char g[16], char out[37]);
/* parse "XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX" to on-disk bytes; 0 or -1 */
int gpt_guid_parse(const char *s, unsigned char out[16]);

#endif
