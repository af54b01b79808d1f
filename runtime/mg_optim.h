/* mg_optim.h: SGD and Adam with optional linear learning-rate decay.
 * Takes MgOptim settings, parameters and gradients; hands on updated parameters.
 * State (Adam's m and v) is allocated once by mg_optim_init; a step allocates nothing. */
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
} MgOptimizer;

/* Allocate the state for n parameters, zeroed. */
int mg_optim_init(MgOptimizer *o, const MgOptim *cfg, size_t n, MgErr *e);
void mg_optim_free(MgOptimizer *o);
/* lr_t = lr * (1 - step / steps) with linear decay, else lr (step is 0-based). */
double mg_optim_lr(const MgOptim *cfg, int step);
/* One update of params from grads at 0-based step `step`, in the reference's
 * exact operation order:
 *   SGD:  p -= lr_t * g
 *   Adam: m = b1*m + (1-b1)*g;  v = b2*v + (1-b2)*g**2;
 *         m_hat = m / (1 - b1**(step+1));  v_hat = v / (1 - b2**(step+1));
 *         p -= lr_t * m_hat / (v_hat**0.5 + eps)
 * Returns 1 when every gradient and every updated parameter is finite, else 0
 * (the update has then been made; the caller names the culprit). */
int mg_optim_step(MgOptimizer *o, double *params, const double *grads, int step);

#endif
