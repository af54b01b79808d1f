/* Differential tests: the compiled loss, gradients and logits of every model
 * against the reference interpreter (relative difference at most 1e-12, in
 * double, no fast-math), and the interpreter against central finite
 * differences.  Models: the MLP, microGPT (1 and 2 layers), Steps 3 and 4
 * (1 and 4 heads), and test models covering every op (2 heads, 2 layers).
 * Lengths T = 1, 2, block_size and one more.  Relative difference of a tensor = max|a - b| / max(|a|, |b|)
 * over the whole tensor, so near-zero entries are judged at the tensor's scale. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "interp.h"
#include "mg_model.h"
#include "pipeline.h"

extern const MgModel mlp_model, microgpt_model, step3_model, step4_model, t_ops_model, t_attn_model,
    t_microgpt_l2_model, t_microgpt_O0_model, t_attn_O0_model;

typedef struct Case {
    const char *name;
    const MgModel *compiled;
    const char *path;
} Case;

static const Case cases[] = {
    {"mlp", &mlp_model, MGC_SOURCE_DIR "/models/mlp.mg"},
    {"ops", &t_ops_model, MGC_SOURCE_DIR "/tests/models/ops.mg"},
    {"attn", &t_attn_model, MGC_SOURCE_DIR "/tests/models/attn.mg"},
    {"microgpt", &microgpt_model, MGC_SOURCE_DIR "/models/microgpt.mg"},
    {"microgpt_l2", &t_microgpt_l2_model, MGC_SOURCE_DIR "/tests/models/microgpt_l2.mg"},
    {"step3", &step3_model, MGC_SOURCE_DIR "/models/step3.mg"},
    {"step4", &step4_model, MGC_SOURCE_DIR "/models/step4.mg"},
    /* the same models with every pass off (mgc -O0): both emitter paths */
    {"microgpt_O0", &t_microgpt_O0_model, MGC_SOURCE_DIR "/models/microgpt.mg"},
    {"attn_O0", &t_attn_O0_model, MGC_SOURCE_DIR "/tests/models/attn.mg"},
};

/* a small deterministic generator, independent of the runtime's RNG */
static unsigned long long lcg_state;
static double uniform(void)
{
    lcg_state = lcg_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (double)(lcg_state >> 11) * (1.0 / 9007199254740992.0);
}
static double normal(void)
{
    double u = uniform(), v = uniform();
    return sqrt(-2 * log(1 - u)) * cos(6.283185307179586 * v);
}

static void random_params(const MgModel *m, double *p)
{
    for (int i = 0; i < m->n_params; i++) {
        const MgParam *q = &m->params[i];
        double std = q->init == MG_INIT_GAUSS && q->init_b > 0 ? q->init_b : 0.3;
        for (size_t k = 0; k < q->size; k++)
            p[q->offset + k] = q->init_a + 3 * std * normal();   /* wider than init: exercise more */
    }
}

static void random_tokens(int *tok, int n, int vocab)
{
    for (int i = 0; i < n; i++)
        tok[i] = (int)(uniform() * vocab) % vocab;
}

static MgModel interp_of(const Case *c)
{
    MgModel m;
    Graph *g = mgc_front_end(c->path, c->name, 0, NULL);
    cr_assert_not_null(g, "%s does not compile", c->path);
    cr_assert_eq(interp_make_model(g, &m), 0);
    return m;
}

/* relative difference of two tensors, reporting the worst entries */
static double compare(const char *what, const double *a, const double *b, size_t n, double tol)
{
    double maxd = 0, scale = 0;
    size_t worst = 0;
    for (size_t i = 0; i < n; i++) {
        double d = fabs(a[i] - b[i]);
        if (d > maxd || isnan(d)) {
            maxd = isnan(d) ? INFINITY : d;
            worst = i;
        }
        if (fabs(a[i]) > scale) scale = fabs(a[i]);
        if (fabs(b[i]) > scale) scale = fabs(b[i]);
    }
    double rel = maxd == 0 ? 0 : maxd / scale;
    (void)worst;
    if (rel > tol) {
        int shown = 0;
        for (size_t i = 0; i < n && shown < 5; i++)
            if (fabs(a[i] - b[i]) > tol * scale || isnan(a[i] - b[i])) {
                fprintf(stderr, "  %s[%zu]: compiled %.17g, interpreted %.17g\n", what, i, a[i], b[i]);
                shown++;
            }
        cr_assert_fail("%s: relative difference %.3g > %.0e (max |diff| %.3g at %zu, scale %.3g)", what, rel, tol,
                maxd, worst, scale);
    }
    return rel;
}

/* tol: the largest relative difference of the loss and gradients (0: the same bits) */
static void check_case_tol(const Case *c, unsigned long long seed, double tol)
{
    const MgModel *cm = c->compiled;
    MgModel im = interp_of(c);
    cr_assert_eq(im.n_scalars, cm->n_scalars);
    cr_assert_eq(im.vocab, cm->vocab);
    cr_assert_eq(im.block_size, cm->block_size);
    cr_assert_eq(im.n_params, cm->n_params);
    for (int i = 0; i < cm->n_params; i++)
        cr_assert_str_eq(im.params[i].name, cm->params[i].name);
    size_t n = cm->n_scalars;
    double *p = malloc(n * sizeof *p), *gc = malloc(n * sizeof *gc), *gi = malloc(n * sizeof *gi);
    double *scratch = malloc((cm->scratch + 1) * sizeof *scratch);
    int *tok = malloc((size_t)(cm->block_size + 1) * sizeof *tok);
    lcg_state = seed;
    int lengths[] = {1, 2, cm->block_size, 1 + (int)(uniform() * cm->block_size) % cm->block_size};
    double worst = 0;
    for (int li = 0; li < 4; li++) {
        int T = lengths[li];
        random_params(cm, p);
        random_tokens(tok, T + 1, cm->vocab);
        double lc = cm->loss_grad(cm->ctx, p, gc, tok, T, scratch);
        double lim = im.loss_grad(im.ctx, p, gi, tok, T, NULL);
        char what[128];
        snprintf(what, sizeof what, "%s loss (T=%d)", c->name, T);
        double r = compare(what, &lc, &lim, 1, tol);
        if (r > worst) worst = r;
        for (int i = 0; i < cm->n_params; i++) {
            const MgParam *q = &cm->params[i];
            snprintf(what, sizeof what, "%s d%s (T=%d)", c->name, q->name, T);
            r = compare(what, gc + q->offset, gi + q->offset, q->size, tol);
            if (r > worst) worst = r;
        }
        const double *fc = cm->forward(cm->ctx, p, tok, T, scratch);
        double *fcopy = malloc((size_t)T * cm->vocab * sizeof *fcopy);
        memcpy(fcopy, fc, (size_t)T * cm->vocab * sizeof *fcopy);
        const double *fi = im.forward(im.ctx, p, tok, T, NULL);
        snprintf(what, sizeof what, "%s logits (T=%d)", c->name, T);
        /* same operation order: the forward values agree to the bit */
        r = compare(what, fcopy, fi, (size_t)T * cm->vocab, 0);
        free(fcopy);
    }
    printf("%s: compiled vs interpreter, worst relative difference %.3g\n", c->name, worst);
    interp_free_model(&im);
    free(p); free(gc); free(gi); free(scratch); free(tok);
}

static void check_case(const Case *c, unsigned long long seed) { check_case_tol(c, seed, 1e-12); }

Test(diff, mlp_compiled_matches_interpreter) { check_case(&cases[0], 1); check_case(&cases[0], 2); }
Test(diff, ops_compiled_matches_interpreter) { check_case(&cases[1], 3); check_case(&cases[1], 4); }
Test(diff, attn_compiled_matches_interpreter) { check_case(&cases[2], 5); check_case(&cases[2], 6); }
Test(diff, microgpt_compiled_matches_interpreter) { check_case(&cases[3], 7); check_case(&cases[3], 8); }
Test(diff, microgpt_two_layers_compiled_matches_interpreter) { check_case(&cases[4], 9); }
Test(diff, step3_one_head_compiled_matches_interpreter) { check_case(&cases[5], 10); }
Test(diff, step4_compiled_matches_interpreter) { check_case(&cases[6], 11); }
Test(diff, microgpt_unoptimised_matches_interpreter) { check_case(&cases[7], 12); }
Test(diff, attn_unoptimised_matches_interpreter) { check_case(&cases[8], 13); }

/* The interpreter against central finite differences of its own loss. */
static void check_fd(const Case *c, int max_checks)
{
    MgModel im = interp_of(c);
    size_t n = im.n_scalars;
    double *p = malloc(n * sizeof *p), *g = malloc(n * sizeof *g), *dummy = malloc(n * sizeof *dummy);
    int T = im.block_size < 3 ? im.block_size : 3;
    int tok[64];
    lcg_state = 99;
    random_params(&im, p);
    random_tokens(tok, T + 1, im.vocab);
    im.loss_grad(im.ctx, p, g, tok, T, NULL);
    double worst = 0;
    int checked = 0;
    size_t stride = n / (size_t)max_checks + 1;
    for (size_t k = 0; k < n; k += stride) {
        double h = 1e-5, keep = p[k];
        p[k] = keep + h;
        double up = im.loss_grad(im.ctx, p, dummy, tok, T, NULL);
        p[k] = keep - h;
        double down = im.loss_grad(im.ctx, p, dummy, tok, T, NULL);
        p[k] = keep;
        double fd = (up - down) / (2 * h);
        double err = fabs(fd - g[k]) / fmax(1.0, fabs(g[k]));
        if (err > worst) worst = err;
        cr_expect(err < 1e-7, "%s: d/dparam[%zu]: backward %.12g, finite difference %.12g", c->name, k, g[k], fd);
        checked++;
    }
    printf("%s: interpreter vs finite differences on %d parameters, worst error %.3g\n", c->name, checked, worst);
    cr_assert_gt(checked, 0);
    interp_free_model(&im);
    free(p); free(g); free(dummy);
}

Test(diff, mlp_interpreter_matches_finite_differences) { check_fd(&cases[0], 300); }
Test(diff, ops_interpreter_matches_finite_differences) { check_fd(&cases[1], 1000); }
Test(diff, attn_interpreter_matches_finite_differences) { check_fd(&cases[2], 1000); }
Test(diff, microgpt_interpreter_matches_finite_differences) { check_fd(&cases[3], 400); }

/* sqrt(a), the newest row of compiler/graph/ops.def: its compiled forward and
 * derivative (0.5 * a ^ -0.5, as the reference's a ** 0.5 records it) give the
 * interpreter's Value rule's bits, loss and every gradient included. */
extern const MgModel t_sqrt_model;
static const Case sqrt_case = {"sqrt", &t_sqrt_model, MGC_SOURCE_DIR "/tests/models/sqrt.mg"};
Test(diff, sqrt_compiled_matches_interpreter_bit_for_bit) { check_case_tol(&sqrt_case, 14, 0); check_case_tol(&sqrt_case, 15, 0); }
Test(diff, sqrt_interpreter_matches_finite_differences) { check_fd(&sqrt_case, 1000); }

/* a builtin's model: compiled and interpreted to the bit, at two seeds */
static void check_bits(const Case *c, unsigned long long seed)
{
    check_case_tol(c, seed, 0);
    check_case_tol(c, seed + 1, 0);
}

/* abs(a), a row of ops.def with its no-gradient helper sign (0 at 0, as
 * PyTorch's abs backward): compiled and interpreted to the bit, and the
 * interpreter against finite differences. */
extern const MgModel t_abs_model;
static const Case abs_case = {"abs", &t_abs_model, MGC_SOURCE_DIR "/tests/models/abs.mg"};
Test(diff, abs_compiled_matches_interpreter_bit_for_bit) { check_bits(&abs_case, 16); }
Test(diff, abs_interpreter_matches_finite_differences) { check_fd(&abs_case, 1000); }

/* At the kink abs'(0) is 0, as in PyTorch (its subgradient sign(0)), in both
 * the compiled code and the interpreter; elsewhere it is +-1, so each
 * gradient of abs.mg is +-0.2 (0.1 * 2, times two signs) or 0. */
Test(diff, abs_gradient_is_zero_at_zero)
{
    const MgModel *cm = &t_abs_model;
    MgModel im = interp_of(&abs_case);
    size_t n = cm->n_scalars;
    double *p = malloc(n * sizeof *p), *gc = malloc(n * sizeof *gc), *gi = malloc(n * sizeof *gi);
    double *scratch = malloc((cm->scratch + 1) * sizeof *scratch);
    int tok[2] = {0, 1};
    lcg_state = 18;
    random_params(cm, p);
    p[0] = 0.0;     /* w[0, 0]: logits[0, 0] = -1, then abs(-1.5): only the inner abs is at its kink */
    p[1] = -0.0;    /* w[0, 1]: the kink approached from below */
    cm->loss_grad(cm->ctx, p, gc, tok, 1, scratch);
    im.loss_grad(im.ctx, p, gi, tok, 1, NULL);
    for (size_t k = 0; k < (size_t)cm->vocab; k++) {
        double want = k < 2 ? 0.0 : 0.1 * (fabs(p[k]) * 2 - 1 - 0.5 > 0 ? 1 : -1) * 2 * (p[k] > 0 ? 1 : -1);
        cr_expect_eq(gc[k], want, "compiled d w[0, %zu] at w = %g: %.17g, want %g", k, p[k], gc[k], want);
        cr_expect_eq(gi[k], want, "interpreted d w[0, %zu] at w = %g: %.17g, want %g", k, p[k], gi[k], want);
    }
    interp_free_model(&im);
    free(p); free(gc); free(gi); free(scratch);
}

/* sin(a) and cos(a), rows of ops.def whose derivatives are each other
 * (cos(a), sin(a) * -1): compiled and interpreted to the bit, and the
 * interpreter against finite differences. */
extern const MgModel t_sincos_model;
static const Case sincos_case = {"sincos", &t_sincos_model, MGC_SOURCE_DIR "/tests/models/sincos.mg"};
Test(diff, sincos_compiled_matches_interpreter_bit_for_bit) { check_bits(&sincos_case, 19); }
Test(diff, sincos_interpreter_matches_finite_differences) { check_fd(&sincos_case, 1000); }

/* erf(a), a row of ops.def with derivative 2 / sqrt(pi) * exp(a * a * -1)
 * (the constant once, in ops.h): compiled and interpreted to the bit, and
 * the interpreter against finite differences. */
extern const MgModel t_erf_model;
static const Case erf_case = {"erf", &t_erf_model, MGC_SOURCE_DIR "/tests/models/erf.mg"};
Test(diff, erf_compiled_matches_interpreter_bit_for_bit) { check_bits(&erf_case, 21); }
Test(diff, erf_interpreter_matches_finite_differences) { check_fd(&erf_case, 1000); }

/* sigmoid(a) = 1 / (1 + exp(-a)), a row of ops.def whose helper calls exp
 * through the volatile pointer (--fast too), with derivative s * (1 - s):
 * compiled and interpreted to the bit, and the interpreter against finite
 * differences. */
extern const MgModel t_sigmoid_model;
static const Case sigmoid_case = {"sigmoid", &t_sigmoid_model, MGC_SOURCE_DIR "/tests/models/sigmoid.mg"};
Test(diff, sigmoid_compiled_matches_interpreter_bit_for_bit) { check_bits(&sigmoid_case, 23); }
Test(diff, sigmoid_interpreter_matches_finite_differences) { check_fd(&sigmoid_case, 1000); }

/* element k of the parameters: the finite difference of the loss against
 * the backward pass's g[k], relative to max(1, |g[k]|); returns the error */
static double fd_error(const Case *c, const MgModel *im, double *p, const double *g, const int *tok, int T,
                       const MgParam *q, size_t k)
{
    double *dummy = malloc(im->n_scalars * sizeof *dummy);
    double h = 1e-5, keep = p[k];
    p[k] = keep + h;
    double up = im->loss_grad(im->ctx, p, dummy, tok, T, NULL);
    p[k] = keep - h;
    double down = im->loss_grad(im->ctx, p, dummy, tok, T, NULL);
    p[k] = keep;
    free(dummy);
    double fd = (up - down) / (2 * h), err = fabs(fd - g[k]) / fmax(1.0, fabs(g[k]));
    cr_expect(err < 1e-7, "%s (T=%d): d%s[%zu]: backward %.12g, finite difference %.12g", c->name, T, q->name,
              k - q->offset, g[k], fd);
    return err;
}

/* The interpreter against central finite differences at length T, on two
 * elements of every parameter tensor (so each bias and gain is covered): the
 * one of largest gradient (a table read by a few tokens has mostly zeros)
 * and one drawn at random. */
static void check_fd_at(const Case *c, const MgModel *im, int T, unsigned long long seed)
{
    size_t n = im->n_scalars;
    double *p = malloc(n * sizeof *p), *g = malloc(n * sizeof *g);
    int *tok = malloc((size_t)(T + 1) * sizeof *tok);
    lcg_state = seed;
    random_params(im, p);
    random_tokens(tok, T + 1, im->vocab);
    im->loss_grad(im->ctx, p, g, tok, T, NULL);
    double worst = 0;
    for (int i = 0; i < im->n_params; i++) {
        const MgParam *q = &im->params[i];
        size_t big = q->offset, any = q->offset + (size_t)(uniform() * (double)q->size) % q->size;
        for (size_t k = q->offset; k < q->offset + q->size; k++)
            if (fabs(g[k]) > fabs(g[big])) big = k;
        worst = fmax(worst, fd_error(c, im, p, g, tok, T, q, big));
        worst = fmax(worst, fd_error(c, im, p, g, tok, T, q, any));
    }
    printf("%s: interpreter vs finite differences at T=%d, 2 elements of each of %d tensors, worst error %.3g\n",
           c->name, T, im->n_params, worst);
    free(p); free(g); free(tok);
}

/* at T = 1, 2, the bound and one more (a random length up to it) */
static void check_fd_lengths(const Case *c, unsigned long long seed)
{
    MgModel im = interp_of(c);
    lcg_state = seed;
    int lengths[] = {1, 2, im.block_size, 1 + (int)(uniform() * im.block_size) % im.block_size};
    for (int li = 0; li < 4; li++)
        check_fd_at(c, &im, lengths[li], seed + (unsigned long long)li);
    interp_free_model(&im);
}

/* The gallery (issue #18): every model named in MGC_GALLERY
 * (tests/CMakeLists.txt, which writes gallery.h), compiled against the
 * interpreter (loss and every gradient to 1e-10 relative, logits bit for bit,
 * at two seeds) and the interpreter against finite differences, each at
 * T = 1, 2, the bound and one more.  tests/reference/NAME.py holds it to
 * PyTorch.  Adding a model to the gallery is adding its name there. */
#include "gallery.h"
#define GALLERY_TESTS(NAME)                                                                              \
    extern const MgModel NAME##_model;                                                                   \
    static const Case NAME##_case = {#NAME, &NAME##_model, MGC_SOURCE_DIR "/models/" #NAME ".mg"};       \
    Test(diff, gallery_##NAME##_compiled_matches_interpreter)                                            \
    {                                                                                                    \
        check_case_tol(&NAME##_case, 101, 1e-10);                                                        \
        check_case_tol(&NAME##_case, 102, 1e-10);                                                        \
    }                                                                                                    \
    Test(diff, gallery_##NAME##_interpreter_matches_finite_differences) { check_fd_lengths(&NAME##_case, 103); }
MGC_GALLERY(GALLERY_TESTS)

/* Broadcasting in `y = expr` (tests/models/bcast.mg): a bias, a [1, vocab]
 * row, a scalar, a causal [T, s <= t] against [2, T, s <= t] and a gain inside
 * a mapped function.  The compiled forward, loss and gradients give the
 * interpreter's bits (each broadcast operand's gradient sums over its
 * broadcast axes in the same order in both), and the interpreter agrees with
 * finite differences. */
extern const MgModel t_bcast_model;
static const Case bcast_case = {"bcast", &t_bcast_model, MGC_SOURCE_DIR "/tests/models/bcast.mg"};
Test(diff, bcast_compiled_matches_interpreter) { check_case(&bcast_case, 25); check_case(&bcast_case, 26); }
Test(diff, bcast_interpreter_matches_finite_differences) { check_fd(&bcast_case, 1000); }

/* Result shapes computed from shape variables (tests/models/merge.mg):
 * merge(x[K, C]) -> y[K // 2, 2 * C] three levels deep, each with a weight
 * declared w[O, 2 * C] and a broadcast bias; compiled against the
 * interpreter and the interpreter against finite differences. */
extern const MgModel t_merge_model;
static const Case merge_case = {"merge", &t_merge_model, MGC_SOURCE_DIR "/tests/models/merge.mg"};
Test(diff, merge_compiled_matches_interpreter) { check_case(&merge_case, 27); check_case(&merge_case, 28); }
Test(diff, merge_interpreter_matches_finite_differences) { check_fd(&merge_case, 1000); }

/* max and min reductions pass their gradient to the term they chose, a tensor
 * exponent has PyTorch's derivatives, nograd passes none: compiled against
 * the interpreter, and the interpreter against finite differences (random
 * parameters: no ties, no kinks). */
extern const MgModel t_choice_model;
static const Case choice_case = {"choice", &t_choice_model, MGC_SOURCE_DIR "/tests/models/choice.mg"};
Test(diff, choice_compiled_matches_interpreter) { check_case(&choice_case, 25); check_case(&choice_case, 26); }
Test(diff, choice_interpreter_matches_finite_differences) { check_fd(&choice_case, 1000); }

/* Exact ties and NaN terms (tests/models/ties.mg): rows 0 and 1 of w are
 * {-2, 3, 3, -2}, so max's first 3 (c = 1) and min's first -2 (c = 0) get the
 * gradient, and the max over both rows (tokens 1, 0) takes row 1's; row 2 is
 * {NaN, 1, NaN, 0}: max and min skip the NaN terms (1 at c = 1, 0 at c = 3).
 * The expected gradients are the model's coefficients (2, 3 and 5; the
 * term under nograd, 11, gives none). */
extern const MgModel t_ties_model;
static const Case ties_case = {"ties", &t_ties_model, MGC_SOURCE_DIR "/tests/models/ties.mg"};
Test(diff, max_and_min_gradients_go_to_the_first_of_equal_terms)
{
    const MgModel *cm = &t_ties_model;
    MgModel im = interp_of(&ties_case);
    size_t n = cm->n_scalars;
    double *p = malloc(n * sizeof *p), *gc = malloc(n * sizeof *gc), *gi = malloc(n * sizeof *gi);
    double *want = calloc(n, sizeof *want), *scratch = malloc((cm->scratch + 1) * sizeof *scratch);
    const double row[4] = {-2, 3, 3, -2}, nan_row[4] = {NAN, 1, NAN, 0};
    for (size_t k = 0; k < n; k++)
        p[k] = 0.01 * (double)k;    /* rows the tokens do not read */
    memcpy(p, row, sizeof row);
    memcpy(p + 4, row, sizeof row);
    memcpy(p + 8, nan_row, sizeof nan_row);
    want[4 + 1] = 2 + 5, want[4 + 0] = 3;   /* token 1 (t = 0): max, min, and the max of all */
    want[0 + 1] = 2, want[0 + 0] = 3;       /* token 0 (t = 1) */
    want[8 + 1] = 2, want[8 + 3] = 3;       /* token 2 (t = 2): NaN skipped */
    int tok[4] = {1, 0, 2, 0};
    double lc = cm->loss_grad(cm->ctx, p, gc, tok, 3, scratch);
    double li = im.loss_grad(im.ctx, p, gi, tok, 3, NULL);
    double loss = (2 + 11) * (3 + 3 + 1) + 3 * (-2 - 2 + 0) + 5 * 3;
    cr_expect_eq(lc, loss, "compiled loss %.17g, want %g", lc, loss);
    cr_expect_eq(li, loss, "interpreted loss %.17g, want %g", li, loss);
    for (size_t k = 0; k < n; k++) {
        cr_expect_eq(gc[k], want[k], "compiled d w[%zu, %zu]: %.17g, want %g", k / 4, k % 4, gc[k], want[k]);
        cr_expect_eq(gi[k], want[k], "interpreted d w[%zu, %zu]: %.17g, want %g", k / 4, k % 4, gi[k], want[k]);
    }
    interp_free_model(&im);
    free(p); free(gc); free(gi); free(want); free(scratch);
}

/* The prelude's layernorm, gelu, gelu_tanh, mse, binary_cross_entropy,
 * binary_cross_entropy_with_logits and logsumexp: compiled against the
 * interpreter, and the interpreter against finite differences (PyTorch's
 * values are tests/reference/prelude.py's). */
extern const MgModel t_prelude_fns_model;
static const Case prelude_case = {"prelude_fns", &t_prelude_fns_model, MGC_SOURCE_DIR "/tests/models/prelude_fns.mg"};
Test(diff, prelude_functions_compiled_match_interpreter) { check_case(&prelude_case, 27); check_case(&prelude_case, 28); }
Test(diff, prelude_functions_interpreter_matches_finite_differences) { check_fd(&prelude_case, 1000); }

/* Reads past the edge, x[idx] else fallback (tests/models/pad.mg): makemore's
 * padded context of tokens, real reads a step back (fallback: a parameter) and
 * a step ahead (an expression of t), a padded window inside a sum and a padded
 * read of an integer view.  The backward pass adds to an element only where
 * its read was inside and gives the fallback the rest; optimised and with
 * every pass off, against the interpreter, and the interpreter against
 * finite differences (at T = 3, where every fallback and every read is used). */
extern const MgModel t_pad_model, t_pad_O0_model;
static const Case pad_case = {"pad", &t_pad_model, MGC_SOURCE_DIR "/tests/models/pad.mg"};
static const Case pad_O0_case = {"pad_O0", &t_pad_O0_model, MGC_SOURCE_DIR "/tests/models/pad.mg"};
Test(diff, padded_reads_compiled_match_interpreter) { check_case(&pad_case, 25); check_case(&pad_case, 26); }
Test(diff, padded_reads_unoptimised_match_interpreter) { check_case(&pad_O0_case, 27); }
Test(diff, padded_reads_interpreter_matches_finite_differences) { check_fd(&pad_case, 1000); }

/* The comparisons < <= > >= == != (tests/models/compare.mg): on reals 1.0 or
 * 0.0 with no gradient, on integers 1 or 0 in index arithmetic with T.
 * Compiled against interpreted at every length (logits to the bit; loss and
 * gradients to 1e-12: u's gradient gathers its terms in another order), and
 * the interpreter against finite differences (the model says how they avoid
 * the jumps). */
extern const MgModel t_compare_model;
static const Case compare_case = {"compare", &t_compare_model, MGC_SOURCE_DIR "/tests/models/compare.mg"};
Test(diff, compare_compiled_matches_interpreter) { check_case(&compare_case, 25); check_case(&compare_case, 26); }
Test(diff, compare_interpreter_matches_finite_differences) { check_fd(&compare_case, 1000); }

/* The select where(c, a, b) and what is built on it (tests/models/select.mg):
 * the gradient reaches only the arm chosen, and a -inf or NaN in the arm not
 * chosen (log of a negative) reaches no gradient.  Compiled against
 * interpreted at every length, and the interpreter against finite
 * differences (the model says how they avoid the jumps). */
extern const MgModel t_select_model;
static const Case select_case = {"select", &t_select_model, MGC_SOURCE_DIR "/tests/models/select.mg"};
Test(diff, select_compiled_matches_interpreter) { check_case(&select_case, 27); check_case(&select_case, 28); }
Test(diff, select_interpreter_matches_finite_differences) { check_fd(&select_case, 1000); }

/* max(a, b) on a tie sends the gradient to its first argument, as the issue
 * asks (torch.maximum would split it): at w[0, 0] == u[0] in select.mg's
 * max(w[t, v], u[v]), u[0]'s gradient is the one it has where w[0, 0] is a
 * unit in the last place above (w chosen), not the one a unit below (u
 * chosen), in the compiled code and the interpreter alike. */
static void grads_at(MgModel *im, double *p, double w00, double *gc, double *gi)
{
    const MgModel *cm = &t_select_model;
    double *scratch = malloc((cm->scratch + 1) * sizeof *scratch);
    int tok[2] = {1, 2};
    p[0] = w00;
    cm->loss_grad(cm->ctx, p, gc, tok, 1, scratch);
    im->loss_grad(im->ctx, p, gi, tok, 1, NULL);
    free(scratch);
}

Test(diff, max_tie_goes_to_the_first_argument)
{
    const MgModel *cm = &t_select_model;
    MgModel im = interp_of(&select_case);
    size_t n = cm->n_scalars, u0 = (size_t)cm->params[1].offset;
    cr_assert_str_eq(cm->params[1].name, "u");
    double *p = malloc(n * sizeof *p), *g[6];
    for (int i = 0; i < 6; i++)
        g[i] = malloc(n * sizeof *g[i]);
    lcg_state = 31;
    random_params(cm, p);
    p[u0] = 0.3;    /* w[0, 0] near 0.3: no other comparison in select.mg is near its threshold */
    grads_at(&im, p, 0.3, g[0], g[1]);
    grads_at(&im, p, nextafter(0.3, 1.0), g[2], g[3]);
    grads_at(&im, p, nextafter(0.3, 0.0), g[4], g[5]);
    for (int k = 0; k < 2; k++) {
        const char *who = k ? "interpreted" : "compiled";
        double tie = g[k][u0], w_chosen = g[2 + k][u0], u_chosen = g[4 + k][u0];
        cr_expect(fabs(tie - w_chosen) <= 1e-12 * fabs(u_chosen - w_chosen), "%s d u[0]: tie %.17g, w chosen %.17g",
                  who, tie, w_chosen);
        cr_expect(fabs(u_chosen - w_chosen) > 1e-3, "%s d u[0] does not depend on the choice: %.17g", who, u_chosen);
    }
    interp_free_model(&im);
    free(p);
    for (int i = 0; i < 6; i++)
        free(g[i]);
}

/* Recurrences (recur.c): each runs forward one step at a time and backward
 * in reverse (backpropagation through time).  Compiled against the
 * interpreter, which runs each step's statements in order with Values, at
 * T = 1, 2, the bound and one more (check_case_tol), the logits to the bit;
 * and the interpreter against finite differences. */
extern const MgModel t_rnn_model, t_gru2_model, t_lstm2_model, t_rnn_k2_model;
static const Case rec_cases[] = {
    {"rnn", &t_rnn_model, MGC_SOURCE_DIR "/tests/models/rnn.mg"},
    {"gru2", &t_gru2_model, MGC_SOURCE_DIR "/tests/models/gru2.mg"},
    {"lstm2", &t_lstm2_model, MGC_SOURCE_DIR "/tests/models/lstm2.mg"},
    {"rnn_k2", &t_rnn_k2_model, MGC_SOURCE_DIR "/tests/models/rnn_k2.mg"},
};
/* the loss at T = 1, 2, the bound and one more, compiled and interpreted, to the bit */
static void check_loss_bits(const Case *c, unsigned long long seed)
{
    const MgModel *cm = c->compiled;
    MgModel im = interp_of(c);
    double *p = malloc(cm->n_scalars * sizeof *p), *gc = malloc(cm->n_scalars * sizeof *gc);
    double *gi = malloc(cm->n_scalars * sizeof *gi), *scratch = malloc((cm->scratch + 1) * sizeof *scratch);
    int *tok = malloc((size_t)(cm->block_size + 1) * sizeof *tok);
    lcg_state = seed;
    int lengths[] = {1, 2, cm->block_size, 1 + (int)(uniform() * cm->block_size) % cm->block_size};
    for (int li = 0; li < 4; li++) {
        random_params(cm, p);
        random_tokens(tok, lengths[li] + 1, cm->vocab);
        double lc = cm->loss_grad(cm->ctx, p, gc, tok, lengths[li], scratch);
        double lim = im.loss_grad(im.ctx, p, gi, tok, lengths[li], NULL);
        cr_assert(lc == lim, "%s loss (T=%d): compiled %.17g, interpreted %.17g", c->name, lengths[li], lc, lim);
    }
    interp_free_model(&im);
    free(p); free(gc); free(gi); free(scratch); free(tok);
}

/* gradients to 1e-10 (a step's terms reach a weight's gradient in another order), loss and logits to the bit */
static void check_rec(const Case *c, unsigned long long seed)
{
    check_case_tol(c, seed, 1e-10);
    check_case_tol(c, seed + 1, 1e-10);
    check_loss_bits(c, seed);
}
Test(diff, rnn_compiled_matches_interpreter) { check_rec(&rec_cases[0], 31); }
Test(diff, gru2_compiled_matches_interpreter) { check_rec(&rec_cases[1], 33); }
Test(diff, lstm2_compiled_matches_interpreter) { check_rec(&rec_cases[2], 35); }
Test(diff, rnn_k2_compiled_matches_interpreter) { check_rec(&rec_cases[3], 37); }
Test(diff, rnn_interpreter_matches_finite_differences) { check_fd(&rec_cases[0], 1000); }
Test(diff, gru2_interpreter_matches_finite_differences) { check_fd(&rec_cases[1], 1000); }
Test(diff, lstm2_interpreter_matches_finite_differences) { check_fd(&rec_cases[2], 1000); }
Test(diff, rnn_k2_interpreter_matches_finite_differences) { check_fd(&rec_cases[3], 1000); }

/* every optimisation pass off: the recurrence's unoptimised path too */
extern const MgModel t_lstm2_O0_model;
static const Case lstm2_O0_case = {"lstm2_O0", &t_lstm2_O0_model, MGC_SOURCE_DIR "/tests/models/lstm2.mg"};
Test(diff, lstm2_unoptimised_matches_interpreter) { check_rec(&lstm2_O0_case, 39); }

/* The gallery's recurrent models (models/rnn.mg, gru.mg, lstm.mg; rnn_case and
 * the others come from the gallery's tests above): the loss, compiled and
 * interpreted, to the bit, which the gallery's tests (to 1e-10) do not ask */
Test(diff, gallery_rnn_loss_compiled_matches_interpreter_bit_for_bit) { check_loss_bits(&rnn_case, 41); }
Test(diff, gallery_gru_loss_compiled_matches_interpreter_bit_for_bit) { check_loss_bits(&gru_case, 43); }
Test(diff, gallery_lstm_loss_compiled_matches_interpreter_bit_for_bit) { check_loss_bits(&lstm_case, 45); }

/* recurrences stacked in a for loop, and one over a rank-1 tensor with a nonzero start */
extern const MgModel t_rnn_stack_model;
static const Case rnn_stack_case = {"rnn_stack", &t_rnn_stack_model, MGC_SOURCE_DIR "/tests/models/rnn_stack.mg"};
Test(diff, rnn_stack_compiled_matches_interpreter) { check_rec(&rnn_stack_case, 47); }
Test(diff, rnn_stack_interpreter_matches_finite_differences) { check_fd(&rnn_stack_case, 1000); }

/* The exact build's transposed-weight kernel (schedule.c: columns) on
 * tests/models/columns.mg, whose products have outputs that fill no whole
 * vector and rows that fill no whole block: at every T from 1 to 6, logits
 * and loss to the interpreter's bit, gradients as check_case.  Then the copy
 * the kernel keeps in scratch from one call to the next: the same scratch
 * after a parameter changed (one element of each weight, the last one too,
 * and one by a single ulp) gives the bits of a fresh scratch and of the
 * interpreter, never those of the stale copy. */
extern const MgModel t_columns_model;
static const Case columns_case = {"columns", &t_columns_model, MGC_SOURCE_DIR "/tests/models/columns.mg"};

static void columns_logits(const MgModel *m, const double *p, const int *tok, int T, double *scratch, double *out)
{
    memcpy(out, m->forward(m->ctx, p, tok, T, scratch), (size_t)T * (size_t)m->vocab * sizeof *out);
}

Test(diff, columns_kernel_matches_interpreter_bit_for_bit)
{
    const MgModel *cm = &t_columns_model;
    MgModel im = interp_of(&columns_case);
    size_t n = cm->n_scalars;
    double *p = malloc(n * sizeof *p), *gc = malloc(n * sizeof *gc), *gi = malloc(n * sizeof *gi);
    double *scratch = calloc(cm->scratch + 1, sizeof *scratch), *lc = malloc(6 * 7 * sizeof *lc);
    int tok[7];
    lcg_state = 61;
    for (int T = 1; T <= cm->block_size; T++) {
        random_params(cm, p);
        random_tokens(tok, T + 1, cm->vocab);
        double loss_c = cm->loss_grad(cm->ctx, p, gc, tok, T, scratch);
        double loss_i = im.loss_grad(im.ctx, p, gi, tok, T, NULL);
        cr_assert(loss_c == loss_i, "columns loss (T=%d): compiled %.17g, interpreted %.17g", T, loss_c, loss_i);
        for (int i = 0; i < cm->n_params; i++) {
            char what[64];
            snprintf(what, sizeof what, "columns d%s (T=%d)", cm->params[i].name, T);
            compare(what, gc + cm->params[i].offset, gi + cm->params[i].offset, cm->params[i].size, 1e-12);
        }
        columns_logits(cm, p, tok, T, scratch, lc);
        compare("columns logits", lc, im.forward(im.ctx, p, tok, T, NULL), (size_t)T * 7, 0);
    }
    interp_free_model(&im);
    free(p); free(gc); free(gi); free(scratch); free(lc);
}

Test(diff, columns_kernel_never_reads_a_stale_copy)
{
    const MgModel *cm = &t_columns_model;
    MgModel im = interp_of(&columns_case);
    size_t n = cm->n_scalars;
    int T = 5, tok[7];
    double *p = malloc(n * sizeof *p), *g = malloc(n * sizeof *g);
    double *kept = calloc(cm->scratch + 1, sizeof *kept), *fresh = malloc((cm->scratch + 1) * sizeof *fresh);
    double before[5 * 7], after[5 * 7], want[5 * 7];
    lcg_state = 62;
    random_params(cm, p);
    random_tokens(tok, T + 1, cm->vocab);
    for (int i = 0; i < cm->n_params; i++) {
        const MgParam *q = &cm->params[i];
        if (strcmp(q->name, "wte") == 0)
            continue;
        for (int change = 0; change < 3; change++) {
            columns_logits(cm, p, tok, T, kept, before);
            cm->loss_grad(cm->ctx, p, g, tok, T, kept);     /* the copies are made from p */
            size_t k = q->offset + (change == 0 ? 0 : change == 1 ? q->size - 1 : q->size / 2);
            p[k] = change == 2 ? nextafter(p[k], INFINITY) : -2 * p[k] + 0.5;
            columns_logits(cm, p, tok, T, kept, after);
            memset(fresh, 0xff, (cm->scratch + 1) * sizeof *fresh);  /* NaNs: no copy to find */
            double *fl = malloc(5 * 7 * sizeof *fl);
            columns_logits(cm, p, tok, T, fresh, fl);
            memcpy(want, im.forward(im.ctx, p, tok, T, NULL), sizeof want);
            char what[96];
            snprintf(what, sizeof what, "logits after %s[%zu] changed, same scratch", q->name, k - q->offset);
            compare(what, after, want, (size_t)T * 7, 0);
            snprintf(what, sizeof what, "logits after %s[%zu] changed, fresh scratch", q->name, k - q->offset);
            compare(what, fl, want, (size_t)T * 7, 0);
            if (change < 2)     /* a real change shows in the logits: the check above can fail */
                cr_expect(memcmp(before, after, sizeof after) != 0, "changing %s[%zu] changed no logit", q->name,
                          k - q->offset);
            free(fl);
        }
    }
    interp_free_model(&im);
    free(p); free(g); free(kept); free(fresh);
}

/* --fast and --dtype=f32 replace a softmax's backward statements by the
 * closed form d_x = p * (d_p - sum(p * d_p)) (opt_closed.c), cross-entropy's
 * too, and an rmsnorm's by d_x = scale * d_y - x * scale^3 / N * sum(x * d_y);
 * not where e, s or the rmsnorm's sum, mean or scale has another reader
 * (tests/models/softmax_kept.mg, whose hand-written softmaxes and rmsnorm
 * would then lose part of their gradient).  The --fast builds' loss,
 * gradients and logits against the interpreter's. */
#include "autodiff.h"

extern const MgModel t_attn_fast_model, t_softmax_kept_fast_model;

/* the closed forms the middle end writes for path: the tensors it adds
 * whose names start with prefix ("dot_": softmax, "rms_dot_": rmsnorm) */
static int closed_forms(const char *path, int fast, int f32, const char *prefix)
{
    Graph *g = mgc_front_end(path, "closed", 0, NULL);
    cr_assert_not_null(g, "%s does not compile", path);
    ad_differentiate(g);
    g->fast = fast, g->f32 = f32;
    mgc_middle_end(g, 0, 0);
    int n = 0;
    for (int i = 0; i < g->ntensors; i++)
        n += g->tensors[i]->kind == TK_GRAD && !strncmp(g->tensors[i]->display, prefix, strlen(prefix));
    return n;
}

Test(diff, closed_form_softmax_only_in_fast_modes_and_only_where_it_holds)
{
    const char *attn = MGC_SOURCE_DIR "/tests/models/attn.mg", *kept = MGC_SOURCE_DIR "/tests/models/softmax_kept.mg",
               *micro = MGC_SOURCE_DIR "/models/microgpt.mg";
    /* attn: two layers' attention softmaxes and cross_entropy; five rmsnorms */
    cr_expect_eq(closed_forms(attn, 1, 0, "dot_"), 3);
    cr_expect_eq(closed_forms(attn, 0, 1, "dot_"), 3);
    cr_expect_eq(closed_forms(attn, 1, 0, "rms_dot_"), 5);
    cr_expect_eq(closed_forms(attn, 0, 0, "dot_"), 0, "the exact build is rewritten");
    cr_expect_eq(closed_forms(attn, 0, 0, "rms_dot_"), 0, "the exact build is rewritten");
    cr_expect_eq(closed_forms(micro, 1, 1, "dot_"), 2);
    cr_expect_eq(closed_forms(micro, 1, 1, "rms_dot_"), 3);
    cr_expect_eq(closed_forms(micro, 0, 0, "dot_"), 0, "the exact build is rewritten");
    /* softmax_kept: only its cross_entropy and its rmsnorm() */
    cr_expect_eq(closed_forms(kept, 1, 0, "dot_"), 1);
    cr_expect_eq(closed_forms(kept, 1, 0, "rms_dot_"), 1);
}

/* the --fast build of c (other order of additions): within tol of the interpreter */
static void check_fast(const Case *c, unsigned long long seed, double tol)
{
    const MgModel *cm = c->compiled;
    MgModel im = interp_of(c);
    cr_assert_eq(im.n_scalars, cm->n_scalars);
    size_t n = cm->n_scalars;
    double *p = malloc(n * sizeof *p), *gc = malloc(n * sizeof *gc), *gi = malloc(n * sizeof *gi);
    double *scratch = malloc((cm->scratch + 1) * sizeof *scratch);
    double *fcopy = malloc((size_t)cm->block_size * (size_t)cm->vocab * sizeof *fcopy);
    int *tok = malloc((size_t)(cm->block_size + 1) * sizeof *tok);
    lcg_state = seed;
    double worst = 0, r;
    for (int T = 1; T <= cm->block_size; T++) {
        random_params(cm, p);
        random_tokens(tok, T + 1, cm->vocab);
        double lc = cm->loss_grad(cm->ctx, p, gc, tok, T, scratch);
        double lim = im.loss_grad(im.ctx, p, gi, tok, T, NULL);
        char what[128];
        snprintf(what, sizeof what, "%s loss (T=%d)", c->name, T);
        worst = fmax(worst, compare(what, &lc, &lim, 1, tol));
        for (int i = 0; i < cm->n_params; i++) {
            const MgParam *q = &cm->params[i];
            snprintf(what, sizeof what, "%s d%s (T=%d)", c->name, q->name, T);
            r = compare(what, gc + q->offset, gi + q->offset, q->size, tol);
            worst = fmax(worst, r);
        }
        const double *fc = cm->forward(cm->ctx, p, tok, T, scratch);
        memcpy(fcopy, fc, (size_t)T * cm->vocab * sizeof *fcopy);
        const double *fi = im.forward(im.ctx, p, tok, T, NULL);
        snprintf(what, sizeof what, "%s logits (T=%d)", c->name, T);
        worst = fmax(worst, compare(what, fcopy, fi, (size_t)T * cm->vocab, tol));
    }
    printf("%s: --fast build vs interpreter, worst relative difference %.3g\n", c->name, worst);
    interp_free_model(&im);
    free(p); free(gc); free(gi); free(scratch); free(fcopy); free(tok);
}

static const Case attn_fast_case = {"attn_fast", &t_attn_fast_model, MGC_SOURCE_DIR "/tests/models/attn.mg"};
static const Case kept_fast_case = {"softmax_kept_fast", &t_softmax_kept_fast_model,
                                    MGC_SOURCE_DIR "/tests/models/softmax_kept.mg"};
Test(diff, attn_fast_closed_form_softmax_matches_interpreter) { check_fast(&attn_fast_case, 49, 1e-10); check_fast(&attn_fast_case, 50, 1e-10); }
Test(diff, softmax_kept_fast_matches_interpreter) { check_fast(&kept_fast_case, 51, 1e-10); check_fast(&kept_fast_case, 52, 1e-10); }
