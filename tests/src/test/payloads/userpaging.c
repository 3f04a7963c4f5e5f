#include "lib.h"

/* Paging from ring 3: user accesses to a supervisor page (one the kernel used just before),
 * writes to a read-only user page, not-present pages, each a #PF with CR2 and an error code
 * carrying U/S; the kernel still reaches its page after coming back from ring 3. */

struct frame { u32 edi, esi, ebp, esp_unused, ebx, edx, ecx, eax, vector, error, eip, cs, eflags, esp, ss; };
struct tss { u32 link, esp0, ss0, rest[22]; u16 trap, iomap; } __attribute__((packed));

static u64 gdt[6] __attribute__((aligned(8)));
static struct gate idt[256];
static struct tss tss __attribute__((aligned(16)));
static struct { u16 limit; u32 base; } __attribute__((packed)) idtr;
static u32 directory[1024] __attribute__((aligned(4096)));
static u32 low_table[1024] __attribute__((aligned(4096)));
static u8 kernel_stack[4096] __attribute__((aligned(4096)));
static u8 user_stack[4096] __attribute__((aligned(4096)));
static volatile u32 kernel_page[1024] __attribute__((aligned(4096)));
static volatile u32 readonly_page[1024] __attribute__((aligned(4096)));

#define TESTS 7
volatile u32 resume, kernel_esp, test_index;
volatile u32 result_fault[TESTS], result_cr2[TESTS], result_error[TESTS], result_value[TESTS];

extern void stub_pf(void), stub_80(void), enter_user(u32 entry, u32 user_esp), back_to_kernel(void), user_entry(void);
__asm__(".globl stub_pf\nstub_pf: pushl $14\njmp common\n"
        ".globl stub_80\nstub_80: pushl $0\npushl $0x80\njmp common\n"
        "common: pusha\npush %esp\ncall handler\nadd $4, %esp\npopa\nadd $8, %esp\niret\n"
        ".globl enter_user\nenter_user: push %ebp\npush %ebx\npush %esi\npush %edi\n"
        "mov %esp, kernel_esp\nmov 20(%esp), %eax\nmov 24(%esp), %ecx\n"
        "pushl $0x23\npush %ecx\npushl $0x002\npushl $0x1b\npush %eax\niret\n"
        ".globl back_to_kernel\nback_to_kernel: mov $0x10, %ax\nmov %ax, %ds\nmov %ax, %es\nmov %ax, %ss\n"
        "mov kernel_esp, %esp\npop %edi\npop %esi\npop %ebx\npop %ebp\nret\n"
        ".globl user_entry\nuser_entry: mov $0x23, %ax\nmov %ax, %ds\nmov %ax, %es\ncall user_main\n1: jmp 1b\n");

void handler(struct frame *f) {
    if (f->vector == 0x80) {
        back_to_kernel();
    }
    u32 cr2;
    __asm__ volatile("mov %%cr2, %0" : "=r"(cr2));
    result_fault[test_index] = 1;
    result_cr2[test_index] = cr2;
    result_error[test_index] = f->error | ((f->cs & 3) << 8);
    f->eip = resume;
}

static void user_read(u32 address) {
    u32 v = 0xdeadbeef;
    __asm__ volatile("movl $1f, resume\n mov (%1), %0\n1:" : "+r"(v) : "r"(address) : "memory");
    result_value[test_index++] = v;
}

static void user_write(u32 address) {
    __asm__ volatile("movl $1f, resume\n movl $0x5a5a5a5a, (%0)\n1:" : : "r"(address) : "memory");
    test_index++;
}

void user_main(void) {
    user_read((u32) kernel_page);          /* 0: supervisor page, read */
    user_write((u32) kernel_page + 8);     /* 1: supervisor page, write */
    user_read((u32) readonly_page);        /* 2: user read-only page, read */
    user_write((u32) readonly_page + 4);   /* 3: user read-only page, write */
    user_read(0x80000000);                 /* 4: not present, read */
    user_write(0x80000ffc);                /* 5: not present, write */
    user_read((u32) kernel_page + 4);      /* 6: supervisor page again after the fault handler ran */
    __asm__ volatile("int $0x80");
}

static void set_gate(int v, void (*fn)(void), u8 attr) {
    idt[v] = gate_to((u32) fn, 0x08, attr);
}

void payload_main(void) {
    serial_and_quiet_pics();
    gdt[3] = segment(0, 0xfffff, 0xfa, 0xc);
    gdt[4] = segment(0, 0xfffff, 0xf2, 0xc);
    gdt[5] = segment((u32) &tss, sizeof tss - 1, 0x89, 0);
    load_flat_gdt(gdt, sizeof gdt);
    tss.esp0 = (u32) &kernel_stack[sizeof kernel_stack];
    tss.ss0 = 0x10;
    tss.iomap = sizeof tss;
    __asm__ volatile("ltr %%ax" : : "a"(0x28));
    set_gate(14, stub_pf, 0x8e);
    set_gate(0x80, stub_80, 0xee);
    idtr.limit = sizeof idt - 1;
    idtr.base = (u32) idt;
    __asm__ volatile("lidt %0" : : "m"(idtr));

    for (u32 i = 0; i < 1024; i++) {
        low_table[i] = (i << 12) | 0x7;                        /* user, writable */
    }
    low_table[(u32) kernel_page >> 12] = (u32) kernel_page | 0x3;    /* supervisor only */
    low_table[(u32) readonly_page >> 12] = (u32) readonly_page | 0x5; /* user, read-only */
    directory[0] = (u32) low_table | 0x7;
    readonly_page[0] = 0x55556666;
    __asm__ volatile("mov %0, %%cr3" : : "r"(directory) : "memory");
    __asm__ volatile("mov %%cr0, %%eax\n or $0x80010000, %%eax\n mov %%eax, %%cr0" ::: "eax", "memory");

    kernel_page[0] = 0x11112222;                                /* the kernel uses its page first */
    kernel_page[1] = 0x33334444;
    test_index = 0;
    enter_user((u32) user_entry, (u32) &user_stack[sizeof user_stack]);

    static const char *names[TESTS] = {"user read of a supervisor page", "user write to a supervisor page",
        "user read of a read-only page", "user write to a read-only page", "user read, not present",
        "user write, not present", "user read of the supervisor page again"};
    for (int i = 0; i < TESTS; i++) {
        puts(names[i]);
        if (result_fault[i]) {
            puts(": #PF error ");
            puthex(result_error[i] & 0xff, 2);
            puts(" from ring ");
            putdec(result_error[i] >> 8);
            puts(" cr2 ");
            puthex(result_cr2[i], 8);
            puts("\n");
        } else {
            puts(": no fault, read ");
            puthex(result_value[i], 8);
            puts("\n");
        }
    }
    puts("kernel reads its page after ring 3: ");
    puthex(kernel_page[0], 8);
    puts(" ");
    puthex(kernel_page[2], 8);
    puts("\nuser paging done\n");
}
