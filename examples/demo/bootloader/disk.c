/* disk.c: find the RedoxFS partition on the disk the bootloader was loaded from. The
 * firmware's loaded-image protocol names the ESP partition it came from; of the whole-disk
 * block devices, the boot disk is the one whose device path is a prefix of the ESP's. Its
 * GPT (shared/redox/formats.md section 3) is read and checked here, and the RedoxFS
 * partition is the one with the type GUID the Redox installer gives it (Linux filesystem,
 * 0FC63DAF-8483-4772-8E79-3D69D8477DE4). */
#include "boot.h"

#define SECTOR 512u
#define GPT_ENTRIES_MAX 256u

/* the type GUID of the REDOX partition, as its 16 bytes appear on disk */
static const unsigned char redoxfs_type[16] = { 0xAF, 0x3D, 0xC6, 0x0F, 0x83, 0x84, 0x72, 0x47,
	0x8E, 0x79, 0x3D, 0x69, 0xD8, 0x47, 0x7D, 0xE4 };

static uint32_t rd32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static uint64_t rd64(const unsigned char *p) { return (uint64_t)rd32(p) | (uint64_t)rd32(p + 4) << 32; }

/* bytes of a device path before its end node */
static uint64_t
path_len(const EFI_DEVICE_PATH *p)
{
	uint64_t n = 0;

	while (p->Type != 0x7F) {
		unsigned len = p->Length[0] | p->Length[1] << 8;

		if (len < 4 || n > 4096)
			break;
		n += len;
		p = (const EFI_DEVICE_PATH *)((const unsigned char *)p + len);
	}
	return n;
}

/* is disk's device path a proper prefix of part's (is part on disk)? */
static int
is_prefix(const EFI_DEVICE_PATH *disk, const EFI_DEVICE_PATH *part)
{
	uint64_t n = path_len(disk), i;

	if (n == 0 || n >= path_len(part))
		return 0;
	for (i = 0; i < n; i++) {
		if (((const unsigned char *)disk)[i] != ((const unsigned char *)part)[i])
			return 0;
	}
	return 1;
}

/* read bytes (whole sectors) at lba through the firmware */
static const char *
read_sectors(EFI_BLOCK_IO *io, uint64_t lba, uint64_t bytes, void *buf)
{
	if (io->ReadBlocks(io, io->Media->MediaId, lba, bytes, buf))
		return "the firmware's block I/O read failed";
	return 0;
}

const char *
disk_read(void *ctx, uint64_t off, unsigned char *buf, uint64_t len)
{
	struct boot_disk *d = ctx;

	if (off % SECTOR || len % SECTOR || off > d->bytes || len > d->bytes - off)
		return "read outside the RedoxFS partition";
	return read_sectors(d->io, (d->start + off) / SECTOR, len, buf);
}

/* the whole-disk block device holding the partition the bootloader came from */
static EFI_BLOCK_IO *
boot_disk(EFI_HANDLE image)
{
	static const EFI_GUID loaded = EFI_LOADED_IMAGE_GUID, blockio = EFI_BLOCK_IO_GUID,
	    devpath = EFI_DEVICE_PATH_GUID;
	EFI_BOOT_SERVICES *bs = ST->BootServices;
	EFI_LOADED_IMAGE *li;
	EFI_DEVICE_PATH *esp, *p;
	EFI_HANDLE *handles;
	EFI_BLOCK_IO *io;
	UINTN n, i;

	if (bs->HandleProtocol(image, &loaded, (void **)&li) ||
	    bs->HandleProtocol(li->DeviceHandle, &devpath, (void **)&esp))
		fail("boot disk", "the firmware does not say which device the bootloader came from");
	if (bs->LocateHandleBuffer(ByProtocol, &blockio, 0, &n, &handles))
		fail("boot disk", "the firmware has no block devices");
	for (i = 0; i < n; i++) {
		if (bs->HandleProtocol(handles[i], &blockio, (void **)&io) ||
		    bs->HandleProtocol(handles[i], &devpath, (void **)&p))
			continue;
		if (io->Media->MediaPresent && !io->Media->LogicalPartition && is_prefix(p, esp))
			return io;
	}
	fail("boot disk", "no whole-disk block device holds the partition the bootloader came from");
}

/* a GPT header or entry array checksum: CRC-32 of n bytes, through the firmware */
static uint32_t
crc32(const void *p, uint64_t n)
{
	uint32_t crc = 0;

	ST->BootServices->CalculateCrc32(p, n, &crc);
	return crc;
}

void
find_redoxfs(EFI_HANDLE image, struct boot_disk *d)
{
	unsigned char *hdr = alloc_pages(4096), *ents;
	uint32_t count, esize, want, i, k;
	uint64_t lba, first, last, sectors;
	const char *err;

	d->io = boot_disk(image);
	if (d->io->Media->BlockSize != SECTOR)
		fail("boot disk", "sector size is not 512 bytes");
	sectors = d->io->Media->LastBlock + 1;
	printn("bootloader: boot disk: ", sectors, 0);
	print(" sectors of 512 bytes\n");
	if ((err = read_sectors(d->io, 1, SECTOR, hdr)))
		fail("GPT header", err);
	if (rd64(hdr) != 0x5452415020494645ull) /* "EFI PART" */
		fail("GPT header", "no \"EFI PART\" signature at LBA 1: the disk is not partitioned with GPT");
	want = rd32(hdr + 16);
	for (k = 16; k < 20; k++)
		hdr[k] = 0;
	if (rd32(hdr + 12) != 92 || crc32(hdr, 92) != want)
		fail("GPT header", "header CRC mismatch (the GPT header is corrupt)");
	lba = rd64(hdr + 72);
	count = rd32(hdr + 80);
	esize = rd32(hdr + 84);
	want = rd32(hdr + 88);
	if (esize < 128 || esize % 8 || count > GPT_ENTRIES_MAX || lba >= sectors)
		fail("GPT header", "partition array of an unsupported shape");
	ents = alloc_pages((uint64_t)count * esize + SECTOR);
	if ((err = read_sectors(d->io, lba, ((uint64_t)count * esize + SECTOR - 1) / SECTOR * SECTOR, ents)))
		fail("GPT partition array", err);
	if (crc32(ents, (uint64_t)count * esize) != want)
		fail("GPT partition array", "CRC mismatch (the partition table is corrupt)");
	for (i = 0; i < count; i++) {
		const unsigned char *e = ents + (uint64_t)i * esize;

		for (k = 0; k < 16 && e[k] == redoxfs_type[k]; k++)
			;
		if (k < 16)
			continue;
		first = rd64(e + 32);
		last = rd64(e + 40);
		if (first > last || last >= sectors)
			fail("GPT partition array", "the RedoxFS partition lies outside the disk");
		d->start = first * SECTOR;
		d->bytes = (last - first + 1) * SECTOR;
		d->number = i + 1;
		printn("bootloader: GPT partition ", i + 1, 0);
		printn(": type 0FC63DAF-8483-4772-8E79-3D69D8477DE4 (RedoxFS), LBA ", first, 0);
		printn("..", last, 0);
		print("\n");
		return;
	}
	fail("GPT partition array", "no partition of the RedoxFS type (0FC63DAF-8483-4772-8E79-3D69D8477DE4)");
}
