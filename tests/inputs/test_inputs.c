/* test_inputs.c: models that read examples (real inputs, labels, a runtime-
 * length real input) through the reference interpreter.  Each model's loss is
 * checked against the same arithmetic written out in C here, and every
 * gradient against central finite differences of the interpreter's loss; the
 * MgField descriptions against the declarations; a label outside its range
 * stops the run with a message.  The compiled models (mgc's C, built as
 * t_in_NAME) against the interpreter: loss, gradients and logits to 1e-12.
 * The trainer on examples in memory (mg_cli_main_examples): the first loss
 * against the mean written out, compiled against interpreted, threads and a
 * resumed run bit for bit, grad of one example. */
#define _DEFAULT_SOURCE     /* mkdtemp */
#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "interp.h"
#include "mg_checkpoint.h"
#include "mg_cli.h"
#include "mg_model.h"
#include "pipeline.h"

static void teardown(void) { arena_free_all(); }
TestSuite(inputs, .fini = teardown);

#define DIR MGC_SOURCE_DIR "/tests/inputs/"

static MgModel interp_of(const char *path, const char *name)
{
    MgModel m;
    Graph *g = mgc_front_end(path, name, 0, NULL);
    cr_assert_not_null(g, "%s does not compile", path);
    cr_assert_eq(interp_make_model(g, &m), 0);
    return m;
}

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
    MgModel m = interp_of(DIR "reg.mg", "reg");
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
    MgModel m = interp_of(DIR "cls.mg", "cls");
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
    MgModel m = interp_of(DIR "seq.mg", "seq");
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
    MgModel m = interp_of(DIR "cls.mg", "cls");
    double p[24] = {0}, g[24], xv[2] = {0, 0}, yv = 3;
    const double *x[2] = {xv, &yv};
    m.loss_grad_x(m.ctx, p, g, x, 1, NULL);
}

/* ---- the compiled models against the interpreter ---- */

extern const MgModel t_in_cls_model, t_in_reg_model, t_in_seq_model;

static void check_compiled(const MgModel *c, const char *name, int T)
{
    MgModel m = interp_of(arena_printf(DIR "%s.mg", name), name);
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
    char buf[1100], *argv[32];
    int argc = 0;
    snprintf(buf, sizeof buf, "trainer %s", args);
    for (char *t = strtok(buf, " "); t && argc < 31; t = strtok(NULL, " "))
        argv[argc++] = t;
    argv[argc] = NULL;
    return mg_cli_main_examples(m, ex, "cls", argc, argv);
}

/* the losses of a --log file */
static int log_losses(const char *path, double *loss, int cap)
{
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "no log %s", path);
    char line[256];
    int n = 0;
    cr_assert_not_null(fgets(line, sizeof line, f));
    while (n < cap && fgets(line, sizeof line, f)) {
        int step;
        cr_assert_eq(sscanf(line, "%d,%lf", &step, &loss[n]), 2, "log line '%s'", line);
        n++;
    }
    fclose(f);
    return n;
}

Test(inputs, trainer_on_examples)
{
    char dir[] = "/tmp/mgc_inputs_XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    const MgModel *c = &t_in_cls_model;
    MgModel m = interp_of(DIR "cls.mg", "cls");
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
    cr_assert_eq(log_losses(path, lc, 4), 3);
    snprintf(path, sizeof path, "%s/t.csv", dir);
    cr_assert_eq(log_losses(path, lt, 4), 3);
    snprintf(path, sizeof path, "%s/i.csv", dir);
    cr_assert_eq(log_losses(path, li, 4), 3);
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
    cr_assert_eq(log_losses(path, lm, 4), 3);
    snprintf(path, sizeof path, "%s/file.csv", dir);
    cr_assert_eq(log_losses(path, lf, 4), 3);
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

/* the trainer's --help for a model of examples names its inputs and says
 * what --data takes, not the text model's documents */
Test(inputs, help_names_the_inputs, .init = cr_redirect_stdout)
{
    char *argv[] = {"trainer", "--help", NULL};
    cr_assert_eq(mg_cli_main(&t_in_cls_model, "cls", 2, argv), 0);
    fflush(stdout);
    FILE *f = cr_get_redirected_stdout();
    static char text[1 << 16];
    size_t n = fread(text, 1, sizeof text - 1, f);
    text[n] = 0;
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
    MgModel m = interp_of(path, "wide");
    cr_assert_eq(m.n_inputs, 65);
    snprintf(data, sizeof data, "--data=%s", csv);
    char *argv[] = {"trainer", "train", "--steps=1", data, NULL};
    cr_expect_eq(mg_cli_main(&m, "wide", 4, argv), 1, "65 inputs were trained");
    interp_free_model(&m);
    snprintf(path, sizeof path, "rm -r %s", dir);
    cr_expect_eq(system(path), 0);
}
