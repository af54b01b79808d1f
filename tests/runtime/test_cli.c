/* test_cli.c: the trainer command line, run as a real process (the toy trainer).
 * Checks output shapes, training progress, checkpoints, gradients against finite
 * differences, and that every bad input exits 1 with one clear message. */
#define _GNU_SOURCE     /* mknod, makedev, symlink */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mg_checkpoint.h"
#include "mg_cli.h"
#include "mg_data.h"
#include "mg_rng.h"
#include "mg_safetensors.h"
#include "testutil.h"
#include "toy_model.h"

typedef struct Out {
    int rc;
    char *out, *err;
} Out;

/* Run the toy trainer with printf-formatted arguments (already shell-quoted)
 * between the shell texts `pre` and `post` (see toy_bounded). */
static Out toy_v(const char *dir, const char *pre, const char *post, const char *fmt, va_list ap) {
    char args[8192], cmd[16384];
    vsnprintf(args, sizeof args, fmt, ap);
    snprintf(cmd, sizeof cmd, "%s'%s' %s%s", pre, TOY_TRAINER, args, post);
    Out o;
    o.rc = tu_run(dir, cmd, &o.out, &o.err);
    return o;
}

static Out toy(const char *dir, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    Out o = toy_v(dir, "", "", fmt, ap);
    va_end(ap);
    return o;
}

static void out_free(Out *o) {
    free(o->out);
    free(o->err);
}

/* Exit status 1, nothing but one "toy: error: ...substr..." line on stderr. */
static void expect_error(const Out *o, const char *substr, const char *what) {
    cr_expect_eq(o->rc, 1, "%s: exit status %d, expected 1 (stderr: %s)", what, o->rc, o->err);
    cr_expect(strncmp(o->err, "toy: error: ", 12) == 0, "%s: stderr does not start with 'toy: error: ': %s", what,
              o->err);
    cr_expect(strstr(o->err, substr) != NULL, "%s: stderr lacks '%s': %s", what, substr, o->err);
    cr_expect_eq(tu_count_prefix(o->err, ""), 1, "%s: expected one line on stderr: %s", what, o->err);
}

/* Losses from a --log CSV; returns the count.  Also checks each line's
 * learning rate (lr_t of the toy's linear decay over `steps`) and that the
 * elapsed seconds never decrease. */
static int read_log(const char *path, double *loss, int cap, int steps) {
    char *s = tu_read(path, NULL);
    cr_assert(strncmp(s, "step,loss,lr,elapsed\n", 21) == 0, "log header: %.30s", s);
    int n = 0;
    double prev = 0;
    for (char *l = strchr(s, '\n') + 1; *l && n < cap; l = strchr(l, '\n') + 1) {
        int step;
        double lr, t;
        cr_assert_eq(sscanf(l, "%d,%lf,%lf,%lf", &step, &loss[n], &lr, &t), 4, "bad log line: %.60s", l);
        cr_assert_eq(step, n + 1);
        double want = toy_model.optim.lr * (1.0 - (double)n / steps);
        cr_expect_eq(lr, want, "step %d: lr %.17g, expected %.17g", step, lr, want);
        cr_expect_geq(t, prev, "step %d: elapsed %g after %g", step, t, prev);
        cr_expect_lt(t, 60.0, "step %d: elapsed %g s", step, t);
        prev = t;
        n++;
    }
    free(s);
    return n;
}

/* Run the toy trainer through sh as `toy`, but with the shell command `pre`
 * first and the whole in a subshell (so a helper process can be started and
 * stopped around it) and, outside AddressSanitizer (which needs a vast
 * address space), at most 400 MB of address space: a reader that grows
 * without bound fails at once instead of filling the machine. */
static Out toy_bounded(const char *dir, const char *pre, const char *fmt, ...) {
#if defined(__SANITIZE_ADDRESS__)
    const char *limit = "";
#else
    const char *limit = "ulimit -v 409600; ";
#endif
    char start[4600];
    snprintf(start, sizeof start, "( %s%s timeout 60 ", limit, pre);
    va_list ap;
    va_start(ap, fmt);
    Out o = toy_v(dir, start, "; rc=$?; [ -n \"$pid\" ] && kill $pid 2>&-; exit $rc )", fmt, ap);
    va_end(ap);
    return o;
}

/* Reading /dev/zero or /dev/urandom as data stops at their first byte that
 * is not text (a NUL, bad UTF-8), as it streams, not after gigabytes. */
Test(cli, endless_devices_as_data_stop_at_the_first_bad_byte) {
    char *dir = tu_tmpdir();
    Out o = toy_bounded(dir, "", "train --data /dev/zero");
    expect_error(&o, "/dev/zero:1: NUL byte at column 1", "/dev/zero");
    out_free(&o);
    o = toy_bounded(dir, "", "train --data /dev/urandom");
    expect_error(&o, "/dev/urandom:", "/dev/urandom");
    cr_expect(strstr(o.err, ": invalid UTF-8 (byte 0x") || strstr(o.err, ": NUL byte at column "),
              "/dev/urandom: not refused for its bytes: %s", o.err);
    size_t line = 0;
    cr_expect(sscanf(o.err, "toy: error: /dev/urandom:%zu:", &line) == 1 && line >= 1 && line < 1000,
              "/dev/urandom: refused on line %zu, not within its first bytes: %s", line, o.err);
    out_free(&o);
    tu_rmrf(dir);
}

/* A FIFO is read to its end when it has one; one that a writer keeps feeding
 * is refused at the --max-data limit, which also refuses a regular file
 * larger than it before reading a byte (a sparse file of NULs here). */
Test(cli, data_is_read_up_to_the_max_data_limit) {
    char *dir = tu_tmpdir(), *fifo = tu_path(dir, "feed"), *big = tu_path(dir, "big.txt"), pre[4400], want[4400];
    cr_assert_eq(mkfifo(fifo, 0600), 0, "mkfifo %s", fifo);
    snprintf(pre, sizeof pre, "printf 'abcdefghijklm\\nnopqrstuvwxyz\\n' >'%s' & pid=$!; ", fifo);
    Out o = toy_bounded(dir, pre, "train --data '%s' --steps 3 --num 1", fifo);
    cr_expect_eq(o.rc, 0, "a FIFO that ends: exit %d, stderr: %s", o.rc, o.err);
    cr_expect_eq(tu_count_prefix(o.out, "step "), 3, "%s", o.out);
    out_free(&o);
    snprintf(pre, sizeof pre, "yes abcdefghijklmnopqrstuvwxyz >'%s' & pid=$!; ", fifo);
    o = toy_bounded(dir, pre, "train --data '%s' --max-data 1", fifo);
    snprintf(want, sizeof want, "%s: more than 1 MiB and still going (not a file that ends?); the limit on data "
             "files is 1 MiB (--max-data)", fifo);
    expect_error(&o, want, "an endless FIFO");
    out_free(&o);
    FILE *f = fopen(big, "wb");
    cr_assert(f && ftruncate(fileno(f), (2 << 20) + 1) == 0 && fclose(f) == 0, "sparse %s", big);
    o = toy_bounded(dir, "", "train --data '%s' --max-data=2", big);
    snprintf(want, sizeof want, "%s: 2097153 bytes is more than the limit of 2 MiB on data files (--max-data)", big);
    expect_error(&o, want, "a file over the limit");
    out_free(&o);
    o = toy(dir, "train --data '%s' --max-data 0", big);
    expect_error(&o, "--max-data: must be at least 1 (MiB)", "--max-data 0");
    out_free(&o);
    tu_rmrf(dir);
}

Test(cli, help_documents_every_option) {
    char *dir = tu_tmpdir();
    static const char *forms[] = {"--help", "help", "-h", "train --help", "sample --help", "grad -h"};
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
        Out o = toy(dir, "%s", forms[i]);
        cr_expect_eq(o.rc, 0, "'%s' exit status %d", forms[i], o.rc);
        static const char *words[] = {"train", "sample", "grad", "--data", "--steps", "--seed", "--lr", "--save",
                                      "--progress", "tokens per second", "elapsed", "--batch", "--threads", "--docs",
                                      "--save-every", "resume", "cropped", "non-finite", "--max-data",
                                      "--load", "--log", "--num", "--temperature", "--doc", "--out", "usage: toy"};
        for (size_t k = 0; k < sizeof words / sizeof words[0]; k++)
            cr_expect(strstr(o.out, words[k]), "'%s' help lacks %s", forms[i], words[k]);
        out_free(&o);
    }
    Out o = toy(dir, "");
    cr_expect_eq(o.rc, 1);
    cr_expect(strstr(o.err, "usage: toy"), "no-args usage goes to stderr: %s", o.err);
    cr_expect_str_eq(o.out, "");
    out_free(&o);
    tu_rmrf(dir);
}

Test(cli, train_prints_steps_then_twenty_samples) {
    char *dir = tu_tmpdir();
    Out o = toy(dir, "train --steps 30");
    cr_assert_eq(o.rc, 0, "stderr: %s", o.err);
    cr_expect_eq(tu_count_prefix(o.out, "step "), 30);
    cr_expect_eq(tu_count_prefix(o.out, "sample "), 20);
    cr_expect_eq(tu_count_prefix(o.out, ""), 50, "only step and sample lines: %s", o.out);
    cr_expect(strncmp(o.out, "step    1 /   30 | loss ", 24) == 0, "first line: %.40s", o.out);
    cr_expect(strstr(o.out, "\nstep   30 /   30 | loss "), "last step line missing");
    cr_expect(strstr(o.out, "\nsample  1: ") && strstr(o.out, "\nsample 20: "), "sample numbering");
    /* samples are a-z only, at most block_size characters */
    for (char *l = strstr(o.out, "sample  1: "); l; l = strstr(l + 1, "\nsample ")) {
        char *name = strchr(l, ':') + 2, *end = strchr(name, '\n');
        cr_expect_leq(end - name, TOY_BLOCK);
        for (char *c = name; c < end; c++) cr_expect(*c >= 'a' && *c <= 'z', "bad sample char in %.30s", l);
    }
    cr_expect_str_eq(o.err, "");
    out_free(&o);
    Out a = toy(dir, "train --steps 5 --num 3"), b = toy(dir, "train --steps 5 --num 3"),
        c = toy(dir, "train --steps 5 --num 3 --seed 7");
    cr_expect_str_eq(a.out, b.out, "same seed, different output");
    cr_expect_str_neq(a.out, c.out, "different seeds, same output");
    out_free(&a);
    out_free(&b);
    out_free(&c);
    tu_rmrf(dir);
}

Test(cli, losses_decrease_and_log_matches_stdout) {
    char *dir = tu_tmpdir(), *log = tu_path(dir, "log.csv");
    Out o = toy(dir, "train --steps 400 --num 0 --log '%s'", log);
    cr_assert_eq(o.rc, 0, "stderr: %s", o.err);
    static double loss[500];
    int n = read_log(log, loss, 500, 400);
    cr_assert_eq(n, 400);
    double first = 0, last = 0;                      /* first 10 steps vs last 100 */
    for (int i = 0; i < 10; i++) first += loss[i] / 10;
    for (int i = 300; i < 400; i++) last += loss[i] / 100;
    cr_expect_gt(first - last, 0.3, "mean loss went from %.4f to %.4f", first, last);
    cr_expect_gt(loss[0], 3.0);
    cr_expect_lt(loss[0], 3.6, "initial loss should be near log(27) = 3.30");
    char want[64];
    snprintf(want, sizeof want, "step  400 /  400 | loss %.4f\n", loss[399]);
    cr_expect(strstr(o.out, want), "stdout lacks '%s'", want);
    cr_expect_eq(tu_count_prefix(o.out, "sample"), 0);
    out_free(&o);
    tu_rmrf(dir);
}

/* --progress line: one line redrawn with \r, ending with the last step's
 * loss (the plain run's), tokens per second and the time taken */
Test(cli, progress_line_is_redrawn_in_place) {
    char *dir = tu_tmpdir();
    Out o = toy(dir, "train --steps 200 --num 2 --progress line"), p = toy(dir, "train --steps 200 --num 2");
    cr_assert_eq(o.rc, 0, "stderr: %s", o.err);
    cr_assert_eq(p.rc, 0, "stderr: %s", p.err);
    char *nl = strchr(o.out, '\n');
    cr_assert_not_null(nl, "no newline after the live line: %.80s", o.out);
    cr_expect_eq(o.out[0], '\r', "the live line starts with \\r: %.40s", o.out);
    cr_expect_eq(tu_count_prefix(o.out, "step"), 0, "plain step lines in live mode");
    cr_expect_eq(tu_count_prefix(o.out, "sample "), 2);
    /* the text after the last \r on the first line is the final state */
    char *last = nl;
    while (last > o.out && last[-1] != '\r') last--;
    char want[64], *plain_last = strstr(p.out, "step  200 /  200 | loss ");
    cr_assert_not_null(plain_last);
    snprintf(want, sizeof want, "%.*s", 30, plain_last);     /* "step  200 /  200 | loss X.XXXX" */
    cr_expect(strncmp(last, want, strlen(want)) == 0, "final live line '%.60s', plain '%s'", last, want);
    double rate;
    char *tok = strstr(last, " | ");
    tok = tok ? strstr(tok + 3, " | ") : NULL;
    cr_assert_not_null(tok, "no tokens field: %.80s", last);
    cr_expect_eq(sscanf(tok, " | %lf tok/s | done in ", &rate), 1, "fields: %.60s", tok);
    cr_expect_gt(rate, 0.0);
    cr_expect(strstr(last, "\033[K"), "the line clears what an older, longer line left");
    out_free(&o);
    out_free(&p);
    o = toy(dir, "train --steps 3 --num 0 --progress plain");
    cr_expect_eq(tu_count_prefix(o.out, "step "), 3, "plain: %s", o.out);
    out_free(&o);
    tu_rmrf(dir);
}

/* --batch B: step 1's loss is the mean over every target position of the
 * first B shuffled documents (computed here position-weighted from each
 * document's mean, from the saved initial parameters); B = 1 is the default
 * run, byte for byte; a run cannot be resumed with another batch. */
Test(cli, batch_is_the_mean_over_all_positions) {
    char *dir = tu_tmpdir(), *ck = tu_path(dir, "init.safetensors"), *log = tu_path(dir, "b.csv"),
         *mid = tu_path(dir, "mid.safetensors");
    Out o = toy(dir, "train --steps 0 --num 0 --save '%s'", ck);
    cr_assert_eq(o.rc, 0, "stderr: %s", o.err);
    out_free(&o);
    static double params[TOY_NPARAM], g[TOY_NPARAM], scratch[TOY_SCRATCH];
    MgVocab v;
    long step;
    MgErr e;
    cr_assert_eq(mg_ckpt_load(ck, &toy_model, params, &v, &step, &e), 0, "%s", e.msg);
    MgRng r;
    MgDocs d;
    mg_rng_seed(&r, 42);
    cr_assert_eq(mg_data_load_default(&d, &e), 0);
    mg_data_shuffle(&d, &r);
    for (int B = 2; B <= 5; B += 3) {
        double sum = 0;
        long W = 0;
        for (int b = 0; b < B; b++) {
            const MgDoc *doc = &d.docs[b];
            int tokens[TOY_BLOCK + 2], T = doc->len + 1 < TOY_BLOCK ? (int)doc->len + 1 : TOY_BLOCK;
            tokens[0] = 26;
            for (int i = 1; i <= T; i++)
                tokens[i] = (size_t)i - 1 < doc->len ? (int)d.cps[doc->off + (size_t)i - 1] - 'a' : 26;
            sum += T * toy_model.loss_grad(NULL, params, g, tokens, T, scratch);
            W += T;
        }
        o = toy(dir, "train --batch %d --steps 3 --num 0 --log '%s'", B, log);
        cr_assert_eq(o.rc, 0, "stderr: %s", o.err);
        char *s = tu_read(log, NULL);
        double got;
        cr_assert_eq(sscanf(s, "step,loss,lr,elapsed\n1,%lf", &got), 1, "%s", s);
        cr_expect(fabs(got - sum / W) <= 1e-14 * fabs(sum / W), "batch %d: step 1 loss %.17g, mean over %ld positions %.17g",
                  B, got, W, sum / W);
        free(s);
        out_free(&o);
    }
    Out a = toy(dir, "train --steps 20 --num 3"), b = toy(dir, "train --steps 20 --num 3 --batch 1"),
        c = toy(dir, "train --steps 20 --num 3 --batch 2");
    cr_expect_str_eq(a.out, b.out, "--batch 1 changed the run");
    cr_expect_str_neq(a.out, c.out, "--batch 2 trained like --batch 1");
    out_free(&a), out_free(&b), out_free(&c);
    o = toy(dir, "train --steps 20 --num 0 --batch 4 --save-every 10 --save '%s'", mid);
    cr_assert_eq(o.rc, 0, "stderr: %s", o.err);
    out_free(&o);
    o = toy(dir, "train --steps 20 --num 0 --batch 3 --load '%s'", mid);
    expect_error(&o, "cannot resume this run with --batch 3: it trained with 4 documents a step", "resume, other batch");
    out_free(&o);
    o = toy(dir, "train --steps 30 --num 0 --load '%s' --log '%s/resumed.csv'", mid, dir);   /* keeps its batch */
    cr_assert_eq(o.rc, 0, "stderr: %s", o.err);
    out_free(&o);
    mg_vocab_free(&v);
    mg_data_free(&d);
    tu_rmrf(dir);
}

/* The pairwise sum of documents [lo, hi)'s weighted gradients, as the issue
 * defines the batch's order: left half (the first (hi - lo) / 2) plus right. */
static void pairwise(double g[][TOY_NPARAM], const double *w, int lo, int hi, double *out) {
    if (hi - lo == 1) {
        for (int i = 0; i < TOY_NPARAM; i++) out[i] = w[lo] * g[lo][i];
        return;
    }
    double right[TOY_NPARAM];
    int mid = lo + (hi - lo) / 2;
    pairwise(g, w, lo, mid, out);
    pairwise(g, w, mid, hi, right);
    for (int i = 0; i < TOY_NPARAM; i++) out[i] += right[i];
}

/* --batch B: the step's gradient is the pairwise sum of each document's
 * gradient times its share of the positions, bit for bit.  Adam's m after
 * one step is (1 - beta1) g, saved in the checkpoint. */
Test(cli, batch_gradients_are_summed_pairwise) {
    char *dir = tu_tmpdir(), *ck = tu_path(dir, "init.safetensors"), *one = tu_path(dir, "one.safetensors");
    Out o = toy(dir, "train --steps 0 --num 0 --save '%s'", ck);
    cr_assert_eq(o.rc, 0, "stderr: %s", o.err);
    out_free(&o);
    static double params[TOY_NPARAM], g[8][TOY_NPARAM], scratch[TOY_SCRATCH], want[TOY_NPARAM], seq[TOY_NPARAM];
    MgVocab v;
    long step;
    MgErr e;
    cr_assert_eq(mg_ckpt_load(ck, &toy_model, params, &v, &step, &e), 0, "%s", e.msg);
    mg_vocab_free(&v);
    MgRng r;
    MgDocs d;
    mg_rng_seed(&r, 42);
    cr_assert_eq(mg_data_load_default(&d, &e), 0);
    mg_data_shuffle(&d, &r);
    int order_tells = 0;
    for (int B = 2; B <= 8; B++) {
        double w[8];
        long W = 0;
        int T[8];
        for (int b = 0; b < B; b++) {
            const MgDoc *doc = &d.docs[b];
            int tokens[TOY_BLOCK + 2];
            T[b] = doc->len + 1 < TOY_BLOCK ? (int)doc->len + 1 : TOY_BLOCK;
            tokens[0] = 26;
            for (int i = 1; i <= T[b]; i++)
                tokens[i] = (size_t)i - 1 < doc->len ? (int)d.cps[doc->off + (size_t)i - 1] - 'a' : 26;
            toy_model.loss_grad(NULL, params, g[b], tokens, T[b], scratch);
            W += T[b];
        }
        for (int b = 0; b < B; b++) w[b] = (double)T[b] / (double)W;
        pairwise(g, w, 0, B, want);
        for (int i = 0; i < TOY_NPARAM; i++) {
            seq[i] = 0;
            for (int b = 0; b < B; b++) seq[i] += w[b] * g[b][i];
        }
        o = toy(dir, "train --batch %d --steps 1 --num 0 --save '%s'", B, one);
        cr_assert_eq(o.rc, 0, "stderr: %s", o.err);
        out_free(&o);
        MgOptimizer opt;
        cr_assert_eq(mg_optim_init(&opt, &toy_model.optim, TOY_NPARAM, &e), 0);
        MgTrainState st = {.opt = &opt, .rng = &r};
        int resumable = 0;
        cr_assert_eq(mg_ckpt_load_state(one, &toy_model, params, &v, &step, &st, &resumable, &e), 0, "%s",
                     e.msg);
        cr_assert(resumable);
        mg_vocab_free(&v);
        int off = 0;
        const double c = 1.0 - toy_model.optim.beta1;
        for (int i = 0; i < TOY_NPARAM; i++) {
            off += opt.m[i] != c * want[i];
            order_tells |= c * seq[i] != c * want[i];
        }
        cr_expect_eq(off, 0, "batch %d: %d of %d gradients are not the pairwise sum", B, off, TOY_NPARAM);
        mg_optim_free(&opt);
        /* the next batch's gradients are taken at the initial parameters again */
        cr_assert_eq(mg_ckpt_load(ck, &toy_model, params, &v, &step, &e), 0, "%s", e.msg);
        mg_vocab_free(&v);
    }
    cr_expect(order_tells, "no gradient tells the pairwise order from the sequential one: the check cannot fail");
    mg_data_free(&d);
    tu_rmrf(dir);
}

/* --threads N: the threads take nodes of the batch's fixed summation tree,
 * so every N gives the one-thread run's bits (3 threads run as 2) */
Test(cli, threads_are_deterministic) {
    char *dir = tu_tmpdir(), *l1 = tu_path(dir, "1.csv"), *l3 = tu_path(dir, "3.csv");
    Out a = toy(dir, "train --steps 200 --num 3 --batch 6"), b = toy(dir, "train --steps 200 --num 3 --batch 6 --threads 1"),
        c = toy(dir, "train --steps 200 --num 3 --batch 6 --threads 3 --log '%s'", l3),
        d = toy(dir, "train --steps 200 --num 3 --batch 6 --threads 3"),
        e = toy(dir, "train --steps 200 --num 3 --batch 6 --threads 1 --log '%s'", l1),
        f = toy(dir, "train --steps 20 --num 3 --batch 2 --threads 8");
    cr_assert_eq(c.rc, 0, "stderr: %s", c.err);
    cr_assert_eq(f.rc, 0, "more threads than documents: %s", f.err);
    cr_expect_str_eq(a.out, b.out, "--threads 1 changed the run");
    cr_expect_str_eq(c.out, d.out, "two runs with --threads 3 differ");
    cr_expect_str_eq(a.out, c.out, "--threads 3 differs from one thread");
    static double x[200], y[200];
    cr_assert_eq(read_log(l1, x, 200, 200), 200);
    cr_assert_eq(read_log(l3, y, 200, 200), 200);
    for (int i = 0; i < 200; i++)
        cr_expect_eq(x[i], y[i], "step %d: %.17g on 1 thread, %.17g on 3", i + 1, x[i], y[i]);
    Out g = toy(dir, "train --steps 200 --num 3 --batch 8"), h = toy(dir, "train --steps 200 --num 3 --batch 8 --threads 4");
    cr_expect_str_eq(g.out, h.out, "--threads 4 differs from one thread");
    out_free(&g), out_free(&h);
    out_free(&a), out_free(&b), out_free(&c), out_free(&d), out_free(&e), out_free(&f);
    tu_rmrf(dir);
}

Test(cli, steps0_save_is_the_initial_draw_then_sample_load) {
    char *dir = tu_tmpdir(), *ck = tu_path(dir, "init.safetensors");
    Out o = toy(dir, "train --steps 0 --num 0 --save '%s'", ck);
    cr_assert_eq(o.rc, 0, "stderr: %s", o.err);
    cr_expect_str_eq(o.out, "");
    out_free(&o);
    /* The documented order: seed 42, load and shuffle the words, then gauss(0, 0.08)
     * row by row for 'bigram'; 'bias' is zeros. */
    MgRng r;
    MgDocs d;
    MgErr e;
    mg_rng_seed(&r, 42);
    cr_assert_eq(mg_data_load_default(&d, &e), 0);
    mg_data_shuffle(&d, &r);
    MgSafetensors st;
    cr_assert_eq(mg_st_read(&st, ck, &e), 0, "%s", e.msg);
    const MgStTensor *w = mg_st_find(&st, "bigram"), *b = mg_st_find(&st, "bias");
    cr_assert(w && b);
    for (size_t i = 0; i < w->numel; i++) cr_assert_eq(w->data[i], mg_rng_gauss(&r, 0, 0.08), "bigram[%zu]", i);
    for (size_t i = 0; i < b->numel; i++) cr_assert_eq(b->data[i], 0.0);
    cr_expect_str_eq(mg_st_meta(&st, "step"), "0");
    cr_expect_str_eq(mg_st_meta(&st, "vocab"), "abcdefghijklmnopqrstuvwxyz");
    mg_st_free(&st);
    mg_data_free(&d);
    o = toy(dir, "sample --load '%s' --num 5 --temperature 0.8", ck);
    cr_expect_eq(o.rc, 0, "stderr: %s", o.err);
    cr_expect_eq(tu_count_prefix(o.out, "sample "), 5);
    cr_expect_eq(tu_count_prefix(o.out, ""), 5);
    out_free(&o);
    Out a = toy(dir, "sample --load '%s' --seed 3", ck), b2 = toy(dir, "sample --load '%s' --seed 3", ck);
    cr_expect_eq(tu_count_prefix(a.out, "sample "), 20);
    cr_expect_str_eq(a.out, b2.out);
    out_free(&a);
    out_free(&b2);
    /* train can resume from it */
    o = toy(dir, "train --load '%s' --steps 3 --num 1", ck);
    cr_expect_eq(o.rc, 0, "stderr: %s", o.err);
    cr_expect_eq(tu_count_prefix(o.out, "step "), 3);
    out_free(&o);
    tu_rmrf(dir);
}

/* REFERENCE.md: on names.txt with seed 42 the first three draws are these. */
Test(cli, names_initial_params_match_reference) {
    const char *tried, *names = tu_names_path(&tried);
    if (!names)
        cr_skip_test("names.txt not found at %s (set MGC_NAMES to its path)", tried);
    char *dir = tu_tmpdir(), *ck = tu_path(dir, "init.safetensors");
    Out o = toy(dir, "train --data '%s' --steps 0 --num 0 --save '%s'", names, ck);
    cr_assert_eq(o.rc, 0, "stderr: %s", o.err);
    MgSafetensors st;
    MgErr e;
    cr_assert_eq(mg_st_read(&st, ck, &e), 0, "%s", e.msg);
    const MgStTensor *w = mg_st_find(&st, "bigram");
    cr_expect_eq(w->data[0], -0.04273180935726127);
    cr_expect_eq(w->data[1], 0.07696138795865093);
    cr_expect_eq(w->data[2], 0.10844210106107166);
    mg_st_free(&st);
    out_free(&o);
    tu_rmrf(dir);
}

/* The toy's loss at params p for doc (letters only). */
static double toy_loss(const double *p, const char *doc) {
    int tokens[64], n = (int)strlen(doc);
    tokens[0] = 26;
    for (int i = 0; i < n; i++) tokens[i + 1] = doc[i] - 'a';
    tokens[n + 1] = 26;
    int T = n + 1 < TOY_BLOCK ? n + 1 : TOY_BLOCK;
    static double g[TOY_NPARAM], scratch[TOY_SCRATCH];
    return toy_model.loss_grad(NULL, p, g, tokens, T, scratch);
}

static void check_grad_file(const char *dir, const char *ck, const char *doc) {
    char *gf = tu_path(dir, "grad.safetensors");
    Out o = toy(dir, "grad --load '%s' --doc '%s' --out '%s'", ck, doc, gf);
    cr_assert_eq(o.rc, 0, "stderr: %s", o.err);
    double printed;
    cr_assert_eq(sscanf(o.out, "loss %lf", &printed), 1, "stdout: %s", o.out);
    static double p[TOY_NPARAM];
    MgVocab v;
    long step;
    MgErr e;
    cr_assert_eq(mg_ckpt_load(ck, &toy_model, p, &v, &step, &e), 0, "%s", e.msg);
    cr_expect_eq(printed, toy_loss(p, doc), "printed loss %.17g", printed);
    MgSafetensors st;
    cr_assert_eq(mg_st_read(&st, gf, &e), 0, "%s", e.msg);
    cr_assert_eq(st.n, 2);
    double maxdiff = 0;
    for (int k = 0; k < toy_model.n_params; k++) {
        const MgParam *prm = &toy_model.params[k];
        const MgStTensor *t = mg_st_find(&st, prm->name);
        cr_assert_not_null(t, "gradient file lacks '%s'", prm->name);
        cr_assert_eq(t->rank, prm->rank);
        for (int d = 0; d < prm->rank; d++) cr_assert_eq(t->shape[d], (uint64_t)prm->shape[d]);
        for (size_t i = 0; i < prm->size; i++) {
            double *x = &p[prm->offset + i], x0 = *x, h = 1e-5;
            *x = x0 + h;
            double up = toy_loss(p, doc);
            *x = x0 - h;
            double down = toy_loss(p, doc);
            *x = x0;
            double fd = (up - down) / (2 * h), diff = fabs(fd - t->data[i]);
            if (diff > maxdiff) maxdiff = diff;
            cr_expect_lt(diff, 1e-7, "%s[%zu]: file %.10g vs finite difference %.10g", prm->name, i, t->data[i], fd);
        }
    }
    cr_expect_gt(maxdiff, 0.0, "suspicious: exact agreement everywhere");
    cr_expect_str_eq(mg_st_meta(&st, "doc"), doc);
    mg_st_free(&st);
    mg_vocab_free(&v);
    out_free(&o);
    free(gf);
}

Test(cli, grad_matches_finite_differences) {
    char *dir = tu_tmpdir(), *ck = tu_path(dir, "ck.safetensors");
    Out o = toy(dir, "train --steps 25 --num 0 --save '%s'", ck);
    cr_assert_eq(o.rc, 0, "stderr: %s", o.err);
    out_free(&o);
    check_grad_file(dir, ck, "emma");
    check_grad_file(dir, ck, "abcdefghijklmnopqrstuvwxyz");   /* longer than block_size: cropped */
    check_grad_file(dir, ck, "");
    tu_rmrf(dir);
}

Test(cli, bad_arguments_exit_1_with_a_message) {
    char *dir = tu_tmpdir();
    static const struct { const char *args; const char *msg; } cases[] = {
        {"frobnicate", "unknown command 'frobnicate'"},
        {"--steps 5", "unknown command '--steps'"},
        {"train --bogus 1", "unknown option '--bogus' for 'train'"},
        {"train --bogus=1", "unknown option '--bogus' for 'train'"},
        {"sample --data x.txt", "unknown option '--data' for 'sample'"},
        {"grad --steps 3", "unknown option '--steps' for 'grad'"},
        {"train extra", "unexpected argument 'extra'"},
        {"train --steps", "option '--steps' needs a value"},
        {"train --num 1 --seed", "option '--seed' needs a value"},
        {"train --steps abc", "--steps: 'abc' is not a non-negative integer"},
        {"train --steps -5", "--steps: '-5' is not a non-negative integer"},
        {"train --steps 99999999999", "--steps: '99999999999' is too large"},
        {"train --steps=", "--steps: expected a non-negative integer"},
        {"train --steps 1.5", "is not a non-negative integer"},
        {"train --seed 18446744073709551616", "--seed: '18446744073709551616' is too large"},
        {"train --seed x", "--seed: 'x' is not a non-negative integer"},
        {"train --num -1", "--num: '-1' is not a non-negative integer"},
        {"train --lr abc", "--lr: 'abc' is not a number"},
        {"train --lr -0.5", "--lr: '-0.5' must be >= 0"},
        {"train --lr 1e999", "--lr: '1e999' is out of range"},
        {"train --lr nan", "--lr: 'nan' is out of range"},
        {"train --temperature 0", "--temperature: '0' must be > 0"},
        {"train --temperature 0.5x", "--temperature: '0.5x' is not a number"},
        {"train --data ''", "--data: expected a file name"},
        {"train --progress fancy", "--progress: 'fancy' is not auto, line or plain"},
        {"train --batch 0", "--batch: must be at least 1"},
        {"train --threads 0", "--threads: must be at least 1"},
        {"train --docs words", "--docs: 'words' is not lines or text"},
        {"train --batch two", "--batch: 'two' is not a non-negative integer"},
        {"sample", "sample needs --load CKPT"},
        {"grad --doc emma --out x", "missing --load"},
        {"grad --load x --out y", "missing --doc"},
        {"grad --load x --doc emma", "missing --out"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        Out o = toy(dir, "%s", cases[i].args);
        expect_error(&o, cases[i].msg, cases[i].args);
        cr_expect_eq(tu_count_prefix(o.out, "step"), 0, "%s: trained anyway", cases[i].args);
        out_free(&o);
    }
    tu_rmrf(dir);
}

Test(cli, bad_data_files) {
    char *dir = tu_tmpdir(), *empty = tu_path(dir, "empty.txt"), *blank = tu_path(dir, "blank.txt"),
         *bad = tu_path(dir, "bad.txt"), *small = tu_path(dir, "small.txt"), *missing = tu_path(dir, "no.txt");
    tu_write_str(empty, "");
    tu_write_str(blank, "\n \n\n");
    tu_write_str(bad, "anna\nb\xc3(b\n");
    tu_write_str(small, "abc\ncab\n");
    char want[4400];
    Out o = toy(dir, "train --data '%s'", missing);
    snprintf(want, sizeof want, "%s: cannot open: No such file or directory", missing);
    expect_error(&o, want, "missing data");
    out_free(&o);
    o = toy(dir, "train --data '%s'", empty);
    snprintf(want, sizeof want, "%s: file is empty", empty);
    expect_error(&o, want, "empty data");
    out_free(&o);
    o = toy(dir, "train --data '%s'", blank);
    snprintf(want, sizeof want, "%s: no documents", blank);
    expect_error(&o, want, "blank data");
    out_free(&o);
    o = toy(dir, "train --data '%s'", bad);
    snprintf(want, sizeof want, "%s:2: invalid UTF-8", bad);
    expect_error(&o, want, "invalid UTF-8");
    out_free(&o);
    o = toy(dir, "train --data '%s'", small);
    snprintf(want, sizeof want, "%s: the data has vocabulary size 4 (3 characters + BOS) but model 'toy' has 27", small);
    expect_error(&o, want, "vocab mismatch");
    out_free(&o);
    o = toy(dir, "train --data '%s'", dir);
    expect_error(&o, "cannot read", "directory as data");
    out_free(&o);
    tu_rmrf(dir);
}

/* Without a checkpoint the data's characters make the vocabulary; one too many
 * is named, with the line where it first appears. */
Test(cli, a_stray_character_in_the_data_is_named) {
    char *dir = tu_tmpdir(), *p = tu_path(dir, "d.txt");
    tu_write_str(p, "abcdefghijklm\nnopqrstuvwxyz\n\nzo\xc3\xab\nabcdefghijklmnopqrstuvwxyz\n");
    Out o = toy(dir, "train --data '%s'", p);
    char want[4400];
    snprintf(want, sizeof want, "%s: the data has vocabulary size 28 (27 characters + BOS) but model 'toy' has 27; "
             "its rarest character is '\xc3\xab' (U+00EB), first on line 4", p);
    expect_error(&o, want, "stray character");
    out_free(&o);
    tu_rmrf(dir);
}

/* CRLF line endings give the same documents, so the same run. */
Test(cli, crlf_data_trains_like_lf) {
    char *dir = tu_tmpdir(), *lf = tu_path(dir, "lf.txt"), *crlf = tu_path(dir, "crlf.txt");
    tu_write_str(lf, "abcdefghijklm\nnopqrstuvwxyz\nanna\nbob\nzed\n");
    tu_write_str(crlf, "abcdefghijklm\r\nnopqrstuvwxyz\r\nanna\r\nbob\r\nzed\r\n");
    Out a = toy(dir, "train --data '%s' --steps 12 --num 4", lf), b = toy(dir, "train --data '%s' --steps 12 --num 4", crlf);
    cr_assert_eq(a.rc, 0, "%s", a.err);
    cr_assert_eq(b.rc, 0, "%s", b.err);
    cr_expect_eq(tu_count_prefix(a.out, "step "), 12);
    cr_expect_str_eq(a.out, b.out);
    out_free(&a);
    out_free(&b);
    tu_rmrf(dir);
}

/* A document longer than block_size is cropped as the reference does:
 * n = min(block_size, len(tokens) - 1) positions of [BOS] + chars + [BOS]. */
Test(cli, long_documents_are_cropped_to_the_block) {
    char *dir = tu_tmpdir(), *p = tu_path(dir, "long.txt"), *ck = tu_path(dir, "init.safetensors"),
         *log = tu_path(dir, "log.csv");
    const char *doc = "zyxwvutsrqponmlkjihgfedcbaabcdefghij";     /* 36 letters, block 16 */
    tu_write_str(p, doc);
    Out o = toy(dir, "train --data '%s' --steps 0 --num 0 --save '%s'", p, ck);
    cr_assert_eq(o.rc, 0, "%s", o.err);
    out_free(&o);
    o = toy(dir, "train --data '%s' --steps 1 --num 0 --log '%s'", p, log);
    cr_assert_eq(o.rc, 0, "%s", o.err);
    static double params[TOY_NPARAM], g[TOY_NPARAM], scratch[TOY_SCRATCH];
    MgVocab v;
    long step;
    MgErr e;
    cr_assert_eq(mg_ckpt_load(ck, &toy_model, params, &v, &step, &e), 0, "%s", e.msg);
    int tokens[TOY_BLOCK + 1];
    tokens[0] = 26;
    for (int i = 1; i <= TOY_BLOCK; i++) tokens[i] = doc[i - 1] - 'a';     /* the first 16 targets */
    double want = toy_model.loss_grad(NULL, params, g, tokens, TOY_BLOCK, scratch), got;
    char *s = tu_read(log, NULL);
    cr_assert_eq(sscanf(s, "step,loss,lr,elapsed\n1,%lf", &got), 1, "%s", s);
    cr_expect_eq(got, want, "loss %.17g, cropped to 16 positions it is %.17g", got, want);
    free(s);
    mg_vocab_free(&v);
    out_free(&o);
    tu_rmrf(dir);
}

/* Output that cannot be written is an error, not a silent success. */
Test(cli, unwritable_stdout_is_an_error) {
    /* a pipe whose reader has gone (it closes its end, then says so by a file, so
     * no load on the machine can make the trainer write first; SIGPIPE ignored,
     * so every write fails with EPIPE);
     * the trainer's messages and status reach the test through descriptor 3 */
    char *dir = tu_tmpdir(), cmd[4400], *out, *err;
    snprintf(cmd, sizeof cmd,
             "( exec 3>&1; { while [ ! -e '%s/gone' ]; do sleep 0.01; done; trap '' PIPE; "
             "'%s' train --steps 3 --num 2 2>&3; echo \"status $?\" >&3; } | { exec 0<&-; touch '%s/gone'; } )",
             dir, TOY_TRAINER, dir);
    tu_run(dir, cmd, &out, &err);
    cr_expect_str_eq(out, "toy: error: cannot write standard output: Broken pipe\nstatus 1\n");
    free(out);
    free(err);
    tu_rmrf(dir);
}

Test(cli, bad_checkpoints_and_outputs) {
    char want[9000];
    char *dir = tu_tmpdir(), *ck = tu_path(dir, "ck.safetensors"), *cut = tu_path(dir, "cut.safetensors"),
         *junk = tu_path(dir, "junk.safetensors"), *other = tu_path(dir, "other.txt");
    Out o = toy(dir, "train --steps 2 --num 0 --save '%s'", ck);
    cr_assert_eq(o.rc, 0, "stderr: %s", o.err);
    out_free(&o);
    size_t len;
    char *raw = tu_read(ck, &len);
    tu_write(cut, raw, len / 2);
    memcpy(raw + 8, "xx", 2);
    tu_write(junk, raw, len);
    free(raw);
    o = toy(dir, "sample --load '%s'", cut);
    expect_error(&o, "truncated", "truncated checkpoint");
    cr_expect_str_eq(o.out, "");
    out_free(&o);
    o = toy(dir, "sample --load '%s'", junk);
    expect_error(&o, "header is not valid JSON", "corrupt checkpoint");
    out_free(&o);
    o = toy(dir, "grad --load '%s' --doc emma --out '%s/g'", junk, dir);
    expect_error(&o, "header is not valid JSON", "corrupt checkpoint for grad");
    out_free(&o);
    o = toy(dir, "sample --load '%s/none.safetensors'", dir);
    expect_error(&o, "none.safetensors: cannot open: No such file or directory", "missing checkpoint");
    out_free(&o);
    o = toy(dir, "grad --load '%s' --doc 'h\xc3\xa9llo' --out '%s/g'", ck, dir);
    expect_error(&o, "--doc 'h\xc3\xa9llo': character '\xc3\xa9' (U+00E9) at position 2 is not in the vocabulary",
                 "out-of-vocab doc");
    out_free(&o);
    o = toy(dir, "grad --load '%s' --doc Emma --out '%s/g'", ck, dir);
    expect_error(&o, "character 'E' (U+0045) at position 1", "upper-case doc");
    out_free(&o);
    o = toy(dir, "grad --load '%s' --doc emma --out /nonexistent-mgrt/g.safetensors", ck);
    expect_error(&o, "/nonexistent-mgrt/g.safetensors: cannot write: No such file or directory", "unwritable --out");
    out_free(&o);
    o = toy(dir, "train --steps 3 --save /nonexistent-mgrt/ck.safetensors");
    expect_error(&o, "/nonexistent-mgrt/ck.safetensors: cannot write", "unwritable --save");
    cr_expect_eq(tu_count_prefix(o.out, "step"), 0, "checked before training");
    out_free(&o);
    o = toy(dir, "train --steps 3 --save '%s'", dir);
    snprintf(want, sizeof want, "%s: cannot write: Is a directory", dir);
    expect_error(&o, want, "--save to a directory");
    cr_expect_eq(tu_count_prefix(o.out, "step"), 0, "checked before training");
    out_free(&o);
    o = toy(dir, "train --steps 3 --log /nonexistent-mgrt/log.csv");
    expect_error(&o, "/nonexistent-mgrt/log.csv: cannot write", "unwritable --log");
    out_free(&o);
    /* data with a character outside the checkpoint's vocabulary */
    tu_write_str(other, "abc\r\n\r\nxyz\nabcdefghijklmnopqrstuvwxy\xc3\xa9\n");
    o = toy(dir, "train --data '%s' --load '%s' --steps 1", other, ck);
    snprintf(want, sizeof want, "%s:4: character '\xc3\xa9' (U+00E9) is not in the vocabulary of %s (26 characters + BOS)",
             other, ck);
    expect_error(&o, want, "character outside the vocabulary");
    out_free(&o);
    tu_rmrf(dir);
}

/* REFERENCE.md: the Step-2 MLP (written by hand in mlp_model.c) prints these
 * three losses when trained on names.txt with seed 42. */
Test(cli, mlp_reference_losses) {
    const char *tried, *names = tu_names_path(&tried);
    if (!names) cr_skip_test("names.txt not found at %s (set MGC_NAMES to its path)", tried);
    char *dir = tu_tmpdir(), cmd[9000];
    snprintf(cmd, sizeof cmd, "'%s' train --data '%s' --num 0", MLP_TRAINER, names);
    char *out, *err;
    cr_assert_eq(tu_run(dir, cmd, &out, &err), 0, "stderr: %s", err);
    cr_expect(strncmp(out, "step    1 / 1000 | loss 3.2978\n"
                           "step    2 / 1000 | loss 3.2974\n"
                           "step    3 / 1000 | loss 3.2965\n", 93) == 0, "got:\n%.93s", out);
    cr_expect_eq(tu_count_prefix(out, "step "), 1000);
    free(out);
    free(err);
    tu_rmrf(dir);
}

/* Sampling against an independent implementation: CPython runs the tutorial's
 * sampling loop (Value semantics: l * T**-1, e * total**-1, random.choices) on
 * the parameters the trainer saved, and must print the same names. */
Test(cli, mlp_sampling_matches_python) {
    if (system("python3 -c 'import json, struct, random, math' >/dev/null 2>&1") != 0)
        cr_skip_test("python3 not available");
    char *dir = tu_tmpdir(), *ck = tu_path(dir, "mlp.safetensors"), *py = tu_path(dir, "sample.py");
    char cmd[9000], *out, *err, *pyout, *pyerr;
    snprintf(cmd, sizeof cmd, "'%s' train --steps 40 --num 0 --save '%s'", MLP_TRAINER, ck);
    cr_assert_eq(tu_run(dir, cmd, &out, &err), 0, "stderr: %s", err);
    free(out);
    free(err);
    snprintf(cmd, sizeof cmd, "'%s' sample --load '%s' --num 20 --temperature 0.7 --seed 1234", MLP_TRAINER, ck);
    cr_assert_eq(tu_run(dir, cmd, &out, &err), 0, "stderr: %s", err);
    tu_write_str(py,
                 "import json, math, random, struct, sys\n"
                 "b = open(sys.argv[1], 'rb').read()\n"
                 "n = struct.unpack('<Q', b[:8])[0]\n"
                 "h = json.loads(b[8:8 + n])\n"
                 "d = b[8 + n:]\n"
                 "def t(name):\n"
                 "    e = h[name]; r, c = e['shape']; a, z = e['data_offsets']\n"
                 "    x = struct.unpack('<%dd' % (r * c), d[a:z])\n"
                 "    return [list(x[i * c:(i + 1) * c]) for i in range(r)]\n"
                 "wte, fc1, fc2 = t('wte'), t('mlp_fc1'), t('mlp_fc2')\n"
                 "uchars = list(h['__metadata__']['vocab']); BOS = len(uchars); V = BOS + 1\n"
                 "def linear(x, w): return [sum(wi * xi for wi, xi in zip(wo, x)) for wo in w]\n"
                 "def mlp(tok):\n"
                 "    x = wte[tok]\n"
                 "    hh = [max(0, v) for v in linear(x, fc1)]\n"
                 "    return linear(hh, fc2)\n"
                 "def softmax(logits):\n"
                 "    m = max(logits)\n"
                 "    exps = [math.exp(v - m) for v in logits]\n"
                 "    total = sum(exps)\n"
                 "    return [e * total ** -1 for e in exps]\n"
                 "random.seed(1234)\n"
                 "temperature = 0.7\n"
                 "for i in range(20):\n"
                 "    tok = BOS; s = []\n"
                 "    for pos in range(16):\n"
                 "        probs = softmax([l * temperature ** -1 for l in mlp(tok)])\n"
                 "        tok = random.choices(range(V), weights=probs)[0]\n"
                 "        if tok == BOS: break\n"
                 "        s.append(uchars[tok])\n"
                 "    print(f'sample {i+1:2d}: {\"\".join(s)}')\n");
    snprintf(cmd, sizeof cmd, "python3 '%s' '%s'", py, ck);
    cr_assert_eq(tu_run(dir, cmd, &pyout, &pyerr), 0, "python: %s", pyerr);
    cr_expect_str_eq(out, pyout);
    cr_expect_eq(tu_count_prefix(out, "sample "), 20);
    free(out);
    free(err);
    free(pyout);
    free(pyerr);
    tu_rmrf(dir);
}

/* ---- outputs (issue 16: one safe writer) ---- */

/* Number of entries in dir (. and .. and the captured .stdout/.stderr aside). */
static int entries(const char *dir) {
    DIR *d = opendir(dir);
    int n = 0;
    cr_assert_not_null(d);
    for (struct dirent *e; (e = readdir(d)) != NULL;)
        n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..") && strcmp(e->d_name, ".stdout") &&
             strcmp(e->d_name, ".stderr");
    closedir(d);
    return n;
}

/* A saved checkpoint keeps its file's mode; a symlinked one updates its
 * target and stays a link; nothing but the outputs is left in the folder. */
Test(cli, checkpoint_keeps_its_mode_and_its_symlink) {
    char *dir = tu_tmpdir(), *ck = tu_path(dir, "ck.safetensors"), *real = tu_path(dir, "real.safetensors"),
         *link = tu_path(dir, "link.safetensors");
    tu_write_str(ck, "old");
    cr_assert_eq(chmod(ck, 0600), 0);
    Out o = toy(dir, "train --steps 2 --num 0 --save '%s'", ck);
    cr_assert_eq(o.rc, 0, "stderr: %s", o.err);
    out_free(&o);
    struct stat sb;
    cr_assert_eq(stat(ck, &sb), 0);
    cr_expect_eq(sb.st_mode & 07777, 0600, "a 0600 checkpoint became %o", (unsigned)(sb.st_mode & 07777));
    cr_assert_eq(symlink("real.safetensors", link), 0);
    o = toy(dir, "train --steps 3 --num 0 --save '%s'", link);
    cr_assert_eq(o.rc, 0, "stderr: %s", o.err);
    out_free(&o);
    cr_assert_eq(lstat(link, &sb), 0);
    cr_expect(S_ISLNK(sb.st_mode), "the symlink was replaced by a file");
    cr_assert_eq(lstat(real, &sb), 0, "the link's target was not written");
    cr_expect(S_ISREG(sb.st_mode));
    o = toy(dir, "sample --num 1 --load '%s'", real);
    cr_expect_eq(o.rc, 0, "the target is not a checkpoint: %s", o.err);
    out_free(&o);
    cr_expect_eq(entries(dir), 3, "a temporary or lock file was left behind");
    tu_rmrf(dir);
}

/* Everything the FIFO holds (read end rd, non-blocking), as a string. */
static char *drain(int rd, size_t *len) {
    size_t cap = 1 << 17, n = 0;
    char *s = malloc(cap + 1);
    for (ssize_t k; n < cap && (k = read(rd, s + n, cap - n)) > 0;) n += (size_t)k;
    s[n] = '\0';
    *len = n;
    return s;
}

/* A FIFO given as --log or --out is written through, not replaced by a
 * file; without a reader it is refused before training.  (The test holds
 * the read end open, so the writer finds a reader; what it writes fits in
 * the pipe's buffer.) */
Test(cli, fifo_output_is_written_through) {
    char *dir = tu_tmpdir(), *fifo = tu_path(dir, "fifo"), *ck = tu_path(dir, "ck.safetensors");
    cr_assert_eq(mkfifo(fifo, 0600), 0);
    int rd = open(fifo, O_RDONLY | O_NONBLOCK);
    cr_assert_geq(rd, 0, "open the FIFO's read end: %s", strerror(errno));
    Out o = toy(dir, "train --steps 3 --num 0 --save '%s' --log '%s'", ck, fifo);
    cr_assert_eq(o.rc, 0, "stderr: %s", o.err);
    out_free(&o);
    size_t n;
    char *got = drain(rd, &n);
    cr_expect_eq(tu_count_prefix(got, ""), 4, "the reader got: %s", got);
    cr_expect(strncmp(got, "step,loss,lr,elapsed\n1,", 23) == 0, "the reader got: %s", got);
    free(got);
    struct stat sb;
    cr_assert_eq(lstat(fifo, &sb), 0);
    cr_expect(S_ISFIFO(sb.st_mode), "the FIFO was replaced");
    o = toy(dir, "grad --load '%s' --doc emma --out '%s'", ck, fifo);
    cr_assert_eq(o.rc, 0, "stderr: %s", o.err);
    out_free(&o);
    got = drain(rd, &n);
    MgSafetensors st;
    MgErr e;
    cr_expect_eq(mg_st_parse(&st, "fifo", (const unsigned char *)got, n, &e), 0, "the reader got no gradients: %s",
                 e.msg);
    mg_st_free(&st);
    free(got);
    close(rd);
    cr_assert_eq(lstat(fifo, &sb), 0);
    cr_expect(S_ISFIFO(sb.st_mode), "the FIFO was replaced by grad --out");
    o = toy(dir, "train --steps 3 --num 0 --log '%s'", fifo);
    expect_error(&o, "fifo: cannot write: it is a FIFO with no reader", "FIFO without a reader");
    cr_expect_eq(tu_count_prefix(o.out, "step"), 0, "refused only after training");
    out_free(&o);
    cr_assert_eq(lstat(fifo, &sb), 0);
    cr_expect(S_ISFIFO(sb.st_mode), "the FIFO was replaced");
    tu_rmrf(dir);
}

/* A character device (made here, like /dev/null: 1,3) stays a device. */
Test(cli, device_output_stays_a_device) {
    char *dir = tu_tmpdir(), *dev = tu_path(dir, "null"), *ck = tu_path(dir, "ck.safetensors");
    if (mknod(dev, S_IFCHR | 0666, makedev(1, 3)) != 0) {
        int err = errno;
        tu_rmrf(dir);
        cr_skip_test("mknod of a character device is not permitted here: %s", strerror(err));
    }
    Out o = toy(dir, "train --steps 2 --num 0 --save '%s' --log '%s'", dev, dev);
    cr_assert_eq(o.rc, 1, "--save and --log to one device: %s", o.err);
    out_free(&o);
    o = toy(dir, "train --steps 2 --num 0 --save '%s' --log '%s/log.csv'", dev, dir);
    cr_expect_eq(o.rc, 0, "stderr: %s", o.err);
    out_free(&o);
    o = toy(dir, "train --steps 2 --num 0 --save '%s' --log '%s'", ck, dev);
    cr_expect_eq(o.rc, 0, "stderr: %s", o.err);
    out_free(&o);
    o = toy(dir, "grad --load '%s' --doc emma --out '%s'", ck, dev);
    cr_expect_eq(o.rc, 0, "stderr: %s", o.err);
    out_free(&o);
    struct stat sb;
    cr_assert_eq(lstat(dev, &sb), 0);
    cr_expect(S_ISCHR(sb.st_mode), "the device was replaced by a regular file");
    tu_rmrf(dir);
}

/* Output names up to the file system's limit work: the temporary's name is
 * no longer than the output's. */
Test(cli, long_output_names_work) {
    char *dir = tu_tmpdir(), name[256];
    memset(name, 'c', 255);
    name[255] = '\0';
    char *ck = tu_path(dir, name);
    Out o = toy(dir, "train --steps 2 --num 0 --save '%s' --log '%s/%.251s.csv'", ck, dir, name);
    cr_expect_eq(o.rc, 0, "a 255-byte name: %s", o.err);
    out_free(&o);
    o = toy(dir, "grad --load '%s' --doc emma --out '%s/%.254sg'", ck, dir, name);
    cr_expect_eq(o.rc, 0, "a 255-byte --out: %s", o.err);
    out_free(&o);
    cr_expect_eq(entries(dir), 3, "a temporary was left behind");
    tu_rmrf(dir);
}

/* An output that is one of the inputs is refused before any work, and the
 * input is left as it was. */
Test(cli, output_that_is_an_input_is_refused) {
    char *dir = tu_tmpdir(), *names = tu_path(dir, "names.txt"), *ck = tu_path(dir, "ck.safetensors"),
         *alias = tu_path(dir, "alias.txt"), want[4400];
    tu_write_str(names, "emma\nolivia\nava\n");
    cr_assert_eq(symlink("names.txt", alias), 0);
    Out o = toy(dir, "train --steps 2 --num 0 --save '%s'", ck);
    cr_assert_eq(o.rc, 0, "stderr: %s", o.err);
    out_free(&o);
    struct {
        const char *args, *out;
    } cases[] = {
        {"train --steps 2 --num 0 --data '%s' --save '%s'", names},
        {"train --steps 2 --num 0 --data '%s' --log '%s'", names},
        {"train --steps 2 --num 0 --load '%s' --log '%s'", ck},
        {"grad --doc emma --load '%s' --out '%s'", ck},
    };
    size_t len;
    char *before = tu_read(ck, &len);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char args[4400];
        snprintf(args, sizeof args, cases[i].args, cases[i].out, cases[i].out);
        o = toy(dir, "%s", args);
        snprintf(want, sizeof want, "'%s' is both input and output", cases[i].out);
        expect_error(&o, want, args);
        cr_expect_eq(tu_count_prefix(o.out, "step"), 0, "%s: refused only after training", args);
        cr_expect_eq(tu_count_prefix(o.out, "loss"), 0, "%s: refused only after computing", args);
        out_free(&o);
    }
    o = toy(dir, "train --steps 2 --num 0 --data '%s' --save '%s'", names, alias);
    snprintf(want, sizeof want, "'%s' is both input and output (it is the file '%s')", alias, names);
    expect_error(&o, want, "through a symlink");
    out_free(&o);
    char *s = tu_read(names, NULL), *after = tu_read(ck, NULL);
    cr_expect_str_eq(s, "emma\nolivia\nava\n", "the data was overwritten");
    cr_expect_eq(memcmp(before, after, len), 0, "the checkpoint was overwritten");
    free(s), free(before), free(after);
    tu_rmrf(dir);
}

/* A second trainer saving to a checkpoint another one is writing is told
 * who holds it and stops before training; the first one's run goes on. */
Test(cli, second_trainer_on_one_checkpoint_is_refused) {
    char *dir = tu_tmpdir(), cmd[9000];
    snprintf(cmd, sizeof cmd,
             "(cd '%s' && { '%s' train --steps 100000000 --num 0 --progress plain --save ck > a.out 2>&1 & }; p=$!; i=0; "
             "while ! grep -qs step a.out && [ $i -lt 5000 ]; do sleep 0.01; i=$((i+1)); done; "
             "'%s' train --steps 2 --num 0 --save ck; rc=$?; echo \"$p $rc\"; kill $p; wait $p; exit 0)",
             dir, TOY_TRAINER, TOY_TRAINER);
    Out o;
    o.rc = tu_run(dir, cmd, &o.out, &o.err);
    long pid = 0;
    int rc = -1;
    cr_assert_eq(sscanf(o.out, "%ld %d", &pid, &rc), 2, "stdout: %s", o.out);
    cr_expect_eq(rc, 1, "the second trainer exited %d (stderr: %s)", rc, o.err);
    char want[128];
    snprintf(want, sizeof want, "toy: error: 'ck' is being written by another trainer (pid %ld)\n", pid);
    cr_expect(strncmp(o.err, want, strlen(want)) == 0, "stderr: %s (the shell then says the first one ended)", o.err);
    out_free(&o);
    o = toy(dir, "train --steps 2 --num 0 --save '%s/ck'", dir);
    cr_expect_eq(o.rc, 0, "the lock outlived its trainer: %s", o.err);
    out_free(&o);
    tu_rmrf(dir);
}

/* Resuming with a --log that is not this run's is refused with its line,
 * and the log is left as it was. */
Test(cli, resume_refuses_a_foreign_or_damaged_log) {
    char *dir = tu_tmpdir(), *ck = tu_path(dir, "ck.safetensors"), *log = tu_path(dir, "log.csv"),
         *bad = tu_path(dir, "bad.csv"), want[4400];
    Out o = toy(dir, "train --steps 4 --num 0 --save '%s' --log '%s'", ck, log);
    cr_assert_eq(o.rc, 0, "stderr: %s", o.err);
    out_free(&o);
    char *good = tu_read(log, NULL), *l3 = good;
    for (int i = 0; i < 3; i++) l3 = strchr(l3, '\n') + 1;     /* the line of step 3 */
    char *damaged = tu_read(log, NULL);
    damaged[l3 - good + 1] = 'x';
    struct {
        char *text;
        const char *why;
    } cases[] = {
        {"name,count\nemma,3\n", ":1: cannot resume this log: its first line is not 'step,loss,lr,elapsed'"},
        {damaged, ":4: cannot resume this log: this is not step 3's line"},
        {NULL, ":4: cannot resume this log: it ends at step 2, before the checkpoint's step 4"},
    };
    char shorter[4096];
    snprintf(shorter, sizeof shorter, "%.*s", (int)(l3 - good), good);
    cases[2].text = shorter;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        tu_write_str(bad, cases[i].text);
        o = toy(dir, "train --steps 6 --num 0 --load '%s' --log '%s'", ck, bad);
        snprintf(want, sizeof want, "%s%s", bad, cases[i].why);
        expect_error(&o, want, cases[i].why);
        expect_error(&o, "; move it aside or give another --log", "the hint");
        cr_expect_eq(tu_count_prefix(o.out, "step"), 0, "refused only after training");
        out_free(&o);
        char *s = tu_read(bad, NULL);
        cr_expect_str_eq(s, cases[i].text, "the refused log was changed");
        free(s);
    }
    o = toy(dir, "train --steps 6 --num 0 --load '%s' --log '%s'", ck, log);     /* its own log resumes */
    cr_expect_eq(o.rc, 0, "stderr: %s", o.err);
    out_free(&o);
    char *s = tu_read(log, NULL);
    cr_expect_eq(tu_count_prefix(s, ""), 7, "the resumed log: %s", s);
    cr_expect_eq(strncmp(s, good, strlen(good)), 0, "the resumed log lost its first steps: %s", s);
    free(s), free(good), free(damaged);
    tu_rmrf(dir);
}

/* Every output path is checked before any work: grad --out DIR does not
 * compute first; an empty name says so. */
Test(cli, output_paths_are_checked_before_work) {
    char *dir = tu_tmpdir(), *ck = tu_path(dir, "ck.safetensors"), want[4400];
    Out o = toy(dir, "train --steps 2 --num 0 --save '%s'", ck);
    cr_assert_eq(o.rc, 0, "stderr: %s", o.err);
    out_free(&o);
    o = toy(dir, "grad --load '%s' --doc emma --out '%s'", ck, dir);
    snprintf(want, sizeof want, "%s: cannot write: Is a directory", dir);
    expect_error(&o, want, "grad --out DIR");
    cr_expect_str_eq(o.out, "", "grad computed before refusing its output");
    out_free(&o);
    o = toy(dir, "grad --load '%s' --doc emma --out '%s/no/g'", ck, dir);
    expect_error(&o, "/no/g: cannot write: No such file or directory", "grad --out in a missing folder");
    cr_expect_str_eq(o.out, "", "grad computed before refusing its output");
    out_free(&o);
    o = toy(dir, "train --steps 2 --num 0 --log '%s'", dir);
    snprintf(want, sizeof want, "%s: cannot write: Is a directory", dir);
    expect_error(&o, want, "--log DIR");
    cr_expect_eq(tu_count_prefix(o.out, "step"), 0, "refused only after training");
    out_free(&o);
    tu_rmrf(dir);
}

/* A log that cannot be written names the reason (here the file size limit,
 * as a full disk would give ENOSPC). */
Test(cli, log_write_error_names_the_reason) {
    char *dir = tu_tmpdir(), cmd[9000];
    snprintf(cmd, sizeof cmd, "(trap '' XFSZ; ulimit -f 1; '%s' train --steps 200 --num 0 --log '%s/log.csv')",
             TOY_TRAINER, dir);
    Out o;
    o.rc = tu_run(dir, cmd, &o.out, &o.err);
    char want[4400];
    snprintf(want, sizeof want, "%s/log.csv: cannot write: File too large", dir);
    expect_error(&o, want, "log over the size limit");
    out_free(&o);
    tu_rmrf(dir);
}

/* issue 16: a checkpoint holding NaN or Inf is refused when it is loaded, by
 * every command that loads one, naming the file, the parameter and the
 * element (not blamed later on "the update"); Adam's moments when a run
 * resumes from them (sample does not use them) */
static void plant(const char *ck, const char *from, int moment, size_t at, double x) {
    static double p[TOY_NPARAM];
    MgOptimizer o;
    MgRng r;
    MgTrainState ts = {.opt = &o, .rng = &r};
    MgVocab v;
    MgErr e;
    long step;
    int resumable;
    cr_assert_eq(mg_optim_init(&o, &toy_model.optim, TOY_NPARAM, &e), 0, "%s", e.msg);
    cr_assert_eq(mg_ckpt_load_state(from, &toy_model, p, &v, &step, &ts, &resumable, &e), 0, "%s", e.msg);
    cr_assert_eq(resumable, 1);
    (moment ? o.m : p)[at] = x;
    cr_assert_eq(mg_ckpt_save_state(ck, &toy_model, p, &v, step, &ts, &e), 0, "%s", e.msg);
    mg_optim_free(&o);
    mg_vocab_free(&v);
}

Test(cli, non_finite_checkpoint_is_refused_at_load) {
    char *dir = tu_tmpdir(), *good = tu_path(dir, "good.safetensors"), *ck = tu_path(dir, "ck.safetensors"),
         *g = tu_path(dir, "g.safetensors"), want[4400];
    Out o = toy(dir, "train --steps 2 --num 0 --save '%s'", good);
    cr_assert_eq(o.rc, 0, "stderr: %s", o.err);
    out_free(&o);
    plant(ck, good, 0, 2 * TOY_VOCAB + 5, NAN);
    snprintf(want, sizeof want, "%s: parameter 'bigram' element [2, 5] is nan", ck);
    static const char *cmds[] = {"train --steps 4 --num 0 --load '%s'", "sample --num 2 --load '%s'",
                                 "grad --load '%s' --doc emma --out '%s'"};
    for (int i = 0; i < 3; i++) {
        o = toy(dir, cmds[i], ck, g);     /* g: grad's output (the others ignore it) */
        expect_error(&o, want, cmds[i]);
        cr_expect(!strstr(o.err, "update"), "%s: blamed on the update: %s", cmds[i], o.err);
        cr_expect_str_eq(o.out, "", "%s: ran before refusing", cmds[i]);
        out_free(&o);
    }
    cr_expect(access(g, F_OK) != 0, "grad wrote %s", g);
    plant(ck, good, 0, TOY_VOCAB * TOY_VOCAB + 26, -INFINITY);
    o = toy(dir, "train --steps 4 --num 0 --load '%s'", ck);
    snprintf(want, sizeof want, "%s: parameter 'bias' element [26] is -inf", ck);
    expect_error(&o, want, "-inf bias");
    out_free(&o);
    /* an infinite moment: resuming is refused, sampling (which ignores the moments) is not */
    plant(ck, good, 1, TOY_VOCAB * TOY_VOCAB + 3, INFINITY);
    o = toy(dir, "train --steps 4 --num 0 --load '%s'", ck);
    snprintf(want, sizeof want, "%s: Adam's moment 'optimizer.m.bias' element [3] is inf", ck);
    expect_error(&o, want, "inf moment");
    out_free(&o);
    o = toy(dir, "sample --num 2 --load '%s'", ck);
    cr_expect_eq(o.rc, 0, "sample with an infinite moment: %s", o.err);
    out_free(&o);
    free(good), free(ck), free(g);
    tu_rmrf(dir);
}

/* mg_cli_main keeps nothing from one call to the next in the same process:
 * the --max-data of one call is not the limit of the next (it was a
 * process-wide setting of the data loader, which took it as an argument
 * since).  Called in this process, with its output in the temp dir. */
Test(cli, a_call_keeps_no_max_data_of_the_last) {
    char *dir = tu_tmpdir(), *big = tu_path(dir, "big.txt"), *out = tu_path(dir, "out.txt");
    FILE *f = fopen(big, "wb");
    cr_assert(f, "%s", big);
    for (int i = 0; i < 50000; i++) fputs("abcdefghijklmnopqrstuvwxyz\n", f);     /* 1.35 MB */
    cr_assert_eq(fclose(f), 0);
    cr_assert(freopen(out, "w", stdout) && freopen(out, "a", stderr), "%s", out);
    char *first[] = {"toy", "train", "--steps", "1", "--num", "0", "--max-data", "1", NULL};
    cr_expect_eq(mg_cli_main(&toy_model, "toy", 8, first), 0, "the first call (embedded words) failed");
    char *second[] = {"toy", "train", "--data", big, "--steps", "1", "--num", "0", NULL};
    cr_expect_eq(mg_cli_main(&toy_model, "toy", 8, second), 0,
                 "the second call, without --max-data, refused %s: see %s", big, out);
    fflush(stdout);
    fflush(stderr);
    char *text = tu_read(out, NULL);
    cr_expect(!strstr(text, "--max-data"), "the second call kept the first one's limit: %s", text);
    free(text);
    tu_rmrf(dir);
}

/* issue 19, item 4: the optimizer's options, each bad value one located line and exit 1 */
Test(cli, optimizer_options_are_checked) {
    char *dir = tu_tmpdir();
    static const struct { const char *args, *want; } bad[] = {
        {"--lr -1", "--lr: '-1' must be >= 0"},
        {"--schedule cosin", "--schedule: unknown schedule 'cosin' (constant, linear, cosine or step)"},
        {"--optimizer rmsprop", "--optimizer: unknown optimizer 'rmsprop' (sgd, adam or adamw)"},
        {"--schedule step", "the step schedule needs --step-size N (N >= 1)"},
        {"--schedule step --step-size 0", "the step schedule needs --step-size N (N >= 1)"},
        {"--optimizer sgd --momentum 1", "--momentum: '1' must be below 1"},
        {"--optimizer sgd --nesterov 2", "--nesterov: '2' is not 0 or 1"},
        {"--optimizer sgd --nesterov 1", "--nesterov 1 needs a --momentum above 0"},
        {"--momentum 0.9", "--momentum is SGD's; Adam and AdamW have --beta1"},
        {"--clip -1", "--clip: '-1' must be >= 0"},
        {"--weight-decay x", "--weight-decay: 'x' is not a number"},
        {"--warmup 1.5", "--warmup: '1.5' is not a non-negative integer"},
        {"--beta2 1", "--beta2: '1' must be below 1"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        Out o = toy(dir, "train --steps 1 --num 0 %s", bad[i].args);
        expect_error(&o, bad[i].want, bad[i].args);
        out_free(&o);
    }
    Out h = toy(dir, "train --help");
    cr_expect_eq(h.rc, 0);
    for (const char *const *f = (const char *const[]){"--optimizer NAME", "--schedule NAME", "--warmup N",
                                                      "--min-lr X", "--step-size N", "--gamma X", "--momentum X",
                                                      "--nesterov 0|1", "--weight-decay X", "--clip X", NULL};
         *f; f++)
        cr_expect(strstr(h.out, *f), "--help lacks %s", *f);
    out_free(&h);
    tu_rmrf(dir);
}

/* --schedule, --warmup and --min-lr set the rate the log shows at each step:
 * lr * (t + 1) / W during the warm-up, then cosine down to min_lr */
Test(cli, schedule_options_set_the_logged_rate) {
    char *dir = tu_tmpdir(), *log = tu_path(dir, "log.csv");
    Out o = toy(dir, "train --steps 6 --num 0 --lr 0.05 --schedule cosine --warmup 2 --min-lr 0.001 --log '%s'", log);
    cr_assert_eq(o.rc, 0, "stderr: %s", o.err);
    char *s = tu_read(log, NULL), *l = strchr(s, '\n') + 1;
    for (int t = 0; t < 6; t++, l = strchr(l, '\n') + 1) {
        int step;
        double loss, lr, el;
        cr_assert_eq(sscanf(l, "%d,%lf,%lf,%lf", &step, &loss, &lr, &el), 4, "line %d: %.60s", t + 2, l);
        double want = t < 2 ? 0.05 * (t + 1) / 2 : 0.001 + 0.049 * (1 + cos(acos(-1.0) * (t - 2) / 4)) / 2;
        cr_expect(fabs(lr - want) <= 1e-15 * want, "step %d: lr %.17g, expected %.17g", t + 1, lr, want);
    }
    free(s);
    out_free(&o);
    tu_rmrf(dir);
}
