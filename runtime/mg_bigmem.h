/* mg_bigmem.h: the trainer's large buffers on huge pages, faulted in before
 * training, so that the first step does not spend its time in page faults. */
#ifndef MG_BIGMEM_H
#define MG_BIGMEM_H

#include <stddef.h>

/* n elements of `size` bytes, zeroed, every page already faulted in (at
 * any size: a calloc of 128 KiB and more is a fresh mapping); from
 * MG_BIG_MIN bytes up 2 MiB-aligned and advised as huge pages
 * (MADV_HUGEPAGE: used where transparent huge pages are "madvise" or
 * "always").  NULL when out of memory.  Release with free(). */
void *mg_big_calloc(size_t n, size_t size);
/* fault in the pages of a buffer allocated elsewhere (its contents kept),
 * advising its 2 MiB-aligned inside as huge pages first */
void mg_big_prefault(void *p, size_t bytes);

#define MG_BIG_MIN ((size_t)1 << 21)

#endif
