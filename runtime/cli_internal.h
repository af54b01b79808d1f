/* cli_internal.h: what the pieces of the trainer's command line share (not installed).
 * One section per file: cli.c (entry, errors, a command's buffers), cli_options.c,
 * cli_train.c, cli_batch.c, cli_mpi.c, cli_progress.c, cli_sample.c, cli_eval.c. */
#ifndef MG_CLI_INTERNAL_H
#define MG_CLI_INTERNAL_H

#include "mg_cli.h"
#include "mg_data.h"
#include "mg_err.h"
#include "mg_optim.h"
#include "mg_optim_f32.h"
#include "mg_outfile.h"
#include "mg_rng.h"

#include <stdint.h>
#include <stdio.h>
#ifdef MGC_MPI
#include <mpi.h>
#endif

/* The state of one mg_cli_main call, which every piece is passed (no
 * file-level state: a second call in the same process starts afresh).
 * Under MPI (-DMGC_MPI=ON, run by mpirun) rank and ranks are this process's
 * rank and the number of ranks, else 0 and 1.  Only rank 0 prints, logs and
 * saves; another rank's first error is kept in rank_error and reported by
 * rank 0 at the next agreement (cli_ranks_agree). */
typedef struct Cli {
    const char *prog;       /* the program's name in messages */
    int rank, ranks;
    char rank_error[1024];
    double comm_seconds;    /* time spent in the gradient reduction */
    double rank_timeout;    /* --rank-timeout: seconds to wait for another rank */
    int live_line_open;     /* a live progress line is on the terminal (without its newline) */
    const MgExamples *ex;   /* a model of examples: its data (mg_cli_main_examples), else NULL */
} Cli;

typedef enum { CMD_TRAIN, CMD_SAMPLE, CMD_GRAD, CMD_EVAL, CMD_PREDICT } Cmd;

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
    size_t max_data;        /* --max-data, in bytes */
    const char *val;        /* --val FILE: the validation examples */
    double val_split;       /* --val-split F (0 < F < 1; 0: none) */
    int eval_every;         /* --eval-every N (0: the default, every tenth of the steps) */
    MgOptim optim;          /* the model's optimizer settings with --optimizer, --schedule, ...
                               (not lr and steps: a resumed run takes those from its checkpoint) */
} Opts;

enum { PROGRESS_AUTO, PROGRESS_LINE, PROGRESS_PLAIN };

/* Everything a command allocates, in one place so it is freed in one place. */
typedef struct Run {
    const MgModel *m;
    Cli *cli;               /* the call's name in messages, its rank, its progress line */
    MgDocs docs;
    MgVocab vocab;
    MgRng rng;
    MgOptimizer opt;
    uint64_t seed;          /* the run's seed (a resumed run's own) */
    uint64_t docs_sum;      /* mg_data_checksum of the documents in file order (with --save or --load) */
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
    size_t *order;          /* a model of examples: the examples in shuffled order */
    char *text;
    FILE *log;              /* logout.f while the log is open */
    MgOut logout;
    MgOutLock lock;         /* on --save, for the whole run */
    const char *log_path;
    double log_elapsed;     /* a resumed log's last elapsed seconds */
    char log_head[64];      /* the log's header line, newline included (cli_open_log) */
    /* validation (cli_eval.c): the examples, and with --val-split the training part */
    const MgExamples *val;  /* NULL without --val or --val-split */
    MgExamples own_val, own_train;
    const MgExamples *all;  /* --val-split: the whole data (r->cli->ex is the training part meanwhile) */
    char val_desc[256];     /* what validates, for the checkpoint (MgTrainState.val) */
    char train_desc[256];   /* the data trained on, for the checkpoint (MgTrainState.data) */
    int label;              /* a classifier's label input (cli_label), else -1 */
    int eval_every;         /* validate after every eval_every steps and after the last */
    /* mgc --dtype=f32, one document a step on one process (cli_train.c's
     * float_setup): the float parameters and gradients of
     * MgModel.loss_grad_f32 and the optimizer's float state; else fopt.p
     * is NULL */
    MgOptimF32 fopt;
    float *pf;              /* --dtype=f32 code's batch: the parameters in float (cli_batch.c) */
    float *gf;              /* and each thread's document gradients in float */
    /* MgModel.loss_grad_batch_f32 (cli_batch.c): the batch's scratch, its
     * rows of tokens and its documents' weights */
    double *bscratch, *bweights;
    int *btokens;
} Run;


/* ---- cli.c ---- */

/* the documents, or the examples of a model of examples: how many, their source */
size_t cli_ndocs(const Run *r);
const char *cli_data_name(const Run *r);
/* FNV-1a over the bytes of the examples' values, field by field, then of their lengths (ex->T) */
uint64_t cli_examples_checksum(const MgExamples *ex);
/* example i's values, field by field, into x[0..ex->nfields) */
void cli_example_at(const MgExamples *ex, size_t i, const double **x);
/* example i's length T: ex->T[i], or block_size when every example holds all rows */
int cli_example_T(const Run *r, const MgExamples *ex, size_t i);
/* a model of examples: example i's loss and gradients (into grads) */
double cli_example_loss(const Run *r, size_t i, double *grads, double *scratch);

void cli_end_line(Cli *c);
int cli_error(Cli *c, const char *fmt, ...) MG_PRINTF(2, 3);
int cli_run_alloc(Run *r, int with_grads);
void cli_run_free(Run *r);
int cli_check_output(Cli *c, const char *path, const char *const *in, int n);

/* ---- cli_options.c ---- */

void cli_usage(FILE *f, const MgModel *m, const char *prog);
int cli_parse_opts(Cli *c, const MgModel *m, const char *cmd, int argc, char **argv, Opts *o);

/* ---- cli_train.c ---- */

int cli_cmd_train(Run *r, const Opts *o);

/* ---- cli_sample.c ---- */

int cli_print_samples(Run *r, int num, double temperature);
int cli_cmd_sample(Run *r, const Opts *o);
int cli_cmd_grad(Run *r, const Opts *o);

/* ---- cli_eval.c ---- */

/* The figures of a model over a set of examples. */
typedef struct EvalSums {
    size_t n;               /* examples */
    double loss;            /* their mean loss, summed in file order */
    size_t correct;         /* a classifier: examples whose predicted class is the label */
} EvalSums;

int cli_label(const MgModel *m);
/* predict's fields: the model's inputs not marked loss_only, in order, into
 * out[0..n) (n_inputs <= 64); 0 when there are none (then it loads them all) */
int cli_features(const MgModel *m, MgField *out);
int cli_evaluate(Run *r, const MgExamples *ex, EvalSums *s);
int cli_val_setup(Run *r, const Opts *o);
int cli_cmd_eval(Run *r, const Opts *o);
int cli_cmd_predict(Run *r, const Opts *o);

/* ---- cli_batch.c ---- */

int cli_alloc_batch(Run *r, const Opts *o);
double cli_step_loss(Run *r, int s, long *ntok);
void cli_tree_top(double *const *sums, double *loss, int n, size_t np, int threads);

/* ---- cli_mpi.c ---- */

int cli_ranks_agree(Cli *c, int bad);
double cli_ranks_combine(Run *r, double *x, size_t n, double loss, int step);

/* ---- cli_progress.c ---- */

/* Training's output: a plain line per step, flushed at once (a pipe sees
 * each step, and a step is printed before it is saved), or one live line on
 * a terminal, redrawn at most every 0.1 s. */
typedef struct Progress {
    Cli *cli;
    int live;
    double t0, flushed;
    long tokens;
} Progress;

double cli_wall_seconds(void);
void cli_progress_start(Progress *p, Cli *c, const Opts *o);
void cli_progress_step(Progress *p, int step, int first, int steps, double loss, long T, double now);
void cli_progress_val(Progress *p, int step, int steps, const EvalSums *s, int classifier);
int cli_open_log(Run *r, const char *path);
int cli_close_log(Run *r);

#endif
