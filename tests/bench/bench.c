/* bench.c: mgc-bench, the speed table of issue #5.  Takes the Step-2 MLP and
 * microGPT, compiled (linked in) and interpreted (mgc run's engine), trains
 * each on one document per step exactly as `train` does (same shuffle, init,
 * Adam/SGD with linear decay) and prints per-step training time (median of
 * several runs, data loading excluded), the same for our PyTorch float64
 * script when Debian's python3-torch is there, the ratios measured in this
 * run, and how long mgc and the C compiler take on each model.  Timings are
 * printed, never asserted: the targets line says PASS or MISS. */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "interp.h"
#include "mg_data.h"
#include "mg_model.h"
#include "mg_optim.h"
#include "mg_rng.h"
#include "pipeline.h"

extern const MgModel mlp_model, microgpt_model;

typedef struct Opts {
    int steps, runs, interp_steps, interp_runs, torch;
    const char *data;
} Opts;

typedef struct Corpus {
    MgDocs docs;            /* shuffled as train shuffles them (seed 42) */
    MgVocab vocab;
    MgRng rng;              /* the generator right after the shuffle: init draws from here */
    const char *label;
} Corpus;

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

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

/* ---- one training run, as runtime/cli.c's train does it ---- */

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

/* tokens of document d: [BOS] + chars + [BOS], cropped to block_size; returns T */
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

/* seconds of training for `steps` steps (tokens prepared beforehand); *last = final loss */
static double train(const MgModel *m, const Corpus *c, int steps, int total_steps, double *last)
{
    MgRng rng = c->rng;
    MgOptimizer opt;
    MgErr e;
    size_t stride = (size_t)m->block_size + 2;
    double *p = malloc(m->n_scalars * sizeof *p), *g = malloc(m->n_scalars * sizeof *g);
    double *scratch = malloc((m->scratch + 1) * sizeof *scratch);
    int *tok = malloc((size_t)steps * stride * sizeof *tok), *T = malloc((size_t)steps * sizeof *T);
    MgOptim cfg = m->optim;
    cfg.steps = total_steps;
    if (!p || !g || !scratch || !tok || !T || mg_optim_init(&opt, &cfg, m->n_scalars, &e) < 0) {
        fprintf(stderr, "mgc-bench: out of memory\n");
        exit(1);
    }
    init_params(m, p, &rng);
    for (int s = 0; s < steps; s++)
        T[s] = doc_tokens(c, m, (size_t)s, tok + (size_t)s * stride);
    double loss = 0, t0 = now();
    for (int s = 0; s < steps; s++) {
        loss = m->loss_grad(m->ctx, p, g, tok + (size_t)s * stride, T[s], scratch);
        mg_optim_step(&opt, p, g, s);
    }
    double t = now() - t0;
    *last = loss;
    mg_optim_free(&opt);
    free(p), free(g), free(scratch), free(tok), free(T);
    return t;
}

static int load_corpus(Corpus *c, const char *path)
{
    MgErr e;
    mg_rng_seed(&c->rng, 42);
    int rc = path ? mg_data_load_file(&c->docs, path, &e) : mg_data_load_default(&c->docs, &e);
    if (rc < 0 || (mg_data_shuffle(&c->docs, &c->rng), mg_vocab_build(&c->vocab, &c->docs, &e)) < 0) {
        fprintf(stderr, "mgc-bench: %s\n", e.msg);
        return -1;
    }
    c->label = path ? path : "the embedded word list";
    return 0;
}

/* ---- timing other programs ---- */

/* wall seconds of one shell command (its output discarded), or -1 */
static double time_cmd(const char *cmd)
{
    char full[4096];
    snprintf(full, sizeof full, "%s >/dev/null 2>&1", cmd);
    double t0 = now();
    int st = system(full);
    double t = now() - t0;
    return st == 0 ? t : -1;
}

static double median_cmd(const char *cmd, int runs)
{
    double v[16];
    if (runs > 16)
        runs = 16;
    for (int i = 0; i < runs; i++)
        if ((v[i] = time_cmd(cmd)) < 0)
            return -1;
    return median(v, runs);
}

/* run the PyTorch script; its last line "per_step_us X final_loss Y" */
static double torch_per_step(const char *model, const Opts *o, const char *data, char *note, size_t cap)
{
    if (system("/usr/bin/python3 -c 'import torch' >/dev/null 2>&1") != 0) {
        snprintf(note, cap, "PyTorch skipped: Debian's python3-torch is not installed (apt-get install python3-torch)");
        return -1;
    }
    char cmd[4096], line[512];
    snprintf(cmd, sizeof cmd, "/usr/bin/python3 %s/tests/bench/bench_torch.py --model %s --steps %d --runs %d%s%s 2>&1",
             MGC_SOURCE_DIR, model, o->steps, o->runs, data ? " --data " : "", data ? data : "");
    FILE *f = popen(cmd, "r");
    double us = -1;
    while (f && fgets(line, sizeof line, f))
        sscanf(line, "per_step_us %lf", &us);
    if (f)
        pclose(f);
    if (us < 0)
        snprintf(note, cap, "PyTorch run failed (run tests/bench/bench_torch.py by hand to see why)");
    return us;
}

/* ---- the table ---- */

typedef struct Row {
    const char *name;
    double compiled, interp, torch;     /* microseconds per step */
    double loss, mgc_ms, cc_ms;
} Row;

static void bench_model(Row *r, const char *name, const MgModel *m, const Corpus *c, const Opts *o)
{
    r->name = name;
    double v[64];
    int runs = o->runs > 64 ? 64 : o->runs;
    for (int i = 0; i < runs; i++)
        v[i] = train(m, c, o->steps, o->steps, &r->loss) / o->steps * 1e6;
    r->compiled = median(v, runs);

    char path[1024];
    snprintf(path, sizeof path, "%s/models/%s.mg", MGC_SOURCE_DIR, name);
    Graph *g = mgc_front_end(path, name, 0);
    MgModel im;
    r->interp = -1;
    if (g && interp_make_model(g, &im) == 0) {
        double last;
        int n = o->interp_steps < o->steps ? o->interp_steps : o->steps;
        for (int i = 0; i < o->interp_runs && i < 64; i++)
            v[i] = train(&im, c, n, o->steps, &last) / n * 1e6;
        r->interp = median(v, o->interp_runs < 64 ? o->interp_runs : 64);
        interp_free_model(&im);
    }
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "'%s' '%s' -o /tmp/mgc_bench_%d.c", MGC_EXE, path, (int)getpid());
    r->mgc_ms = median_cmd(cmd, 7) * 1e3;
    snprintf(cmd, sizeof cmd, "'%s' -O2 -ffp-contract=off -I'%s/runtime' -c /tmp/mgc_bench_%d.c -o /tmp/mgc_bench_%d.o",
             MGC_CC, MGC_SOURCE_DIR, (int)getpid(), (int)getpid());
    r->cc_ms = median_cmd(cmd, 3) * 1e3;
    snprintf(cmd, sizeof cmd, "/tmp/mgc_bench_%d.c", (int)getpid());
    remove(cmd);
    snprintf(cmd, sizeof cmd, "/tmp/mgc_bench_%d.o", (int)getpid());
    remove(cmd);
}

static const char *target(int ok) { return ok ? "PASS" : "MISS"; }

static void print_table(const Row *rows, int n, const Opts *o, const Corpus *c, const char *note)
{
    printf("mgc-bench: %d steps, one document per step, on %s (%zu documents)\n", o->steps, c->label, c->docs.n);
    printf("training time per step: compiled median of %d runs of %d steps; interpreter median of %d runs of %d "
           "steps\n\n",
           o->runs, o->steps, o->interp_runs, o->interp_steps < o->steps ? o->interp_steps : o->steps);
    printf("%-9s %12s %14s %14s %12s %12s %9s %12s %10s\n", "model", "compiled", "interpreter", "pytorch f64",
           "interp/comp", "torch/comp", "mgc", "cc -O2", "last loss");
    for (int i = 0; i < n; i++) {
        const Row *r = &rows[i];
        char ti[32] = "-", tt[32] = "-", ri[32] = "-", rt[32] = "-";
        if (r->interp > 0)
            snprintf(ti, sizeof ti, "%.1f us", r->interp), snprintf(ri, sizeof ri, "%.0fx", r->interp / r->compiled);
        if (r->torch > 0)
            snprintf(tt, sizeof tt, "%.1f us", r->torch), snprintf(rt, sizeof rt, "%.0fx", r->torch / r->compiled);
        printf("%-9s %9.2f us %14s %14s %12s %12s %6.1f ms %9.0f ms %10.4f\n", r->name, r->compiled, ti, tt, ri, rt,
               r->mgc_ms, r->cc_ms, r->loss);
    }
    if (note[0])
        printf("\n%s\n", note);
    const Row *g = &rows[n - 1];
    printf("\ntargets (issue #5, microGPT):\n");
    printf("  %s  1000 steps in at most 20 ms of training time: %.1f ms\n", target(g->compiled * 1000 <= 20000),
           g->compiled * 1000 / 1e3);
    if (g->interp > 0)
        printf("  %s  at least 200x the interpreter: %.0fx\n", target(g->interp / g->compiled >= 200),
               g->interp / g->compiled);
    if (g->torch > 0)
        printf("  %s  at least 100x PyTorch eager: %.0fx\n", target(g->torch / g->compiled >= 100),
               g->torch / g->compiled);
    else
        printf("  ----  at least 100x PyTorch eager: not measured (no python3-torch)\n");
    printf("  %s  mgc on microgpt.mg in at most 50 ms: %.1f ms\n", target(g->mgc_ms <= 50), g->mgc_ms);
    printf("  %s  emitted C compiles at -O2 in at most 2 s: %.0f ms\n", target(g->cc_ms <= 2000), g->cc_ms);
}

static void usage(FILE *f)
{
    fputs("usage: mgc-bench [--steps N] [--runs N] [--interp-steps N] [--interp-runs N] [--data FILE] [--no-torch]\n"
          "Times training of the Step-2 MLP and microGPT: compiled, interpreted and in PyTorch (float64, one\n"
          "thread, when Debian's python3-torch is installed), and mgc and cc on each model.  Defaults: 1000\n"
          "steps, 5 runs (interpreter: 3 runs of 100 steps), names.txt when present, else the embedded words.\n",
          f);
}

static int parse(Opts *o, int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int *dst = !strcmp(a, "--steps") ? &o->steps : !strcmp(a, "--runs") ? &o->runs
                 : !strcmp(a, "--interp-steps") ? &o->interp_steps : !strcmp(a, "--interp-runs") ? &o->interp_runs
                                                                                               : NULL;
        if (dst && i + 1 < argc) {
            char *end;
            long v = strtol(argv[++i], &end, 10);
            if (*end || v < 1 || v > 1000000) {
                fprintf(stderr, "mgc-bench: error: %s needs a positive integer, not '%s'\n", a, argv[i]);
                return 1;
            }
            *dst = (int)v;
        } else if (!strcmp(a, "--data") && i + 1 < argc) {
            o->data = argv[++i];
        } else if (!strcmp(a, "--no-torch")) {
            o->torch = 0;
        } else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            exit(0);
        } else {
            fprintf(stderr, "mgc-bench: error: unknown or incomplete option '%s'\n", a);
            usage(stderr);
            return 1;
        }
    }
    return 0;
}

int main(int argc, char **argv)
{
    Opts o = {1000, 5, 100, 3, 1, NULL};
    if (parse(&o, argc, argv))
        return 1;
    if (!o.data && access(MGC_NAMES_DEFAULT, R_OK) == 0)
        o.data = MGC_NAMES_DEFAULT;
    Corpus c;
    if (load_corpus(&c, o.data) < 0)
        return 1;
    Row rows[2] = {{0}, {0}};
    char note[1024] = "";
    bench_model(&rows[0], "mlp", &mlp_model, &c, &o);
    bench_model(&rows[1], "microgpt", &microgpt_model, &c, &o);
    if (o.torch) {
        for (int i = 0; i < 2 && !note[0]; i++)
            rows[i].torch = torch_per_step(rows[i].name, &o, o.data, note, sizeof note);
    } else {
        snprintf(note, sizeof note, "PyTorch skipped (--no-torch)");
    }
    print_table(rows, 2, &o, &c, note);
    mg_vocab_free(&c.vocab);
    mg_data_free(&c.docs);
    return 0;
}
