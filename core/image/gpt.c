/* gpt.c: `kiln gpt create|list`: protective MBR + GPT disks (redox/formats.md 3.1-3.3).
 *
 * Default placement is redox_installer's: a BIOS boot partition given first starts at LBA 34
 * (34..2047 for a 1 MiB size), every other partition at the next MiB; a partition sized by its image
 * gets the image rounded up to a MiB; the last partition without a size runs to the last
 * whole MiB below the backup GPT. Partition images are cloned into the disk where the
 * filesystem shares blocks, else their data extents are copied (fcopy.h); holes stay holes,
 * so the output is sparse, and it is written to a temporary file renamed over the output. */
#define _POSIX_C_SOURCE 200809L
#define _DARWIN_C_SOURCE  /* macOS hides part of POSIX.1-2008 (O_NOFOLLOW) without it; others ignore it */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "cmd.h"
#include "fcopy.h"
#include "gpt.h"
#include "sha256.h"

#define HDR_SIZE 92
#define TABLE_BYTES (GPT_ENTRIES * GPT_ENTRY_SIZE)

static const struct {
	const char *name;   /* --part type= word */
	const char *guid;   /* type GUID */
	const char *deflt;  /* default partition name */
} types[] = {
	{ "bios",    "21686148-6449-6E6F-744E-656564454649", "BIOS" },
	{ "esp",     "C12A7328-F81F-11D2-BA4B-00A0C93EC93B", "EFI" },
	{ "linux",   "0FC63DAF-8483-4772-8E79-3D69D8477DE4", "REDOX" },
	{ "redoxfs", "0FC63DAF-8483-4772-8E79-3D69D8477DE4", "REDOX" },
};


/* text order index -> on-disk index: the first three fields are little-endian */
static const int disk_order[16] = { 3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15 };

int
gpt_guid_parse(const char *s, unsigned char out[16])
{
	unsigned char t[16];
	int i, k = 0, hi, lo;

	for (i = 0; i < 16; i++) {
		if (k == 8 || k == 13 || k == 18 || k == 23) {
			if (s[k] != '-')
				return -1;
			k++;
		}
		if ((hi = hexdigit(s[k])) < 0 || (lo = hexdigit(s[k + 1])) < 0)
			return -1;
		t[i] = (unsigned char)(hi << 4 | lo);
		k += 2;
	}
	if (s[k] != '\0')
		return -1;
	for (i = 0; i < 16; i++)
		out[disk_order[i]] = t[i];
	return 0;
}

void
gpt_guid_str(const unsigned char g[16], char out[37])
{
	static const char hex[] = "0123456789ABCDEF";
	int i, k = 0;

	for (i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[k++] = '-';
		out[k++] = hex[g[disk_order[i]] >> 4];
		out[k++] = hex[g[disk_order[i]] & 15];
	}
	out[k] = '\0';
}

void
gpt_guid(const char *seed, const char *image, const char *name, unsigned char out[16])
{
	struct sha256 s;
	unsigned char d[32];
	const char *base = strrchr(image, '/');
	int i;

	base = base ? base + 1 : image;
	sha256_init(&s);
	sha256_update(&s, seed, strlen(seed) + 1);
	sha256_update(&s, base, strlen(base) + 1);
	sha256_update(&s, name, strlen(name));
	sha256_final(&s, d);
	d[6] = (d[6] & 0x0F) | 0x40;  /* version 4 */
	d[8] = (d[8] & 0x3F) | 0x80;  /* variant 10xx */
	for (i = 0; i < 16; i++)
		out[disk_order[i]] = d[i];
}

static const char *
type_word(const unsigned char g[16])
{
	unsigned char t[16];
	size_t i;

	for (i = 0; i < sizeof types / sizeof types[0]; i++)
		if (gpt_guid_parse(types[i].guid, t) == 0 && !memcmp(t, g, 16))
			return types[i].name;
	return NULL;
}

/* --- reader ------------------------------------------------------------------------------ */

static uint32_t
crc(const unsigned char *p, size_t n)
{
	return (uint32_t)crc32(crc32(0L, Z_NULL, 0), p, (uInt)n);
}

/* CRC of a 92-byte header with its CRC field zeroed */
static uint32_t
hdr_crc(const unsigned char *h)
{
	unsigned char t[HDR_SIZE];

	memcpy(t, h, HDR_SIZE);
	memset(t + 16, 0, 4);
	return crc(t, HDR_SIZE);
}

/* UTF-16LE name (36 units) to UTF-8; unpaired surrogates become U+FFFD */
static void
name_utf8(const unsigned char *p, char *out)
{
	size_t i = 0, k = 0;

	while (i < 36) {
		uint32_t c = rd16(p + 2 * i++);

		if (c == 0)
			break;
		if (c >= 0xD800 && c < 0xDC00 && i < 36 && rd16(p + 2 * i) >= 0xDC00 &&
		    rd16(p + 2 * i) < 0xE000)
			c = 0x10000 + ((c - 0xD800) << 10) + (rd16(p + 2 * i++) - 0xDC00);
		else if (c >= 0xD800 && c < 0xE000)
			c = 0xFFFD;
		if (c < 0x80) {
			out[k++] = (char)c;
		} else if (c < 0x800) {
			out[k++] = (char)(0xC0 | c >> 6);
			out[k++] = (char)(0x80 | (c & 63));
		} else if (c < 0x10000) {
			out[k++] = (char)(0xE0 | c >> 12);
			out[k++] = (char)(0x80 | (c >> 6 & 63));
			out[k++] = (char)(0x80 | (c & 63));
		} else {
			out[k++] = (char)(0xF0 | c >> 18);
			out[k++] = (char)(0x80 | (c >> 12 & 63));
			out[k++] = (char)(0x80 | (c >> 6 & 63));
			out[k++] = (char)(0x80 | (c & 63));
		}
	}
	out[k] = '\0';
}

static const unsigned char zero16[16];

int
gpt_parse(const unsigned char *head, const unsigned char *tail, uint64_t nsect, struct gpt *g,
          struct buf *err)
{
	const unsigned char *mbr = head, *h = head + GPT_SECTOR, *tab = head + 2 * GPT_SECTOR;
	const unsigned char *bh = tail + GPT_TABLE_SECTORS * GPT_SECTOR, *btab = tail;
	unsigned char want[HDR_SIZE];
	unsigned i, j;

	memset(g, 0, sizeof *g - sizeof g->bad);
	g->bad.len = 0;
	if (g->bad.s)
		g->bad.s[0] = '\0';
	g->nsect = nsect;
	if (nsect < 2 * GPT_TABLE_SECTORS + 3) {
		buf_printf(err, "%llu sectors, too small for a GPT disk", (unsigned long long)nsect);
		return -1;
	}
	if (memcmp(h, "EFI PART", 8) != 0) {
		buf_printf(err, "offset 0x200: no 'EFI PART' signature: not a GPT disk");
		return -1;
	}
	if (rd32(h + 12) != HDR_SIZE || rd32(h + 84) != GPT_ENTRY_SIZE || rd32(h + 80) > GPT_ENTRIES ||
	    rd64(h + 72) != 2) {
		buf_printf(err, "offset 0x200: unsupported geometry (header size %u, %u entries of %u "
		           "bytes at LBA %llu; kiln reads 92, <= 128 of 128 at LBA 2)", rd32(h + 12),
		           rd32(h + 80), rd32(h + 84), (unsigned long long)rd64(h + 72));
		return -1;
	}
	g->mbr_type = mbr[446 + 4];
	g->mbr_start = rd32(mbr + 446 + 8);
	g->mbr_size = rd32(mbr + 446 + 12);
	g->my_lba = rd64(h + 24);
	g->alt_lba = rd64(h + 32);
	g->first_usable = rd64(h + 40);
	g->last_usable = rd64(h + 48);
	memcpy(g->disk_guid, h + 56, 16);
	g->table_lba = rd64(h + 72);
	g->nent = rd32(h + 80);
	g->entsize = rd32(h + 84);
	g->hcrc = rd32(h + 16);
	g->ecrc = rd32(h + 88);

	if (mbr[510] != 0x55 || mbr[511] != 0xAA)
		buf_printf(&g->bad, "LBA 0: no 55 AA boot signature\n");
	if (g->mbr_type != 0xEE || g->mbr_start != 1)
		buf_printf(&g->bad, "LBA 0: no protective MBR record (type 0x%02x, start %u)\n",
		           g->mbr_type, g->mbr_start);
	if (hdr_crc(h) != g->hcrc)
		buf_printf(&g->bad, "primary header CRC 0x%08x, computed 0x%08x\n", g->hcrc, hdr_crc(h));
	if (crc(tab, (size_t)g->nent * GPT_ENTRY_SIZE) != g->ecrc)
		buf_printf(&g->bad, "primary table CRC 0x%08x, computed 0x%08x\n", g->ecrc,
		           crc(tab, (size_t)g->nent * GPT_ENTRY_SIZE));
	if (g->my_lba == 1 && g->alt_lba >= nsect && g->alt_lba < UINT64_MAX / GPT_SECTOR) {
		/* the backup header lies past the end: the file was cut short (an interrupted
		 * copy or download); what is missing at the end is reported as that, once */
		buf_printf(&g->bad, "truncated: the primary header describes a disk of %llu sectors "
		           "(%llu bytes), the file has %llu; copy the whole image again\n",
		           (unsigned long long)(g->alt_lba + 1),
		           (unsigned long long)((g->alt_lba + 1) * GPT_SECTOR), (unsigned long long)nsect);
		goto entries;
	}
	if (g->my_lba != 1 || g->alt_lba != nsect - 1)
		buf_printf(&g->bad, "primary header: own LBA %llu, backup LBA %llu (expected 1 and %llu)\n",
		           (unsigned long long)g->my_lba, (unsigned long long)g->alt_lba,
		           (unsigned long long)(nsect - 1));
	if (g->first_usable < 2 + GPT_TABLE_SECTORS || g->last_usable >= nsect - 1 - GPT_TABLE_SECTORS ||
	    g->first_usable > g->last_usable)
		buf_printf(&g->bad, "usable range %llu..%llu overlaps the GPT structures\n",
		           (unsigned long long)g->first_usable, (unsigned long long)g->last_usable);

	/* the backup: the same header with the LBAs swapped, and the same table */
	memcpy(want, h, HDR_SIZE);
	wr64(want + 24, nsect - 1);
	wr64(want + 32, 1);
	wr64(want + 72, nsect - 1 - GPT_TABLE_SECTORS);
	wr32(want + 16, 0);
	wr32(want + 16, hdr_crc(want));
	if (memcmp(bh, "EFI PART", 8) != 0)
		buf_printf(&g->bad, "backup header (LBA %llu): no 'EFI PART' signature\n",
		           (unsigned long long)(nsect - 1));
	else if (hdr_crc(bh) != rd32(bh + 16))
		buf_printf(&g->bad, "backup header CRC 0x%08x, computed 0x%08x\n", rd32(bh + 16),
		           hdr_crc(bh));
	else if (memcmp(bh, want, HDR_SIZE) != 0)
		buf_printf(&g->bad, "backup header does not match the primary\n");
	if (memcmp(btab, tab, TABLE_BYTES) != 0)
		buf_printf(&g->bad, "backup table (LBA %llu) differs from the primary\n",
		           (unsigned long long)(nsect - 1 - GPT_TABLE_SECTORS));

entries:
	for (i = 0; i < g->nent; i++) {
		const unsigned char *e = tab + (size_t)i * GPT_ENTRY_SIZE;
		struct gpt_entry *p;

		if (!memcmp(e, zero16, 16))
			continue;
		p = &g->ent[g->nused++];
		p->idx = i + 1;
		memcpy(p->type, e, 16);
		memcpy(p->guid, e + 16, 16);
		p->first = rd64(e + 32);
		p->last = rd64(e + 40);
		p->attr = rd64(e + 48);
		name_utf8(e + 56, p->name);
		if (p->first > p->last || p->first < g->first_usable || p->last > g->last_usable)
			buf_printf(&g->bad, "partition %u: LBA %llu..%llu outside the usable range\n", p->idx,
			           (unsigned long long)p->first, (unsigned long long)p->last);
		for (j = 0; j + 1 < g->nused; j++)
			if (p->first <= g->ent[j].last && g->ent[j].first <= p->last)
				buf_printf(&g->bad, "partitions %u and %u overlap\n", g->ent[j].idx, p->idx);
	}
	return 0;
}

/* --- writer ------------------------------------------------------------------------------ */

struct part {
	const char *spec;        /* as given, for messages */
	char *name;              /* partition name (UTF-8) */
	unsigned char type[16];  /* on-disk type GUID */
	char *image;             /* file copied in, or NULL */
	uint64_t imgsize;        /* its size */
	uint64_t size;           /* size= in bytes, or 0 */
	uint64_t start;          /* start= LBA, or 0 */
	uint64_t first, last;    /* placement */
};

static uint64_t
mib_up(uint64_t lba)
{
	return (lba + GPT_MIB_SECTORS - 1) / GPT_MIB_SECTORS * GPT_MIB_SECTORS;
}

static void
parse_spec(struct part *p, const char *spec)
{
	char *s = xstrdup(spec), *tok, *save = NULL, *v;
	const char *t = NULL;
	size_t i;

	p->spec = spec;
	for (tok = strtok_r(s, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (!(v = strchr(tok, '=')))
			fatal("--part %s: '%s' is not KEY=VALUE", spec, tok);
		*v++ = '\0';
		if (!strcmp(tok, "name")) {
			p->name = xstrdup(v);
		} else if (!strcmp(tok, "type")) {
			t = v;
			for (i = 0; i < sizeof types / sizeof types[0]; i++)
				if (!strcmp(v, types[i].name))
					break;
			if (i < sizeof types / sizeof types[0]) {
				gpt_guid_parse(types[i].guid, p->type);
				if (!p->name)
					p->name = xstrdup(types[i].deflt);
			} else if (gpt_guid_parse(v, p->type) != 0) {
				fatal("--part %s: type '%s' is not bios, esp, linux, redoxfs or a GUID", spec, v);
			}
		} else if (!strcmp(tok, "image")) {
			p->image = xstrdup(v);
		} else if (!strcmp(tok, "size")) {
			const char *why = size_parse(v, &p->size);

			if (why)
				fatal("--part %s: size '%s': %s", spec, v, why);
			if (p->size == 0 || p->size % GPT_SECTOR)
				fatal("--part %s: size '%s' is not a positive multiple of 512 bytes", spec, v);
		} else if (!strcmp(tok, "start")) {
			if (parse_uint(v, (uint64_t)INT64_MAX / GPT_SECTOR, &p->start) != 0 || p->start == 0)
				fatal("--part %s: start '%s' is not an LBA (a sector number from 1 to 2^54 - 1)", spec, v);
		} else {
			fatal("--part %s: unknown key '%s' (name, type, image, size, start)", spec, tok);
		}
	}
	if (!t)
		fatal("--part %s: missing type= (bios, esp, linux, redoxfs or a GUID)", spec);
	free(s);
}

/* the name as 36 UTF-16LE units; fatal when it does not fit or is not UTF-8 */
static void
name_utf16(const struct part *p, unsigned char *out)
{
	const unsigned char *s = (const unsigned char *)p->name;
	size_t k = 0;

	while (*s) {
		uint32_t c;
		int n, i;

		if (*s < 0x80) c = *s, n = 0;
		else if ((*s & 0xE0) == 0xC0) c = *s & 0x1F, n = 1;
		else if ((*s & 0xF0) == 0xE0) c = *s & 0x0F, n = 2;
		else if ((*s & 0xF8) == 0xF0) c = *s & 0x07, n = 3;
		else fatal("--part %s: name is not UTF-8", p->spec);
		for (i = 1; i <= n; i++) {
			if ((s[i] & 0xC0) != 0x80)
				fatal("--part %s: name is not UTF-8", p->spec);
			c = c << 6 | (s[i] & 0x3F);
		}
		s += n + 1;
		if (c >= 0x10000) {
			if (k + 2 > 36)
				fatal("--part %s: name longer than 36 UTF-16 units", p->spec);
			wr16(out + 2 * k++, (uint16_t)(0xD800 + ((c - 0x10000) >> 10)));
			wr16(out + 2 * k++, (uint16_t)(0xDC00 + ((c - 0x10000) & 0x3FF)));
		} else {
			if (k + 1 > 36)
				fatal("--part %s: name longer than 36 UTF-16 units", p->spec);
			wr16(out + 2 * k++, (uint16_t)c);
		}
	}
}

static int
is_bios(const struct part *p)
{
	unsigned char t[16];

	gpt_guid_parse(types[0].guid, t);
	return !memcmp(p->type, t, 16);
}

/* place the partitions as described at the top of this file */
static void
place(struct part *p, size_t n, uint64_t nsect, uint64_t disksize)
{
	uint64_t cur = 2 + GPT_TABLE_SECTORS, lastusable = nsect - 2 - GPT_TABLE_SECTORS;
	uint64_t endmib = (disksize - (GPT_TABLE_SECTORS + 2) * GPT_SECTOR) / (1u << 20) * GPT_MIB_SECTORS;
	size_t i, j;

	for (i = 0; i < n; i++) {
		uint64_t want;

		/* only a BIOS boot partition takes the unaligned sectors from 34 (as the installer) */
		p[i].first = p[i].start ? p[i].start : i == 0 && is_bios(&p[i]) ? cur : mib_up(cur);
		if (p[i].size)
			want = p[i].size / GPT_SECTOR;
		else if (i + 1 < n && p[i].image)
			want = mib_up((p[i].imgsize + GPT_SECTOR - 1) / GPT_SECTOR);
		else if (i + 1 < n)
			fatal("--part %s: give a size= or an image= (only the last partition fills the disk)",
			      p[i].spec);
		else
			want = 0;
		if (want) {
			p[i].last = p[i].first + want - 1;
			/* an unaligned start (BIOS at 34) ends on the MiB boundary before the size */
			if (p[i].first % GPT_MIB_SECTORS && (p[i].last + 1) / GPT_MIB_SECTORS * GPT_MIB_SECTORS > p[i].first)
				p[i].last = (p[i].last + 1) / GPT_MIB_SECTORS * GPT_MIB_SECTORS - 1;
		} else {
			if (endmib <= p[i].first)
				fatal("--part %s: no whole MiB left for it (starts at LBA %llu, the disk's last "
				      "whole MiB ends at %llu): make --size larger", p[i].spec,
				      (unsigned long long)p[i].first, (unsigned long long)endmib);
			p[i].last = endmib - 1;
		}
		if (p[i].first < 2 + GPT_TABLE_SECTORS || p[i].last > lastusable)
			fatal("--part %s: LBA %llu..%llu is outside the usable %u..%llu: the disk needs %llu "
			      "bytes at least", p[i].spec, (unsigned long long)p[i].first,
			      (unsigned long long)p[i].last, 2 + GPT_TABLE_SECTORS,
			      (unsigned long long)lastusable,
			      (unsigned long long)((p[i].last + 2 + GPT_TABLE_SECTORS) * GPT_SECTOR));
		if (p[i].image && p[i].imgsize > (p[i].last - p[i].first + 1) * GPT_SECTOR)
			fatal("--part %s: image %s is %llu bytes, its slot LBA %llu..%llu holds %llu: %llu more "
			      "bytes needed", p[i].spec, p[i].image, (unsigned long long)p[i].imgsize,
			      (unsigned long long)p[i].first, (unsigned long long)p[i].last,
			      (unsigned long long)((p[i].last - p[i].first + 1) * GPT_SECTOR),
			      (unsigned long long)(p[i].imgsize - (p[i].last - p[i].first + 1) * GPT_SECTOR));
		for (j = 0; j < i; j++)
			if (p[i].first <= p[j].last && p[j].first <= p[i].last)
				fatal("--part %s overlaps --part %s (LBA %llu..%llu and %llu..%llu)", p[i].spec,
				      p[j].spec, (unsigned long long)p[i].first, (unsigned long long)p[i].last,
				      (unsigned long long)p[j].first, (unsigned long long)p[j].last);
		cur = p[i].last + 1;
	}
}

/* copy a partition image into the disk at byte off (fcopy.h: cloned, its data extents, or
 * its blocks that are not all zero); -v reports what each took */
static void
copy_part(const struct part *p, int fd, uint64_t off, const char *out, enum fcopy_mode mode,
          int verbose)
{
	struct fcopy_stats st = { 0, 0, 0 };
	const char *why;
	uint64_t size;
	int in = open_input(p->image, &size, &why);

	if (in < 0)
		fatal("--part %s: %s: %s", p->spec, p->image, why);
	fcopy(in, p->image, p->imgsize, fd, off, out, mode, &st);
	close(in);
	if (verbose)
		printf("%s: %s: %llu bytes: %llu cloned, %llu copied, %llu holes\n", out, p->name,
		       (unsigned long long)p->imgsize, (unsigned long long)st.cloned,
		       (unsigned long long)st.copied, (unsigned long long)st.holes);
}

static void
write_hdr(unsigned char *h, uint64_t self, uint64_t alt, uint64_t table, uint64_t nsect,
          const unsigned char *guid, uint32_t tcrc)
{
	memset(h, 0, GPT_SECTOR);
	memcpy(h, "EFI PART", 8);
	wr32(h + 8, 0x00010000);
	wr32(h + 12, HDR_SIZE);
	wr64(h + 24, self);
	wr64(h + 32, alt);
	wr64(h + 40, 2 + GPT_TABLE_SECTORS);
	wr64(h + 48, nsect - 2 - GPT_TABLE_SECTORS);
	memcpy(h + 56, guid, 16);
	wr64(h + 72, table);
	wr32(h + 80, GPT_ENTRIES);
	wr32(h + 84, GPT_ENTRY_SIZE);
	wr32(h + 88, tcrc);
	wr32(h + 16, hdr_crc(h));
}

static int
do_create(const char *out, uint64_t size, struct part *p, size_t n, const char *seed,
          enum fcopy_mode mode, int verbose)
{
	unsigned char sec[GPT_SECTOR], *tab = xcalloc(1, TABLE_BYTES), guid[16];
	uint64_t nsect = size / GPT_SECTOR, s;
	struct afile *a;
	const char *why;
	uint32_t tcrc;
	size_t i, j;

	if (size % GPT_SECTOR)
		fatal("--size %llu is not a multiple of 512", (unsigned long long)size);
	if (nsect < 2 * GPT_TABLE_SECTORS + 4)
		fatal("--size %llu: too small for a GPT disk (at least %d bytes)",
		      (unsigned long long)size, (2 * GPT_TABLE_SECTORS + 4) * GPT_SECTOR);
	for (i = 0; i < n; i++) {
		if (p[i].image) {
			int fd = open_input(p[i].image, &p[i].imgsize, &why);

			if (fd < 0)
				fatal("--part %s: %s: %s", p[i].spec, p[i].image, why);
			close(fd);
		}
		for (j = 0; j < i; j++)
			if (!strcmp(p[i].name, p[j].name))
				fatal("--part %s: a second partition named '%s' (names make the GUIDs)",
				      p[i].spec, p[i].name);
	}
	place(p, n, nsect, size);
	for (i = 0; i < n; i++) {
		unsigned char *e = tab + i * GPT_ENTRY_SIZE;

		memcpy(e, p[i].type, 16);
		gpt_guid(seed, out, p[i].name, e + 16);
		wr64(e + 32, p[i].first);
		wr64(e + 40, p[i].last);
		name_utf16(&p[i], e + 56);
	}
	tcrc = crc(tab, TABLE_BYTES);
	gpt_guid(seed, out, "", guid);

	a = afile_open(out);
	if (ftruncate(a->fd, (off_t)size) != 0)
		fatal("%s: ftruncate to %llu bytes: %s", out, (unsigned long long)size, strerror(errno));
	for (i = 0; i < n; i++)
		if (p[i].image)
			copy_part(&p[i], a->fd, p[i].first * GPT_SECTOR, out, mode, verbose);
	memset(sec, 0, sizeof sec);
	s = (size + GPT_SECTOR - 1) / GPT_SECTOR - 1;
	memcpy(sec + 446, "\x00\x00\x02\x00\xEE\xFF\xFF\xFF", 8);
	wr32(sec + 446 + 8, 1);
	wr32(sec + 446 + 12, s > UINT32_MAX ? UINT32_MAX : (uint32_t)s);
	sec[510] = 0x55, sec[511] = 0xAA;
	xpwrite(a->fd, sec, sizeof sec, 0, out);
	write_hdr(sec, 1, nsect - 1, 2, nsect, guid, tcrc);
	xpwrite(a->fd, sec, sizeof sec, GPT_SECTOR, out);
	xpwrite(a->fd, tab, TABLE_BYTES, 2 * GPT_SECTOR, out);
	xpwrite(a->fd, tab, TABLE_BYTES, (nsect - 1 - GPT_TABLE_SECTORS) * GPT_SECTOR, out);
	write_hdr(sec, nsect - 1, 1, nsect - 1 - GPT_TABLE_SECTORS, nsect, guid, tcrc);
	xpwrite(a->fd, sec, sizeof sec, (nsect - 1) * GPT_SECTOR, out);
	afile_commit(a);
	free(tab);
	return 0;
}

static int
do_list(const char *img)
{
	unsigned char head[34 * GPT_SECTOR], tail[33 * GPT_SECTOR];
	struct gpt *g = xcalloc(1, sizeof *g);
	struct buf err = {0};
	const char *why;
	char gs[37], ts[37];
	unsigned i;
	uint64_t size;
	int fd = open_input(img, &size, &why), r;

	if (fd < 0)
		fatal("%s: %s", img, why);
	if (size < (2 * GPT_TABLE_SECTORS + 3) * GPT_SECTOR) {
		/* a disk cut short shows its header; anything else is just too small */
		if (size >= 2 * GPT_SECTOR && xpread(fd, head, 2 * GPT_SECTOR, 0) == 0 &&
		    !memcmp(head + GPT_SECTOR, "EFI PART", 8) && rd64(head + GPT_SECTOR + 32) < UINT64_MAX / GPT_SECTOR)
			fatal("%s: truncated: %llu bytes, but its GPT header describes a disk of %llu bytes; copy the whole image again",
			      img, (unsigned long long)size,
			      (unsigned long long)((rd64(head + GPT_SECTOR + 32) + 1) * GPT_SECTOR));
		fatal("%s: %llu bytes, too small for a GPT disk", img, (unsigned long long)size);
	}
	if (size % GPT_SECTOR)
		warn("%s: size %llu is not a multiple of 512; the last partial sector is ignored", img,
		     (unsigned long long)size);
	if (xpread(fd, head, sizeof head, 0) != 0 ||
	    xpread(fd, tail, sizeof tail, (size / GPT_SECTOR - 33) * GPT_SECTOR) != 0)
		fatal("%s: read error", img);
	close(fd);
	if (gpt_parse(head, tail, size / GPT_SECTOR, g, &err) != 0)
		fatal("%s: %s", img, err.s);
	gpt_guid_str(g->disk_guid, gs);
	printf("disk %llu sectors of 512 (%llu bytes)\n", (unsigned long long)g->nsect,
	       (unsigned long long)g->nsect * GPT_SECTOR);
	printf("mbr type 0x%02x start %u size %u\n", g->mbr_type, g->mbr_start, g->mbr_size);
	printf("header lba %llu backup %llu usable %llu..%llu table lba %llu entries %u x %u\n",
	       (unsigned long long)g->my_lba, (unsigned long long)g->alt_lba,
	       (unsigned long long)g->first_usable, (unsigned long long)g->last_usable,
	       (unsigned long long)g->table_lba, g->nent, g->entsize);
	printf("disk_guid %s\nheader_crc 0x%08x\ntable_crc 0x%08x\n", gs, g->hcrc, g->ecrc);
	printf("verify %s\n", g->bad.len ? "FAILED" : "ok (CRCs, backup header and table)");
	for (i = 0; i < g->nused; i++) {
		const struct gpt_entry *e = &g->ent[i];
		const char *w = type_word(e->type);

		gpt_guid_str(e->type, ts);
		gpt_guid_str(e->guid, gs);
		printf("%u %llu %llu %llu %s %s %s\n", e->idx, (unsigned long long)e->first,
		       (unsigned long long)e->last,
		       (unsigned long long)(e->last >= e->first ? (e->last - e->first + 1) * GPT_SECTOR : 0),
		       w ? w : ts, gs, e->name);
	}
	if (fflush(stdout) != 0)
		fatal("writing the listing: %s", strerror(errno));
	r = 0;
	if (g->bad.len) {
		char *line, *save = NULL, *first = NULL;
		size_t n = 0;

		for (line = strtok_r(g->bad.s, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
			error("%s: %s", img, line);
			if (!first)
				first = line;
			n++;
		}
		/* then one line that sums them up: the count, the first, and the fix (a cut-short
		 * disk names its own) */
		error("%s: GPT: %zu problem%s: %s%s%s", img, n, n == 1 ? "" : "s", n == 1 ? "" : "first: ",
		      first, strncmp(first, "truncated:", 10) ? "; write the disk again (ninja image, or kiln gpt create)" : "");
		r = 1;
	}
	buf_free(&g->bad);
	free(g);
	return r;
}

const char usage_gpt[] =
	"usage: kiln gpt create -o OUT --size N --part SPEC... [--seed S]\n"
	"                       [--copy=clone|extents|plain] [-v]\n"
	"       kiln gpt list IMG\n"
	"\n"
	"create: writes a GPT disk of N bytes (K, M, G, T suffixes) in redox_installer's layout:\n"
	"protective MBR, primary and backup headers and tables, partitions aligned to 1 MiB, each\n"
	"filled from its image file.\n"
	"  --part SPEC   one partition, in order (repeatable):\n"
	"                name=NAME,type=bios|esp|linux|redoxfs|GUID[,image=FILE][,size=N][,start=LBA]\n"
	"                without size it is as large as its image; the last one without size\n"
	"                and image fills the disk\n"
	"  --seed S      what the disk and partition GUIDs are derived from (default kiln)\n"
	"  --copy=MODE   how partition images get into the disk: clone (the default) shares\n"
	"                their blocks where the filesystem can (Btrfs, XFS), else copies their\n"
	"                data extents; extents copies only data extents; plain reads everything\n"
	"                and skips zero blocks. Every mode writes the same bytes.\n"
	"  -v            print what each partition took\n"
	"list: the header, every partition (index, first and last LBA, bytes, type, GUID, name)\n"
	"and whether the CRCs, the backup header and table verify (exit 1 when not: each problem,\n"
	"then a summary line with the count, the first problem and the fix, on stderr)\n";

int
cmd_gpt(int argc, char *argv[])
{
	const char *out = NULL, *seed = "kiln", *pos = NULL;
	struct part *p = NULL;
	const char *why;
	uint64_t size = 0;
	size_t n = 0;
	int i, r, verbose = 0;
	enum fcopy_mode mode = FCOPY_CLONE;

	if (argc < 2)
		usage_error("which gpt command? create or list");
	for (i = 2; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "-o") && i + 1 < argc) {
			out = argv[++i];
		} else if (!strcmp(a, "--size") && i + 1 < argc) {
			if ((why = size_parse(argv[++i], &size)))
				fatal("--size %s: %s", argv[i], why);
			if (size == 0)
				fatal("--size 0: a disk needs a size above 0");
		} else if (!strcmp(a, "--part") && i + 1 < argc) {
			p = xreallocarray(p, n + 1, sizeof *p);
			memset(&p[n], 0, sizeof *p);
			parse_spec(&p[n], argv[++i]);
			if (!p[n].name)
				p[n].name = xasprintf("PART%zu", n + 1);
			n++;
		} else if (!strcmp(a, "--seed") && i + 1 < argc) {
			seed = argv[++i];
		} else if (!strncmp(a, "--copy=", 7)) {
			if (!strcmp(a + 7, "clone")) mode = FCOPY_CLONE;
			else if (!strcmp(a + 7, "extents")) mode = FCOPY_EXTENTS;
			else if (!strcmp(a + 7, "plain")) mode = FCOPY_PLAIN;
			else fatal("%s: unknown copy mode (known: clone, extents, plain)", a);
		} else if (!strcmp(a, "-v")) {
			verbose = 1;
		} else if (!strcmp(a, "-o") || !strcmp(a, "--size") || !strcmp(a, "--part") || !strcmp(a, "--seed")) {
			usage_error("%s needs a value", a);
		} else if (a[0] == '-' && a[1]) {
			unknown_option(a);
		} else if (!pos) {
			pos = a;
		} else {
			usage_error("unexpected argument '%s'", a);
		}
	}
	if (!strcmp(argv[1], "create")) {
		if (pos)
			usage_error("create takes no IMG argument ('%s')", pos);
		if (!out || !size || !n)
			usage_error("create needs -o OUT, --size N and at least one --part SPEC");
		if (n > GPT_ENTRIES)
			fatal("%zu partitions, a GPT holds %d", n, GPT_ENTRIES);
		r = do_create(out, size, p, n, seed, mode, verbose);
	} else if (!strcmp(argv[1], "list")) {
		if (!pos || out || n)
			usage_error("list needs one IMG and nothing else");
		r = do_list(pos);
	} else {
		static const char *const subs[] = { "create", "list" };

		unknown_subcommand(argv[1], subs, 2);
	}
	for (i = 0; i < (int)n; i++) {
		free(p[i].name);
		free(p[i].image);
	}
	free(p);
	return r;
}
