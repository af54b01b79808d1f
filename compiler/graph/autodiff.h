/* autodiff.h: reverse-mode differentiation on the tensor graph.
 * Marks which tensors need gradients, creates their adjoint tensors and fills
 * g->bwd.  Needs g->loss; leaves the forward statements untouched.  A
 * statement whose derivative would be too large to emit (a long product) is
 * a located error (diag_errors()), and g->bwd is then incomplete. */
#ifndef MGC_AUTODIFF_H
#define MGC_AUTODIFF_H

#include "ir.h"

void ad_differentiate(Graph *g);

#endif
