/* test_examples.c: the models of examples in models/ (issue #19, item 5):
 * moons.mg, iris.mg, digits.mg, diabetes.mg.
 *  - each compiled model against the interpreter (loss, every gradient, the
 *    logits) and the interpreter against central finite differences, at
 *    random weights and on examples of its data;
 *  - each trained by its trainer (mg_cli_main), and then judged here from
 *    the saved weights with forward_x, not from what the trainer prints:
 *    moons reaches 100% training accuracy (micrograd's demo), the digits at
 *    least 95% on 20% of the images held out (mg_examples_split), iris its
 *    held-out flowers, diabetes the least-squares error solved here.
 * The sklearn data come from build/mgc-sklearn; without Debian's
 * python3-sklearn those tests are skipped with a message. */
#define _DEFAULT_SOURCE     /* mkdtemp */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
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

extern const MgModel moons_model, iris_model, digits_model, diabetes_model;

static void teardown(void) { arena_free_all(); }
TestSuite(examples, .fini = teardown);

#define SKLEARN_DIR "/usr/lib/python3/dist-packages/sklearn/datasets/data"
#define MOONS_CSV MGC_SOURCE_DIR "/runtime/data/moons.csv"

static double rel(double a, double b) {
    double s = fmax(fabs(a), fabs(b));
    return s == 0 ? 0 : fabs(a - b) / s;
}

/* a small deterministic generator: uniform in [-1, 1) */
static unsigned long long lcg = 2024;
static double uniform(void) {
    lcg = lcg * 6364136223846793005ULL + 1442695040888963407ULL;
    return (double)(lcg >> 11) * (1.0 / 9007199254740992.0) * 2 - 1;
}

/* A temporary folder, removed by rm_dir. */
static char *tmp_dir(void) {
    static char dir[64];
    strcpy(dir, "/tmp/mgc_examples_XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
    return dir;
}

static void rm_dir(const char *dir) {
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -r '%s'", dir);
    cr_expect_eq(system(cmd), 0);
}

/* build/mgc-sklearn SET into DIR/SET.csv; skips the test without sklearn's files. */
static const char *sklearn_csv(const char *dir, const char *set) {
    if (access(SKLEARN_DIR, R_OK) != 0)
        cr_skip_test("%s not found: Debian's python3-sklearn is not installed (apt-get install python3-sklearn)",
                     SKLEARN_DIR);
    static char path[256];
    char cmd[768];
    snprintf(path, sizeof path, "%s/%s.csv", dir, set);
    snprintf(cmd, sizeof cmd, "'%s/mgc-sklearn' %s -o '%s'", MGC_BUILD_DIR, set, path);
    cr_assert_eq(system(cmd), 0, "%s failed", cmd);
    return path;
}

static MgExamples load(const MgModel *m, const char *path) {
    MgExamples x;
    MgErr e;
    cr_assert_eq(mg_examples_load(&x, path, m->inputs, m->n_inputs, &e), 0, "%s", e.msg);
    return x;
}

/* Run the trainer's command `cmd` on the examples `ex` with the arguments
 * `args` (split at spaces); its standard output goes to `out` when not NULL. */
static void run_cmd(const MgModel *m, const MgExamples *ex, const char *cmd, const char *args, const char *out) {
    char line[1100];
    snprintf(line, sizeof line, "%s %s", cmd, args);
    cr_assert_eq(trainer_call(m, ex, m->name, line, out), 0, "%s %s failed", cmd, args);
}

static void train(const MgModel *m, const MgExamples *ex, const char *args) { run_cmd(m, ex, "train", args, NULL); }

static double *load_weights(const MgModel *m, const char *path) {
    double *p = malloc(m->n_scalars * sizeof *p);
    MgVocab v;
    long step;
    MgErr e;
    cr_assert_eq(mg_ckpt_load(path, m, p, &v, &step, &e), 0, "%s", e.msg);
    return p;
}

/* example i's inputs */
static void example(const MgExamples *ex, size_t i, const double **x) {
    for (int f = 0; f < ex->nfields; f++) x[f] = ex->data[f] + i * ex->fields[f].size;
}

/* The losses and rates of a --log file (at most cap steps); returns the steps. */
static int log_read(const char *path, double *loss, double *lr, int cap) {
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "no log %s", path);
    char line[512];
    int n = 0;
    cr_assert_not_null(fgets(line, sizeof line, f));
    while (n < cap && fgets(line, sizeof line, f)) {
        int step;
        cr_assert_eq(sscanf(line, "%d,%lf,%lf", &step, &loss[n], &lr[n]), 3, "log line '%s'", line);
        n++;
    }
    fclose(f);
    cr_assert_gt(n, 0);
    return n;
}

/* The first and last losses of a --log file. */
static void log_ends(const char *path, double *first, double *last) {
    static double loss[4096], lr[4096];
    int n = log_read(path, loss, lr, 4096);
    *first = loss[0], *last = loss[n - 1];
}

/* The share of examples whose argmax of the logits is the label (field 1). */
static double accuracy(const MgModel *m, const double *p, const MgExamples *ex) {
    double *scratch = calloc(m->scratch + 1, sizeof *scratch);
    const double *x[8];
    size_t right = 0;
    for (size_t i = 0; i < ex->n; i++) {
        example(ex, i, x);
        const double *out = m->forward_x(m->ctx, p, x, 1, scratch);
        size_t best = 0;
        for (size_t c = 1; c < m->n_out; c++)
            if (out[c] > out[best]) best = c;
        right += (double)best == x[1][0];
    }
    free(scratch);
    return (double)right / (double)ex->n;
}

/* ---- compiled against interpreted against finite differences ---- */

static MgModel interp_of(const char *name) {
    return interp_model(arena_printf(MGC_SOURCE_DIR "/models/%s.mg", name), name);
}

/* At random weights, on examples 0, 7 and 11 of `ex` (rows of the data, so
 * the loss of its data): the compiled loss, gradients and logits against the
 * interpreter's to 1e-12, and every `stride`-th gradient of the interpreter
 * against central differences of its loss. */
static void check_model(const MgModel *c, const MgExamples *ex, size_t stride) {
    MgModel m = interp_of(c->name);
    cr_assert_eq(c->n_scalars, m.n_scalars);
    cr_assert_eq(c->n_inputs, m.n_inputs);
    cr_assert_eq(c->n_out, m.n_out);
    size_t np = m.n_scalars;
    double *p = malloc(np * sizeof *p), *gc = malloc(np * sizeof *gc), *gi = malloc(np * sizeof *gi);
    double *g2 = malloc(np * sizeof *g2), *scratch = calloc(c->scratch + 1, sizeof *scratch);
    for (size_t k = 0; k < np; k++) p[k] = 0.5 * uniform();
    const size_t pick[] = {0, 7, 11};
    for (int s = 0; s < 3; s++) {
        const double *x[8];
        example(ex, pick[s], x);
        double lc = c->loss_grad_x(c->ctx, p, gc, x, 1, scratch);
        double li = m.loss_grad_x(m.ctx, p, gi, x, 1, NULL);
        cr_expect(rel(lc, li) <= 1e-12, "%s: compiled loss %.17g, interpreted %.17g", c->name, lc, li);
        for (size_t k = 0; k < np; k++)
            cr_expect(fabs(gc[k] - gi[k]) <= 1e-12 * fmax(1, fabs(gi[k])),
                      "%s: gradient %zu: compiled %.17g, interpreted %.17g", c->name, k, gc[k], gi[k]);
        if (m.forward_x) {
            double *keep = malloc(m.n_out * sizeof *keep);
            memcpy(keep, m.forward_x(m.ctx, p, x, 1, NULL), m.n_out * sizeof *keep);
            const double *oc = c->forward_x(c->ctx, p, x, 1, scratch);
            for (size_t k = 0; k < m.n_out; k++)
                cr_expect(oc[k] == keep[k], "%s: logits[%zu]: compiled %.17g, interpreted %.17g", c->name, k, oc[k],
                          keep[k]);
            free(keep);
        }
        for (size_t k = s; k < np; k += stride) {
            double h = 1e-6, old = p[k];
            p[k] = old + h;
            double up = m.loss_grad_x(m.ctx, p, g2, x, 1, NULL);
            p[k] = old - h;
            double down = m.loss_grad_x(m.ctx, p, g2, x, 1, NULL);
            p[k] = old;
            double fd = (up - down) / (2 * h);
            cr_expect(fabs(fd - gi[k]) <= 1e-6 * fmax(1, fabs(gi[k])), "%s: d/dp[%zu] = %.12g, differences say %.12g",
                      c->name, k, gi[k], fd);
        }
    }
    free(p), free(gc), free(gi), free(g2), free(scratch);
    interp_free_model(&m);
}

Test(examples, moons_compiled_interpreted_differences) {
    MgExamples ex = load(&moons_model, MOONS_CSV);
    check_model(&moons_model, &ex, 1);
    mg_examples_free(&ex);
}

Test(examples, iris_compiled_interpreted_differences) {
    char *dir = tmp_dir();
    MgExamples ex = load(&iris_model, sklearn_csv(dir, "iris"));
    check_model(&iris_model, &ex, 1);
    mg_examples_free(&ex);
    rm_dir(dir);
}

Test(examples, digits_compiled_interpreted_differences) {
    char *dir = tmp_dir();
    MgExamples ex = load(&digits_model, sklearn_csv(dir, "digits"));
    check_model(&digits_model, &ex, 3);
    mg_examples_free(&ex);
    rm_dir(dir);
}

Test(examples, diabetes_compiled_interpreted_differences) {
    char *dir = tmp_dir();
    MgExamples ex = load(&diabetes_model, sklearn_csv(dir, "diabetes"));
    check_model(&diabetes_model, &ex, 1);
    mg_examples_free(&ex);
    rm_dir(dir);
}

/* ---- trained, and judged from the saved weights ---- */

/* micrograd's demo: 100 full-batch steps from seed 42 separate the moons */
Test(examples, moons_reach_100_percent) {
    char *dir = tmp_dir(), args[1024], ckpt[300], log[300];
    snprintf(ckpt, sizeof ckpt, "%s/moons.ckpt", dir);
    snprintf(log, sizeof log, "%s/moons.csv", dir);
    MgExamples ex = load(&moons_model, MOONS_CSV);
    cr_assert_eq(ex.n, 100);
    snprintf(args, sizeof args, "--batch 100 --seed 42 --save %s --log %s", ckpt, log);
    train(&moons_model, &ex, args);
    double loss[101], lr[101];
    cr_assert_eq(log_read(log, loss, lr, 101), 100);
    /* micrograd's learning_rate = 1.0 - 0.9 * k / 100; mgc's min_lr + (lr - min_lr) * (1 - k / 100) is the same
     * number, rounded otherwise: a few steps differ in the last two bits */
    for (int k = 0; k < 100; k++)
        cr_expect(rel(lr[k], 1.0 - 0.9 * k / 100) <= 4e-15, "moons: step %d's rate %.17g, micrograd's %.17g", k + 1,
                  lr[k], 1.0 - 0.9 * k / 100);
    double first = loss[0], last = loss[99];
    double *p = load_weights(&moons_model, ckpt), *scratch = calloc(moons_model.scratch + 1, sizeof *scratch);
    size_t right = 0;
    for (size_t i = 0; i < ex.n; i++) {     /* micrograd: (yi > 0) == (scorei > 0), with yi = 2 y - 1 */
        const double *x[2];
        example(&ex, i, x);
        double score = moons_model.forward_x(moons_model.ctx, p, x, 1, scratch)[0];
        right += (score > 0) == (x[1][0] == 1);
    }
    fprintf(stderr, "moons: loss %.4f -> %.4f in 100 steps, training accuracy %zu%%\n", first, last, right);
    cr_expect_eq(right, 100, "moons: %zu of 100 points right", right);
    cr_expect(last < 0.05 && last < first, "moons: loss %.4f -> %.4f", first, last);
    /* eval takes the one score for the 2 classes of y as micrograd does: > 0 says class 1 */
    char out[300], line[256], want[64];
    snprintf(out, sizeof out, "%s/eval.txt", dir);
    snprintf(args, sizeof args, "--load %s", ckpt);
    run_cmd(&moons_model, &ex, "eval", args, out);
    FILE *f = fopen(out, "r");
    cr_assert_not_null(f);
    cr_assert_not_null(fgets(line, sizeof line, f));
    fclose(f);
    snprintf(want, sizeof want, "(%zu/100)\n", right);
    cr_expect(strstr(line, want) != NULL, "moons: eval printed '%s', the points counted here: %zu", line, right);
    free(p), free(scratch);
    mg_examples_free(&ex);
    rm_dir(dir);
}

/* The last val_accuracy (the 6th column) of a --log file. */
static double log_last_val_accuracy(const char *path) {
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "no log %s", path);
    char line[512];
    double acc = -1;
    cr_assert_not_null(fgets(line, sizeof line, f));
    cr_assert(strstr(line, ",val_loss,val_accuracy") != NULL, "log header '%s'", line);
    while (fgets(line, sizeof line, f)) {
        char *cell = line;
        for (int k = 0; k < 5 && cell; k++) cell = strchr(cell + 1, ',');
        if (cell && cell[1] != '\n' && cell[1] != 0) acc = strtod(cell + 1, NULL);
    }
    fclose(f);
    return acc;
}

/* Train m with `args` and --val-split 0.2 (seed 42) on the examples of
 * `csv`; returns the weights, the accuracies on both parts in acc[0], acc[1],
 * computed here on the parts mg_examples_split gives (the held-out part's
 * must be the trainer's last val_accuracy). */
static double *train_held_out(const MgModel *m, const char *dir, const char *csv, const char *args, double *acc,
                              double *first, double *last) {
    MgExamples all = load(m, csv), tr, val;
    MgErr e;
    cr_assert_eq(mg_examples_split(&all, 0.2, 42, &tr, &val, &e), 0, "%s", e.msg);
    char a[1024], ckpt[300], log[300];
    snprintf(ckpt, sizeof ckpt, "%s/%s.ckpt", dir, m->name);
    snprintf(log, sizeof log, "%s/%s.log", dir, m->name);
    snprintf(a, sizeof a, "%s --val-split 0.2 --seed 42 --save %s --log %s", args, ckpt, log);
    train(m, &all, a);
    log_ends(log, first, last);
    double *p = load_weights(m, ckpt);
    acc[0] = accuracy(m, p, &tr);
    acc[1] = accuracy(m, p, &val);
    fprintf(stderr, "%s: loss %.4f -> %.4f; accuracy %.2f%% on %zu training rows, %.2f%% on %zu held out\n", m->name,
            *first, *last, 100 * acc[0], tr.n, 100 * acc[1], val.n);
    double logged = log_last_val_accuracy(log);
    cr_expect(fabs(logged - acc[1]) < 1e-12, "%s: the log's last val_accuracy %.17g, counted here %.17g", m->name,
              logged, acc[1]);
    mg_examples_free(&all), mg_examples_free(&tr), mg_examples_free(&val);
    return p;
}

Test(examples, digits_reach_95_percent_held_out) {
    char *dir = tmp_dir();
    double acc[2], first, last;
    free(train_held_out(&digits_model, dir, sklearn_csv(dir, "digits"), "--batch 32", acc, &first, &last));
    cr_expect(acc[1] >= 0.95, "digits: %.2f%% of the held-out images right", 100 * acc[1]);
    cr_expect(last < first);
    rm_dir(dir);
}

Test(examples, iris_classifies_held_out_flowers) {
    char *dir = tmp_dir();
    double acc[2], first, last;
    free(train_held_out(&iris_model, dir, sklearn_csv(dir, "iris"), "--batch 120", acc, &first, &last));
    cr_expect(acc[0] >= 0.95 && acc[1] >= 0.9, "iris: %.2f%% of training, %.2f%% of held-out flowers right",
              100 * acc[0], 100 * acc[1]);
    rm_dir(dir);
}

/* Solve a x = b (n <= 11) by Gaussian elimination with partial pivoting. */
static void solve(double a[11][11], double *b, int n) {
    for (int k = 0; k < n; k++) {
        int piv = k;
        for (int i = k + 1; i < n; i++)
            if (fabs(a[i][k]) > fabs(a[piv][k])) piv = i;
        for (int j = 0; j < n; j++) {
            double t = a[k][j];
            a[k][j] = a[piv][j], a[piv][j] = t;
        }
        double t = b[k];
        b[k] = b[piv], b[piv] = t;
        for (int i = k + 1; i < n; i++) {
            double f = a[i][k] / a[k][k];
            for (int j = k; j < n; j++) a[i][j] -= f * a[k][j];
            b[i] -= f * b[k];
        }
    }
    for (int k = n - 1; k >= 0; k--) {
        for (int j = k + 1; j < n; j++) b[k] -= a[k][j] * b[j];
        b[k] /= a[k][k];
    }
}

/* the regression's mean squared error reaches within 0.5% of least squares'
 * (the normal equations solved here) */
Test(examples, diabetes_reaches_least_squares) {
    char *dir = tmp_dir(), args[512], ckpt[300];
    MgExamples ex = load(&diabetes_model, sklearn_csv(dir, "diabetes"));
    snprintf(ckpt, sizeof ckpt, "%s/diabetes.ckpt", dir);
    snprintf(args, sizeof args, "--batch %zu --save %s", ex.n, ckpt);
    train(&diabetes_model, &ex, args);
    double *p = load_weights(&diabetes_model, ckpt), *scratch = calloc(diabetes_model.scratch + 1, sizeof *scratch);
    double a[11][11] = {{0}}, b[11] = {0}, mse = 0, ols = 0, var = 0, mean = 0;
    for (size_t i = 0; i < ex.n; i++) {
        const double *x[2];
        example(&ex, i, x);
        double row[11], d = diabetes_model.forward_x(diabetes_model.ctx, p, x, 1, scratch)[0] - x[1][0];
        mse += d * d / (double)ex.n;
        memcpy(row, x[0], 10 * sizeof *row);
        row[10] = 1;
        for (int j = 0; j < 11; j++) {
            for (int k = 0; k < 11; k++) a[j][k] += row[j] * row[k];
            b[j] += row[j] * x[1][0];
        }
        mean += x[1][0] / (double)ex.n;
    }
    solve(a, b, 11);
    for (size_t i = 0; i < ex.n; i++) {
        const double *x[2];
        example(&ex, i, x);
        double d = b[10] - x[1][0];
        for (int j = 0; j < 10; j++) d += b[j] * x[0][j];
        ols += d * d / (double)ex.n;
        var += (x[1][0] - mean) * (x[1][0] - mean) / (double)ex.n;
    }
    fprintf(stderr, "diabetes: mean squared error %.4f (R^2 %.4f); least squares %.4f (R^2 %.4f)\n", mse,
            1 - mse / var, ols, 1 - ols / var);
    cr_expect(mse <= ols * 1.005, "diabetes: trained %.6f, least squares %.6f", mse, ols);
    free(p), free(scratch);
    mg_examples_free(&ex);
    rm_dir(dir);
}

/* ---- mgc-sklearn on small files in sklearn's formats (no package needed) ---- */

static void write_file(const char *dir, const char *name, const char *text) {
    char path[300];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs(text, f);
    cr_assert_eq(fclose(f), 0);
}

/* NAME.gz in dir holding text (made by gzip) */
static void write_gz(const char *dir, const char *name, const char *text) {
    char plain[300], cmd[700];
    snprintf(plain, sizeof plain, "%s.plain", name);
    write_file(dir, plain, text);
    snprintf(cmd, sizeof cmd, "gzip -c '%s/%s' > '%s/%s' && rm '%s/%s'", dir, plain, dir, name, dir, plain);
    cr_assert_eq(system(cmd), 0);
}

/* mgc-sklearn ARGS (--from dir); its exit status, its stderr in err, its output file in out */
static int converter(const char *dir, const char *args, char *out, char *err, size_t cap) {
    char cmd[1024], path[300];
    snprintf(cmd, sizeof cmd, "'%s/mgc-sklearn' %s --from '%s' -o '%s/out.csv' 2> '%s/err.txt'", MGC_BUILD_DIR, args,
             dir, dir, dir);
    int rc = system(cmd);
    snprintf(path, sizeof path, "%s/err.txt", dir);
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f);
    err[fread(err, 1, cap - 1, f)] = 0;
    fclose(f);
    snprintf(path, sizeof path, "%s/out.csv", dir);
    out[0] = 0;
    if ((f = fopen(path, "r"))) {
        out[fread(out, 1, cap - 1, f)] = 0;
        fclose(f);
        remove(path);
    }
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

Test(examples, converter_writes_what_mgc_reads) {
    char *dir = tmp_dir(), out[4096], err[1024];
    /* iris: column 0 is 1, 3, 5: mean 3, sd sqrt(8 / 3), so -sqrt(1.5), 0, sqrt(1.5); column 1 is constant */
    write_file(dir, "iris.csv", "3,4,setosa,versicolor,virginica\n1,2,3,4,0\n3,2,5,8,1\n5,2,7,0,2\n");
    cr_assert_eq(converter(dir, "iris", out, err, sizeof out), 0, "%s", err);
    double v[3][5];
    cr_assert(strncmp(out, "x[0],x[1],x[2],x[3],y\n", 22) == 0, "header: %s", out);
    char *s = out + 22;
    for (int i = 0; i < 3; i++)
        for (int k = 0; k < 5; k++) v[i][k] = strtod(s, &s), s++;
    cr_expect(rel(v[0][0], -sqrt(1.5)) <= 1e-15 && v[1][0] == 0 && rel(v[2][0], sqrt(1.5)) <= 1e-15,
              "iris x[0]: %.17g %.17g %.17g", v[0][0], v[1][0], v[2][0]);
    cr_expect(v[0][1] == 0 && v[2][1] == 0, "a constant column is 0");
    cr_expect(v[0][4] == 0 && v[1][4] == 1 && v[2][4] == 2, "labels");
    /* digits: the pixels / 16 */
    char row[400] = "";
    for (int k = 0; k < 64; k++) snprintf(row + strlen(row), sizeof row - strlen(row), "%d,", k % 17);
    strcat(row, "7\n");
    write_gz(dir, "digits.csv.gz", row);
    cr_assert_eq(converter(dir, "digits", out, err, sizeof out), 0, "%s", err);
    s = strchr(out, '\n');
    cr_assert_not_null(s);
    cr_expect(strncmp(out, "img[0],img[1],", 14) == 0 && strstr(out, "img[63],y\n") != NULL, "header: %.80s", out);
    s++;
    for (int k = 0; k < 64; k++) {
        double x = strtod(s, &s);
        s++;
        cr_expect(x == (k % 17) / 16.0, "img[%d] = %.17g, expected %g", k, x, (k % 17) / 16.0);
    }
    cr_expect_eq(strtod(s, NULL), 7);
    /* diabetes: features and target standardised */
    write_gz(dir, "diabetes_data_raw.csv.gz", "1 2 3 4 5 6 7 8 9 10\n3 2 3 4 5 6 7 8 9 12\n");
    write_gz(dir, "diabetes_target.csv.gz", "1.0e+02\n3.0e+02\n");
    cr_assert_eq(converter(dir, "diabetes", out, err, sizeof out), 0, "%s", err);
    cr_expect_str_eq(out, "x[0],x[1],x[2],x[3],x[4],x[5],x[6],x[7],x[8],x[9],t\n-1,0,0,0,0,0,0,0,0,-1,-1\n"
                          "1,0,0,0,0,0,0,0,0,1,1\n");
    rm_dir(dir);
}

/* each malformed file: exit 1 and one message naming the file, line and column */
Test(examples, converter_errors_name_the_place) {
    char *dir = tmp_dir(), out[4096], err[1024], want[600];
    static const struct {
        const char *file, *text, *set, *msg;
    } cases[] = {
        {"iris.csv", "3,4,a,b,c\n1,2,3,4,0\n1,2,x3,4,1\n", "iris", "iris.csv:3:5: 'x3' is not a finite number"},
        {"iris.csv", "2,4,a,b,c\n1,2,3,4,0\n1,2,3,4,1\n1,2,3,4,1\n", "iris", "iris.csv: 3 rows; 2 expected"},
        {"iris.csv", "2,4,a,b,c\n1,2,3,4,0\n1,2,3,1\n", "iris", "iris.csv:3: 4 fields in this row; 5 expected"},
        {"iris.csv", "2,4,a,b,c\n1,2,3,4,0\n1,2,3,4,5,6\n", "iris", "iris.csv:3:11: more than 5 fields in this row"},
        {"iris.csv", "2,4,a,b,c\n1,2,3,4,0\n1,2,3,4,3\n", "iris", "iris.csv:3: the label 3 is not a class in [0, 3)"},
        {"iris.csv", "2,4,a,b,c\n1,2,3,4,0\n1,2,3,4,1.5\n", "iris", "iris.csv:3: the label 1.5 is not a class"},
        {"iris.csv", "150\n", "iris", "iris.csv:1:1: the header is not 'ROWS,4,CLASS NAMES...'"},
        {"iris.csv", "1,4,a,b,c\n1,nan,3,4,0\n", "iris", "iris.csv:2:3: 'nan' is not a finite number"},
        {"iris.csv", "1,4,a,b,c\n1,2,3,4,\n", "iris", "iris.csv:2:9: an empty field"},
        {"digits.csv.gz", "this is not gzip\n", "digits", "digits.csv.gz: gzip -dc failed"},
        {"diabetes_data_raw.csv.gz", NULL, "diabetes", "diabetes_target.csv.gz: no such file (it comes with "
                                                       "Debian's python3-sklearn: apt-get install python3-sklearn"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        if (cases[i].text) write_file(dir, cases[i].file, cases[i].text);
        else write_gz(dir, cases[i].file, "1 2 3 4 5 6 7 8 9 10\n");
        snprintf(want, sizeof want, "mgc-sklearn: error: %s/%s", dir, cases[i].msg);
        cr_expect_eq(converter(dir, cases[i].set, out, err, sizeof err), 1, "case %zu: not refused", i);
        cr_expect(strncmp(err, want, strlen(want)) == 0, "case %zu: stderr '%s', expected '%s...'", i, err, want);
        cr_expect(strchr(err, '\n') == err + strlen(err) - 1, "case %zu: not one line: %s", i, err);
    }
    cr_expect_eq(converter(dir, "wine", out, err, sizeof err), 1);
    cr_expect(strstr(err, "unknown data set 'wine' (iris, digits or diabetes)") != NULL, "%s", err);
    rm_dir(dir);
}
