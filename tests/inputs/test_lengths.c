/* test_lengths.c: examples of different lengths T for an input with a
 * runtime length (`input xs[T, 3]`).  A CSV row leaves the cells of the rows
 * past its T empty, an array fills them with NaN; the readers give each
 * example's T (MgExamples.T) and refuse a gap, a partial row or no row with
 * the place.  The trainer, eval and predict run each example at its own T:
 * their losses against the mean of loss_grad_x at each T computed here, and
 * predict leaves the cells of logits past T empty. */
#define _DEFAULT_SOURCE     /* mkdtemp */
#include <criterion/criterion.h>
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
TestSuite(lengths, .fini = teardown);

#define DIR MGC_SOURCE_DIR "/tests/inputs/"

extern const MgModel t_in_seq_model;

static char *tmp_dir(void)
{
    static char dir[64];
    snprintf(dir, sizeof dir, "/tmp/mgc_lengths_XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
    return dir;
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs(text, f);
    fclose(f);
}

/* seq.mg's header: xs[0][0] ... xs[4][2], y */
static void header(char *buf, size_t cap)
{
    size_t w = 0;
    for (int t = 0; t < 5; t++)
        for (int i = 0; i < 3; i++)
            w += (size_t)snprintf(buf + w, cap - w, "xs[%d][%d],", t, i);
    snprintf(buf + w, cap - w, "y\n");
}

/* a row of seq.mg's CSV: T rows of xs (value 0.1 * (3 t + i + 1) * sign), the rest empty, then y */
static void row(char *buf, size_t cap, int T, double sign, int y)
{
    size_t w = strlen(buf);
    for (int t = 0; t < 5; t++)
        for (int i = 0; i < 3; i++)
            w += t < T ? (size_t)snprintf(buf + w, cap - w, "%.17g,", sign * 0.1 * (3 * t + i + 1))
                       : (size_t)snprintf(buf + w, cap - w, ",");
    snprintf(buf + w, cap - w, "%d\n", y);
}

static const int LEN[4] = {5, 2, 1, 3};

/* four examples of seq.mg with T = 5, 2, 1, 3 */
static void seq_csv(const char *path)
{
    char text[4096] = "";
    header(text, sizeof text);
    for (int k = 0; k < 4; k++)
        row(text, sizeof text, LEN[k], k % 2 ? -1.0 : 1.0, k % 2);
    write_text(path, text);
}

Test(lengths, csv_rows_left_empty_give_the_length)
{
    char *dir = tmp_dir(), path[128];
    snprintf(path, sizeof path, "%s/seq.csv", dir);
    seq_csv(path);
    const MgModel *m = &t_in_seq_model;
    cr_assert(m->inputs[0].runtime_len && !m->inputs[1].runtime_len, "xs has the runtime length, y not");
    MgExamples x;
    MgErr e;
    cr_assert_eq(mg_examples_load(&x, path, m->inputs, m->n_inputs, &e), 0, "%s", e.msg);
    cr_assert_eq(x.n, 4);
    cr_assert_not_null(x.T);
    for (int k = 0; k < 4; k++) {
        cr_expect_eq(x.T[k], LEN[k], "example %d: T %d, written %d", k, x.T[k], LEN[k]);
        for (int v = 0; v < 15; v++) {
            double got = x.data[0][k * 15 + v];
            if (v < 3 * LEN[k])
                cr_expect_eq(got, (k % 2 ? -1.0 : 1.0) * 0.1 * (v + 1), "example %d value %d", k, v);
            else
                cr_expect(isnan(got), "example %d value %d past T is %g, not missing", k, v, got);
        }
    }
    /* a split keeps each example's T */
    MgExamples tr, va;
    cr_assert_eq(mg_examples_split(&x, 0.5, 42, &tr, &va, &e), 0, "%s", e.msg);
    size_t seen = 0;
    for (size_t i = 0; i < tr.n + va.n; i++) {
        const MgExamples *p = i < tr.n ? &tr : &va;
        size_t j = i < tr.n ? i : i - tr.n;
        int T = 0;
        while (T < 5 && !isnan(p->data[0][j * 15 + 3 * T])) T++;
        cr_expect_eq(p->T[j], T, "split: an example of %d rows has T %d", T, p->T[j]);
        seen++;
    }
    cr_expect_eq(seen, 4);
    mg_examples_free(&tr), mg_examples_free(&va), mg_examples_free(&x);
    /* a model without a runtime length has no T */
    static const MgField XY[] = {{"x", 0, 0, 1, {2}, 2, 0, 0}, {"y", 1, 2, 0, {0}, 1, 0, 0}};
    snprintf(path, sizeof path, "%s/xy.csv", dir);
    write_text(path, "x[0],x[1],y\n1,2,0\n");
    cr_assert_eq(mg_examples_load(&x, path, XY, 2, &e), 0, "%s", e.msg);
    cr_expect_null(x.T);
    mg_examples_free(&x);
}

/* The error for a data file `text` of seq.mg, which must contain `want`. */
static void refused(const char *dir, const char *text, const char *want)
{
    char path[128];
    snprintf(path, sizeof path, "%s/bad.csv", dir);
    write_text(path, text);
    MgExamples x;
    MgErr e;
    cr_assert_eq(mg_examples_load(&x, path, t_in_seq_model.inputs, 2, &e), -1, "loaded: %s", text);
    cr_expect(strstr(e.msg, want) != NULL, "message '%s' lacks '%s'", e.msg, want);
    cr_expect(strstr(e.msg, "bad.csv:3:") != NULL, "message '%s' does not name line 3", e.msg);
}

Test(lengths, gaps_partial_rows_and_no_rows_are_refused)
{
    char *dir = tmp_dir(), text[4096] = "";
    header(text, sizeof text);
    row(text, sizeof text, 5, 1, 0);
    size_t head = strlen(text);
    /* row 1 empty, row 2 given */
    snprintf(text + head, sizeof text - head, "1,2,3,,,,7,8,9,,,,,,,1\n");
    refused(dir, text, "row 2 is given after row 1 was left out");
    snprintf(text + head, sizeof text - head, "1,2,3,4,,,,,,,,,,,,1\n");
    refused(dir, text, "row 1 is partly missing (2 of its 3 values)");
    snprintf(text + head, sizeof text - head, ",,,,,,,,,,,,,,,1\n");
    refused(dir, text, "input 'xs' has no rows");
    /* the label may not be left out */
    snprintf(text + head, sizeof text - head, "1,2,3,,,,,,,,,,,,,\n");
    refused(dir, text, "column 'y' is empty");
}

/* .npy: version 1.0, little-endian f8, shape (n, 5, 3) or (n,) */
static void write_npy(const char *path, const double *v, int n, int rank3)
{
    char h[128];
    int len = snprintf(h, sizeof h, "{'descr': '<f8', 'fortran_order': False, 'shape': (%d%s), }", n,
                       rank3 ? ", 5, 3" : ",");
    int pad = 64 - (10 + len + 1) % 64;
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f);
    fwrite("\x93NUMPY\x01\x00", 1, 8, f);
    unsigned short hl = (unsigned short)(len + pad + 1);
    fputc(hl & 0xff, f), fputc(hl >> 8, f);
    fwrite(h, 1, (size_t)len, f);
    for (int k = 0; k < pad; k++) fputc(' ', f);
    fputc('\n', f);
    fwrite(v, sizeof *v, (size_t)n * (rank3 ? 15 : 1), f);
    fclose(f);
}

Test(lengths, npy_rows_of_nan_give_the_length)
{
    char *dir = tmp_dir(), path[160];
    double xs[3 * 15], y[3] = {0, 1, 0};
    int len[3] = {4, 5, 1};
    for (int k = 0; k < 3; k++)
        for (int v = 0; v < 15; v++) xs[k * 15 + v] = v < 3 * len[k] ? v + 1.0 : NAN;
    snprintf(path, sizeof path, "%s/xs.npy", dir);
    write_npy(path, xs, 3, 1);
    snprintf(path, sizeof path, "%s/y.npy", dir);
    write_npy(path, y, 3, 0);
    MgExamples x;
    MgErr e;
    cr_assert_eq(mg_examples_load(&x, dir, t_in_seq_model.inputs, 2, &e), 0, "%s", e.msg);
    cr_assert_not_null(x.T);
    for (int k = 0; k < 3; k++) cr_expect_eq(x.T[k], len[k], "example %d: T %d, not %d", k, x.T[k], len[k]);
    mg_examples_free(&x);
    xs[15 + 4] = NAN;    /* example 1, row 1: partly missing */
    snprintf(path, sizeof path, "%s/xs.npy", dir);
    write_npy(path, xs, 3, 1);
    cr_assert_eq(mg_examples_load(&x, dir, t_in_seq_model.inputs, 2, &e), -1);
    cr_expect(strstr(e.msg, "example 1: input 'xs': row 1 is partly missing") != NULL, "%s", e.msg);
    xs[15 + 4] = INFINITY;    /* still not a number the model may read */
    write_npy(path, xs, 3, 1);
    cr_assert_eq(mg_examples_load(&x, dir, t_in_seq_model.inputs, 2, &e), -1);
    cr_expect(strstr(e.msg, "non-finite value inf") != NULL, "%s", e.msg);
}

/* Run the trainer's `args` on the model m with its output in `out`. */
static int run(const MgModel *m, const char *args, const char *out)
{
    return trainer_call(m, NULL, m->name, args, out);
}

static double *weights(const MgModel *m, const char *ckpt)
{
    double *p = calloc(m->n_scalars, sizeof *p);
    MgVocab v;
    long step;
    MgErr e;
    cr_assert_eq(mg_ckpt_load(ckpt, m, p, &v, &step, &e), 0, "%s", e.msg);
    return p;
}

/* The mean of the examples' losses at p, each at T[k] (or all at `all` when > 0). */
static double mean_loss(const MgModel *m, const double *p, const MgExamples *x, int all)
{
    double *g = calloc(m->n_scalars, sizeof *g), *scratch = calloc(m->scratch + 1, sizeof *scratch), sum = 0;
    for (size_t k = 0; k < x->n; k++) {
        const double *in[2] = {x->data[0] + k * x->fields[0].size, x->data[1] + k * x->fields[1].size};
        sum += m->loss_grad_x(m->ctx, p, g, in, all > 0 ? all : x->T[k], scratch);
    }
    free(g), free(scratch);
    return sum / (double)x->n;
}

static double first_logged_loss(const char *log)
{
    FILE *f = fopen(log, "r");
    cr_assert_not_null(f);
    char line[512];
    double loss = NAN;
    cr_assert_not_null(fgets(line, sizeof line, f));
    cr_assert_not_null(fgets(line, sizeof line, f));
    cr_assert_eq(sscanf(line, "%*d,%lf", &loss), 1, "log line '%s'", line);
    fclose(f);
    return loss;
}

/* train (a full batch at lr 0: the weights stay the initial ones), eval:
 * each the mean of the examples at their own T, compiled and interpreted */
Test(lengths, trainer_and_eval_take_each_example_at_its_length)
{
    char *dir = tmp_dir(), data[128], ckpt[128], log[128], out[128], args[600];
    snprintf(data, sizeof data, "%s/seq.csv", dir);
    snprintf(ckpt, sizeof ckpt, "%s/seq.ckpt", dir);
    snprintf(log, sizeof log, "%s/seq.log", dir);
    snprintf(out, sizeof out, "%s/out.txt", dir);
    seq_csv(data);
    MgModel mi = interp_model(DIR "seq.mg", "seq");
    const MgModel *models[2] = {&t_in_seq_model, &mi};
    MgExamples x;
    MgErr e;
    cr_assert_eq(mg_examples_load(&x, data, mi.inputs, 2, &e), 0, "%s", e.msg);
    for (int k = 0; k < 2; k++) {
        const MgModel *m = models[k];
        snprintf(args, sizeof args, "train --data %s --batch 4 --steps 1 --lr 0 --save %s --log %s", data, ckpt, log);
        cr_assert_eq(run(m, args, out), 0, "train failed");
        double *p = weights(m, ckpt), want = mean_loss(&mi, p, &x, 0), first = mean_loss(&mi, p, &x, 1);
        double got = first_logged_loss(log);
        cr_expect(fabs(got - want) <= 1e-12 * fabs(want), "%s: the step's loss %.17g, the mean at each T %.17g",
                  k ? "interpreted" : "compiled", got, want);
        cr_expect(fabs(first - want) > 1e-6 * fabs(want), "T matters: at T = 1 the mean is %.17g too", first);
        snprintf(args, sizeof args, "eval --load %s --data %s", ckpt, data);
        cr_assert_eq(run(m, args, out), 0, "eval failed");
        FILE *f = fopen(out, "r");
        double ev = NAN;
        cr_assert_not_null(f);
        cr_expect_eq(fscanf(f, "eval: 4 examples, loss %lf", &ev), 1);
        fclose(f);
        cr_expect(fabs(ev - want) <= 1e-12 * fabs(want), "eval's loss %.17g, the mean at each T %.17g", ev, want);
        free(p);
    }
    mg_examples_free(&x);
    interp_free_model(&mi);
}

/* predict: logits of a runtime length have T cells, the rest empty */
Test(lengths, predict_writes_t_rows_of_logits)
{
    char *dir = tmp_dir(), data[128], ckpt[128], pred[128], out[128], args[600];
    snprintf(data, sizeof data, "%s/s.csv", dir);
    snprintf(ckpt, sizeof ckpt, "%s/s.ckpt", dir);
    snprintf(pred, sizeof pred, "%s/pred.csv", dir);
    snprintf(out, sizeof out, "%s/out.txt", dir);
    write_text(data, "xs[0][0],xs[0][1],xs[1][0],xs[1][1],xs[2][0],xs[2][1],xs[3][0],xs[3][1],t\n"
                     "1,2,3,4,5,6,7,8,1\n1,2,,,,,,,0.5\n1,1,2,2,3,3,,,2\n");
    MgModel m = interp_model(DIR "seqout.mg", "seqout");
    cr_assert_eq(m.out_row, 1, "logits[T]: one value a row");
    snprintf(args, sizeof args, "train --data %s --batch 3 --steps 2 --save %s", data, ckpt);
    cr_assert_eq(run(&m, args, out), 0);
    snprintf(args, sizeof args, "predict --load %s --data %s -o %s", ckpt, data, pred);
    cr_assert_eq(run(&m, args, out), 0);
    double *p = weights(&m, ckpt);
    FILE *f = fopen(pred, "r");
    char line[512];
    cr_assert_not_null(f);
    cr_assert_not_null(fgets(line, sizeof line, f));
    cr_expect_str_eq(line, "logits[0],logits[1],logits[2],logits[3]\n");
    const double xs[3][8] = {{1, 2, 3, 4, 5, 6, 7, 8}, {1, 2}, {1, 1, 2, 2, 3, 3}};
    const int T[3] = {4, 1, 3};
    for (int k = 0; k < 3; k++) {
        cr_assert_not_null(fgets(line, sizeof line, f));
        char *s = line;
        for (int r = 0; r < 4; r++) {
            char *end;
            double v = strtod(s, &end);
            if (r < T[k]) {
                double want = p[0] * xs[k][2 * r] + p[1] * xs[k][2 * r + 1];
                cr_expect(end != s && fabs(v - want) <= 1e-12 * fabs(want), "example %d row %d: %s", k, r, s);
            } else {
                cr_expect(end == s, "example %d row %d past T = %d is not empty: '%s'", k, r, T[k], line);
            }
            s = strchr(end, ',');
            if (!s) break;
            s++;
        }
    }
    fclose(f);
    free(p);
    interp_free_model(&m);
}
