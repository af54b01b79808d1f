/* exactexp_loose.c: mg_exactexp.h with its error constant loosened to 0 (as
 * if glibc's exp were correctly rounded), for test_exactexp.c; this file's
 * copy of the header has its own tables and its own start-up check. */
#include <math.h>
#include <string.h>

#define MG_EXP_SLACK 0.0
#include "mg_exactexp.h"

long exactexp_loose_block_mismatches(const double *x, long n);
int exactexp_loose_path(void);
long exactexp_loose_row_mismatches(const double *x, long n);

/* the vector code alone: where it decides, how often it differs from libm */
long exactexp_loose_block_mismatches(const double *x, long n)
{
    double y[64];
    long long ok[64];
    long bad = 0;
    for (long i = 0; i + 64 <= n; i += 64) {
        memcpy(y, x + i, sizeof y);
        mg_exp_block_(y, ok, 64);
        for (int k = 0; k < 64; k++)
            bad += ok[k] && y[k] != exp(x[i + k]);
    }
    return bad;
}

int exactexp_loose_path(void) { return mg_exp_path_; }

/* what callers get (mg_exp_row): libm's bits once the check has refused */
long exactexp_loose_row_mismatches(const double *x, long n)
{
    double y[64];
    long bad = 0;
    for (long i = 0; i + 64 <= n; i += 64) {
        memcpy(y, x + i, sizeof y);
        mg_exp_row(y, 64);
        for (int k = 0; k < 64; k++)
            bad += memcmp(&y[k], &(double){exp(x[i + k])}, sizeof y[k]) != 0 && !isnan(y[k]);
    }
    return bad;
}
