/* arena.c: the compilation arena, a bump allocator over big zeroed chunks.
 * Takes sizes, hands out zeroed memory aligned for any type; nothing is freed
 * until arena_free_all().  Out of memory prints a message and exits 1. */
#include "arena.h"

#include <stdalign.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { CHUNK_SIZE = 64 * 1024 };

typedef struct Chunk {
    struct Chunk *next;
    size_t used, cap;            /* bytes of data[] */
    max_align_t data[];
} Chunk;

static Chunk *head;

static _Noreturn void out_of_memory(void)
{
    fputs("mgc: error: out of memory\n", stderr);
    exit(1);
}

static Chunk *new_chunk(size_t cap)
{
    if (cap > SIZE_MAX - sizeof(Chunk))
        out_of_memory();
    Chunk *c = calloc(1, sizeof(Chunk) + cap);
    if (!c)
        out_of_memory();
    c->cap = cap;
    return c;
}

void *arena_alloc(size_t size)
{
    const size_t align = alignof(max_align_t);
    if (size > SIZE_MAX - align)
        out_of_memory();
    size = size ? (size + align - 1) / align * align : align;
    if (!head || head->cap - head->used < size) {
        if (head && size > CHUNK_SIZE / 4) {
            /* A big block gets its own chunk behind the current one, so the
             * space left in the current chunk is not wasted. */
            Chunk *c = new_chunk(size);
            c->used = size;
            c->next = head->next;
            head->next = c;
            return c->data;
        }
        Chunk *c = new_chunk(size > CHUNK_SIZE ? size : CHUNK_SIZE);
        c->next = head;
        head = c;
    }
    void *p = (char *)head->data + head->used;
    head->used += size;
    return p;                    /* chunks are calloc'ed and never reused */
}

char *arena_strndup(const char *s, size_t n)
{
    if (n == SIZE_MAX)
        out_of_memory();
    char *p = arena_alloc(n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *arena_strdup(const char *s)
{
    return arena_strndup(s, strlen(s));
}

char *arena_printf(const char *fmt, ...)
{
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) {
        va_end(ap2);
        return arena_strdup("");
    }
    char *p = arena_alloc((size_t)n + 1);
    vsnprintf(p, (size_t)n + 1, fmt, ap2);
    va_end(ap2);
    return p;
}

void arena_free_all(void)
{
    while (head) {
        Chunk *next = head->next;
        free(head);
        head = next;
    }
}
