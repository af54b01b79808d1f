/* peak.c: this machine's float32 multiply-add peak on one core, for the
 * scale benchmark's "% of peak" (issue #8).  Twelve independent vector
 * accumulators of 16 floats each take a = a * b + c in a loop long enough
 * to dwarf its overhead; built with -O3 -march=native -ffp-contract=fast so
 * the compiler emits fused multiply-adds in the widest vectors it has.
 * Prints GFLOP/s (2 flops per lane per multiply-add), best of 5. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>

#include "now.h"

typedef float v16 __attribute__((vector_size(64)));
enum { ACC = 12, ITERS = 20000000 };

int main(void)
{
    volatile float seed = 1.0f;
    v16 acc[ACC], b, c;
    for (int i = 0; i < 16; i++)
        b[i] = 0.999999f * seed, c[i] = 1e-7f * seed;
    double best = 0;
    for (int run = 0; run < 5; run++) {
        for (int k = 0; k < ACC; k++)
            for (int i = 0; i < 16; i++)
                acc[k][i] = (float)(k + i) * seed;
        double t0 = now();
        for (long it = 0; it < ITERS; it++)
            for (int k = 0; k < ACC; k++)
                acc[k] = acc[k] * b + c;
        double t = now() - t0, gflops = 2.0 * 16 * ACC * (double)ITERS / t * 1e-9;
        if (gflops > best)
            best = gflops;
    }
    float sink = 0;
    for (int k = 0; k < ACC; k++)
        for (int i = 0; i < 16; i++)
            sink += acc[k][i];
    printf("fp32 peak (one core, fused multiply-add, best of 5): %.1f GFLOP/s (checksum %g)\n", best, (double)sink);
    return 0;
}
