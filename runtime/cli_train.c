/* cli_train.c: the train command: setup (documents, vocabulary, a resumed
 * checkpoint), the step loop, checkpoints, and stopping cleanly on a
 * non-finite number or on SIGINT/SIGTERM.
 * Takes a Run and the options; hands on progress, the log, a checkpoint and samples. */
#include "cli_internal.h"
#include "mg_bigmem.h"

#include "mg_checkpoint.h"
#include "mg_data.h"
#include "mg_optim.h"
#include "mg_utf8.h"

#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>


static void init_params(const MgModel *m, double *params, MgRng *rng) {
    for (int i = 0; i < m->n_params; i++) {
        const MgParam *p = &m->params[i];
        double *x = params + p->offset;
        for (size_t k = 0; k < p->size; k++) {
            switch (p->init) {
            case MG_INIT_GAUSS: x[k] = mg_rng_gauss(rng, p->init_a, p->init_b); break;
            case MG_INIT_ZEROS: x[k] = 0.0; break;
            case MG_INIT_ONES: x[k] = 1.0; break;
            case MG_INIT_CONST: x[k] = p->init_a; break;
            case MG_INIT_UNIFORM: x[k] = mg_rng_uniform(rng, p->init_a, p->init_b); break;
            }
        }
    }
}

/* The vocabulary of the data, which must have the model's size. */
static int build_vocab(Run *r) {
    MgErr e;
    const MgModel *m = r->m;
    if (mg_vocab_build(&r->vocab, &r->docs, &e) < 0) return cli_error(r->cli, "%s", e.msg);
    int n = mg_vocab_size(&r->vocab);
    if (n == m->vocab) return 0;
    char rare[128] = "";
    if (n > m->vocab) {
        uint32_t cp;
        size_t line;
        char desc[32];
        mg_data_rarest(&r->docs, &r->vocab, &cp, &line);
        mg_utf8_describe(cp, desc);
        snprintf(rare, sizeof rare, "; its rarest character is %s, first on line %zu", desc, line);
    }
    return cli_error(r->cli, "%s: the data has vocabulary size %d (%d characters + BOS) but model '%s' has %d%s "
                     "(a model whose vocab is a const takes another with 'mgc -D vocab=%d')",
                     r->docs.name, n, r->vocab.n, m->name, m->vocab, rare, n);
}

/* Load the documents, check or build the vocabulary, then seed and shuffle. */
static int load_docs(Run *r, const Opts *o) {
    MgErr e;
    size_t piece = (size_t)r->m->block_size;
    int rc = r->pieces ? (o->data ? mg_data_load_text_file_max(&r->docs, o->data, piece, o->max_data, &e)
                                : mg_data_load_text_buffer(&r->docs, "<embedded words, as one text>", mg_words_txt,
                                                           mg_words_txt_len, piece, &e))
                     : (o->data ? mg_data_load_file_max(&r->docs, o->data, o->max_data, &e)
                                : mg_data_load_default(&r->docs, &e));
    if (rc < 0) return cli_error(r->cli, "%s", e.msg);
    if (!o->load && build_vocab(r)) return 1;
    if (o->load && mg_data_check_vocab(&r->docs, &r->vocab, o->load, &e) < 0) return cli_error(r->cli, "%s", e.msg);
    if (o->save || o->load) r->docs_sum = mg_data_checksum(&r->docs);   /* only a checkpoint reads it */
    mg_rng_seed(&r->rng, r->seed);
    mg_data_shuffle(&r->docs, &r->rng);
    return 0;
}

/* A model of examples: the examples' fields must be its inputs; then seed
 * and shuffle their order. */
static int load_examples(Run *r) {
    const MgExamples *ex = r->cli->ex;
    const MgModel *m = r->m;
    if (ex->n == 0) return cli_error(r->cli, "%s: no examples", ex->source);
    for (int f = 0; f < m->n_inputs; f++) {
        const MgField *a = &ex->fields[f], *b = &m->inputs[f];
        if (strcmp(a->name, b->name) != 0 || a->is_int != b->is_int || a->size != b->size ||
            (a->is_int && a->range != b->range))
            return cli_error(r->cli, "%s: column %d ('%s') is not input '%s' of model '%s'", ex->source, f + 1,
                             a->name, b->name, m->name);
    }
    for (size_t i = 0; ex->T && i < ex->n; i++)
        if (ex->T[i] < 1 || ex->T[i] > m->block_size)
            return cli_error(r->cli, "%s: example %zu has length T = %d; model '%s' takes 1 to %d", ex->source, i,
                             ex->T[i], m->name, m->block_size);
    for (int f = 0; f < m->n_inputs; f++) {    /* a label outside its range would index past an array */
        const MgField *b = &m->inputs[f];
        for (size_t k = 0; b->is_int && k < ex->n * b->size; k++) {
            double v = ex->data[f][k];
            if (!(v >= 0 && v < (double)b->range) || v != (double)(long)v)
                return cli_error(r->cli, "%s: example %zu: input '%s' holds %.17g, not an integer in [0, %ld)",
                                 ex->source, k / b->size, b->name, v, b->range);
        }
    }
    r->order = malloc(ex->n * sizeof *r->order);
    if (!r->order) return cli_error(r->cli, "out of memory (%zu examples)", ex->n);
    for (size_t i = 0; i < ex->n; i++) r->order[i] = i;
    r->docs_sum = cli_examples_checksum(ex);
    mg_rng_seed(&r->rng, r->seed);
    mg_rng_shuffle(&r->rng, r->order, ex->n, sizeof *r->order);
    return 0;
}

/* A resumed run must see the documents in the same order: same seed, same data. */
static int check_resume(Run *r, const Opts *o, const MgTrainState *ts) {
    if (o->has_seed && o->seed != ts->seed)
        return cli_error(r->cli, "%s: cannot resume this run with --seed %llu: it was seeded with %llu (leave out --seed)",
                         o->load, (unsigned long long)o->seed, (unsigned long long)ts->seed);
    if (o->has_batch && (long)o->batch * r->cli->ranks != ts->batch)
        return cli_error(r->cli, "%s: cannot resume this run with --batch %d%s: it trained with %ld documents a step "
                         "(leave out --batch)", o->load, o->batch, r->cli->ranks > 1 ? " per rank" : "", ts->batch);
    if (ts->batch % r->cli->ranks != 0)
        return cli_error(r->cli, "%s: cannot resume this run on %d ranks: its %ld documents a step do not divide "
                         "among them", o->load, r->cli->ranks, ts->batch);
    size_t n = cli_ndocs(r);
    if (n == ts->docs && r->docs_sum == ts->docs_sum) return 0;
    return cli_error(r->cli, "%s: cannot resume this run on %s (%zu documents%s): it trained on %s (%zu documents); "
                     "give it the same --data", o->load, cli_data_name(r), n,
                     n == ts->docs ? ", other contents" : "", ts->data, ts->docs);
}

/* A resumed run must validate on what it validated on (a split of the same
 * fraction, seeded alike, or a file of the same values), or on nothing again. */
static int check_validation(Run *r, const Opts *o, const MgTrainState *ts) {
    if (strcmp(r->val_desc, ts->val) == 0) return 0;
    if (!ts->val[0])
        return cli_error(r->cli, "%s: cannot resume this run with %s: it trained without a validation set (leave "
                         "out --val and --val-split)", o->load, o->val ? "--val" : "--val-split");
    return cli_error(r->cli, "%s: cannot resume this run %s: it validated on %s%s", o->load,
                     r->val_desc[0] ? "on another validation set" : "without its validation set", ts->val,
                     !strncmp(ts->val, "split ", 6) ? " (give the same --val-split)" : " (give the same --val)");
}

static int same_file(const char *a, const char *b) {
    struct stat x, y;
    return stat(a, &x) == 0 && stat(b, &y) == 0 && x.st_dev == y.st_dev && x.st_ino == y.st_ino;
}

/* train's outputs, before any work: writable, none of them an input (the
 * checkpoint may be the one loaded: that resumes it in place), and the
 * checkpoint locked against another trainer. */
static int train_outputs(Run *r, const Opts *o) {
    MgErr e;
    const char *save_in[] = {o->data, o->val}, *log_in[] = {o->data, o->load, o->val};
    if (o->save && cli_check_output(r->cli, o->save, save_in, 2)) return 1;
    if (o->log && cli_check_output(r->cli, o->log, log_in, 3)) return 1;
    if (o->save && o->log && mg_out_distinct(o->log, o->save, &e) != 0)
        return cli_error(r->cli, "'%s' is both the checkpoint (--save) and the log (--log)", o->log);
    if (o->save && mg_out_lock(&r->lock, o->save, &e) != 0) return cli_error(r->cli, "%s", e.msg);
    return 0;
}

static int train_setup(Run *r, const Opts *o) {
    MgErr e;
    const MgModel *m = r->m;
    if (o->save_every && !o->save) return cli_error(r->cli, "--save-every needs --save CKPT");
    if ((r->cli->rank == 0 && train_outputs(r, o)) || cli_run_alloc(r, 1)) return 1;
    if (mg_optim_init(&r->opt, &o->optim, m->n_scalars, &e) < 0) return cli_error(r->cli, "%s", e.msg);
    /* the optimizer's state on huge pages and faulted in now, not in the first step */
    double *state[] = {r->opt.m, r->opt.v, r->opt.work, r->opt.g};
    for (int i = 0; i < 4; i++) mg_big_prefault(state[i], m->n_scalars * sizeof(double));
    MgRng saved;
    MgTrainState ts = {.opt = &r->opt, .rng = &saved};
    long step = 0;
    int resumed = 0;
    if (o->load && mg_ckpt_load_state(o->load, m, r->params, &r->vocab, &step, &ts, &resumed, &e) < 0)
        return cli_error(r->cli, "%s", e.msg);
    r->seed = resumed && !o->has_seed ? ts.seed : o->seed;
    /* --batch is per rank; a checkpoint holds the documents a step, over all ranks */
    r->batch = o->has_batch ? o->batch : resumed ? (int)(ts.batch / r->cli->ranks) : 1;
    if (cli_alloc_batch(r, o)) return 1;
    if (resumed && o->has_text && o->text != ts.text)
        return cli_error(r->cli, "%s: cannot resume this run with --docs %s: it trained with --docs %s (leave out --docs)",
                         o->load, o->text ? "text" : "lines", ts.text ? "text" : "lines");
    r->pieces = o->has_text ? o->text : resumed ? ts.text : 0;
    r->opt.cfg.lr = o->has_lr ? o->lr : resumed ? ts.lr : m->optim.lr;
    r->opt.cfg.steps = o->has_steps ? o->steps : resumed ? (int)ts.steps : m->optim.steps;
    if (cli_val_setup(r, o) || (resumed && check_validation(r, o, &ts))) return 1;
    if ((r->cli->ex ? load_examples(r) : load_docs(r, o)) || (resumed && check_resume(r, o, &ts))) return 1;
    if (resumed && o->has_steps && o->steps < step)
        return cli_error(r->cli, "%s is already at step %ld; --steps %d trains nothing (give --steps above %ld)",
                         o->load, step, o->steps, step);
    if (resumed) {
        r->rng = saved;
        r->start = (int)step;             /* may exceed steps: then nothing is left to do */
        if (o->save && same_file(o->load, o->save)) r->saved = (int)step;
    } else if (!o->load) {
        init_params(m, r->params, &r->rng);
    }
    return o->log && r->cli->rank == 0 ? cli_open_log(r, o->log) : 0;
}

/* the double parameters and optimizer state from the float ones, when a
 * checkpoint or sampling needs them */
static void float_sync(Run *r) {
    if (r->fopt.p) mg_optim_f32_sync(&r->fopt, &r->opt, r->params);
}

/* Save params and the whole training state after `step` steps; the log and
 * stdout are flushed first, so they always reach at least as far as the checkpoint. */
static int save_state(Run *r, const char *path, int step) {
    MgErr e;
    float_sync(r);
    MgTrainState ts = {.steps = r->opt.cfg.steps, .lr = r->opt.cfg.lr, .seed = r->seed, .docs = cli_ndocs(r),
                       .docs_sum = r->docs_sum, .batch = (long)r->batch * r->cli->ranks, .text = r->pieces, .opt = &r->opt,
                       .rng = &r->rng};
    snprintf(ts.data, sizeof ts.data, "%s", r->train_desc[0] ? r->train_desc : cli_data_name(r));
    snprintf(ts.val, sizeof ts.val, "%s", r->val_desc);
    fflush(stdout);     /* the progress lines, too, reach at least as far as the checkpoint */
    if (r->log && mg_out_publish(&r->logout, &e) != 0) return cli_error(r->cli, "%s", e.msg);
    if (mg_ckpt_save_state(path, r->m, r->params, &r->vocab, step, &ts, &e) < 0) return cli_error(r->cli, "%s", e.msg);
    r->saved = step;
    return 0;
}

static const char *nonfinite_text(double x) { return isnan(x) ? "nan" : x > 0 ? "inf" : "-inf"; }

/* How a stopped run left its checkpoint, for the message. */
static void stop_note(const Run *r, const Opts *o, char *buf, size_t cap) {
    if (!o->save) snprintf(buf, cap, "training stopped (no --save)");
    else if (r->saved >= 0) snprintf(buf, cap, "training stopped; %s holds step %d, the last good state", o->save, r->saved);
    else snprintf(buf, cap, "training stopped; %s was not written by this run", o->save);
}

/* The first non-finite element of x (params or grads), in parameter order. */
static const MgParam *first_nonfinite(const MgModel *m, const double *x, size_t *at) {
    for (int i = 0; i < m->n_params; i++)
        for (size_t k = 0; k < m->params[i].size; k++)
            if (!isfinite(x[m->params[i].offset + k])) {
                *at = k;
                return &m->params[i];
            }
    return NULL;
}

/* A non-finite loss, gradient or updated parameter stops training: name the
 * step and the first parameter (and element) affected.  Nothing is saved.
 * The optimizer reports whether anything went non-finite, so the gradients
 * and parameters are only searched when something did. */
static int check_finite(Run *r, const Opts *o, int step, double loss, const double *x, int updated) {
    char note[4400], at[96];
    size_t k;
    const MgParam *p = isfinite(loss) ? first_nonfinite(r->m, x, &k) : NULL;
    if (isfinite(loss) && !p) return 0;
    stop_note(r, o, note, sizeof note);
    if (!p) return cli_error(r->cli, "step %d: the loss is %s; %s", step, nonfinite_text(loss), note);
    mg_element_text(p, k, at, sizeof at);
    return cli_error(r->cli, updated ? "step %d: the update made '%s' %s at element %s; %s"
                                      : "step %d: the gradient of '%s' is %s at element %s; %s",
                     step, p->name, nonfinite_text(x[p->offset + k]), at, note);
}

/* ---- interruption ---- */

/* SIGINT or SIGTERM, once one has come: training stops after its step.  The
 * handler only sets this flag (async-signal-safe); the step loop reads it
 * between steps, outside any OpenMP region, whichever thread took the signal.
 * SA_RESETHAND: a second signal stops the process at once.
 * The one file-level variable of the command line, and rightly so: a signal
 * handler has no argument to be given a context through, and may only set a
 * volatile sig_atomic_t. */
static volatile sig_atomic_t stop_signal;

static void on_stop(int sig) { stop_signal = sig; }

/* The handlers of SIGINT and SIGTERM before training caught them. */
typedef struct Stops {
    struct sigaction old_int, old_term;
} Stops;

/* Install the handlers for SIGINT and SIGTERM, keeping the old ones in *s. */
static void catch_stops(Stops *s) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART | SA_RESETHAND;
    stop_signal = 0;
    sigaction(SIGINT, &sa, &s->old_int);
    sigaction(SIGTERM, &sa, &s->old_term);
}

/* Put back the handlers catch_stops found. */
static void release_stops(const Stops *s) {
    sigaction(SIGINT, &s->old_int, NULL);
    sigaction(SIGTERM, &s->old_term, NULL);
}

/* Whether to stop now: a signal came (caught only by a single process). */
static int stop_now(void) {
    return stop_signal;
}

/* Stopped by signal sig after `step`: save when --save says so, say how to
 * go on, and return the shell's status for the signal (130, 143). */
static int interrupted(Run *r, const Opts *o, int sig, int step) {
    if (o->save && r->saved != step && cli_ranks_agree(r->cli, r->cli->rank == 0 && save_state(r, o->save, step)))
        return 1;
    if (cli_close_log(r)) return 1;
    if (r->cli->rank == 0) {
        cli_end_line(r->cli);
        if (o->save) fprintf(stderr, "%s: interrupted at step %d; resume with --load %s\n", r->cli->prog, step, o->save);
        else fprintf(stderr, "%s: interrupted at step %d; nothing saved (no --save)\n", r->cli->prog, step);
    }
    return 128 + sig;
}

static int train_steps(Run *r, const Opts *o);

/* A model with loss_grad_f32 (mgc --dtype=f32) trained in one process
 * trains float parameters (mg_optim_f32.h): nothing is converted per
 * document or per step, and Adam's state is float too (a batch:
 * cli_batch.c's step_part_f32 gives the float gradients).  MPI and models of
 * examples keep the double interface. */
static int float_setup(Run *r) {
    MgErr e;
    if (!r->m->loss_grad_f32 || r->cli->ranks != 1 || r->cli->ex) return 0;
    if (mg_optim_f32_init(&r->fopt, &r->opt, r->params, &e) < 0) return cli_error(r->cli, "%s", e.msg);
    return 0;
}

/* one optimizer step on the gradients the step computed */
static int optim_step(Run *r, int s) {
    if (r->fopt.p) return mg_optim_f32_step(&r->fopt, &r->opt, r->params, r->grads, s);
    return mg_optim_step(&r->opt, r->params, r->grads, s);
}


/* After step s (0-based): the validation set's figures when they are due
 * (every eval_every steps and after the last), printed; then the log line,
 * "step,loss,lr,elapsed" and with a validation set ",val_loss" (and
 * ",val_accuracy", a fraction, for a classifier), cells empty between
 * evaluations. */
static int step_done(Run *r, Progress *pr, int s, double loss, double now) {
    const int steps = r->opt.cfg.steps;
    EvalSums v = {0, 0, 0};
    int due = r->val && ((s + 1) % r->eval_every == 0 || s + 1 == steps);
    if (due) {
        if (cli_evaluate(r, r->val, &v)) return 1;
        cli_progress_val(pr, s + 1, steps, &v, r->label >= 0);
    }
    if (!r->log) return 0;
    fprintf(r->log, "%d,%.17g,%.17g,%.6f", s + 1, loss, mg_optim_lr(&r->opt.cfg, s), r->log_elapsed + (now - pr->t0));
    if (due) fprintf(r->log, ",%.17g", v.loss);
    else if (r->val) fputc(',', r->log);
    if (due && r->label >= 0) fprintf(r->log, ",%.17g", (double)v.correct / (double)v.n);
    else if (r->val && r->label >= 0) fputc(',', r->log);
    fputc('\n', r->log);
    return 0;
}

int cli_cmd_train(Run *r, const Opts *o) {
    r->saved = -1;
    if (cli_ranks_agree(r->cli, train_setup(r, o))) return 1;
    /* Over MPI ranks a signal ends every rank at once, as mpirun forwards it
     * (an agreement after each step would be one more collective in which a
     * dead rank could not be named). */
    if (float_setup(r)) return 1;
    int catching = r->cli->ranks == 1;
    Stops stops;
    if (catching) catch_stops(&stops);
    int rc = train_steps(r, o);
    if (catching) release_stops(&stops);
    return rc;
}

/* The steps, then the final save and the samples; stops cleanly on SIGINT
 * or SIGTERM (catch_stops). */
static int train_steps(Run *r, const Opts *o) {
    const int steps = r->opt.cfg.steps;
    Progress pr;
    cli_progress_start(&pr, r->cli, o);
    int sig;
    for (int s = r->start; s < steps; s++) {
        long T;
        double loss = cli_step_loss(r, s, &T);
        if (!isfinite(loss)) return check_finite(r, o, s + 1, loss, r->grads, 0);
        if (!optim_step(r, s) &&
            (check_finite(r, o, s + 1, loss, r->grads, 0) || check_finite(r, o, s + 1, loss, r->params, 1)))
            return 1;
        double now = cli_wall_seconds();
        cli_progress_step(&pr, s + 1, r->start, steps, loss, T, now);
        if (r->cli->rank == 0 && step_done(r, &pr, s, loss, now)) return 1;
        if (o->save_every && (s + 1) % o->save_every == 0 && s + 1 < steps &&
            cli_ranks_agree(r->cli, r->cli->rank == 0 && save_state(r, o->save, s + 1)))
            return 1;
        if ((sig = stop_now()) != 0) return interrupted(r, o, sig, s + 1);
    }
    float_sync(r);
    fflush(stdout);
    if (cli_close_log(r)) return 1;
    if (o->save && cli_ranks_agree(r->cli, r->cli->rank == 0 && save_state(r, o->save, steps > r->start ? steps : r->start)))
        return 1;
    if (r->cli->ranks > 1 && r->cli->rank == 0 && steps > r->start)
        printf("mpi: %d ranks, each with %d documents a step; %.1f%% of the training time in the gradient "
               "reduction\n", r->cli->ranks, r->batch, 100 * r->cli->comm_seconds / (cli_wall_seconds() - pr.t0));
    if ((sig = stop_now()) != 0)    /* after the last step: the run is whole and saved */
        return interrupted(r, o, sig, steps > r->start ? steps : r->start);
    return r->cli->rank == 0 && !r->cli->ex ? cli_print_samples(r, o->num, o->temperature) : 0;
}
