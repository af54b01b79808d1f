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
#include "../common/trainer.h"

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

/* MgModel.loss_grad_batch_f32: B documents of one length T in one call (the
 * weight gradients one product over B x T terms, with --blas) against the
 * per-document path (loss_grad, summed in double): the same within float's
 * tolerance (relative to the largest gradient; measured about 1e-7). */
static void check_batch_call(const MgModel *m, int T)
{
    enum { NB = 6 };
    size_t np = m->n_scalars;
    cr_assert_not_null((void *)(size_t)m->loss_grad_batch_f32, "%s: no batch entry", m->name);
    double *params = malloc(np * sizeof *params), *g = malloc(np * sizeof *g), *ref = calloc(np, sizeof *ref),
           *scratch = calloc(m->scratch, sizeof *scratch),
           *bscratch = calloc(NB * m->batch_scratch, sizeof *bscratch);
    float *pf = malloc(np * sizeof *pf), *gf = malloc(np * sizeof *gf);
    int *tokens = malloc(NB * ((size_t)T + 1) * sizeof *tokens);
    cr_assert(params && g && ref && scratch && bscratch && pf && gf && tokens);
    for (size_t i = 0; i < np; i++)
        params[i] = 0.1 * (uniform() + uniform() + uniform() - 1.5);
    for (size_t i = 0; i < np; i++)
        pf[i] = (float)params[i];
    for (size_t i = 0; i < np; i++)
        gf[i] = 1e30f;     /* overwritten, not added to */
    double w[NB], ref_loss = 0;
    for (int b = 0; b < NB; b++) {
        int *tk = tokens + b * (T + 1);
        tk[0] = m->vocab - 1;
        for (int t = 1; t <= T; t++)
            tk[t] = (int)(uniform() * (m->vocab - 1));
        w[b] = (b + 1.0) / (NB * (NB + 1) / 2.0);    /* unequal weights: each must reach its gradients */
        ref_loss += w[b] * m->loss_grad(m->ctx, params, g, tk, T, scratch);
        for (size_t i = 0; i < np; i++)
            ref[i] += w[b] * g[i];
    }
    double loss = m->loss_grad_batch_f32(m->ctx, pf, gf, tokens, NB, T, w, bscratch), worst = 0, big = 0;
    for (size_t i = 0; i < np; i++) {
        worst = fmax(worst, fabs((double)gf[i] - ref[i]));
        big = fmax(big, fabs(ref[i]));
    }
    printf("%s: one call for %d documents of T = %d, loss %.9g (per document %.9g); gradients differ by at most "
           "%.3g (largest %.3g)\n", m->name, NB, T, loss, ref_loss, worst, big);
    cr_expect(big > 0, "%s: no gradient at all", m->name);
    cr_expect_leq(fabs(loss - ref_loss), 1e-5 * fabs(ref_loss), "%s, T %d: loss %.17g against %.17g", m->name, T,
                  loss, ref_loss);
    cr_expect_leq(worst, 1e-5 * big, "%s, T %d: gradients differ by %.3g (largest %.3g)", m->name, T, worst, big);
    free(params), free(g), free(ref), free(scratch), free(bscratch), free(pf), free(gf), free(tokens);
}

Test(batch_f32, one_call_own_kernels) { check_batch_call(&gpt_text_f32_model, 64); }
Test(batch_f32, one_call_blas) { check_batch_call(&gpt_text_blas_model, 64); }
/* T below the block: each document's rows still follow the last one's */
Test(batch_f32, one_call_short_documents) { check_batch_call(&gpt_text_blas_model, 13); }
Test(batch_f32, one_call_own_kernels_short) { check_batch_call(&gpt_text_f32_model, 1); }

/* only float code of a text model has the batch entry */
Test(batch_f32, only_f32_code_has_the_batch_call)
{
    cr_expect_null((void *)(size_t)gpt_text_model.loss_grad_batch_f32);
    cr_expect_not_null((void *)(size_t)gpt_text_f32_model.loss_grad_batch_f32);
}

/* The trainer takes the one call only for a batch whose documents share T:
 * on lines of unequal lengths a trainer with the entry logs
 * the bits of one without it (the per-document path); on --docs text
 * (pieces of 64 characters) it takes the call, within float's tolerance of
 * the per-document path. */
static void trainer_losses(const MgModel *m, const char *args, double *loss, int n)
{
    char dir[] = "/tmp/mgc-batch-XXXXXX", log[128], out[128], cmd[512];
    cr_assert_not_null(mkdtemp(dir));
    snprintf(log, sizeof log, "%s/log.csv", dir);
    snprintf(out, sizeof out, "%s/out.txt", dir);
    snprintf(cmd, sizeof cmd, "train %s --steps %d --num 0 --progress plain --log %s", args, n, log);
    cr_assert_eq(trainer_call(m, NULL, "t", cmd, out), 0, "%s %s failed", m->name, cmd);
    cr_assert_eq(trainer_log_losses(log, loss, n), n);
    remove(log), remove(out), rmdir(dir);
}

static void check_trainer_path(const MgModel *m)
{
    enum { N = 6 };
    MgModel per_doc = *m;
    per_doc.loss_grad_batch_f32 = NULL;
    double a[N], b[N];
    /* lines of unequal lengths over a-z and the space: the model's 27 characters */
    static const char *const lines[] = {"the quick brown fox", "jumps over", "a lazy dog", "pack my box with",
                                        "five dozen liquor jugs", "sphinx of black quartz", "judge my vow", "wv"};
    char data[] = "/tmp/mgc-batch-data-XXXXXX", args[128];
    int fd = mkstemp(data);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    cr_assert_not_null(f);
    for (size_t i = 0; i < sizeof lines / sizeof *lines; i++)
        fprintf(f, "%s\n", lines[i]);
    fclose(f);
    snprintf(args, sizeof args, "--data %s --batch 4", data);
    trainer_losses(m, args, a, N);
    trainer_losses(&per_doc, args, b, N);
    remove(data);
    for (int s = 0; s < N; s++)
        cr_expect_eq(a[s], b[s], "%s, names, step %d: %.17g with the batch entry, %.17g without", m->name, s + 1,
                     a[s], b[s]);
    trainer_losses(m, "--docs text --batch 4", a, N);
    trainer_losses(&per_doc, "--docs text --batch 4", b, N);
    for (int s = 0; s < N; s++)
        cr_expect_leq(fabs(a[s] - b[s]), 1e-5 * fabs(b[s]), "%s, text, step %d: %.17g in one call, %.17g by documents",
                      m->name, s + 1, a[s], b[s]);
}

Test(batch_f32, trainer_takes_the_call_only_for_equal_lengths_own) { check_trainer_path(&gpt_text_f32_model); }
Test(batch_f32, trainer_takes_the_call_only_for_equal_lengths_blas) { check_trainer_path(&gpt_text_blas_model); }

/* a model with recurrences (rnn: its steps once per document in the call) */
extern const MgModel rnn_f32_model;
Test(batch_f32, one_call_recurrent) { check_batch_call(&rnn_f32_model, 9); }
