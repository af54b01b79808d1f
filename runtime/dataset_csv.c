/* dataset_csv.c: CSV (RFC 4180) into MgExamples, in one pass over the bytes.
 * Takes the file's bytes and the model's fields; maps the header's columns
 * to field elements, then reads each row's numbers straight into the field
 * arrays.  Numbers take a fast exact path (Clinger's: at most 19 digits and
 * a power of ten up to 22) and strtod otherwise, so every value is the
 * correctly rounded double.  Every error names FILE:LINE:COLUMN (bytes). */
#include "mg_dataset.h"

#include "dataset_internal.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct Csv {
    const char *name;
    const char *s;
    size_t len, i;
    size_t line, line_start;   /* the current line and the offset it starts at */
    char *tmp;                 /* a quoted field, unescaped */
    size_t tmpcap;
} Csv;

/* Where header column c goes: element el of field f, or nowhere (f < 0). */
typedef struct Col {
    int f;
    size_t el;
    char *name;                /* for messages */
} Col;

static int at_eol(const Csv *c) { return c->i >= c->len || c->s[c->i] == '\n' || c->s[c->i] == '\r'; }

static void skip_eol(Csv *c) {
    if (c->i < c->len) c->i += c->s[c->i] == '\r' && c->i + 1 < c->len && c->s[c->i + 1] == '\n' ? 2 : 1;
    c->line++;
    c->line_start = c->i;
}

static size_t col_of(const Csv *c, size_t at) { return at - c->line_start + 1; }

static int put_tmp(Csv *c, size_t n, char ch) {
    if (n == c->tmpcap) {
        size_t nc = c->tmpcap ? c->tmpcap * 2 : 256;
        char *p = realloc(c->tmp, nc);
        if (!p) return -1;
        c->tmp = p, c->tmpcap = nc;
    }
    c->tmp[n] = ch;
    return 0;
}

/* The quoted field at c->i (its opening quote), unescaped into c->tmp. */
static int quoted(Csv *c, const char **p, size_t *n, MgErr *e) {
    size_t start = c->i, line = c->line, col = col_of(c, start), w = 0;
    c->i++;
    for (;;) {
        if (c->i >= c->len)
            return mg_err(e, "%s:%zu:%zu: the quote that opens this field is never closed", c->name, line, col);
        char ch = c->s[c->i++];
        if (ch == '"') {
            if (c->i < c->len && c->s[c->i] == '"') c->i++;
            else break;
        } else if (ch == '\n' || (ch == '\r' && !(c->i < c->len && c->s[c->i] == '\n'))) {
            c->line++;
            c->line_start = c->i;
        }
        if (put_tmp(c, w++, ch) < 0) return mg_err(e, "%s: out of memory", c->name);
    }
    if (!at_eol(c) && c->s[c->i] != ',')
        return mg_err(e, "%s:%zu:%zu: '%c' after the closing quote of a field (a field is either all quoted or "
                      "not at all)", c->name, c->line, col_of(c, c->i), c->s[c->i]);
    *p = c->tmp ? c->tmp : "";
    *n = w;
    return 0;
}

/* The field at c->i: its bytes (*p, *n) and its column; c->i ends on the
 * delimiter after it (',' or a line end) or at the end of the file. */
static int field(Csv *c, const char **p, size_t *n, size_t *col, MgErr *e) {
    *col = col_of(c, c->i);
    if (c->i < c->len && c->s[c->i] == '"') return quoted(c, p, n, e);
    size_t start = c->i;
    const char *s = c->s;
    while (c->i < c->len) {
        char ch = s[c->i];
        if (ch == ',' || ch == '\n' || ch == '\r') break;
        if (ch == '"')
            return mg_err(e, "%s:%zu:%zu: a quote inside a field that does not start with one", c->name, c->line,
                          col_of(c, c->i));
        c->i++;
    }
    *p = s + start;
    *n = c->i - start;
    return 0;
}

/* ---- numbers ---- */

static const double pow10_exact[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                                     1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

static int is_blank(char ch) { return ch == ' ' || ch == '\t'; }

/* s[0..n) as a decimal number, spaces and tabs around it allowed: 0, or -1
 * when it is not one, or -2 when it is out of a double's range. */
static int parse_number(const char *s, size_t n, double *v) {
    while (n > 0 && is_blank(s[n - 1])) n--;
    while (n > 0 && is_blank(*s)) s++, n--;
    size_t i = 0;
    int neg = 0, digits = 0, sig = 0;
    uint64_t m = 0;
    long e10 = 0;
    if (i < n && (s[i] == '+' || s[i] == '-')) neg = s[i++] == '-';
    for (; i < n && s[i] >= '0' && s[i] <= '9'; i++, digits++)
        if (m || s[i] != '0') {
            if (sig++ < 19) m = m * 10 + (uint64_t)(s[i] - '0');
            else e10++;
        }
    if (i < n && s[i] == '.') {
        for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++, digits++) {
            if (!m && s[i] == '0') e10--;
            else if (sig++ < 19) m = m * 10 + (uint64_t)(s[i] - '0'), e10--;
        }
    }
    if (digits == 0) return -1;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        int eneg = 0;
        long x = 0;
        size_t d0;
        if (++i < n && (s[i] == '+' || s[i] == '-')) eneg = s[i++] == '-';
        for (d0 = i; i < n && s[i] >= '0' && s[i] <= '9'; i++)
            if (x < 100000) x = x * 10 + (s[i] - '0');
        if (i == d0) return -1;
        e10 += eneg ? -x : x;
    }
    if (i != n) return -1;
    if (m == 0) {
        *v = neg ? -0.0 : 0.0;
        return 0;
    }
    if (sig <= 19 && m <= (UINT64_C(1) << 53) && e10 >= -22 && e10 <= 22) {
        double d = (double)m;
        d = e10 < 0 ? d / pow10_exact[-e10] : d * pow10_exact[e10];
        *v = neg ? -d : d;
        return 0;
    }
    char small[128], *buf = n < sizeof small ? small : malloc(n + 1);   /* the slow path: strtod */
    if (!buf) return -1;
    memcpy(buf, s, n);
    buf[n] = '\0';
    *v = strtod(buf, NULL);
    if (buf != small) free(buf);
    return isfinite(*v) ? 0 : -2;
}

/* The common case at full speed: a plain decimal at s[*i] that ends at a
 * delimiter and takes Clinger's exact path.  1 with *v and *i past it;
 * 0 (nothing moved) for anything else, which parse_number then reads. */
static inline int fast_number(const char *s, size_t len, size_t *i, double *v) {
    size_t k = *i;
    int neg = 0, sig = 0, digits = 0;
    uint64_t m = 0;
    long e10 = 0;
    if (k < len && (s[k] == '-' || s[k] == '+')) neg = s[k++] == '-';
    for (; k < len && (unsigned)(s[k] - '0') < 10; k++, digits++)
        if (m || s[k] != '0') m = m * 10 + (uint64_t)(s[k] - '0'), sig++;
    if (k < len && s[k] == '.')
        for (k++; k < len && (unsigned)(s[k] - '0') < 10; k++, digits++) {
            if (m || s[k] != '0') m = m * 10 + (uint64_t)(s[k] - '0'), sig++;
            e10--;
        }
    if (k < len && (s[k] == 'e' || s[k] == 'E')) {
        int eneg = 0;
        long x = 0;
        size_t d0;
        if (++k < len && (s[k] == '+' || s[k] == '-')) eneg = s[k++] == '-';
        for (d0 = k; k < len && (unsigned)(s[k] - '0') < 10 && x < 1000; k++) x = x * 10 + (s[k] - '0');
        if (k == d0) return 0;
        e10 += eneg ? -x : x;
    }
    if (digits == 0 || sig > 19 || m > (UINT64_C(1) << 53) || e10 < -22 || e10 > 22) return 0;
    if (k < len && s[k] != ',' && s[k] != '\n' && s[k] != '\r') return 0;
    double d = (double)m;
    d = e10 < 0 ? d / pow10_exact[-e10] : d * pow10_exact[e10];
    *v = neg ? -d : d;
    *i = k;
    return 1;
}

/* nan, inf, infinity, in any case, signed or not: for the message. */
static int is_nonfinite_word(const char *s, size_t n) {
    while (n > 0 && is_blank(s[n - 1])) n--;
    while (n > 0 && is_blank(*s)) s++, n--;
    if (n > 0 && (*s == '+' || *s == '-')) s++, n--;
    const char *words[] = {"nan", "inf", "infinity"};
    for (int w = 0; w < 3; w++) {
        size_t k = strlen(words[w]);
        if (n != k) continue;
        size_t j = 0;
        while (j < k && (s[j] | 0x20) == words[w][j]) j++;
        if (j == k) return 1;
    }
    return 0;
}

/* only blanks */
static int is_empty(const char *p, size_t n) {
    size_t k = 0;
    while (k < n && is_blank(p[k])) k++;
    return k == n;
}

/* The value of a field for column col (1-based byte column at). */
static int value(const Csv *c, const Col *k, const MgField *f, const char *p, size_t n, size_t line, size_t at,
                 double *v, MgErr *e) {
    char q[200], why[200];
    int rc = parse_number(p, n, v);
    if (rc == 0) {
        const char *bad = ds_bad_value(f, *v, why, sizeof why);
        if (!bad) return 0;
        return mg_err(e, "%s:%zu:%zu: column '%s': %s", c->name, line, at, k->name, bad);
    }
    ds_quote(p, n, q, sizeof q);
    size_t blank = 0;
    while (blank < n && is_blank(p[blank])) blank++;
    if (blank == n) return mg_err(e, "%s:%zu:%zu: column '%s' is empty; a number is needed", c->name, line, at,
                                  k->name);
    if (rc == -2 || is_nonfinite_word(p, n))
        return mg_err(e, "%s:%zu:%zu: column '%s': non-finite value '%s'", c->name, line, at, k->name, q);
    return mg_err(e, "%s:%zu:%zu: column '%s': '%s' is not a number", c->name, line, at, k->name, q);
}

/* ---- the header ---- */

/* "x", "x[3]", "x[1][2]", "x[1,2]": the base name's length, and the
 * indices (up to MG_MAX_RANK) in idx, their count in *nidx (-1: malformed). */
static size_t column_name(const char *s, size_t n, long *idx, int *nidx) {
    const char *br = memchr(s, '[', n);
    *nidx = 0;
    if (!br) return n;
    size_t base = (size_t)(br - s), i = base + 1;
    for (;;) {
        long v = 0;
        size_t d0 = i;
        while (i < n && is_blank(s[i])) i++;
        for (d0 = i; i < n && s[i] >= '0' && s[i] <= '9'; i++)
            if (v < 1000000000L) v = v * 10 + (s[i] - '0');
        while (i < n && is_blank(s[i])) i++;
        if (i == d0 || *nidx == MG_MAX_RANK) break;
        idx[(*nidx)++] = v;
        if (i < n && s[i] == ',') { i++; continue; }
        if (i + 1 < n && s[i] == ']' && s[i + 1] == '[') { i += 2; continue; }
        if (i + 1 == n && s[i] == ']') return base;
        break;
    }
    *nidx = -1;
    return base;
}

static void free_cols(Col *cols, size_t n) {
    for (size_t k = 0; k < n; k++) free(cols[k].name);
    free(cols);
}

/* Column k (name s[0..n), trimmed) into cols[k]: which field element it is. */
static int map_column(const Csv *c, Col *col, const char *s, size_t n, size_t at, const MgField *fields, int nfields,
                      MgErr *e) {
    long idx[MG_MAX_RANK];
    int nidx;
    size_t base = column_name(s, n, idx, &nidx);
    col->f = -1;
    for (int f = 0; f < nfields; f++) {
        const MgField *d = &fields[f];
        if (strlen(d->name) != base || memcmp(d->name, s, base) != 0) continue;
        char shp[120];
        ds_shape_str(d, shp, sizeof shp);
        if (nidx == 0 && d->rank == 0) {
            col->f = f, col->el = 0;
            return 0;
        }
        if (nidx == 0)
            return mg_err(e, "%s:%zu:%zu: column '%s': input '%s' is a tensor of shape %s: its columns are %s[0], "
                          "%s[1], ... (row-major)", c->name, c->line, at, col->name, d->name, shp, d->name, d->name);
        if (d->rank == 0)
            return mg_err(e, "%s:%zu:%zu: column '%s': input '%s' is a scalar: its column is '%s'", c->name, c->line,
                          at, col->name, d->name, d->name);
        size_t el = 0;
        int ok = nidx == 1 ? idx[0] >= 0 && (size_t)idx[0] < d->size : nidx == d->rank;
        if (nidx == 1 && ok) el = (size_t)idx[0];
        for (int a = 0; ok && nidx > 1 && a < d->rank; a++) {
            if (idx[a] >= d->shape[a]) ok = 0;
            el = el * (size_t)d->shape[a] + (size_t)idx[a];
        }
        if (!ok)
            return mg_err(e, "%s:%zu:%zu: column '%s' names no element of input '%s' of shape %s", c->name, c->line,
                          at, col->name, d->name, shp);
        col->f = f, col->el = el;
        return 0;
    }
    return 0;
}

/* The element name for messages: "x" or "x[k]". */
static void element_name(const MgField *f, size_t el, char *buf, size_t cap) {
    if (f->rank == 0) snprintf(buf, cap, "%s", f->name);
    else snprintf(buf, cap, "%s[%zu]", f->name, el);
}

/* Every element of every field has exactly one column. */
static int check_cover(const Csv *c, const Col *cols, size_t ncols, size_t hline, const MgField *fields, int nfields,
                       MgErr *e) {
    int rc = 0;
    for (int f = 0; f < nfields && rc == 0; f++) {
        size_t *seen = calloc(fields[f].size, sizeof *seen);   /* column + 1 */
        if (!seen) return mg_err(e, "%s: out of memory", c->name);
        for (size_t k = 0; k < ncols && rc == 0; k++) {
            if (cols[k].f != f) continue;
            if (seen[cols[k].el])
                rc = mg_err(e, "%s:%zu: columns '%s' (field %zu) and '%s' (field %zu) are the same element of '%s'",
                            c->name, hline, cols[seen[cols[k].el] - 1].name, seen[cols[k].el], cols[k].name, k + 1,
                            fields[f].name);
            seen[cols[k].el] = k + 1;
        }
        for (size_t el = 0; el < fields[f].size && rc == 0; el++)
            if (!seen[el]) {
                char want[200], shp[120];
                element_name(&fields[f], el, want, sizeof want);
                ds_shape_str(&fields[f], shp, sizeof shp);
                rc = fields[f].rank ? mg_err(e, "%s:%zu: the header has no column '%s' (input '%s' of shape %s needs "
                                             "one column per element)", c->name, hline, want, fields[f].name, shp)
                                    : mg_err(e, "%s:%zu: the header has no column '%s'", c->name, hline, want);
            }
        free(seen);
    }
    return rc;
}

/* The header line: one Col per column. */
static int header(Csv *c, Col **colsp, size_t *ncolsp, const MgField *fields, int nfields, MgErr *e) {
    size_t ncols = 0, cap = 0, hline = c->line;
    Col *cols = NULL;
    int rc = 0;
    for (;;) {
        const char *p;
        size_t n, at;
        if ((rc = field(c, &p, &n, &at, e)) < 0) break;
        if (ncols == cap) {
            Col *q = realloc(cols, (cap = cap ? cap * 2 : 16) * sizeof *q);
            if (!q) { rc = mg_err(e, "%s: out of memory", c->name); break; }
            cols = q;
        }
        while (n > 0 && is_blank(p[n - 1])) n--;
        while (n > 0 && is_blank(*p)) p++, n--;
        Col *k = &cols[ncols++];
        k->name = malloc(n + 1);
        k->f = -1;
        if (!k->name) { rc = mg_err(e, "%s: out of memory", c->name); break; }
        memcpy(k->name, p, n);
        k->name[n] = '\0';
        if (memchr(p, '\0', n)) { rc = mg_err(e, "%s:%zu:%zu: a NUL byte in the header", c->name, c->line, at); break; }
        if ((rc = map_column(c, k, p, n, at, fields, nfields, e)) < 0) break;
        if (at_eol(c)) break;
        c->i++;   /* ',' */
    }
    if (rc == 0) rc = check_cover(c, cols, ncols, hline, fields, nfields, e);
    if (rc < 0) {
        free_cols(cols, ncols);
        return -1;
    }
    skip_eol(c);
    *colsp = cols;
    *ncolsp = ncols;
    return 0;
}

/* ---- rows ---- */

static int row(Csv *c, MgExamples *x, const Col *cols, size_t ncols, MgErr *e) {
    size_t ex = x->n;
    x->row[ex] = c->line;
    for (size_t k = 0; k < ncols; k++) {
        if (k > 0) {
            if (at_eol(c))
                return mg_err(e, "%s:%zu:%zu: this row has %zu field%s; the header has %zu", c->name, c->line,
                              col_of(c, c->i), k, k == 1 ? "" : "s", ncols);
            c->i++;   /* ',' */
        }
        const Col *col = &cols[k];
        double *dst = col->f >= 0 ? &x->data[col->f][ex * x->fields[col->f].size + col->el] : NULL;
        size_t start = c->i;
        if (dst && fast_number(c->s, c->len, &c->i, dst)) {   /* finite: check only labels */
            if (!x->fields[col->f].is_int || (*dst == floor(*dst) && *dst >= 0 && *dst < (double)x->fields[col->f].range))
                continue;
            c->i = start;
        }
        const char *p;
        size_t n, at, line = c->line;
        if (field(c, &p, &n, &at, e) < 0) return -1;
        if (dst && x->fields[col->f].runtime_len && is_empty(p, n)) *dst = NAN;   /* a missing row: ds_lengths */
        else if (dst && value(c, col, &x->fields[col->f], p, n, line, at, dst, e) < 0) return -1;
    }
    if (!at_eol(c))
        return mg_err(e, "%s:%zu:%zu: this row has more fields than the header's %zu", c->name, c->line,
                      col_of(c, c->i), ncols);
    skip_eol(c);
    x->n++;
    return 0;
}

int mg_examples_load_csv(MgExamples *x, const char *name, const char *buf, size_t len, const MgField *fields,
                         int nfields, MgErr *e) {
    Csv c = {name, buf, len, 0, 1, 0, NULL, 0};
    if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0) c.i = c.line_start = 3;
    while (c.i < c.len && at_eol(&c)) skip_eol(&c);
    if (c.i >= c.len) {
        memset(x, 0, sizeof *x);
        return mg_err(e, "%s: the file is empty (a CSV file starts with a header naming its columns)", name);
    }
    /* room for the rows the first MiB promises (+ 5%), doubled when that was
     * too few, and never more than the text can hold (a byte and a
     * separator a value) */
    size_t values = 0, sample = len - c.i < ((size_t)1 << 20) ? len - c.i : (size_t)1 << 20, lines = 0;
    for (const char *q = buf + c.i; (q = memchr(q, '\n', sample - (size_t)(q - buf - c.i))) != NULL; q++) lines++;
    size_t cap = lines ? (size_t)((double)lines * ((double)(len - c.i) / (double)sample) * 1.05) + 16 : 65536;
    for (int f = 0; f < nfields; f++) values += fields[f].size;
    if (values > 0 && cap > len / (2 * values) + 1) cap = len / (2 * values) + 1;
    if (ds_start(x, name, fields, nfields, cap, e) < 0) return -1;
    Col *cols = NULL;
    size_t ncols = 0;
    int rc = header(&c, &cols, &ncols, x->fields, nfields, e);
    while (rc == 0 && c.i < c.len) {
        if (at_eol(&c)) {   /* a blank line */
            skip_eol(&c);
            continue;
        }
        if (x->n == cap && ds_reserve(x, cap *= 2) < 0) rc = mg_err(e, "%s: out of memory", name);
        if (rc == 0) rc = row(&c, x, cols, ncols, e);
    }
    if (rc == 0 && x->n == 0) rc = mg_err(e, "%s: no examples: the file has only its header", name);
    if (rc == 0) ds_shrink(x);
    if (rc == 0) rc = ds_lengths(x, e);
    if (cols) free_cols(cols, ncols);
    free(c.tmp);
    if (rc < 0) mg_examples_free(x);
    return rc;
}
