/* toy_model.h: a hand-written bigram model for testing the runtime.
 * logits[t] = bigram[tokens[t]] + bias; loss = mean cross-entropy over T positions.
 * Vocabulary 27 (a-z + BOS), block size 16, Adam with linear decay. */
#ifndef TOY_MODEL_H
#define TOY_MODEL_H

#include "mg_model.h"

#define TOY_VOCAB 27
#define TOY_BLOCK 16
#define TOY_NPARAM (TOY_VOCAB * TOY_VOCAB + TOY_VOCAB)
#define TOY_SCRATCH (TOY_BLOCK * TOY_VOCAB + TOY_VOCAB)

extern const MgModel toy_model;

#endif
