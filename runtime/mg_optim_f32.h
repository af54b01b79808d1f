/* mg_optim_f32.h: the optimizer of a model trained in float
 * (MgModel.loss_grad_f32, mgc --dtype=f32): float parameters and gradients,
 * and for Adam's fast update float moments too, so that a step reads and
 * writes a third of the bytes of the double one.
 * Takes an MgOptimizer (mg_optim.h) and the double parameters, whose values
 * it starts from and gives back (mg_optim_f32_sync) when a checkpoint, a
 * message or sampling needs them; allocates only in mg_optim_f32_init. */
#ifndef MG_OPTIM_F32_H
#define MG_OPTIM_F32_H

#include <stddef.h>

#include "mg_optim.h"

typedef struct MgOptimF32 {
    size_t n;
    float *p, *g;   /* the parameters, and the gradients loss_grad_f32 writes */
    float *m, *v;   /* Adam's moments while `own` */
    int own;        /* Adam or AdamW with MgOptim.fast, no clipping, no weight decay:
                       p, m and v are the state (the double copies are stale until
                       mg_optim_f32_sync); else the MgOptimizer's double state is,
                       and p its float copy */
} MgOptimF32;

/* Allocate for o->n parameters and copy params, o->m and o->v into floats. */
int mg_optim_f32_init(MgOptimF32 *f, const MgOptimizer *o, const double *params, MgErr *e);
void mg_optim_f32_free(MgOptimF32 *f);
/* One update at 0-based step `step` from f->g.  Owning the state: in float,
 *   m = b1*m + (1-b1)*g;  v = b2*v + (1-b2)*g*g;
 *   p -= lr_t * (m / (1 - b1**(step+1))) / (sqrt(v / (1 - b2**(step+1))) + eps)
 * in one pass; else g is converted into grads (o->n doubles), mg_optim_step
 * updates params, and p = (float)params.  Returns 1 when every gradient and
 * updated parameter is finite, else 0, and then params and grads hold them
 * (for the message). */
int mg_optim_f32_step(MgOptimF32 *f, MgOptimizer *o, double *params, double *grads, int step);
/* params, o->m and o->v = the float state (nothing to do unless f->own) */
void mg_optim_f32_sync(const MgOptimF32 *f, MgOptimizer *o, double *params);

#endif
