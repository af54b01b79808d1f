/* sample.c: the reference's sampling loop on top of MgModel.forward.
 * Takes params, RNG and temperature; hands on token ids (and advances the RNG
 * by one random() per generated token).  Invariant: at most block_size tokens. */
#include "mg_sample.h"

#include <math.h>

#include "mg_exactpow.h"

/* probs = softmax(row * pow(temperature, -1)) in the reference's order. */
static void softmax_row(const double *row, int n, double inv_temp, double *p) {
    for (int i = 0; i < n; i++) p[i] = row[i] * inv_temp;
    double max = p[0];
    for (int i = 1; i < n; i++)
        if (p[i] > max) max = p[i];
    double total = 0.0;
    for (int i = 0; i < n; i++) {
        p[i] = exp(p[i] - max);
        total = total + p[i];
    }
    double inv_total = mg_libm_pow_(total, -1.0);     /* libm's pow: GCC turns pow(x, -1.0) into 1 / x */
    for (int i = 0; i < n; i++) p[i] = p[i] * inv_total;
}

int mg_sample(const MgModel *m, const double *params, MgRng *r, double temperature, int *tokens, double *probs,
              double *scratch) {
    const int bos = m->vocab - 1;
    const double inv_temp = mg_libm_pow_(temperature, -1.0);
    int len = 1;
    tokens[0] = bos;
    for (int pos = 0; pos < m->block_size; pos++) {
        const double *logits = m->forward(m->ctx, params, tokens, len, scratch);
        softmax_row(logits + (size_t)(len - 1) * (size_t)m->vocab, m->vocab, inv_temp, probs);
        int id = mg_rng_choices(r, probs, m->vocab);
        if (id < 0) return -1;
        if (id == bos) break;
        tokens[len++] = id;
    }
    return len - 1;
}
