/* test_guarantees.c: what text models are promised, held for models of
 * examples (issue #19, item 6).  mgc --standalone's predict, built with a bare
 * cc, prints the interpreter's forward_x to the bit; its bad rows get located
 * errors.  The f32 and --fast builds of cls.mg follow the f64 losses.  A
 * batch's loss and update are the mean of its examples' computed one by one,
 * with the same bits on 1, 2 and 4 threads.  A trainer killed with SIGKILL and
 * resumed ends with the checkpoint and log of a run never stopped, with
 * momentum, a schedule, clipping and weight decay; a resume with other
 * optimizer settings is refused. */
#define _DEFAULT_SOURCE     /* mkdtemp, kill */
#include <criterion/criterion.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../common/run.h"
#include "../common/interp_model.h"
#include "../common/trainer.h"
#include "arena.h"
#include "interp.h"
#include "mg_checkpoint.h"
#include "mg_cli.h"
#include "mg_model.h"
#include "pipeline.h"

#define DIR MGC_SOURCE_DIR "/tests/inputs/"
#define MGC MGC_BUILD_DIR "/mgc"
#define TRAINER MGC_BUILD_DIR "/t_guar_cls"
#define CC "cc -std=c11 -Wall -Wextra -pedantic -Werror -O2 -ffp-contract=off"

static char dir[64];

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/mgc-test-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
}

static void teardown(void)
{
    char cmd[128];
    arena_free_all();
    if (!strncmp(dir, "/tmp/mgc-test-", 14)) {
        snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
        if (system(cmd) != 0)
            fprintf(stderr, "cannot remove %s\n", dir);
    }
}

TestSuite(guarantees, .init = setup, .fini = teardown);

/* a small deterministic generator of reals in [-1, 1) */
static unsigned long long lcg = 2024;
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

static MgModel interp_of(const char *name)
{
    return interp_model(arena_printf(DIR "%s.mg", name), name);
}

static char *path_in(const char *name) { return arena_printf("%s/%s", dir, name); }

/* ---- --standalone for a model of examples ---- */

/* random weights for m saved as DIR/NAME.ckpt; mgc --standalone of it, built
 * warning-free with a bare cc into DIR/NAME */
static double *standalone_of(const MgModel *m, const char *name)
{
    double *p = malloc(m->n_scalars * sizeof *p);
    for (size_t k = 0; k < m->n_scalars; k++)
        p[k] = uniform();
    MgVocab v = {0};
    MgErr e;
    cr_assert_eq(mg_ckpt_save(path_in(arena_printf("%s.ckpt", name)), m, p, &v, 7, &e), 0, "%s", e.msg);
    Run *r = run("%s " DIR "%s.mg --standalone --weights %s/%s.ckpt -o %s/%s.c", MGC, name, dir, name, dir, name);
    cr_assert_eq(r->status, 0, "mgc --standalone %s.mg: %s", name, r->err);
    r = run(CC " %s/%s.c -lm -o %s/%s", dir, name, dir, name);
    cr_assert_eq(r->status, 0, "cc %s.c: %s", name, r->err);
    r = run(CC " -DSA_NO_MAIN -c %s/%s.c -o %s/%s.o", dir, name, dir, name);
    cr_assert_eq(r->status, 0, "cc -DSA_NO_MAIN %s.c: %s", name, r->err);
    r = run("grep '^#include' %s/%s.c; grep -c 'malloc\\|calloc\\|MgModel' %s/%s.c", dir, name, dir, name);
    cr_expect_str_eq(r->out, "#include <math.h>\n#include <stdarg.h>\n#include <stdio.h>\n#include <stdlib.h>\n"
                     "#include <string.h>\n0\n", "%s.c uses more than the C library:\n%s", name, r->out);
    return p;
}

/* n examples of m (T[i] rows of a runtime-length input) through the program
 * DIR/NAME, the features of each on one line (alternately comma- and
 * space-separated), against the interpreter's forward_x: equal to the bit */
static void same_outputs(const MgModel *m, const char *name, const double *p, int n, const int *T)
{
    FILE *f = fopen(path_in("rows.txt"), "w");
    cr_assert_not_null(f);
    double *vals[8][64];
    for (int i = 0; i < n; i++) {
        int first = 1;
        for (int q = 0; q < m->n_inputs; q++) {
            const MgField *x = &m->inputs[q];
            vals[q][i] = calloc(x->size, sizeof **vals);
            int runtime = !strcmp(name, "seqcls") && q == 0;   /* xs[T, 3] */
            size_t count = runtime ? (size_t)T[i] * 3 : x->size;
            for (size_t k = 0; k < count; k++) {
                vals[q][i][k] = x->is_int ? (double)((size_t)(i + 3 * k) % (size_t)x->range) : uniform();
                if (strcmp(x->name, "y") != 0)      /* the label is not a feature */
                    fprintf(f, "%s%.17g", first ? "" : i % 2 ? ", " : " ", vals[q][i][k]), first = 0;
            }
        }
        fputs(i == 2 ? "\n# a comment\n\n" : "\n", f);
    }
    cr_assert_eq(fclose(f), 0);
    Run *r = run("%s/%s < %s/rows.txt", dir, name, dir);
    cr_assert_eq(r->status, 0, "%s: %s", name, r->err);
    char *s = r->out;
    for (int i = 0; i < n; i++) {
        const double *x[8];
        for (int q = 0; q < m->n_inputs; q++)
            x[q] = vals[q][i];
        const double *want = m->forward_x(m->ctx, p, x, T ? T[i] : 1, NULL);
        for (size_t k = 0; k < m->n_out; k++) {
            char *end;
            double got = strtod(s, &end);
            cr_assert(end != s, "%s: row %d: output %zu missing in\n%s", name, i, k, r->out);
            cr_expect(got == want[k], "%s: row %d: logits[%zu] %.17g, the interpreter's %.17g", name, i, k, got,
                      want[k]);
            cr_assert_eq(*end, k + 1 < m->n_out ? ',' : '\n', "%s: row %d: '%c' after output %zu", name, i, *end, k);
            s = end + 1;
        }
        for (int q = 0; q < m->n_inputs; q++)
            free(vals[q][i]);
    }
    cr_expect_str_eq(s, "", "%s: more output than rows", name);
}

Test(guarantees, standalone_predicts_the_interpreters_logits)
{
    MgModel m = interp_of("cls");
    double *p = standalone_of(&m, "cls");
    same_outputs(&m, "cls", p, 20, NULL);
    free(p);
    interp_free_model(&m);
}

Test(guarantees, standalone_integer_feature)
{
    MgModel m = interp_of("embed");     /* k < 4 is a feature (the logits read it), y < 2 is not */
    double *p = standalone_of(&m, "embed");
    same_outputs(&m, "embed", p, 12, NULL);
    Run *r = run("grep -c 'k < 4: 1 integer in \\[0, 4) at features\\[0\\]' %s/embed.c", dir);
    cr_expect_str_eq(r->out, "1\n", "the features are not documented");
    free(p);
    interp_free_model(&m);
}

Test(guarantees, standalone_runtime_length)
{
    MgModel m = interp_of("seqcls");
    double *p = standalone_of(&m, "seqcls");
    int T[10] = {1, 5, 3, 2, 4, 5, 1, 2, 3, 4};
    same_outputs(&m, "seqcls", p, 10, T);
    free(p);
    interp_free_model(&m);
}

/* DIR/NAME < input: exit 1 and exactly `want` on stderr, after `out` on stdout */
static void bad_rows(const char *name, const char *input, const char *out, const char *want)
{
    FILE *f = fopen(path_in("bad.txt"), "w");
    cr_assert_not_null(f);
    fputs(input, f);
    cr_assert_eq(fclose(f), 0);
    Run *r = run("%s/%s < %s/bad.txt", dir, name, dir);
    cr_expect_eq(r->status, 1, "'%s' was accepted", input);
    cr_expect_str_eq(r->err, want, "for '%s'", input);
    if (out)
        cr_expect_eq(strncmp(r->out, out, strlen(out)), 0, "before the error: '%s'", r->out);
}

Test(guarantees, standalone_bad_rows_are_located)
{
    MgModel m = interp_of("embed");
    free(standalone_of(&m, "embed"));
    bad_rows("embed", "1 0.5 0.25\n1,2\n", "", "stdin:2: error: 2 values, but the features (k < 4, x[2]) take 3\n");
    bad_rows("embed", "1, 0.5, abc\n", NULL, "stdin:1:9: error: 'abc' is not a decimal number\n");
    bad_rows("embed", "1 0x10 2\n", NULL, "stdin:1:3: error: '0x10' is not a decimal number\n");
    bad_rows("embed", "1 inf 2\n", NULL, "stdin:1:3: error: 'inf' is not a finite number\n");
    bad_rows("embed", "1,,2,3\n", NULL, "stdin:1:3: error: a value is missing before ','\n");
    bad_rows("embed", "1,2,3,\r\n", NULL, "stdin:1:7: error: a value is missing after ','\n");
    bad_rows("embed", "\n\n2.5 0 0\n", NULL,
             "stdin:3:1: error: '2.5' is not a whole number in [0, 4), as input 'k' takes\n");
    bad_rows("embed", "0 0 0\n4 0 0\n", NULL, "stdin:2:1: error: '4' is not a whole number in [0, 4), as input 'k' takes\n");
    static char longline[6000];
    for (int i = 0; i < 2600; i++)
        memcpy(longline + 2 * i, "0 ", 2);
    strcpy(longline + 5200, "\n");
    bad_rows("embed", longline, NULL, "stdin:1: error: the line is longer than 4094 characters\n");
    interp_free_model(&m);
    m = interp_of("seqcls");
    free(standalone_of(&m, "seqcls"));
    bad_rows("seqcls", "1 2 3 4\n", NULL, "stdin:1: error: 4 values, but the features (xs[T, 3]) take 3 * T, 1 <= T <= 5\n");
    bad_rows("seqcls", "1 2 3 4 5 6 7 8 9 1 2 3 4 5 6 7 8 9\n", NULL,
             "stdin:1: error: 18 values, but the features (xs[T, 3]) take 3 * T, 1 <= T <= 5\n");
    interp_free_model(&m);
}

Test(guarantees, standalone_needs_logits)
{
    MgModel m = interp_of("reg");
    double p[2] = {0.5, 0.25};
    MgVocab v = {0};
    MgErr e;
    cr_assert_eq(mg_ckpt_save(path_in("reg.ckpt"), &m, p, &v, 1, &e), 0, "%s", e.msg);
    Run *r = run("%s " DIR "reg.mg --standalone --weights %s/reg.ckpt -o %s/reg.c", MGC, dir, dir);
    cr_expect_eq(r->status, 1);
    cr_expect(strstr(r->err, "reg.mg defines no logits: --standalone writes a predict function") != NULL, "%s", r->err);
    cr_expect_eq(access(path_in("reg.c"), F_OK), -1, "reg.c was written");
    interp_free_model(&m);
}

/* ---- the trainer on examples: dtypes, batches, threads ---- */

extern const MgModel t_in_cls_model, t_in_cls_f32_model, t_in_cls_fast_model;

/* n examples of cls.mg's inputs (points and labels) */
static MgExamples cls_examples(size_t n)
{
    static double xs[2 * 4096], ys[4096], *data[2] = {xs, ys};
    cr_assert(n <= 4096);
    for (size_t i = 0; i < n; i++) {
        xs[2 * i] = uniform();
        xs[2 * i + 1] = uniform();
        ys[i] = (double)((i * 7) % 3);
    }
    return (MgExamples){.source = "points (in memory)", .n = n, .nfields = 2,
                        .fields = (MgField *)t_in_cls_model.inputs, .data = data};
}

/* the trainer of m on ex with the command line `args` (split at blanks) */
static int trainer(const MgModel *m, const MgExamples *ex, const char *args)
{
    return trainer_call(m, ex, "cls", args, NULL);
}

static void load_params(const MgModel *m, const char *name, double *p)
{
    MgVocab v;
    long step;
    MgErr e;
    cr_assert_eq(mg_ckpt_load(path_in(name), m, p, &v, &step, &e), 0, "%s", e.msg);
    mg_vocab_free(&v);
}

/* cls.mg compiled with --dtype=f32 (and with --fast) trains as the f64 build
 * does: the same weights to start, losses within float's precision (--fast:
 * within a few roundings of double's), for SGD and for Adam */
Test(guarantees, f32_and_fast_follow_f64)
{
    enum { N = 64, STEPS = 12 };
    MgExamples ex = cls_examples(N);
    const MgModel *builds[3] = {&t_in_cls_model, &t_in_cls_f32_model, &t_in_cls_fast_model};
    const char *names[3] = {"f64", "f32", "fast"}, *opts[2] = {"", "--optimizer adam --lr 0.05"};
    for (int o = 0; o < 2; o++) {
        double loss[3][STEPS];
        for (int b = 0; b < 3; b++) {
            char args[512];
            snprintf(args, sizeof args, "train --steps %d --batch %d --log %s/%s.csv %s", STEPS, N, dir, names[b], opts[o]);
            cr_assert_eq(trainer(builds[b], &ex, args), 0, "%s %s", names[b], opts[o]);
            cr_assert_eq(trainer_log_losses(path_in(arena_printf("%s.csv", names[b])), loss[b], STEPS), STEPS);
        }
        for (int s = 0; s < STEPS; s++) {
            cr_expect(rel(loss[1][s], loss[0][s]) <= 2e-6, "%s step %d: f32 loss %.9g, f64 %.9g", opts[o], s + 1,
                      loss[1][s], loss[0][s]);
            cr_expect(loss[1][s] != loss[0][s] || s > 0, "%s step %d: f32 gave f64's bits", opts[o], s + 1);
            cr_expect(rel(loss[2][s], loss[0][s]) <= 1e-12, "%s step %d: --fast loss %.17g, f64 %.17g", opts[o],
                      s + 1, loss[2][s], loss[0][s]);
        }
        cr_expect(loss[1][STEPS - 1] < loss[1][0], "%s: the f32 loss did not fall", opts[o]);
    }
}

/* a batch's loss is the mean of its examples' losses, and its update that
 * of the mean of their gradients, each computed on its own here */
Test(guarantees, batch_is_the_mean_of_its_examples)
{
    enum { N = 7, P = 24 };
    MgExamples ex = cls_examples(N);
    const MgModel *c = &t_in_cls_model;
    char args[512];
    snprintf(args, sizeof args, "train --steps 0 --save %s/p0.ckpt", dir);
    cr_assert_eq(trainer(c, &ex, args), 0);
    snprintf(args, sizeof args, "train --steps 1 --batch %d --save %s/p1.ckpt --log %s/b.csv", N, dir, dir);
    cr_assert_eq(trainer(c, &ex, args), 0);
    double p0[P], p1[P], g[P], mean_g[P] = {0}, mean = 0, logged;
    double *scratch = calloc(c->scratch + 1, sizeof *scratch);
    load_params(c, "p0.ckpt", p0);
    load_params(c, "p1.ckpt", p1);
    for (size_t i = 0; i < N; i++) {
        const double *x[2] = {ex.data[0] + 2 * i, ex.data[1] + i};
        mean += c->loss_grad_x(c->ctx, p0, g, x, 1, scratch) / N;
        for (int k = 0; k < P; k++)
            mean_g[k] += g[k] / N;
    }
    cr_assert_eq(trainer_log_losses(path_in("b.csv"), &logged, 1), 1);
    cr_expect(rel(logged, mean) <= 1e-14, "the batch's loss %.17g, the mean of its examples' %.17g", logged, mean);
    for (int k = 0; k < P; k++) {      /* cls.mg: SGD at lr 0.1, no decay */
        double want = p0[k] - 0.1 * mean_g[k];
        cr_expect(fabs(p1[k] - want) <= 1e-15 * fmax(1, fabs(want)), "parameter %d: %.17g after the step, "
                  "p - 0.1 * the mean gradient is %.17g", k, p1[k], want);
    }
    free(scratch);
}

/* --threads 1, 2 and 4 take a batch's examples in the same fixed tree: the
 * same losses and the same parameters, bit for bit, batch after batch */
Test(guarantees, threads_give_the_same_bits)
{
    MgExamples ex = cls_examples(48);
    const char *threads[3] = {"1", "2", "4"};
    double loss[3][6], p[3][24];
    for (int t = 0; t < 3; t++) {
        char args[512];
        snprintf(args, sizeof args, "train --steps 6 --batch 13 --threads %s --optimizer adam --log %s/t%s.csv "
                 "--save %s/t%s.ckpt", threads[t], dir, threads[t], dir, threads[t]);
        cr_assert_eq(trainer(&t_in_cls_model, &ex, args), 0);
        cr_assert_eq(trainer_log_losses(path_in(arena_printf("t%s.csv", threads[t])), loss[t], 6), 6);
        load_params(&t_in_cls_model, arena_printf("t%s.ckpt", threads[t]), p[t]);
    }
    for (int t = 1; t < 3; t++) {
        cr_expect(memcmp(loss[t], loss[0], sizeof loss[0]) == 0, "%s threads: other losses", threads[t]);
        cr_expect(memcmp(p[t], p[0], sizeof p[0]) == 0, "%s threads: other parameters", threads[t]);
    }
}

/* ---- checkpoints: resume after SIGKILL, the optimizer settings ---- */

/* n examples of cls.mg as DIR/NAME (CSV) */
static void write_csv(const char *name, size_t n)
{
    FILE *f = fopen(path_in(name), "w");
    cr_assert_not_null(f);
    fputs("x[0],x[1],y\n", f);
    for (size_t i = 0; i < n; i++)
        fprintf(f, "%.17g,%.17g,%zu\n", uniform(), uniform(), (i * 5) % 3);
    cr_assert_eq(fclose(f), 0);
}

/* the whole of a file */
static char *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "cannot open %s", path);
    static char buf[2][1 << 20];
    static int which;
    char *b = buf[which ^= 1];
    *n = fread(b, 1, sizeof buf[0] - 1, f);
    b[*n] = 0;
    fclose(f);
    return b;
}

/* a --log without its elapsed column (the only one that depends on the clock) */
static char *log_columns(const char *name)
{
    size_t n;
    char *s = slurp(path_in(name), &n), *out = arena_alloc(n + 1), *w = out;
    for (char *line = strtok(s, "\n"); line; line = strtok(NULL, "\n")) {
        char *last = strrchr(line, ',');
        cr_assert_not_null(last, "log line '%s'", line);
        w += sprintf(w, "%.*s\n", (int)(last - line), line);
    }
    *w = 0;
    return out;
}

#define KILL_OPTS "--batch 20000 --steps 150 --save-every 10 --progress plain --optimizer sgd --lr 0.5 " \
                  "--momentum 0.9 --nesterov 1 --schedule cosine --warmup 5 --min-lr 0.01 --clip 0.5 --weight-decay 0.01"

/* The compiled trainer, killed with SIGKILL after its first --save-every
 * checkpoint and resumed with --load, ends with the checkpoint and the log
 * (elapsed time aside) of a run never stopped, byte for byte: the parameters,
 * the momentum buffer, the schedule's place and the generator all carry on. */
Test(guarantees, resume_after_sigkill_is_bit_exact, .timeout = 120)
{
    write_csv("big.csv", 20000);
    Run *r = run("%s train --data %s/big.csv " KILL_OPTS " --save %s/a.ckpt --log %s/a.csv", TRAINER, dir, dir, dir);
    cr_assert_eq(r->status, 0, "the uninterrupted run: %s", r->err);

    char cmd[1024], *argv[64];
    int argc = 0;
    snprintf(cmd, sizeof cmd, "%s train --data %s/big.csv " KILL_OPTS " --save %s/b.ckpt --log %s/b.csv", TRAINER,
             dir, dir, dir);
    for (char *t = strtok(cmd, " "); t && argc < 63; t = strtok(NULL, " "))
        argv[argc++] = t;
    argv[argc] = NULL;
    pid_t pid = fork();
    cr_assert(pid >= 0);
    if (pid == 0) {
        if (!freopen("/dev/null", "w", stdout))
            _exit(127);
        execv(argv[0], argv);
        _exit(127);
    }
    struct stat sb;
    for (int i = 0; i < 60000 && stat(path_in("b.ckpt"), &sb) != 0; i++)
        usleep(1000);
    usleep(7000);       /* a few steps past the save */
    cr_assert_eq(kill(pid, SIGKILL), 0);
    int status;
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    cr_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
              "the trainer finished (status %d) before it was killed", status);
    size_t nb;
    char *killed = slurp(path_in("b.csv"), &nb);
    int lines = 0;
    for (char *c = killed; *c; c++)
        lines += *c == '\n';
    cr_assert(lines - 1 < 150, "the killed run's log has all %d steps", lines - 1);

    r = run("%s train --data %s/big.csv " KILL_OPTS " --load %s/b.ckpt --save %s/b.ckpt --log %s/b.csv", TRAINER,
            dir, dir, dir, dir);
    cr_assert_eq(r->status, 0, "the resumed run: %s", r->err);
    int first = 0;
    const char *at = strstr(r->out, "step ");
    cr_assert(at && sscanf(at, "step %d", &first) == 1, "the resumed run printed no step: %.200s", r->out);
    cr_expect(first > 10 && first % 10 == 1 && first <= 150, "the resumed run began at step %d, not after a save",
              first);
    size_t na;
    char *a = slurp(path_in("a.ckpt"), &na);
    static char keep[1 << 20];
    memcpy(keep, a, na);
    char *b = slurp(path_in("b.ckpt"), &nb);
    cr_expect_eq(na, nb, "checkpoints of %zu and %zu bytes", na, nb);
    cr_expect(na == nb && memcmp(keep, b, na) == 0, "the resumed run's checkpoint differs from the straight run's");
    char *la = log_columns("a.csv"), *lb = log_columns("b.csv");
    cr_expect_str_eq(lb, la, "the resumed run's log differs");
}

/* a run resumed with other optimizer settings than it trained with would
 * silently take another path: refused, naming the setting */
Test(guarantees, resume_refuses_other_optimizer_settings)
{
    write_csv("s.csv", 30);
    const char *train = "--data %s/s.csv --batch 5 --optimizer sgd --momentum 0.9 --clip 1 --schedule step "
                        "--step-size 2 --gamma 0.5";
    char base[512];
    snprintf(base, sizeof base, train, dir);
    Run *r = run("%s train %s --steps 2 --save %s/c.ckpt", TRAINER, base, dir);
    cr_assert_eq(r->status, 0, "%s", r->err);
    static const struct {
        const char *opts, *want;
    } bad[] = {
        {"--optimizer sgd --momentum 0.5 --clip 1 --schedule step --step-size 2 --gamma 0.5",
         "--momentum 0.5: it trained with --momentum 0.9"},
        {"--optimizer sgd --clip 1 --schedule step --step-size 2 --gamma 0.5",
         "--momentum 0: it trained with --momentum 0.9"},
        {"--optimizer sgd --momentum 0.9 --schedule step --step-size 2 --gamma 0.5",
         "--clip 0: it trained with --clip 1"},
        {"--optimizer sgd --momentum 0.9 --clip 1 --schedule step --step-size 2 --gamma 0.25",
         "--gamma 0.25: it trained with --gamma 0.5"},
        {"--optimizer sgd --momentum 0.9 --clip 1 --schedule cosine",
         "--schedule cosine: it trained with --schedule step"},
        {"--optimizer adam --clip 1 --schedule step --step-size 2 --gamma 0.5",
         "--optimizer adam: it trained with --optimizer sgd"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        r = run("%s train --data %s/s.csv --batch 5 %s --steps 4 --load %s/c.ckpt", TRAINER, dir, bad[i].opts, dir);
        cr_expect_eq(r->status, 1, "resumed with %s", bad[i].opts);
        cr_expect(strstr(r->err, "c.ckpt: cannot resume this run with ") && strstr(r->err, bad[i].want),
                  "with %s: %s", bad[i].opts, r->err);
    }
    /* the same settings (and another learning rate, which the trainer takes) resume */
    r = run("%s train %s --steps 4 --lr 0.05 --load %s/c.ckpt --save %s/c.ckpt", TRAINER, base, dir, dir);
    cr_expect_eq(r->status, 0, "%s", r->err);
}

/* ---- a runtime-length input read from a file ---- */

extern const MgModel t_in_seq_model;

/* seq.mg (dim T <= 5, input xs[T, 3]): every example of a --data file holds 5
 * rows and the trainer runs the model with T = 5 (models/README.md, "The
 * trainer's T"): step 1's loss over the whole batch is the mean of the
 * examples' losses at T = 5, not at any shorter T */
Test(guarantees, runtime_length_examples_hold_the_longest_T)
{
    enum { N = 6 };
    const MgModel *c = &t_in_seq_model;
    double xs[N][15], ys[N];
    FILE *f = fopen(path_in("seq.csv"), "w");
    cr_assert_not_null(f);
    for (int t = 0; t < 5; t++)
        for (int i = 0; i < 3; i++)
            fprintf(f, "xs[%d][%d],", t, i);
    fputs("y\n", f);
    for (int n = 0; n < N; n++) {
        for (int k = 0; k < 15; k++)
            fprintf(f, "%.17g,", xs[n][k] = uniform());
        fprintf(f, "%d\n", (int)(ys[n] = n % 2));
    }
    cr_assert_eq(fclose(f), 0);
    char data[256], save[256], log[256];
    snprintf(data, sizeof data, "--data=%s/seq.csv", dir);
    snprintf(save, sizeof save, "--save=%s/p0.ckpt", dir);
    snprintf(log, sizeof log, "--log=%s/seq.log", dir);
    char *first[] = {"trainer", "train", "--steps=0", data, save, NULL};
    cr_assert_eq(mg_cli_main(c, "seq", 5, first), 0);
    char *one[] = {"trainer", "train", "--steps=1", "--batch=6", data, log, NULL};
    cr_assert_eq(mg_cli_main(c, "seq", 6, one), 0);
    double p[6], g[6], logged, at[6] = {0};
    double *scratch = calloc(c->scratch + 1, sizeof *scratch);
    load_params(c, "p0.ckpt", p);
    for (int T = 1; T <= 5; T++)
        for (int n = 0; n < N; n++) {
            const double *x[2] = {xs[n], &ys[n]};
            at[T] += c->loss_grad_x(c->ctx, p, g, x, T, scratch) / N;
        }
    cr_assert_eq(trainer_log_losses(path_in("seq.log"), &logged, 1), 1);
    cr_expect(rel(logged, at[5]) <= 1e-14, "step 1: loss %.17g, the mean at T = 5 is %.17g", logged, at[5]);
    for (int T = 1; T < 5; T++)
        cr_expect(rel(logged, at[T]) > 1e-6, "step 1's loss is the mean at T = %d too", T);
    free(scratch);
}

/* logits that read no input leave predict nothing to take: refused */
Test(guarantees, standalone_needs_a_feature)
{
    FILE *f = fopen(path_in("nofeat.mg"), "w");
    cr_assert_not_null(f);
    fputs("input x[2]\ninput y < 2\nparam w[2] ~ gauss(0, 1)\nlogits[c < 2] = w[c]\n"
          "loss = logsumexp(logits) - logits[y] + x[0] * 0\n", f);
    cr_assert_eq(fclose(f), 0);
    Graph *g = mgc_front_end(path_in("nofeat.mg"), "nofeat", 0, NULL);
    cr_assert_not_null(g);
    MgModel m;
    cr_assert_eq(interp_make_model(g, &m), 0);
    double p[2] = {0.5, -0.5};
    MgVocab v = {0};
    MgErr e;
    cr_assert_eq(mg_ckpt_save(path_in("nofeat.ckpt"), &m, p, &v, 1, &e), 0, "%s", e.msg);
    Run *r = run("cd %s && %s nofeat.mg --standalone --weights nofeat.ckpt -o nofeat.c", dir, MGC);
    cr_expect_eq(r->status, 1);
    cr_expect_str_eq(r->err, "mgc: error: nofeat.mg: the logits read no input: --standalone's predict would take no "
                     "features\n");
    cr_expect_eq(access(path_in("nofeat.c"), F_OK), -1, "nofeat.c was written");
    interp_free_model(&m);
}
