/* fuzz.c: the differential fuzzing driver (issue #4).
 * For each generated program (gen.c) or regression file: run mgc on it (twice:
 * the output must be byte-identical), compile the C with -Werror into a shared
 * object and dlopen <name>_model, build the interpreter in-process, and
 * compare loss, every gradient (relative difference <= 1e-10) and the logits
 * (bit for bit) at T = 1, 2, Tmax and one more; then the interpreter against
 * central finite differences.  Each check runs in a forked child, so crashes
 * and exit(2) are results too.  A failing program is shrunk (drop statements,
 * replace subexpressions by operands or constants, shrink extents) to a small
 * one that still compiles and fails the same way, and printed.
 *   mgfuzz gen SEED               print the program for SEED
 *   mgfuzz run SEED COUNT [-n]    check seeds SEED..SEED+COUNT-1 (-n: no shrinking)
 *   mgfuzz check FILE...          check .mg files (the regression corpus) */
#define _POSIX_C_SOURCE 200809L
#include <dlfcn.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fuzz.h"
#include "interp.h"
#include "mg_model.h"
#include "pipeline.h"

enum {
    FR_OK = 0, FR_DISCARD = 10, FR_REJECT, FR_MGC_CRASH, FR_NONDET, FR_CC, FR_LOAD, FR_INTERP_BUILD, FR_META,
    FR_LOSS, FR_GRAD, FR_LOGITS, FR_NONFINITE, FR_FD, FR_CRASH, FR_TIMEOUT, FR_EXIT2, FR_END
};
static const char *rname(int r)
{
    static const char *n[] = {"ok", "discarded (non-finite in both)", "mgc rejected the program", "mgc crashed",
        "mgc output not deterministic", "emitted C does not compile cleanly", "dlopen failed",
        "interpreter could not be built", "model metadata differ", "loss differs", "gradient differs",
        "logits differ", "non-finite in only one of compiled/interpreter", "interpreter vs finite differences",
        "crash (signal)", "timeout", "interpreter exit(2): unwritten element read"};
    if (r == 0) return n[0];
    if (r >= FR_DISCARD && r < FR_END) return n[r - FR_DISCARD + 1];
    return "unknown exit";
}

static const char *mgc_bin = MGFUZZ_MGC, *rt_dir = MGFUZZ_RUNTIME;
static char work[256];

/* ---- printing ---- */
static void pr_ex(FILE *f, const FzEx *e)
{
    switch (e->kind) {
    case FX_LEAF: fputs(e->text, f); break;
    case FX_UN:
        if (!strcmp(e->text, "-")) fputs("-(", f);
        else fprintf(f, "%s(", e->text);
        pr_ex(f, e->a[0]);
        fputs(")", f);
        break;
    case FX_BIN:
        fputs("(", f);
        pr_ex(f, e->a[0]);
        fprintf(f, " %s ", e->text);
        pr_ex(f, e->a[1]);
        fputs(")", f);
        break;
    case FX_CALL:   /* (max(a, b)): bare, max(...) before an operand would be a reduction */
        if (!strcmp(e->text, "max") || !strcmp(e->text, "min")) fputs("(", f);
        fprintf(f, "%s(", e->text);
        for (int i = 0; i < e->n; i++) {
            if (i) fputs(", ", f);
            pr_ex(f, e->a[i]);
        }
        fputs(")", f);
        if (!strcmp(e->text, "max") || !strcmp(e->text, "min")) fputs(")", f);
        break;
    case FX_RED:
        fprintf(f, "(%s ", e->text);
        pr_ex(f, e->a[0]);
        fputs(")", f);
        break;
    }
}
static void pr_st(FILE *f, const FzSt *s, int ind)
{
    if (s->dead) return;
    if (s->kind == FS_ROOT) {
        for (int i = 0; i < s->nk; i++) pr_st(f, s->kids[i], ind);
        return;
    }
    fprintf(f, "%*s", 4 * ind, "");
    switch (s->kind) {
    case FS_RAW: fprintf(f, "%s\n", s->head); break;
    case FS_CONST: fprintf(f, "const %s = %d\n", s->head, s->ival); break;
    case FS_ASSIGN: fprintf(f, "%s = ", s->head); pr_ex(f, s->e); fputs("\n", f); break;
    case FS_BLOCK:
        fprintf(f, "%s {\n", s->head);
        for (int i = 0; i < s->nk; i++) pr_st(f, s->kids[i], ind + 1);
        fprintf(f, "%*s}\n", 4 * ind, "");
        break;
    }
}
char *fz_print(const Prog *p)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    pr_st(f, p->root, 0);
    fclose(f);
    return buf;
}

/* ---- the check, run in a child process ---- */
static unsigned long long ls;
static double uniform(void)
{
    ls = ls * 6364136223846793005ULL + 1442695040888963407ULL;
    return (double)(ls >> 11) * (1.0 / 9007199254740992.0);
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
        for (size_t k = 0; k < q->size; k++)
            p[q->offset + k] = q->init == MG_INIT_GAUSS ? q->init_a + 2 * q->init_b * normal() : 0.5 + 0.5 * normal();
    }
}

static int fail(int r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(int r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "FAIL (%s): ", rname(r));
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return r;
}

static int same_bits(double a, double b) { return a == b || (isnan(a) && isnan(b)); }

/* relative difference of two tensors; elements non-finite in both are skipped,
 * non-finite in only one is *one = 1 */
static double reldiff(const double *a, const double *b, size_t n, int *one, size_t *worst, double floor)
{
    double maxd = 0, scale = floor;
    *one = 0;
    for (size_t i = 0; i < n; i++) {
        int fa = isfinite(a[i]), fb = isfinite(b[i]);
        if (!fa || !fb) {
            if (fa != fb || !same_bits(a[i], b[i])) *one = 1, *worst = i;
            continue;
        }
        double d = fabs(a[i] - b[i]);
        if (d > maxd) maxd = d, *worst = i;
        scale = fmax(scale, fmax(fabs(a[i]), fabs(b[i])));
    }
    return maxd == 0 ? 0 : maxd / scale;
}

static int run_cmd(const char *cmd)
{
    int st = system(cmd);
    if (st == -1 || !WIFEXITED(st)) return -1;
    return WEXITSTATUS(st);
}

static int files_equal(const char *a, const char *b)
{
    FILE *fa = fopen(a, "rb"), *fb = fopen(b, "rb");
    int eq = fa && fb;
    while (eq) {
        int ca = getc(fa), cb = getc(fb);
        if (ca != cb) eq = 0;
        if (ca == EOF) break;
    }
    if (fa) fclose(fa);
    if (fb) fclose(fb);
    return eq;
}

#define TOL 1e-10

/* Gradients are compared relative to their condition scale.  A gradient is a
 * sum of chain-rule terms, and the compiled code and the interpreter add those
 * terms in different orders, so they may differ by rounding relative to the
 * terms' magnitudes, not to the sum's: terms of 1e73 that cancel to 0 leave
 * noise of 1e57 either way.  The interpreter's absolute mode sums |term| for
 * every gradient (value.h); each element must agree to TOL relative to the
 * larger of the two values and that sum. */
static double grad_rel(const double *gc, const double *gi, const double *ga, size_t n, int *one, size_t *worst)
{
    double maxr = 0;
    *one = 0;
    for (size_t k = 0; k < n; k++) {
        int fc = isfinite(gc[k]), fi = isfinite(gi[k]);
        if (!fc || !fi) {
            if (fc != fi || !same_bits(gc[k], gi[k])) *one = 1, *worst = k;
            continue;
        }
        double d = fabs(gc[k] - gi[k]), s = fmax(fmax(fabs(gc[k]), fabs(gi[k])), isfinite(ga[k]) ? ga[k] : 0);
        if (d > 0 && d / s > maxr) maxr = d / s, *worst = k;
    }
    return maxr;
}

static int check_models(const MgModel *cm, const MgModel *im, unsigned long long seed)
{
    if (im->n_scalars != cm->n_scalars || im->vocab != cm->vocab || im->block_size != cm->block_size ||
            im->n_params != cm->n_params)
        return fail(FR_META, "sizes differ");
    for (int i = 0; i < cm->n_params; i++)
        if (strcmp(im->params[i].name, cm->params[i].name) || im->params[i].size != cm->params[i].size)
            return fail(FR_META, "parameter %d: %s vs %s", i, cm->params[i].name, im->params[i].name);
    size_t n = cm->n_scalars;
    int B = cm->block_size, V = cm->vocab;
    double *p = malloc((n + 1) * sizeof *p), *gc = malloc((n + 1) * sizeof *gc), *gi = malloc((n + 1) * sizeof *gi);
    double *dummy = malloc((n + 1) * sizeof *dummy), *ga = malloc((n + 1) * sizeof *ga);
    double *scratch = malloc((cm->scratch + 1) * sizeof *scratch);
    double *fcopy = malloc((size_t)B * (size_t)V * sizeof *fcopy);
    int *tok = malloc((size_t)(B + 1) * sizeof *tok);
    ls = seed;
    int lengths[4] = {1, 2 <= B ? 2 : 1, B, 1 + (int)(uniform() * B) % B};
    int checked = 0;
    for (int li = 0; li < 4; li++) {
        int T = lengths[li];
        random_params(cm, p);
        for (int i = 0; i <= T; i++) tok[i] = (int)(uniform() * V) % V;
        double lc = cm->loss_grad(cm->ctx, p, gc, tok, T, scratch);
        double lim = im->loss_grad(im->ctx, p, gi, tok, T, NULL);
        if (!isfinite(lc) || !isfinite(lim)) {
            if (isfinite(lc) != isfinite(lim)) return fail(FR_NONFINITE, "loss (T=%d): compiled %.17g, interpreted %.17g", T, lc, lim);
            continue;
        }
        int one;
        size_t w = 0;
        double r = reldiff(&lc, &lim, 1, &one, &w, 0);
        if (r > TOL) return fail(FR_LOSS, "T=%d: compiled %.17g, interpreted %.17g (rel %.3g)", T, lc, lim, r);
        interp_set_absolute((MgModel *)im, 1);
        im->loss_grad(im->ctx, p, ga, tok, T, NULL);
        interp_set_absolute((MgModel *)im, 0);
        for (int i = 0; i < cm->n_params; i++) {
            const MgParam *q = &cm->params[i];
            r = grad_rel(gc + q->offset, gi + q->offset, ga + q->offset, q->size, &one, &w);
            if (one) return fail(FR_NONFINITE, "d%s[%zu] (T=%d): compiled %.17g, interpreted %.17g", q->name, w, T,
                    gc[q->offset + w], gi[q->offset + w]);
            if (r > TOL)
                return fail(FR_GRAD, "d%s (T=%d): relative difference %.3g at [%zu]: compiled %.17g, interpreted "
                    "%.17g, sum of |terms| %.17g", q->name, T, r, w, gc[q->offset + w], gi[q->offset + w],
                    ga[q->offset + w]);
        }
        const double *fc = cm->forward(cm->ctx, p, tok, T, scratch);
        memcpy(fcopy, fc, (size_t)T * (size_t)V * sizeof *fcopy);
        const double *fi = im->forward(im->ctx, p, tok, T, NULL);
        for (size_t k = 0; k < (size_t)T * (size_t)V; k++)
            if (!same_bits(fcopy[k], fi[k])) {
                if (isfinite(fcopy[k]) != isfinite(fi[k])) return fail(FR_NONFINITE, "logits[%zu] (T=%d): compiled %.17g, interpreted %.17g", k, T, fcopy[k], fi[k]);
                return fail(FR_LOGITS, "logits[%zu] (T=%d): compiled %.17g, interpreted %.17g", k, T, fcopy[k], fi[k]);
            }
        checked++;
    }
    if (!checked) return FR_DISCARD;

    /* the interpreter against central finite differences, at one random T */
    int T = 1 + (int)(uniform() * B) % B;
    for (int tries = 0; tries < 4; tries++) {
        random_params(cm, p);
        for (int i = 0; i <= T; i++) tok[i] = (int)(uniform() * V) % V;
        double L0 = im->loss_grad(im->ctx, p, gi, tok, T, NULL);
        int finite = isfinite(L0);
        for (size_t k = 0; k < n && finite; k++) finite = isfinite(gi[k]);
        if (!finite) continue;
        /* the backward pass's own rounding: a gradient whose terms cancel is
         * only good to about eps times the sum of their magnitudes */
        interp_set_absolute((MgModel *)im, 1);
        im->loss_grad(im->ctx, p, ga, tok, T, NULL);
        interp_set_absolute((MgModel *)im, 0);
        int nfd = n < 40 ? (int)n : 40;
        for (int c = 0; c < nfd; c++) {
            size_t k = n <= 40 ? (size_t)c : (size_t)(uniform() * (double)n) % n;
            double keep = p[k], g = gi[k], fd[2], err[2], tol[2], hs[2] = {1e-5, 1e-6};
            int ok = 0;
            for (int hi = 0; hi < 2 && !ok; hi++) {
                double h = hs[hi] * fmax(1, fabs(keep));
                p[k] = keep + h;
                double up = im->loss_grad(im->ctx, p, dummy, tok, T, NULL);
                p[k] = keep - h;
                double down = im->loss_grad(im->ctx, p, dummy, tok, T, NULL);
                p[k] = keep;
                fd[hi] = (up - down) / (2 * h);
                err[hi] = fabs(fd[hi] - g);
                /* truncation allowance for the delicate spots + rounding of the loss */
                tol[hi] = 1e-5 * fmax(1, fabs(g)) + 256 * 2.2e-16 * fmax(1, fabs(L0)) / h +
                          64 * 2.2e-16 * (isfinite(ga[k]) ? ga[k] : 0);
                ok = err[hi] <= tol[hi];
            }
            if (ok) continue;
            /* Both steps disagree with the backward pass.  If the two difference
             * quotients also disagree with each other beyond what a smooth
             * function allows, the loss has a kink (relu) within h: skip. */
            if (fabs(fd[0] - fd[1]) > tol[0] + tol[1]) continue;
            return fail(FR_FD, "T=%d d/dparam[%zu]: backward %.12g, finite differences %.12g (h=1e-5), %.12g (h=1e-6)",
                    T, k, g, fd[0], fd[1]);
        }
        break;
    }
    free(p); free(gc); free(gi); free(dummy); free(ga); free(scratch); free(fcopy); free(tok);
    return FR_OK;
}

static int child_check(const char *text, unsigned long long seed)
{
    char path[512], cpath[512], cpath2[512], so[512], cmd[4096];
    snprintf(path, sizeof path, "%s/fz.mg", work);
    snprintf(cpath, sizeof cpath, "%s/fz.c", work);
    snprintf(cpath2, sizeof cpath2, "%s/fz2.c", work);
    snprintf(so, sizeof so, "%s/fz.so", work);
    FILE *f = fopen(path, "w");
    if (!f) return fail(FR_REJECT, "cannot write %s", path);
    fputs(text, f);
    fclose(f);
    /* mgc's warnings (say, a parameter never used) are noise here: keep its
     * messages in a file and show them only when it fails */
    snprintf(cmd, sizeof cmd, "'%s' '%s' --name fz -o '%s' 2>'%s/mgc.err'", mgc_bin, path, cpath, work);
    int rc = run_cmd(cmd);
    if (rc != 0) {
        snprintf(cmd, sizeof cmd, "cat '%s/mgc.err' 1>&2", work);
        run_cmd(cmd);
    }
    if (rc == 1) return FR_REJECT;
    if (rc != 0) return fail(FR_MGC_CRASH, "mgc exited with %d", rc);
    snprintf(cmd, sizeof cmd, "'%s' '%s' --name fz -o '%s' 2>/dev/null", mgc_bin, path, cpath2);
    if (run_cmd(cmd) != 0 || !files_equal(cpath, cpath2)) return fail(FR_NONDET, "two runs of mgc differ");
    snprintf(cmd, sizeof cmd,
            "cc -std=c11 -O1 -Wall -Wextra -pedantic -Werror -ffp-contract=off -fPIC -shared -I '%s' '%s' -o '%s' -lm 1>&2",
            rt_dir, cpath, so);
    if (run_cmd(cmd) != 0) return fail(FR_CC, "cc failed on the emitted C (see above)");
    void *h = dlopen(so, RTLD_NOW | RTLD_LOCAL);
    if (!h) return fail(FR_LOAD, "%s", dlerror());
    const MgModel *cm = dlsym(h, "fz_model");
    if (!cm) return fail(FR_LOAD, "no fz_model");
    /* mgc has already accepted the file; its warnings would only repeat */
    fflush(stderr);
    int keep = dup(2), nul = open("/dev/null", O_WRONLY);
    if (nul >= 0) dup2(nul, 2), close(nul);
    Graph *g = mgc_front_end(path, "fz", 0, NULL);
    fflush(stderr);
    if (keep >= 0) dup2(keep, 2), close(keep);
    MgModel im;
    if (!g || interp_make_model(g, &im) != 0) return fail(FR_INTERP_BUILD, "mgc_front_end/interp_make_model failed");
    return check_models(cm, &im, seed);
}

/* fork, check, and classify how the child ended */
static int check_text(const char *text, unsigned long long seed, int quiet)
{
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) { perror("fork"); exit(2); }
    if (pid == 0) {
        if (quiet) {
            FILE *nul = freopen("/dev/null", "w", stderr);
            (void)nul;
            if (!freopen("/dev/null", "w", stdout)) _exit(FR_CRASH);
        }
        alarm(120);
        int r = child_check(text, seed);
        fflush(stdout);
        fflush(stderr);
        _exit(r);
    }
    int st;
    while (waitpid(pid, &st, 0) < 0) {}
    if (WIFSIGNALED(st)) return WTERMSIG(st) == SIGALRM ? FR_TIMEOUT : FR_CRASH;
    int r = WEXITSTATUS(st);
    if (r == 2) return FR_EXIT2;
    if (r != 0 && (r < FR_DISCARD || r >= FR_END)) return FR_CRASH;
    return r;
}

/* ---- shrinking ---- */
static int want, budget;
static unsigned long long sseed;
static Prog *sprog;
static time_t deadline;

static int still_fails(void)
{
    if (budget <= 0 || time(NULL) > deadline) return 0;
    budget--;
    char *t = fz_print(sprog);
    int r = check_text(t, sseed, 1);
    free(t);
    return r == want;
}

static int shrink_ex(FzEx *e)
{
    int changed = 0;
    if (e->kind != FX_LEAF) {
        for (int i = 0; i < e->n; i++) {   /* replace by an operand */
            FzEx keep = *e, kid = *e->a[i];
            *e = kid;
            if (still_fails()) return 1 + shrink_ex(e);
            *e = keep;
        }
    }
    static const char *consts[] = {"1", "0.5"};
    if (!(e->kind == FX_LEAF && (!strcmp(e->text, "1") || !strcmp(e->text, "0.5"))))
        for (int c = 0; c < 2; c++) {
            FzEx keep = *e;
            e->kind = FX_LEAF, e->text = consts[c], e->n = 0;
            if (still_fails()) return 1;
            *e = keep;
        }
    for (int i = 0; i < e->n; i++) changed += shrink_ex(e->a[i]);
    return changed;
}

static int shrink_st(FzSt *s)
{
    int changed = 0;
    for (int i = s->nk - 1; i >= 0; i--) {
        FzSt *k = s->kids[i];
        if (k->dead) continue;
        if (k->kind != FS_CONST) {
            k->dead = 1;
            if (still_fails()) { changed++; continue; }
            k->dead = 0;
        }
        if (k->kind == FS_BLOCK) changed += shrink_st(k);
        if (k->kind == FS_ASSIGN) changed += shrink_ex(k->e);
        if (k->kind == FS_CONST)
            while (k->ival > k->min) {
                int keep = k->ival;
                k->ival = k->ival > k->min + 1 && keep > 2 ? k->min : keep - 1;
                if (still_fails()) { changed++; continue; }
                k->ival = keep;
                if (k->ival - 1 >= k->min && k->ival - 1 != k->min) {
                    k->ival = keep - 1;
                    if (still_fails()) { changed++; continue; }
                    k->ival = keep;
                }
                break;
            }
    }
    return changed;
}

static void shrink(Prog *p, unsigned long long seed, int kind)
{
    sprog = p, sseed = seed, want = kind, budget = 400;
    deadline = time(NULL) + 240;
    while (shrink_st(p->root) && budget > 0 && time(NULL) <= deadline) {}
    char *t = fz_print(p);
    printf("---- shrunk program (%s, %d checks left) ----\n# mgfuzz-seed: %llu\n%s---- end ----\n", rname(kind),
            budget, seed, t);
    free(t);
}

/* ---- command line ---- */
static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    size_t got = fread(s, 1, (size_t)n, f);
    s[got] = 0;
    fclose(f);
    return s;
}

static pid_t owner;
static void cleanup(void)
{
    if (getpid() != owner) return;     /* a child that called exit() */
    static const char *files[] = {"fz.mg", "fz.c", "fz2.c", "fz.so", "mgc.err"};
    char p[600];
    for (int i = 0; i < 5; i++) {
        snprintf(p, sizeof p, "%s/%s", work, files[i]);
        unlink(p);
    }
    rmdir(work);
}

int main(int argc, char **argv)
{
    if (getenv("MGFUZZ_MGC")) mgc_bin = getenv("MGFUZZ_MGC");
    if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        fputs("usage: mgfuzz gen SEED | run SEED COUNT [-n] | check FILE...\n"
              "\n"
              "  gen SEED          print the program generated from SEED\n"
              "  run SEED COUNT    generate COUNT programs from SEED on and check each:\n"
              "                    mgc twice (same bytes), cc -Werror of the C, compiled\n"
              "                    against the interpreter, the interpreter against finite\n"
              "                    differences; a failure is shrunk and printed (-n: don't)\n"
              "  check FILE...     check .mg files (tests/fuzz/regress)\n"
              "\n"
              "MGFUZZ_MGC names the mgc to test.  Exit status 0 when every program\n"
              "passes, 1 when one fails, 2 on bad usage.\n",
              stdout);
        return 0;
    }
    if (argc >= 3 && !strcmp(argv[1], "gen")) {
        char *t = fz_print(fz_generate(strtoull(argv[2], NULL, 10)));
        fputs(t, stdout);
        return 0;
    }
    const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    snprintf(work, sizeof work, "%s/mgfuzz.XXXXXX", tmp);
    if (!mkdtemp(work)) { perror("mkdtemp"); return 2; }
    owner = getpid();
    atexit(cleanup);
    int counts[FR_END] = {0}, bad = 0, total = 0;
    if (argc >= 4 && !strcmp(argv[1], "run")) {
        unsigned long long s0 = strtoull(argv[2], NULL, 10);
        long cnt = strtol(argv[3], NULL, 10);
        int noshrink = argc >= 5 && !strcmp(argv[4], "-n");
        time_t t0 = time(NULL);
        for (long i = 0; i < cnt; i++) {
            unsigned long long seed = s0 + (unsigned long long)i;
            Prog *p = fz_generate(seed);
            char *t = fz_print(p);
            int r = check_text(t, seed, 1);
            total++;
            counts[r]++;
            if (r != FR_OK && r != FR_DISCARD) {
                bad++;
                printf("seed %llu: %s\n", seed, rname(r));
                check_text(t, seed, 0);     /* again, with its messages */
                if (!noshrink) shrink(p, seed, r);
            }
            free(t);
        }
        printf("mgfuzz: %d programs (seeds %llu..%llu) in %lds: %d ok, %d discarded, %d failed\n", total, s0,
                s0 + (unsigned long long)cnt - 1, (long)(time(NULL) - t0), counts[FR_OK], counts[FR_DISCARD], bad);
        for (int r = FR_REJECT; r < FR_END; r++)
            if (counts[r]) printf("  %d: %s\n", counts[r], rname(r));
        return bad ? 1 : 0;
    }
    if (argc >= 3 && !strcmp(argv[1], "check")) {
        for (int i = 2; i < argc; i++) {
            char *t = slurp(argv[i]);
            if (!t) { fprintf(stderr, "mgfuzz: cannot read %s\n", argv[i]); bad++; continue; }
            /* "# mgfuzz-seed: N" in a file fixes the parameter/token seed */
            const char *tag = strstr(t, "# mgfuzz-seed:");
            unsigned long long seed = tag ? strtoull(tag + 14, NULL, 10) : 1000;
            int r = check_text(t, seed, 0);
            total++;
            if (r != FR_OK) bad++;
            printf("%s: %s\n", argv[i], rname(r));
            free(t);
        }
        printf("mgfuzz: %d files, %d failed\n", total, bad);
        return bad ? 1 : 0;
    }
    fprintf(stderr, "usage: mgfuzz gen SEED | run SEED COUNT [-n] | check FILE...\n");
    return 2;
}
