/* mg_examples.h: examples that are not text, as the runtime holds them.
 * The contract between the dataset readers (CSV, .npy, safetensors:
 * runtime/dataset.c) and the models that declare inputs other than one token
 * sequence.  A model lists its inputs as MgField; a reader fills one
 * MgExamples with a column of values per field, example-major; the trainer
 * hands example i's values to the model. */
#ifndef MG_EXAMPLES_H
#define MG_EXAMPLES_H

#include <stddef.h>

#include "mg_err.h"

#ifndef MG_MAX_RANK
#define MG_MAX_RANK 4
#endif

/* One input of a model, per example: a real tensor of a static shape (rank 0:
 * a scalar), or an integer (a label, or an integer tensor) in [0, range).
 * loss_only is 1 for an input the model's logits do not read (a label only
 * the loss reads; every input of a model without logits): predict loads and
 * passes only the others, the features.  0, the value a literal that leaves
 * it out gets, is always safe: the input is then loaded and passed. */
typedef struct MgField {
    const char *name;       /* the input's name in the .mg file */
    int is_int;             /* 1: integers in [0, range); 0: finite reals */
    long range;             /* is_int: the number of classes (ids 0..range-1) */
    int rank;               /* 0 for a scalar */
    int shape[MG_MAX_RANK];
    size_t size;            /* elements per example: the product of shape */
    int runtime_len;        /* 1: the first axis has a runtime length (dim T <= shape[0]): an example
                               may hold fewer rows, its T (MgExamples.T); 0: static (old literals) */
    int loss_only;          /* 1: the logits do not read it (forward_x may be given NULL for it) */
} MgField;

/* n examples of nfields fields: data[f] holds n * fields[f].size values,
 * example i's at data[f] + i * fields[f].size (integers stored exactly as
 * doubles).  `source` names the file(s) for messages; row[i] is the line of
 * example i in a CSV file (0 when the source has no lines).  T[i] is example
 * i's length, the rows it holds of the inputs with a runtime length (the
 * rest are NaN, never read); T is NULL when every example holds them all
 * (or no input has one), as in examples built by hand. */
typedef struct MgExamples {
    char *source;
    size_t n;
    int nfields;
    MgField *fields;        /* owned copies of the model's fields */
    double **data;
    size_t *row;
    int *T;
} MgExamples;

void mg_examples_free(MgExamples *x);

#endif
