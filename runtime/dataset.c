/* dataset.c: the MgExamples every reader fills, and what is done with it.
 * Takes a path and the model's fields; picks the reader by what the path is,
 * reads the whole file and hands on checked examples; splits and frees them.
 * Invariant: an MgExamples is either empty (all zero) or whole. */
#define _DEFAULT_SOURCE   /* madvise's MADV_HUGEPAGE */
#include "mg_dataset.h"

#include "dataset_internal.h"
#include "mg_data.h"
#include "mg_rng.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static char *dup_str(const char *s) {
    size_t n = strlen(s) + 1;
    char *p = malloc(n);
    if (p) memcpy(p, s, n);
    return p;
}

void mg_examples_free(MgExamples *x) {
    if (!x) return;
    for (int f = 0; f < x->nfields; f++) {
        if (x->fields) free((char *)x->fields[f].name);
        if (x->data) free(x->data[f]);
    }
    free(x->fields);
    free(x->data);
    free(x->row);
    free(x->T);
    free(x->source);
    memset(x, 0, sizeof *x);
}

void ds_shape_str(const MgField *f, char *buf, size_t cap) {
    size_t w = (size_t)snprintf(buf, cap, "[");
    for (int d = 0; d < f->rank && w < cap; d++) w += (size_t)snprintf(buf + w, cap - w, d ? ", %d" : "%d", f->shape[d]);
    if (w < cap) snprintf(buf + w, cap - w, "]");
}

void ds_quote(const char *s, size_t n, char *buf, size_t cap) {
    size_t w = 0;
    for (size_t i = 0; i < n && i < 40 && w + 8 < cap; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7f) w += (size_t)snprintf(buf + w, cap - w, "\\x%02X", c);
        else buf[w++] = (char)c;
    }
    if (n > 40 && w + 4 < cap) memcpy(buf + w, "...", 3), w += 3;
    buf[w < cap ? w : cap - 1] = '\0';
}

const char *ds_bad_value(const MgField *f, double v, char *buf, size_t cap) {
    if (!isfinite(v)) {
        snprintf(buf, cap, "non-finite value %s", isnan(v) ? "nan" : v > 0 ? "inf" : "-inf");
        return buf;
    }
    if (!f->is_int) return NULL;
    if (v != floor(v)) snprintf(buf, cap, "%.17g is not an integer ('%s' takes integers in [0, %ld))", v, f->name,
                                f->range);
    else if (v < 0 || v >= (double)f->range)
        snprintf(buf, cap, "%.17g is outside [0, %ld), the range of '%s'", v, f->range, f->name);
    else return NULL;
    return buf;
}

/* The fields make sense: names, ranks, sizes the product of the shapes. */
static int check_fields(const char *src, const MgField *fields, int nfields, MgErr *e) {
    if (nfields < 1) return mg_err(e, "%s: the model declares no inputs to read", src);
    for (int f = 0; f < nfields; f++) {
        const MgField *d = &fields[f];
        size_t size = 1;
        if (!d->name || !*d->name) return mg_err(e, "%s: input %d has no name", src, f);
        if (d->rank < 0 || d->rank > MG_MAX_RANK)
            return mg_err(e, "%s: input '%s' has rank %d (at most %d)", src, d->name, d->rank, MG_MAX_RANK);
        for (int k = 0; k < d->rank; k++) {
            if (d->shape[k] < 1 || size > SIZE_MAX / 16 / (size_t)d->shape[k])
                return mg_err(e, "%s: input '%s' has a bad extent %d", src, d->name, d->shape[k]);
            size *= (size_t)d->shape[k];
        }
        if (size != d->size)
            return mg_err(e, "%s: input '%s' has size %zu, not the product of its shape %zu", src, d->name, d->size,
                          size);
        if (d->is_int && d->range < 1) return mg_err(e, "%s: input '%s' has range %ld", src, d->name, d->range);
        for (int g = 0; g < f; g++)
            if (strcmp(fields[g].name, d->name) == 0) return mg_err(e, "%s: input '%s' appears twice", src, d->name);
    }
    return 0;
}

void *ds_alloc(size_t n) {
    if (n < ((size_t)8 << 20)) return malloc(n ? n : 1);
    void *p;
    if (posix_memalign(&p, (size_t)2 << 20, n) != 0) return NULL;
#ifdef MADV_HUGEPAGE
    madvise(p, n & ~(((size_t)2 << 20) - 1), MADV_HUGEPAGE);   /* advice: failure is harmless */
#endif
    return p;
}

int ds_reserve(MgExamples *x, size_t cap) {
    if (cap < x->n) return -1;
    if (cap == 0) cap = 1;
    if (cap > SIZE_MAX / sizeof(size_t)) return -1;
    for (int f = 0; f < x->nfields; f++) {
        size_t size = x->fields[f].size;
        if (cap > SIZE_MAX / sizeof(double) / size) return -1;
        double *p = ds_alloc(cap * size * sizeof *p);
        if (!p) return -1;
        if (x->data[f]) memcpy(p, x->data[f], x->n * size * sizeof *p);
        free(x->data[f]);
        x->data[f] = p;
    }
    size_t *r = ds_alloc(cap * sizeof *r);
    if (!r) return -1;
    if (x->row) memcpy(r, x->row, x->n * sizeof *r);
    free(x->row);
    x->row = r;
    return 0;
}

void ds_shrink(MgExamples *x) {
    size_t n = x->n ? x->n : 1;
    for (int f = 0; f < x->nfields; f++) {
        double *p = realloc(x->data[f], n * x->fields[f].size * sizeof *p);
        if (p) x->data[f] = p;
    }
    size_t *r = realloc(x->row, n * sizeof *r);
    if (r) x->row = r;
}

int ds_start(MgExamples *x, const char *source, const MgField *fields, int nfields, size_t cap, MgErr *e) {
    memset(x, 0, sizeof *x);
    if (check_fields(source, fields, nfields, e) < 0) return -1;
    x->source = dup_str(source);
    x->fields = calloc((size_t)nfields, sizeof *x->fields);
    x->data = calloc((size_t)nfields, sizeof *x->data);
    if (!x->source || !x->fields || !x->data) goto oom;
    x->nfields = nfields;
    for (int f = 0; f < nfields; f++) {
        x->fields[f] = fields[f];
        if (!(x->fields[f].name = dup_str(fields[f].name))) goto oom;
    }
    if (ds_reserve(x, cap) < 0) goto oom;
    memset(x->row, 0, (cap ? cap : 1) * sizeof *x->row);
    return 0;
oom:
    mg_examples_free(x);
    return mg_err(e, "%s: out of memory", source);
}

/* ---- files ---- */

/* The whole regular file, at most max bytes (NULL after a message). */
static unsigned char *read_file(const char *path, size_t max, size_t *len, MgErr *e) {
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        mg_err(e, "%s: cannot open: %s", path, strerror(errno));
        return NULL;
    }
    struct stat st;
    unsigned char *buf = NULL;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) mg_err(e, "%s: not a regular file", path);
    else if ((uintmax_t)st.st_size > max)
        mg_err(e, "%s: %jd bytes is more than the limit of %zu MiB on data files (--max-data)", path,
               (intmax_t)st.st_size, max >> 20);
    else if (!(buf = ds_alloc((size_t)st.st_size + 1))) mg_err(e, "%s: out of memory", path);
    size_t n = 0, want = buf ? (size_t)st.st_size : 0;
    while (buf && n < want) {
        ssize_t k = read(fd, buf + n, want - n);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) {
            if (k < 0) mg_err(e, "%s: cannot read: %s", path, strerror(errno));
            else mg_err(e, "%s: the file changed while it was read", path);
            free(buf);
            buf = NULL;
        } else {
            n += (size_t)k;
        }
    }
    close(fd);
    if (buf) buf[n] = 0, *len = n;
    return buf;
}

static int ends_with(const char *s, const char *suffix) {
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

enum { KIND_CSV, KIND_NPY, KIND_ST };

static int load_one(MgExamples *x, const char *path, const MgField *fields, int nfields, size_t max, int kind,
                    MgErr *e) {
    size_t len;
    unsigned char *buf = read_file(path, max, &len, e);
    if (!buf) return -1;
    int rc = kind == KIND_NPY ? mg_examples_load_npy(x, path, buf, len, fields, e)
           : kind == KIND_ST  ? mg_examples_load_safetensors(x, path, buf, len, fields, nfields, e)
                              : mg_examples_load_csv(x, path, (const char *)buf, len, fields, nfields, e);
    free(buf);
    return rc;
}

/* DIR/NAME.npy for every field, the same number of examples in each. */
static int load_dir(MgExamples *x, const char *dir, const MgField *fields, int nfields, size_t max, MgErr *e) {
    MgExamples part;
    if (ds_start(x, dir, fields, nfields, 0, e) < 0) return -1;
    char *first = NULL;
    int rc = 0;
    for (int f = 0; f < nfields && rc == 0; f++) {
        size_t n = strlen(dir) + strlen(fields[f].name) + 6;
        char *p = malloc(n);
        if (!p) {
            rc = mg_err(e, "%s: out of memory", dir);
            break;
        }
        snprintf(p, n, "%s/%s.npy", dir, fields[f].name);
        struct stat st;
        if (stat(p, &st) != 0 && errno == ENOENT)
            rc = mg_err(e, "%s: no file %s.npy for input '%s'", dir, fields[f].name, fields[f].name);
        else if ((rc = load_one(&part, p, &fields[f], 1, max, KIND_NPY, e)) == 0) {
            if (f > 0 && part.n != x->n)
                rc = mg_err(e, "%s: %zu examples, but %s has %zu", p, part.n, first, x->n);
            if (rc == 0) {
                free(x->data[f]);
                x->data[f] = part.data[0];
                part.data[0] = NULL;
                x->n = part.n;
            }
            mg_examples_free(&part);
        }
        if (f == 0) first = p;
        else free(p);
    }
    free(first);
    if (rc == 0) {
        size_t *row = calloc(x->n, sizeof *row);
        if (!row) rc = mg_err(e, "%s: out of memory", dir);
        free(x->row);
        x->row = row;
    }
    if (rc == 0) rc = ds_lengths(x, e);    /* across the files: the same T for every input */
    if (rc < 0) mg_examples_free(x);
    return rc;
}

int mg_examples_load_max(MgExamples *x, const char *path, const MgField *fields, int nfields, size_t max,
                         MgErr *e) {
    memset(x, 0, sizeof *x);
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) return load_dir(x, path, fields, nfields, max, e);
    if (ends_with(path, ".npy")) {
        if (nfields != 1)
            return mg_err(e, "%s: a .npy file holds one array, and the model has %d inputs: give a directory "
                          "holding NAME.npy for each", path, nfields);
        return load_one(x, path, fields, nfields, max, KIND_NPY, e);
    }
    return load_one(x, path, fields, nfields, max, ends_with(path, ".safetensors") ? KIND_ST : KIND_CSV, e);
}

int mg_examples_load(MgExamples *x, const char *path, const MgField *fields, int nfields, MgErr *e) {
    return mg_examples_load_max(x, path, fields, nfields, MG_DATA_MAX_BYTES, e);
}

/* ---- lengths ---- */

/* "FILE:LINE" (a CSV row) or "FILE: example I" */
static void where(const MgExamples *x, size_t i, char *buf, size_t cap) {
    if (x->row && x->row[i]) snprintf(buf, cap, "%s:%zu", x->source, x->row[i]);
    else snprintf(buf, cap, "%s: example %zu", x->source, i);
}

int ds_lengths(MgExamples *x, MgErr *e) {
    int any = 0;
    for (int f = 0; f < x->nfields; f++) any |= x->fields[f].runtime_len && x->fields[f].rank > 0;
    if (!any) return 0;
    free(x->T);
    if (!(x->T = malloc((x->n ? x->n : 1) * sizeof *x->T))) return mg_err(e, "%s: out of memory", x->source);
    char at[400];
    for (size_t i = 0; i < x->n; i++) {
        int T = -1;
        const char *first = NULL;
        for (int f = 0; f < x->nfields; f++) {
            const MgField *d = &x->fields[f];
            if (!d->runtime_len || d->rank == 0) continue;
            size_t rows = (size_t)d->shape[0], r = d->size / rows, k = 0, nan = 0;
            const double *v = x->data[f] + i * d->size;
            while (k < rows) {
                nan = 0;
                for (size_t j = 0; j < r; j++) nan += isnan(v[k * r + j]) != 0;
                if (nan) break;
                k++;
            }
            where(x, i, at, sizeof at);
            if (k < rows && nan != r)
                return mg_err(e, "%s: input '%s': row %zu is partly missing (%zu of its %zu values); a row is "
                              "given whole or left out", at, d->name, k, nan, r);
            for (size_t t = k + 1; t < rows; t++)
                for (size_t j = 0; j < r; j++)
                    if (!isnan(v[t * r + j]))
                        return mg_err(e, "%s: input '%s': row %zu is given after row %zu was left out; an "
                                      "example's rows are its first T", at, d->name, t, k);
            if (k == 0)
                return mg_err(e, "%s: input '%s' has no rows; an example holds at least one", at, d->name);
            if (T >= 0 && (int)k != T)
                return mg_err(e, "%s: input '%s' has %zu rows, but '%s' has %d; inputs of the same runtime "
                              "length T have the same rows", at, d->name, k, first, T);
            T = (int)k;
            first = d->name;
        }
        x->T[i] = T;
    }
    return 0;
}

/* ---- splitting ---- */

int mg_examples_select(MgExamples *to, const MgExamples *from, const size_t *idx, size_t n, MgErr *e) {
    if (ds_start(to, from->source, from->fields, from->nfields, n, e) < 0) return -1;
    for (size_t i = 0; i < n; i++) {
        for (int f = 0; f < from->nfields; f++) {
            size_t size = from->fields[f].size;
            memcpy(to->data[f] + i * size, from->data[f] + idx[i] * size, size * sizeof(double));
        }
        to->row[i] = from->row[idx[i]];
    }
    to->n = n;
    if (from->T) {
        if (!(to->T = malloc((n ? n : 1) * sizeof *to->T))) {
            mg_examples_free(to);
            return mg_err(e, "%s: out of memory", from->source);
        }
        for (size_t i = 0; i < n; i++) to->T[i] = from->T[idx[i]];
    }
    return 0;
}

static int cmp_size(const void *a, const void *b) {
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return x < y ? -1 : x > y;
}

int mg_examples_split(const MgExamples *all, double fraction, uint64_t seed, MgExamples *train, MgExamples *val,
                      MgErr *e) {
    memset(train, 0, sizeof *train);
    memset(val, 0, sizeof *val);
    if (!(fraction > 0 && fraction < 1))
        return mg_err(e, "%s: a validation fraction of %g; it must be between 0 and 1", all->source, fraction);
    size_t n = all->n, k = (size_t)floor(fraction * (double)n + 0.5);
    if (k < 1 || k >= n)
        return mg_err(e, "%s: a validation fraction of %g of %zu examples leaves %zu for validation and %zu for "
                      "training; each needs at least one", all->source, fraction, n, k, n - k);
    size_t *idx = malloc(n * sizeof *idx);
    if (!idx) return mg_err(e, "%s: out of memory", all->source);
    for (size_t i = 0; i < n; i++) idx[i] = i;
    MgRng r;
    mg_rng_seed(&r, seed);
    mg_rng_shuffle(&r, idx, n, sizeof *idx);
    qsort(idx, k, sizeof *idx, cmp_size);
    qsort(idx + k, n - k, sizeof *idx, cmp_size);
    int rc = mg_examples_select(val, all, idx, k, e);
    if (rc == 0 && (rc = mg_examples_select(train, all, idx + k, n - k, e)) < 0) mg_examples_free(val);
    free(idx);
    return rc;
}

/* ---- values of arrays ---- */

static double half_to_double(unsigned h) {
    int ex = (int)(h >> 10 & 0x1f);
    unsigned mant = h & 0x3ff;
    double v = ex == 0 ? ldexp(mant, -24) : ex == 31 ? (mant ? NAN : INFINITY) : ldexp(mant | 0x400, ex - 25);
    return h & 0x8000 ? -v : v;
}

void ds_convert(const unsigned char *p, char kind, int size, int big, size_t count, double *out) {
    for (size_t i = 0; i < count; i++, p += size) {
        uint64_t u = 0;
        for (int b = 0; b < size; b++) u = u << 8 | p[big ? b : size - 1 - b];
        double v;
        if (kind == 'b') v = u != 0;
        else if (kind == 'u') v = (double)u;
        else if (kind == 'i') v = size == 8 ? (double)(int64_t)u : (double)((int64_t)(u << (64 - 8 * size)) >> (64 - 8 * size));
        else if (size == 8) memcpy(&v, &u, 8);
        else if (size == 4 || kind == 'h') {
            uint32_t w = kind == 'h' ? (uint32_t)u << 16 : (uint32_t)u;
            float fl;
            memcpy(&fl, &w, 4);
            v = fl;
        } else v = half_to_double((unsigned)u);
        out[i] = v;
    }
}

int ds_check_values(const MgExamples *x, int f, const char *name, const char *what, MgErr *e) {
    const MgField *d = &x->fields[f];
    char why[200];
    for (size_t i = 0; i < x->n * d->size; i++) {
        if (d->runtime_len && isnan(x->data[f][i])) continue;    /* a missing row: ds_lengths */
        const char *bad = ds_bad_value(d, x->data[f][i], why, sizeof why);
        if (!bad) continue;
        char at[200];
        size_t w = (size_t)snprintf(at, sizeof at, "[%zu", i / d->size), rest = i % d->size, stride = d->size;
        for (int a = 0; a < d->rank; a++) {
            stride /= (size_t)d->shape[a];
            w += (size_t)snprintf(at + w, sizeof at - w, ", %zu", rest / stride);
            rest %= stride;
        }
        snprintf(at + w, sizeof at - w, "]");
        return mg_err(e, "%s: %s '%s' at %s: %s", name, what, d->name, at, bad);
    }
    return 0;
}

int ds_check_shape(const char *name, const char *what, const MgField *f, const uint64_t *dims, int rank,
                   const char *brackets, MgErr *e) {
    int ok = rank == f->rank + 1;
    for (int a = 0; ok && a < f->rank; a++) ok = dims[a + 1] == (uint64_t)f->shape[a];
    if (ok && dims[0] > 0) return 0;
    char have[300], want[200];
    size_t w = (size_t)snprintf(have, sizeof have, "%c", brackets[0]);
    for (int a = 0; a < rank && w < sizeof have; a++)
        w += (size_t)snprintf(have + w, sizeof have - w, a ? ", %llu" : "%llu", (unsigned long long)dims[a]);
    if (w < sizeof have) snprintf(have + w, sizeof have - w, "%s%c", rank == 1 && brackets[0] == '(' ? "," : "",
                                  brackets[1]);
    w = (size_t)snprintf(want, sizeof want, "%cN", brackets[0]);
    for (int a = 0; a < f->rank && w < sizeof want; a++) w += (size_t)snprintf(want + w, sizeof want - w, ", %d", f->shape[a]);
    if (w < sizeof want) snprintf(want + w, sizeof want - w, "%s%c", f->rank == 0 && brackets[0] == '(' ? "," : "",
                                  brackets[1]);
    if (ok) return mg_err(e, "%s: %s '%s' holds no examples (shape %s)", name, what, f->name, have);
    return mg_err(e, "%s: %s '%s' has shape %s; input '%s' needs %s, with N examples first", name, what, f->name, have,
                  f->name, want);
}
