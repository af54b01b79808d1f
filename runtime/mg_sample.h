/* mg_sample.h: autoregressive sampling exactly as the reference does it.
 * Takes a model, its parameters and the RNG; hands on one sampled token sequence.
 * Allocates nothing: the caller passes buffers sized by the model. */
#ifndef MG_SAMPLE_H
#define MG_SAMPLE_H

#include "mg_model.h"
#include "mg_rng.h"

/* Start from [BOS]; for at most block_size steps run m->forward on the tokens so
 * far, take the last row of logits, p = softmax(logits * temperature**-1)
 * (max subtracted as a plain number, sums left to right, e * total**-1), draw one
 * mg_rng_choices; stop at BOS.
 * Buffers: tokens holds block_size + 1 ints, probs holds m->vocab doubles,
 * scratch holds m->scratch doubles.  On return tokens[1..n] is the sample
 * (BOS excluded); returns n, or -1 if the probabilities were not usable
 * (non-finite logits). */
int mg_sample(const MgModel *m, const double *params, MgRng *r, double temperature, int *tokens, double *probs,
              double *scratch);

#endif
