/* virtio.c: a polled virtio-blk driver over the legacy (virtio 0.9.5) interface, which
 * QEMU offers both as virtio-mmio version 1 (aarch64 -M virt) and as transitional PCI with
 * an I/O BAR (x86_64); the architecture code finds the device and gives its registers
 * (arch_virtio). One virtqueue; each read is one request of three descriptors: the
 * header (type, sector), the data buffer, the status byte. */
#include "kernel.h"

/* register offsets in the two legacy layouts */
#define MMIO_HOST_FEATURES 0x010
#define MMIO_GUEST_FEATURES 0x020
#define MMIO_GUEST_PAGE_SIZE 0x028
#define MMIO_QUEUE_SEL 0x030
#define MMIO_QUEUE_NUM_MAX 0x034
#define MMIO_QUEUE_NUM 0x038
#define MMIO_QUEUE_ALIGN 0x03c
#define MMIO_QUEUE_PFN 0x040
#define MMIO_QUEUE_NOTIFY 0x050
#define MMIO_STATUS 0x070
#define MMIO_CONFIG 0x100
#define PCI_HOST_FEATURES 0x00
#define PCI_GUEST_FEATURES 0x04
#define PCI_QUEUE_PFN 0x08
#define PCI_QUEUE_NUM 0x0c
#define PCI_QUEUE_SEL 0x0e
#define PCI_QUEUE_NOTIFY 0x10
#define PCI_STATUS 0x12
#define PCI_CONFIG 0x14

#define S_ACK 1
#define S_DRIVER 2
#define S_DRIVER_OK 4
#define S_FAILED 128
#define D_NEXT 1
#define D_WRITE 2
#define QMAX 256          /* the largest queue this driver lays out */
#define TIMEOUT 100000000 /* polls before a request is declared lost */

/* a descriptor: a buffer's physical address and length, D_NEXT/D_WRITE, the next one */
struct desc { uint64_t addr; uint32_t len; uint16_t flags, next; };
/* a request header: 0 = read, and the first 512-byte sector */
struct req { uint32_t type, reserved; uint64_t sector; };

static const struct vio_ops *io;
static unsigned qsize;
static volatile struct desc *descs;
static volatile uint16_t *avail;       /* flags, idx, ring[qsize] */
static volatile uint16_t *used;        /* flags, idx, then {id, len} pairs */
static struct req *hdr;
static volatile uint8_t *status;
static uint16_t seen;                  /* used->idx when the last request completed */
static uint64_t capacity;

/* the offset of a register in the transport's layout */
static unsigned reg(unsigned mmio, unsigned pci) { return io->mmio ? mmio : pci; }

const char *
vblk_init(void)
{
	const char *err;
	uint64_t ring, bytes, p;
	unsigned max;

	if ((err = arch_virtio(&io)))
		return err;
	io->wr(reg(MMIO_STATUS, PCI_STATUS), 1, 0); /* reset */
	io->wr(reg(MMIO_STATUS, PCI_STATUS), 1, S_ACK | S_DRIVER);
	(void)io->rd(reg(MMIO_HOST_FEATURES, PCI_HOST_FEATURES), 4);
	io->wr(reg(MMIO_GUEST_FEATURES, PCI_GUEST_FEATURES), 4, 0); /* no optional features */
	io->wr(reg(MMIO_QUEUE_SEL, PCI_QUEUE_SEL), io->mmio ? 4 : 2, 0);
	if (io->mmio) {
		max = io->rd(MMIO_QUEUE_NUM_MAX, 4);
		qsize = max < 16 ? max : 16;
	} else {
		qsize = max = io->rd(PCI_QUEUE_NUM, 2); /* fixed by the device */
	}
	if (qsize < 3 || qsize > QMAX)
		return "the disk's virtqueue has an unusable size";
	/* legacy layout: descriptors, available ring, then the used ring at the next page */
	bytes = ((16ull * qsize + 6 + 2ull * qsize + PAGE - 1) & ~(PAGE - 1)) + 6 + 8ull * qsize;
	ring = page_alloc();
	for (p = PAGE; p < bytes; p += PAGE)
		page_alloc(); /* the pool hands out consecutive pages */
	descs = phys(ring);
	avail = phys(ring + 16ull * qsize);
	used = phys(ring + ((16ull * qsize + 6 + 2ull * qsize + PAGE - 1) & ~(PAGE - 1)));
	hdr = phys(page_alloc());
	status = (volatile uint8_t *)(hdr + 1);
	if (io->mmio) {
		io->wr(MMIO_GUEST_PAGE_SIZE, 4, PAGE);
		io->wr(MMIO_QUEUE_NUM, 4, qsize);
		io->wr(MMIO_QUEUE_ALIGN, 4, PAGE);
		io->wr(MMIO_QUEUE_PFN, 4, (uint32_t)(ring / PAGE));
	} else {
		io->wr(PCI_QUEUE_PFN, 4, (uint32_t)(ring / PAGE));
	}
	io->wr(reg(MMIO_STATUS, PCI_STATUS), 1, S_ACK | S_DRIVER | S_DRIVER_OK);
	if (io->rd(reg(MMIO_STATUS, PCI_STATUS), 1) & S_FAILED)
		return "the disk refused the driver";
	capacity = (uint64_t)io->rd(reg(MMIO_CONFIG, PCI_CONFIG), 4) |
	    (uint64_t)io->rd(reg(MMIO_CONFIG, PCI_CONFIG) + 4, 4) << 32;
	kputn("kiln-demo: virtio-blk: ", capacity, 0);
	kputn(" sectors, queue of ", qsize, 0);
	kputs(io->mmio ? " (virtio-mmio)\n" : " (PCI)\n");
	return 0;
}

uint64_t vblk_bytes(void) { return capacity * 512; }

const char *
vblk_read(uint64_t off, unsigned char *buf, uint64_t len)
{
	uint16_t idx;
	uint64_t n;

	if (off % 512 || len % 512 || len == 0 || len > 0x400000)
		return "disk read not in whole sectors";
	if (off / 512 > capacity || len / 512 > capacity - off / 512)
		return "disk read past the end of the disk";
	hdr->type = 0; /* VIRTIO_BLK_T_IN */
	hdr->reserved = 0;
	hdr->sector = off / 512;
	*status = 0xff;
	descs[0].addr = dma(hdr);
	descs[0].len = sizeof *hdr;
	descs[0].flags = D_NEXT;
	descs[0].next = 1;
	descs[1].addr = dma(buf);
	descs[1].len = (uint32_t)len;
	descs[1].flags = D_NEXT | D_WRITE;
	descs[1].next = 2;
	descs[2].addr = dma((const void *)status);
	descs[2].len = 1;
	descs[2].flags = D_WRITE;
	descs[2].next = 0;
	idx = avail[1];
	avail[2 + idx % qsize] = 0;
	arch_barrier();
	avail[1] = (uint16_t)(idx + 1);
	arch_barrier();
	io->wr(reg(MMIO_QUEUE_NOTIFY, PCI_QUEUE_NOTIFY), io->mmio ? 4 : 2, 0);
	for (n = 0; used[1] == seen; n++) {
		if (n == TIMEOUT)
			return "the disk did not answer a read";
	}
	arch_barrier();
	seen = used[1];
	if (*status != 0)
		return "the disk reported an I/O error";
	return 0;
}
