/* cli.c: parses a command and its options, then runs train, sample or grad.
 * Takes an MgModel and argv; hands on stdout lines, files and an exit status.
 * Invariants: every failure prints one "PROG: error:" line and returns 1; params,
 * grads, optimizer state and scratch are allocated once, before any step. */
#include "mg_cli.h"

#include "mg_checkpoint.h"
#include "mg_data.h"
#include "mg_optim.h"
#include "mg_outfile.h"
#include "mg_rng.h"
#include "mg_sample.h"
#include "mg_utf8.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#ifdef _OPENMP
#include <omp.h>
#endif
#ifdef MGC_MPI
#include <mpi.h>
#endif

typedef enum { CMD_TRAIN, CMD_SAMPLE, CMD_GRAD } Cmd;

typedef struct Opts {
    Cmd cmd;
    const char *data, *save, *load, *log, *doc, *out;
    int steps, has_steps, num, save_every;
    uint64_t seed;
    int has_seed;
    double lr, temperature;
    int has_lr;
    int progress;           /* PROGRESS_* */
    int batch, has_batch;
    int threads;
    int text, has_text;     /* --docs text */
} Opts;

enum { PROGRESS_AUTO, PROGRESS_LINE, PROGRESS_PLAIN };

/* Everything a command allocates, in one place so it is freed in one place. */
typedef struct Run {
    const MgModel *m;
    const char *prog;
    MgDocs docs;
    MgVocab vocab;
    MgRng rng;
    MgOptimizer opt;
    uint64_t seed;          /* the run's seed (a resumed run's own) */
    uint64_t docs_sum;      /* mg_data_checksum of the documents in file order */
    int start;              /* first step to run (a resumed run's saved step, maybe > steps) */
    int saved;              /* step of this run's last save, -1 before any */
    double *params, *grads, *scratch, *probs;
    double *gdoc;           /* one document's gradients (batch > 1) */
    int batch;              /* documents per step */
    int pieces;             /* documents are block-size pieces of the text (--docs text) */
    int threads;            /* threads a batch's documents are split over (<= batch) */
    double *tscratch, *tgdoc, *tacc, *tloss;    /* per extra thread: scratch, gradients, sums, loss */
    int *ttokens;
    double *lev;            /* per thread: `depth` buffers for the pairwise sums */
    int depth;
    double *gathered;       /* rank 0 under MPI: every rank's sum, then the loss of each */
    double **rank_sums, *rank_losses;   /* rank 0: ranks_combine's tree over the ranks */
#ifdef MGC_MPI
    MPI_Request *rank_req;  /* rank 0: a message to or from each rank */
#endif
    int *tokens;
    char *text;
    FILE *log;              /* logout.f while the log is open */
    MgOut logout;
    MgOutLock lock;         /* on --save, for the whole run */
    const char *log_path;
    double log_elapsed;     /* a resumed log's last elapsed seconds */
} Run;

/* A live progress line is on the terminal (without its newline). */
static int live_line_open;

/* Under MPI (-DMGC_MPI=ON, run by mpirun): this process's rank and the number
 * of ranks.  Only rank 0 prints, logs and saves; another rank's first error
 * is kept in rank_error and reported by rank 0 at the next agreement. */
static int rank_id, rank_count = 1;
static char rank_error[1024];
static double comm_seconds;     /* time spent in the gradient reduction */
static double rank_timeout = 60;    /* --rank-timeout: seconds to wait for another rank */

static int cli_error(const char *prog, const char *fmt, ...) MG_PRINTF(2, 3);
static int cli_error(const char *prog, const char *fmt, ...) {
    va_list ap;
    if (!rank_error[0]) {
        va_start(ap, fmt);
        vsnprintf(rank_error, sizeof rank_error, fmt, ap);
        va_end(ap);
    }
    if (rank_id != 0) return 1;
    if (live_line_open) fputc('\n', stdout);
    live_line_open = 0;
    fflush(stdout);
    fprintf(stderr, "%s: error: ", prog);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return 1;
}

static void usage(FILE *f, const MgModel *m, const char *prog) {
    fprintf(f,
            "usage: %s COMMAND [OPTIONS]\n"
            "\n"
            "Train and run the model '%s' (%s): %zu parameters, vocabulary %d (BOS = %d),\n"
            "block size %d, %s lr %g over %d steps%s.\n"
            "\n"
            "commands:\n"
            "  train     train on a dataset, optionally save a checkpoint, then print samples\n"
            "  sample    print samples from a checkpoint\n"
            "  grad      print the loss of one document and write d(loss)/d(param)\n"
            "  help      print this help (also --help, -h, COMMAND --help)\n"
            "\n"
            "train [OPTIONS]\n"
            "  --data FILE         documents, one per line, UTF-8 (default: the embedded word list);\n"
            "                      lines are stripped, blank ones skipped, \\r\\n accepted; a\n"
            "                      document longer than the block size is cropped to it\n"
            "  --max-data MIB      refuse a data file larger than MIB MiB (default 1024); a\n"
            "                      FIFO or device is read up to that much, and stops at its\n"
            "                      first byte that is not UTF-8\n"
            "  --steps N           number of optimizer steps (default %d); the learning rate\n"
            "                      decays linearly to 0 over N steps when the model says so\n"
            "  --seed S            random seed, a non-negative integer (default 42)\n"
            "  --lr X              learning rate (default %g)\n",
            prog, m->name, m->source ? m->source : "built in", m->n_scalars, m->vocab, m->vocab - 1,
            m->block_size, m->optim.kind == MG_OPT_ADAM ? "adam" : "sgd", m->optim.lr, m->optim.steps,
            m->optim.linear_decay ? " with linear decay" : "", m->optim.steps, m->optim.lr);
    fputs(
            "  --load CKPT         start from a checkpoint's parameters instead of random ones;\n"
            "                      the data must use only the checkpoint's characters.  A\n"
            "                      checkpoint saved by train resumes that run where it was\n"
            "                      saved (step, Adam's moments, random state, learning rate,\n"
            "                      steps and seed), printing the same losses and ending with\n"
            "                      the same parameters as a run never interrupted; it needs\n"
            "                      the same --data (checked) and refuses a different --seed\n"
            "  --save CKPT         write the parameters and training state after training\n"
            "                      (safetensors with a checksum; written to a temporary file\n"
            "                      beside it, synced, then renamed, so CKPT is always a whole\n"
            "                      checkpoint; locked while training, against a second trainer)\n"
            "  --batch B           train on B documents per step (default 1): the objective is\n"
            "                      the mean loss over all their target positions, each\n"
            "                      document with its own length; step s takes documents\n"
            "                      s*B .. s*B+B-1 of the shuffled data (wrapping around)\n"
            "  --rank-timeout S    under MPI: seconds to wait for another rank (default 60);\n"
            "                      then rank 0 names the ranks that stopped answering and\n"
            "                      the job stops\n"
            "  --threads N         split each batch's documents over N threads (default 1;\n"
            "                      the largest power of two up to N and the batch is used):\n"
            "                      a batch's gradients are summed pairwise in a fixed tree\n"
            "                      whose nodes the threads take, so every N gives the\n"
            "                      bits of one thread.  With one document at a time, the\n"
            "                      model's large matrix products (mgc splits the output\n"
            "                      rows of those above 2^18 terms) run on the N threads,\n"
            "                      each output whole on one thread: the same bits again\n"
            "  --docs MODE         lines (default): one document per line, stripped; text:\n"
            "                      the file as it is, newlines included, cut into documents\n"
            "                      of the block size (for models of running text)\n"
            "  --save-every N      also save CKPT after every N steps, so that a run that is\n"
            "                      killed can be resumed with --load CKPT (0: only at the end)\n"
            "  --log FILE.csv      write 'step,loss,lr,elapsed' for every step: the loss, the\n"
            "                      learning rate of the step's update and the seconds spent\n"
            "                      training so far (a resumed run keeps the lines up to its\n"
            "                      checkpoint's step and appends, counting on from their time;\n"
            "                      another run's log is refused)\n"
            "  --progress MODE     auto (default): on a terminal one live line with the step,\n"
            "                      loss, tokens per second and time left, else a 'step ... |\n"
            "                      loss ...' line per step; line or plain force either\n"
            "  --num N             number of samples printed after training (default 20)\n"
            "  --temperature T     sampling temperature, > 0 (default 0.5)\n"
            "\n",
          f);
    fputs(
            "sample --load CKPT [--num N] [--temperature T] [--seed S]\n"
            "  print N samples (default 20, temperature 0.5, seed 42); the vocabulary\n"
            "  comes from the checkpoint\n"
            "\n"
            "grad --load CKPT --doc WORD --out FILE.safetensors\n"
            "  encode WORD with the checkpoint's vocabulary, print 'loss L', and write\n"
            "  d(loss)/d(param) for every parameter under the parameter's name\n"
            "\n"
            "A non-finite loss, gradient or updated parameter stops training with a message\n"
            "naming the step and the first parameter affected; nothing is saved after it.\n"
            "SIGINT or SIGTERM stops training after its step: with --save the checkpoint is\n"
            "saved ('interrupted at step N; resume with --load CKPT'); exit status 130 / 143.\n"
            "\n"
            "Options take their value as the next argument or after '=' (--steps=100).\n"
            "Exit status: 0 on success, 1 on any error (one line 'PROG: error: ...').\n",
          f);
}

/* ---- option parsing ---- */

static int parse_int(const char *prog, const char *flag, const char *s, int *out) {
    if (!*s) return cli_error(prog, "%s: expected a non-negative integer, got an empty string", flag);
    long long v = 0;
    for (const char *c = s; *c; c++) {
        if (*c < '0' || *c > '9') return cli_error(prog, "%s: '%s' is not a non-negative integer", flag, s);
        v = v * 10 + (*c - '0');
        if (v > INT_MAX) return cli_error(prog, "%s: '%s' is too large (at most %d)", flag, s, INT_MAX);
    }
    *out = (int)v;
    return 0;
}

static int parse_u64(const char *prog, const char *flag, const char *s, uint64_t *out) {
    if (!*s) return cli_error(prog, "%s: expected a non-negative integer, got an empty string", flag);
    uint64_t v = 0;
    for (const char *c = s; *c; c++) {
        if (*c < '0' || *c > '9') return cli_error(prog, "%s: '%s' is not a non-negative integer", flag, s);
        if (v > (UINT64_MAX - (uint64_t)(*c - '0')) / 10)
            return cli_error(prog, "%s: '%s' is too large (at most %llu)", flag, s, (unsigned long long)UINT64_MAX);
        v = v * 10 + (uint64_t)(*c - '0');
    }
    *out = v;
    return 0;
}

/* A finite double; positive if strict, else >= 0. */
static int parse_double(const char *prog, const char *flag, const char *s, int strict, double *out) {
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (!*s || *end || end == s) return cli_error(prog, "%s: '%s' is not a number", flag, s);
    if (!isfinite(v) || errno == ERANGE) return cli_error(prog, "%s: '%s' is out of range", flag, s);
    if (strict ? !(v > 0) : !(v >= 0)) return cli_error(prog, "%s: '%s' must be %s", flag, s, strict ? "> 0" : ">= 0");
    *out = v;
    return 0;
}

/* Which flags each command accepts. */
static int allowed(Cmd c, const char *flag) {
    static const char *train[] = {"data", "steps", "seed", "lr", "save", "save-every", "load", "log", "num",
                                  "temperature", "progress", "batch", "threads", "docs",
                                  "rank-timeout", "max-data", 0};
    static const char *sample[] = {"load", "num", "temperature", "seed", 0};
    static const char *grad[] = {"load", "doc", "out", 0};
    const char **list = c == CMD_TRAIN ? train : c == CMD_SAMPLE ? sample : grad;
    for (; *list; list++)
        if (strcmp(*list, flag) == 0) return 1;
    return 0;
}

static int set_opt(const char *prog, Opts *o, const char *name, const char *flag, const char *v) {
    if (!strcmp(name, "data")) o->data = v;
    else if (!strcmp(name, "save")) o->save = v;
    else if (!strcmp(name, "load")) o->load = v;
    else if (!strcmp(name, "log")) o->log = v;
    else if (!strcmp(name, "doc")) o->doc = v;
    else if (!strcmp(name, "out")) o->out = v;
    else if (!strcmp(name, "steps")) { o->has_steps = 1; return parse_int(prog, flag, v, &o->steps); }
    else if (!strcmp(name, "num")) return parse_int(prog, flag, v, &o->num);
    else if (!strcmp(name, "save-every")) return parse_int(prog, flag, v, &o->save_every);
    else if (!strcmp(name, "rank-timeout")) return parse_double(prog, flag, v, 1, &rank_timeout);
    else if (!strcmp(name, "max-data")) {
        int mib;
        if (parse_int(prog, flag, v, &mib)) return 1;
        if (mib < 1) return cli_error(prog, "%s: must be at least 1 (MiB)", flag);
        mg_data_set_max((size_t)mib << 20);
    }
    else if (!strcmp(name, "docs")) {
        o->has_text = 1;
        if (!strcmp(v, "lines")) o->text = 0;
        else if (!strcmp(v, "text")) o->text = 1;
        else return cli_error(prog, "%s: '%s' is not lines or text", flag, v);
    }
    else if (!strcmp(name, "threads")) {
        if (parse_int(prog, flag, v, &o->threads)) return 1;
        if (o->threads < 1) return cli_error(prog, "%s: must be at least 1", flag);
#ifndef _OPENMP
        if (o->threads > 1) return cli_error(prog, "%s: this trainer was built without OpenMP: it runs one thread", flag);
#endif
    }
    else if (!strcmp(name, "batch")) {
        o->has_batch = 1;
        if (parse_int(prog, flag, v, &o->batch)) return 1;
        if (o->batch < 1) return cli_error(prog, "%s: must be at least 1", flag);
    }
    else if (!strcmp(name, "seed")) { o->has_seed = 1; return parse_u64(prog, flag, v, &o->seed); }
    else if (!strcmp(name, "lr")) { o->has_lr = 1; return parse_double(prog, flag, v, 0, &o->lr); }
    else if (!strcmp(name, "temperature")) return parse_double(prog, flag, v, 1, &o->temperature);
    else if (!strcmp(name, "progress")) {
        if (!strcmp(v, "auto")) o->progress = PROGRESS_AUTO;
        else if (!strcmp(v, "line")) o->progress = PROGRESS_LINE;
        else if (!strcmp(v, "plain")) o->progress = PROGRESS_PLAIN;
        else return cli_error(prog, "%s: '%s' is not auto, line or plain", flag, v);
    }
    if (!*v && strcmp(name, "doc") != 0) return cli_error(prog, "%s: expected a file name, got an empty string", flag);
    return 0;
}

/* Returns 0 to run, 1 on error, 2 when help was printed. */
static int parse_opts(const MgModel *m, const char *prog, const char *cmd, int argc, char **argv, Opts *o) {
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout, m, prog);
            return 2;
        }
        if (strncmp(a, "--", 2) != 0 || !a[2])
            return cli_error(prog, "unexpected argument '%s' (try '%s --help')", a, prog);
        char name[32];
        const char *eq = strchr(a, '='), *val;
        size_t n = eq ? (size_t)(eq - a - 2) : strlen(a + 2);
        if (n >= sizeof name || (memcpy(name, a + 2, n), name[n] = '\0', !allowed(o->cmd, name)))
            return cli_error(prog, "unknown option '%.*s' for '%s' (try '%s --help')", (int)(n + 2), a, cmd, prog);
        char flag[40];
        snprintf(flag, sizeof flag, "--%s", name);
        if (eq) val = eq + 1;
        else if (i + 1 < argc) val = argv[++i];
        else return cli_error(prog, "option '%s' needs a value", flag);
        if (set_opt(prog, o, name, flag, val)) return 1;
    }
    return 0;
}

/* ---- shared pieces ---- */

static void run_free(Run *r) {
    mg_data_free(&r->docs);
    mg_vocab_free(&r->vocab);
    mg_optim_free(&r->opt);
    free(r->params);
    free(r->grads);
    free(r->gdoc);
    free(r->tscratch);
    free(r->tgdoc);
    free(r->tacc);
    free(r->tloss);
    free(r->ttokens);
    free(r->lev);
    free(r->gathered);
    free(r->rank_sums);
    free(r->rank_losses);
#ifdef MGC_MPI
    free(r->rank_req);
#endif
    free(r->scratch);
    free(r->probs);
    free(r->tokens);
    free(r->text);
    mg_out_abort(&r->logout);
    mg_out_unlock(&r->lock);
}

/* The one allocation of each buffer a command needs. */
static int run_alloc(Run *r, int with_grads) {
    const MgModel *m = r->m;
    r->params = calloc(m->n_scalars ? m->n_scalars : 1, sizeof *r->params);
    r->grads = with_grads ? calloc(m->n_scalars ? m->n_scalars : 1, sizeof *r->grads) : NULL;
    r->scratch = calloc(m->scratch ? m->scratch : 1, sizeof *r->scratch);
    r->probs = calloc((size_t)m->vocab, sizeof *r->probs);
    r->tokens = calloc((size_t)m->block_size + 2, sizeof *r->tokens);
    r->text = malloc((size_t)m->block_size * 4 + 1);
    if (!r->params || (with_grads && !r->grads) || !r->scratch || !r->probs || !r->tokens || !r->text)
        return cli_error(r->prog, "out of memory (%zu parameters, %zu scratch doubles)", m->n_scalars, m->scratch);
    return 0;
}

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
            }
        }
    }
}

static int print_samples(Run *r, int num, double temperature) {
    for (int i = 0; i < num; i++) {
        int n = mg_sample(r->m, r->params, &r->rng, temperature, r->tokens, r->probs, r->scratch);
        if (n < 0) return cli_error(r->prog, "sample %d: the probabilities are not finite (diverged parameters?)", i + 1);
        if (mg_vocab_decode(&r->vocab, r->tokens + 1, (size_t)n, r->text, (size_t)r->m->block_size * 4 + 1) < 0)
            return cli_error(r->prog, "sample %d: a token id is outside the vocabulary", i + 1);
        printf("sample %2d: %s\n", i + 1, r->text);
    }
    fflush(stdout);
    return 0;
}

/* Fail early, before any work, if the output path cannot be written or is
 * one of the inputs in[0..n) (NULL entries are skipped). */
static int check_output(const char *prog, const char *path, const char *const *in, int n) {
    MgErr e;
    if (mg_out_check(path, &e) != 0) return cli_error(prog, "%s", e.msg);
    for (int i = 0; i < n; i++)
        if (mg_out_distinct(path, in[i], &e) != 0) return cli_error(prog, "%s", e.msg);
    return 0;
}

static int load_ckpt(Run *r, const char *path, MgVocab *vocab) {
    MgErr e;
    long step;
    if (mg_ckpt_load(path, r->m, r->params, vocab, &step, &e) < 0) return cli_error(r->prog, "%s", e.msg);
    return 0;
}

/* T = min(block_size, len + 1) positions of document d: a document longer
 * than the block is cropped, as the reference does. */
static int doc_positions(const Run *r, size_t d) {
    size_t len = r->docs.docs[d].len;
    return len + 1 < (size_t)r->m->block_size ? (int)len + 1 : r->m->block_size;
}

/* tokens = ([BOS] + ids(doc) + [BOS])[0 .. T]; returns T */
static int doc_tokens(const Run *r, size_t d, int *tokens) {
    const MgDoc *doc = &r->docs.docs[d];
    int bos = mg_vocab_bos(&r->vocab), T = doc_positions(r, d);
    tokens[0] = bos;
    for (int i = 1; i <= T; i++)
        tokens[i] = (size_t)(i - 1) < doc->len ? mg_vocab_id(&r->vocab, r->docs.cps[doc->off + (size_t)i - 1]) : bos;
    return T;
}

/* ---- train ---- */

/* A batch's buffers: one document's gradients and the pairwise sums' levels
 * for each thread, and for each thread past the first its own scratch,
 * tokens and node sum.  Threads: the largest power of two <= --threads and
 * <= the batch, so that they take whole nodes of the batch's summation tree.
 * The interpreter keeps state in its ctx, so it runs one thread. */
static int run_alloc_batch(Run *r, const Opts *o) {
    const MgModel *m = r->m;
    int want = o->threads > 0 ? o->threads : 1, N = 1;
    if (want > 1 && m->ctx)
        return cli_error(r->prog, "--threads %d: the interpreter runs one thread (a compiled trainer runs more)",
                         o->threads);
    while (N * 2 <= want && N * 2 <= r->batch && N < 64) N *= 2;
    r->threads = N;
    if (N > 1)
        mg_blas_threads(1);     /* (each thread's documents call it) */
    if (r->batch * rank_count == 1) return 0;
    size_t np = m->n_scalars ? m->n_scalars : 1, k = (size_t)N - 1;
    for (r->depth = 1; (1L << r->depth) < r->batch; r->depth++) {}
    r->gdoc = calloc(np + 1, sizeof *r->gdoc);      /* (+1: ranks_combine sends a sum and a loss) */
    r->tloss = calloc((size_t)N, sizeof *r->tloss);
    r->lev = calloc((size_t)N * (size_t)r->depth * np, sizeof *r->lev);
    int ranks_ok = 1;
    if (rank_count > 1 && rank_id == 0) {
        r->gathered = calloc(((size_t)rank_count) * (np + 1), sizeof *r->gathered);
        r->rank_sums = calloc((size_t)rank_count, sizeof *r->rank_sums);
        r->rank_losses = calloc((size_t)rank_count, sizeof *r->rank_losses);
        ranks_ok = r->gathered && r->rank_sums && r->rank_losses;
#ifdef MGC_MPI
        r->rank_req = calloc((size_t)rank_count, sizeof *r->rank_req);
        ranks_ok = ranks_ok && r->rank_req;
#endif
    }
    if (N > 1) {
        r->tscratch = calloc(k * (m->scratch ? m->scratch : 1), sizeof *r->tscratch);
        r->tgdoc = calloc(k * np, sizeof *r->tgdoc);
        r->tacc = calloc(k * np, sizeof *r->tacc);
        r->ttokens = calloc(k * ((size_t)m->block_size + 2), sizeof *r->ttokens);
    }
    if (!r->gdoc || !r->tloss || !r->lev || !ranks_ok ||
        (N > 1 && (!r->tscratch || !r->tgdoc || !r->tacc || !r->ttokens)))
        return cli_error(r->prog, "out of memory (%zu parameters, %d threads)", m->n_scalars, N);
    return 0;
}

/* The vocabulary of the data, which must have the model's size. */
static int build_vocab(Run *r) {
    MgErr e;
    const MgModel *m = r->m;
    if (mg_vocab_build(&r->vocab, &r->docs, &e) < 0) return cli_error(r->prog, "%s", e.msg);
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
    return cli_error(r->prog, "%s: the data has vocabulary size %d (%d characters + BOS) but model '%s' has %d%s "
                     "(a model whose vocab is a const takes another with 'mgc -D vocab=%d')",
                     r->docs.name, n, r->vocab.n, m->name, m->vocab, rare, n);
}

/* Load the documents, check or build the vocabulary, then seed and shuffle. */
static int load_docs(Run *r, const Opts *o) {
    MgErr e;
    size_t piece = (size_t)r->m->block_size;
    int rc = r->pieces ? (o->data ? mg_data_load_text_file(&r->docs, o->data, piece, &e)
                                : mg_data_load_text_buffer(&r->docs, "<embedded words, as one text>", mg_words_txt,
                                                           mg_words_txt_len, piece, &e))
                     : (o->data ? mg_data_load_file(&r->docs, o->data, &e) : mg_data_load_default(&r->docs, &e));
    if (rc < 0) return cli_error(r->prog, "%s", e.msg);
    if (!o->load && build_vocab(r)) return 1;
    if (o->load && mg_data_check_vocab(&r->docs, &r->vocab, o->load, &e) < 0) return cli_error(r->prog, "%s", e.msg);
    r->docs_sum = mg_data_checksum(&r->docs);
    mg_rng_seed(&r->rng, r->seed);
    mg_data_shuffle(&r->docs, &r->rng);
    return 0;
}

/* A resumed run must see the documents in the same order: same seed, same data. */
static int check_resume(Run *r, const Opts *o, const MgTrainState *ts) {
    if (o->has_seed && o->seed != ts->seed)
        return cli_error(r->prog, "%s: cannot resume this run with --seed %llu: it was seeded with %llu (leave out --seed)",
                         o->load, (unsigned long long)o->seed, (unsigned long long)ts->seed);
    if (o->has_batch && (long)o->batch * rank_count != ts->batch)
        return cli_error(r->prog, "%s: cannot resume this run with --batch %d%s: it trained with %ld documents a step "
                         "(leave out --batch)", o->load, o->batch, rank_count > 1 ? " per rank" : "", ts->batch);
    if (ts->batch % rank_count != 0)
        return cli_error(r->prog, "%s: cannot resume this run on %d ranks: its %ld documents a step do not divide "
                         "among them", o->load, rank_count, ts->batch);
    if (r->docs.n == ts->docs && r->docs_sum == ts->docs_sum) return 0;
    return cli_error(r->prog, "%s: cannot resume this run on %s (%zu documents%s): it trained on %s (%zu documents); "
                     "give it the same --data", o->load, r->docs.name, r->docs.n,
                     r->docs.n == ts->docs ? ", other contents" : "", ts->data, ts->docs);
}

static const char log_head[] = "step,loss,lr,elapsed\n";

/* One log line "STEP,LOSS,LR,ELAPSED\n" for `step` at s[0..n); returns its
 * length with the newline, or 0 when it is not one; *elapsed = ELAPSED. */
static size_t log_row(const char *s, size_t n, int step, double *elapsed) {
    const char *nl = memchr(s, '\n', n), *c = s;
    char *end;
    if (!nl || *c < '0' || *c > '9' || strtol(c, &end, 10) != step || *end != ',') return 0;
    for (int field = 0; field < 3; field++) {
        double v = strtod(end + 1, &end);
        if (end > nl || *end != (field < 2 ? ',' : '\n') || (field == 2 && !(v >= 0))) return 0;
        *elapsed = v;
    }
    return (size_t)(nl - s) + 1;
}

/* A resumed run's log must be this run's: the header, then a well-formed line
 * for each step 1..start (lines after start, from steps after the
 * checkpoint, are dropped).  Returns the bytes that are (*elapsed = the last
 * kept line's elapsed seconds); *steps = the steps they hold, -1 when even
 * the header is not there. */
static size_t log_keep(const char *s, size_t n, int start, double *elapsed, int *steps) {
    size_t keep = sizeof log_head - 1;
    *steps = -1;
    if (n < keep || memcmp(s, log_head, keep) != 0) return 0;
    for (*steps = 0; *steps < start; ++*steps) {
        size_t len = log_row(s + keep, n - keep, *steps + 1, elapsed);
        if (!len) break;
        keep += len;
    }
    return keep;
}

/* A resumed run's existing regular log, checked (see log_keep): *old and
 * *keep are what the new log starts with.  A missing log starts afresh;
 * any other is refused, with its line, and left as it is. */
static int log_resume(Run *r, const char *path, char **old, size_t *keep) {
    struct stat sb;
    *old = NULL;
    *keep = 0;
    if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode)) return 0;
    FILE *f = fopen(path, "rb");
    size_t n = 0, len = (size_t)sb.st_size;
    if (!f || !(*old = malloc(len + 1)) || (n = fread(*old, 1, len, f)) != len) {
        int err = errno;
        if (f) fclose(f);
        return cli_error(r->prog, "%s: cannot read the log to resume it: %s", path, strerror(err));
    }
    fclose(f);
    int steps;
    *keep = log_keep(*old, n, r->start, &r->log_elapsed, &steps);
    if (steps == r->start) return 0;
    char why[160];
    if (steps < 0)
        snprintf(why, sizeof why, "its first line is not '%.*s' (not a trainer's log?)", (int)sizeof log_head - 2,
                 log_head);
    else if (*keep == n || !memchr(*old + *keep, '\n', n - *keep))
        snprintf(why, sizeof why, "it ends at step %d, before the checkpoint's step %d", steps, r->start);
    else
        snprintf(why, sizeof why, "this is not step %d's line 'step,loss,lr,elapsed' (damaged, or another run's?)",
                 steps + 1);
    return cli_error(r->prog, "%s:%d: cannot resume this log: %s; move it aside or give another --log", path,
                     steps < 0 ? 1 : steps + 2, why);
}

static int open_log(Run *r, const char *path) {
    MgErr e;
    char *old = NULL;
    size_t keep = 0;
    if (r->start > 0 && log_resume(r, path, &old, &keep)) {
        free(old);
        return 1;
    }
    r->log_path = path;
    int rc = mg_out_open(&r->logout, path, &e);
    if (rc == 0) {
        if (keep) fwrite(old, 1, keep, r->logout.f);
        else fputs(log_head, r->logout.f), r->log_elapsed = 0;
        rc = mg_out_publish(&r->logout, &e);    /* in place now: each step's line follows */
    }
    free(old);
    if (rc != 0) {
        mg_out_abort(&r->logout);
        return cli_error(r->prog, "%s", e.msg);
    }
    r->log = r->logout.f;
    return 0;
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
    const char *save_in[] = {o->data}, *log_in[] = {o->data, o->load};
    if (o->save && check_output(r->prog, o->save, save_in, 1)) return 1;
    if (o->log && check_output(r->prog, o->log, log_in, 2)) return 1;
    if (o->save && o->log && mg_out_distinct(o->log, o->save, &e) != 0)
        return cli_error(r->prog, "'%s' is both the checkpoint (--save) and the log (--log)", o->log);
    if (o->save && mg_out_lock(&r->lock, o->save, &e) != 0) return cli_error(r->prog, "%s", e.msg);
    return 0;
}

static int train_setup(Run *r, const Opts *o) {
    MgErr e;
    const MgModel *m = r->m;
    if (o->save_every && !o->save) return cli_error(r->prog, "--save-every needs --save CKPT");
    if ((rank_id == 0 && train_outputs(r, o)) || run_alloc(r, 1)) return 1;
    if (mg_optim_init(&r->opt, &m->optim, m->n_scalars, &e) < 0) return cli_error(r->prog, "%s", e.msg);
    MgRng saved;
    MgTrainState ts = {.opt = &r->opt, .rng = &saved};
    long step = 0;
    int resumed = 0;
    if (o->load && mg_ckpt_load_state(o->load, m, r->params, &r->vocab, &step, &ts, &resumed, &e) < 0)
        return cli_error(r->prog, "%s", e.msg);
    r->seed = resumed && !o->has_seed ? ts.seed : o->seed;
    /* --batch is per rank; a checkpoint holds the documents a step, over all ranks */
    r->batch = o->has_batch ? o->batch : resumed ? (int)(ts.batch / rank_count) : 1;
    if (run_alloc_batch(r, o)) return 1;
    if (resumed && o->has_text && o->text != ts.text)
        return cli_error(r->prog, "%s: cannot resume this run with --docs %s: it trained with --docs %s (leave out --docs)",
                         o->load, o->text ? "text" : "lines", ts.text ? "text" : "lines");
    r->pieces = o->has_text ? o->text : resumed ? ts.text : 0;
    if (load_docs(r, o) || (resumed && check_resume(r, o, &ts))) return 1;
    r->opt.cfg.lr = o->has_lr ? o->lr : resumed ? ts.lr : m->optim.lr;
    r->opt.cfg.steps = o->has_steps ? o->steps : resumed ? (int)ts.steps : m->optim.steps;
    if (resumed && o->has_steps && o->steps < step)
        return cli_error(r->prog, "%s is already at step %ld; --steps %d trains nothing (give --steps above %ld)",
                         o->load, step, o->steps, step);
    if (resumed) {
        r->rng = saved;
        r->start = (int)step;             /* may exceed steps: then nothing is left to do */
        if (o->save && same_file(o->load, o->save)) r->saved = (int)step;
    } else if (!o->load) {
        init_params(m, r->params, &r->rng);
    }
    return o->log && rank_id == 0 ? open_log(r, o->log) : 0;
}

/* Save params and the whole training state after `step` steps; the log is
 * flushed first, so it always reaches at least as far as the checkpoint. */
static int save_state(Run *r, const char *path, int step) {
    MgErr e;
    MgTrainState ts = {.steps = r->opt.cfg.steps, .lr = r->opt.cfg.lr, .seed = r->seed, .docs = r->docs.n,
                       .docs_sum = r->docs_sum, .batch = (long)r->batch * rank_count, .text = r->pieces, .opt = &r->opt,
                       .rng = &r->rng};
    snprintf(ts.data, sizeof ts.data, "%s", r->docs.name);
    if (r->log && mg_out_publish(&r->logout, &e) != 0) return cli_error(r->prog, "%s", e.msg);
    if (mg_ckpt_save_state(path, r->m, r->params, &r->vocab, step, &ts, &e) < 0) return cli_error(r->prog, "%s", e.msg);
    r->saved = step;
    return 0;
}

/* "[3, 5]": the index of flat element k of p. */
static void element_text(const MgParam *p, size_t k, char *buf, size_t cap) {
    size_t idx[MG_MAX_RANK];
    for (int d = p->rank - 1; d >= 0; d--) idx[d] = k % (size_t)p->shape[d], k /= (size_t)p->shape[d];
    size_t w = (size_t)snprintf(buf, cap, "[");
    for (int d = 0; d < p->rank && w < cap; d++) w += (size_t)snprintf(buf + w, cap - w, d ? ", %zu" : "%zu", idx[d]);
    if (w < cap) snprintf(buf + w, cap - w, "]");
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
    if (!p) return cli_error(r->prog, "step %d: the loss is %s; %s", step, nonfinite_text(loss), note);
    element_text(p, k, at, sizeof at);
    return cli_error(r->prog, updated ? "step %d: the update made '%s' %s at element %s; %s"
                                      : "step %d: the gradient of '%s' is %s at element %s; %s",
                     step, p->name, nonfinite_text(x[p->offset + k]), at, note);
}

/* ---- ranks ---- */

static void tree_top(double *const *sums, double *loss, int n, size_t np, int threads);

/* Every rank says whether it failed (bad != 0); when any did, rank 0 prints
 * each failed rank's message, naming the rank, and every rank returns 1.
 * Called at the same points by all ranks, so none waits forever on another
 * that has stopped. */
#ifdef MGC_MPI
static void ranks_wait(const char *prog, MPI_Request *req, int n, int per_rank, int step);
#endif

static int ranks_agree(const char *prog, int bad) {
#ifdef MGC_MPI
    if (rank_count == 1) return bad;
    int any = 0;
    MPI_Request req;
    MPI_Iallreduce(&bad, &any, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD, &req);
    ranks_wait(prog, &req, 1, 0, 0);
    if (!any) return 0;
    char msg[sizeof rank_error];
    snprintf(msg, sizeof msg, "%s", bad ? rank_error : "");
    char *all = rank_id == 0 ? malloc(sizeof msg * (size_t)rank_count) : NULL;
    int *flags = rank_id == 0 ? malloc(sizeof *flags * (size_t)rank_count) : NULL;
    MPI_Igather(msg, (int)sizeof msg, MPI_CHAR, all, (int)sizeof msg, MPI_CHAR, 0, MPI_COMM_WORLD, &req);
    ranks_wait(prog, &req, 1, 0, 0);
    MPI_Igather(&bad, 1, MPI_INT, flags, 1, MPI_INT, 0, MPI_COMM_WORLD, &req);
    ranks_wait(prog, &req, 1, 0, 0);
    /* (a rank that failed as rank 0 did, with its message, is not repeated) */
    for (int k = 1; rank_id == 0 && all && flags && k < rank_count; k++)
        if (flags[k] && !(bad && !strcmp(all + (size_t)k * sizeof msg, rank_error)))
            cli_error(prog, "rank %d of %d: %s", k, rank_count, all + (size_t)k * sizeof msg);
    free(all);
    free(flags);
    return 1;
#else
    (void)prog;
    return bad;
#endif
}

#ifdef MGC_MPI
enum { TAG_SUM = 7, TAG_RESULT = 8 };

/* Wait for req[0..n) for at most --rank-timeout seconds.  When time runs out
 * on rank 0 and `per_rank` is set, req[k] is the message to or from rank k,
 * and the ranks whose message has not gone through are named ("stopped
 * answering"); then the process exits with status 1, which stops the job, so
 * no rank waits forever on one that died or hangs.
 * (mpirun by default stops the whole job itself when a process dies, naming
 * it; with --mca orte_enable_recovery 1 the others go on and this message
 * comes from rank 0.) */
static void ranks_wait(const char *prog, MPI_Request *req, int n, int per_rank, int step) {
    double t0 = MPI_Wtime();
    for (;;) {
        int done = 0;
        MPI_Testall(n, req, &done, MPI_STATUSES_IGNORE);
        if (done) return;
        if (MPI_Wtime() - t0 > rank_timeout) break;
    }
    if (rank_id == 0) {
        int named = 0;
        for (int k = 1; per_rank && k < n; k++) {
            int arrived = 0;
            MPI_Test(&req[k], &arrived, MPI_STATUS_IGNORE);
            if (!arrived)
                named += cli_error(prog, "rank %d of %d stopped answering at step %d: nothing from it for %g s "
                                   "(it died or hangs); training stopped", k, rank_count, step, rank_timeout);
        }
        if (!named)
            cli_error(prog, "the %d ranks did not all answer within %g s (one died or hangs); stopped", rank_count,
                      rank_timeout);
    } else {
        fflush(stdout);
        fprintf(stderr, "%s: error: rank %d of %d: rank 0 did not answer within %g s (at step %d); stopped\n", prog,
                rank_id, rank_count, rank_timeout, step);
    }
    /* exit status 1 stops the job (mpirun's orte_abort_on_non_zero_status);
     * MPI_Abort's status is not always passed on when recovery is enabled */
    fflush(stderr);
    _exit(1);
}
#endif

/* Add up the ranks' node sums x[0..n) and losses as the top of the batch's
 * summation tree (tree_top), on rank 0, and send the result to every rank:
 * the same bits everywhere, and with a power of two of ranks the bits of one
 * process.  Point to point, not a collective: rank 0 receives each rank's
 * sum as its own message, so when one does not come within --rank-timeout
 * rank 0 knows which rank to name (a rank that dies after its result was
 * sent is named at the next step, when its sum does not come).  Returns the
 * total loss. */
static double ranks_combine(Run *r, double *x, size_t n, double loss, int step) {
#ifdef MGC_MPI
    const char *prog = r->prog;
    double t0 = MPI_Wtime();
    int P = rank_count;
    /* n + 1 doubles a rank: its sum, then its loss (n < 2^31 here) */
    int len = (int)(n + 1);
    if (rank_id != 0) {
        double *mine = r->gdoc;     /* free between steps: the last document's gradients */
        memcpy(mine, x, n * sizeof *x);
        mine[n] = loss;
        MPI_Request req[2];
        MPI_Isend(mine, len, MPI_DOUBLE, 0, TAG_SUM, MPI_COMM_WORLD, &req[0]);
        ranks_wait(prog, req, 1, 0, step);
        MPI_Irecv(mine, len, MPI_DOUBLE, 0, TAG_RESULT, MPI_COMM_WORLD, &req[1]);
        ranks_wait(prog, &req[1], 1, 0, step);
        memcpy(x, mine, n * sizeof *x);
        comm_seconds += MPI_Wtime() - t0;
        return mine[n];
    }
    MPI_Request *req = r->rank_req;
    double **sums = r->rank_sums, *losses = r->rank_losses;
    req[0] = MPI_REQUEST_NULL;
    for (int k = 1; k < P; k++)
        MPI_Irecv(r->gathered + (size_t)k * (n + 1), len, MPI_DOUBLE, k, TAG_SUM, MPI_COMM_WORLD, &req[k]);
    ranks_wait(prog, req, P, 1, step);
    memcpy(r->gathered, x, n * sizeof *x);
    r->gathered[n] = loss;
    int top = 1;
    while (top * 2 <= P) top *= 2;
    for (int k = 0; k < P; k++) {
        sums[k] = r->gathered + (size_t)k * (n + 1);
        losses[k] = sums[k][n];
    }
    tree_top(sums, losses, top, n, 1);
    for (int k = top; k < P; k++) {      /* not a power of two: the rest in order */
        for (size_t i = 0; i < n; i++) sums[0][i] += sums[k][i];
        losses[0] += losses[k];
    }
    sums[0][n] = losses[0];
    for (int k = 1; k < P; k++)
        MPI_Isend(sums[0], len, MPI_DOUBLE, k, TAG_RESULT, MPI_COMM_WORLD, &req[k]);
    ranks_wait(prog, req, P, 1, step);
    memcpy(x, sums[0], n * sizeof *x);
    comm_seconds += MPI_Wtime() - t0;
    return losses[0];
#else
    (void)r, (void)x, (void)n, (void)step;
    return loss;
#endif
}

/* ---- progress ---- */

static double wall_seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* Training's output: a plain line per step, flushed at once (a pipe sees
 * each step, and a step is printed before it is saved), or one live line on
 * a terminal, redrawn at most every 0.1 s. */
typedef struct Progress {
    int live;
    double t0, flushed;
    long tokens;
} Progress;

static void progress_start(Progress *p, const Opts *o) {
    p->live = o->progress == PROGRESS_LINE || (o->progress == PROGRESS_AUTO && isatty(STDOUT_FILENO));
    p->t0 = p->flushed = wall_seconds();
    p->tokens = 0;
}

/* "2m05s", "42s", "4.2s", "0.35s" */
static void duration_text(double sec, char *buf, size_t cap) {
    if (sec >= 60) snprintf(buf, cap, "%dm%02ds", (int)(sec / 60), (int)fmod(sec, 60));
    else if (sec >= 10) snprintf(buf, cap, "%ds", (int)sec);
    else snprintf(buf, cap, sec >= 1 ? "%.1fs" : "%.2fs", sec);
}

/* after step `step` of steps (the run started after step `first`) */
static void progress_step(Progress *p, int step, int first, int steps, double loss, long T, double now) {
    p->tokens += T;
    if (rank_id != 0) return;
    int last = step == steps, due = last || step == first + 1 || now - p->flushed >= 0.1;
    if (!p->live) {
        printf("step %4d / %4d | loss %.4f\n", step, steps, loss);
        fflush(stdout);
        return;
    }
    if (due) {
        double el = now - p->t0;
        char t[32];
        duration_text(last ? el : el / (step - first) * (steps - step), t, sizeof t);
        printf("\rstep %4d / %4d | loss %.4f | %.0f tok/s | %s%s\033[K%s", step, steps, loss,
               el > 0 ? (double)p->tokens / el : 0.0, last ? "done in " : "", t, last ? "\n" : " left");
        live_line_open = !last;
        fflush(stdout);
        p->flushed = now;
    }
}

static double step_part(Run *r, size_t first, size_t lo, size_t hi, long W);
static double ranks_combine(Run *r, double *x, size_t n, double loss, int step);

/* One thread's buffers for the sums of a batch. */
typedef struct Worker {
    int *tokens;
    double *scratch, *gdoc, *lev;
} Worker;

/* Document `first + j`'s loss and gradients, weighted by its share of the W
 * positions: out = w g, or out += w g when `add` (the same bits as adding a
 * copy of w g: the product is rounded before the sum either way). */
static double tree_leaf(const Run *r, const Worker *k, size_t first, size_t j, long W, double *out, int add) {
    const MgModel *m = r->m;
    size_t np = m->n_scalars;
    int T = doc_tokens(r, (first + j) % r->docs.n, k->tokens);
    double L = m->loss_grad(m->ctx, r->params, k->gdoc, k->tokens, T, k->scratch), w = (double)T / (double)W;
    const double *g = k->gdoc;
    if (add)
        for (size_t i = 0; i < np; i++) out[i] += w * g[i];
    else
        for (size_t i = 0; i < np; i++) out[i] = w * g[i];
    return w * L;
}

/* The summation tree of a batch: documents [lo, hi) of the global batch
 * starting at document `first` sum as [lo, mid) + [mid, hi), mid = lo +
 * (hi - lo) / 2, down to single documents, which give w_b * (gradients of b),
 * w_b = T_b / W.  The same tree whoever computes which node, so that threads
 * and MPI ranks that take whole nodes (a power of two of them, splitting a
 * batch that they divide) give the bits of one process; others differ in
 * the last bits only.  out = the node's sum; returns the sum of w_b * loss_b.
 * A right half of one document is added into out as it is made, which saves
 * writing and reading back a copy of every gradient (the same bits). */
static double tree_sum(const Run *r, const Worker *k, size_t first, size_t lo, size_t hi, long W, double *out,
                       int level) {
    size_t np = r->m->n_scalars;
    if (hi - lo == 1) return tree_leaf(r, k, first, lo, W, out, 0);
    size_t mid = lo + (hi - lo) / 2;
    double a = tree_sum(r, k, first, lo, mid, W, out, level + 1);
    if (hi - mid == 1) return a + tree_leaf(r, k, first, mid, W, out, 1);
    double *right = k->lev + (size_t)level * np;
    double b = tree_sum(r, k, first, mid, hi, W, right, level + 1);
    for (size_t i = 0; i < np; i++) out[i] += right[i];
    return a + b;
}

/* the node of the tree over [lo, hi) at `depth` levels down, t-th from the left */
static void tree_node(size_t lo, size_t hi, int depth, size_t t, size_t *a, size_t *b) {
    for (int d = depth - 1; d >= 0; d--) {
        size_t mid = lo + (hi - lo) / 2;
        if ((t >> d) & 1) lo = mid;
        else hi = mid;
    }
    *a = lo, *b = hi;
}

/* sum[j] += sum[j + step] for j = 0, 2 step, ..., pairwise up to sum[0]: the
 * top of the tree over n node sums of np doubles each (n a power of two),
 * sums[j] at sums + j * stride; loss[] likewise */
static void tree_top(double *const *sums, double *loss, int n, size_t np, int threads) {
    for (int step = 1; step < n; step *= 2)
        for (int j = 0; j + step < n; j += 2 * step) {
            double *x = sums[j];
            const double *y = sums[j + step];
#ifdef _OPENMP
#pragma omp parallel for num_threads(threads) schedule(static)
#endif
            for (size_t i = 0; i < np; i++) x[i] += y[i];
            loss[j] += loss[j + step];
        }
    (void)threads;
}

/* The loss of step s (0-based) and its gradients in r->grads; *ntok = the
 * positions trained on.  Batch B: the mean over all target positions of
 * documents s*B .. s*B+B-1, i.e. the sum of each document's mean loss (and
 * gradients) weighted by its share T_b / sum(T) of the positions, summed
 * pairwise (tree_sum).  Under MPI, rank k takes documents k*B .. k*B+B-1 of a
 * global batch of B * ranks.  With B = 1 the weight is 1 and nothing changes. */
static double step_loss(Run *r, int s, long *ntok) {
    const MgModel *m = r->m;
    size_t n = r->docs.n, B = (size_t)r->batch, G = B * (size_t)rank_count, gfirst = (size_t)s * G % n;
    if (G == 1) {
        int T = doc_tokens(r, gfirst, r->tokens);
        *ntok = T;
        return m->loss_grad(m->ctx, r->params, r->grads, r->tokens, T, r->scratch);
    }
    long W = 0;
    for (size_t b = 0; b < G; b++) W += doc_positions(r, (gfirst + b) % n);
    *ntok = W;
    double loss = step_part(r, gfirst, (size_t)rank_id * B, (size_t)rank_id * B + B, W);
    if (rank_count > 1) loss = ranks_combine(r, r->grads, m->n_scalars, loss, s + 1);
    return loss;
}

/* This process's node [lo, hi) of the batch, on r->threads threads, each
 * taking one node `log2(threads)` levels further down. */
static double step_part(Run *r, size_t first, size_t lo, size_t hi, long W) {
    const MgModel *m = r->m;
    size_t np = m->n_scalars, nt = (size_t)m->block_size + 2, levs = (size_t)r->depth * np;
    int N = r->threads, depth = 0;
    Worker k0 = {r->tokens, r->scratch, r->gdoc, r->lev};
    if (N == 1) return tree_sum(r, &k0, first, lo, hi, W, r->grads, 0);
    while ((1 << depth) < N) depth++;
    double *sums[64];
#ifdef _OPENMP
#pragma omp parallel for num_threads(N) schedule(static, 1)
#endif
    for (int t = 0; t < N; t++) {
        size_t a, b, j = (size_t)t;
        tree_node(lo, hi, depth, j, &a, &b);
        Worker k = t == 0 ? k0 : (Worker){r->ttokens + (j - 1) * nt, r->tscratch + (j - 1) * m->scratch,
                                          r->tgdoc + (j - 1) * np, r->lev + j * levs};
        sums[t] = t == 0 ? r->grads : r->tacc + (j - 1) * np;
        r->tloss[t] = tree_sum(r, &k, first, a, b, W, sums[t], depth);
    }
    tree_top(sums, r->tloss, N, np, N);
    return r->tloss[0];
}

/* ---- interruption ---- */

/* SIGINT or SIGTERM, once one has come: training stops after its step.  The
 * handler only sets this flag (async-signal-safe); the step loop reads it
 * between steps, outside any OpenMP region, whichever thread took the signal.
 * SA_RESETHAND: a second signal stops the process at once. */
static volatile sig_atomic_t stop_signal;

static void on_stop(int sig) { stop_signal = sig; }

/* Install (on) or restore (off) the handlers for SIGINT and SIGTERM. */
static void catch_stops(int on) {
    static struct sigaction old_int, old_term;
    if (!on) {
        sigaction(SIGINT, &old_int, NULL);
        sigaction(SIGTERM, &old_term, NULL);
        return;
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART | SA_RESETHAND;
    stop_signal = 0;
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
}

/* Whether to stop now: a signal came (caught only by a single process). */
static int stop_now(const char *prog) {
    (void)prog;
    return stop_signal;
}

/* Close the --log file (if open), checking that every line reached it. */
static int close_log(Run *r) {
    MgErr e;
    if (!r->log) return 0;
    r->log = NULL;
    if (mg_out_close(&r->logout, &e) != 0) return cli_error(r->prog, "%s", e.msg);
    return 0;
}

/* Stopped by signal sig after `step`: save when --save says so, say how to
 * go on, and return the shell's status for the signal (130, 143). */
static int interrupted(Run *r, const Opts *o, int sig, int step) {
    if (o->save && r->saved != step && ranks_agree(r->prog, rank_id == 0 && save_state(r, o->save, step)))
        return 1;
    if (close_log(r)) return 1;
    if (rank_id == 0) {
        if (live_line_open) fputc('\n', stdout);
        live_line_open = 0;
        fflush(stdout);
        if (o->save) fprintf(stderr, "%s: interrupted at step %d; resume with --load %s\n", r->prog, step, o->save);
        else fprintf(stderr, "%s: interrupted at step %d; nothing saved (no --save)\n", r->prog, step);
    }
    return 128 + sig;
}

static int train_steps(Run *r, const Opts *o);

static int cmd_train(Run *r, const Opts *o) {
    r->saved = -1;
    if (ranks_agree(r->prog, train_setup(r, o))) return 1;
    /* Over MPI ranks a signal ends every rank at once, as mpirun forwards it
     * (an agreement after each step would be one more collective in which a
     * dead rank could not be named). */
    int catching = rank_count == 1;
    if (catching) catch_stops(1);
    int rc = train_steps(r, o);
    if (catching) catch_stops(0);
    return rc;
}

/* The steps, then the final save and the samples; stops cleanly on SIGINT
 * or SIGTERM (catch_stops). */
static int train_steps(Run *r, const Opts *o) {
    const int steps = r->opt.cfg.steps;
    Progress pr;
    progress_start(&pr, o);
    int sig;
    for (int s = r->start; s < steps; s++) {
        long T;
        double loss = step_loss(r, s, &T);
        if (!isfinite(loss)) return check_finite(r, o, s + 1, loss, r->grads, 0);
        if (!mg_optim_step(&r->opt, r->params, r->grads, s) &&
            (check_finite(r, o, s + 1, loss, r->grads, 0) || check_finite(r, o, s + 1, loss, r->params, 1)))
            return 1;
        double now = wall_seconds();
        progress_step(&pr, s + 1, r->start, steps, loss, T, now);
        if (r->log)
            fprintf(r->log, "%d,%.17g,%.17g,%.6f\n", s + 1, loss, mg_optim_lr(&r->opt.cfg, s),
                    r->log_elapsed + (now - pr.t0));
        if (o->save_every && (s + 1) % o->save_every == 0 && s + 1 < steps &&
            ranks_agree(r->prog, rank_id == 0 && save_state(r, o->save, s + 1)))
            return 1;
        if ((sig = stop_now(r->prog)) != 0) return interrupted(r, o, sig, s + 1);
    }
    fflush(stdout);
    if (close_log(r)) return 1;
    if (o->save && ranks_agree(r->prog, rank_id == 0 && save_state(r, o->save, steps > r->start ? steps : r->start)))
        return 1;
    if (rank_count > 1 && rank_id == 0 && steps > r->start)
        printf("mpi: %d ranks, each with %d documents a step; %.1f%% of the training time in the gradient "
               "reduction\n", rank_count, r->batch, 100 * comm_seconds / (wall_seconds() - pr.t0));
    if ((sig = stop_now(r->prog)) != 0)    /* after the last step: the run is whole and saved */
        return interrupted(r, o, sig, steps > r->start ? steps : r->start);
    return rank_id == 0 ? print_samples(r, o->num, o->temperature) : 0;
}

static int cmd_sample(Run *r, const Opts *o) {
    if (!o->load) return cli_error(r->prog, "sample needs --load CKPT (try '%s --help')", r->prog);
    if (run_alloc(r, 0) || load_ckpt(r, o->load, &r->vocab)) return 1;
    mg_rng_seed(&r->rng, o->seed);
    return print_samples(r, o->num, o->temperature);
}

static int cmd_grad(Run *r, const Opts *o) {
    const MgModel *m = r->m;
    if (!o->load || !o->doc || !o->out)
        return cli_error(r->prog, "grad needs --load CKPT, --doc WORD and --out FILE (missing %s)",
                     !o->load ? "--load" : !o->doc ? "--doc" : "--out");
    const char *in[] = {o->load};
    if (check_output(r->prog, o->out, in, 1) || run_alloc(r, 1) || load_ckpt(r, o->load, &r->vocab)) return 1;
    MgErr e;
    int *ids;
    size_t n;
    if (mg_vocab_encode_utf8(&r->vocab, o->doc, &ids, &n, &e) < 0)
        return cli_error(r->prog, "--doc '%s': %s of %s", o->doc, e.msg, o->load);
    int T = (int)n - 1 < m->block_size ? (int)n - 1 : m->block_size;
    double loss = m->loss_grad(m->ctx, r->params, r->grads, ids, T, r->scratch);
    free(ids);
    printf("loss %.17g\n", loss);
    fflush(stdout);
    char *vs = mg_vocab_to_string(&r->vocab), lossbuf[40];
    snprintf(lossbuf, sizeof lossbuf, "%.17g", loss);
    MgMeta meta[4] = {{"model", m->name}, {"vocab", vs ? vs : ""}, {"doc", o->doc}, {"loss", lossbuf}};
    int rc = mg_ckpt_write_like(o->out, m, r->grads, meta, 4, &e);
    free(vs);
    return rc < 0 ? cli_error(r->prog, "%s", e.msg) : 0;
}

static int cli_main(const MgModel *m, const char *prog, int argc, char **argv);

/* Under MPI every rank runs this; MPI is started and ended around it. */
int mg_cli_main(const MgModel *m, const char *prog, int argc, char **argv) {
#ifdef MGC_MPI
    int provided;
    MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_id);
    MPI_Comm_size(MPI_COMM_WORLD, &rank_count);
    if (rank_id != 0) {
        FILE *null = freopen("/dev/null", "w", stdout);     /* only rank 0 prints (the rest is skipped anyway) */
        (void)null;
    }
    int rc = cli_main(m, prog, argc, argv);
    MPI_Finalize();
    return rc;
#else
    return cli_main(m, prog, argc, argv);
#endif
}

static int cli_main(const MgModel *m, const char *prog, int argc, char **argv) {
    if (argc < 2) {
        usage(stderr, m, prog);
        return 1;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
        usage(stdout, m, prog);
        return 0;
    }
    Opts o = {.seed = 42, .num = 20, .temperature = 0.5};
    if (!strcmp(cmd, "train")) o.cmd = CMD_TRAIN;
    else if (!strcmp(cmd, "sample")) o.cmd = CMD_SAMPLE;
    else if (!strcmp(cmd, "grad")) o.cmd = CMD_GRAD;
    else return cli_error(prog, "unknown command '%s' (expected train, sample, grad or help)", cmd);
    int rc = parse_opts(m, prog, cmd, argc, argv, &o);
    if (rc) return rc == 2 ? 0 : 1;
#ifdef _OPENMP
    /* the model's own parallel loops (matrix products, mgc's PAR_WORK) run on
     * --threads threads, and on one inside the threads over a batch */
    omp_set_max_active_levels(1);
    omp_set_num_threads(o.threads > 0 ? o.threads : 1);
#endif
    mg_blas_threads(o.threads);
    Run r;
    memset(&r, 0, sizeof r);
    r.m = m;
    r.prog = prog;
    rc = o.cmd == CMD_TRAIN ? cmd_train(&r, &o) : o.cmd == CMD_SAMPLE ? cmd_sample(&r, &o) : cmd_grad(&r, &o);
    run_free(&r);
    if (rc == 0 && (fflush(stdout) != 0 || ferror(stdout)))
        rc = cli_error(prog, "cannot write standard output: %s", strerror(errno));
    return rc;
}
