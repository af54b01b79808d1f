/* test_resume.c: checkpoints lose nothing and faults stop training cleanly.
 * Real trainer processes are killed with SIGKILL after a save and resumed with
 * --load; their losses, logs, final checkpoints and samples are compared byte
 * for byte with runs never interrupted.  The fault trainer (fault_main.c) has a
 * NaN loss, an infinite gradient or an overflowing update planted in one
 * document, put where the shuffle makes it step FAULT_STEP. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "mg_checkpoint.h"
#include "mg_data.h"
#include "mg_rng.h"
#include "mg_safetensors.h"
#include "testutil.h"
#include "toy_model.h"

#ifndef F_SETPIPE_SZ
#define F_SETPIPE_SZ 1031   /* Linux; <fcntl.h> shows it only with _GNU_SOURCE */
#endif

typedef struct Out {
    int rc;
    char *out, *err;
} Out;

/* Run `prog ARGS` (ARGS printf-formatted, already shell-quoted) in dir. */
static Out run(const char *dir, const char *prog, const char *fmt, ...) {
    char args[8192], cmd[9000];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(args, sizeof args, fmt, ap);
    va_end(ap);
    snprintf(cmd, sizeof cmd, "'%s' %s", prog, args);
    Out o;
    o.rc = tu_run(dir, cmd, &o.out, &o.err);
    return o;
}

static void out_free(Out *o) {
    free(o->out);
    free(o->err);
}

/* The "step" metadata of a checkpoint. */
static long ckpt_step(const char *path) {
    MgSafetensors st;
    MgErr e;
    cr_assert_eq(mg_st_read(&st, path, &e), 0, "%s", e.msg);
    const char *s = mg_st_meta(&st, "step");
    cr_assert_not_null(s, "%s has no step", path);
    long step = atol(s);
    mg_st_free(&st);
    return step;
}

static int file_exists(const char *path) { return access(path, F_OK) == 0; }

/* Start argv[0] with argv, its stdout a pipe; read its lines until one starts
 * with `until` (or, when `wait_us` > 0, drain the pipe for that long after
 * it), then SIGKILL it.  With wait_us == 0 the pipe is shrunk to one page and
 * no longer read, so the trainer blocks a few hundred lines later: it is killed
 * mid-run for certain.  Returns 1 if the signal killed it. */
/* Start argv[0] with argv, its stdout the pipe fd (read end returned in
 * *in) and, when err_path is given, its stderr that file. */
static pid_t spawn(char *const argv[], int fd[2], const char *err_path, FILE **in) {
    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        dup2(fd[1], 1);
        if (err_path) dup2(open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0600), 2);
        close(fd[0]);
        close(fd[1]);
        execv(argv[0], argv);
        _exit(127);
    }
    close(fd[1]);
    *in = fdopen(fd[0], "r");
    return pid;
}

static int run_and_kill(char *const argv[], const char *until, long wait_us) {
    int fd[2];
    cr_assert_eq(pipe(fd), 0);
    if (wait_us == 0 && fcntl(fd[1], F_SETPIPE_SZ, 4096) < 0)
        cr_skip_test("cannot shrink a pipe (F_SETPIPE_SZ: %s)", strerror(errno));
    FILE *in;
    pid_t pid = spawn(argv, fd, NULL, &in);
    char line[256];
    int seen = 0;
    while (!seen && fgets(line, sizeof line, in)) seen = strncmp(line, until, strlen(until)) == 0;
    cr_assert(seen, "the run ended before printing '%s'", until);
    if (wait_us > 0) {                 /* keep it running freely for a while */
        fcntl(fd[0], F_SETFL, fcntl(fd[0], F_GETFL) | O_NONBLOCK);
        struct timespec t0, t, nap = {0, 100000};
        clock_gettime(CLOCK_MONOTONIC, &t0);
        do {
            char buf[4096];
            while (read(fd[0], buf, sizeof buf) > 0) {}
            nanosleep(&nap, NULL);
            clock_gettime(CLOCK_MONOTONIC, &t);
        } while ((t.tv_sec - t0.tv_sec) * 1000000L + (t.tv_nsec - t0.tv_nsec) / 1000 < wait_us);
    }
    kill(pid, SIGKILL);
    int st;
    waitpid(pid, &st, 0);
    fclose(in);
    return WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL;
}

/* Drop the last field (elapsed seconds: wall time) of every line of a log. */
static void drop_elapsed(char *s, size_t *n) {
    char *w = s;
    for (char *l = s; *l;) {
        char *nl = strchr(l, '\n'), *end = nl ? nl : l + strlen(l), *comma = end;
        while (comma > l && *comma != ',') comma--;
        size_t keep = (size_t)((comma > l ? comma : end) - l);
        memmove(w, l, keep);
        w += keep;
        if (nl) *w++ = '\n';
        l = nl ? nl + 1 : end;
    }
    *w = '\0';
    *n = (size_t)(w - s);
}

/* The line of `out` that starts with "step N /" (N right-aligned as printed), or NULL. */
static const char *step_line(const char *out, long n) {
    char want[64];
    snprintf(want, sizeof want, "step %4ld /", n);
    for (const char *l = out; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
        if (strncmp(l, want, strlen(want)) == 0) return l;
    return NULL;
}

/* Kill `trainer train --steps STEPS --save-every EVERY ...` once it has printed
 * step KILL_AT, resume it with --load (saving every REST steps, 0: at the end
 * only; how often a run saves is no part of its state), and compare with an
 * uninterrupted run. */
static void kill_and_resume(const char *trainer, long steps, long every, long rest, long kill_at, long wait_us) {
    char *dir = tu_tmpdir(), *ck = tu_path(dir, "run.safetensors"), *log = tu_path(dir, "run.csv"),
         *full_ck = tu_path(dir, "full.safetensors"), *full_log = tu_path(dir, "full.csv");
    char s_steps[32], s_every[32], until[64];
    snprintf(s_steps, sizeof s_steps, "%ld", steps);
    snprintf(s_every, sizeof s_every, "%ld", every);
    snprintf(until, sizeof until, "step %4ld /", kill_at);
    Out full = run(dir, trainer, "train --steps %ld --save-every %ld --save '%s' --log '%s' --num 5", steps, rest,
                   full_ck, full_log);
    cr_assert_eq(full.rc, 0, "uninterrupted run: %s", full.err);

    char *argv[] = {(char *)trainer, "train", "--steps", s_steps, "--save-every", s_every, "--save", ck,
                    "--log", log, "--num", "5", NULL};
    cr_assert(run_and_kill(argv, until, wait_us), "the run was not killed by SIGKILL (it ended first?)");
    long saved = ckpt_step(ck);
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.tmp", ck);
    printf("%s: killed after printing step %ld; its checkpoint holds step %ld%s\n", trainer, kill_at, saved,
           file_exists(tmp) ? " (killed inside a save: a partial .tmp was left)" : "");
    /* a step's line is printed before its save: the saves before step kill_at are done */
    cr_assert_geq(saved, (kill_at - 1) / every * every, "the save before step %ld is missing", kill_at);
    cr_assert_lt(saved, steps, "the killed run had already finished");
    cr_expect_eq(saved % every, 0);

    Out res = run(dir, trainer, "train --steps %ld --save-every %ld --save '%s' --log '%s' --num 5 --load '%s'", steps,
                  rest, ck, log, ck);
    cr_assert_eq(res.rc, 0, "resumed run: %s", res.err);
    const char *tail = step_line(full.out, saved + 1);
    cr_assert_not_null(tail, "the full run lacks step %ld", saved + 1);
    cr_expect(strncmp(res.out, tail, 12) == 0, "the resumed run starts with '%.30s', not step %ld", res.out, saved + 1);
    cr_expect_str_eq(res.out, tail, "the resumed run's output differs from the rest of the uninterrupted run's");
    cr_expect_eq(tu_count_prefix(res.out, "sample "), 5);
    size_t n1, n2, l1, l2;
    char *a = tu_read(full_ck, &n1), *b = tu_read(ck, &n2), *la = tu_read(full_log, &l1), *lb = tu_read(log, &l2);
    cr_expect(n1 == n2 && memcmp(a, b, n1) == 0, "the final checkpoints differ");
    drop_elapsed(la, &l1);
    drop_elapsed(lb, &l2);
    cr_expect(l1 == l2 && memcmp(la, lb, l1) == 0, "the logs differ (elapsed seconds aside)");
    cr_expect_eq(tu_count_prefix(lb, ""), (int)steps + 1, "the resumed log has a gap or duplicates");
    cr_expect(!file_exists(tmp), "%s is left behind", tmp);
    free(a), free(b), free(la), free(lb);
    out_free(&full);
    out_free(&res);
    tu_rmrf(dir);
}

/* Start the toy trainer with `argv` (its stderr into err_path), read its
 * stdout until the line "step   50 /", stop reading (the pipe fills and the
 * trainer waits in mid-run), send `sig`, then read to the end.  Returns the
 * exit status, or -1 if it did not exit normally. */
static int run_and_signal(char *const argv[], const char *err_path, int sig) {
    int fd[2];
    cr_assert_eq(pipe(fd), 0);
    FILE *in;
    pid_t pid = spawn(argv, fd, err_path, &in);
    char line[256];
    int seen = 0;
    while (!seen && fgets(line, sizeof line, in)) seen = strncmp(line, "step   50 /", 11) == 0;
    cr_assert(seen, "the run ended before printing step 50");
    struct timespec nap = {0, 50000000};
    nanosleep(&nap, NULL);
    kill(pid, sig);
    while (fgets(line, sizeof line, in)) {}
    int st;
    waitpid(pid, &st, 0);
    fclose(in);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* SIGTERM or SIGINT in mid-run: the trainer finishes its step, saves, says
 * where it stopped and exits 128 + the signal, leaving no temporary file;
 * resumed, it ends with the bits of a run never interrupted.  Without --save
 * it says that nothing was saved. */
static void signal_and_resume(int sig) {
    char *dir = tu_tmpdir(), *ck = tu_path(dir, "run.safetensors"), *full = tu_path(dir, "full.safetensors"),
         *err = tu_path(dir, "err.txt"), want[4400];
    char *argv[] = {TOY_TRAINER, "train", "--steps", "20000", "--save", ck, "--num", "0", NULL};
    int rc = run_and_signal(argv, err, sig);
    char *msg = tu_read(err, NULL);
    cr_assert_eq(rc, 128 + sig, "exit status %d, stderr: %s", rc, msg);
    long step = -1;
    cr_assert_eq(sscanf(msg, "toy: interrupted at step %ld;", &step), 1, "stderr: %s", msg);
    snprintf(want, sizeof want, "toy: interrupted at step %ld; resume with --load %s\n", step, ck);
    cr_expect_str_eq(msg, want);
    cr_expect(step >= 50 && step < 20000, "stopped at step %ld", step);
    cr_expect_eq(ckpt_step(ck), step, "the checkpoint holds another step than the message says");
    free(msg);
    DIR *d = opendir(dir);
    for (struct dirent *e; d && (e = readdir(d)) != NULL;)
        cr_expect(e->d_name[0] == '.' || !strcmp(e->d_name, "run.safetensors") || !strcmp(e->d_name, "err.txt"),
                  "'%s' is left in the directory", e->d_name);
    closedir(d);
    Out a = run(dir, TOY_TRAINER, "train --steps 20000 --save '%s' --num 3", full),
        b = run(dir, TOY_TRAINER, "train --steps 20000 --save '%s' --num 3 --load '%s'", ck, ck);
    cr_assert_eq(a.rc, 0, "%s", a.err);
    cr_assert_eq(b.rc, 0, "%s", b.err);
    const char *tail = step_line(a.out, step + 1);
    cr_expect(tail && !strcmp(b.out, tail), "the resumed run's output is not the rest of the uninterrupted run's");
    size_t n1, n2;
    char *x = tu_read(full, &n1), *y = tu_read(ck, &n2);
    cr_expect(n1 == n2 && memcmp(x, y, n1) == 0, "the final checkpoints differ");
    free(x), free(y);
    out_free(&a), out_free(&b);
    char *nosave[] = {TOY_TRAINER, "train", "--steps", "20000", "--num", "0", NULL};
    rc = run_and_signal(nosave, err, sig);
    msg = tu_read(err, NULL);
    cr_expect_eq(rc, 128 + sig, "no --save: exit status %d, stderr: %s", rc, msg);
    cr_expect(sscanf(msg, "toy: interrupted at step %ld; nothing saved (no --save)\n", &step) == 1 &&
              strstr(msg, "; nothing saved (no --save)\n"), "no --save: stderr: %s", msg);
    free(msg);
    tu_rmrf(dir);
}

Test(resume, sigterm_saves_and_exits_143) { signal_and_resume(SIGTERM); }

Test(resume, sigint_saves_and_exits_130) { signal_and_resume(SIGINT); }

/* Resuming with --steps below the checkpoint's step would train nothing: it
 * is refused, naming both (--steps equal to it trains nothing either, but
 * checks that a checkpoint loads, and is allowed). */
Test(resume, steps_below_the_checkpoint_are_refused) {
    char *dir = tu_tmpdir(), *ck = tu_path(dir, "ck.safetensors"), want[4400];
    Out o = run(dir, TOY_TRAINER, "train --steps 40 --save '%s' --num 0", ck);
    cr_assert_eq(o.rc, 0, "%s", o.err);
    out_free(&o);
    for (int steps = 0; steps <= 39; steps += 39) {
        o = run(dir, TOY_TRAINER, "train --steps %d --load '%s' --save '%s'", steps, ck, ck);
        snprintf(want, sizeof want, "toy: error: %s is already at step 40; --steps %d trains nothing (give --steps "
                 "above 40)\n", ck, steps);
        cr_expect_eq(o.rc, 1, "--steps %d: exit %d", steps, o.rc);
        cr_expect_str_eq(o.err, want);
        cr_expect_str_eq(o.out, "");
        out_free(&o);
    }
    cr_expect_eq(ckpt_step(ck), 40);
    tu_rmrf(dir);
}

Test(resume, toy_adam_killed_and_resumed_bit_for_bit) {
    kill_and_resume(TOY_TRAINER, 3000, 100, 100, 450, 0);
    kill_and_resume(TOY_TRAINER, 3000, 100, 100, 2050, 0);
}

/* Saving after every step, killed while running freely: nearly all its time is
 * spent saving (each save is fsynced), so the kill lands inside a save. */
Test(resume, toy_killed_while_saving_every_step) {
    kill_and_resume(TOY_TRAINER, 6000, 1, 0, 40, 25000);
}

Test(resume, mlp_sgd_killed_and_resumed_bit_for_bit) {
    kill_and_resume(MLP_TRAINER, 600, 50, 50, 230, 0);
}

Test(resume, microgpt_killed_and_resumed_bit_for_bit) {
#ifdef MICROGPT_TRAINER
    kill_and_resume(MICROGPT_TRAINER, 700, 50, 50, 333, 0);
#else
    cr_skip_test("this build has no microgpt trainer");
#endif
}

/* One line "toy: error: WANT" on stderr, exit status 1. */
static void expect_error(const Out *o, const char *prog, const char *want) {
    char full[8192];
    snprintf(full, sizeof full, "%s: error: %s\n", prog, want);
    cr_expect_eq(o->rc, 1, "exit status %d (stderr: %s)", o->rc, o->err);
    cr_expect_str_eq(o->err, full);
}

Test(resume, refuses_other_data_or_seed) {
    char *dir = tu_tmpdir(), *ck = tu_path(dir, "ck.safetensors"), *data = tu_path(dir, "d.txt"),
         *same = tu_path(dir, "same.txt");
    tu_write_str(data, "abcdefghijklm\nnopqrstuvwxyz\nanna\nbob\n");
    tu_write_str(same, "  abcdefghijklm\r\n\r\nnopqrstuvwxyz\r\nanna\r\nbob");     /* the same documents */
    Out o = run(dir, TOY_TRAINER, "train --data '%s' --steps 20 --save '%s' --save-every 5 --seed 9 --num 0", data, ck);
    cr_assert_eq(o.rc, 0, "%s", o.err);
    out_free(&o);
    char want[9000];
    /* forgetting --data: the embedded words have the same letters, but are other documents */
    o = run(dir, TOY_TRAINER, "train --load '%s' --steps 30", ck);
    MgDocs d;
    MgErr e;
    cr_assert_eq(mg_data_load_default(&d, &e), 0);
    snprintf(want, sizeof want, "%s: cannot resume this run on <embedded words> (%zu documents): it trained on %s "
             "(4 documents); give it the same --data", ck, d.n, data);
    mg_data_free(&d);
    expect_error(&o, "toy", want);
    out_free(&o);
    tu_write_str(data, "abcdefghijklm\nnopqrstuvwxyz\nanna\nbobo\n");
    o = run(dir, TOY_TRAINER, "train --data '%s' --load '%s' --steps 30", data, ck);
    snprintf(want, sizeof want, "%s: cannot resume this run on %s (4 documents, other contents): it trained on %s "
             "(4 documents); give it the same --data", ck, data, data);
    expect_error(&o, "toy", want);
    out_free(&o);
    o = run(dir, TOY_TRAINER, "train --data '%s' --load '%s' --seed 10", same, ck);
    snprintf(want, sizeof want, "%s: cannot resume this run with --seed 10: it was seeded with 9 (leave out --seed)",
             ck);
    expect_error(&o, "toy", want);
    out_free(&o);
    /* the same documents (stripped, CRLF) and the same seed, given or not, resume */
    o = run(dir, TOY_TRAINER, "train --data '%s' --load '%s' --seed 9 --num 0", same, ck);
    cr_expect_eq(o.rc, 0, "%s", o.err);
    cr_expect_str_eq(o.out, "");        /* it had finished all 20 steps */
    out_free(&o);
    o = run(dir, TOY_TRAINER, "train --data '%s' --load '%s' --steps 22 --num 0", same, ck);
    cr_expect_eq(o.rc, 0, "%s", o.err);
    cr_expect(strncmp(o.out, "step   21 /   22 | loss ", 24) == 0, "%s", o.out);
    cr_expect_eq(tu_count_prefix(o.out, "step "), 2);
    out_free(&o);
    tu_rmrf(dir);
}

/* A checkpoint with parameters only (no training state) starts a run at step 1
 * from those parameters, and serves sample and grad. */
Test(resume, parameters_only_checkpoint_is_a_starting_point) {
    char *dir = tu_tmpdir(), *ck = tu_path(dir, "p.safetensors"), *log = tu_path(dir, "log.csv"),
         *g = tu_path(dir, "g.safetensors");
    static double p[TOY_NPARAM], grads[TOY_NPARAM], scratch[TOY_SCRATCH];
    for (size_t i = 0; i < TOY_NPARAM; i++) p[i] = 0.01 * (double)(i % 13) - 0.05;
    MgVocab v;
    MgErr e;
    cr_assert_eq(mg_vocab_from_string(&v, "abcdefghijklmnopqrstuvwxyz", 26, &e), 0);
    cr_assert_eq(mg_ckpt_save(ck, &toy_model, p, &v, 0, &e), 0, "%s", e.msg);
    Out o = run(dir, TOY_TRAINER, "train --load '%s' --steps 3 --num 2 --log '%s'", ck, log);
    cr_assert_eq(o.rc, 0, "%s", o.err);
    cr_expect(strncmp(o.out, "step    1 /    3 | loss ", 24) == 0, "%s", o.out);
    cr_expect_eq(tu_count_prefix(o.out, "step "), 3);
    cr_expect_eq(tu_count_prefix(o.out, "sample "), 2);
    /* step 1's loss is that of the saved parameters on the first shuffled word */
    MgDocs d;
    MgRng r;
    cr_assert_eq(mg_data_load_default(&d, &e), 0);
    mg_rng_seed(&r, 42);
    mg_data_shuffle(&d, &r);
    int tokens[TOY_BLOCK + 2], T = d.docs[0].len + 1 < TOY_BLOCK ? (int)d.docs[0].len + 1 : TOY_BLOCK;
    tokens[0] = 26;
    for (int i = 1; i <= T; i++)
        tokens[i] = (size_t)i - 1 < d.docs[0].len ? (int)d.cps[d.docs[0].off + (size_t)i - 1] - 'a' : 26;
    double want = toy_model.loss_grad(NULL, p, grads, tokens, T, scratch), got;
    char *s = tu_read(log, NULL);
    cr_assert_eq(sscanf(s, "step,loss,lr,elapsed\n1,%lf", &got), 1, "%s", s);
    cr_expect_eq(got, want, "step 1 loss %.17g, the saved parameters give %.17g", got, want);
    free(s);
    mg_data_free(&d);
    out_free(&o);
    o = run(dir, TOY_TRAINER, "sample --load '%s' --num 3", ck);
    cr_expect_eq(o.rc, 0, "%s", o.err);
    cr_expect_eq(tu_count_prefix(o.out, "sample "), 3);
    out_free(&o);
    o = run(dir, TOY_TRAINER, "grad --load '%s' --doc emma --out '%s'", ck, g);
    cr_expect_eq(o.rc, 0, "%s", o.err);
    out_free(&o);
    mg_vocab_free(&v);
    tu_rmrf(dir);
}

/* ---- training faults ---- */

enum { NDOCS = 61, FAULT_STEP = 22, EVERY = 4 };

/* Doc i of the fault data: letters only, no doubled letter; all 26 letters occur. */
static void plain_doc(int i, char *out) {
    int n = 3 + i % 7;
    for (int k = 0; k < n; k++) out[k] = (char)('a' + (i * 5 + k * 3) % 26);
    out[n] = '\0';
}

/* A data file of NDOCS documents where `fault` is the one that the shuffle with
 * seed 42 puts at position FAULT_STEP - 1, i.e. training step FAULT_STEP. */
static void write_fault_data(const char *path, const char *fault) {
    size_t perm[NDOCS];
    for (size_t i = 0; i < NDOCS; i++) perm[i] = i;
    MgRng r;
    mg_rng_seed(&r, 42);
    mg_rng_shuffle(&r, perm, NDOCS, sizeof perm[0]);
    char text[NDOCS * 32], *w = text, doc[32];
    for (int i = 0; i < NDOCS; i++) {
        plain_doc(i, doc);
        w += sprintf(w, "%s\n", (size_t)i == perm[FAULT_STEP - 1] ? fault : doc);
    }
    tu_write(path, text, (size_t)(w - text));
    /* check the placement with the library's own loader and shuffle */
    MgDocs d;
    MgErr e;
    cr_assert_eq(mg_data_load_file(&d, path, &e), 0, "%s", e.msg);
    mg_rng_seed(&r, 42);
    mg_data_shuffle(&d, &r);
    cr_assert_eq(mg_data_doc_utf8(&d, FAULT_STEP - 1, doc, sizeof doc), (long)strlen(fault));
    cr_assert_str_eq(doc, fault);
    for (size_t i = 0; i < FAULT_STEP - 1; i++) {
        mg_data_doc_utf8(&d, i, doc, sizeof doc);
        cr_assert(!strstr(doc, "qq") && !strstr(doc, "zz") && !strstr(doc, "ww"), "doc %zu is '%s'", i, doc);
    }
    mg_data_free(&d);
}

/* Train the fault trainer on data with `fault` at step FAULT_STEP: it must stop
 * there with `what`, exit 1, print no samples, and leave the checkpoint of the
 * last save before it (step 20) whole and finite. */
static void expect_fault(const char *fault, const char *what, int save) {
    char *dir = tu_tmpdir(), *data = tu_path(dir, "d.txt"), *ck = tu_path(dir, "ck.safetensors");
    write_fault_data(data, fault);
    Out o = save ? run(dir, FAULT_TRAINER, "train --data '%s' --steps 200 --save '%s' --save-every %d", data, ck, EVERY)
                 : run(dir, FAULT_TRAINER, "train --data '%s' --steps 200", data);
    int last = (FAULT_STEP - 1) / EVERY * EVERY;
    char want[9000];
    if (save)
        snprintf(want, sizeof want, "step %d: %s; training stopped; %s holds step %d, the last good state", FAULT_STEP,
                 what, ck, last);
    else
        snprintf(want, sizeof want, "step %d: %s; training stopped (no --save)", FAULT_STEP, what);
    expect_error(&o, "fault", want);
    cr_expect_eq(tu_count_prefix(o.out, "step "), FAULT_STEP - 1, "%s", o.out);
    cr_expect_eq(tu_count_prefix(o.out, "sample"), 0);
    if (save) {
        static double p[TOY_NPARAM];
        MgVocab v;
        long step;
        MgErr e;
        MgModel m = toy_model;
        m.name = "fault";
        cr_assert_eq(mg_ckpt_load(ck, &m, p, &v, &step, &e), 0, "%s", e.msg);
        cr_expect_eq(step, last);
        for (size_t i = 0; i < TOY_NPARAM; i++) cr_assert(isfinite(p[i]), "parameter %zu is %g", i, p[i]);
        mg_vocab_free(&v);
        /* and it resumes: the same steps up to the fault, the same message */
        Out r = run(dir, FAULT_TRAINER, "train --data '%s' --load '%s' --save '%s' --save-every %d", data, ck, ck,
                    EVERY);
        expect_error(&r, "fault", want);
        cr_expect_eq(tu_count_prefix(r.out, "step "), FAULT_STEP - 1 - last);
        cr_expect_str_eq(r.out, step_line(o.out, last + 1));
        cr_expect_eq(ckpt_step(ck), last);
        out_free(&r);
    }
    out_free(&o);
    tu_rmrf(dir);
}

Test(faults, nan_loss_names_the_step) {
    expect_fault("quqqi", "the loss is nan", 1);
    expect_fault("quqqi", "the loss is nan", 0);
}

Test(faults, infinite_gradient_names_the_first_parameter_and_element) {
    expect_fault("jazzy", "the gradient of 'bigram' is inf at element [25, 3]", 1);
}

Test(faults, overflowing_update_names_the_parameter) {
    expect_fault("awwk", "the update made 'bias' -inf at element [7]", 1);
}

/* A huge learning rate on the real toy model: whatever step it diverges at, the
 * message names it, everything before it was printed, and the checkpoint is
 * the step before, whole. */
Test(faults, huge_learning_rate_diverges_cleanly) {
    char *dir = tu_tmpdir(), *ck = tu_path(dir, "ck.safetensors");
    Out o = run(dir, TOY_TRAINER, "train --steps 50 --lr 1e300 --save '%s' --save-every 1 --num 0", ck);
    int step = 0;
    cr_assert_eq(sscanf(o.err, "toy: error: step %d: ", &step), 1, "stderr: %s", o.err);
    cr_expect_eq(o.rc, 1);
    cr_expect_gt(step, 1);
    cr_expect_eq(tu_count_prefix(o.out, "step "), step - 1);
    cr_expect(strstr(o.err, "is nan") || strstr(o.err, "is inf") || strstr(o.err, "is -inf") ||
              strstr(o.err, " inf at ") || strstr(o.err, " -inf at ") || strstr(o.err, " nan at "), "%s", o.err);
    cr_expect_eq(ckpt_step(ck), step - 1);
    out_free(&o);
    tu_rmrf(dir);
}

/* mgc --fast --dtype=f32 trains float parameters with a float Adam
 * (mg_optim_f32.h); a checkpoint holds them as doubles, which give the same
 * floats back, so a resumed run keeps the bits too */
Test(resume, microgpt_fast_f32_killed_and_resumed_bit_for_bit) {
#ifdef MICROGPT_FAST_F32_TRAINER
    kill_and_resume(MICROGPT_FAST_F32_TRAINER, 700, 50, 50, 333, 0);
#else
    cr_skip_test("this build has no microgpt_fast_f32 trainer");
#endif
}
