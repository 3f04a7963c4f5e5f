#ifndef PAYLOAD_LIB_H
#define PAYLOAD_LIB_H
typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long long u64;

static inline void outb(u16 port, u8 v) { __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port)); }
static inline void outw(u16 port, u16 v) { __asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port)); }
static inline void outl(u16 port, u32 v) { __asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port)); }
static inline u8 inb(u16 port) { u8 v; __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline u16 inw(u16 port) { u16 v; __asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline u32 inl(u16 port) { u32 v; __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline void barrier(void) { __asm__ volatile("" ::: "memory"); }
/* Control registers and TLB invalidation in 32-bit code. */
static inline u32 cr0(void) { u32 v; __asm__ volatile("mov %%cr0, %0" : "=r"(v)); return v; }
static inline void set_cr0(u32 v) { __asm__ volatile("mov %0, %%cr0" : : "r"(v) : "memory"); }
static inline u32 cr4(void) { u32 v; __asm__ volatile("mov %%cr4, %0" : "=r"(v)); return v; }
static inline void set_cr4(u32 v) { __asm__ volatile("mov %0, %%cr4" : : "r"(v) : "memory"); }
static inline void reload_cr3(void) { __asm__ volatile("mov %%cr3, %%eax\n mov %%eax, %%cr3" ::: "eax", "memory"); }
static inline void invlpg(u32 a) { __asm__ volatile("invlpg (%0)" : : "r"(a) : "memory"); }

/* An interrupt gate and a segment descriptor in the layouts the CPU reads from the IDT and GDT. */
struct gate { u16 off_lo, sel; u8 zero, attr; u16 off_hi; } __attribute__((packed));
static inline struct gate gate_to(u32 handler, u16 selector, u8 attr) {
    return (struct gate) {(u16) handler, selector, 0, attr, (u16) (handler >> 16)};
}
static inline u64 segment(u32 base, u32 limit, u8 access, u8 flags) {
    return (u64) (limit & 0xffff) | (u64) (base & 0xffffff) << 16 | (u64) access << 40
           | (u64) ((limit >> 16) & 0xf) << 48 | (u64) (flags & 0xf) << 52 | (u64) (base >> 24) << 56;
}

extern u32 multiboot_magic;
void serial_init(void);
void putc(char c);
void puts(const char *s);
void puthex(u32 v, int digits);
void putdec(u32 v);
void reset_machine(void);
u32 pci_read(int slot, int offset);
void pci_write(int slot, int offset, u32 value);
void *memset(void *d, int c, unsigned n);
void *memcpy(void *d, const void *s, unsigned n);
/* The number after "name=" on the multiboot command line, or fallback. */
u32 cmdline_number(const char *name, u32 fallback);
/* Both 8259s at vectors 0x20-0x2f with only IRQ 0 unmasked, and the PIT's counter 0 raising
 * IRQ 0 at about 1 kHz (mode 2, divisor 1193). */
void timer_irq0_at_1khz(void);
/* The serial port set up and both 8259s masked: firmware may leave the PIT running on them. */
void serial_and_quiet_pics(void);
/* gdt[0] null and gdt[1], gdt[2] flat 4 GiB kernel code (0x08) and data (0x10); the table of
 * `bytes` bytes (entries 3 and up as the caller filled them) loaded, cs reloaded by a far jump
 * and ds, es, ss, fs, gs with 0x10. */
void load_flat_gdt(u64 *gdt, u32 bytes);
#endif
