/* mg_model.h: the contract between a model and the runtime.
 * A model (emitted C from mgc, or the reference interpreter) fills one MgModel.
 * The runtime (data, RNG, optimizers, checkpoints, the trainer CLI) only ever
 * talks to a model through this struct.  All tensors are row-major doubles. */
#ifndef MG_MODEL_H
#define MG_MODEL_H

#include <stddef.h>

#include "mg_examples.h"   /* MgField, MG_MAX_RANK */

typedef enum { MG_INIT_GAUSS, MG_INIT_ZEROS, MG_INIT_ONES, MG_INIT_CONST, MG_INIT_UNIFORM } MgInitKind;

/* One parameter tensor: a named slice of the flat parameter array. */
typedef struct MgParam {
    const char *name;          /* checkpoint key, e.g. "layer0.attn_wq" */
    int rank;
    int shape[MG_MAX_RANK];
    size_t offset;             /* first element in the flat parameter array */
    size_t size;               /* number of elements */
    MgInitKind init;
    double init_a, init_b;     /* gauss: mean, std; const: value; uniform: a, b */
} MgParam;

typedef enum { MG_OPT_SGD, MG_OPT_ADAM, MG_OPT_ADAMW } MgOptKind;

/* The learning-rate schedule (mg_optim_lr has the formulas).  Constant and
 * linear are 0 and 1, the values of the flag `linear_decay` they replace. */
typedef enum { MG_SCHED_CONSTANT, MG_SCHED_LINEAR, MG_SCHED_COSINE, MG_SCHED_STEP } MgSchedule;

/* Optimizer settings from the .mg file; the trainer's options override them.
 * Every field added after `fast` is 0 when unused, so an initializer that
 * stops at `fast` still means what it meant. */
typedef struct MgOptim {
    MgOptKind kind;
    double lr, beta1, beta2, eps;
    int steps;
    MgSchedule schedule;
    int fast;   /* 1 (mgc --fast, --dtype=f32): Adam takes g * g and sqrt for the
                   reference's ** (pow): a quarter of the time, not the same bits */
    int warmup;            /* linear warm-up over this many steps (0: none) */
    int step_size;         /* step schedule: multiply by gamma every step_size steps */
    double gamma;          /* step schedule's factor */
    double min_lr;         /* linear and cosine: the rate they reach at `steps` */
    double momentum;       /* SGD: torch.optim.SGD's momentum (dampening 0) */
    int nesterov;          /* SGD with momentum: Nesterov's form */
    double weight_decay;   /* SGD, Adam: L2, added to the gradient; AdamW: decoupled */
    double clip;           /* clip the gradients' global L2 norm to this (0: never) */
} MgOptim;

typedef struct MgModel {
    const char *name;          /* model name, e.g. "mlp" */
    const char *source;        /* .mg file it came from, for messages */
    int vocab;                 /* token ids 0..vocab-1; BOS is vocab-1 */
    int block_size;            /* largest sequence length T */
    int n_params;
    const MgParam *params;     /* in declaration (= draw) order */
    size_t n_scalars;          /* total parameter elements */
    size_t scratch;            /* doubles of scratch memory the model needs */
    MgOptim optim;
    void *ctx;                 /* model-private state (the interpreter's) */
    /* Loss of one document and d(loss)/d(param) for every parameter.
     * tokens holds T + 1 ids (inputs tokens[0..T-1], targets tokens[1..T]),
     * 1 <= T <= block_size.  grads is overwritten.  scratch has `scratch`
     * doubles owned by the caller; nothing is allocated. */
    double (*loss_grad)(void *ctx, const double *params, double *grads,
                        const int *tokens, int T, double *scratch);
    /* Logits for every position of tokens[0..T-1]; returns a pointer to
     * T rows of `vocab` doubles (inside scratch or ctx). */
    const double *(*forward)(void *ctx, const double *params, const int *tokens,
                             int T, double *scratch);
    /* A model of examples declares inputs other than one token sequence
     * (reals, labels); its vocab is 0 and loss_grad, forward are NULL.  It
     * reads one example: x[f] holds the inputs[f].size values of inputs[f]
     * (integers stored exactly as doubles, each in [0, range)).  An input
     * whose first axis has a runtime length holds T rows of the shape's
     * (shape[0] is block_size, the most); T is 1 when no input has one. */
    int n_inputs;
    const MgField *inputs;     /* in declaration order */
    size_t n_out;              /* doubles forward_x returns: the model's logits; 0 without them */
    double (*loss_grad_x)(void *ctx, const double *params, double *grads,
                          const double *const *x, int T, double *scratch);
    /* the model's logits (n_out doubles, row-major), or NULL without them;
     * x[f] may be NULL for an input marked loss_only, which it does not read */
    const double *(*forward_x)(void *ctx, const double *params, const double *const *x,
                               int T, double *scratch);
    /* logits whose first axis is the runtime length T: the doubles of a row
     * (forward_x writes the first T rows of n_out / out_row); else 0 */
    size_t out_row;
    /* mgc --dtype=f32, a model of tokens (NULL otherwise): loss_grad on float
     * parameters and gradients, n_scalars each and outside scratch, so a
     * trainer that keeps a float copy of the parameters (mg_optim_f32.h)
     * converts nothing per document; scratch as loss_grad's */
    double (*loss_grad_f32)(void *ctx, const float *params, float *grads, const int *tokens, int T,
                            double *scratch);
    /* mgc --dtype=f32, a model of tokens (NULL otherwise): the loss and
     * gradients of B documents of one length T in one call.  tokens holds B
     * rows of T + 1 ids; grads (n_scalars floats, overwritten) gets the sum
     * over documents b of weights[b] times b's gradients, and it returns the
     * same sum of their losses.  scratch: B * batch_scratch doubles, owned by
     * the caller; nothing is allocated. */
    double (*loss_grad_batch_f32)(void *ctx, const float *params, float *grads, const int *tokens, int B, int T,
                                  const double *weights, double *scratch);
    size_t batch_scratch;      /* doubles of scratch per document of loss_grad_batch_f32 */
} MgModel;

/* C[M x N] = op(A) op(B) + beta C, row-major, float (op: transposed when ta,
 * tb): the matrix products of code from mgc --dtype=f32 --blas (runtime/blas.c:
 * the BLAS's sgemm when the runtime was built with one, else plain loops). */
void mg_sgemm(int ta, int tb, int M, int N, int K, const float *A, int lda, const float *B, int ldb, float beta,
              float *C, int ldc);
/* threads the BLAS behind mg_sgemm may use (OpenBLAS; the trainer sets
 * --threads, or 1 while its own threads take a batch's documents) */
void mg_blas_threads(int n);
/* what mg_sgemm runs: "OpenBLAS", another libblas.so.3, or plain loops */
const char *mg_blas_name(void);

#endif
