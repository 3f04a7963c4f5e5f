/* Integer operations over pseudo-random operands (32- and 64-bit, signed and unsigned, bit
   fields, rotates, byte swaps, bit counts, overflow builtins): checksums of exactly defined
   results, the same on any architecture, so a native x86-64 build is the oracle. */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>

static uint64_t state = 0x9E3779B97F4A7C15ULL;
static uint64_t next(void) { state ^= state << 13; state ^= state >> 7; state ^= state << 17; return state; }

struct fields { unsigned a : 3, b : 7, c : 13, d : 9; };

static uint32_t rotl32(uint32_t x, unsigned n) { n &= 31; return n ? (x << n) | (x >> (32 - n)) : x; }

int main(void) {
    uint64_t h[12] = {0};
    for (int i = 0; i < 20000; i++) {
        uint64_t r1 = next(), r2 = next();
        int shape = (int)(r1 % 5);
        if (shape == 1) r2 &= 0xff;
        if (shape == 2) r2 = (uint64_t)(int64_t)(int8_t)r2;
        if (shape == 3) r1 = (uint64_t)INT64_MIN;
        volatile uint32_t a = (uint32_t)r1, b = (uint32_t)r2;
        volatile int32_t sa = (int32_t)a, sb = (int32_t)b;
        volatile uint64_t A = r1, B = r2;
        volatile int64_t SA = (int64_t)A, SB = (int64_t)B;
        h[0] = h[0] * 31 + (uint32_t)(a + b) + (uint32_t)(a - b) * 3 + (uint32_t)(a * b) * 5;
        h[1] = h[1] * 31 + (b ? a / b + a % b : 1) + (sb && !(sa == INT32_MIN && sb == -1) ? (uint32_t)(sa / sb) + (uint32_t)(sa % sb) : 2);
        h[2] = h[2] * 31 + (uint32_t)(a << (b & 31)) + (a >> (b & 31)) + (uint32_t)(sa >> (b & 31)) + rotl32(a, b);
        h[3] = h[3] * 31 + A + B + (A - B) * 3 + A * B;
        h[4] = h[4] * 31 + (B ? A / B + A % B : 1) + (SB && !(SA == INT64_MIN && SB == -1) ? (uint64_t)(SA / SB) + (uint64_t)(SA % SB) : 2);
        h[5] = h[5] * 31 + (A << (B & 63)) + (A >> (B & 63)) + (uint64_t)(SA >> (B & 63));
        h[6] = h[6] * 31 + (uint64_t)a * b + (uint64_t)((int64_t)sa * sb);
        h[7] = h[7] * 31 + __builtin_bswap32(a) + __builtin_bswap64(A) + (a ? __builtin_clz(a) + __builtin_ctz(a) : 64) + __builtin_popcountll(A);
        struct fields f = {0};
        f.a = a; f.b = b; f.c = a >> 7; f.d = b >> 3;
        h[8] = h[8] * 31 + f.a + f.b * 3 + f.c * 5 + f.d * 7;
        int32_t s32; int64_t s64; uint32_t u32;
        h[9] = h[9] * 31 + __builtin_add_overflow(sa, sb, &s32) + (uint32_t)s32 + __builtin_mul_overflow(sa, sb, &s32) * 2
             + __builtin_sub_overflow(a, b, &u32) * 4 + __builtin_mul_overflow(SA, SB, &s64) * 8 + (uint64_t)s64;
        h[10] = h[10] * 31 + (sa < sb) + (a < b) * 2 + (SA < SB) * 4 + (A < B) * 8 + (sa == sb) * 16 + (uint64_t)(sa > 0 ? sa : -sa);
        h[11] = h[11] * 31 + (uint64_t)(int64_t)(int16_t)a + (uint64_t)(int64_t)(int8_t)b + (uint64_t)(uint16_t)(a >> 8);
    }
    for (int k = 0; k < 12; k++) printf("%016" PRIx64 "\n", h[k]);
    return 0;
}
