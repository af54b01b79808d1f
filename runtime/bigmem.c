/* bigmem.c: large buffers on huge pages, faulted in at allocation
 * (mg_bigmem.h).  A step of gpt_text at n_embd 256 touches about 180 MB of
 * parameters, gradients, Adam state and scratch: on 4 KiB pages faulted in
 * during the first step, that step took 0.7-1.0 s in 45,000 page faults. */
#define _DEFAULT_SOURCE
#include "mg_bigmem.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#ifdef __linux__
#include <sys/mman.h>
#endif

#define HUGE_PAGE ((size_t)1 << 21)

/* advise [p, p + bytes)'s whole huge pages (none when it spans none) */
static void advise_huge(void *p, size_t bytes) {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    uintptr_t a = ((uintptr_t)p + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1);
    uintptr_t b = ((uintptr_t)p + bytes) & ~(uintptr_t)(HUGE_PAGE - 1);
    if (b > a) (void)madvise((void *)a, b - a, MADV_HUGEPAGE);   /* advice: failing is harmless */
#else
    (void)p, (void)bytes;
#endif
}

void *mg_big_calloc(size_t n, size_t size) {
    if (size && n > SIZE_MAX / size) return NULL;
    size_t bytes = n * size;
    if (bytes == 0) bytes = 1;
    if (bytes < MG_BIG_MIN) {   /* (calloc maps one of 128 KiB and more fresh: touch it too) */
        void *q = calloc(1, bytes);
        mg_big_prefault(q, bytes);
        return q;
    }
    size_t whole = (bytes + HUGE_PAGE - 1) / HUGE_PAGE * HUGE_PAGE;
    void *p = aligned_alloc(HUGE_PAGE, whole);
    if (!p) return NULL;
    advise_huge(p, whole);
    memset(p, 0, whole);    /* zeroes it and faults in every page, now rather than in the first step */
    return p;
}

void mg_big_prefault(void *p, size_t bytes) {
    if (!p || bytes == 0) return;
    advise_huge(p, bytes);
    /* a write to each 4 KiB page that keeps its byte (an atomic or of 0:
     * one write fault, not a read of the zero page and then a write) */
    for (size_t i = 0; i < bytes; i += 4096) __atomic_fetch_or((unsigned char *)p + i, 0, __ATOMIC_RELAXED);
    __atomic_fetch_or((unsigned char *)p + bytes - 1, 0, __ATOMIC_RELAXED);
}
