/* mg_exactpow.h: pow(x, 2.0) and pow(x, 0.5) exactly as glibc's pow returns
 * them, without calling pow in most cases.  The Python reference computes
 * grad ** 2 and v_hat ** 0.5 with libm's pow, which is not correctly rounded
 * (0.09% of its results differ from x * x or sqrt(x)), but has a documented
 * error bound.  The correctly rounded candidate (x * x, sqrt(x)) is therefore
 * pow's answer whenever the exact value lies close enough to it that every
 * other double is beyond that bound (MG_POW_FAST_ULPS).  fma gives the exact
 * residual that decides this; otherwise, and for tiny, huge or non-finite
 * values, pow is called.  tests/runtime checks both against pow on random
 * inputs. */
#ifndef MG_EXACTPOW_H
#define MG_EXACTPOW_H

#include <math.h>
#include <stdint.h>
#include <string.h>

/* the spacing of doubles at |p| (p normal, not huge) */
static inline double mg_ulp_(double p)
{
    uint64_t b;
    memcpy(&b, &p, sizeof b);
    b &= 0x7ff0000000000000ull;
    double e;
    memcpy(&e, &b, sizeof e);
    return e * 0x1p-52;
}

static inline double mg_libm_pow_(double x, double y)
{
    double (*volatile f)(double, double) = pow;    /* never rewritten as x * x */
    return f(x, y);
}

/* How far (in ULPs of the candidate) the exact value may lie from the correctly
 * rounded candidate for that candidate to be certainly pow's result.  glibc's
 * pow (sysdeps/ieee754/dbl-64/e_pow.c) documents its error as at most
 * 0.509 ULP from exp plus |y log x| * 1.3 * 2^-68 relative from log; with
 * |y log x| <= 84 (the ranges below) that is under 0.5124 ULP, so a candidate
 * within 1 - 0.5124 - 0.0016 (margin) = 0.486 ULP of the exact value is the only
 * double within pow's error. */
#define MG_POW_FAST_ULPS 0.486

/* 1 when pow(x, 2.0) == x * x is certain; p = x * x.  Written without
 * branches so that loops over it vectorise. */
static inline int mg_pow2_fast(double x, double p)
{
    /* pow(+-0, 2) = +0 = x * x */
    return (x == 0) | ((p > 0x1p-120) & (p < 0x1p120) & (fabs(fma(x, x, -p)) <= MG_POW_FAST_ULPS * mg_ulp_(p)));
}

/* 1 when pow(v, 0.5) == sqrt(v) is certain; q = sqrt(v).  The exact root is
 * q + r / (sqrt(v) + q) with r = v - q*q, so within |r| / (2q) (1 + 2^-52).
 * pow(+0, 0.5) = +0 = sqrt(+0), but pow(-0, 0.5) = +0 while sqrt(-0) = -0. */
static inline int mg_pow_half_fast(double v, double q)
{
    return ((v == 0) & (copysign(1.0, v) > 0)) |
           ((v > 0x1p-120) & (v < 0x1p120) & (fabs(fma(-q, q, v)) <= 1.999 * MG_POW_FAST_ULPS * q * mg_ulp_(q)));
}

/* pow(x, 2.0) as libm computes it */
static inline double mg_pow2(double x)
{
    double p = x * x;
    return mg_pow2_fast(x, p) ? p : mg_libm_pow_(x, 2.0);
}

/* pow(v, 0.5) as libm computes it */
static inline double mg_pow_half(double v)
{
    double q = sqrt(v);
    return mg_pow_half_fast(v, q) ? q : mg_libm_pow_(v, 0.5);
}

#endif
