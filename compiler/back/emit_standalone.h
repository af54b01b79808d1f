/* emit_standalone.h: `mgc --standalone --weights CKPT`.  Takes the optimised
 * graph and a checkpoint; hands on one C file that needs only the C library
 * and libm: the forward pass, the trained weights, the vocabulary, CPython's
 * MT19937 and the trainer's sampling loop, with a main that prints what
 * `TRAINER sample --load CKPT` prints, bit for bit.  A model of examples
 * (with logits) gets predict(features, out), the trainer's forward_x to the
 * bit, and a main that reads rows of features on stdin. */
#ifndef MGC_EMIT_STANDALONE_H
#define MGC_EMIT_STANDALONE_H

#include <stdint.h>
#include <stdio.h>

#include "ir.h"

/* What the checkpoint gives the program (arena memory). */
typedef struct Weights {
    const char *path;
    double *params;          /* g->nscalars values in the model's layout */
    int nchars;              /* vocabulary characters; BOS is nchars (0: a model of examples) */
    uint32_t *cps;           /* their code points, in id order */
    long step;
} Weights;

/* Load path with the runtime's checkpoint loader, checking it against g's
 * parameter names and shapes, vocabulary and model name.  On failure prints
 * the loader's message (it names the file) and returns 1. */
int emit_standalone_load(Graph *g, const char *path, Weights *w);
/* The whole program. */
void emit_standalone(FILE *out, Graph *g, const Weights *w);

#endif
