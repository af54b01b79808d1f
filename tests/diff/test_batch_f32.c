/* test_batch_f32.c: MgModel.loss_grad_f32, the entry that code from mgc
 * --dtype=f32 gives a trainer (issue #20): float parameters in, float
 * gradients out, nothing converted per document.  Against loss_grad (the
 * parameters converted, the gradients converted back): the same bits for one
 * document; and a batch summed the way cli_batch.c's step_part_f32 sums it
 * (each document's float gradients weighted into one double buffer) against
 * the per-document path summed in double: the same to 1e-12. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "mg_model.h"

extern const MgModel gpt_text_model, gpt_text_f32_model, gpt_text_blas_model;

enum { B = 5 };

/* small Gaussian-ish parameters (std about 0.05) and random tokens from a fixed LCG */
static uint64_t lcg = 12345;
static double uniform(void)
{
    lcg = lcg * 6364136223846793005ULL + 1442695040888963407ULL;
    return (double)(lcg >> 11) / 9007199254740992.0;
}

static void check_batch(const MgModel *m)
{
    size_t np = m->n_scalars;
    double *params = malloc(np * sizeof *params), *g = malloc(np * sizeof *g), *ref = calloc(np, sizeof *ref),
           *acc = malloc(np * sizeof *acc), *scratch = calloc(m->scratch, sizeof *scratch);
    float *pf = malloc(np * sizeof *pf), *gf = malloc(np * sizeof *gf);
    cr_assert(params && g && ref && acc && scratch && pf && gf);
    for (size_t i = 0; i < np; i++)
        params[i] = 0.1 * (uniform() + uniform() + uniform() - 1.5);
    for (size_t i = 0; i < np; i++)
        pf[i] = (float)params[i];
    static int tokens[B][65];
    int Ts[B] = {64, 64, 10, 64, 1}, W = 0;
    for (int b = 0; b < B; b++) {
        tokens[b][0] = m->vocab - 1;
        for (int t = 1; t <= Ts[b]; t++)
            tokens[b][t] = (int)(uniform() * (m->vocab - 1));
        W += Ts[b];
    }
    /* the per-document path */
    double ref_loss = 0;
    for (int b = 0; b < B; b++) {
        double w = (double)Ts[b] / W;
        ref_loss += w * m->loss_grad(m->ctx, params, g, tokens[b], Ts[b], scratch);
        for (size_t i = 0; i < np; i++)
            ref[i] += w * g[i];
        /* one document alone: the same bits through either entry */
        double l1 = m->loss_grad_f32(m->ctx, pf, gf, tokens[b], Ts[b], scratch);
        double l0 = m->loss_grad(m->ctx, params, g, tokens[b], Ts[b], scratch);
        cr_assert_eq(l1, l0, "%s, document %d: loss %.17g through loss_grad_f32, %.17g through loss_grad", m->name,
                     b, l1, l0);
        for (size_t i = 0; i < np; i++)
            cr_assert_eq((double)gf[i], g[i], "%s, document %d, gradient %zu: %.17g against %.17g", m->name, b, i,
                         (double)gf[i], g[i]);
    }
    /* the batch: one buffer, documents added into it */
    double loss = 0, worst = 0, big = 0;
    for (int b = 0; b < B; b++) {
        double w = (double)Ts[b] / W;
        loss += w * m->loss_grad_f32(m->ctx, pf, gf, tokens[b], Ts[b], scratch);
        for (size_t i = 0; i < np; i++)
            acc[i] = (b > 0 ? acc[i] : 0) + w * gf[i];
    }
    for (size_t i = 0; i < np; i++) {
        worst = fmax(worst, fabs(acc[i] - ref[i]));
        big = fmax(big, fabs(ref[i]));
    }
    printf("%s: batch of %d, loss %.9g (per document %.9g); gradients differ by at most %.3g (largest %.3g)\n",
           m->name, B, loss, ref_loss, worst, big);
    cr_expect(big > 0, "%s: no gradient at all", m->name);
    cr_expect_leq(fabs(loss - ref_loss), 1e-12 * fabs(ref_loss), "%s: loss %.17g against %.17g", m->name, loss,
                  ref_loss);
    cr_expect_leq(worst, 1e-12 * big, "%s: gradients differ by %.3g (largest %.3g)", m->name, worst, big);
    free(params), free(g), free(ref), free(acc), free(scratch), free(pf), free(gf);
}

Test(batch_f32, own_kernels_against_per_document) { check_batch(&gpt_text_f32_model); }

Test(batch_f32, blas_against_per_document) { check_batch(&gpt_text_blas_model); }

/* only float code has the entry: the double build's batch keeps its tree */
Test(batch_f32, only_f32_code_has_it)
{
    cr_expect_null((void *)(size_t)gpt_text_model.loss_grad_f32);
    cr_expect_not_null((void *)(size_t)gpt_text_f32_model.loss_grad_f32);
}
