/* mg_err.h: error reporting for the runtime library.
 * Takes a printf-style message; hands on one filled MgErr and the value -1.
 * Library code never prints or exits: it fills an MgErr and returns -1; the
 * CLI prints "PROG: error: MSG" and exits 1. */
#ifndef MG_ERR_H
#define MG_ERR_H

typedef struct MgErr {
    char msg[1024];
} MgErr;

#if defined(__GNUC__)
#define MG_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define MG_PRINTF(a, b)
#endif

/* Format the message into e (if e is not NULL) and return -1. */
int mg_err(MgErr *e, const char *fmt, ...) MG_PRINTF(2, 3);

#endif
