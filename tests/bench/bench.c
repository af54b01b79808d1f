/* bench.c: mgc-bench, issue #5's speed table.  Trains the Step-2 MLP and microGPT as `train` does,
 * compiled, interpreted and in PyTorch (bench_torch.py), times mgc and cc on each .mg file, and prints
 * medians, ratios from this one run and PASS/MISS beside each target; no timing is ever asserted. */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "arena.h"
#include "interp.h"
#include "mg_data.h"
#include "mg_model.h"
#include "mg_optim.h"
#include "mg_rng.h"
#include "pipeline.h"
#include "now.h"

extern const MgModel mlp_model, microgpt_model, microgpt_fast_model;

#define MAX_RUNS 64
#define WORDS_TXT MGC_SOURCE_DIR "/runtime/data/words.txt"
#define TORCH_PY MGC_SOURCE_DIR "/tests/bench/bench_torch.py"

typedef struct Opts {
    int steps, runs, interp_steps, interp_runs, tool_runs, torch;
    const char *data, *model;   /* model: "mlp", "microgpt" or NULL for both */
} Opts;

typedef struct Corpus {
    MgDocs docs;                /* shuffled as train shuffles them (seed 42) */
    MgVocab vocab;
    MgRng rng;                  /* the generator right after the shuffle: the init draws from here */
    const char *label, *path;   /* path: the same documents as a file, for bench_torch.py */
} Corpus;

enum { COMPILED, INTERP, TORCH, N_ENGINES };

/* One model's line: microseconds per step and last loss per engine (< 0: not measured). */
typedef struct Row {
    const char *name;
    const MgModel *model;
    double us[N_ENGINES], loss[N_ENGINES];
    double mgc_ms, cc_ms;
} Row;

/* ---- clocks and medians ---- */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* ---- the data, as runtime/cli.c's train_setup loads it ---- */

static int load_corpus(Corpus *c, const char *path)
{
    MgErr e;
    mg_rng_seed(&c->rng, 42);
    int rc = path ? mg_data_load_file(&c->docs, path, &e) : mg_data_load_default(&c->docs, &e);
    if (rc < 0 || (mg_data_shuffle(&c->docs, &c->rng), mg_vocab_build(&c->vocab, &c->docs, &e)) < 0) {
        fprintf(stderr, "mgc-bench: error: %s\n", e.msg);
        return -1;
    }
    c->label = path ? path : "the embedded word list (names.txt not found)";
    c->path = path ? path : WORDS_TXT;
    return 0;
}

/* tokens of document d: [BOS] + letters + [BOS], cropped to block_size; returns T */
static int doc_tokens(const Corpus *c, const MgModel *m, size_t d, int *tok)
{
    const MgDoc *doc = &c->docs.docs[d % c->docs.n];
    int bos = mg_vocab_bos(&c->vocab), T = m->block_size;
    if ((size_t)T > doc->len + 1)
        T = (int)doc->len + 1;
    tok[0] = bos;
    for (int i = 1; i <= T; i++)
        tok[i] = (size_t)(i - 1) < doc->len ? mg_vocab_id(&c->vocab, c->docs.cps[doc->off + (size_t)i - 1]) : bos;
    return T;
}

static void init_params(const MgModel *m, double *p, MgRng *rng)
{
    for (int i = 0; i < m->n_params; i++) {
        const MgParam *q = &m->params[i];
        for (size_t k = 0; k < q->size; k++)
            p[q->offset + k] = q->init == MG_INIT_GAUSS ? mg_rng_gauss(rng, q->init_a, q->init_b)
                             : q->init == MG_INIT_ONES  ? 1.0
                             : q->init == MG_INIT_CONST ? q->init_a
                                                        : 0.0;
    }
}

/* ---- one training run, the loop of cli.c's cmd_train without its printing ---- */
/* (with train's checks: the loss is finite, and the optimizer's report that
 * every gradient and updated parameter is) */

typedef struct Work {
    double *p, *g, *scratch;
    int *tok, *T;
    size_t stride;
    MgOptimizer opt;
} Work;

/* Parameters initialised, tokens of the first `steps` documents made: all that is not timed. */
static void work_alloc(Work *w, const MgModel *m, const Corpus *c, int steps, int total_steps)
{
    MgErr e;
    MgRng rng = c->rng;
    MgOptim cfg = m->optim;
    cfg.steps = total_steps;
    w->stride = (size_t)m->block_size + 2;
    w->p = malloc(m->n_scalars * sizeof *w->p);
    w->g = malloc(m->n_scalars * sizeof *w->g);
    w->scratch = malloc((m->scratch + 1) * sizeof *w->scratch);
    w->tok = malloc((size_t)steps * w->stride * sizeof *w->tok);
    w->T = malloc((size_t)steps * sizeof *w->T);
    if (!w->p || !w->g || !w->scratch || !w->tok || !w->T || mg_optim_init(&w->opt, &cfg, m->n_scalars, &e) < 0) {
        fprintf(stderr, "mgc-bench: error: out of memory\n");
        exit(1);
    }
    init_params(m, w->p, &rng);
    for (int s = 0; s < steps; s++)
        w->T[s] = doc_tokens(c, m, (size_t)s, w->tok + (size_t)s * w->stride);
}

static void work_free(Work *w)
{
    mg_optim_free(&w->opt);
    free(w->p), free(w->g), free(w->scratch), free(w->tok), free(w->T);
}

/* Seconds for the first `steps` of a `total_steps` run (the learning rate decays over total_steps). */
static double train(const MgModel *m, const Corpus *c, int steps, int total_steps, double *last)
{
    Work w;
    work_alloc(&w, m, c, steps, total_steps);
    double loss = 0, t0 = now();
    for (int s = 0; s < steps; s++) {
        loss = m->loss_grad(m->ctx, w.p, w.g, w.tok + (size_t)s * w.stride, w.T[s], w.scratch);
        if (!isfinite(loss) || !mg_optim_step(&w.opt, w.p, w.g, s)) {
            fprintf(stderr, "mgc-bench: error: %s: step %d: the loss, a gradient or a parameter is not finite\n",
                    m->name, s + 1);
            exit(1);
        }
    }
    double t = now() - t0;
    work_free(&w);
    *last = loss;
    return t;
}

/* Median microseconds per step over `runs` runs; *last = the last run's final loss. */
static double time_training(const MgModel *m, const Corpus *c, int steps, int total_steps, int runs, double *last)
{
    double v[MAX_RUNS];
    for (int i = 0; i < runs; i++)
        v[i] = train(m, c, steps, total_steps, last) / steps * 1e6;
    return median(v, runs);
}

/* ---- the three engines ---- */

static void bench_compiled(Row *r, const Corpus *c, const Opts *o)
{
    r->us[COMPILED] = time_training(r->model, c, o->steps, o->steps, o->runs, &r->loss[COMPILED]);
}

/* The interpreter on the same .mg file, as `mgc run` builds it. */
static void bench_interp(Row *r, const Corpus *c, const Opts *o)
{
    char path[1024];
    MgModel im;
    snprintf(path, sizeof path, "%s/models/%s.mg", MGC_SOURCE_DIR, r->name);
    Graph *g = mgc_front_end(path, r->name, 0, NULL);
    if (!g || interp_make_model(g, &im) != 0) {
        fprintf(stderr, "mgc-bench: warning: %s: the interpreter could not load it\n", path);
        return;
    }
    int n = o->interp_steps < o->steps ? o->interp_steps : o->steps;
    double last;
    r->us[INTERP] = time_training(&im, c, n, o->steps, o->interp_runs, &last);
    r->loss[INTERP] = n == o->steps ? last : -1;
    interp_free_model(&im);
}

/* bench_torch.py with Debian's python3; 0, or -1 with the reason in note. */
static int bench_torch(Row *r, const Corpus *c, const Opts *o, char *note, size_t cap)
{
    char cmd[4096], line[512];
    snprintf(cmd, sizeof cmd, "/usr/bin/python3 '%s' --model %s --steps %d --runs %d --data '%s' 2>&1", TORCH_PY,
             r->name, o->steps, o->runs, c->path);
    FILE *f = popen(cmd, "r");
    double us = -1, loss = -1;
    while (f && fgets(line, sizeof line, f))
        sscanf(line, "per_step_us %lf final_loss %lf", &us, &loss);
    if (!f || pclose(f) != 0 || us <= 0) {
        snprintf(note, cap, "PyTorch failed on %s (run %s by hand to see why)", r->name, TORCH_PY);
        return -1;
    }
    r->us[TORCH] = us;
    r->loss[TORCH] = loss;
    return 0;
}

/* ---- mgc and the C compiler ---- */

/* median wall seconds of a shell command (output discarded), or -1 if it failed */
static double time_cmd(const char *cmd, int runs)
{
    char full[4096];
    double v[MAX_RUNS];
    snprintf(full, sizeof full, "%s >/dev/null 2>&1", cmd);
    for (int i = 0; i < runs; i++) {
        double t0 = now();
        if (system(full) != 0)
            return -1;
        v[i] = now() - t0;
    }
    return median(v, runs);
}

/* mgc on models/NAME.mg, then cc -O2 -c on what it emitted */
static void bench_tools(Row *r, const Opts *o)
{
    char cmd[4096], c_file[64], o_file[64];
    snprintf(c_file, sizeof c_file, "/tmp/mgc_bench_%ld.c", (long)getpid());
    snprintf(o_file, sizeof o_file, "/tmp/mgc_bench_%ld.o", (long)getpid());
    snprintf(cmd, sizeof cmd, "'%s' '%s/models/%s.mg' -o %s", MGC_EXE, MGC_SOURCE_DIR, r->name, c_file);
    r->mgc_ms = time_cmd(cmd, o->tool_runs) * 1e3;
    snprintf(cmd, sizeof cmd, "'%s' -O2 -ffp-contract=off -I'%s/runtime' -c %s -o %s", MGC_CC, MGC_SOURCE_DIR, c_file,
             o_file);
    r->cc_ms = r->mgc_ms < 0 ? -1 : time_cmd(cmd, o->tool_runs) * 1e3;
    remove(c_file);
    remove(o_file);
}

/* ---- the table ---- */

static void fmt(char *buf, size_t cap, const char *f, double x)
{
    if (x < 0)
        snprintf(buf, cap, "-");
    else
        snprintf(buf, cap, f, x);
}

static void print_header(const Opts *o, const Corpus *c)
{
    int n = o->interp_steps < o->steps ? o->interp_steps : o->steps;
    printf("mgc-bench: %d steps, one document per step, on %s: %zu documents\n", o->steps, c->label, c->docs.n);
    printf("training time per step, data loading excluded: median of %d runs of %d steps (compiled, pytorch),\n"
           "of %d runs of %d steps (interpreter); mgc and cc: median of %d runs\n\n",
           o->runs, o->steps, o->interp_runs, n, o->tool_runs);
    printf("%-9s %12s %13s %13s %12s %11s %9s %9s\n", "model", "compiled", "interpreter", "pytorch f64",
           "interp/comp", "torch/comp", "mgc", "cc -O2");
}

static void print_row(const Row *r)
{
    char t[N_ENGINES][32], ri[32], rt[32], mgc[32], cc[32];
    for (int e = 0; e < N_ENGINES; e++)
        fmt(t[e], sizeof t[e], "%.2f us", r->us[e]);
    fmt(ri, sizeof ri, "%.0fx", r->us[INTERP] < 0 ? -1 : r->us[INTERP] / r->us[COMPILED]);
    fmt(rt, sizeof rt, "%.0fx", r->us[TORCH] < 0 ? -1 : r->us[TORCH] / r->us[COMPILED]);
    fmt(mgc, sizeof mgc, "%.1f ms", r->mgc_ms);
    fmt(cc, sizeof cc, "%.0f ms", r->cc_ms);
    printf("%-9s %12s %13s %13s %12s %11s %9s %9s\n", r->name, t[COMPILED], t[INTERP], t[TORCH], ri, rt, mgc, cc);
}

/* The losses `train` prints last (%.4f), to compare with build/NAME train's last line. */
static void print_losses(const Row *rows, int n, const Opts *o)
{
    char label[64];
    snprintf(label, sizeof label, "last loss after %d steps", o->steps);
    printf("\n%-26s %12s %13s %13s\n", label, "compiled", "interpreter", "pytorch f64");
    for (int i = 0; i < n; i++) {
        const Row *r = &rows[i];
        char l[N_ENGINES][32];
        for (int e = 0; e < N_ENGINES; e++)
            fmt(l[e], sizeof l[e], "%.4f", r->loss[e]);
        printf("%-26s %12s %13s %13s%s\n", r->name, l[COMPILED], l[INTERP], l[TORCH],
               r->loss[INTERP] == r->loss[COMPILED] ? "   (compiled = interpreter, bit for bit)" : "");
    }
}

static const char *verdict(int ok) { return ok ? "PASS" : "MISS"; }

static void print_targets(const Row *g, const Opts *o)
{
    double ms = g->us[COMPILED] * 1000 / 1e3;
    printf("\ntargets (issue #5, microGPT; informational):\n");
    printf("  %s  1000 steps in at most 20 ms of training time: %.1f ms\n", verdict(ms <= 20), ms);
    if (g->us[INTERP] > 0)
        printf("  %s  at least 200x the interpreter: %.0fx\n", verdict(g->us[INTERP] >= 200 * g->us[COMPILED]),
               g->us[INTERP] / g->us[COMPILED]);
    if (g->us[TORCH] > 0)
        printf("  %s  at least 100x PyTorch eager: %.0fx\n", verdict(g->us[TORCH] >= 100 * g->us[COMPILED]),
               g->us[TORCH] / g->us[COMPILED]);
    else
        printf("  ----  at least 100x PyTorch eager: not measured (%s)\n", o->torch ? "see above" : "--no-torch");
    printf("  %s  mgc on microgpt.mg in at most 50 ms: %.1f ms\n", verdict(g->mgc_ms >= 0 && g->mgc_ms <= 50),
           g->mgc_ms);
    printf("  %s  emitted C compiles at -O2 in at most 2 s: %.0f ms\n", verdict(g->cc_ms >= 0 && g->cc_ms <= 2000),
           g->cc_ms);
}

static void print_table(const Row *rows, int n, const Opts *o, const Corpus *c, const char *note)
{
    print_header(o, c);
    for (int i = 0; i < n; i++)
        print_row(&rows[i]);
    print_losses(rows, n, o);
    if (note[0])
        printf("\n%s\n", note);
    if (!strcmp(rows[n - 1].name, "microgpt"))
        print_targets(&rows[n - 1], o);
}

/* microGPT built with mgc --fast (reordered floating point, and Adam with
 * g * g and sqrt for **): opt-in, not the reference's bits; its ratios are
 * against the exact row's interpreter and PyTorch figures. */
static void print_fast(const Row *g, const Corpus *c, const Opts *o)
{
    double last, us = time_training(&microgpt_fast_model, c, o->steps, o->steps, o->runs, &last);
    char ri[32] = "the interpreter not run", rt[32] = "PyTorch not run";
    if (g->us[INTERP] > 0)
        snprintf(ri, sizeof ri, "%.0fx the interpreter", g->us[INTERP] / us);
    if (g->us[TORCH] > 0)
        snprintf(rt, sizeof rt, "%.0fx PyTorch", g->us[TORCH] / us);
    printf("\nopt-in, not the reference's bits: microgpt built with mgc --fast: %.2f us a step (%.1f ms for %d steps),"
           "\n  %s, %s; last loss %.4f (exact build %.4f, difference %.2g)\n",
           us, us * o->steps / 1e3, o->steps, ri, rt, last, g->loss[COMPILED], fabs(last - g->loss[COMPILED]));
}

/* ---- command line ---- */

static void usage(FILE *f)
{
    fputs("usage: mgc-bench [--steps N] [--runs N] [--interp-steps N] [--interp-runs N] [--tool-runs N]\n"
          "                 [--data FILE] [--model mlp|microgpt] [--no-torch]\n"
          "Times training of the Step-2 MLP and microGPT as `train` runs it: compiled, interpreted, and in\n"
          "PyTorch eager (float64, one thread; needs Debian's python3-torch), plus mgc and cc -O2 on each\n"
          "model.  Defaults: 1000 steps of names.txt (else the embedded words), 5 runs (interpreter 3),\n"
          "mgc and cc 5 runs each.  Timings are printed, never checked: the exit status is 0 unless\n"
          "something fails to run.\n",
          f);
}

static int parse_count(const char *flag, const char *s, int max, int *out)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (!*s || *end || v < 1 || v > max) {
        fprintf(stderr, "mgc-bench: error: %s needs an integer from 1 to %d, not '%s'\n", flag, max, s);
        return 1;
    }
    *out = (int)v;
    return 0;
}

static int *count_flag(Opts *o, const char *a, int *max)
{
    *max = MAX_RUNS;
    if (!strcmp(a, "--runs")) return &o->runs;
    if (!strcmp(a, "--interp-runs")) return &o->interp_runs;
    if (!strcmp(a, "--tool-runs")) return &o->tool_runs;
    *max = 10000000;
    if (!strcmp(a, "--steps")) return &o->steps;
    if (!strcmp(a, "--interp-steps")) return &o->interp_steps;
    return NULL;
}

/* 0 to run, 1 on error, 2 after --help */
static int parse(Opts *o, int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int max, *dst = count_flag(o, a, &max);
        int has_value = i + 1 < argc;
        if (dst && has_value) {
            if (parse_count(a, argv[++i], max, dst)) return 1;
        } else if (!strcmp(a, "--data") && has_value) {
            o->data = argv[++i];
        } else if (!strcmp(a, "--model") && has_value) {
            o->model = argv[++i];
            if (strcmp(o->model, "mlp") && strcmp(o->model, "microgpt")) {
                fprintf(stderr, "mgc-bench: error: --model: '%s' is not mlp or microgpt\n", o->model);
                return 1;
            }
        } else if (!strcmp(a, "--no-torch")) {
            o->torch = 0;
        } else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            return 2;
        } else {
            fprintf(stderr, "mgc-bench: error: unknown option or missing value: '%s'\n", a);
            usage(stderr);
            return 1;
        }
    }
    return 0;
}

/* ---- main ---- */

static int select_rows(Row *rows, const Opts *o)
{
    static const Row all[2] = {{"mlp", &mlp_model, {-1, -1, -1}, {-1, -1, -1}, -1, -1},
                               {"microgpt", &microgpt_model, {-1, -1, -1}, {-1, -1, -1}, -1, -1}};
    int n = 0;
    for (int i = 0; i < 2; i++)
        if (!o->model || !strcmp(o->model, all[i].name))
            rows[n++] = all[i];
    return n;
}

/* PyTorch needs Debian's python3 with python3-torch; note says why it was not run. */
static int torch_usable(const Opts *o, char *note, size_t cap)
{
    if (!o->torch)
        snprintf(note, cap, "PyTorch skipped (--no-torch)");
    else if (system("/usr/bin/python3 -c 'import torch; torch.zeros(1)' >/dev/null 2>&1") != 0)
        snprintf(note, cap, "PyTorch skipped: Debian's python3-torch is not installed (apt-get install python3-torch)");
    return !note[0];
}

int main(int argc, char **argv)
{
    Opts o = {1000, 5, 1000, 3, 5, 1, NULL, NULL};
    int rc = parse(&o, argc, argv);
    if (rc)
        return rc == 2 ? 0 : 1;
    if (!o.data && access(MGC_NAMES_DEFAULT, R_OK) == 0)
        o.data = MGC_NAMES_DEFAULT;
    Corpus c;
    if (load_corpus(&c, o.data) < 0)
        return 1;
    Row rows[2];
    int n = select_rows(rows, &o);
    char note[1024] = "";
    int torch = torch_usable(&o, note, sizeof note);
    for (int i = 0; i < n; i++) {
        bench_compiled(&rows[i], &c, &o);
        bench_interp(&rows[i], &c, &o);
        torch = torch && bench_torch(&rows[i], &c, &o, note, sizeof note) == 0;
        bench_tools(&rows[i], &o);
    }
    print_table(rows, n, &o, &c, note);
    if (!strcmp(rows[n - 1].name, "microgpt"))
        print_fast(&rows[n - 1], &c, &o);
    mg_vocab_free(&c.vocab);
    mg_data_free(&c.docs);
    arena_free_all();
    return 0;
}
