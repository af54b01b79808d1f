/* toy_model.c: bigram logit table + bias with an analytic gradient.
 * Takes params and tokens; hands on the loss, the gradient and logits.
 * Invariant: allocates nothing; uses at most TOY_SCRATCH doubles of scratch. */
#include "toy_model.h"

#include <math.h>
#include <string.h>

static const MgParam toy_params[] = {
    {"bigram", 2, {TOY_VOCAB, TOY_VOCAB, 0, 0}, 0, TOY_VOCAB * TOY_VOCAB, MG_INIT_GAUSS, 0.0, 0.08},
    {"bias", 1, {TOY_VOCAB, 0, 0, 0}, TOY_VOCAB * TOY_VOCAB, TOY_VOCAB, MG_INIT_ZEROS, 0.0, 0.0},
};

/* logits[t][j] = bigram[tokens[t]][j] + bias[j], for t < T; in scratch. */
static const double *toy_forward(void *ctx, const double *params, const int *tokens, int T, double *scratch) {
    (void)ctx;
    const double *bias = params + TOY_VOCAB * TOY_VOCAB;
    for (int t = 0; t < T; t++)
        for (int j = 0; j < TOY_VOCAB; j++)
            scratch[t * TOY_VOCAB + j] = params[tokens[t] * TOY_VOCAB + j] + bias[j];
    return scratch;
}

static double toy_loss_grad(void *ctx, const double *params, double *grads, const int *tokens, int T,
                            double *scratch) {
    const double *logits = toy_forward(ctx, params, tokens, T, scratch);
    double *p = scratch + TOY_BLOCK * TOY_VOCAB, loss = 0.0;
    memset(grads, 0, TOY_NPARAM * sizeof *grads);
    for (int t = 0; t < T; t++) {
        const double *l = logits + t * TOY_VOCAB;
        double max = l[0], total = 0.0;
        for (int j = 1; j < TOY_VOCAB; j++)
            if (l[j] > max) max = l[j];
        for (int j = 0; j < TOY_VOCAB; j++) total += p[j] = exp(l[j] - max);
        for (int j = 0; j < TOY_VOCAB; j++) p[j] /= total;
        loss -= log(p[tokens[t + 1]]);
        for (int j = 0; j < TOY_VOCAB; j++) {
            double d = (p[j] - (j == tokens[t + 1])) / T;
            grads[tokens[t] * TOY_VOCAB + j] += d;
            grads[TOY_VOCAB * TOY_VOCAB + j] += d;
        }
    }
    return loss / T;
}

const MgModel toy_model = {
    .name = "toy",
    .source = "tests/runtime/toy_model.c",
    .vocab = TOY_VOCAB,
    .block_size = TOY_BLOCK,
    .n_params = 2,
    .params = toy_params,
    .n_scalars = TOY_NPARAM,
    .scratch = TOY_SCRATCH,
    .optim = {.kind = MG_OPT_ADAM, .lr = 0.05, .beta1 = 0.85, .beta2 = 0.99, .eps = 1e-8, .steps = 500, .schedule = MG_SCHED_LINEAR, .fast = 0},
    .ctx = NULL,
    .loss_grad = toy_loss_grad,
    .forward = toy_forward,
};
