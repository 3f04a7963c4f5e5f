/*
 * popcnt and lzcnt as CPUID claims them (leaf 1 ECX bit 23; leaf 0x80000001 ECX bit 5): the
 * claims, then each instruction of 16, 32 and 64 bits, register and memory sources, on zero,
 * all-ones, single-bit and pseudo-random values, with ZF and CF after it, checked against a
 * count in C. The output is the same natively (this host has both) and under emulation.
 */
#include <cpuid.h>
#include <stdint.h>
#include <stdio.h>

static uint64_t next(uint64_t *s) {
    uint64_t x = *s; x ^= x << 13; x ^= x >> 7; x ^= x << 17; return *s = x;
}

static int ones(uint64_t v) {
    int n = 0;
    for (; v; v &= v - 1) n++;
    return n;
}

static int leading(uint64_t v, int bits) {
    int n = 0;
    for (int i = bits - 1; i >= 0 && !((v >> i) & 1); i--) n++;
    return n;
}

#define OP(name, insn, type, suffix)                                                        \
    static uint64_t name(type v, int memory, int *zf, int *cf) {                           \
        type r; unsigned char z, c;                                                        \
        if (memory) {                                                                      \
            __asm__ volatile(insn suffix " %3, %0; setz %1; setc %2"                       \
                             : "=r"(r), "=q"(z), "=q"(c) : "m"(v) : "cc");                 \
        } else {                                                                           \
            __asm__ volatile(insn suffix " %3, %0; setz %1; setc %2"                       \
                             : "=r"(r), "=q"(z), "=q"(c) : "r"(v) : "cc");                 \
        }                                                                                  \
        *zf = z; *cf = c;                                                                  \
        return r;                                                                          \
    }

OP(popcnt16, "popcnt", uint16_t, "w")
OP(popcnt32, "popcnt", uint32_t, "l")
OP(popcnt64, "popcnt", uint64_t, "q")
OP(lzcnt16, "lzcnt", uint16_t, "w")
OP(lzcnt32, "lzcnt", uint32_t, "l")
OP(lzcnt64, "lzcnt", uint64_t, "q")

int main(void) {
    unsigned a, b, c, d;
    __cpuid(1, a, b, c, d);
    int popcnt = (c >> 23) & 1;
    __cpuid(0x80000000, a, b, c, d);
    int lzcnt = 0;
    if (a >= 0x80000001) {
        __cpuid(0x80000001, a, b, c, d);
        lzcnt = (c >> 5) & 1;
    }
    printf("claims: popcnt %d lzcnt %d\n", popcnt, lzcnt);
    uint64_t values[64] = {0, 1, ~0ull, 0x8000000000000000ull, 0x80000000u, 0x8000, 0xffff, 0xffffffffu, 0x10000};
    uint64_t seed = 88172645463325252ull;
    for (int i = 9; i < 64; i++) {
        uint64_t v = next(&seed);
        values[i] = v >> (next(&seed) & 63);
    }
    unsigned long sum = 0, wrong = 0;
    for (int i = 0; i < 64; i++) {
        uint64_t v = values[i];
        for (int memory = 0; memory < 2; memory++) {
            int zf, cf;
            if (popcnt) {
                uint64_t r16 = popcnt16((uint16_t)v, memory, &zf, &cf);
                wrong += r16 != (uint64_t)ones((uint16_t)v) || zf != ((uint16_t)v == 0) || cf;
                sum = sum * 31 + r16 + zf * 2 + cf * 4;
                uint64_t r32 = popcnt32((uint32_t)v, memory, &zf, &cf);
                wrong += r32 != (uint64_t)ones((uint32_t)v) || zf != ((uint32_t)v == 0) || cf;
                sum = sum * 31 + r32 + zf * 2 + cf * 4;
                uint64_t r64 = popcnt64(v, memory, &zf, &cf);
                wrong += r64 != (uint64_t)ones(v) || zf != (v == 0) || cf;
                sum = sum * 31 + r64 + zf * 2 + cf * 4;
            }
            if (lzcnt) {
                uint64_t r16 = lzcnt16((uint16_t)v, memory, &zf, &cf);
                wrong += r16 != (uint64_t)leading((uint16_t)v, 16) || cf != ((uint16_t)v == 0) || zf != (r16 == 0);
                sum = sum * 31 + r16 + zf * 2 + cf * 4;
                uint64_t r32 = lzcnt32((uint32_t)v, memory, &zf, &cf);
                wrong += r32 != (uint64_t)leading((uint32_t)v, 32) || cf != ((uint32_t)v == 0) || zf != (r32 == 0);
                sum = sum * 31 + r32 + zf * 2 + cf * 4;
                uint64_t r64 = lzcnt64(v, memory, &zf, &cf);
                wrong += r64 != (uint64_t)leading(v, 64) || cf != (v == 0) || zf != (r64 == 0);
                sum = sum * 31 + r64 + zf * 2 + cf * 4;
            }
        }
    }
    printf("checksum %lx, %lu wrong\n", sum, wrong);
    return wrong != 0;
}
