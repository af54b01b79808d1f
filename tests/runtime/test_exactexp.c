/* test_exactexp.c: mg_exactexp.h's vectorised exp against libm's, bit for bit,
 * on tens of millions of random and adversarial arguments; its start-up check,
 * and the fallback to libm when that check fails (a table entry one ulp off).
 * exactexp_loose.c is the same header with MG_EXP_SLACK 0, as if glibc were
 * correctly rounded: that copy must disagree with libm, and its start-up check
 * must refuse it.  Built with -O3 (and -march=native) as the models are, so
 * the vector code is what runs. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>

#include "mg_exactexp.h"

long exactexp_loose_block_mismatches(const double *x, long n);
int exactexp_loose_path(void);
long exactexp_loose_row_mismatches(const double *x, long n);

static uint64_t xs_state = 0x2545f4914f6cdd1dull;
static uint64_t xs(void)
{
    xs_state ^= xs_state << 13;
    xs_state ^= xs_state >> 7;
    xs_state ^= xs_state << 17;
    return xs_state;
}

static double unit(void) { return (double)(xs() >> 11) * 0x1p-53; }

static int same_bits(double a, double b) { return memcmp(&a, &b, sizeof a) == 0 || (isnan(a) && isnan(b)); }

/* the i-th of a family of arguments: kind 0 softmax's range, 1 all of exp's
 * finite range, 2 any bit pattern (subnormals, huge, inf, NaN), 3 next to a
 * reduction boundary (k + 1/2) ln2/128, 4 small arguments, 5 within a few
 * ulps of a start-up hard case */
static double argument(int kind)
{
    static const double ln2 = 0x1.62e42fefa39efp-1;
    uint64_t b;
    double x;
    switch (kind) {
    case 0: return -40.0 * unit() + 1.0;
    case 1: return 1500.0 * unit() - 750.0;
    case 2:
        b = xs();
        memcpy(&x, &b, sizeof x);
        return x;
    case 3: {
        double k = floor(unit() * 2 * 128 * 1100) - 128 * 1100 + 0.5;
        x = k * ln2 / 128;
        return nextafter(x, (xs() & 1) ? INFINITY : -INFINITY) + (unit() - 0.5) * 0x1p-40;
    }
    case 4: return ldexp(unit() - 0.5, -(int)(xs() % 60));
    default: {
        size_t nh = sizeof mg_exp_hard_ / sizeof mg_exp_hard_[0];
        x = mg_exp_hard_[xs() % nh];
        for (int s = (int)(xs() % 9) - 4; s != 0 && isfinite(x); s += s < 0 ? 1 : -1)
            x = nextafter(x, s < 0 ? -INFINITY : INFINITY);
        return x;
    }
    }
}

Test(exactexp, startup_check_passes)
{
    cr_expect_eq(mg_exp_path_, 1, "the start-up check refused the vector exp (path %d)", mg_exp_path_);
    cr_expect_eq(mg_exp_selftest_(), 0);
}

Test(exactexp, specials_are_libm_bits)
{
    static const double sp[] = {0.0,      -0.0,      INFINITY, -INFINITY, NAN,     709.78, 709.79, -708.39, -708.4,
                                -744.44, -745.13,   -745.14,  -1000.0,   1000.0,  0x1p-1074, -0x1p-1074, 0x1p-30};
    for (size_t i = 0; i < sizeof sp / sizeof sp[0]; i++) {
        double y[9];
        for (int k = 0; k < 9; k++)
            y[k] = sp[i];
        mg_exp_row(y, 9);
        for (int k = 0; k < 9; k++)
            cr_expect(same_bits(y[k], exp(sp[i])), "exp(%a): %a, libm %a", sp[i], y[k], exp(sp[i]));
    }
}

/* 6 families x 7 million arguments, in rows of 1 to 64 elements, in place */
Test(exactexp, agrees_with_libm_on_42_million_arguments, .timeout = 120)
{
    enum { N = 1 << 16 };
    static double x[N], y[N];
    long bad = 0, fast = 0, inrange = 0, total = 0;
    for (int kind = 0; kind < 6; kind++)
        for (long done = 0; done < 7000000; done += N) {
            for (int i = 0; i < N; i++)
                y[i] = x[i] = argument(kind);
            for (int i = 0; i < N;) {
                int n = 1 + (int)(xs() % 64);
                n = n < N - i ? n : N - i;
                mg_exp_row(y + i, n);
                i += n;
            }
            for (int i = 0; i < N; i++)
                if (!same_bits(y[i], exp(x[i])) && bad++ < 10)
                    cr_log_error("exp(%a): %a, libm %a", x[i], y[i], exp(x[i]));
            if (kind == 0) {    /* how many the vector code decides itself */
                long long ok[64];
                for (int i = 0; i + 64 <= N; i += 64) {
                    memcpy(y, x + i, 64 * sizeof *y);
                    mg_exp_block_(y, ok, 64);
                    for (int k = 0; k < 64; k++)
                        fast += ok[k];
                }
                inrange += N / 64 * 64;
            }
            total += N;
        }
    cr_expect_eq(bad, 0, "%ld of %ld results differ from libm's exp", bad, total);
    cr_expect_gt(fast, inrange * 85 / 100, "the vector code should decide most softmax arguments (%ld of %ld)", fast,
                 inrange);
    cr_log_info("vector code decided %.2f%% of softmax-range arguments", 100.0 * fast / inrange);
}

/* the fallback: a table entry one ulp off, the check refuses the vector code
 * and every result is libm's again; the corrupt code itself does differ */
Test(exactexp, corrupt_table_falls_back_to_libm)
{
    enum { N = 4096 };
    static double x[N], y[N];
    long long ok[64];
    cr_assert_eq(mg_exp_path_, 1);
    mg_exp_th_[5] = nextafter(mg_exp_th_[5], INFINITY);
    for (int i = 0; i < N; i++)    /* k = 128 e + 5: the corrupt entry */
        x[i] = (128.0 * ((int)(xs() % 40) - 20) + 5 + unit() - 0.5) * 0x1.62e42fefa39efp-1 / 128;
    long differ = 0;
    for (int i = 0; i < N; i += 64) {
        memcpy(y + i, x + i, 64 * sizeof *y);
        mg_exp_block_(y + i, ok, 64);
        for (int k = 0; k < 64; k++)
            differ += ok[k] && !same_bits(y[i + k], exp(x[i + k]));
    }
    cr_expect_gt(differ, N / 4, "a one-ulp table error should show (%ld of %d differ)", differ, N);
    cr_expect_eq(mg_exp_check(), -1, "the start-up check missed a table entry one ulp off");
    memcpy(y, x, sizeof y);
    mg_exp_row(y, N);
    long bad = 0;
    for (int i = 0; i < N; i++)
        bad += !same_bits(y[i], exp(x[i]));
    cr_expect_eq(bad, 0, "after the fallback %ld results still differ from libm's", bad);
    mg_exp_init();    /* the tables recomputed, the check passes again */
    cr_expect_eq(mg_exp_path_, 1);
}

/* The error constant matters: without glibc's error (MG_EXP_SLACK 0) the
 * vector code returns the correctly rounded exp, which is not always glibc's;
 * the start-up check refuses it (its fixed inputs hold such arguments), and the
 * rows are then libm's. */
Test(exactexp, loosened_error_constant_fails)
{
    enum { N = 1 << 20 };
    static double x[N];
    for (int i = 0; i < N; i++)
        x[i] = argument(i % 2 ? 0 : 1);
    cr_expect_gt(exactexp_loose_block_mismatches(x, N), 0, "MG_EXP_SLACK 0 should give results libm does not");
    cr_expect_eq(exactexp_loose_path(), -1, "the start-up check accepted MG_EXP_SLACK 0");
    cr_expect_eq(exactexp_loose_row_mismatches(x, N), 0);
}
