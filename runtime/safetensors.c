/* safetensors.c: 8-byte little-endian header size, JSON header, raw LE data.
 * Takes tensors or bytes; hands on a file or an MgSafetensors.  Invariant on read:
 * nothing is trusted; every size is checked for overflow before use. */
#include "mg_safetensors.h"

#include "mg_outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- writing ---- */

static void put_u64le(unsigned char *p, uint64_t v) {
    for (int i = 0; i < 8; i++) p[i] = (unsigned char)(v >> (8 * i));
}

static uint64_t get_u64le(const unsigned char *p) {
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) v = (v << 8) | p[i];
    return v;
}

static size_t numel_of(int rank, const int *shape) {
    size_t n = 1;
    for (int i = 0; i < rank; i++) n *= (size_t)shape[i];
    return n;
}

static void header_json(MgBuf *b, const MgTensor *t, int n, const MgMeta *meta, int nmeta) {
    mg_buf_put(b, "{", 1);
    if (nmeta > 0) {
        mg_buf_put(b, "\"__metadata__\":{", 16);
        for (int i = 0; i < nmeta; i++) {
            if (i) mg_buf_put(b, ",", 1);
            mg_json_write_string(b, meta[i].key, strlen(meta[i].key));
            mg_buf_put(b, ":", 1);
            mg_json_write_string(b, meta[i].value, strlen(meta[i].value));
        }
        mg_buf_put(b, "}", 1);
    }
    size_t off = 0;
    for (int i = 0; i < n; i++) {
        size_t bytes = numel_of(t[i].rank, t[i].shape) * 8;
        if (i || nmeta > 0) mg_buf_put(b, ",", 1);
        mg_json_write_string(b, t[i].name, strlen(t[i].name));
        mg_buf_put(b, ":{\"dtype\":\"F64\",\"shape\":[", 25);
        for (int d = 0; d < t[i].rank; d++) mg_buf_printf(b, d ? ",%d" : "%d", t[i].shape[d]);
        mg_buf_printf(b, "],\"data_offsets\":[%zu,%zu]}", off, off + bytes);
        off += bytes;
    }
    mg_buf_put(b, "}", 1);
    while ((8 + b->n) % 8 != 0) mg_buf_put(b, " ", 1);   /* pad: data starts 8-aligned */
}

static int write_body(FILE *f, const MgBuf *hdr, const MgTensor *t, int n) {
    unsigned char len8[8], chunk[8 * 512];
    put_u64le(len8, hdr->n);
    if (fwrite(len8, 1, 8, f) != 8 || fwrite(hdr->p, 1, hdr->n, f) != hdr->n) return -1;
    for (int i = 0; i < n; i++) {
        size_t numel = numel_of(t[i].rank, t[i].shape), k = 0;
        for (size_t j = 0; j < numel; j++) {
            uint64_t bits;
            memcpy(&bits, &t[i].data[j], 8);
            put_u64le(chunk + 8 * k++, bits);
            if (k == 512 || j + 1 == numel) {
                if (fwrite(chunk, 8, k, f) != k) return -1;
                k = 0;
            }
        }
    }
    return 0;
}

/* The file goes through mg_out (a temporary renamed into place, synced), so
 * path is always a whole checkpoint. */
int mg_st_write(const char *path, const MgTensor *t, int n, const MgMeta *meta, int nmeta, MgErr *e) {
    MgBuf hdr = {0};
    header_json(&hdr, t, n, meta, nmeta);
    if (hdr.oom) {
        free(hdr.p);
        return mg_err(e, "%s: out of memory", path);
    }
    MgOut o;
    int rc = mg_out_open(&o, path, e);
    if (rc == 0 && write_body(o.f, &hdr, t, n) != 0) {
        rc = mg_err(e, "%s: cannot write: %s", path, strerror(errno ? errno : EIO));
        mg_out_abort(&o);
    } else if (rc == 0) {
        rc = mg_out_close(&o, e);
    }
    free(hdr.p);
    return rc;
}

/* ---- reading ---- */

static int shape_str(const MgStTensor *t, char *buf, size_t cap) {
    size_t w = (size_t)snprintf(buf, cap, "[");
    for (int d = 0; d < t->rank && w < cap; d++)
        w += (size_t)snprintf(buf + w, cap - w, d ? ", %llu" : "%llu", (unsigned long long)t->shape[d]);
    if (w < cap) snprintf(buf + w, cap - w, "]");
    return 0;
}

/* Fill st->t[i] from its header entry; checks dtype, shape and offset sizes. */
static int read_entry(const MgJson *j, const MgJsonNode *v, MgStTensor *t, uint64_t off[2],
                      uint64_t data_len, const char *name, MgErr *e) {
    t->name = v->key;
    if (strlen(v->key) != v->keylen) return mg_err(e, "%s: tensor name holds a NUL character", name);
    if (v->type != MG_JSON_OBJECT) return mg_err(e, "%s: tensor '%s': entry is not a JSON object", name, t->name);
    const MgJsonNode *dt = mg_json_get(j, v, "dtype"), *sh = mg_json_get(j, v, "shape"),
                     *of = mg_json_get(j, v, "data_offsets");
    if (!dt || dt->type != MG_JSON_STRING) return mg_err(e, "%s: tensor '%s': missing string 'dtype'", name, t->name);
    if (!sh || sh->type != MG_JSON_ARRAY) return mg_err(e, "%s: tensor '%s': missing array 'shape'", name, t->name);
    if (!of || of->type != MG_JSON_ARRAY || of->count != 2)
        return mg_err(e, "%s: tensor '%s': 'data_offsets' is not an array of two integers", name, t->name);
    uint64_t esize;
    if (strcmp(dt->str, "F64") == 0) esize = 8;
    else if (strcmp(dt->str, "F32") == 0) esize = 4;
    else return mg_err(e, "%s: tensor '%s' has dtype %.20s; only F64 and F32 are supported", name, t->name, dt->str);
    t->dtype = esize == 8 ? "F64" : "F32";
    if (sh->count > MG_ST_MAX_RANK)
        return mg_err(e, "%s: tensor '%s' has rank %d (at most %d supported)", name, t->name, sh->count, MG_ST_MAX_RANK);
    uint64_t numel = 1;
    for (int c = sh->first; c >= 0; c = j->nodes[c].next) {
        uint64_t d;
        if (mg_json_u64(&j->nodes[c], &d) < 0)
            return mg_err(e, "%s: tensor '%s': shape holds something other than a non-negative integer", name, t->name);
        t->shape[t->rank++] = d;
        if (d != 0 && numel > UINT64_MAX / 8 / d)
            return mg_err(e, "%s: tensor '%s': shape is too large", name, t->name);
        numel *= d;
    }
    const MgJsonNode *o0 = &j->nodes[of->first], *o1 = &j->nodes[o0->next];
    if (mg_json_u64(o0, &off[0]) < 0 || mg_json_u64(o1, &off[1]) < 0)
        return mg_err(e, "%s: tensor '%s': 'data_offsets' is not an array of two integers", name, t->name);
    char shp[200];
    shape_str(t, shp, sizeof shp);
    if (off[0] > off[1])
        return mg_err(e, "%s: tensor '%s': data_offsets [%llu, %llu] are reversed", name, t->name,
                      (unsigned long long)off[0], (unsigned long long)off[1]);
    if (off[1] > data_len)
        return mg_err(e, "%s: tensor '%s': data_offsets [%llu, %llu] go past the end of the data "
                      "(%llu bytes; file truncated?)", name, t->name, (unsigned long long)off[0],
                      (unsigned long long)off[1], (unsigned long long)data_len);
    if (off[1] - off[0] != numel * esize)
        return mg_err(e, "%s: tensor '%s': data_offsets [%llu, %llu] hold %llu bytes but %s shape %s needs %llu",
                      name, t->name, (unsigned long long)off[0], (unsigned long long)off[1],
                      (unsigned long long)(off[1] - off[0]), t->dtype, shp, (unsigned long long)(numel * esize));
    t->numel = (size_t)numel;
    return 0;
}

static int check_metadata(const MgJson *j, const MgJsonNode *m, const char *name, MgErr *e) {
    if (m->type != MG_JSON_OBJECT) return mg_err(e, "%s: __metadata__ is not a JSON object", name);
    for (int c = m->first; c >= 0; c = j->nodes[c].next)
        if (j->nodes[c].type != MG_JSON_STRING || strlen(j->nodes[c].str) != j->nodes[c].len)
            return mg_err(e, "%s: metadata '%s' is not a string", name, j->nodes[c].key);
    return 0;
}

typedef struct Span {
    uint64_t start, end;
    int idx;
} Span;

static int span_cmp(const void *x, const void *y) {
    const Span *a = x, *b = y;
    if (a->start != b->start) return a->start < b->start ? -1 : 1;
    if (a->end != b->end) return a->end < b->end ? -1 : 1;
    return a->idx - b->idx;
}

/* Tensors must tile [0, data_len) exactly: sorted by start, each starts where
 * the previous ended. */
static int check_layout(const MgSafetensors *st, uint64_t (*off)[2], uint64_t data_len, const char *name,
                        MgErr *e) {
    Span *sp = malloc((size_t)(st->n ? st->n : 1) * sizeof *sp);
    if (!sp) return mg_err(e, "%s: out of memory", name);
    for (int i = 0; i < st->n; i++) sp[i] = (Span){off[i][0], off[i][1], i};
    qsort(sp, (size_t)st->n, sizeof *sp, span_cmp);
    uint64_t pos = 0;
    int rc = 0, prev = -1;
    for (int i = 0; i < st->n && rc == 0; i++) {
        int t = sp[i].idx;
        if (sp[i].start < pos)
            rc = mg_err(e, "%s: tensors '%s' and '%s' overlap in the data section", name, st->t[prev].name,
                        st->t[t].name);
        else if (sp[i].start > pos)
            rc = mg_err(e, "%s: %llu bytes of the data section before tensor '%s' belong to no tensor", name,
                        (unsigned long long)(sp[i].start - pos), st->t[t].name);
        pos = sp[i].end;
        prev = t;
    }
    if (rc == 0 && pos != data_len)
        rc = mg_err(e, "%s: %llu bytes after the last tensor belong to no tensor", name,
                    (unsigned long long)(data_len - pos));
    free(sp);
    return rc;
}

static int name_cmp(const void *x, const void *y) {
    return strcmp((*(const MgStTensor *const *)x)->name, (*(const MgStTensor *const *)y)->name);
}

static int check_unique(const MgSafetensors *st, const char *name, MgErr *e) {
    const MgStTensor **by = malloc((size_t)(st->n ? st->n : 1) * sizeof *by);
    if (!by) return mg_err(e, "%s: out of memory", name);
    for (int i = 0; i < st->n; i++) by[i] = &st->t[i];
    qsort(by, (size_t)st->n, sizeof *by, name_cmp);
    int rc = 0;
    for (int i = 1; i < st->n && rc == 0; i++)
        if (strcmp(by[i - 1]->name, by[i]->name) == 0)
            rc = mg_err(e, "%s: tensor '%s' appears twice", name, by[i]->name);
    free(by);
    return rc;
}

static void convert(const unsigned char *p, const MgStTensor *t, double *out) {
    for (size_t i = 0; i < t->numel; i++) {
        if (t->dtype[1] == '6') {
            uint64_t bits = get_u64le(p + 8 * i);
            memcpy(&out[i], &bits, 8);
        } else {
            const unsigned char *q = p + 4 * i;
            uint32_t bits = (uint32_t)q[0] | (uint32_t)q[1] << 8 | (uint32_t)q[2] << 16 | (uint32_t)q[3] << 24;
            float f;
            memcpy(&f, &bits, 4);
            out[i] = f;
        }
    }
}

/* The header's tensors, checked against a data section of data_len bytes
 * (which need not be read yet); *offp gets their offsets (free it). */
static int parse_entries(MgSafetensors *st, const char *name, uint64_t data_len, uint64_t (**offp)[2], MgErr *e) {
    const MgJson *j = &st->json;
    const MgJsonNode *root = &j->nodes[0];
    st->t = calloc((size_t)root->count + 1, sizeof *st->t);
    uint64_t (*off)[2] = calloc((size_t)root->count + 1, sizeof *off);
    *offp = off;
    if (!st->t || !off) return mg_err(e, "%s: out of memory", name);
    int rc = 0;
    for (int c = root->first; c >= 0 && rc == 0; c = j->nodes[c].next) {
        const MgJsonNode *v = &j->nodes[c];
        if (strcmp(v->key, "__metadata__") == 0 && v->keylen == 12) {
            if (st->meta) rc = mg_err(e, "%s: __metadata__ appears twice", name);
            else rc = check_metadata(j, v, name, e);
            st->meta = v;
            continue;
        }
        rc = read_entry(j, v, &st->t[st->n], off[st->n], data_len, name, e);
        if (rc == 0) st->n++;
    }
    if (rc == 0) rc = check_unique(st, name, e);
    if (rc == 0) rc = check_layout(st, off, data_len, name, e);
    return rc;
}

/* Every tensor's values from the data section, into one allocation. */
static int convert_all(MgSafetensors *st, const unsigned char *data, uint64_t (*off)[2], const char *name,
                       MgErr *e) {
    size_t pos = 0, total = 0;
    for (int i = 0; i < st->n; i++) total += st->t[i].numel;
    st->values = malloc((total ? total : 1) * sizeof *st->values);
    if (!st->values) return mg_err(e, "%s: out of memory", name);
    for (int i = 0; i < st->n; i++) {
        convert(data + off[i][0], &st->t[i], st->values + pos);
        st->t[i].data = st->values + pos;
        pos += st->t[i].numel;
    }
    return 0;
}

/* The header's hlen bytes of JSON, parsed into st. */
static int parse_header(MgSafetensors *st, const char *name, const unsigned char *json, uint64_t hlen, MgErr *e) {
    MgErr je;
    if (mg_json_parse(&st->json, (const char *)json, (size_t)hlen, &je) < 0)
        return mg_err(e, "%s: header is not valid JSON: %s", name, je.msg);
    if (st->json.nodes[0].type != MG_JSON_OBJECT) {
        mg_st_free(st);
        return mg_err(e, "%s: header is not a JSON object", name);
    }
    return 0;
}

/* The header size in the first 8 of len bytes: at most MG_ST_MAX_HEADER and
 * within the file. */
static int header_size(const unsigned char *len8, uint64_t len, const char *name, uint64_t *hlen, MgErr *e) {
    if (len < 8)
        return mg_err(e, "%s: file is too short to be a safetensors file (%llu bytes)", name, (unsigned long long)len);
    *hlen = get_u64le(len8);
    if (*hlen > MG_ST_MAX_HEADER)
        return mg_err(e, "%s: header size %llu is implausible (not a safetensors file?)", name,
                      (unsigned long long)*hlen);
    if (*hlen > len - 8)
        return mg_err(e, "%s: header size %llu is larger than the rest of the file (%llu bytes; truncated?)", name,
                      (unsigned long long)*hlen, (unsigned long long)(len - 8));
    return 0;
}

int mg_st_parse(MgSafetensors *st, const char *name, const unsigned char *buf, size_t len, MgErr *e) {
    memset(st, 0, sizeof *st);
    uint64_t hlen = 0, (*off)[2] = NULL;
    if (header_size(buf, len, name, &hlen, e) < 0 || parse_header(st, name, buf + 8, hlen, e) < 0) return -1;
    int rc = parse_entries(st, name, len - 8 - hlen, &off, e);
    if (rc == 0) rc = convert_all(st, buf + 8 + hlen, off, name, e);
    if (rc != 0) mg_st_free(st);
    free(off);
    return rc;
}

/* n bytes of f into a new buffer (NULL after a message). */
static unsigned char *read_bytes(FILE *f, uint64_t n, const char *path, MgErr *e) {
    unsigned char *buf = n <= SIZE_MAX ? malloc(n ? (size_t)n : 1) : NULL;
    if (!buf) {
        mg_err(e, "%s: out of memory (%llu bytes)", path, (unsigned long long)n);
        return NULL;
    }
    if (fread(buf, 1, (size_t)n, f) != n) {
        int bad = ferror(f), err = errno;
        free(buf);
        if (bad) mg_err(e, "%s: cannot read: %s", path, strerror(err));
        else mg_err(e, "%s: the file changed while it was read", path);
        return NULL;
    }
    return buf;
}

int mg_st_read_checked(MgSafetensors *st, const char *path, MgStCheck check, void *ctx, MgErr *e) {
    memset(st, 0, sizeof *st);
    FILE *f = fopen(path, "rb");
    if (!f) return mg_err(e, "%s: cannot open: %s", path, strerror(errno));
    struct stat sb;
    if (fstat(fileno(f), &sb) != 0 || !S_ISREG(sb.st_mode)) {
        fclose(f);
        return mg_err(e, "%s: not a regular file", path);
    }
    /* the size and the header first: a file they refuse (a sparse file of
     * gigabytes, say) is not read through */
    uint64_t len = (uint64_t)sb.st_size, hlen = 0, (*off)[2] = NULL;
    unsigned char len8[8] = {0}, *json = NULL, *data = NULL;
    size_t got = fread(len8, 1, 8, f);
    int rc = header_size(len8, got < 8 ? got : len, path, &hlen, e);
    if (rc == 0 && !(json = read_bytes(f, hlen, path, e))) rc = -1;
    if (rc == 0) rc = parse_header(st, path, json, hlen, e);
    if (rc == 0 && ((rc = parse_entries(st, path, len - 8 - hlen, &off, e)) < 0 || (check && check(st, ctx, e) < 0) ||
                    !(data = read_bytes(f, len - 8 - hlen, path, e)) || convert_all(st, data, off, path, e) < 0))
        rc = -1;
    if (rc != 0) mg_st_free(st);
    fclose(f);
    free(json);
    free(data);
    free(off);
    return rc;
}

int mg_st_read(MgSafetensors *st, const char *path, MgErr *e) { return mg_st_read_checked(st, path, NULL, NULL, e); }

void mg_st_free(MgSafetensors *st) {
    mg_json_free(&st->json);
    free(st->t);
    free(st->values);
    memset(st, 0, sizeof *st);
}

const MgStTensor *mg_st_find(const MgSafetensors *st, const char *name) {
    for (int i = 0; i < st->n; i++)
        if (strcmp(st->t[i].name, name) == 0) return &st->t[i];
    return NULL;
}

const char *mg_st_meta(const MgSafetensors *st, const char *key) {
    const MgJsonNode *v = mg_json_get(&st->json, st->meta, key);
    return v && v->type == MG_JSON_STRING ? v->str : NULL;
}
