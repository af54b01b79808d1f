/* dataset_npy.c: NumPy .npy files (format versions 1.0, 2.0, 3.0) into MgExamples.
 * Takes one file's bytes for one field: the magic, the header (a Python dict
 * literal: descr, fortran_order, shape) and the raw C-order data; hands on
 * the field's examples, checked.  Nothing in the file is trusted: every
 * length and product is checked before use. */
#include "mg_dataset.h"

#include "dataset_internal.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The header dict, as read. */
typedef struct NpyHeader {
    char descr[16];
    int have_descr, have_order, have_shape, fortran;
    int rank;
    uint64_t dims[MG_MAX_RANK + 2];
} NpyHeader;

typedef struct Lit {
    const char *s;
    size_t n, i;
} Lit;

static void skip_ws(Lit *l) {
    while (l->i < l->n && (l->s[l->i] == ' ' || l->s[l->i] == '\t' || l->s[l->i] == '\n' || l->s[l->i] == '\r'))
        l->i++;
}

static int eat(Lit *l, char c) {
    skip_ws(l);
    if (l->i < l->n && l->s[l->i] == c) {
        l->i++;
        return 1;
    }
    return 0;
}

/* A Python string literal without escapes ('...' or "..."), into buf. */
static int string_lit(Lit *l, char *buf, size_t cap) {
    skip_ws(l);
    if (l->i >= l->n || (l->s[l->i] != '\'' && l->s[l->i] != '"')) return -1;
    char q = l->s[l->i++];
    size_t w = 0;
    while (l->i < l->n && l->s[l->i] != q) {
        if (l->s[l->i] == '\\' || w + 1 >= cap) return -1;
        buf[w++] = l->s[l->i++];
    }
    if (l->i >= l->n) return -1;
    l->i++;
    buf[w] = '\0';
    return 0;
}

/* (d0, d1, ...) with an optional trailing comma (and Python 2's L). */
static int shape_lit(Lit *l, NpyHeader *h) {
    if (!eat(l, '(')) return -1;
    h->rank = 0;
    while (!eat(l, ')')) {
        skip_ws(l);
        size_t d0 = l->i;
        uint64_t v = 0;
        for (; l->i < l->n && l->s[l->i] >= '0' && l->s[l->i] <= '9'; l->i++) {
            if (v > (UINT64_MAX - 9) / 10) return -1;
            v = v * 10 + (uint64_t)(l->s[l->i] - '0');
        }
        if (l->i == d0 || h->rank == MG_MAX_RANK + 2) return -1;
        if (l->i < l->n && l->s[l->i] == 'L') l->i++;
        h->dims[h->rank++] = v;
        if (!eat(l, ',')) {
            if (!eat(l, ')')) return -1;
            break;
        }
    }
    return 0;
}

static int word(Lit *l, const char *w) {
    skip_ws(l);
    size_t k = strlen(w);
    if (l->n - l->i < k || memcmp(l->s + l->i, w, k) != 0) return 0;
    l->i += k;
    return 1;
}

/* The dict literal; -1 with why set when it is not one we read. */
static int parse_header(const char *s, size_t n, NpyHeader *h, const char **why) {
    Lit l = {s, n, 0};
    memset(h, 0, sizeof *h);
    *why = "the header is not a Python dict literal";
    if (!eat(&l, '{')) return -1;
    while (!eat(&l, '}')) {
        char key[32];
        if (string_lit(&l, key, sizeof key) < 0 || !eat(&l, ':')) return -1;
        if (strcmp(key, "descr") == 0) {
            skip_ws(&l);
            if (l.i < l.n && l.s[l.i] == '[') {
                *why = "it holds a structured array (a record dtype); only plain numbers are read";
                return -1;
            }
            if (string_lit(&l, h->descr, sizeof h->descr) < 0) return -1;
            h->have_descr = 1;
        } else if (strcmp(key, "fortran_order") == 0) {
            if (word(&l, "True")) h->fortran = 1;
            else if (!word(&l, "False")) return -1;
            h->have_order = 1;
        } else if (strcmp(key, "shape") == 0) {
            if (shape_lit(&l, h) < 0) {
                *why = "the header's shape is not a tuple of integers (of rank at most 6)";
                return -1;
            }
            h->have_shape = 1;
        } else {
            return -1;
        }
        if (!eat(&l, ',')) {
            if (!eat(&l, '}')) return -1;
            break;
        }
    }
    *why = "the header lacks 'descr', 'fortran_order' or 'shape'";
    return h->have_descr && h->have_order && h->have_shape ? 0 : -1;
}

/* descr ("<f8", "|u1", ">i4", "=f4", "|b1") to kind, size and byte order. */
static int dtype(const char *d, char *kind, int *size, int *big) {
    if (strlen(d) != 3 || !strchr("<>|=", d[0]) || !strchr("fiub", d[1])) return -1;
    *kind = d[1];
    *size = d[2] - '0';
    *big = d[0] == '>';
    if (*kind == 'f') return *size == 2 || *size == 4 || *size == 8 ? 0 : -1;
    if (*kind == 'b') return *size == 1 ? 0 : -1;
    return *size == 1 || *size == 2 || *size == 4 || *size == 8 ? 0 : -1;
}

static uint32_t le(const unsigned char *p, int k) {
    uint32_t v = 0;
    for (int b = k - 1; b >= 0; b--) v = v << 8 | p[b];
    return v;
}

int mg_examples_load_npy(MgExamples *x, const char *name, const unsigned char *buf, size_t len,
                         const MgField *field, MgErr *e) {
    memset(x, 0, sizeof *x);
    const char *fn = field->name;
    if (len < 10 || memcmp(buf, "\x93NUMPY", 6) != 0)
        return mg_err(e, "%s: not a NumPy .npy file (it does not start with \\x93NUMPY)", name);
    int major = buf[6];
    if (major < 1 || major > 3 || buf[7] != 0)
        return mg_err(e, "%s: .npy format version %d.%d; versions 1.0, 2.0 and 3.0 are read", name, major, buf[7]);
    size_t off = major == 1 ? 10 : 12;
    if (len < off) return mg_err(e, "%s: the file ends inside its header (truncated?)", name);
    size_t hlen = le(buf + 8, major == 1 ? 2 : 4);
    if (hlen > len - off)
        return mg_err(e, "%s: the header of %zu bytes goes past the end of the file (truncated?)", name, hlen);
    NpyHeader h;
    const char *why;
    if (parse_header((const char *)buf + off, hlen, &h, &why) < 0) return mg_err(e, "%s: array '%s': %s", name, fn, why);
    char kind;
    int size, big;
    if (dtype(h.descr, &kind, &size, &big) < 0) {
        char q[100];
        ds_quote(h.descr, strlen(h.descr), q, sizeof q);
        return mg_err(e, "%s: array '%s' has dtype '%s'; only numbers are read (f8 f4 f2 i8 i4 i2 i1 u8 u4 u2 u1 b1)",
                      name, fn, q);
    }
    if (ds_check_shape(name, "array", field, h.dims, h.rank, "()", e) < 0) return -1;
    if (h.fortran && field->rank >= 1)
        return mg_err(e, "%s: array '%s' is in Fortran order; save it in C order (np.ascontiguousarray)", name, fn);
    off += hlen;
    uint64_t n = h.dims[0];
    if (n > SIZE_MAX / 8 / field->size / (size_t)size)
        return mg_err(e, "%s: array '%s' is too large (%llu examples)", name, fn, (unsigned long long)n);
    size_t bytes = (size_t)n * field->size * (size_t)size;
    if (len - off != bytes)
        return mg_err(e, "%s: array '%s': its shape and dtype need %zu bytes of data, and the file has %zu%s", name,
                      fn, bytes, len - off, len - off < bytes ? " (truncated?)" : "");
    if (ds_start(x, name, field, 1, (size_t)n, e) < 0) return -1;
    ds_convert(buf + off, kind, size, big, (size_t)n * field->size, x->data[0]);
    x->n = (size_t)n;
    if (ds_check_values(x, 0, name, "array", e) < 0 || ds_lengths(x, e) < 0) {
        mg_examples_free(x);
        return -1;
    }
    return 0;
}
