/* mg_dataset.h: datasets of examples from files (CSV, NumPy .npy, safetensors).
 * Takes a file (or a directory of .npy files) and the fields a model declares
 * (mg_examples.h); hands on an MgExamples whose every value has been checked:
 * reals finite, integers whole and in [0, range).  On failure the MgExamples
 * is left empty and the MgErr names the file and the line and column (CSV)
 * or the array (.npy, safetensors). */
#ifndef MG_DATASET_H
#define MG_DATASET_H

#include <stddef.h>
#include <stdint.h>

#include "mg_examples.h"

/* Load `path` for the given fields, by what it is:
 *  - a directory: one NAME.npy per field (other files are ignored);
 *  - a name ending in .npy: the one array of a model with one field;
 *  - a name ending in .safetensors: one tensor per field, named like it;
 *  - anything else: CSV.
 * In every array format the first axis indexes examples and the rest is the
 * field's shape exactly (a scalar field takes an array of shape (N,)).
 * A file larger than `max` bytes is refused before it is read (the _max
 * form; mg_examples_load uses MG_DATA_MAX_BYTES from mg_data.h).  The
 * fields may be any of a model's inputs, in its order: predict passes the
 * features alone, and the file's other columns or arrays are ignored. */
int mg_examples_load(MgExamples *x, const char *path, const MgField *fields, int nfields, MgErr *e);
int mg_examples_load_max(MgExamples *x, const char *path, const MgField *fields, int nfields, size_t max,
                         MgErr *e);

/* CSV (RFC 4180) held in memory; `name` is used in messages.  The first
 * non-blank line is the header.  A scalar field F reads column "F"; a tensor
 * field reads one column per element, "F[k]" with k the row-major flat index,
 * or with one index per axis, "F[i][j]" or "F[i,j]".  Header names are
 * trimmed of spaces and tabs; columns naming no field are ignored; a missing
 * or repeated element is an error.  Fields may be quoted ("..." with ""
 * for a quote, spanning lines); lines end in \n, \r\n or \r; a UTF-8 BOM is
 * skipped; blank lines are skipped.  Values are decimal numbers
 * ([+-]digits[.digits][e[+-]digits], spaces around allowed), read with
 * correct rounding. */
int mg_examples_load_csv(MgExamples *x, const char *name, const char *buf, size_t len, const MgField *fields,
                         int nfields, MgErr *e);

/* One .npy file (format versions 1, 2 and 3) in memory for one field:
 * dtypes f8 f4 f2 i8 i4 i2 i1 u8 u4 u2 u1 b1, either byte order, C order. */
int mg_examples_load_npy(MgExamples *x, const char *name, const unsigned char *buf, size_t len,
                         const MgField *field, MgErr *e);

/* A safetensors file in memory: dtypes F64 F32 F16 BF16 I64 I32 I16 I8 U64
 * U32 U16 U8 BOOL; tensors naming no field are ignored. */
int mg_examples_load_safetensors(MgExamples *x, const char *name, const unsigned char *buf, size_t len,
                                 const MgField *fields, int nfields, MgErr *e);

/* --val-split FRACTION: k = floor(fraction * n + 0.5) examples go to val,
 * the rest to train, as Python would choose them:
 *     idx = list(range(n)); random.seed(seed); random.shuffle(idx)
 *     val = sorted(idx[:k]); train = sorted(idx[k:])
 * Both keep the file's order (and row numbers).  The fraction must be in
 * (0, 1) and leave at least one example on each side.  `all` is unchanged. */
int mg_examples_split(const MgExamples *all, double fraction, uint64_t seed, MgExamples *train, MgExamples *val,
                      MgErr *e);

/* The n examples of `from` at indices idx[0..n) (each < from->n), copied. */
int mg_examples_select(MgExamples *to, const MgExamples *from, const size_t *idx, size_t n, MgErr *e);

#endif
