/*
 * memcpy, memmove and memset through every strategy glibc picks by size (and by what CPUID
 * says of the caches and of rep movsb/stosb): short moves, SSE2 loops, rep movsb/stosb, the
 * non-temporal loops past the cache-sized threshold; forward and backward overlaps, unaligned
 * ends, page-crossing runs. Each result is hashed against a byte-by-byte reference copy, so
 * the output is the same on any x86-64 whatever its caches.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint32_t hash(const unsigned char *p, size_t n) {
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++) {
        h = (h ^ p[i]) * 16777619u;
    }
    return h;
}

static void fill_pattern(unsigned char *p, size_t n, uint32_t seed) {
    for (size_t i = 0; i < n; i++) {
        seed = seed * 1103515245u + 12345u;
        p[i] = (unsigned char) (seed >> 16);
    }
}

/* The reference: what memmove must leave, computed one byte at a time. */
static void reference_move(unsigned char *dst, const unsigned char *src, size_t n) {
    if (dst < src) {
        for (size_t i = 0; i < n; i++) dst[i] = src[i];
    } else {
        for (size_t i = n; i > 0; i--) dst[i - 1] = src[i - 1];
    }
}

int main(void) {
    static const size_t sizes[] = {
        0, 1, 7, 16, 33, 64, 127, 128, 255, 256, 511, 1000, 2047, 2048, 2049, 4095, 4096, 4097,
        8191, 12345, 16447, 16448, 16449, 65536, 100003, 262144, 1048576 + 13, 4194304 + 5,
        12582912 - 64, 12582912 + 4096 + 3, 16777216 + 1,
    };
    static const size_t offsets[] = {0, 1, 15, 63, 4095};
    size_t max = 16777216 + 1 + 2 * 4096 + 64;
    unsigned char *a = malloc(max), *b = malloc(max), *r = malloc(max);
    if (!a || !b || !r) {
        puts("out of memory");
        return 1;
    }
    int failures = 0;
    for (size_t si = 0; si < sizeof sizes / sizeof *sizes; si++) {
        size_t n = sizes[si];
        uint32_t copies = 0, moves = 0, sets = 0;
        /* the largest sizes at two offsets only: their byte-by-byte references are slow */
        size_t noffsets = n > 1048576 ? 2 : sizeof offsets / sizeof *offsets;
        for (size_t oi = 0; oi < noffsets; oi++) {
            size_t off = offsets[oi];
            /* a plain copy into another buffer, unaligned source and target */
            fill_pattern(a, n + off + 64, (uint32_t) (n * 31 + off));
            memset(b, 0x5a, n + off + 64);
            memcpy(b + off, a + 64 - (off & 63), n);
            memset(r, 0x5a, n + off + 64);
            reference_move(r + off, a + 64 - (off & 63), n);
            if (memcmp(b, r, n + off + 64) != 0) {
                printf("memcpy %zu at %zu differs\n", n, off);
                failures++;
            }
            copies = copies * 33 + hash(b, n + off + 64);
            /* overlapping moves, both ways, by a distance shorter than the length */
            size_t shift = 1 + off % 97 + (n > 8192 ? 4096 : 0);
            fill_pattern(a, n + shift + 64, (uint32_t) n ^ 0x9e3779b9u);
            memcpy(r, a, n + shift + 64);
            memmove(a + shift, a, n);
            reference_move(r + shift, r, n);
            if (memcmp(a, r, n + shift + 64) != 0) {
                printf("memmove up %zu by %zu differs\n", n, shift);
                failures++;
            }
            memmove(a, a + shift, n);
            reference_move(r, r + shift, n);
            if (memcmp(a, r, n + shift + 64) != 0) {
                printf("memmove down %zu by %zu differs\n", n, shift);
                failures++;
            }
            moves = moves * 33 + hash(a, n + shift + 64);
            /* a fill, byte values that are and are not the same in every byte of a word */
            memset(b, 0, n + off + 64);
            memset(b + off, (int) (0x80 + off), n);
            for (size_t i = 0; i < n + off + 64; i++) {
                unsigned char want = (i >= off && i < off + n) ? (unsigned char) (0x80 + off) : 0;
                if (b[i] != want) {
                    printf("memset %zu at %zu differs at %zu\n", n, off, i);
                    failures++;
                    break;
                }
            }
            sets = sets * 33 + hash(b, n + off + 64);
        }
        printf("%zu: copies %08x moves %08x sets %08x\n", n, copies, moves, sets);
    }
    printf("%d failures\n", failures);
    free(a);
    free(b);
    free(r);
    return failures != 0;
}
