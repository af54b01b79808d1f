/* arena.h: one arena per compilation.  The AST, the graph and every string
 * are carved from it and freed together by arena_free_all() at exit, so no
 * stage frees anything on its own.  Allocation failure is fatal (exit 1). */
#ifndef MGC_ARENA_H
#define MGC_ARENA_H

#include <stddef.h>

void *arena_alloc(size_t size);          /* zeroed, aligned for any type */
char *arena_strdup(const char *s);
char *arena_strndup(const char *s, size_t n);
char *arena_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void arena_free_all(void);

#endif
