/* lossgrad.c: time one compiled model's loss_grad alone (no optimizer), for
 * passes.sh.  Links with a model's C (the symbol microgpt_model) and mgrt;
 * runs the first 1000 documents of the data (tokens prepared first), the
 * minimum of N passes, and prints microseconds per document and the sum of the losses
 * (equal across pass settings: the passes are exact). */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mg_data.h"
#include "mg_model.h"
#include "now.h"

extern const MgModel microgpt_model;

int main(int argc, char **argv)
{
    const MgModel *m = &microgpt_model;
    int reps = argc > 2 ? atoi(argv[2]) : 9;
    MgDocs d;
    MgVocab v;
    MgErr e;
    if ((argc > 1 && strcmp(argv[1], "-") ? mg_data_load_file(&d, argv[1], &e) : mg_data_load_default(&d, &e)) < 0 ||
        mg_vocab_build(&v, &d, &e) < 0) {
        fprintf(stderr, "lossgrad: %s\n", e.msg);
        return 1;
    }
    enum { N = 1000 };
    int n = d.n < N ? (int)d.n : N, stride = m->block_size + 2;
    int *tok = malloc((size_t)n * (size_t)stride * sizeof *tok), *T = malloc((size_t)n * sizeof *T);
    for (int i = 0; i < n; i++) {
        const MgDoc *doc = &d.docs[i];
        int *t = tok + (size_t)i * (size_t)stride, bos = mg_vocab_bos(&v);
        T[i] = (size_t)m->block_size > doc->len + 1 ? (int)doc->len + 1 : m->block_size;
        t[0] = bos;
        for (int k = 1; k <= T[i]; k++)
            t[k] = (size_t)(k - 1) < doc->len ? mg_vocab_id(&v, d.cps[doc->off + (size_t)k - 1]) : bos;
    }
    double *p = malloc(m->n_scalars * sizeof *p), *g = malloc(m->n_scalars * sizeof *g);
    double *s = malloc((m->scratch + 1) * sizeof *s);
    srand(1);
    for (size_t i = 0; i < m->n_scalars; i++)
        p[i] = (rand() / (double)RAND_MAX - 0.5) * 0.16;
    double best = 1e30, sum = 0;
    for (int r = 0; r < reps; r++) {
        double t0 = now();
        sum = 0;
        for (int i = 0; i < n; i++)
            sum += m->loss_grad(m->ctx, p, g, tok + (size_t)i * (size_t)stride, T[i], s);
        double t = now() - t0;
        if (t < best)
            best = t;
    }
    printf("%.2f us per document (minimum of %d passes over %d documents), loss sum %.12f\n", best / n * 1e6, reps, n, sum);
    return 0;
}
