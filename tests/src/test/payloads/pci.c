#include "lib.h"

/* A minimal legacy virtio-pci block driver: polling, one request at a time, three descriptors. */

#define MAX_QUEUE 256
static u8 ring[3 * 4096] __attribute__((aligned(4096)));
static struct { u32 type, reserved; u64 sector; } header __attribute__((aligned(16)));
static u8 data[512] __attribute__((aligned(512)));
static volatile u8 status;
static u16 io, qsize, avail_idx;

struct desc { u64 addr; u32 len; u16 flags, next; };

static struct desc *descs(void) { return (struct desc *) ring; }
static volatile u16 *avail(void) { return (volatile u16 *) (ring + 16 * qsize); }
static volatile u16 *used(void) { return (volatile u16 *) (ring + ((16 * qsize + 6 + 2 * qsize + 4095) & ~4095)); }

static int request(u32 type, u64 sector, int device_writes) {
    header.type = type;
    header.reserved = 0;
    header.sector = sector;
    status = 0xff;
    struct desc *d = descs();
    d[0] = (struct desc) {(u32) &header, 16, 1, 1};
    if (type == 4) {
        d[0].next = 2;
    } else {
        d[1] = (struct desc) {(u32) data, 512, (u16) (1 | (device_writes ? 2 : 0)), 2};
    }
    d[2] = (struct desc) {(u32) &status, 1, 2, 0};
    u16 before = used()[1];
    avail()[2 + avail_idx % qsize] = 0;
    barrier();
    avail_idx++;
    avail()[1] = avail_idx;
    barrier();
    outw(io + 0x10, 0);
    for (u32 spin = 0; used()[1] == before; spin++) {
        if (spin > 100000000u) {
            puts("virtio-blk: no completion\n");
            return -1;
        }
    }
    (void) inb(io + 0x13); /* acknowledge the interrupt */
    return status;
}

void payload_main(void) {
    serial_init();
    int found = -1;
    for (int slot = 0; slot < 32; slot++) {
        u32 id = pci_read(slot, 0);
        if ((id & 0xffff) == 0xffff) {
            continue;
        }
        puts("pci 00:");
        puthex(slot, 2);
        puts(".0 ");
        puthex(id & 0xffff, 4);
        putc(':');
        puthex(id >> 16, 4);
        puts(" class ");
        puthex(pci_read(slot, 8) >> 8, 6);
        putc('\n');
        if (id == 0x10011af4 && found < 0) {
            found = slot;
        }
    }
    if (found < 0) {
        puts("no virtio-blk device\n");
        return;
    }
    puts("found virtio-blk\n");
    u32 bar = pci_read(found, 0x10);
    if (!(bar & 1)) {
        puts("BAR0 is not an I/O BAR\n");
        return;
    }
    io = (u16) (bar & ~3u);
    pci_write(found, 4, (pci_read(found, 4) & 0xffff) | 0x5);
    outb(io + 0x12, 0);
    outb(io + 0x12, 1);
    outb(io + 0x12, 3);
    outl(io + 0x04, inl(io + 0x00) & (1u << 9));
    outw(io + 0x0e, 0);
    qsize = inw(io + 0x0c);
    if (qsize == 0 || qsize > MAX_QUEUE) {
        puts("unexpected queue size\n");
        return;
    }
    memset(ring, 0, sizeof ring);
    outl(io + 0x08, (u32) ring >> 12);
    outb(io + 0x12, 7);
    puts("capacity ");
    putdec(inl(io + 0x14));
    puts(" sectors\n");

    if (request(0, 0, 1) != 0) {
        puts("read failed\n");
        return;
    }
    puts("sector 0: ");
    for (int i = 0; i < 64 && data[i] >= ' ' && data[i] < 127; i++) {
        putc((char) data[i]);
    }
    putc('\n');
    const char *text = "written by the payload through virtio-blk\n";
    for (int i = 0; i < 512; i++) {
        data[i] = (u8) text[i % 42];
    }
    int w = request(1, 1, 0);
    int f = request(4, 0, 0);
    puts(w == 0 && f == 0 ? "write and flush ok\n" : "write or flush failed\n");
    int beyond = request(0, 0xffffffffu, 1);
    puts(beyond == 1 ? "read beyond the disk: I/O error as expected\n" : "read beyond the disk: unexpected status\n");
    outb(io + 0x12, 0);
    puts("virtio-blk ok\n");
}
