/* cli.c: the entry point of every trainer: runs train, sample, grad, eval or predict.
 * Takes an MgModel and argv; hands on stdout lines, files and an exit status.
 * Invariants: every failure prints one "PROG: error:" line and returns 1; params,
 * grads, optimizer state and scratch are allocated once, before any step. */
#include "cli_internal.h"
#include "mg_bigmem.h"
#include "mg_dataset.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif
#ifdef MGC_MPI
#include <mpi.h>
#endif

/* A live progress line still open on the terminal gets its newline before
 * anything else is printed. */
void cli_end_line(Cli *c) {
    if (c->live_line_open) fputc('\n', stdout);
    c->live_line_open = 0;
    fflush(stdout);
}

/* One "PROG: error: ..." line on rank 0; every rank keeps its first message
 * for cli_ranks_agree.  Returns 1. */
int cli_error(Cli *c, const char *fmt, ...) {
    va_list ap;
    if (!c->rank_error[0]) {
        va_start(ap, fmt);
        vsnprintf(c->rank_error, sizeof c->rank_error, fmt, ap);
        va_end(ap);
    }
    if (c->rank != 0) return 1;
    cli_end_line(c);
    fprintf(stderr, "%s: error: ", c->prog);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return 1;
}

/* ---- shared pieces ---- */

void cli_run_free(Run *r) {
    mg_data_free(&r->docs);
    mg_vocab_free(&r->vocab);
    mg_optim_free(&r->opt);
    free(r->params);
    free(r->grads);
    mg_optim_f32_free(&r->fopt);
    free(r->gdoc);
    free(r->tscratch);
    free(r->tgdoc);
    free(r->tacc);
    free(r->tloss);
    free(r->ttokens);
    free(r->lev);
    free(r->pf);
    free(r->gf);
    free(r->bscratch);
    free(r->bweights);
    free(r->btokens);
    free(r->gathered);
    free(r->rank_sums);
    free(r->rank_losses);
#ifdef MGC_MPI
    free(r->rank_req);
#endif
    free(r->scratch);
    free(r->probs);
    free(r->tokens);
    free(r->order);
    free(r->text);
    mg_examples_free(&r->own_val);
    mg_examples_free(&r->own_train);
    mg_out_abort(&r->logout);
    mg_out_unlock(&r->lock);
}

/* The one allocation of each buffer a command needs. */
int cli_run_alloc(Run *r, int with_grads) {
    const MgModel *m = r->m;
    r->params = mg_big_calloc(m->n_scalars ? m->n_scalars : 1, sizeof *r->params);
    r->grads = with_grads ? mg_big_calloc(m->n_scalars ? m->n_scalars : 1, sizeof *r->grads) : NULL;
    r->scratch = mg_big_calloc(m->scratch ? m->scratch : 1, sizeof *r->scratch);
    r->probs = calloc(m->vocab ? (size_t)m->vocab : 1, sizeof *r->probs);
    r->tokens = calloc((size_t)m->block_size + 2, sizeof *r->tokens);
    r->text = malloc((size_t)m->block_size * 4 + 1);
    if (!r->params || (with_grads && !r->grads) || !r->scratch || !r->probs || !r->tokens || !r->text)
        return cli_error(r->cli, "out of memory (%zu parameters, %zu scratch doubles)", m->n_scalars, m->scratch);
    return 0;
}

/* Fail early, before any work, if the output path cannot be written or is
 * one of the inputs in[0..n) (NULL entries are skipped). */
int cli_check_output(Cli *c, const char *path, const char *const *in, int n) {
    MgErr e;
    if (mg_out_check(path, &e) != 0) return cli_error(c, "%s", e.msg);
    for (int i = 0; i < n; i++)
        if (mg_out_distinct(path, in[i], &e) != 0) return cli_error(c, "%s", e.msg);
    return 0;
}

size_t cli_ndocs(const Run *r) { return r->cli->ex ? r->cli->ex->n : r->docs.n; }

const char *cli_data_name(const Run *r) { return r->cli->ex ? r->cli->ex->source : r->docs.name; }

/* FNV-1a over the bytes of the examples' values, field by field, then of
 * their lengths when they have them */
uint64_t cli_examples_checksum(const MgExamples *ex) {
    uint64_t h = 1469598103934665603ULL;
    for (int f = 0; f < ex->nfields; f++) {
        const unsigned char *p = (const unsigned char *)ex->data[f];
        for (size_t i = 0; i < ex->n * ex->fields[f].size * sizeof(double); i++) h = (h ^ p[i]) * 1099511628211ULL;
    }
    const unsigned char *t = (const unsigned char *)ex->T;
    for (size_t i = 0; t && i < ex->n * sizeof *ex->T; i++) h = (h ^ t[i]) * 1099511628211ULL;
    return h;
}

int cli_example_T(const Run *r, const MgExamples *ex, size_t i) { return ex->T ? ex->T[i] : r->m->block_size; }

void cli_example_at(const MgExamples *ex, size_t i, const double **x) {
    for (int f = 0; f < ex->nfields; f++) x[f] = ex->data[f] + i * ex->fields[f].size;
}

/* Example i's values (by field) and its loss at its length T. */
double cli_example_loss(const Run *r, size_t i, double *grads, double *scratch) {
    const MgExamples *ex = r->cli->ex;
    const double *x[64];   /* n_inputs <= 64: cli_main checks */
    cli_example_at(ex, i, x);
    return r->m->loss_grad_x(r->m->ctx, r->params, grads, x, cli_example_T(r, ex, i), scratch);
}

static int cli_main(Cli *c, const MgModel *m, int argc, char **argv);
static int cli_start(Cli *c, const MgModel *m, int argc, char **argv);
static int cli_run_cmd(Cli *c, const MgModel *m, Opts *o);

int mg_cli_main_examples(const MgModel *m, const MgExamples *ex, const char *prog, int argc, char **argv) {
    Cli c = {.prog = prog, .rank = 0, .ranks = 1, .rank_timeout = 60, .ex = ex};
    return cli_start(&c, m, argc, argv);
}

/* Under MPI every rank runs this; MPI is started and ended around it.  All
 * the state of the call is in its Cli, passed down as an argument. */
int mg_cli_main(const MgModel *m, const char *prog, int argc, char **argv) {
    Cli c = {.prog = prog, .rank = 0, .ranks = 1, .rank_timeout = 60};
    return cli_start(&c, m, argc, argv);
}

static int cli_start(Cli *c0, const MgModel *m, int argc, char **argv) {
    Cli c = *c0;
#ifdef MGC_MPI
    int provided;
    MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided);
    MPI_Comm_rank(MPI_COMM_WORLD, &c.rank);
    MPI_Comm_size(MPI_COMM_WORLD, &c.ranks);
    if (c.rank != 0) {
        FILE *null = freopen("/dev/null", "w", stdout);     /* only rank 0 prints (the rest is skipped anyway) */
        (void)null;
    }
    int rc = cli_main(&c, m, argc, argv);
    MPI_Finalize();
    return rc;
#else
    return cli_main(&c, m, argc, argv);
#endif
}

static int cli_main(Cli *c, const MgModel *m, int argc, char **argv) {
    if (argc < 2) {
        cli_usage(stderr, m, c->prog);
        return 1;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
        cli_usage(stdout, m, c->prog);
        return 0;
    }
    Opts o = {.seed = 42, .num = 20, .temperature = 0.5, .max_data = MG_DATA_MAX_BYTES};
    if (!strcmp(cmd, "train")) o.cmd = CMD_TRAIN;
    else if (!strcmp(cmd, "sample")) o.cmd = CMD_SAMPLE;
    else if (!strcmp(cmd, "grad")) o.cmd = CMD_GRAD;
    else if (!strcmp(cmd, "eval")) o.cmd = CMD_EVAL;
    else if (!strcmp(cmd, "predict")) o.cmd = CMD_PREDICT;
    else return cli_error(c, "unknown command '%s' (expected train, sample, grad, eval, predict or help)", cmd);
    if (!c->ex && !m->loss_grad && !m->loss_grad_x)
        return cli_error(c, "model '%s' has no loss function", m->name);
    if (c->ex && (!m->loss_grad_x || c->ex->nfields != m->n_inputs))
        return cli_error(c, "%s: its %d columns are not the %d inputs of model '%s'", c->ex->source, c->ex->nfields,
                         m->n_inputs, m->name);
    if (!m->loss_grad && m->n_inputs > 64)     /* cli_example_loss's table of pointers */
        return cli_error(c, "model '%s' has %d inputs; the trainer takes at most 64", m->name, m->n_inputs);
    if ((c->ex || !m->loss_grad) && o.cmd == CMD_SAMPLE)
        return cli_error(c, "sample is for text models; model '%s' reads examples", m->name);
    if (!c->ex && m->loss_grad && (o.cmd == CMD_EVAL || o.cmd == CMD_PREDICT))
        return cli_error(c, "%s is for models of examples; model '%s' reads text (train's --log has its loss)", cmd,
                         m->name);
    int rc = cli_parse_opts(c, m, cmd, argc, argv, &o);
    if (rc) return rc == 2 ? 0 : 1;
    /* a model of examples reads them from --data (mg_dataset.h), once */
    MgExamples own;
    memset(&own, 0, sizeof own);
    if (!c->ex && !m->loss_grad) {
        if (!o.data)
            return cli_error(c, "model '%s' reads examples, not text: give them with --data FILE (a CSV file, a "
                             ".safetensors file, a .npy file or a folder of NAME.npy; inputs: %s%s)",
                             m->name, m->n_inputs > 0 ? m->inputs[0].name : "?", m->n_inputs > 1 ? ", ..." : "");
        MgErr e;
        MgField feat[64];   /* predict: the features alone (a label's column may be absent) */
        int nf = o.cmd == CMD_PREDICT ? cli_features(m, feat) : 0;
        if (mg_examples_load_max(&own, o.data, nf ? feat : m->inputs, nf ? nf : m->n_inputs, o.max_data, &e) < 0)
            return cli_error(c, "%s", e.msg);
        c->ex = &own;
    }
    rc = cli_run_cmd(c, m, &o);
    if (c->ex == &own) {
        mg_examples_free(&own);
        c->ex = NULL;
    }
    return rc;
}

static int cli_run_cmd(Cli *c, const MgModel *m, Opts *o) {
    int rc;
#ifdef _OPENMP
    /* the model's own parallel loops (matrix products, mgc's PAR_WORK) run on
     * --threads threads, and on one inside the threads over a batch */
    omp_set_max_active_levels(1);
    omp_set_num_threads(o->threads > 0 ? o->threads : 1);
#endif
    mg_blas_threads(o->threads);
    Run r;
    memset(&r, 0, sizeof r);
    r.m = m;
    r.cli = c;
    const MgExamples *ex = c->ex;     /* (--val-split trains on a part of it meanwhile) */
    rc = 1;
    switch (o->cmd) {
    case CMD_TRAIN: rc = cli_cmd_train(&r, o); break;
    case CMD_SAMPLE: rc = cli_cmd_sample(&r, o); break;
    case CMD_GRAD: rc = cli_cmd_grad(&r, o); break;
    case CMD_EVAL: rc = cli_cmd_eval(&r, o); break;
    case CMD_PREDICT: rc = cli_cmd_predict(&r, o); break;
    }
    c->ex = ex;
    cli_run_free(&r);
    if (rc == 0 && (fflush(stdout) != 0 || ferror(stdout)))
        rc = cli_error(c, "cannot write standard output: %s", strerror(errno));
    return rc;
}
