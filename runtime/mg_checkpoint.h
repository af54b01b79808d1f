/* mg_checkpoint.h: a model's parameters as a safetensors file.
 * Takes an MgModel, its flat parameter array and the vocabulary; hands on a file
 * with one F64 tensor per MgParam (same name and shape) and metadata model,
 * vocab, step.  Loading checks every name, shape and metadata field. */
#ifndef MG_CHECKPOINT_H
#define MG_CHECKPOINT_H

#include "mg_data.h"
#include "mg_err.h"
#include "mg_model.h"
#include "mg_safetensors.h"

/* Write params (m->n_scalars doubles) to path (via PATH.tmp + rename). */
int mg_ckpt_save(const char *path, const MgModel *m, const double *params, const MgVocab *vocab, long step,
                 MgErr *e);
/* Read path into params; *vocab is filled (free with mg_vocab_free) and *step set.
 * Refuses, saying what does not match, unless the tensors are exactly m's
 * parameters with m's shapes and the metadata is complete and for model m. */
int mg_ckpt_load(const char *path, const MgModel *m, double *params, MgVocab *vocab, long *step, MgErr *e);
/* Write data (m->n_scalars doubles, laid out like the parameters, e.g. gradients)
 * as one tensor per MgParam, with the given metadata. */
int mg_ckpt_write_like(const char *path, const MgModel *m, const double *data, const MgMeta *meta, int nmeta,
                       MgErr *e);

#endif
