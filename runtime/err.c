/* err.c: fills an MgErr with a formatted message.
 * Takes a format and arguments; hands on -1 so callers can `return mg_err(...)`.
 * Invariant: the message is always NUL-terminated, truncated if too long. */
#include "mg_err.h"

#include <stdarg.h>
#include <stdio.h>

int mg_err(MgErr *e, const char *fmt, ...) {
    if (e) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(e->msg, sizeof e->msg, fmt, ap);
        va_end(ap);
    }
    return -1;
}
