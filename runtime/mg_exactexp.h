/* mg_exactexp.h: exp over a row of doubles with exactly glibc's bits, in a
 * loop the C compiler vectorises; what mgc's exact C calls for softmax rows.
 *
 * glibc's exp (since 2.28, sysdeps/ieee754/dbl-64/e_exp.c) computes an
 * approximation and rounds it once; its comments bound the whole error by
 * "0.5+1.11/N+(abs poly error * 2^53) ulp" with N = 128 and the polynomial's
 * "abs error: 1.555*2^-66", "ulp error: 0.509 (0.511 without fma)"
 * (e_exp_data.c): the 0.5 is the final rounding, so the approximation it
 * rounds lies within 0.011 ulp of exp(x).  Whenever exp(x) lies farther than
 * that from every rounding midpoint, glibc therefore returns the correctly
 * rounded value.  This file computes exp(x) to about 2^-64 relative error,
 * rounds it (c) and measures the exact distance t between its own value and
 * c; where |t| is below half the spacing of doubles at c less the two
 * errors, c is glibc's result.  Elsewhere (about 7% of inputs), and for x
 * outside (-707, 709) (subnormal and infinite results, NaN), libm's exp is
 * called.
 *
 * The method (written from the published technique, no code or table
 * copied): x = k ln2/128 + r, |r| <= ln2/256 (a little more), k = 128 e + j;
 * exp(x) = 2^e 2^(j/128) exp(r).  ln2 and the 128 values 2^(j/128) are
 * computed at start-up in double-double arithmetic (2 atanh(1/3) and Taylor
 * series, relative error under 2^-98); exp(r) is Taylor's polynomial of
 * degree 7 (remainder under 2^-83).  Round to nearest is assumed, as
 * everywhere in mgc.
 *
 * The safeguard: mg_exp_init (run before main where the compiler allows,
 * else by the first mg_exp_row) builds the tables and compares this code
 * with libm on a fixed set of inputs (every table entry, both sides of each
 * reduction boundary, inputs whose exp lies near a rounding midpoint, tiny
 * and huge arguments, the overflow and underflow thresholds, subnormal
 * results, zeros, infinities, NaN); on any difference every later call goes
 * to libm.  tests/runtime/test_exactexp.c checks that fallback, and this code
 * against libm on tens of millions of inputs. */
#ifndef MG_EXACTEXP_H
#define MG_EXACTEXP_H

#include <math.h>
#include <string.h>

/* Functions a file may leave unused (it includes, or standalone C embeds,
 * the whole header): static inline, and marked so that clang's
 * -Wunused-function stays quiet about the ones it does not call. */
#ifndef MG_HDR_FN_
#if defined(__GNUC__)
#define MG_HDR_FN_ static inline __attribute__((unused))
#else
#define MG_HDR_FN_ static inline
#endif
#endif

/* How close (in units of 2^-52 |exp(x)|) exp(x) may come to a rounding
 * midpoint before the candidate is refused: glibc's 0.011 ulp taken as
 * 0.022 2^-52 |exp(x)| (twice it: an ulp of the binade above would still be
 * covered), plus 0.0015 for this code's own error (under 2^-61.4 relative,
 * see mg_exp_block_). */
#ifndef MG_EXP_SLACK
#define MG_EXP_SLACK 0.0235
#endif

#define MG_EXP_N 128    /* entries of the 2^(j/N) table */

static double mg_exp_th_[MG_EXP_N], mg_exp_tl_[MG_EXP_N];   /* 2^(j/N) = th + tl, |tl| <= ulp(th) / 2 */
static double mg_exp_l1_, mg_exp_lm_, mg_exp_ll_;            /* ln2 / N = l1 + lm + ll; l1 35 bits, lm 18 */
static int mg_exp_path_;    /* 0: not yet checked; 1: the vector code; -1: libm for everything */

MG_HDR_FN_ double mg_exp_libm_(double x)
{
    double (*volatile f)(double) = exp;    /* never evaluated at compile time */
    return f(x);
}

/* ---- double-double arithmetic for the start-up tables (value h + l) ---- */
typedef struct MgDd_ {
    double h, l;
} MgDd_;

MG_HDR_FN_ MgDd_ mg_dd_norm_(double h, double l)    /* |h| >= |l| */
{
    MgDd_ r;
    r.h = h + l;
    r.l = l - (r.h - h);
    return r;
}

MG_HDR_FN_ MgDd_ mg_dd_add_(MgDd_ a, MgDd_ b)
{
    double s = a.h + b.h, bb = s - a.h, e = (a.h - (s - bb)) + (b.h - bb);
    return mg_dd_norm_(s, e + (a.l + b.l));
}

MG_HDR_FN_ MgDd_ mg_dd_mul_(MgDd_ a, MgDd_ b)
{
    double p = a.h * b.h;
    return mg_dd_norm_(p, fma(a.h, b.h, -p) + (a.h * b.l + a.l * b.h));
}

MG_HDR_FN_ MgDd_ mg_dd_div_(MgDd_ a, double d)    /* a / d */
{
    double q = a.h / d, r = fma(-q, d, a.h) + a.l;
    return mg_dd_norm_(q, r / d);
}

/* ln 2 = 2 atanh(1/3) = 2 sum (1/3)^(2i+1) / (2i+1) */
MG_HDR_FN_ MgDd_ mg_dd_ln2_(void)
{
    MgDd_ one = {1.0, 0.0}, p = mg_dd_div_(one, 3.0), p2 = mg_dd_mul_(p, p), s = {0.0, 0.0};
    for (int i = 0; i < 40; i++, p = mg_dd_mul_(p, p2))
        s = mg_dd_add_(s, mg_dd_div_(p, 2 * i + 1));
    s.h *= 2, s.l *= 2;
    return s;
}

/* exp(a) for 0 <= a < 1 by its Taylor series (terms to a^34 / 34!) */
MG_HDR_FN_ MgDd_ mg_dd_exp_(MgDd_ a)
{
    MgDd_ s = {1.0, 0.0}, t = {1.0, 0.0};
    for (int i = 1; i < 35; i++) {
        t = mg_dd_div_(mg_dd_mul_(t, a), i);
        s = mg_dd_add_(s, t);
    }
    return s;
}

/* the tables: ln2 / N split so that k l1 and k lm are exact (|k| < 2^18) */
MG_HDR_FN_ void mg_exp_tables_(void)
{
    MgDd_ ln2 = mg_dd_ln2_();
    for (int j = 0; j < MG_EXP_N; j++) {
        MgDd_ a = mg_dd_mul_(ln2, (MgDd_){(double)j / MG_EXP_N, 0.0}), t = mg_dd_exp_(a);
        mg_exp_th_[j] = t.h;
        mg_exp_tl_[j] = t.l;
    }
    double lh = ln2.h / MG_EXP_N;
    unsigned long long b;    /* (no stdint.h: standalone C gets this text with only math.h, string.h) */
    memcpy(&b, &lh, sizeof b);
    b &= ~((1ull << 18) - 1);
    memcpy(&mg_exp_l1_, &b, sizeof b);
    mg_exp_lm_ = lh - mg_exp_l1_;
    mg_exp_ll_ = ln2.l / MG_EXP_N;
}

/* ---- the vector code ---- */

/* y[i] = exp(y[i]) where ok[i] is set; ok[i] = 0 where libm must decide (y[i]
 * is then left as it was).  Each step's error, relative to exp(x) (bounds in
 * the comments): the reduction is exact to 2^-97; the polynomial (Horner in
 * double on r, q ~ 2^-18) to 2^-69; the table to 2^-98; the sum lo of the
 * small terms to 2^-66; c + t is then exp(x) within 2^-65, under 0.0005
 * units of 2^-52 (MG_EXP_SLACK keeps 0.0015). */
MG_HDR_FN_ void mg_exp_block_(double *restrict y, long long *restrict ok, int n)
{
    const double l1 = mg_exp_l1_, lm = mg_exp_lm_, ll = mg_exp_ll_, inv = MG_EXP_N / 0x1.62e42fefa39efp-1;
    /* (every lane 64 bits wide, so that the loop vectorises for short rows) */
    for (int i = 0; i < n; i++) {
        double x0 = y[i], xi = x0;
        /* normal finite results only; NaN fails both.  The lanes outside go
         * through the arithmetic below all the same (j stays in the table). */
        long long in = (xi > -707.0) & (xi < 709.0);
        /* k = round(x N / ln2), any nearby integer will do (|r| < 0.00271):
         * the low bits of kb = 1.5 2^52 + k hold k in two's complement */
        double kb = xi * inv + 0x1.8p52, kd = kb - 0x1.8p52;
        unsigned long long kbits;
        memcpy(&kbits, &kb, sizeof kbits);
        unsigned long long j = kbits & (MG_EXP_N - 1);
        /* r = rh + rl = x - k ln2/N: x - k l1 is exact (representable, k l1
         * exact), k lm exact, two-sum exact, k ll rounded (2^-98) */
        double r1 = fma(-kd, l1, xi), p = -kd * lm;
        double rh = r1 + p, bb = rh - r1, rl = (r1 - (rh - bb)) + (p - bb);
        rl = fma(-kd, ll, rl);
        /* exp(r) = 1 + rh + b: q = exp(rh) - 1 - rh, b adds rl exp(rh) */
        double q = rh * rh *
                   (0.5 + rh * (1.0 / 6 + rh * (1.0 / 24 + rh * (1.0 / 120 + rh * (1.0 / 720 + rh * (1.0 / 5040))))));
        double b = q + fma(rh, rl, rl);
        /* (th + tl)(1 + rh + b) = hi + lo */
        double th = mg_exp_th_[j], tl = mg_exp_tl_[j];
        double mh = th * rh, ml = fma(th, rh, -mh);
        double hi = th + mh, lo = mh - (hi - th);
        lo = lo + (ml + fma(th, b, tl + tl * (rh + b)));
        /* c = hi + lo rounded, t = hi + lo - c exactly */
        double c = hi + lo, t = lo - (c - hi);
        /* h: half the spacing of doubles on the smaller side of c, 2^-53 times
         * the power of two in c (1 - 2^-53), by its exponent bits */
        double h, cb = c * 0x1.fffffffffffffp-1;
        unsigned long long hbits;
        memcpy(&hbits, &cb, sizeof hbits);
        hbits &= 0x7ff0000000000000ull;
        memcpy(&h, &hbits, sizeof h);
        h *= 0x1p-53;
        ok[i] = in & (fabs(t) <= h - MG_EXP_SLACK * 0x1p-52 * c);
        /* y = c 2^e where ok, else x unchanged: 2^e's bits, e = floor(k / N) =
         * (kb's bits >> 7) - (1.5 2^52's >> 7), -1021 < e < 1023 where in;
         * the choice by bit masks, as a branch would stop the loop
         * vectorising without AVX-512's masks */
        unsigned long long sbits = ((kbits >> 7) - (0x4338000000000000ull >> 7) + 1023) << 52, ybits, xbits;
        unsigned long long mask = 0ull - (unsigned long long)ok[i];
        double s;
        memcpy(&s, &sbits, sizeof s);
        s *= c;
        memcpy(&ybits, &s, sizeof ybits);
        memcpy(&xbits, &x0, sizeof xbits);
        ybits = (ybits & mask) | (xbits & ~mask);
        memcpy(&y[i], &ybits, sizeof ybits);
    }
}

/* The fixed inputs of the start-up check, beside those it makes: special
 * and boundary arguments, then hard cases found (among 6 million random
 * arguments, with libquadmath's expq as the exact value) when this file was
 * written: arguments where glibc's exp is not correctly rounded (exp(x)
 * within 0.0035 units of 2^-52 of a midpoint), and arguments whose exp lies
 * just beyond MG_EXP_SLACK from one, the closest this code accepts. */
static const double mg_exp_hard_[] = {
    0.0, -0.0, 0x1p-1074, -0x1p-1074, 0x1p-1022, 0x1p-60, -0x1p-60, 0x1p-54, -0x1p-54, 0x1p-53, -0x1p-53, 1.0, -1.0,
    0x1.62e42fefa39efp-1, -0x1.62e42fefa39efp-1, 706.999, 707.0, -706.999, -707.0, 708.999, 709.0,
    0x1.62e42fefa39efp+9, 0x1.62e42fefa39f0p+9, -0x1.6232bdd7abcd2p+9, -0x1.6232bdd7abcd3p+9, -720.0,
    -0x1.74385446d71c3p+9, -0x1.74910d52d3051p+9, -0x1.74910d52d3052p+9, -745.2, 1e300, -1e300,
    0x1.fffffffffffffp+1023, -0x1.fffffffffffffp+1023, INFINITY, -INFINITY, NAN,
    /* glibc's result is not the correctly rounded one (this code must refuse these) */
    0x1.10b231465fed2p+9, 0x1.38e70f1e4cadp+5, -0x1.e1e6f67b54926p+7, -0x1.1b4250800ef55p+5,
    -0x1.4155e79ffa0ddp+9, -0x1.35a6ddbf76c4ap+4, 0x1.9aec8854442p-9, -0x1.ea20e629523a4p-9,
    -0x1.030332963ebe2p+5, -0x1.0f6f4424f816p-8, -0x1.63076c43a4159p+2, -0x1.4bff1bbd29709p+4,
    -0x1.fc692d4955afp-10, -0x1.299e5daf38d45p+9, -0x1.0ed37d323bd28p-9, -0x1.290b26d78613bp+5,
    0x1.cbb55fcadc7f6p-8, -0x1.4c494715051d6p+9, -0x1.18a29ac7d99ecp+1, -0x1.83036cd118bd3p+3,
    -0x1.f48b4781efed2p+4, -0x1.cf85fe79e02c8p+1, 0x1.1bdebc737de8p+7, -0x1.25792d7e83964p-8,
    /* exp lies just beyond MG_EXP_SLACK from a midpoint (this code must accept and agree) */
    -0x1.448e9c805c609p+8, -0x1.c52ea9eeb2aafp+8, -0x1.95e2650fbf89ap+8, 0x1.32f5bc091def2p-8,
    0x1.5f2c140c2dc4p+4, -0x1.b517d617f2169p+4, -0x1.12e41fc37e914p+5, 0x1.99bf58f8cffep-12,
    -0x1.5867907e9ce2p+5, -0x1.0a3e413a5a97ap+9, 0x1.a3d4e2004158p+4, -0x1.3b5034310961p-11,
    -0x1.349f25e42aedcp+9, -0x1.5612fb94c669p+5, -0x1.7aa1156783be9p+8, -0x1.4eaf2da0ba948p-10,
    -0x1.228ade7b7989cp+5, -0x1.4b4cc5b728ba2p+4, 0x1.afffbd3cb261p-9, -0x1.1ba248fcead0fp+9,
    -0x1.249ab9dbaccfp+7, -0x1.b09bdb6bc17c4p+0, 0x1.c1150b8ccdd6cp+7, -0x1.0cb67a26c394p-12,
};

/* The number of fixed inputs where this code and libm differ (0: this code
 * may be used).  Past mg_exp_hard_: for each table entry j, arguments at
 * k = 128 e + j for several e, on both sides of the reduction's rounding
 * boundaries; then a sweep of (-750, 750) and of the softmax range. */
MG_HDR_FN_ long mg_exp_selftest_(void)
{
    enum { M = 64 };
    double x[M], y[M];
    long long ok[M];
    long bad = 0, nh = (long)(sizeof mg_exp_hard_ / sizeof mg_exp_hard_[0]);
    unsigned long long u = 0x9e3779b97f4a7c15ull;
    for (long i0 = 0; i0 < nh + 12 * MG_EXP_N + 4096; i0 += M) {
        for (int i = 0; i < M; i++) {
            long n = i0 + i, m = n - nh;
            u = u * 6364136223846793005ull + 1442695040888963407ull;
            double f = (double)(u >> 11) * 0x1p-53;    /* in [0, 1) */
            if (n < nh)
                x[i] = mg_exp_hard_[n];
            else if (m < 12 * MG_EXP_N)    /* (k +- 1/2 +- tiny) ln2/N, k = 128 e + j, e in -9..8 */
                x[i] = ((m % MG_EXP_N) + 128.0 * ((m / MG_EXP_N) % 6 * 3 - 9) + (m / MG_EXP_N >= 6 ? 0.5 : -0.5) +
                        (f - 0.5) * 0x1p-20) * 0x1.62e42fefa39efp-1 / MG_EXP_N;
            else
                x[i] = m % 2 ? 1500.0 * f - 750.0 : -40.0 * f + 2.0;
        }
        memcpy(y, x, sizeof y);
        mg_exp_block_(y, ok, M);
        for (int i = 0; i < M; i++) {
            double l = mg_exp_libm_(x[i]);
            bad += ok[i] && memcmp(&l, &y[i], sizeof l) != 0;
        }
    }
    return bad;
}

/* re-run the check on the current tables: the vector code if it passes,
 * else libm from now on; returns the path taken (1 or -1) */
MG_HDR_FN_ int mg_exp_check(void)
{
    mg_exp_path_ = mg_exp_selftest_() == 0 ? 1 : -1;
    return mg_exp_path_;
}

MG_HDR_FN_ void mg_exp_init(void)
{
    mg_exp_tables_();
    mg_exp_check();
}

#if defined(__GNUC__)
/* checked when the program starts, before any thread */
__attribute__((constructor)) static void mg_exp_startup_(void) { mg_exp_init(); }
#endif

/* Rows shorter than this go to libm whole: the vector code's dependency
 * chain is longer than glibc's, which wins for one to a few elements.
 * Without an FMA instruction (no -march with one), fma() is a call and
 * libm's exp is faster everywhere. */
#ifndef MG_EXP_MIN_ROW
#if defined(__FMA__) || defined(__FP_FAST_FMA)
#define MG_EXP_MIN_ROW 8
#else
#define MG_EXP_MIN_ROW 0x7fffffff
#endif
#endif

/* y[i] = exp(y[i]) for i < n, libm's bits (in place: the emitted C stores
 * the arguments, then calls this on them) */
MG_HDR_FN_ void mg_exp_row(double *y, int n)
{
    enum { M = 64 };
    long long ok[M];
    if (!mg_exp_path_)
        mg_exp_init();
    if (n < MG_EXP_MIN_ROW || mg_exp_path_ < 0) {
        for (int i = 0; i < n; i++)
            y[i] = mg_exp_libm_(y[i]);
        return;
    }
    for (int i0 = 0; i0 < n; i0 += M) {
        int m = n - i0 < M ? n - i0 : M;
        mg_exp_block_(y + i0, ok, m);
        for (int i = 0; i < m; i++)
            if (!ok[i])
                y[i0 + i] = mg_exp_libm_(y[i0 + i]);
    }
}

#endif
