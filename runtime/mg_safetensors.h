/* mg_safetensors.h: the safetensors file format, independent of any model.
 * Takes named double tensors (+ string metadata) to write, or a file to read;
 * hands on a validated file: every tensor F64/F32, in range, no overlaps or holes. */
#ifndef MG_SAFETENSORS_H
#define MG_SAFETENSORS_H

#include <stddef.h>
#include <stdint.h>

#include "mg_err.h"
#include "mg_json.h"

#define MG_ST_MAX_RANK 8
#define MG_ST_MAX_HEADER 100000000u   /* the format's own limit on the header */

/* A tensor to write: data holds prod(shape) doubles, written as F64. */
typedef struct MgTensor {
    const char *name;
    int rank;
    const int *shape;
    const double *data;
} MgTensor;

typedef struct MgMeta {
    const char *key, *value;     /* UTF-8 strings */
} MgMeta;

/* A tensor read from a file, converted to doubles. */
typedef struct MgStTensor {
    const char *name;            /* UTF-8, NUL-terminated */
    const char *dtype;           /* "F64" or "F32" */
    int rank;
    uint64_t shape[MG_ST_MAX_RANK];
    size_t numel;
    const double *data;          /* numel values */
} MgStTensor;

typedef struct MgSafetensors {
    MgJson json;
    const MgJsonNode *meta;      /* the __metadata__ object, or NULL */
    int n;
    MgStTensor *t;               /* in header order */
    double *values;              /* all tensors' values, one allocation */
} MgSafetensors;

/* Write tensors and metadata to path: header, then data in the given order.
 * Writes PATH.tmp, fsyncs it and renames it into place. */
int mg_st_write(const char *path, const MgTensor *t, int n, const MgMeta *meta, int nmeta, MgErr *e);
/* Read and validate a whole file.  Messages start with the path. */
int mg_st_read(MgSafetensors *st, const char *path, MgErr *e);
/* The same, with check(st, ctx, e) run on the header (names, shapes and
 * metadata; no tensor data yet) before the data is read: a file it refuses
 * is not read through. */
typedef int (*MgStCheck)(const MgSafetensors *st, void *ctx, MgErr *e);
int mg_st_read_checked(MgSafetensors *st, const char *path, MgStCheck check, void *ctx, MgErr *e);
/* Same on bytes already in memory; `name` is used in messages. */
int mg_st_parse(MgSafetensors *st, const char *name, const unsigned char *buf, size_t len, MgErr *e);
void mg_st_free(MgSafetensors *st);
const MgStTensor *mg_st_find(const MgSafetensors *st, const char *name);
/* Metadata value for key (NUL-terminated; may be NULL when absent). */
const char *mg_st_meta(const MgSafetensors *st, const char *key);

#endif
