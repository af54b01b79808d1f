/* optim.c: the reference's float update formulas, evaluated left to right as
 * Python does (`**` is pow(), `/` is IEEE division).  Takes grads; hands on params.
 * Invariant: no allocation after mg_optim_init; compile without -ffast-math. */
#include "mg_optim.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int mg_optim_init(MgOptimizer *o, const MgOptim *cfg, size_t n, MgErr *e) {
    memset(o, 0, sizeof *o);
    o->cfg = *cfg;
    o->n = n;
    if (cfg->kind == MG_OPT_ADAM) {
        o->m = calloc(n ? n : 1, sizeof *o->m);
        o->v = calloc(n ? n : 1, sizeof *o->v);
        if (!o->m || !o->v) {
            mg_optim_free(o);
            return mg_err(e, "out of memory allocating optimizer state (%zu parameters)", n);
        }
    }
    return 0;
}

void mg_optim_free(MgOptimizer *o) {
    free(o->m);
    free(o->v);
    o->m = o->v = NULL;
}

double mg_optim_lr(const MgOptim *cfg, int step) {
    if (!cfg->linear_decay || cfg->steps <= 0) return cfg->lr;
    return cfg->lr * (1.0 - (double)step / (double)cfg->steps);
}

static void sgd_step(const MgOptimizer *o, double *p, const double *g, double lr_t) {
    for (size_t i = 0; i < o->n; i++) p[i] = p[i] - lr_t * g[i];
}

static void adam_step(MgOptimizer *o, double *p, const double *g, double lr_t, int step) {
    const double b1 = o->cfg.beta1, b2 = o->cfg.beta2, eps = o->cfg.eps;
    const double c1 = 1.0 - pow(b1, (double)(step + 1));
    const double c2 = 1.0 - pow(b2, (double)(step + 1));
    for (size_t i = 0; i < o->n; i++) {
        o->m[i] = b1 * o->m[i] + (1.0 - b1) * g[i];
        o->v[i] = b2 * o->v[i] + (1.0 - b2) * pow(g[i], 2.0);
        double m_hat = o->m[i] / c1;
        double v_hat = o->v[i] / c2;
        p[i] = p[i] - lr_t * m_hat / (pow(v_hat, 0.5) + eps);
    }
}

void mg_optim_step(MgOptimizer *o, double *params, const double *grads, int step) {
    double lr_t = mg_optim_lr(&o->cfg, step);
    if (o->cfg.kind == MG_OPT_ADAM)
        adam_step(o, params, grads, lr_t, step);
    else
        sgd_step(o, params, grads, lr_t);
}
