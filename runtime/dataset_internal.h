/* dataset_internal.h: what the dataset readers (dataset*.c) share.
 * Takes the model's fields and a source name; hands on an MgExamples with
 * room for examples, and the checks every reader applies to a value. */
#ifndef MG_DATASET_INTERNAL_H
#define MG_DATASET_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "mg_examples.h"

/* x empty, with copies of the fields and the source name, room for cap
 * examples (data and row zeroed), x->n = 0.  Checks the fields first. */
int ds_start(MgExamples *x, const char *source, const MgField *fields, int nfields, size_t cap, MgErr *e);
/* Room for cap examples (cap >= x->n), the first x->n kept; new rows are
 * not initialised. */
int ds_reserve(MgExamples *x, size_t cap);
/* Give back the room past x->n (a failure keeps it). */
void ds_shrink(MgExamples *x);
/* malloc, but a large block is 2 MiB aligned and advised for transparent
 * huge pages (a 2 MiB page fault instead of 512: loading a large file
 * takes a third less time).  free() releases it. */
void *ds_alloc(size_t n);
/* NULL when v may be a value of f; else why not, written into buf:
 * "non-finite value inf", "2.5 is not an integer", "3 is outside [0, 3)". */
const char *ds_bad_value(const MgField *f, double v, char *buf, size_t cap);
/* The field's shape as "[2, 3]" ("[]" for a scalar). */
void ds_shape_str(const MgField *f, char *buf, size_t cap);
/* s[0..n) for a message: at most 40 bytes, control bytes as \xHH. */
void ds_quote(const char *s, size_t n, char *buf, size_t cap);
/* count numbers of `size` bytes (1, 2, 4 or 8) and kind 'f' (IEEE; 'h':
 * bfloat16), 'i' (signed), 'u' (unsigned) or 'b' (bool), little-endian
 * unless big, into doubles. */
void ds_convert(const unsigned char *p, char kind, int size, int big, size_t count, double *out);
/* The examples of f in x (x->n of them) are all values f may take; else
 * "NAME: WHAT 'F' at [i, j]: why".  what is "array" or "tensor". */
int ds_check_values(const MgExamples *x, int f, const char *name, const char *what, MgErr *e);
/* The length T of each example of x, into x->T, when a field has a runtime
 * length: its first rows given, the rest missing (NaN), every such field
 * alike; else a message naming the example.  Leaves x->T NULL without one. */
int ds_lengths(MgExamples *x, MgErr *e);
/* An array of shape dims[0..rank) holds examples of f: rank is f's + 1, and
 * dims[1..] is f's shape; dims[0] > 0.  Messages write shapes between open
 * and close ("()" for .npy, "[]" for safetensors). */
int ds_check_shape(const char *name, const char *what, const MgField *f, const uint64_t *dims, int rank,
                   const char *brackets, MgErr *e);

#endif
