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

/* the spacing of doubles at |p| (p normal, not huge) */
MG_HDR_FN_ double mg_ulp_(double p)
{
    unsigned long long b = 0;    /* (no stdint.h: standalone C gets this text with only math.h, string.h) */
    memcpy(&b, &p, sizeof p);
    b &= 0x7ff0000000000000ull;
    double e;
    memcpy(&e, &b, sizeof e);
    return e * 0x1p-52;
}

/* The spacing of doubles just below |p| (p normal, not huge): mg_ulp_(p),
 * or half of it when |p| is a power of two.  A correctly rounded candidate c
 * is the only double within d of a value exactly when d < half the spacing on
 * the value's side of c; below a power of two that spacing halves, so each
 * check below measures in this, the smaller, unit.  (p * (1 - 2^-53) is the
 * double below p when p is a power of two, and in p's binade otherwise.) */
MG_HDR_FN_ double mg_ulp_lo_(double p)
{
    return mg_ulp_(p * 0x1.fffffffffffffp-1);
}

MG_HDR_FN_ double mg_libm_pow_(double x, double y)
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
MG_HDR_FN_ int mg_pow2_fast(double x, double p)
{
    /* pow(+-0, 2) = +0 = x * x */
    return (x == 0) | ((p > 0x1p-120) & (p < 0x1p120) & (fabs(fma(x, x, -p)) <= MG_POW_FAST_ULPS * mg_ulp_lo_(p)));
}

/* 1 when pow(v, 0.5) == sqrt(v) is certain; q = sqrt(v).  The exact root is
 * q + r / (sqrt(v) + q) with r = v - q*q, so within |r| / (2q) (1 + 2^-52).
 * pow(+0, 0.5) = +0 = sqrt(+0), but pow(-0, 0.5) = +0 while sqrt(-0) = -0. */
MG_HDR_FN_ int mg_pow_half_fast(double v, double q)
{
    return ((v == 0) & (copysign(1.0, v) > 0)) |
           ((v > 0x1p-120) & (v < 0x1p120) & (fabs(fma(-q, q, v)) <= 1.999 * MG_POW_FAST_ULPS * q * mg_ulp_lo_(q)));
}

/* pow(x, 2.0) as libm computes it */
MG_HDR_FN_ double mg_pow2(double x)
{
    double p = x * x;
    return mg_pow2_fast(x, p) ? p : mg_libm_pow_(x, 2.0);
}

/* pow(v, 0.5) as libm computes it */
MG_HDR_FN_ double mg_pow_half(double v)
{
    double q = sqrt(v);
    return mg_pow_half_fast(v, q) ? q : mg_libm_pow_(v, 0.5);
}

/* The negative powers the models' rmsnorm, softmax and cross-entropy take
 * (pow(x, -1), -2, -0.5 and -1.5), by the same argument: a candidate c,
 * computed in double, is pow's result when the exact value lies within
 * MG_POW_FAST_ULPS units (mg_ulp_lo_) of it, which an exact or nearly exact
 * residual decides; c may be a rounding off the correct one, and then the
 * check fails.  The results are kept in [2^-120, 2^120], so that |y log x| <=
 * 84 as the bound needs; zeros, infinities, NaNs, negative x for the roots,
 * and the rest go to pow. */
#define MG_POW_IN_RANGE_(c) ((fabs(c) > 0x1p-120) & (fabs(c) < 0x1p120))

/* pow(x, -1.0) == c = 1 / x: the residual r = 1 - x c is exact (c is the
 * correctly rounded quotient) and 1/x - c = r / x. */
MG_HDR_FN_ int mg_pow_m1_fast(double x, double c)
{
    return MG_POW_IN_RANGE_(c) & (fabs(fma(-x, c, 1.0)) <= MG_POW_FAST_ULPS * mg_ulp_lo_(c) * fabs(x));
}

/* pow(x, -2.0) == c: with x * x = s + e exactly (s = x * x, e by fma),
 * r = 1 - x^2 c = (1 - s c) - e c, the first term exact when c is 1 / s
 * correctly rounded (nearly so otherwise, the error then 2^-53 |r|), and
 * 1/x^2 - c = r / x^2. */
MG_HDR_FN_ double mg_pow_m2_res_(double x, double s, double c)
{
    return fma(-fma(x, x, -s), c, fma(-s, c, 1.0));
}

MG_HDR_FN_ int mg_pow_m2_fast(double x, double s, double c)
{
    return MG_POW_IN_RANGE_(c) & (fabs(mg_pow_m2_res_(x, s, c)) <= MG_POW_FAST_ULPS * mg_ulp_lo_(c) * s);
}

/* pow(x, -0.5) == c: with t = c^2 x - 1 (c^2 = h + l exactly),
 * 1/sqrt(x) - c = c ((1 + t)^-1/2 - 1), within c |t| / 2 (1 + 2^-49) for the
 * |t| accepted, so |t| c <= 0.970 units (1.996 * MG_POW_FAST_ULPS, less a
 * margin for t's own rounding) is within MG_POW_FAST_ULPS units. */
MG_HDR_FN_ double mg_pow_mhalf_res_(double x, double c)
{
    double h = c * c;
    return fma(h, x, -1.0) + fma(c, c, -h) * x;
}

MG_HDR_FN_ int mg_pow_mhalf_fast(double x, double c)
{
    return MG_POW_IN_RANGE_(c) & (x > 0) & (fabs(mg_pow_mhalf_res_(x, c)) * c <= 1.996 * MG_POW_FAST_ULPS * mg_ulp_lo_(c));
}

/* pow(x, -1.5) == c: as for -0.5 with t = c^2 x^3 - 1, c^2 = h + l and
 * x^3 = (s + e) x = u + w + e x exactly (s = x * x, u = s * x, e and w by
 * fma; e x rounded, and l (w + e x), under 2^-104, left out). */
MG_HDR_FN_ double mg_pow_m3half_res_(double x, double c)
{
    double h = c * c, l = fma(c, c, -h), s = x * x, e = fma(x, x, -s), u = s * x, w = fma(s, x, -u);
    return fma(h, u, -1.0) + (h * (w + e * x) + l * u);
}

MG_HDR_FN_ int mg_pow_m3half_fast(double x, double c)
{
    return MG_POW_IN_RANGE_(c) & (x > 0) & (fabs(mg_pow_m3half_res_(x, c)) * c <= 1.996 * MG_POW_FAST_ULPS * mg_ulp_lo_(c));
}

/* pow(x, -1.0), pow(x, -2.0), pow(x, -0.5) and pow(x, -1.5) as libm computes
 * them: what mgc's exact C calls for these powers */
MG_HDR_FN_ double mg_pow_m1(double x)
{
    double c = 1.0 / x;
    return mg_pow_m1_fast(x, c) ? c : mg_libm_pow_(x, -1.0);
}

/* The candidates for -2, -0.5 and -1.5 are first corrected by one Newton
 * step from the residual (1/x^2 = c / (1 - r), x^-1/2 or x^-3/2 = c (1 + t)^-1/2),
 * which makes them the correctly rounded value nearly always; a rounding of
 * 1 / (x * x) alone was pow's result only 74% of the time, 1 / sqrt(x) 71%. */
MG_HDR_FN_ double mg_pow_m2(double x)
{
    double s = x * x, c = 1.0 / s;
    c = fma(c, mg_pow_m2_res_(x, s, c), c);
    return mg_pow_m2_fast(x, s, c) ? c : mg_libm_pow_(x, -2.0);
}

MG_HDR_FN_ double mg_pow_mhalf(double x)
{
    double c = 1.0 / sqrt(x);
    c = fma(-0.5 * c, mg_pow_mhalf_res_(x, c), c);
    return mg_pow_mhalf_fast(x, c) ? c : mg_libm_pow_(x, -0.5);
}

MG_HDR_FN_ double mg_pow_m3half(double x)
{
    double c = 1.0 / (x * sqrt(x));
    c = fma(-0.5 * c, mg_pow_m3half_res_(x, c), c);
    return mg_pow_m3half_fast(x, c) ? c : mg_libm_pow_(x, -1.5);
}

#endif
