/* test_inputs.c: models that read examples (real inputs, labels, a runtime-
 * length real input) through the reference interpreter.  Each model's loss is
 * checked against the same arithmetic written out in C here, and every
 * gradient against central finite differences of the interpreter's loss; the
 * MgField descriptions against the declarations; a label outside its range
 * stops the run with a message.  The compiled models (mgc's C, built as
 * t_in_NAME) against the interpreter: loss, gradients and logits to 1e-12.
 * The trainer on examples in memory (mg_cli_main_examples): the first loss
 * against the mean written out, compiled against interpreted, threads and a
 * resumed run bit for bit, grad of one example.  Evaluation: eval's mean loss
 * and accuracy, predict's CSV, the validation columns of the log (--val,
 * --val-split, resumed) against the same figures computed here, and the errors. */
#define _DEFAULT_SOURCE     /* mkdtemp */
#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arena.h"
#include "interp.h"
#include "mg_checkpoint.h"
#include "mg_cli.h"
#include "mg_dataset.h"
#include "mg_model.h"
#include "pipeline.h"
#include "../common/interp_model.h"
#include "../common/trainer.h"

static void teardown(void) { arena_free_all(); }
TestSuite(inputs, .fini = teardown);

#define DIR MGC_SOURCE_DIR "/tests/inputs/"

/* a small deterministic generator */
static unsigned long long lcg = 12345;
static double uniform(void)
{
    lcg = lcg * 6364136223846793005ULL + 1442695040888963407ULL;
    return (double)(lcg >> 11) * (1.0 / 9007199254740992.0) * 2 - 1;
}

static double rel(double a, double b)
{
    double s = fmax(fabs(a), fabs(b));
    return s == 0 ? 0 : fabs(a - b) / s;
}

/* every gradient of m at p against central differences of its loss */
static void check_fd(const MgModel *m, double *p, const double *const *x, int T)
{
    double *g = calloc(m->n_scalars, sizeof *g), *scratch = calloc(m->scratch + 1, sizeof *scratch);
    double *g2 = calloc(m->n_scalars, sizeof *g2);
    m->loss_grad_x(m->ctx, p, g, x, T, scratch);
    for (size_t k = 0; k < m->n_scalars; k++) {
        double h = 1e-6, old = p[k];
        p[k] = old + h;
        double up = m->loss_grad_x(m->ctx, p, g2, x, T, scratch);
        p[k] = old - h;
        double down = m->loss_grad_x(m->ctx, p, g2, x, T, scratch);
        p[k] = old;
        double fd = (up - down) / (2 * h);
        cr_expect(fabs(fd - g[k]) <= 1e-6 * fmax(1, fabs(g[k])), "%s: d/dp[%zu] = %.12g, differences say %.12g",
                  m->name, k, g[k], fd);
    }
    free(g);
    free(g2);
    free(scratch);
}

Test(inputs, regression_loss_and_gradient)
{
    MgModel m = interp_model(DIR "reg.mg", "reg");
    cr_assert_eq(m.n_inputs, 2);
    cr_assert_null(m.loss_grad);
    cr_assert_eq(m.vocab, 0);
    cr_expect_str_eq(m.inputs[0].name, "x");
    cr_expect_eq(m.inputs[1].is_int, 0);
    cr_expect_eq(m.inputs[1].rank, 0);
    cr_expect_eq(m.inputs[1].size, 1);
    cr_expect_null(m.forward_x, "no logits, no outputs");
    double p[2] = {0.7, -0.2}, g[2], xv = 1.5, tv = 0.4;
    const double *x[2] = {&xv, &tv};
    double loss = m.loss_grad_x(m.ctx, p, g, x, 1, NULL);
    double r = p[0] * xv + p[1] - tv;
    cr_expect(rel(loss, r * r) <= 1e-15, "loss %.17g, expected %.17g", loss, r * r);
    cr_expect(rel(g[0], 2 * r * xv) <= 1e-15, "d/da %.17g, expected %.17g", g[0], 2 * r * xv);
    cr_expect(rel(g[1], 2 * r) <= 1e-15, "d/db %.17g, expected %.17g", g[1], 2 * r);
    check_fd(&m, p, x, 1);
    interp_free_model(&m);
}

/* the classifier of cls.mg written out */
static double cls_loss(const double *p, const double *x, int y, double *logits)
{
    const double *w1 = p, *b1 = p + 8, *w2 = p + 12;
    double h[4];
    for (int j = 0; j < 4; j++)
        h[j] = tanh((w1[j * 2] * x[0] + w1[j * 2 + 1] * x[1]) + b1[j]);
    double s = 0;
    for (int c = 0; c < 3; c++) {
        logits[c] = 0;
        for (int j = 0; j < 4; j++)
            logits[c] += w2[c * 4 + j] * h[j];
        s += exp(logits[c]);
    }
    return log(s) - logits[y];
}

Test(inputs, classifier_loss_logits_and_gradient)
{
    MgModel m = interp_model(DIR "cls.mg", "cls");
    cr_assert_eq(m.n_inputs, 2);
    cr_expect_eq(m.inputs[0].rank, 1);
    cr_expect_eq(m.inputs[0].shape[0], 2);
    cr_expect_eq(m.inputs[1].is_int, 1);
    cr_expect_eq(m.inputs[1].range, 3);
    cr_expect_eq(m.inputs[1].size, 1);
    cr_assert_eq(m.n_scalars, 24);
    cr_assert_eq(m.n_out, 3);
    double p[24];
    for (int k = 0; k < 24; k++)
        p[k] = uniform();
    for (int y = 0; y < 3; y++) {
        double xv[2] = {uniform(), uniform()}, yv = y, want[3];
        const double *x[2] = {xv, &yv};
        double g[24];
        double loss = m.loss_grad_x(m.ctx, p, g, x, 1, NULL), expect = cls_loss(p, xv, y, want);
        cr_expect(rel(loss, expect) <= 1e-14, "label %d: loss %.17g, expected %.17g", y, loss, expect);
        const double *out = m.forward_x(m.ctx, p, x, 1, NULL);
        for (int c = 0; c < 3; c++)
            cr_expect(rel(out[c], want[c]) <= 1e-14, "logits[%d] %.17g, expected %.17g", c, out[c], want[c]);
        check_fd(&m, p, x, 1);
    }
    interp_free_model(&m);
}

Test(inputs, runtime_length_real_input)
{
    MgModel m = interp_model(DIR "seq.mg", "seq");
    cr_assert_eq(m.block_size, 5);
    cr_expect_eq(m.inputs[0].rank, 2);
    cr_expect_eq(m.inputs[0].shape[0], 5);
    cr_expect_eq(m.inputs[0].shape[1], 3);
    double p[6], xs[15], yv = 1;
    for (int k = 0; k < 6; k++)
        p[k] = uniform();
    for (int k = 0; k < 15; k++)
        xs[k] = uniform();
    const double *x[2] = {xs, &yv};
    for (int T = 1; T <= 5; T += 2) {
        double s[2] = {0, 0}, g[6];
        for (int c = 0; c < 2; c++)
            for (int t = 0; t < T; t++)
                for (int i = 0; i < 3; i++)
                    s[c] += p[c * 3 + i] * xs[t * 3 + i];
        double expect = log(exp(s[0]) + exp(s[1])) - s[1];
        double loss = m.loss_grad_x(m.ctx, p, g, x, T, NULL);
        cr_expect(rel(loss, expect) <= 1e-14, "T = %d: loss %.17g, expected %.17g", T, loss, expect);
        check_fd(&m, p, x, T);
    }
    interp_free_model(&m);
}

Test(inputs, label_out_of_range, .exit_code = 1)
{
    MgModel m = interp_model(DIR "cls.mg", "cls");
    double p[24] = {0}, g[24], xv[2] = {0, 0}, yv = 3;
    const double *x[2] = {xv, &yv};
    m.loss_grad_x(m.ctx, p, g, x, 1, NULL);
}

/* ---- the compiled models against the interpreter ---- */

extern const MgModel t_in_cls_model, t_in_reg_model, t_in_seq_model;

static void check_compiled(const MgModel *c, const char *name, int T)
{
    MgModel m = interp_model(arena_printf(DIR "%s.mg", name), name);
    cr_assert_eq(c->n_inputs, m.n_inputs);
    cr_assert_eq(c->n_scalars, m.n_scalars);
    cr_assert_eq(c->n_out, m.n_out);
    cr_assert_null(c->loss_grad);
    for (int f = 0; f < m.n_inputs; f++) {
        cr_expect_str_eq(c->inputs[f].name, m.inputs[f].name);
        cr_expect_eq(c->inputs[f].is_int, m.inputs[f].is_int);
        cr_expect_eq(c->inputs[f].range, m.inputs[f].range);
        cr_expect_eq(c->inputs[f].size, m.inputs[f].size);
    }
    double *p = calloc(m.n_scalars, sizeof *p), *gc = calloc(m.n_scalars, sizeof *gc);
    double *gi = calloc(m.n_scalars, sizeof *gi), *scratch = calloc(c->scratch + 1, sizeof *scratch);
    double *vals[8];
    const double *x[8];
    for (int trial = 0; trial < 5; trial++) {
        for (size_t k = 0; k < m.n_scalars; k++)
            p[k] = uniform();
        for (int f = 0; f < m.n_inputs; f++) {
            vals[f] = calloc(m.inputs[f].size, sizeof *vals[f]);
            for (size_t k = 0; k < m.inputs[f].size; k++)
                vals[f][k] = m.inputs[f].is_int ? (double)((trial + k) % (size_t)m.inputs[f].range) : uniform();
            x[f] = vals[f];
        }
        double lc = c->loss_grad_x(c->ctx, p, gc, x, T, scratch);
        double li = m.loss_grad_x(m.ctx, p, gi, x, T, NULL);
        cr_expect(rel(lc, li) <= 1e-12, "%s: compiled loss %.17g, interpreted %.17g", name, lc, li);
        for (size_t k = 0; k < m.n_scalars; k++)
            cr_expect(fabs(gc[k] - gi[k]) <= 1e-12 * fmax(1, fabs(gi[k])), "%s: gradient %zu: compiled %.17g, "
                      "interpreted %.17g", name, k, gc[k], gi[k]);
        if (m.forward_x) {
            const double *oi = m.forward_x(m.ctx, p, x, T, NULL);
            double *keep = malloc(m.n_out * sizeof *keep);
            memcpy(keep, oi, m.n_out * sizeof *keep);
            const double *oc = c->forward_x(c->ctx, p, x, T, scratch);
            for (size_t k = 0; k < m.n_out; k++)
                cr_expect(oc[k] == keep[k], "%s: logits[%zu]: compiled %.17g, interpreted %.17g", name, k, oc[k],
                          keep[k]);
            free(keep);
        } else {
            cr_expect_null(c->forward_x);
        }
        for (int f = 0; f < m.n_inputs; f++)
            free(vals[f]);
    }
    free(p);
    free(gc);
    free(gi);
    free(scratch);
    interp_free_model(&m);
}

Test(inputs, compiled_classifier) { check_compiled(&t_in_cls_model, "cls", 1); }
Test(inputs, compiled_regression) { check_compiled(&t_in_reg_model, "reg", 1); }
Test(inputs, compiled_runtime_length) { check_compiled(&t_in_seq_model, "seq", 1); check_compiled(&t_in_seq_model, "seq", 4); }

/* ---- the trainer on examples in memory ---- */

/* n examples of cls.mg's two inputs: points and labels */
static MgExamples cls_examples(const MgModel *m, size_t n, double *xs, double *ys)
{
    static double *data[2];
    for (size_t i = 0; i < n; i++) {
        xs[2 * i] = uniform();
        xs[2 * i + 1] = uniform();
        ys[i] = (double)(i % 3);
    }
    data[0] = xs;
    data[1] = ys;
    return (MgExamples){.source = "points (in memory)", .n = n, .nfields = 2, .fields = (MgField *)m->inputs,
                        .data = data};
}

static int trainer(const MgModel *m, const MgExamples *ex, const char *args)
{
    return trainer_call(m, ex, "cls", args, NULL);
}

Test(inputs, trainer_on_examples)
{
    char dir[] = "/tmp/mgc_inputs_XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    const MgModel *c = &t_in_cls_model;
    MgModel m = interp_model(DIR "cls.mg", "cls");
    enum { N = 8 };
    double xs[2 * N], ys[N];
    MgExamples ex = cls_examples(c, N, xs, ys);
    char args[512], path[512];

    /* the initial parameters, then the full-batch loss of step 1 by hand */
    snprintf(args, sizeof args, "train --steps 0 --save %s/p0.ckpt", dir);
    cr_assert_eq(trainer(c, &ex, args), 0);
    double p0[24], g[24], mean = 0;
    MgVocab v;
    long step;
    MgErr e;
    snprintf(path, sizeof path, "%s/p0.ckpt", dir);
    cr_assert_eq(mg_ckpt_load(path, c, p0, &v, &step, &e), 0, "%s", e.msg);
    for (size_t i = 0; i < N; i++) {
        const double *x[2] = {xs + 2 * i, ys + i};
        mean += m.loss_grad_x(m.ctx, p0, g, x, 1, NULL) / N;
    }

    /* compiled, compiled on 2 threads, interpreted: 3 steps of the whole batch */
    double lc[4], lt[4], li[4];
    snprintf(args, sizeof args, "train --steps 3 --batch %d --log %s/c.csv", N, dir);
    cr_assert_eq(trainer(c, &ex, args), 0);
    snprintf(args, sizeof args, "train --steps 3 --batch %d --threads 2 --log %s/t.csv", N, dir);
    cr_assert_eq(trainer(c, &ex, args), 0);
    snprintf(args, sizeof args, "train --steps 3 --batch %d --log %s/i.csv", N, dir);
    cr_assert_eq(trainer(&m, &ex, args), 0);
    snprintf(path, sizeof path, "%s/c.csv", dir);
    cr_assert_eq(trainer_log_losses(path, lc, 4), 3);
    snprintf(path, sizeof path, "%s/t.csv", dir);
    cr_assert_eq(trainer_log_losses(path, lt, 4), 3);
    snprintf(path, sizeof path, "%s/i.csv", dir);
    cr_assert_eq(trainer_log_losses(path, li, 4), 3);
    cr_expect(rel(lc[0], mean) <= 1e-12, "step 1: loss %.17g, the mean by hand %.17g", lc[0], mean);
    for (int s = 0; s < 3; s++) {
        cr_expect(lt[s] == lc[s], "step %d: 2 threads %.17g, 1 thread %.17g", s + 1, lt[s], lc[s]);
        cr_expect(rel(li[s], lc[s]) <= 1e-12, "step %d: interpreted %.17g, compiled %.17g", s + 1, li[s], lc[s]);
    }
    cr_expect(lc[2] < lc[0], "the loss did not fall: %.17g then %.17g", lc[0], lc[2]);

    /* batches of 3, resumed from a checkpoint: the bits of one run (cls.mg keeps
     * its rate: no decay, so a run of 2 steps goes on as one of 4 would) */
    double a[24], b[24];
    snprintf(args, sizeof args, "train --steps 4 --batch 3 --save %s/a.ckpt", dir);
    cr_assert_eq(trainer(c, &ex, args), 0);
    snprintf(args, sizeof args, "train --steps 2 --batch 3 --save %s/b.ckpt", dir);
    cr_assert_eq(trainer(c, &ex, args), 0);
    snprintf(args, sizeof args, "train --steps 4 --load %s/b.ckpt --save %s/b.ckpt", dir, dir);
    cr_assert_eq(trainer(c, &ex, args), 0);
    snprintf(path, sizeof path, "%s/a.ckpt", dir);
    cr_assert_eq(mg_ckpt_load(path, c, a, &v, &step, &e), 0, "%s", e.msg);
    snprintf(path, sizeof path, "%s/b.ckpt", dir);
    cr_assert_eq(mg_ckpt_load(path, c, b, &v, &step, &e), 0, "%s", e.msg);
    cr_expect_eq(step, 4);
    cr_expect(memcmp(a, b, sizeof a) == 0, "a resumed run differs from a straight one");

    /* grad: example 5's loss and gradients, as the interpreter's */
    snprintf(args, sizeof args, "grad --load %s/p0.ckpt --doc 5 --out %s/g.st", dir, dir);
    cr_assert_eq(trainer(c, &ex, args), 0);
    snprintf(args, sizeof args, "grad --load %s/p0.ckpt --doc 8 --out %s/g.st", dir, dir);
    cr_expect_eq(trainer(c, &ex, args), 1, "example 8 of 8 was accepted");
    interp_free_model(&m);
    snprintf(args, sizeof args, "rm -r %s", dir);
    cr_expect_eq(system(args), 0);
}

Test(inputs, trainer_refuses_text_commands)
{
    double xs[6], ys[3];
    MgExamples ex = cls_examples(&t_in_cls_model, 3, xs, ys);
    cr_expect_eq(trainer(&t_in_cls_model, &ex, "sample"), 1);
    ys[1] = 3;
    cr_expect_eq(trainer(&t_in_cls_model, &ex, "train --steps 1"), 1, "a label out of its range was trained on");
    const char *argv[] = {"trainer", "train", NULL};
    cr_expect_eq(mg_cli_main(&t_in_cls_model, "cls", 2, (char **)argv), 1, "trained without --data");
}

/* `train --data FILE.csv` reads the examples with the dataset readers: the
 * same losses, bit for bit, as the same examples given in memory; a file
 * that does not fit the model is refused */
Test(inputs, trainer_reads_data_file)
{
    char dir[] = "/tmp/mgc_inputs_XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    const MgModel *c = &t_in_cls_model;
    enum { N = 8 };
    double xs[2 * N], ys[N];
    MgExamples ex = cls_examples(c, N, xs, ys);
    char path[512], args[1024], *argv[16];
    snprintf(path, sizeof path, "%s/points.csv", dir);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fprintf(f, "id,y,x[1],x[0]\n");     /* columns in any order; id is not an input */
    for (int i = 0; i < N; i++)
        fprintf(f, "%d,%d,%.17g,%.17g\n", i, (int)ys[i], xs[2 * i + 1], xs[2 * i]);
    cr_assert_eq(fclose(f), 0);

    snprintf(args, sizeof args, "train --steps 3 --batch 3 --log %s/mem.csv", dir);
    cr_assert_eq(trainer(c, &ex, args), 0);
    char a1[600], a2[600], a3[600];
    snprintf(a1, sizeof a1, "--data=%s", path);
    snprintf(a2, sizeof a2, "--log=%s/file.csv", dir);
    snprintf(a3, sizeof a3, "--data=%s/missing.csv", dir);
    int argc = 0;
    argv[argc++] = "trainer";
    argv[argc++] = "train";
    argv[argc++] = "--steps=3";
    argv[argc++] = "--batch=3";
    argv[argc++] = a1;
    argv[argc++] = a2;
    argv[argc] = NULL;
    cr_assert_eq(mg_cli_main(c, "cls", argc, argv), 0);
    double lm[4], lf[4];
    snprintf(path, sizeof path, "%s/mem.csv", dir);
    cr_assert_eq(trainer_log_losses(path, lm, 4), 3);
    snprintf(path, sizeof path, "%s/file.csv", dir);
    cr_assert_eq(trainer_log_losses(path, lf, 4), 3);
    for (int s = 0; s < 3; s++)
        cr_expect(lf[s] == lm[s], "step %d: from the file %.17g, in memory %.17g", s + 1, lf[s], lm[s]);

    argv[4] = a3;       /* a file that is not there */
    cr_expect_eq(mg_cli_main(c, "cls", argc, argv), 1);
    snprintf(path, sizeof path, "%s/bad.csv", dir);     /* a label out of its range */
    f = fopen(path, "w");
    cr_assert_not_null(f);
    fprintf(f, "x[0],x[1],y\n0.5,0.5,3\n");
    cr_assert_eq(fclose(f), 0);
    snprintf(a1, sizeof a1, "--data=%s", path);
    argv[4] = a1;
    cr_expect_eq(mg_cli_main(c, "cls", argc, argv), 1, "a label of 3 for y < 3 was accepted");
    snprintf(args, sizeof args, "rm -r %s", dir);
    cr_expect_eq(system(args), 0);
}

/* cls.mg's trainer's --help, read back from the redirected standard output
 * (tests with .init = cr_redirect_stdout) */
static const char *cls_help(void)
{
    char *argv[] = {"trainer", "--help", NULL};
    cr_assert_eq(mg_cli_main(&t_in_cls_model, "cls", 2, argv), 0);
    fflush(stdout);
    FILE *f = cr_get_redirected_stdout();
    static char text[1 << 16];
    size_t n = fread(text, 1, sizeof text - 1, f);
    text[n] = 0;
    return text;
}

/* the trainer's --help for a model of examples names its inputs and says
 * what --data takes, not the text model's documents */
Test(inputs, help_names_the_inputs, .init = cr_redirect_stdout)
{
    const char *text = cls_help();
    cr_expect(strstr(text, "inputs x[2], y < 3;") != NULL, "the inputs are not named:\n%s", text);
    cr_expect(strstr(text, "--data FILE         the examples (required)") != NULL, "--data is not explained:\n%s", text);
    cr_expect(strstr(text, "documents, one per line") == NULL, "a text model's --data:\n%s", text);
}

/* a model of more inputs than the trainer's table of 64 is refused, not
 * overrun (the check held only for examples given in memory before) */
Test(inputs, trainer_refuses_65_inputs)
{
    char dir[] = "/tmp/mgc_inputs_XXXXXX", path[600], csv[600], data[700];
    cr_assert_not_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/wide.mg", dir);
    snprintf(csv, sizeof csv, "%s/wide.csv", dir);
    FILE *f = fopen(path, "w"), *g = fopen(csv, "w");
    cr_assert(f && g);
    for (int i = 0; i < 65; i++) {
        fprintf(f, "input a%d\n", i);
        fprintf(g, "%sa%d", i ? "," : "", i);
    }
    fprintf(f, "param w[1] ~ gauss(0, 1)\n");
    fprintf(f, "loss = w[0] * (a0 + a64)\n");
    fputs("\n", g);
    for (int i = 0; i < 65; i++)
        fprintf(g, "%s1", i ? "," : "");
    fputs("\n", g);
    cr_assert_eq(fclose(f), 0);
    cr_assert_eq(fclose(g), 0);
    MgModel m = interp_model(path, "wide");
    cr_assert_eq(m.n_inputs, 65);
    snprintf(data, sizeof data, "--data=%s", csv);
    char *argv[] = {"trainer", "train", "--steps=1", data, NULL};
    cr_expect_eq(mg_cli_main(&m, "wide", 4, argv), 1, "65 inputs were trained");
    interp_free_model(&m);
    snprintf(path, sizeof path, "rm -r %s", dir);
    cr_expect_eq(system(path), 0);
}

/* ---- evaluation: eval, predict, a validation set while training ---- */

/* run the trainer of m on ex (NULL: --data) with args, its standard output into `out` */
static int trainer_to(const MgModel *m, const MgExamples *ex, const char *args, const char *out)
{
    return trainer_call(m, ex, "cls", args, out);
}

/* the whole of a small file */
static char *slurp(const char *path)
{
    static char text[1 << 16];
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "no file %s", path);
    size_t n = fread(text, 1, sizeof text - 1, f);
    text[n] = 0;
    fclose(f);
    return text;
}

/* the parameters of a checkpoint of cls.mg */
static void cls_params(const char *path, double *p)
{
    MgVocab v;
    long step;
    MgErr e;
    cr_assert_eq(mg_ckpt_load(path, &t_in_cls_model, p, &v, &step, &e), 0, "%s", e.msg);
    mg_vocab_free(&v);
}

/* the mean loss of examples [0, n) of xs, ys under p, summed in order by the
 * interpreter, and the examples whose first largest logit is the label */
static double cls_mean(const MgModel *m, const double *p, const double *xs, const double *ys, size_t n, int *correct)
{
    double sum = 0, g[24];
    *correct = 0;
    for (size_t i = 0; i < n; i++) {
        const double *x[2] = {xs + 2 * i, ys + i};
        sum += m->loss_grad_x(m->ctx, p, g, x, 1, NULL);
        const double *out = m->forward_x(m->ctx, p, x, 1, NULL);
        int best = 0;
        for (int c = 1; c < 3; c++)
            if (out[c] > out[best]) best = c;
        *correct += best == (int)ys[i];
    }
    return sum / (double)n;
}

/* eval: the mean loss and accuracy, as the interpreter's written out here,
 * the same for every --threads; a model without a classifier's label has no
 * accuracy */
Test(inputs, eval_loss_and_accuracy)
{
    char dir[] = "/tmp/mgc_inputs_XXXXXX", args[1024], path[600], out[600];
    cr_assert_not_null(mkdtemp(dir));
    const MgModel *c = &t_in_cls_model;
    MgModel m = interp_model(DIR "cls.mg", "t_in_cls");   /* the name its checkpoints carry */
    enum { N = 30 };
    double xs[2 * N], ys[N], p[24];
    MgExamples ex = cls_examples(c, N, xs, ys);
    snprintf(args, sizeof args, "train --steps 20 --batch 5 --save %s/ck", dir);
    cr_assert_eq(trainer(c, &ex, args), 0);
    snprintf(path, sizeof path, "%s/ck", dir);
    cls_params(path, p);
    int correct;
    double mean = cls_mean(&m, p, xs, ys, N, &correct);

    double loss, acc;
    unsigned long n, k, total;
    snprintf(args, sizeof args, "eval --load %s/ck", dir);
    snprintf(out, sizeof out, "%s/eval.txt", dir);
    cr_assert_eq(trainer_to(&m, &ex, args, out), 0);
    char *text = slurp(out);
    cr_assert_eq(sscanf(text, "eval: %lu examples, loss %lf, accuracy %lf%% (%lu/%lu)\n", &n, &loss, &acc, &k, &total),
                 5, "eval printed '%s'", text);
    cr_expect_eq(n, N);
    cr_expect(loss == mean, "interpreted: loss %.17g, the mean here %.17g", loss, mean);
    cr_expect_eq(k, (unsigned long)correct, "%lu correct, %d here", k, correct);
    cr_expect_eq(total, N);
    cr_expect(fabs(acc - 100.0 * correct / N) < 0.005, "accuracy %.2f%%, %d/%d here", acc, correct, N);

    cr_assert_eq(trainer_to(c, &ex, args, out), 0);
    char one[256];
    snprintf(one, sizeof one, "%s", slurp(out));
    cr_assert_eq(sscanf(one, "eval: %lu examples, loss %lf, accuracy %lf%% (%lu/%lu)\n", &n, &loss, &acc, &k, &total), 5);
    cr_expect(rel(loss, mean) <= 1e-12, "compiled: loss %.17g, the mean here %.17g", loss, mean);
    cr_expect_eq(k, (unsigned long)correct);
    snprintf(args, sizeof args, "eval --load %s/ck --threads 2", dir);
    cr_assert_eq(trainer_to(c, &ex, args, out), 0);
    cr_expect_str_eq(slurp(out), one, "--threads 2 changed eval's line");

    /* the regression has no logits and no label: a loss only */
    double rx[4] = {1, 2, 3, 4}, rt[4] = {2, 4, 6, 8}, *rd[2] = {rx, rt};
    MgExamples rex = {.source = "line (in memory)", .n = 4, .nfields = 2, .fields = (MgField *)t_in_reg_model.inputs,
                      .data = rd};
    MgModel rm = interp_model(DIR "reg.mg", "t_in_reg");
    snprintf(args, sizeof args, "train --steps 0 --save %s/reg.ck", dir);
    cr_assert_eq(trainer(&t_in_reg_model, &rex, args), 0);
    double rp[2], g[2], rsum = 0;
    MgVocab v;
    long step;
    MgErr e;
    snprintf(path, sizeof path, "%s/reg.ck", dir);
    cr_assert_eq(mg_ckpt_load(path, &t_in_reg_model, rp, &v, &step, &e), 0, "%s", e.msg);
    for (int i = 0; i < 4; i++) {
        const double *x[2] = {rx + i, rt + i};
        rsum += rm.loss_grad_x(rm.ctx, rp, g, x, 1, NULL);
    }
    snprintf(args, sizeof args, "eval --load %s/reg.ck", dir);
    cr_assert_eq(trainer_to(&rm, &rex, args, out), 0);
    text = slurp(out);
    cr_assert_eq(sscanf(text, "eval: %lu examples, loss %lf\n", &n, &loss), 2, "eval printed '%s'", text);
    cr_expect(loss == rsum / 4, "regression: loss %.17g, the mean here %.17g", loss, rsum / 4);
    cr_expect(strstr(text, "accuracy") == NULL, "a regression has an accuracy: %s", text);
    interp_free_model(&rm);
    interp_free_model(&m);
    snprintf(args, sizeof args, "rm -r %s", dir);
    cr_expect_eq(system(args), 0);
}

/* points and labels of cls_examples as a CSV file */
static void cls_csv(const char *path, const double *xs, const double *ys, size_t n)
{
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fprintf(f, "x[0],x[1],y\n");
    for (size_t i = 0; i < n; i++)
        fprintf(f, "%.17g,%.17g,%d\n", xs[2 * i], xs[2 * i + 1], (int)ys[i]);
    cr_assert_eq(fclose(f), 0);
}

/* predict: the CSV read back holds forward_x's logits bit for bit, and
 * their argmax; it may not overwrite its input; a model without logits is
 * refused */
Test(inputs, predict_writes_the_logits)
{
    char dir[] = "/tmp/mgc_inputs_XXXXXX", args[1024], path[200], out[200];
    cr_assert_not_null(mkdtemp(dir));
    const MgModel *c = &t_in_cls_model;
    enum { N = 12 };
    double xs[2 * N], ys[N], p[24];
    MgExamples ex = cls_examples(c, N, xs, ys);
    snprintf(path, sizeof path, "%s/points.csv", dir);
    cls_csv(path, xs, ys, N);
    snprintf(args, sizeof args, "train --steps 5 --data %s --save %s/ck", path, dir);
    cr_assert_eq(trainer(c, NULL, args), 0);
    snprintf(out, sizeof out, "%s/ck", dir);
    cls_params(out, p);
    snprintf(args, sizeof args, "predict --load %s/ck --data %s -o %s/pred.csv", dir, path, dir);
    cr_assert_eq(trainer(c, NULL, args), 0);
    snprintf(out, sizeof out, "%s/pred.csv", dir);
    FILE *f = fopen(out, "r");
    cr_assert_not_null(f);
    char line[512];
    cr_assert_not_null(fgets(line, sizeof line, f));
    cr_expect_str_eq(line, "logits[0],logits[1],logits[2],class\n");
    double *scratch = calloc(c->scratch + 1, sizeof *scratch);
    for (int i = 0; i < N; i++) {
        double y[3];
        int cls;
        cr_assert_not_null(fgets(line, sizeof line, f), "row %d is missing", i + 1);
        cr_assert_eq(sscanf(line, "%lf,%lf,%lf,%d\n", &y[0], &y[1], &y[2], &cls), 4, "row '%s'", line);
        const double *x[2] = {xs + 2 * i, ys + i};
        const double *want = c->forward_x(c->ctx, p, x, 1, scratch);
        int best = 0;
        for (int k = 0; k < 3; k++) {
            cr_expect(y[k] == want[k], "example %d logits[%d]: %.17g, forward_x %.17g", i, k, y[k], want[k]);
            if (want[k] > want[best]) best = k;
        }
        cr_expect_eq(cls, best, "example %d: class %d, argmax %d", i, cls, best);
    }
    cr_expect_null(fgets(line, sizeof line, f), "a row too many: %s", line);
    fclose(f);
    free(scratch);

    /* the examples given in memory, to standard output: the same rows */
    char same[200];
    snprintf(same, sizeof same, "%s", out);
    snprintf(args, sizeof args, "predict --load %s/ck", dir);
    snprintf(out, sizeof out, "%s/stdout.csv", dir);
    cr_assert_eq(trainer_to(c, &ex, args, out), 0);
    char copy[1 << 14];
    snprintf(copy, sizeof copy, "%s", slurp(same));
    cr_expect_str_eq(slurp(out), copy, "predict to standard output differs from -o");

    snprintf(args, sizeof args, "predict --load %s/ck --data %s -o %s", dir, path, path);
    cr_expect_eq(trainer(c, NULL, args), 1, "predict wrote over its data");
    char *text = slurp(path);
    cr_expect(strncmp(text, "x[0],x[1],y\n", 12) == 0, "the data was changed: %.40s", text);
    snprintf(args, sizeof args, "predict --load %s/ck", dir);
    double rx[1] = {1}, rt[1] = {2}, *rd[2] = {rx, rt};
    MgExamples rex = {.source = "line", .n = 1, .nfields = 2, .fields = (MgField *)t_in_reg_model.inputs, .data = rd};
    cr_expect_eq(trainer(&t_in_reg_model, &rex, args), 1, "predict ran a model without logits");
    snprintf(args, sizeof args, "rm -r %s", dir);
    cr_expect_eq(system(args), 0);
}

/* a --log's columns val_loss and val_accuracy: NAN for an empty cell;
 * returns the rows read (steps 1, 2, ...) */
static int log_val(const char *path, double *vl, double *va, int cap, char *head, size_t headcap)
{
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "no log %s", path);
    char line[256];
    int n = 0;
    cr_assert_not_null(fgets(line, sizeof line, f));
    snprintf(head, headcap, "%s", line);
    while (n < cap && fgets(line, sizeof line, f)) {
        char *cell = line;
        for (int k = 0; k < 4; k++) {
            cell = strchr(cell, ',');
            cr_assert_not_null(cell, "log line '%s' has no column %d", line, k + 5);
            cell++;
        }
        vl[n] = *cell == ',' || *cell == '\n' ? NAN : strtod(cell, NULL);
        cell = strchr(cell, ',');
        va[n] = !cell || cell[1] == '\n' ? NAN : strtod(cell + 1, NULL);
        n++;
    }
    fclose(f);
    return n;
}

/* train --val FILE: val_loss and val_accuracy in the log at steps 2, 4, 6
 * (--eval-every 2), empty between, each the mean written out here with the
 * parameters of a run of that many steps */
Test(inputs, validation_file_in_the_log)
{
    char dir[] = "/tmp/mgc_inputs_XXXXXX", args[1024], data[200], val[200], path[200], head[256];
    cr_assert_not_null(mkdtemp(dir));
    const MgModel *c = &t_in_cls_model;
    MgModel m = interp_model(DIR "cls.mg", "t_in_cls");
    enum { N = 30, V = 10 };
    double xs[2 * N], ys[N], vx[2 * V], vy[V], p[24];
    cls_examples(c, N, xs, ys);
    cls_examples(c, V, vx, vy);
    snprintf(data, sizeof data, "%s/points.csv", dir);
    snprintf(val, sizeof val, "%s/val.csv", dir);
    cls_csv(data, xs, ys, N);
    cls_csv(val, vx, vy, V);
    snprintf(args, sizeof args, "train --steps 6 --batch 5 --data %s --val %s --eval-every 2 --log %s/log.csv", data,
             val, dir);
    cr_assert_eq(trainer(c, NULL, args), 0);
    double vl[8], va[8];
    snprintf(path, sizeof path, "%s/log.csv", dir);
    cr_assert_eq(log_val(path, vl, va, 8, head, sizeof head), 6);
    cr_expect_str_eq(head, "step,loss,lr,elapsed,val_loss,val_accuracy\n");
    for (int s = 1; s <= 6; s++) {
        if (s % 2) {
            cr_expect(isnan(vl[s - 1]) && isnan(va[s - 1]), "step %d has validation figures", s);
            continue;
        }
        snprintf(args, sizeof args, "train --steps %d --batch 5 --data %s --save %s/ck", s, data, dir);
        cr_assert_eq(trainer(c, NULL, args), 0);
        snprintf(path, sizeof path, "%s/ck", dir);
        cls_params(path, p);
        int correct;
        double mean = cls_mean(&m, p, vx, vy, V, &correct);
        cr_expect(rel(vl[s - 1], mean) <= 1e-12, "step %d: val_loss %.17g, the mean here %.17g", s, vl[s - 1], mean);
        cr_expect(va[s - 1] == (double)correct / V, "step %d: val_accuracy %.17g, here %d/%d", s, va[s - 1], correct, V);
    }
    interp_free_model(&m);
    snprintf(args, sizeof args, "rm -r %s", dir);
    cr_expect_eq(system(args), 0);
}

/* the index of example (x, y) in xs, ys, or -1 */
static int find_example(const double *xs, const double *ys, size_t n, const double *x, double y)
{
    for (size_t i = 0; i < n; i++)
        if (xs[2 * i] == x[0] && xs[2 * i + 1] == x[1] && ys[i] == y) return (int)i;
    return -1;
}

/* --val-split: two disjoint parts whose union is the data; training sees
 * only its part (step 1's full-batch loss), val_loss is the other's; a
 * resumed run (after --save-every) writes the log of a straight one */
Test(inputs, validation_split)
{
    char dir[] = "/tmp/mgc_inputs_XXXXXX", args[1024], data[200], path[200], head[256];
    cr_assert_not_null(mkdtemp(dir));
    const MgModel *c = &t_in_cls_model;
    MgModel m = interp_model(DIR "cls.mg", "t_in_cls");
    enum { N = 20 };
    double xs[2 * N], ys[N], p[24];
    cls_examples(c, N, xs, ys);
    snprintf(data, sizeof data, "%s/points.csv", dir);
    cls_csv(data, xs, ys, N);
    MgExamples all, tr, va;
    MgErr e;
    cr_assert_eq(mg_examples_load(&all, data, c->inputs, c->n_inputs, &e), 0, "%s", e.msg);
    cr_assert_eq(mg_examples_split(&all, 0.3, 7, &tr, &va, &e), 0, "%s", e.msg);
    cr_assert_eq(va.n, 6);
    cr_assert_eq(tr.n, 14);
    int seen[N] = {0};
    for (size_t i = 0; i < va.n + tr.n; i++) {
        const MgExamples *part = i < va.n ? &va : &tr;
        size_t j = i < va.n ? i : i - va.n;
        int at = find_example(xs, ys, N, part->data[0] + 2 * j, part->data[1][j]);
        cr_assert(at >= 0, "example %zu of a part is not in the data", j);
        seen[at]++;
    }
    for (int i = 0; i < N; i++)
        cr_expect_eq(seen[i], 1, "example %d is in %d parts", i, seen[i]);

    /* step 1 of the whole training part: its mean; step 2's val_loss: the other part's */
    snprintf(args, sizeof args, "train --steps 0 --seed 7 --data %s --val-split 0.3 --save %s/p0", data, dir);
    cr_assert_eq(trainer(c, NULL, args), 0);
    snprintf(path, sizeof path, "%s/p0", dir);
    cls_params(path, p);
    int correct;
    double train0 = cls_mean(&m, p, tr.data[0], tr.data[1], tr.n, &correct);
    snprintf(args, sizeof args, "train --steps 2 --seed 7 --batch 14 --data %s --val-split 0.3 --save %s/p2 --log %s/a.csv",
             data, dir, dir);
    cr_assert_eq(trainer(c, NULL, args), 0);
    double loss[8], vl[8], vacc[8];
    snprintf(path, sizeof path, "%s/a.csv", dir);
    cr_assert_eq(trainer_log_losses(path, loss, 4), 2);
    cr_expect(rel(loss[0], train0) <= 1e-12, "step 1: loss %.17g, the training part's mean %.17g", loss[0], train0);
    cr_assert_eq(log_val(path, vl, vacc, 4, head, sizeof head), 2);
    snprintf(path, sizeof path, "%s/p2", dir);
    cls_params(path, p);
    double val2 = cls_mean(&m, p, va.data[0], va.data[1], va.n, &correct);
    cr_expect(rel(vl[1], val2) <= 1e-12, "step 2: val_loss %.17g, the held-out part's mean %.17g", vl[1], val2);
    cr_expect(vacc[1] == (double)correct / (double)va.n);

    /* 4 steps saved every 2, resumed to 6: the log of 6 straight steps (but elapsed) */
    snprintf(args, sizeof args, "train --steps 6 --batch 3 --data %s --val-split 0.3 --eval-every 2 --log %s/s.csv",
             data, dir);
    cr_assert_eq(trainer(c, NULL, args), 0);
    snprintf(args, sizeof args, "train --steps 4 --batch 3 --data %s --val-split 0.3 --eval-every 2 --save %s/r.ck "
             "--save-every 2 --log %s/r.csv", data, dir, dir);
    cr_assert_eq(trainer(c, NULL, args), 0);
    snprintf(args, sizeof args, "train --steps 6 --data %s --val-split 0.3 --eval-every 2 --load %s/r.ck --save %s/r.ck "
             "--log %s/r.csv", data, dir, dir, dir);
    cr_assert_eq(trainer(c, NULL, args), 0);
    snprintf(args, sizeof args, "cut -d, -f1-3,5- %s/s.csv > %s/s.cut && cut -d, -f1-3,5- %s/r.csv > %s/r.cut && "
             "cmp %s/s.cut %s/r.cut", dir, dir, dir, dir, dir, dir);
    cr_expect_eq(system(args), 0, "the resumed run's log differs");
    snprintf(path, sizeof path, "%s/r.csv", dir);
    cr_expect_eq(log_val(path, vl, vacc, 8, head, sizeof head), 6);
    cr_expect(!isnan(vl[3]) && !isnan(vl[5]) && isnan(vl[4]), "validation at the wrong steps of the resumed run");
    mg_examples_free(&all);
    mg_examples_free(&tr);
    mg_examples_free(&va);
    interp_free_model(&m);
    snprintf(args, sizeof args, "rm -r %s", dir);
    cr_expect_eq(system(args), 0);
}

/* eval, predict and validation refuse what they cannot do, each with one
 * error line and status 1 */
Test(inputs, evaluation_errors)
{
    char dir[] = "/tmp/mgc_inputs_XXXXXX", args[1024], data[200], bad[200];
    cr_assert_not_null(mkdtemp(dir));
    const MgModel *c = &t_in_cls_model;
    enum { N = 8 };
    double xs[2 * N], ys[N];
    MgExamples ex = cls_examples(c, N, xs, ys);
    snprintf(data, sizeof data, "%s/points.csv", dir);
    cls_csv(data, xs, ys, N);
    snprintf(bad, sizeof bad, "%s/bad.csv", dir);     /* no column x[1] */
    FILE *f = fopen(bad, "w");
    cr_assert_not_null(f);
    fprintf(f, "x[0],y\n0.5,1\n");
    cr_assert_eq(fclose(f), 0);
    snprintf(args, sizeof args, "train --steps 2 --data %s --val-split 0.25 --save %s/ck", data, dir);
    cr_assert_eq(trainer(c, NULL, args), 0);
    static const char *const refused[] = {
        "train --steps 1 --data %s --val %s --val-split 0.5",    /* two validation sets */
        "train --steps 1 --data %s --val-split 0",
        "train --steps 1 --data %s --val-split 1",
        "train --steps 1 --data %s --val-split 1.5",
        "train --steps 1 --data %s --val-split -0.5",
        "train --steps 1 --data %s --val-split 0.01",           /* no validation example of 8 */
        "train --steps 1 --data %s --val-split 0.97",           /* no training example */
        "train --steps 1 --data %s --eval-every 2",             /* nothing to evaluate */
        "train --steps 1 --data %s --val-split 0.5 --eval-every 0",
        "eval --data %s",                                       /* no --load */
        "train --steps 4 --data %s --load %s/ck",               /* resumed without its split */
        "train --steps 4 --data %s --val-split 0.5 --load %s/ck", /* another split */
    };
    for (size_t i = 0; i < sizeof refused / sizeof *refused; i++) {
        snprintf(args, sizeof args, refused[i], data, strstr(refused[i], "--val ") ? bad : dir);
        cr_expect_eq(trainer(c, NULL, args), 1, "accepted: %s", args);
    }
    snprintf(args, sizeof args, "train --steps 1 --data %s --val %s", data, bad);    /* the val file lacks x[1] */
    cr_expect_eq(trainer(c, NULL, args), 1, "accepted: %s", args);
    snprintf(args, sizeof args, "train --steps 4 --data %s --val-split 0.25 --load %s/ck", data, dir);
    cr_expect_eq(trainer(c, NULL, args), 0, "the same split was not resumed");

    /* a checkpoint of another model */
    double rx[1] = {1}, rt[1] = {2}, *rd[2] = {rx, rt};
    MgExamples rex = {.source = "line", .n = 1, .nfields = 2, .fields = (MgField *)t_in_reg_model.inputs, .data = rd};
    snprintf(args, sizeof args, "train --steps 0 --save %s/reg.ck", dir);
    cr_assert_eq(trainer(&t_in_reg_model, &rex, args), 0);
    snprintf(args, sizeof args, "eval --load %s/reg.ck", dir);
    cr_expect_eq(trainer(c, &ex, args), 1, "eval took a checkpoint of another model");
    snprintf(args, sizeof args, "predict --load %s/reg.ck", dir);
    cr_expect_eq(trainer(c, &ex, args), 1, "predict took a checkpoint of another model");

    /* a text model: eval and predict refused, and a validation set */
    MgModel bigram = interp_model(MGC_SOURCE_DIR "/models/bigram.mg", "bigram");
    char *ev[] = {"trainer", "eval", "--load", data, NULL}, *pr[] = {"trainer", "predict", "--load", data, NULL};
    char *tr[] = {"trainer", "train", "--steps", "1", "--val-split", "0.5", NULL};
    cr_expect_eq(mg_cli_main(&bigram, "bigram", 4, ev), 1, "eval ran a text model");
    cr_expect_eq(mg_cli_main(&bigram, "bigram", 4, pr), 1, "predict ran a text model");
    cr_expect_eq(mg_cli_main(&bigram, "bigram", 6, tr), 1, "a text model took --val-split");
    interp_free_model(&bigram);
    snprintf(args, sizeof args, "rm -r %s", dir);
    cr_expect_eq(system(args), 0);
}

/* the trainer's --help of a model of examples lists eval, predict and the
 * validation options */
Test(inputs, help_lists_evaluation, .init = cr_redirect_stdout)
{
    const char *text = cls_help();
    const char *want[] = {"\n  eval      ", "\n  predict   ", "\neval --load CKPT --data FILE\n",
                          "\npredict --load CKPT --data FILE [-o OUT.csv]\n", "\n  --val FILE ", "\n  --val-split F ",
                          "\n  --eval-every N "};
    for (size_t i = 0; i < sizeof want / sizeof *want; i++)
        cr_expect(strstr(text, want[i]) != NULL, "the help lacks '%s':\n%s", want[i], text);
}

/* ---- predict on data without labels (MgField.loss_only) ---- */

extern const MgModel t_in_embed_model;

/* the loss_only flags of the compiled model c and of the interpreter's model
 * of DIR NAME.mg, against `want` (one 0 or 1 per input) */
static void check_loss_only(const MgModel *c, const char *name, const int *want)
{
    MgModel m = interp_model(arena_printf(DIR "%s.mg", name), name);
    cr_assert_eq(c->n_inputs, m.n_inputs);
    for (int f = 0; f < m.n_inputs; f++) {
        cr_expect_eq(m.inputs[f].loss_only, want[f], "%s: interpreted input '%s': loss_only %d", name,
                     m.inputs[f].name, m.inputs[f].loss_only);
        cr_expect_eq(c->inputs[f].loss_only, want[f], "%s: compiled input '%s': loss_only %d", name,
                     c->inputs[f].name, c->inputs[f].loss_only);
    }
    interp_free_model(&m);
}

/* the label is loss_only, a feature is not (a real one, an integer one the
 * logits index with); without logits every input is loss_only */
Test(inputs, loss_only_marks_the_label)
{
    check_loss_only(&t_in_cls_model, "cls", (const int[]){0, 1});
    check_loss_only(&t_in_embed_model, "embed", (const int[]){0, 0, 1});
    check_loss_only(&t_in_seq_model, "seq", (const int[]){1, 1});
    check_loss_only(&t_in_reg_model, "reg", (const int[]){1, 1});
}

/* forward_x given NULL for a loss_only input: the logits it gives with it,
 * compiled and interpreted */
Test(inputs, forward_x_without_the_label)
{
    MgModel m = interp_model(DIR "embed.mg", "embed");
    const MgModel *c = &t_in_embed_model;
    double *p = calloc(m.n_scalars, sizeof *p), *scratch = calloc(c->scratch + 1, sizeof *scratch), keep[2];
    for (size_t k = 0; k < m.n_scalars; k++)
        p[k] = uniform();
    double k0[1] = {2}, x[2] = {0.25, -1.5}, y[1] = {1};
    const double *all[3] = {k0, x, y}, *feat[3] = {k0, x, NULL};
    for (int which = 0; which < 2; which++) {
        const MgModel *mm = which ? c : &m;
        memcpy(keep, mm->forward_x(mm->ctx, p, all, 1, scratch), sizeof keep);
        const double *out = mm->forward_x(mm->ctx, p, feat, 1, scratch);
        for (int j = 0; j < 2; j++)
            cr_expect(out[j] == keep[j], "%s logits[%d]: %.17g without the label, %.17g with it",
                      which ? "compiled" : "interpreted", j, out[j], keep[j]);
    }
    free(p);
    free(scratch);
    interp_free_model(&m);
}

/* a .npy file of `rows` x `cols` doubles (cols 0: shape (rows,)) */
static void write_npy(const char *path, const double *v, int rows, int cols)
{
    char dict[128];
    int n = cols ? snprintf(dict, sizeof dict, "{'descr': '<f8', 'fortran_order': False, 'shape': (%d, %d), }", rows,
                            cols)
                 : snprintf(dict, sizeof dict, "{'descr': '<f8', 'fortran_order': False, 'shape': (%d,), }", rows);
    int head = 10 + n + 1, pad = (64 - head % 64) % 64;
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f);
    fwrite("\x93NUMPY\x01\x00", 1, 8, f);
    unsigned short len = (unsigned short)(n + pad + 1);
    fputc(len & 0xff, f);
    fputc(len >> 8, f);
    fprintf(f, "%s%*s\n", dict, pad, "");
    fwrite(v, sizeof *v, (size_t)rows * (size_t)(cols ? cols : 1), f);
    cr_assert_eq(fclose(f), 0);
}

/* a .safetensors file of one F64 tensor x of rows x 2 */
static void write_st(const char *path, const double *v, int rows)
{
    char json[160];
    int n = snprintf(json, sizeof json, "{\"x\":{\"dtype\":\"F64\",\"shape\":[%d,2],\"data_offsets\":[0,%d]}}", rows,
                     rows * 16);
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f);
    for (int b = 0; b < 8; b++)
        fputc(b == 0 ? n : 0, f);
    fwrite(json, 1, (size_t)n, f);
    fwrite(v, sizeof *v, (size_t)rows * 2, f);
    cr_assert_eq(fclose(f), 0);
}

/* predict on the features alone: a CSV without the label's column, a folder
 * of x.npy alone, a single x.npy, a safetensors file of x alone, each read
 * by the compiled and the interpreted model, gives the rows predict gives on
 * the labelled CSV; data lacking a feature is refused */
Test(inputs, predict_without_the_label)
{
    char dir[] = "/tmp/mgc_inputs_XXXXXX", args[1024], path[200], out[200], want[1 << 13];
    cr_assert_not_null(mkdtemp(dir));
    const MgModel *c = &t_in_cls_model;
    MgModel m = interp_model(DIR "cls.mg", "t_in_cls");   /* the name its checkpoints carry */
    enum { N = 12 };
    double xs[2 * N], ys[N];
    cls_examples(c, N, xs, ys);
    snprintf(path, sizeof path, "%s/points.csv", dir);
    cls_csv(path, xs, ys, N);
    snprintf(args, sizeof args, "train --steps 5 --data %s --save %s/ck", path, dir);
    cr_assert_eq(trainer(c, NULL, args), 0);
    snprintf(args, sizeof args, "predict --load %s/ck --data %s", dir, path);
    snprintf(out, sizeof out, "%s/want.csv", dir);
    cr_assert_eq(trainer_to(c, NULL, args, out), 0);
    snprintf(want, sizeof want, "%s", slurp(out));
    cr_assert(strncmp(want, "logits[0],logits[1],logits[2],class\n", 36) == 0, "predict wrote '%.60s'", want);
    int rows = 0;
    for (const char *s = want; *s; s++)
        rows += *s == '\n';
    cr_assert_eq(rows, N + 1, "predict wrote %d lines", rows);

    snprintf(path, sizeof path, "%s/new.csv", dir);     /* new rows: no y */
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fprintf(f, "x[1],x[0]\n");
    for (int i = 0; i < N; i++)
        fprintf(f, "%.17g,%.17g\n", xs[2 * i + 1], xs[2 * i]);
    cr_assert_eq(fclose(f), 0);
    snprintf(args, sizeof args, "mkdir %s/npy", dir);
    cr_assert_eq(system(args), 0);
    snprintf(path, sizeof path, "%s/npy/x.npy", dir);
    write_npy(path, xs, N, 2);
    snprintf(path, sizeof path, "%s/x.safetensors", dir);
    write_st(path, xs, N);
    static const char *const files[] = {"new.csv", "npy", "npy/x.npy", "x.safetensors"};
    for (size_t i = 0; i < sizeof files / sizeof *files; i++)
        for (int which = 0; which < 2; which++) {
            snprintf(args, sizeof args, "predict --load %s/ck --data %s/%s", dir, dir, files[i]);
            snprintf(out, sizeof out, "%s/got.csv", dir);
            cr_assert_eq(trainer_to(which ? c : &m, NULL, args, out), 0, "%s: predict failed on %s",
                         which ? "compiled" : "interpreted", files[i]);
            cr_expect_str_eq(slurp(out), want, "%s: predict on %s differs from the labelled CSV's",
                             which ? "compiled" : "interpreted", files[i]);
        }

    /* the label's column or array, when there, is not read: an out-of-range
     * label does not stop predict (eval still refuses it) */
    double bad_y[N];
    for (int i = 0; i < N; i++)
        bad_y[i] = 7;
    snprintf(path, sizeof path, "%s/npy/y.npy", dir);
    write_npy(path, bad_y, N, 0);
    snprintf(args, sizeof args, "predict --load %s/ck --data %s/npy", dir, dir);
    cr_assert_eq(trainer_to(c, NULL, args, out), 0);
    cr_expect_str_eq(slurp(out), want, "predict on x.npy and y.npy differs");
    snprintf(args, sizeof args, "eval --load %s/ck --data %s/npy", dir, dir);
    cr_expect_eq(trainer_to(c, NULL, args, out), 1, "eval took labels out of range");

    /* data without a feature's column is refused */
    snprintf(path, sizeof path, "%s/nox.csv", dir);
    f = fopen(path, "w");
    cr_assert_not_null(f);
    fprintf(f, "x[0],y\n0.5,1\n");
    cr_assert_eq(fclose(f), 0);
    snprintf(args, sizeof args, "predict --load %s/ck --data %s", dir, path);
    cr_expect_eq(trainer_to(c, NULL, args, out), 1, "predict ran without the column x[1]");
    snprintf(args, sizeof args, "eval --load %s/ck --data %s/new.csv", dir, dir);
    cr_expect_eq(trainer_to(c, NULL, args, out), 1, "eval ran without the label's column");
    interp_free_model(&m);
    snprintf(args, sizeof args, "rm -r %s", dir);
    cr_expect_eq(system(args), 0);
}
