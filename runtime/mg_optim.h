/* mg_optim.h: SGD (with momentum), Adam and AdamW, weight decay, gradient
 * clipping and learning-rate schedules with warm-up.
 * Takes MgOptim settings, parameters and gradients; hands on updated parameters.
 * State (Adam's m and v, SGD's momentum in m) is allocated once by
 * mg_optim_init; a step allocates nothing. */
#ifndef MG_OPTIM_H
#define MG_OPTIM_H

#include <stddef.h>

#include "mg_err.h"
#include "mg_model.h"

typedef struct MgOptimizer {
    MgOptim cfg;
    size_t n;          /* number of parameters */
    double *m, *v;     /* Adam moments, n each (NULL for SGD) */
    double *work;      /* Adam: n doubles for g**2, then v_hat**0.5 */
    double *g;         /* clipping or L2 decay: n doubles for the gradient used */
} MgOptimizer;

/* Allocate the state for n parameters, zeroed. */
int mg_optim_init(MgOptimizer *o, const MgOptim *cfg, size_t n, MgErr *e);
void mg_optim_free(MgOptimizer *o);
/* The learning rate of 0-based step t, with W = warmup, S = steps,
 * u = min(t - W, S - W), lo = min_lr:
 *   t < W:     lr * (t + 1) / W
 *   constant:  lr
 *   linear:    lo + (lr - lo) * (1 - u / (S - W))        (lr * (1 - t / S) when W = lo = 0)
 *   cosine:    lo + (lr - lo) * (1 + cos(pi * u / (S - W))) / 2
 *   step:      lr * gamma ** floor((t - W) / step_size)
 * linear and cosine keep lr when S <= W, step when step_size <= 0. */
double mg_optim_lr(const MgOptim *cfg, int step);
/* One update of params from grads at 0-based step `step`.  First, with clip
 * > 0, g *= clip / (norm + 1e-6) when that is below 1 (norm: the L2 norm of
 * all of g); then g += weight_decay * p (SGD, Adam), or p *= 1 - lr_t *
 * weight_decay (AdamW); then, in the reference's exact operation order:
 *   SGD:  p -= lr_t * g
 *   SGD with momentum mu:  b = mu * b + g;  p -= lr_t * b   (Nesterov: lr_t * (g + mu * b))
 *   Adam, AdamW: m = b1*m + (1-b1)*g;  v = b2*v + (1-b2)*g**2;
 *         m_hat = m / (1 - b1**(step+1));  v_hat = v / (1 - b2**(step+1));
 *         p -= lr_t * m_hat / (v_hat**0.5 + eps)
 * Returns 1 when every gradient and every updated parameter is finite, else 0
 * (the update has then been made; the caller names the culprit). */
int mg_optim_step(MgOptimizer *o, double *params, const double *grads, int step);

#endif
