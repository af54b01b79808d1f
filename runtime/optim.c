/* optim.c: the reference's float update formulas, evaluated left to right as
 * Python does (`**` is pow(), `/` is IEEE division), and torch.optim's
 * momentum, weight decay, clipping and schedules.  Takes grads; hands on params.
 * Invariant: no allocation after mg_optim_init; compile without -ffast-math. */
#include "mg_optim.h"

#include "mg_exactpow.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

int mg_optim_init(MgOptimizer *o, const MgOptim *cfg, size_t n, MgErr *e) {
    memset(o, 0, sizeof *o);
    o->cfg = *cfg;
    o->n = n;
    int adam = cfg->kind != MG_OPT_SGD, l2 = cfg->weight_decay != 0 && cfg->kind != MG_OPT_ADAMW;
    /* SGD's momentum buffer is m (v stays 0), so checkpoints carry it as Adam's */
    if (adam || cfg->momentum != 0) {
        o->m = calloc(n ? n : 1, sizeof *o->m);
        o->v = calloc(n ? n : 1, sizeof *o->v);
        o->work = calloc(n ? n : 1, sizeof *o->work);
    }
    if (cfg->clip > 0 || l2) o->g = calloc(n ? n : 1, sizeof *o->g);
    if (((adam || cfg->momentum != 0) && (!o->m || !o->v || !o->work)) || ((cfg->clip > 0 || l2) && !o->g)) {
        mg_optim_free(o);
        return mg_err(e, "out of memory allocating optimizer state (%zu parameters)", n);
    }
    return 0;
}

void mg_optim_free(MgOptimizer *o) {
    free(o->m);
    free(o->v);
    free(o->work);
    free(o->g);
    o->m = o->v = o->work = o->g = NULL;
}

double mg_optim_lr(const MgOptim *cfg, int step) {
    const double lr = cfg->lr, lo = cfg->min_lr;
    int w = cfg->warmup > 0 ? cfg->warmup : 0;
    if (step < w) return lr * (double)(step + 1) / (double)w;
    double u = (double)(step - w), span = (double)cfg->steps - (double)w;
    if (span > 0 && u > span) u = span;
    switch (cfg->schedule) {
    case MG_SCHED_CONSTANT: return lr;
    case MG_SCHED_LINEAR: return span > 0 ? lo + (lr - lo) * (1.0 - u / span) : lr;
    case MG_SCHED_COSINE: return span > 0 ? lo + (lr - lo) * (1.0 + cos(3.141592653589793 * u / span)) / 2.0 : lr;
    case MG_SCHED_STEP:
        return cfg->step_size > 0 ? lr * pow(cfg->gamma, floor((double)(step - w) / (double)cfg->step_size)) : lr;
    }
    return lr;
}

/* torch.nn.utils.clip_grad_norm_: the global L2 norm of every gradient; when
 * clip / (norm + 1e-6) < 1 the gradients are scaled by it, into out. */
static const double *clip_grads(const MgOptimizer *o, const double *g, double *out) {
    double ss = 0.0;
    for (size_t i = 0; i < o->n; i++) ss += g[i] * g[i];
    double coef = o->cfg.clip / (sqrt(ss) + 1e-6);
    if (!(coef < 1.0)) return g;
    for (size_t i = 0; i < o->n; i++) out[i] = g[i] * coef;
    return out;
}

/* L2 weight decay as torch's SGD and Adam take it: g + wd * p, into out. */
static const double *l2_grads(const MgOptimizer *o, const double *p, const double *g, double *out) {
    const double wd = o->cfg.weight_decay;
    for (size_t i = 0; i < o->n; i++) out[i] = g[i] + wd * p[i];
    return out;
}

/* torch.optim.SGD with momentum mu, dampening 0: b = mu * b + g (b = g at the
 * first step, which b = 0 gives); the step is b, or g + mu * b (Nesterov). */
static int momentum_step(const MgOptimizer *o, double *restrict p, const double *restrict g, double lr_t) {
    const double mu = o->cfg.momentum;
    double *restrict b = o->m;
    int bad = 0, nest = o->cfg.nesterov;
    for (size_t i = 0; i < o->n; i++) {
        double bi = mu * b[i] + g[i];
        b[i] = bi;
        double d = nest ? g[i] + mu * bi : bi, pi = p[i] - lr_t * d;
        p[i] = pi;
        bad |= g[i] * 0.0 + pi * 0.0 != 0.0;
    }
    return !bad;
}

/* x * 0 is 0 for finite x and NaN otherwise; the tests below OR these
 * flags (an integer reduction, so the loops still vectorise). */
static int sgd_step(const MgOptimizer *o, double *restrict p, const double *restrict g, double lr_t) {
    int bad = 0;
    for (size_t i = 0; i < o->n; i++) {
        double gi = g[i], pi = p[i] - lr_t * gi;
        p[i] = pi;
        bad |= gi * 0.0 + pi * 0.0 != 0.0;
    }
    return !bad;
}

/* Bit j of the result: whether w[b + j] (j < 64, b + j < n) is NaN, i.e.
 * an element whose pow the vector pass left to libm.  Branch-free, so that
 * the few such elements cost no mispredicted branch each. */
enum { ADAM_LANES = 64 };
static uint64_t nan_mask(const double *w, size_t b, size_t n) {
    uint64_t k = 0;
    if (n - b < ADAM_LANES) {
        for (size_t j = 0; j < n - b; j++) k |= (uint64_t)(w[b + j] != w[b + j]) << j;
        return k;
    }
    for (size_t j = 0; j < ADAM_LANES; j++) k |= (uint64_t)(w[b + j] != w[b + j]) << j;
    return k;
}

/* So that the common case vectorises, each pow is first taken as its
 * correctly rounded candidate (g * g, sqrt(v_hat)) for every element, marked
 * NaN where libm's pow might differ from it, and only those elements call pow
 * (mg_exactpow.h; about 3% of them), found 64 at a time by nan_mask (a scalar
 * isnan scan with a branch per element cost microGPT's update half its time).
 * Three passes: pow(g, 2); v and pow(v_hat, 0.5); m and p.  Every value is the reference's, bit for
 * bit.  (One fused pass, with a scalar pass redoing the unsure elements,
 * measured slower: 23 against 20 us for microGPT's 4192 parameters.)
 * Returns 1 when every gradient and updated parameter is finite. */
static int adam_range(MgOptimizer *o, double *restrict p, const double *restrict g, double lr_t, double c1, double c2,
                      size_t lo, size_t hi) {
    const double b1 = o->cfg.beta1, b2 = o->cfg.beta2, eps = o->cfg.eps;
    double *restrict m = o->m + lo, *restrict v = o->v + lo, *restrict w = o->work + lo;
    size_t n = hi - lo;
    p += lo;
    g += lo;
    int bad = 0;
    for (size_t i = 0; i < n; i++) {
        double sq = g[i] * g[i];
        w[i] = mg_pow2_fast(g[i], sq) ? sq : NAN;
    }
    for (size_t b = 0; b < n; b += ADAM_LANES)
        for (uint64_t k = nan_mask(w, b, n); k; k &= k - 1) {
            size_t i = b + (size_t)__builtin_ctzll(k);
            w[i] = mg_libm_pow_(g[i], 2.0);
        }
    for (size_t i = 0; i < n; i++) {
        double vi = b2 * v[i] + (1.0 - b2) * w[i], v_hat = vi / c2, q = sqrt(v_hat);
        v[i] = vi;
        w[i] = mg_pow_half_fast(v_hat, q) ? q : NAN;
    }
    for (size_t b = 0; b < n; b += ADAM_LANES)
        for (uint64_t k = nan_mask(w, b, n); k; k &= k - 1) {
            size_t i = b + (size_t)__builtin_ctzll(k);
            w[i] = mg_libm_pow_(v[i] / c2, 0.5);
        }
    for (size_t i = 0; i < n; i++) {
        double mi = b1 * m[i] + (1.0 - b1) * g[i];
        m[i] = mi;
        double pi = p[i] - lr_t * (mi / c1) / (w[i] + eps);
        p[i] = pi;
        bad |= g[i] * 0.0 + pi * 0.0 != 0.0;
    }
    return !bad;
}

/* The same update with g * g and sqrt(v_hat) for pow(g, 2) and pow(v_hat,
 * 0.5), in one pass (mgc --fast and --dtype=f32 ask for it: MgOptim.fast):
 * each differs from the reference's pow in the last bit now and then. */
static int adam_range_fast(MgOptimizer *o, double *restrict p, const double *restrict g, double lr_t, double c1,
                           double c2, size_t lo, size_t hi) {
    const double b1 = o->cfg.beta1, b2 = o->cfg.beta2, eps = o->cfg.eps;
    double *restrict m = o->m, *restrict v = o->v;
    int bad = 0;
    for (size_t i = lo; i < hi; i++) {
        double mi = b1 * m[i] + (1.0 - b1) * g[i], vi = b2 * v[i] + (1.0 - b2) * (g[i] * g[i]);
        m[i] = mi;
        v[i] = vi;
        double pi = p[i] - lr_t * (mi / c1) / (sqrt(vi / c2) + eps);
        p[i] = pi;
        bad |= g[i] * 0.0 + pi * 0.0 != 0.0;
    }
    return !bad;
}

/* Elementwise, so a large model's parameters are split over the OpenMP
 * threads (the trainer's --threads) in fixed ranges: the same bits for any
 * number.  Below PAR_MIN parameters (microGPT's 4192) one thread does it. */
enum { PAR_MIN = 1 << 16, ADAM_BLOCK = 1024 };

/* [lo, hi) in blocks that stay in L1 between the passes */
static int adam_blocks(MgOptimizer *o, double *p, const double *g, double lr_t, double c1, double c2, size_t lo,
                       size_t hi) {
    int ok = 1;
    for (size_t b = lo; b < hi; b += ADAM_BLOCK)
        ok &= (o->cfg.fast ? adam_range_fast : adam_range)(o, p, g, lr_t, c1, c2, b,
                                                           hi - b < ADAM_BLOCK ? hi : b + ADAM_BLOCK);
    return ok;
}

static int adam_step(MgOptimizer *o, double *p, const double *g, double lr_t, int step) {
    const double c1 = 1.0 - mg_libm_pow_(o->cfg.beta1, (double)(step + 1));
    const double c2 = 1.0 - mg_libm_pow_(o->cfg.beta2, (double)(step + 1));
    size_t n = o->n;
    int parts = 1;
#ifdef _OPENMP
    if (n >= PAR_MIN && !omp_in_parallel())
        parts = omp_get_max_threads();
#endif
    /* one thread: not even an inactive parallel region (entering one cost
     * 2 us a step, 40% of the fast update for microGPT's 4192 parameters) */
    if (parts == 1) return adam_blocks(o, p, g, lr_t, c1, c2, 0, n);
    int ok = 1;
#ifdef _OPENMP
#pragma omp parallel for num_threads(parts) schedule(static) reduction(& : ok)
#endif
    for (int k = 0; k < parts; k++)
        ok &= adam_blocks(o, p, g, lr_t, c1, c2, n * (size_t)k / (size_t)parts, n * (size_t)(k + 1) / (size_t)parts);
    return ok;
}

int mg_optim_step(MgOptimizer *o, double *params, const double *grads, int step) {
    double lr_t = mg_optim_lr(&o->cfg, step);
    const double *g = grads;
    if (o->cfg.clip > 0) g = clip_grads(o, g, o->g);
    if (o->cfg.weight_decay != 0 && o->cfg.kind != MG_OPT_ADAMW) g = l2_grads(o, params, g, o->g);
    if (o->cfg.kind == MG_OPT_ADAMW && o->cfg.weight_decay != 0) {
        const double keep = 1.0 - lr_t * o->cfg.weight_decay;   /* torch.optim.AdamW's decoupled decay */
        for (size_t i = 0; i < o->n; i++) params[i] *= keep;
    }
    switch (o->cfg.kind) {
    case MG_OPT_SGD: return o->cfg.momentum != 0 ? momentum_step(o, params, g, lr_t) : sgd_step(o, params, g, lr_t);
    case MG_OPT_ADAM:
    case MG_OPT_ADAMW: return adam_step(o, params, g, lr_t, step);
    }
    return 0;
}
