/* mg_checkpoint.h: a model's parameters, and optionally the whole training
 * state, as a safetensors file.  Takes an MgModel, its flat parameter array
 * and the vocabulary; hands on a file with one F64 tensor per MgParam (same
 * name and shape) and string metadata model, vocab, step and checksum.
 * A training checkpoint adds Adam's moments as tensors optimizer.m.NAME and
 * optimizer.v.NAME and metadata steps, lr, seed, data, docs, docs_checksum
 * (what the run trained on), validation (optional: what it validated on),
 * rng (the generator's whole state) and optimizer (the other settings,
 * "optimizer=sgd schedule=linear ... clip=0", which a resumed run must share:
 * it is refused otherwise), so a run resumed from it
 * continues bit for bit.  checksum is "fnv1a64:" and 16 hex
 * digits: FNV-1a 64 over every tensor's values as little-endian IEEE doubles
 * (parameters, then m, then v, each in parameter order: the file's order), then
 * over every other metadata entry in file order as KEY NUL VALUE NUL.  Loading checks every name, shape, metadata field and the
 * checksum, and either fills everything or nothing. */
#ifndef MG_CHECKPOINT_H
#define MG_CHECKPOINT_H

#include "mg_data.h"
#include "mg_err.h"
#include "mg_model.h"
#include "mg_optim.h"
#include "mg_rng.h"
#include "mg_safetensors.h"

/* Write params (m->n_scalars doubles) to path (via PATH.tmp + rename). */
int mg_ckpt_save(const char *path, const MgModel *m, const double *params, const MgVocab *vocab, long step,
                 MgErr *e);
/* Read path into params; *vocab is filled (free with mg_vocab_free) and *step set.
 * Refuses, saying what does not match, unless the tensors are exactly m's
 * parameters with m's shapes and the metadata is complete and for model m;
 * and refuses a NaN or infinite parameter, naming it and the element:
 * "ck: parameter 'wte' element [2, 5] is nan; ...". */
int mg_ckpt_load(const char *path, const MgModel *m, double *params, MgVocab *vocab, long *step, MgErr *e);
/* The training state a checkpoint may carry. */
typedef struct MgTrainState {
    long steps;             /* length of the run (for the learning-rate schedule) */
    double lr;              /* the run's base learning rate */
    uint64_t seed;          /* the run's seed: it fixed the initial draw and the shuffle */
    char data[256];         /* name of the data the run trained on (for messages) */
    size_t docs;            /* its number of documents */
    uint64_t docs_sum;      /* mg_data_checksum of its documents in file order */
    long batch;             /* documents per step (1 in checkpoints from before batches) */
    int text;               /* 1: --docs text (the data cut into block-size pieces) */
    char val[256];          /* what the run validated on, metadata 'validation' ("": nothing):
                               "split F" (--val-split F of data) or "file of N examples,
                               fnv1a64:HEX" (--val, the values' checksum) */
    MgOptimizer *opt;       /* Adam's m and v are saved/restored (SGD has none) */
    MgRng *rng;
} MgTrainState;

/* Save with the training state (st may be NULL: parameters only). */
int mg_ckpt_save_state(const char *path, const MgModel *m, const double *params, const MgVocab *vocab, long step,
                       const MgTrainState *st, MgErr *e);
/* Load; when the file has a training state and st is not NULL, fill it
 * (st->opt must be initialised for m) and set *resumable = 1.  Adam's
 * moments are then checked too: finite, and v not negative. */
int mg_ckpt_load_state(const char *path, const MgModel *m, double *params, MgVocab *vocab, long *step,
                       MgTrainState *st, int *resumable, MgErr *e);
/* "[2, 5]": the index of flat element k of parameter p. */
void mg_element_text(const MgParam *p, size_t k, char *buf, size_t cap);
/* Write data (m->n_scalars doubles, laid out like the parameters, e.g. gradients)
 * as one tensor per MgParam, with the given metadata. */
int mg_ckpt_write_like(const char *path, const MgModel *m, const double *data, const MgMeta *meta, int nmeta,
                       MgErr *e);

#endif
