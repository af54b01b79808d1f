/* data.c: reads the whole text in one pass into one code point array.
 * Takes a file or buffer; hands on MgDocs (stripped, non-empty lines) and MgVocab.
 * Invariants: every doc is non-empty and holds no NUL; cps is one allocation
 * (a large file's cps, docs and bytes share one mapping on huge pages). */
#define _DEFAULT_SOURCE     /* MAP_ANONYMOUS, MAP_NORESERVE, MADV_HUGEPAGE */
#include "mg_data.h"

#include "mg_utf8.h"

#include <errno.h>
#include <fcntl.h>
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

/* The message for byte c at line:col, a NUL or the start of invalid UTF-8. */
static int bad_byte(MgErr *e, const char *name, size_t line, size_t col, unsigned c) {
    if (c == 0) return mg_err(e, "%s:%zu: NUL byte at column %zu", name, line, col);
    return mg_err(e, "%s:%zu: invalid UTF-8 (byte 0x%02X at column %zu)", name, line, c, col);
}

/* ---- a large file's one mapping ---- */

/* A mapping that a loader carves its arrays from, in order.  A 4 KiB page
 * fault costs 10 to 45 us on some virtual machines (a names.txt of 228 KB
 * touches 1.8 MB: about 440 faults), so a large file's bytes, code points and
 * documents go on transparent huge pages: a few faults for all of them.
 * Untouched parts of the mapping cost nothing. */
typedef struct Region {
    char *base;
    size_t size, used;
} Region;

enum { HUGE_PAGE = 2 << 20 };

/* Map at least `size` bytes, 2 MiB aligned, advised onto huge pages; 0, or
 * -1 (g->base NULL: the caller mallocs instead). */
static int region_map(Region *g, size_t size) {
    memset(g, 0, sizeof *g);
    size = (size + HUGE_PAGE - 1) / HUGE_PAGE * HUGE_PAGE;
    char *p = mmap(NULL, size + HUGE_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) return -1;
    size_t head = (size_t)(-(uintptr_t)p & (HUGE_PAGE - 1));
    if (head) munmap(p, head);
    if (HUGE_PAGE - head) munmap(p + head + size, HUGE_PAGE - head);
    g->base = p + head;
    g->size = size;
#ifdef MADV_HUGEPAGE
    madvise(g->base, size, MADV_HUGEPAGE);     /* advice: without it, small pages */
#endif
    return 0;
}

/* The next n bytes of g (64-byte aligned), or NULL when they do not fit. */
static void *region_take(Region *g, size_t n) {
    size_t at = (g->used + 63) & ~(size_t)63;
    if (!g->base || at > g->size || n > g->size - at) return NULL;
    g->used = at + n;
    return g->base + at;
}

/* The most documents len bytes can hold: each needs a character and all but
 * the last a line end. */
static size_t max_docs(size_t len) { return len / 2 + 1; }

/* Append doc {off, len, line} to d->docs, growing by doubling (in a region
 * the capacity is max_docs, never reached). */
static int push_doc(MgDocs *d, size_t *cap, size_t off, size_t len, size_t line) {
    if (d->n == *cap) {
        if (d->arena) return -1;
        size_t nc = *cap ? *cap * 2 : 1024;
        MgDoc *p = realloc(d->docs, nc * sizeof *p);
        if (!p) return -1;
        d->docs = p;
        *cap = nc;
    }
    d->docs[d->n].off = off;
    d->docs[d->n].len = len;
    d->docs[d->n].line = line;
    d->n++;
    return 0;
}

/* Close the line whose code points are cps[start..w): record it if not blank.
 * Returns the write position for the next line. */
static size_t end_line(MgDocs *d, size_t *cap, size_t start, size_t w, size_t line, int *oom) {
    size_t a = start, b = w;
    while (a < b && mg_utf8_isspace(d->cps[a])) a++;
    while (b > a && mg_utf8_isspace(d->cps[b - 1])) b--;
    if (a == b) return start;                 /* blank: reuse the space */
    if (push_doc(d, cap, a, b - a, line) < 0) *oom = 1;
    return w;
}

/* The lines of buf; in region g (which d then owns) when g holds one. */
static int load_lines(MgDocs *d, const char *name, const char *buf, size_t len, Region *g, MgErr *e) {
    memset(d, 0, sizeof *d);
    if (len == 0) {
        if (g && g->base) munmap(g->base, g->size);
        return mg_err(e, "%s: file is empty", name);
    }
    size_t cap = 0;
    d->name = dup_str(name);
    if (g && g->base) {
        d->arena = g->base;
        d->arena_size = g->size;
        d->cps = region_take(g, len * sizeof *d->cps);
        d->docs = region_take(g, max_docs(len) * sizeof *d->docs);
        cap = max_docs(len);
    } else {
        d->cps = malloc(len * sizeof *d->cps);
    }
    if (!d->name || !d->cps || (d->arena && !d->docs)) goto oom;
    const unsigned char *s = (const unsigned char *)buf;
    size_t w = 0, start = 0, i = 0, line_start = 0, line = 1;
    int nomem = 0;
    while (i < len) {
        unsigned c = s[i];
        if (c == '\n' || c == '\r') {
            i += (c == '\r' && i + 1 < len && s[i + 1] == '\n') ? 2 : 1;
            w = start = end_line(d, &cap, start, w, line, &nomem);
            line++;
            line_start = i;
            continue;
        }
        if (c < 0x80 && c != 0) { d->cps[w++] = c; i++; continue; }
        uint32_t cp;
        int k = c ? mg_utf8_decode(s + i, len - i, &cp) : 0;
        if (k == 0) {
            mg_data_free(d);
            return bad_byte(e, name, line, i - line_start + 1, c);
        }
        d->cps[w++] = cp;
        i += (size_t)k;
    }
    end_line(d, &cap, start, w, line, &nomem);
    if (nomem) goto oom;
    if (d->n == 0) {
        mg_data_free(d);
        return mg_err(e, "%s: no documents (every line is blank)", name);
    }
    return 0;
oom:
    mg_data_free(d);
    return mg_err(e, "%s: out of memory", name);
}

int mg_data_load_buffer(MgDocs *d, const char *name, const char *buf, size_t len, MgErr *e) {
    return load_lines(d, name, buf, len, NULL, e);
}

/* How far a file being read has been checked: bytes [0, pos) are UTF-8
 * without NUL, on lines 1..line, the last one starting at byte line_start. */
typedef struct Scan {
    size_t pos, line, line_start;
} Scan;

/* Check s[sc->pos, n) as the bytes arrive, with the loaders' line count
 * (\n, \r\n, \r) and messages.  Unless at_end, a sequence or '\r' that may
 * go on past n is left for the next call. */
static int scan(Scan *sc, const char *name, const unsigned char *s, size_t n, int at_end, MgErr *e) {
    size_t i = sc->pos;
    while (i < n) {
        unsigned c = s[i];
        uint32_t cp;
        int k = 1;
        if (!at_end && n - i < 4 && (c == '\r' || c >= 0x80)) break;
        if (c == '\r' || c == '\n') {
            k = c == '\r' && i + 1 < n && s[i + 1] == '\n' ? 2 : 1;
            sc->line++;
            sc->line_start = i + (size_t)k;
        } else if (c == 0 || (c >= 0x80 && (k = mg_utf8_decode(s + i, n - i, &cp)) == 0)) {
            return bad_byte(e, name, sc->line, i - sc->line_start + 1, c);
        }
        i += (size_t)k;
    }
    sc->pos = i;
    return 0;
}

/* Read a whole file into a malloc'd buffer, at most max bytes: a longer
 * regular file is refused before reading, a stream once it passes the limit.
 * A stream's UTF-8 is checked as it comes (a stream of garbage stops at its
 * first bad byte); a regular file is read in one piece and left to the
 * loader's own check (the same messages), so its bytes are scanned once. */
static char *read_all(const char *path, size_t max, size_t *len, Region *g, size_t per_byte, MgErr *e) {
    enum { CHUNK = 1 << 16 };
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        mg_err(e, "%s: cannot open: %s", path, strerror(errno));
        return NULL;
    }
    struct stat st;
    size_t cap = CHUNK, n = 0, mib = max >> 20;
    int regular = fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
    if (regular && (uintmax_t)st.st_size > max) {
        mg_err(e, "%s: %jd bytes is more than the limit of %zu MiB on data files (--max-data)", path,
               (intmax_t)st.st_size, mib);
        close(fd);
        return NULL;
    }
    if (regular && st.st_size > 0) cap = (size_t)st.st_size + 1;     /* + 1: room to see the end */
    /* a large regular file: its bytes, then the loader's arrays (per_byte
     * bytes for each of its bytes), in one region (up to 64 MiB: past that
     * the faults are a small part of the work, and the mapping stays modest) */
    char *buf = NULL;
    int in_region = 0;
    if (g && regular && cap > 1 && cap <= ((size_t)64 << 20) && cap * (per_byte + 1) >= HUGE_PAGE &&
        region_map(g, cap * (per_byte + 1) + 4096) == 0)
        buf = region_take(g, cap), in_region = 1;
    else
        buf = malloc(cap);
    Scan sc = {0, 1, 0};
    int rc = buf ? 0 : mg_err(e, "%s: out of memory", path);
    while (rc == 0) {
        if (n == cap) {
            size_t nc = cap > max / 2 ? max + 1 : cap * 2;
            char *p = n > max ? NULL : in_region ? malloc(nc) : realloc(buf, nc);
            if (p && in_region) {       /* a file that grew: on to the heap (the region goes) */
                memcpy(p, buf, n);
                munmap(g->base, g->size);
                memset(g, 0, sizeof *g);
                in_region = 0;
            }
            if (n > max)
                rc = mg_err(e, "%s: more than %zu MiB and still going (not a file that ends?); the limit on "
                            "data files is %zu MiB (--max-data)", path, mib, mib);
            else if (!p)
                rc = mg_err(e, "%s: out of memory", path);
            else
                buf = p, cap = nc;
            continue;
        }
        ssize_t k = read(fd, buf + n, regular || cap - n < CHUNK ? cap - n : CHUNK);
        if (k < 0 && errno == EINTR) continue;
        if (k < 0) rc = mg_err(e, "%s: cannot read: %s", path, strerror(errno));
        if (k <= 0) break;
        n += (size_t)k;
        if (!regular) rc = scan(&sc, path, (const unsigned char *)buf, n, 0, e);
    }
    close(fd);
    if (rc == 0 && !regular) rc = scan(&sc, path, (const unsigned char *)buf, n, 1, e);
    if (rc != 0) {
        if (in_region) munmap(g->base, g->size), memset(g, 0, sizeof *g);
        else free(buf);
        return NULL;
    }
    *len = n;
    return buf;
}

int mg_data_load_file(MgDocs *d, const char *path, MgErr *e) {
    return mg_data_load_file_max(d, path, MG_DATA_MAX_BYTES, e);
}

int mg_data_load_file_max(MgDocs *d, const char *path, size_t max, MgErr *e) {
    memset(d, 0, sizeof *d);
    size_t len;
    Region g = {0};
    /* per byte of the file: a code point and the documents' share */
    char *buf = read_all(path, max, &len, &g, sizeof *d->cps + (sizeof *d->docs + 1) / 2 + 1, e);
    if (!buf) return -1;
    int in_region = g.base != NULL;
    int rc = load_lines(d, path, buf, len, &g, e);     /* d owns the region now (or it is gone) */
    if (!in_region) free(buf);
    return rc;
}

int mg_data_load_text_buffer(MgDocs *d, const char *name, const char *buf, size_t len, size_t piece, MgErr *e) {
    memset(d, 0, sizeof *d);
    if (len == 0) return mg_err(e, "%s: file is empty", name);
    if (piece == 0) return mg_err(e, "%s: pieces of 0 characters", name);
    d->name = dup_str(name);
    d->cps = malloc(len * sizeof *d->cps);
    size_t *lines = malloc(len * sizeof *lines);     /* the line of each character */
    if (!d->name || !d->cps || !lines) {
        free(lines);
        mg_data_free(d);
        return mg_err(e, "%s: out of memory", name);
    }
    const unsigned char *s = (const unsigned char *)buf;
    size_t w = 0, i = 0, line = 1, line_start = 0;
    while (i < len) {
        unsigned c = s[i];
        uint32_t cp = c;
        int k = 1;
        if (c == '\r') {
            cp = '\n';
            k = i + 1 < len && s[i + 1] == '\n' ? 2 : 1;
        } else if (c == 0 || (c >= 0x80 && (k = mg_utf8_decode(s + i, len - i, &cp)) == 0)) {
            free(lines);
            mg_data_free(d);
            return bad_byte(e, name, line, i - line_start + 1, c);
        }
        lines[w] = line;
        d->cps[w++] = cp;
        i += (size_t)k;
        if (cp == '\n') line++, line_start = i;
    }
    d->n = (w + piece - 1) / piece;
    d->docs = malloc(d->n * sizeof *d->docs);
    if (!d->docs) {
        free(lines);
        mg_data_free(d);
        return mg_err(e, "%s: out of memory", name);
    }
    for (size_t k = 0; k < d->n; k++) {
        size_t off = k * piece;
        d->docs[k] = (MgDoc){off, w - off < piece ? w - off : piece, lines[off]};
    }
    free(lines);
    return 0;
}

int mg_data_load_text_file(MgDocs *d, const char *path, size_t piece, MgErr *e) {
    return mg_data_load_text_file_max(d, path, piece, MG_DATA_MAX_BYTES, e);
}

int mg_data_load_text_file_max(MgDocs *d, const char *path, size_t piece, size_t max, MgErr *e) {
    memset(d, 0, sizeof *d);
    size_t len;
    char *buf = read_all(path, max, &len, NULL, 0, e);
    if (!buf) return -1;
    int rc = mg_data_load_text_buffer(d, path, buf, len, piece, e);
    free(buf);
    return rc;
}

int mg_data_load_default(MgDocs *d, MgErr *e) {
    return mg_data_load_buffer(d, "<embedded words>", mg_words_txt, mg_words_txt_len, e);
}

void mg_data_free(MgDocs *d) {
    free(d->name);
    if (d->arena) {
        munmap(d->arena, d->arena_size);
    } else {
        free(d->cps);
        free(d->docs);
    }
    memset(d, 0, sizeof *d);
}

uint64_t mg_data_checksum(const MgDocs *d) {
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < d->n; i++) {
        const uint32_t *cp = d->cps + d->docs[i].off;
        for (size_t j = 0; j < d->docs[i].len; j++) {
            if (cp[j] < 0x80) {          /* its one byte */
                h = (h ^ cp[j]) * 0x100000001b3ull;
                continue;
            }
            char u[4];
            int k = mg_utf8_encode(cp[j], u);
            for (int b = 0; b < k; b++) h = (h ^ (unsigned char)u[b]) * 0x100000001b3ull;
        }
        h = (h ^ '\n') * 0x100000001b3ull;
    }
    return h;
}

void mg_data_shuffle(MgDocs *d, MgRng *r) { mg_rng_shuffle(r, d->docs, d->n, sizeof *d->docs); }

/* Code points to NUL-terminated UTF-8; -1 if it does not fit. */
static long cps_to_utf8(const uint32_t *cps, size_t n, char *buf, size_t cap) {
    size_t w = 0;
    for (size_t i = 0; i < n; i++) {
        char u[4];
        int k = mg_utf8_encode(cps[i], u);
        if (k == 0 || w + (size_t)k + 1 > cap) return -1;
        memcpy(buf + w, u, (size_t)k);
        w += (size_t)k;
    }
    if (w + 1 > cap) return -1;
    buf[w] = '\0';
    return (long)w;
}

long mg_data_doc_utf8(const MgDocs *d, size_t i, char *buf, size_t cap) {
    if (i >= d->n) return -1;
    return cps_to_utf8(d->cps + d->docs[i].off, d->docs[i].len, buf, cap);
}

/* v->small[c] = id + 1 for the characters c < 256 of v (0: not there). */
static void vocab_index(MgVocab *v) {
    memset(v->small, 0, sizeof v->small);
    for (int i = 0; i < v->n && v->cps[i] < 256; i++) v->small[v->cps[i]] = (uint16_t)(i + 1);
}

/* Insert c into the sorted set hi[0..*n) unless it is there (capacity *cap). */
static int add_high(uint32_t **hi, size_t *n, size_t *cap, uint32_t c) {
    size_t lo = 0, up = *n;
    while (lo < up) {
        size_t mid = lo + (up - lo) / 2;
        if ((*hi)[mid] < c) lo = mid + 1; else up = mid;
    }
    if (lo < *n && (*hi)[lo] == c) return 0;
    if (*n == *cap) {
        size_t nc = *cap ? *cap * 2 : 64;
        uint32_t *p = realloc(*hi, nc * sizeof *p);
        if (!p) return -1;
        *hi = p, *cap = nc;
    }
    memmove(*hi + lo + 1, *hi + lo, (*n - lo) * sizeof **hi);
    (*hi)[lo] = c;
    ++*n;
    return 0;
}

/* One pass: a table for the characters below 256, a sorted set for the few
 * others a text holds (the last one added is remembered, as runs of one
 * script repeat it). */
int mg_vocab_build(MgVocab *v, const MgDocs *d, MgErr *e) {
    memset(v, 0, sizeof *v);
    unsigned char low[256] = {0};
    uint32_t *hi = NULL, last = 0;
    size_t nh = 0, caph = 0;
    for (size_t i = 0; i < d->n; i++) {
        const uint32_t *cp = d->cps + d->docs[i].off;
        for (size_t j = 0; j < d->docs[i].len; j++) {
            uint32_t c = cp[j];
            if (c < 256) low[c] = 1;
            else if (c != last && (last = c, add_high(&hi, &nh, &caph, c) < 0)) goto oom;
        }
    }
    int n = (int)nh;
    for (int c = 0; c < 256; c++) n += low[c];
    v->cps = malloc((n ? (size_t)n : 1) * sizeof *v->cps);
    if (!v->cps) goto oom;
    for (uint32_t c = 0; c < 256; c++)
        if (low[c]) v->cps[v->n++] = c;
    if (nh) memcpy(v->cps + v->n, hi, nh * sizeof *hi);
    v->n += (int)nh;
    free(hi);
    vocab_index(v);
    return 0;
oom:
    free(hi);
    return mg_err(e, "out of memory building the vocabulary");
}

/* Index in doc of its first character outside v, or -1. */
static long first_unknown(const MgDocs *d, const MgDoc *doc, const MgVocab *v) {
    for (size_t j = 0; j < doc->len; j++)
        if (mg_vocab_id(v, d->cps[doc->off + j]) < 0) return (long)j;
    return -1;
}

int mg_data_check_vocab(const MgDocs *d, const MgVocab *v, const char *whose, MgErr *e) {
    const MgDoc *bad = NULL;
    long at = -1;
    for (size_t i = 0; i < d->n; i++) {
        long j;
        if ((!bad || d->docs[i].line < bad->line) && (j = first_unknown(d, &d->docs[i], v)) >= 0) {
            bad = &d->docs[i];
            at = j;
        }
    }
    if (!bad) return 0;
    char desc[32];
    mg_utf8_describe(d->cps[bad->off + (size_t)at], desc);
    return mg_err(e, "%s:%zu: character %s is not in the vocabulary of %s (%d characters + BOS)", d->name, bad->line,
                  desc, whose, v->n);
}

void mg_data_rarest(const MgDocs *d, const MgVocab *v, uint32_t *cp, size_t *line) {
    size_t *count = calloc((size_t)v->n + 1, sizeof *count), *first = calloc((size_t)v->n + 1, sizeof *first);
    *cp = v->n ? v->cps[0] : 0;
    *line = 0;
    if (!count || !first) goto done;
    for (size_t i = 0; i < d->n; i++)
        for (size_t j = 0; j < d->docs[i].len; j++) {
            int id = mg_vocab_id(v, d->cps[d->docs[i].off + j]);
            if (id >= 0 && (count[id]++ == 0 || d->docs[i].line < first[id])) first[id] = d->docs[i].line;
        }
    int best = -1;
    for (int k = 0; k < v->n; k++)
        if (count[k] && (best < 0 || count[k] < count[best] || (count[k] == count[best] && first[k] < first[best])))
            best = k;
    if (best >= 0) {
        *cp = v->cps[best];
        *line = first[best];
    }
done:
    free(count);
    free(first);
}

void mg_vocab_free(MgVocab *v) {
    free(v->cps);
    memset(v, 0, sizeof *v);
}

int mg_vocab_id(const MgVocab *v, uint32_t cp) {
    if (cp < 256 && v->small[cp]) return v->small[cp] - 1;
    int lo = 0, hi = v->n;
    while (lo < hi) {
        int mid = lo + (hi - lo) / 2;
        if (v->cps[mid] < cp) lo = mid + 1; else hi = mid;
    }
    return lo < v->n && v->cps[lo] == cp ? lo : -1;
}

int mg_vocab_equal(const MgVocab *a, const MgVocab *b) {
    return a->n == b->n && (a->n == 0 || memcmp(a->cps, b->cps, (size_t)a->n * sizeof *a->cps) == 0);
}

int mg_vocab_encode(const MgVocab *v, const uint32_t *cps, size_t len, int *out, MgErr *e) {
    out[0] = out[len + 1] = mg_vocab_bos(v);
    for (size_t i = 0; i < len; i++) {
        int id = mg_vocab_id(v, cps[i]);
        if (id < 0) {
            char desc[32];
            mg_utf8_describe(cps[i], desc);
            return mg_err(e, "character %s at position %zu is not in the vocabulary", desc, i + 1);
        }
        out[i + 1] = id;
    }
    return 0;
}

int mg_vocab_encode_utf8(const MgVocab *v, const char *s, int **out, size_t *n_out, MgErr *e) {
    size_t len = strlen(s), n = 0;
    *out = NULL;
    uint32_t *cps = malloc((len ? len : 1) * sizeof *cps);
    int *ids = malloc((len + 2) * sizeof *ids);
    if (!cps || !ids) {
        free(cps);
        free(ids);
        return mg_err(e, "out of memory");
    }
    for (size_t i = 0; i < len;) {
        int k = mg_utf8_decode((const unsigned char *)s + i, len - i, &cps[n]);
        if (k == 0) {
            free(cps);
            free(ids);
            return mg_err(e, "invalid UTF-8 (byte 0x%02X at byte %zu)", (unsigned char)s[i], i + 1);
        }
        i += (size_t)k;
        n++;
    }
    int rc = mg_vocab_encode(v, cps, n, ids, e);
    free(cps);
    if (rc < 0) {
        free(ids);
        return -1;
    }
    *out = ids;
    *n_out = n + 2;
    return 0;
}

long mg_vocab_decode(const MgVocab *v, const int *ids, size_t n, char *buf, size_t cap) {
    size_t w = 0;
    for (size_t i = 0; i < n; i++) {
        if (ids[i] == mg_vocab_bos(v)) continue;
        if (ids[i] < 0 || ids[i] > v->n) return -1;
        char u[4];
        int k = mg_utf8_encode(v->cps[ids[i]], u);
        if (w + (size_t)k + 1 > cap) return -1;
        memcpy(buf + w, u, (size_t)k);
        w += (size_t)k;
    }
    if (w + 1 > cap) return -1;
    buf[w] = '\0';
    return (long)w;
}

char *mg_vocab_to_string(const MgVocab *v) {
    size_t cap = (size_t)v->n * 4 + 1;
    char *s = malloc(cap);
    if (s && cps_to_utf8(v->cps, (size_t)v->n, s, cap) < 0) {
        free(s);
        return NULL;
    }
    return s;
}

int mg_vocab_from_string(MgVocab *v, const char *s, size_t len, MgErr *e) {
    memset(v, 0, sizeof *v);
    if (len == 0) return mg_err(e, "vocabulary is empty");
    v->cps = malloc(len * sizeof *v->cps);
    if (!v->cps) return mg_err(e, "out of memory");
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        int k = s[i] ? mg_utf8_decode((const unsigned char *)s + i, len - i, &cp) : 0;
        if (k == 0) {
            mg_vocab_free(v);
            return mg_err(e, "vocabulary is not valid UTF-8 (byte %zu)", i + 1);
        }
        if (v->n > 0 && cp <= v->cps[v->n - 1]) {
            char d1[32];
            mg_utf8_describe(cp, d1);
            mg_vocab_free(v);
            return mg_err(e, "vocabulary is not sorted and unique (at character %s)", d1);
        }
        v->cps[v->n++] = cp;
        i += (size_t)k;
    }
    vocab_index(v);
    return 0;
}
