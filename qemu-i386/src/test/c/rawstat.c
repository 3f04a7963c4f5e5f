/* Prints the raw bytes the kernel (here: the emulator running this) writes for stat64 and statfs64. */
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

static void dump(const unsigned char *p, int n) {
    for (int i = 0; i < n; i++) printf("%02x", p[i]);
    printf("\n");
}

int main(int argc, char **argv) {
    unsigned char st[96], sf[84];
    if (syscall(SYS_stat64, argv[1], st) != 0) return 1;
    dump(st, sizeof st);
    if (syscall(SYS_statfs64, argv[1], sizeof sf, sf) != 0) return 2;
    dump(sf, sizeof sf);
    return 0;
}
