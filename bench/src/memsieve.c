/*
 * Memory-bound guest program for the guest-memory access benchmark: a byte sieve of
 * Eratosthenes (loads and stores of single bytes) and a word-array prefix sum (32-bit loads
 * and stores), repeated. Prints a checksum so every run can be checked against another.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv) {
    int rounds = argc > 1 ? atoi(argv[1]) : 4;
    size_t n = 2000000;
    unsigned char *composite = malloc(n + 1);
    unsigned *words = malloc(n * sizeof *words);
    unsigned long primes = 0, check = 0;
    for (int r = 0; r < rounds; r++) {
        memset(composite, 0, n + 1);
        for (size_t i = 2; i * i <= n; i++)
            if (!composite[i])
                for (size_t j = i * i; j <= n; j += i) composite[j] = 1;
        for (size_t i = 2; i <= n; i++) primes += !composite[i];
        for (size_t i = 0; i < n; i++) words[i] = (unsigned)(i * 2654435761u) ^ (unsigned)r;
        for (size_t i = 1; i < n; i++) words[i] += words[i - 1];
        check += words[n - 1];
    }
    printf("primes %lu check %08lx\n", primes, check);
    return 0;
}
