/* dataset_st.c: a safetensors file of arrays into MgExamples.
 * Takes the file's bytes (8-byte little-endian header size, a JSON header,
 * little-endian data) and the model's fields; each field reads the tensor of
 * its name, of any numeric dtype, the first axis indexing examples; other
 * tensors are ignored.  Offsets are checked against the data before use. */
#include "mg_dataset.h"

#include "dataset_internal.h"
#include "mg_json.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ST_MAX_RANK 8

typedef struct StDtype {
    const char *name;
    char kind;   /* for ds_convert */
    int size;
} StDtype;

static const StDtype DTYPES[] = {
    {"F64", 'f', 8}, {"F32", 'f', 4}, {"F16", 'f', 2}, {"BF16", 'h', 2}, {"I64", 'i', 8}, {"I32", 'i', 4},
    {"I16", 'i', 2}, {"I8", 'i', 1},  {"U64", 'u', 8}, {"U32", 'u', 4},  {"U16", 'u', 2}, {"U8", 'u', 1},
    {"BOOL", 'b', 1},
};

/* Field f's tensor entry v of the header: its dtype, shape and bytes. */
static int read_field(MgExamples *x, int f, const MgJson *j, const MgJsonNode *v, const unsigned char *data,
                      uint64_t dlen, const char *name, MgErr *e) {
    const MgField *d = &x->fields[f];
    const char *fn = d->name;
    const MgJsonNode *dt = mg_json_get(j, v, "dtype"), *sh = mg_json_get(j, v, "shape"),
                     *of = mg_json_get(j, v, "data_offsets");
    if (v->type != MG_JSON_OBJECT || !dt || dt->type != MG_JSON_STRING || !sh || sh->type != MG_JSON_ARRAY || !of ||
        of->type != MG_JSON_ARRAY || of->count != 2)
        return mg_err(e, "%s: tensor '%s': its entry needs 'dtype', 'shape' and two 'data_offsets'", name, fn);
    const StDtype *t = NULL;
    for (size_t k = 0; k < sizeof DTYPES / sizeof *DTYPES; k++)
        if (strcmp(dt->str, DTYPES[k].name) == 0) t = &DTYPES[k];
    if (!t) {
        char q[100];
        ds_quote(dt->str, dt->len, q, sizeof q);
        return mg_err(e, "%s: tensor '%s' has dtype %s; only numbers are read (F64 F32 F16 BF16 I64 I32 I16 I8 U64 "
                      "U32 U16 U8 BOOL)", name, fn, q);
    }
    uint64_t dims[ST_MAX_RANK], numel = 1, off[2];
    int rank = 0;
    for (int c = sh->first; c >= 0; c = j->nodes[c].next) {
        if (rank == ST_MAX_RANK || mg_json_u64(&j->nodes[c], &dims[rank]) < 0)
            return mg_err(e, "%s: tensor '%s': its shape is not a list of at most %d non-negative integers", name,
                          fn, ST_MAX_RANK);
        if (dims[rank] && numel > UINT64_MAX / 8 / dims[rank])
            return mg_err(e, "%s: tensor '%s': its shape is too large", name, fn);
        numel *= dims[rank++];
    }
    if (ds_check_shape(name, "tensor", d, dims, rank, "[]", e) < 0) return -1;
    const MgJsonNode *o0 = &j->nodes[of->first], *o1 = &j->nodes[o0->next];
    if (mg_json_u64(o0, &off[0]) < 0 || mg_json_u64(o1, &off[1]) < 0 || off[0] > off[1])
        return mg_err(e, "%s: tensor '%s': 'data_offsets' is not two increasing integers", name, fn);
    if (off[1] > dlen)
        return mg_err(e, "%s: tensor '%s': data_offsets [%llu, %llu] go past the end of the data (%llu bytes; "
                      "truncated?)", name, fn, (unsigned long long)off[0], (unsigned long long)off[1],
                      (unsigned long long)dlen);
    if (off[1] - off[0] != numel * (uint64_t)t->size)
        return mg_err(e, "%s: tensor '%s': data_offsets [%llu, %llu] hold %llu bytes, and %s of its shape needs %llu",
                      name, fn, (unsigned long long)off[0], (unsigned long long)off[1],
                      (unsigned long long)(off[1] - off[0]), t->name, (unsigned long long)(numel * (uint64_t)t->size));
    if (f > 0 && dims[0] != x->n)
        return mg_err(e, "%s: tensor '%s' holds %llu examples, and tensor '%s' %zu", name, fn,
                      (unsigned long long)dims[0], x->fields[0].name, x->n);
    if (f == 0 && ds_reserve(x, (size_t)dims[0]) < 0) return mg_err(e, "%s: out of memory", name);
    ds_convert(data + off[0], t->kind, t->size, 0, (size_t)numel, x->data[f]);
    x->n = (size_t)dims[0];
    return 0;
}

int mg_examples_load_safetensors(MgExamples *x, const char *name, const unsigned char *buf, size_t len,
                                 const MgField *fields, int nfields, MgErr *e) {
    memset(x, 0, sizeof *x);
    if (len < 8) return mg_err(e, "%s: too short for a safetensors file (%zu bytes)", name, len);
    uint64_t hlen = 0;
    for (int b = 7; b >= 0; b--) hlen = hlen << 8 | buf[b];
    if (hlen > len - 8)
        return mg_err(e, "%s: a header of %llu bytes is more than the rest of the file (%zu bytes; not a "
                      "safetensors file, or truncated?)", name, (unsigned long long)hlen, len - 8);
    MgJson j;
    MgErr je;
    if (mg_json_parse(&j, (const char *)buf + 8, (size_t)hlen, &je) < 0)
        return mg_err(e, "%s: the header is not valid JSON: %s", name, je.msg);
    int rc = j.nodes[0].type == MG_JSON_OBJECT ? 0 : mg_err(e, "%s: the header is not a JSON object", name);
    if (rc == 0) rc = ds_start(x, name, fields, nfields, 0, e);
    const unsigned char *data = buf + 8 + hlen;
    for (int f = 0; f < nfields && rc == 0; f++) {
        const MgJsonNode *v = NULL;
        for (int c = j.nodes[0].first; c >= 0 && !v; c = j.nodes[c].next)
            if (j.nodes[c].keylen == strlen(fields[f].name) && strcmp(j.nodes[c].key, fields[f].name) == 0)
                v = &j.nodes[c];
        if (!v) rc = mg_err(e, "%s: no tensor '%s' for input '%s'", name, fields[f].name, fields[f].name);
        else rc = read_field(x, f, &j, v, data, len - 8 - hlen, name, e);
    }
    for (int f = 0; f < nfields && rc == 0; f++) rc = ds_check_values(x, f, name, "tensor", e);
    if (rc == 0) {
        size_t *row = calloc(x->n, sizeof *row);
        if (!row) rc = mg_err(e, "%s: out of memory", name);
        free(x->row);
        x->row = row;
    }
    if (rc == 0) rc = ds_lengths(x, e);
    if (rc < 0 && x->fields) mg_examples_free(x);
    mg_json_free(&j);
    return rc;
}
