/* interp.h: the reference interpreter.  Takes a traced Graph (compiler/graph/ir.h)
 * and hands on an MgModel whose loss_grad and forward run the graph's forward
 * statements element by element over scalar Values (value.h): the Python
 * reference's micrograd, number for number.  Differential tests hold the
 * compiled model to it, and `mgc run` trains with it.
 * Invariants: the Graph must outlive the model; each call runs only the
 * statements its output depends on (forward never reads tokens[T]); a read of
 * an element no statement has written is a compiler bug and exits with 2. */
#ifndef MG_INTERP_H
#define MG_INTERP_H

#include "ir.h"
#include "mg_model.h"

/* Fill *out from g: name, source, vocab, block_size (= Tmax), the parameter
 * table in draw order, n_scalars, optimizer, and loss_grad/forward.
 * Returns 0, or -1 after a message on stderr (the graph is unusable). */
int interp_make_model(const Graph *g, MgModel *out);
/* While on, loss_grad returns in grads the sum of |chain-rule term| of each
 * gradient instead of the gradient (value.h, absolute). */
void interp_set_absolute(MgModel *m, int on);
/* Free what interp_make_model allocated and clear *m. */
void interp_free_model(MgModel *m);

#endif
