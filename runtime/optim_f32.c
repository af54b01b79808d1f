/* optim_f32.c: the optimizer of a model trained in float (mg_optim_f32.h).
 * Takes float gradients; hands on the float parameters, and the double ones
 * when synced.  Invariant: a step allocates nothing; no -ffast-math (the
 * non-finite check below must survive). */
#include "mg_optim_f32.h"

#include "mg_exactpow.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static void to_float(float *y, const double *x, size_t n) {
    for (size_t i = 0; i < n; i++) y[i] = (float)x[i];
}

static void to_double(double *y, const float *x, size_t n) {
    for (size_t i = 0; i < n; i++) y[i] = x[i];
}

int mg_optim_f32_init(MgOptimF32 *f, const MgOptimizer *o, const double *params, MgErr *e) {
    const MgOptim *c = &o->cfg;
    size_t n = o->n ? o->n : 1;
    memset(f, 0, sizeof *f);
    f->n = o->n;
    f->own = c->kind != MG_OPT_SGD && c->fast && c->clip <= 0 && c->weight_decay == 0;
    f->p = malloc(n * sizeof *f->p);
    f->g = malloc(n * sizeof *f->g);
    if (f->own) {
        f->m = malloc(n * sizeof *f->m);
        f->v = malloc(n * sizeof *f->v);
    }
    if (!f->p || !f->g || (f->own && (!f->m || !f->v))) {
        mg_optim_f32_free(f);
        return mg_err(e, "out of memory allocating the float optimizer state (%zu parameters)", o->n);
    }
    to_float(f->p, params, f->n);
    if (f->own) {
        to_float(f->m, o->m, f->n);
        to_float(f->v, o->v, f->n);
    }
    return 0;
}

void mg_optim_f32_free(MgOptimF32 *f) {
    free(f->p);
    free(f->g);
    free(f->m);
    free(f->v);
    f->p = f->g = f->m = f->v = NULL;
}

/* Adam's fast update all in float, one pass that vectorises: 0.5 us against
 * 2.6 for the double one on microGPT's 4192 parameters, which do not fit in
 * L1 as doubles (m, v and p: 100 KB) */
static int adam_f32(MgOptimF32 *f, const MgOptim *c, double lr_t, int step) {
    const float b1 = (float)c->beta1, b2 = (float)c->beta2, eps = (float)c->eps, lr = (float)lr_t;
    const float r1 = (float)(1.0 / (1.0 - mg_libm_pow_(c->beta1, (double)(step + 1))));
    const float r2 = (float)(1.0 / (1.0 - mg_libm_pow_(c->beta2, (double)(step + 1))));
    float *restrict p = f->p, *restrict m = f->m, *restrict v = f->v;
    const float *restrict g = f->g;
    int bad = 0;
    for (size_t i = 0; i < f->n; i++) {
        float mi = b1 * m[i] + (1.0f - b1) * g[i], vi = b2 * v[i] + (1.0f - b2) * (g[i] * g[i]);
        m[i] = mi;
        v[i] = vi;
        float pi = p[i] - lr * (mi * r1) / (sqrtf(vi * r2) + eps);
        p[i] = pi;
        bad |= g[i] * 0.0f + pi * 0.0f != 0.0f;
    }
    return !bad;
}

int mg_optim_f32_step(MgOptimF32 *f, MgOptimizer *o, double *params, double *grads, int step) {
    if (f->own) {
        int ok = adam_f32(f, &o->cfg, mg_optim_lr(&o->cfg, step), step);
        if (!ok) {
            to_double(grads, f->g, f->n);
            to_double(params, f->p, f->n);
        }
        return ok;
    }
    to_double(grads, f->g, f->n);
    int ok = mg_optim_step(o, params, grads, step);
    to_float(f->p, params, f->n);
    return ok;
}

void mg_optim_f32_sync(const MgOptimF32 *f, MgOptimizer *o, double *params) {
    if (!f->own) return;
    to_double(params, f->p, f->n);
    to_double(o->m, f->m, f->n);
    to_double(o->v, f->v, f->n);
}
