/* now.h: the benchmark programs' clock (monotonic seconds). */
#ifndef MGC_BENCH_NOW_H
#define MGC_BENCH_NOW_H

#include <time.h>

static inline double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

#endif
