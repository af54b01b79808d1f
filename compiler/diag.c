/* diag.c: GCC-style diagnostics.  Takes locations and messages, prints
 * "file:line:col: error: msg", then the quoted source line and a caret line
 * under the span; counts errors and warnings.  Columns are 1-based bytes;
 * in the quoted line tabs expand to 8 columns and bytes that are neither
 * printable ASCII nor valid UTF-8 print as \xNN, and the caret follows. */
#include "diag.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

typedef struct Source {
    char *file;
    char *text;
    size_t len;
    size_t *line_start;          /* offset of each line's first byte */
    int nlines;
} Source;

static Source *sources;
static int nsources, cap_sources;
static FILE *out;
static int nerrors, nwarnings;

/* the calls being inlined (diag_call_enter) */
enum { MAX_CALLS = 64 };
static struct {
    SrcLoc site;
    const char *what, *fn;
} calls[MAX_CALLS];
static int ncalls;

static FILE *dest(void)
{
    return out ? out : stderr;
}

void diag_set_output(FILE *f)
{
    out = f;
}

int diag_errors(void)
{
    return nerrors;
}

int diag_warnings(void)
{
    return nwarnings;
}

static void free_source(Source *s)
{
    free(s->file);
    free(s->text);
    free(s->line_start);
}

void diag_reset(void)
{
    for (int i = 0; i < nsources; i++)
        free_source(&sources[i]);
    free(sources);
    sources = NULL;
    nsources = cap_sources = 0;
    nerrors = nwarnings = 0;
    ncalls = 0;
    out = NULL;
}

size_t diag_bom(const char *text, size_t len)
{
    return len >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3) ? 3 : 0;
}

/* does a line end at text[i]: LF, the LF of CRLF, or a lone CR */
static int line_end(const char *text, size_t len, size_t i)
{
    return text[i] == '\n' || (text[i] == '\r' && (i + 1 == len || text[i + 1] != '\n'));
}

/* Register text of known length (it may contain NUL bytes), without a
 * leading UTF-8 BOM. */
void diag_add_source_n(const char *file, const char *text, size_t len)
{
    Source s = {0};
    size_t nl = 0, bom = diag_bom(text, len);
    text += bom, len -= bom;
    for (size_t i = 0; i < len; i++)
        nl += line_end(text, len, i);
    if (nl >= (size_t)0x7fffffff)
        return;
    s.file = malloc(strlen(file) + 1);
    s.text = malloc(len + 1);
    s.line_start = malloc((nl + 1) * sizeof *s.line_start);
    if (!s.file || !s.text || !s.line_start) {
        free_source(&s);
        return;                  /* no quoting for this file; not fatal */
    }
    strcpy(s.file, file);
    memcpy(s.text, text, len);
    s.text[len] = '\0';
    s.len = len;
    s.line_start[s.nlines++] = 0;
    for (size_t i = 0; i < len; i++)
        if (line_end(text, len, i))
            s.line_start[s.nlines++] = i + 1;
    for (int i = 0; i < nsources; i++) {
        if (strcmp(sources[i].file, file) == 0) {   /* the newest text wins */
            free_source(&sources[i]);
            sources[i] = s;
            return;
        }
    }
    if (nsources == cap_sources) {
        int cap = cap_sources ? 2 * cap_sources : 4;
        Source *p = realloc(sources, (size_t)cap * sizeof *p);
        if (!p) {
            free_source(&s);
            return;
        }
        sources = p;
        cap_sources = cap;
    }
    sources[nsources++] = s;
}

void diag_add_source(const char *file, const char *text)
{
    diag_add_source_n(file, text, strlen(text));
}

/* Line `line` of `file` as a pointer and length (without its line end). */
static int find_line(const char *file, int line, const char **p, size_t *n)
{
    if (!file || line < 1)
        return 0;
    for (int i = 0; i < nsources; i++) {
        Source *s = &sources[i];
        if (strcmp(s->file, file) != 0 || line > s->nlines)
            continue;
        size_t b = s->line_start[line - 1];
        size_t e = line < s->nlines ? s->line_start[line] - 1 : s->len;
        if (e > b && s->text[e - 1] == '\r')
            e--;
        *p = s->text + b;
        *n = e - b;
        return 1;
    }
    return 0;
}

int diag_source_line(const char *file, int line, char *buf, int cap)
{
    const char *p;
    size_t n;
    if (!find_line(file, line, &p, &n) || cap <= 0)
        return 0;
    if (n > (size_t)cap - 1)
        n = (size_t)cap - 1;
    memcpy(buf, p, n);
    buf[n] = '\0';
    return 1;
}

size_t diag_utf8_len(const unsigned char *p, size_t n)
{
    size_t k = p[0] >= 0xf0 && p[0] <= 0xf4 ? 4
             : p[0] >= 0xe0 && p[0] <= 0xef ? 3
             : p[0] >= 0xc2 && p[0] <= 0xdf ? 2 : 0;
    if (k == 0 || k > n)
        return 0;
    for (size_t i = 1; i < k; i++)
        if ((p[i] & 0xc0) != 0x80)
            return 0;
    if ((k == 3 && p[0] == 0xe0 && p[1] < 0xa0) || (k == 3 && p[0] == 0xed && p[1] >= 0xa0) ||
        (k == 4 && p[0] == 0xf0 && p[1] < 0x90) || (k == 4 && p[0] == 0xf4 && p[1] >= 0x90))
        return 0;   /* overlong, a surrogate, or past U+10FFFF */
    return k;
}

/* The line as displayed into out (room for 8 bytes per input byte);
 * col_of[i] gets the display column of byte i and col_of[n] the width. */
static size_t render(char *out, const unsigned char *p, size_t n, size_t *col_of)
{
    size_t col = 0, len = 0;
    for (size_t i = 0; i < n;) {
        size_t k;
        col_of[i] = col;
        if (p[i] == '\t') {
            size_t next = (col / 8 + 1) * 8;
            for (; col < next; col++)
                out[len++] = ' ';
            i++;
        } else if (p[i] >= 0x20 && p[i] < 0x7f) {
            out[len++] = (char)p[i];
            col++;
            i++;
        } else if ((k = diag_utf8_len(p + i, n - i)) != 0) {
            memcpy(out + len, p + i, k);
            len += k;
            for (size_t j = 1; j < k; j++)
                col_of[i + j] = col;
            col++;
            i += k;
        } else {
            len += (size_t)snprintf(out + len, 5, "\\x%02x", p[i]);
            col += 4;
            i++;
        }
    }
    col_of[n] = col;
    return len;
}

/* Display column where byte i (0-based) starts / ends (exclusive). */
static size_t disp_start(const size_t *col_of, size_t n, size_t i)
{
    return i <= n ? col_of[i] : col_of[n] + (i - n);
}

static size_t disp_end(const size_t *col_of, size_t n, size_t i)
{
    if (i >= n)
        return col_of[n] + (i - n) + 1;
    size_t j = i + 1;
    while (j < n && col_of[j] == col_of[i])  /* UTF-8 continuation bytes */
        j++;
    return col_of[j];
}

enum { QUOTE_MAX = 160 };     /* bytes of a source line shown at most */

static void quote(FILE *f, SrcLoc loc)
{
    const char *p;
    size_t n;
    if (!find_line(loc.file, loc.line, &p, &n))
        return;
    size_t b = loc.col > 1 ? (size_t)loc.col - 1 : 0;
    size_t e;                    /* last byte of the span on this line */
    if (loc.end_line > loc.line)
        e = n > b ? n - 1 : b;
    else
        e = loc.end_line == loc.line && loc.end_col > loc.col ? (size_t)loc.end_col - 1 : b;
    /* a very long line shows a window around the caret, marked with ... */
    int cut_left = 0, cut_right = 0;
    if (n > QUOTE_MAX) {
        size_t ws = b > QUOTE_MAX / 3 ? b - QUOTE_MAX / 3 : 0;
        while (ws > 0 && ws < n && ((unsigned char)p[ws] & 0xc0) == 0x80)
            ws--;
        size_t we = ws + QUOTE_MAX < n ? ws + QUOTE_MAX : n;
        while (we < n && ((unsigned char)p[we] & 0xc0) == 0x80)
            we++;
        cut_left = ws > 0, cut_right = we < n;
        p += ws, n = we - ws, b -= ws;
        e = e >= ws ? e - ws : b;
        if (e >= n && n > 0)
            e = n - 1;
    }
    if (e < b)
        e = b;
    size_t *col_of = malloc((n + 1) * sizeof *col_of);
    char *text = malloc(8 * n + 1);
    if (!col_of || !text) {
        free(col_of);
        free(text);
        return;
    }
    size_t len = render(text, (const unsigned char *)p, n, col_of);
    size_t from = disp_start(col_of, n, b) + (cut_left ? 3 : 0), to = disp_end(col_of, n, e) + (cut_left ? 3 : 0);
    char *caret = malloc(to + 1);
    if (caret) {
        memset(caret, ' ', from);
        caret[from] = '^';
        memset(caret + from + 1, '~', to - from - 1);
        int width = 5;
        for (int l = loc.line, d = 1; (l /= 10) != 0; )
            if (++d > width)
                width = d;
        fprintf(f, "%*d | %s", width, loc.line, cut_left ? "..." : "");
        fwrite(text, 1, len, f);
        if (cut_right)
            fputs("...", f);
        fprintf(f, "\n%*s | ", width, "");
        fwrite(caret, 1, to, f);
        fputc('\n', f);
    }
    free(caret);
    free(text);
    free(col_of);
}

static void vreport(SrcLoc loc, const char *kind, const char *prefix, const char *fmt, va_list ap)
{
    FILE *f = dest();
    if (!loc.file)
        fprintf(f, "mgc: %s: ", kind);
    else if (loc.line < 1)
        fprintf(f, "%s: %s: ", loc.file, kind);
    else
        fprintf(f, "%s:%d:%d: %s: ", loc.file, loc.line, loc.col, kind);
    fputs(prefix, f);
    vfprintf(f, fmt, ap);
    fputc('\n', f);
    quote(f, loc);
    fflush(f);
}

static void report_at(SrcLoc loc, const char *kind, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void report_at(SrcLoc loc, const char *kind, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport(loc, kind, "", fmt, ap);
    va_end(ap);
}

static int same_file(const char *a, const char *b) { return a && b && !strcmp(a, b); }

/* The innermost call made from the user's file (that of the outermost
 * call), or -1 when there is none or loc itself is in the user's file. */
static int user_call(SrcLoc loc)
{
    int n = ncalls < MAX_CALLS ? ncalls : MAX_CALLS;
    if (n == 0 || !loc.file || same_file(loc.file, calls[0].site.file))
        return -1;
    for (int i = n - 1; i >= 0; i--)
        if (same_file(calls[i].site.file, calls[0].site.file))
            return i;
    return -1;
}

/* An error or warning, at the user's call when it arose in a body from
 * another file: there, with a note where it arose. */
static void report(SrcLoc loc, const char *kind, const char *fmt, va_list ap)
{
    int c = user_call(loc);
    if (c < 0 || !calls[c].what) {
        vreport(loc, kind, "", fmt, ap);
        return;
    }
    char prefix[512];
    snprintf(prefix, sizeof prefix, "in this call of %s: ", calls[c].what);
    vreport(calls[c].site, kind, prefix, fmt, ap);
    int n = ncalls < MAX_CALLS ? ncalls : MAX_CALLS;
    report_at(loc, "note", "inside '%s', here", calls[n - 1].fn);
}

void diag_call_enter(SrcLoc site, const char *what, const char *fn)
{
    if (ncalls < MAX_CALLS) {
        calls[ncalls].site = site;
        calls[ncalls].what = what;
        calls[ncalls].fn = fn;
    }
    ncalls++;
}

void diag_call_leave(void)
{
    if (ncalls > 0)
        ncalls--;
}

void diag_call_note(SrcLoc at)
{
    int n = ncalls < MAX_CALLS ? ncalls : MAX_CALLS;
    if (n == 0 || nerrors > DIAG_MAX_ERRORS || user_call(at) >= 0)
        return;     /* at the top level, or the error is at the call already */
    for (int i = n - 1; i >= 0; i--)
        if (same_file(calls[i].site.file, calls[0].site.file)) {
            if (calls[i].what)
                report_at(calls[i].site, "note", "in this call of %s", calls[i].what);
            return;
        }
}

/* Errors past DIAG_MAX_ERRORS are counted but not printed: the first of
 * them says so once. */
void diag_error(SrcLoc loc, const char *fmt, ...)
{
    if (++nerrors > DIAG_MAX_ERRORS) {
        if (nerrors == DIAG_MAX_ERRORS + 1) {
            fprintf(dest(), "mgc: error: too many errors; stopping\n");
            fflush(dest());
        }
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    report(loc, "error", fmt, ap);
    va_end(ap);
}

void diag_warning(SrcLoc loc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    nwarnings++;
    report(loc, "warning", fmt, ap);
    va_end(ap);
}

void diag_note(SrcLoc loc, const char *fmt, ...)
{
    if (nerrors > DIAG_MAX_ERRORS)
        return;     /* the note of an error not shown */
    va_list ap;
    va_start(ap, fmt);
    vreport(loc, "note", "", fmt, ap);
    va_end(ap);
}

void diag_plain(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    nerrors++;
    FILE *f = dest();
    fputs("mgc: error: ", f);
    vfprintf(f, fmt, ap);
    fputc('\n', f);
    fflush(f);
    va_end(ap);
}

_Noreturn void diag_internal(const char *file, int line, const char *msg)
{
    const char *base = strrchr(file, '/');
    fflush(dest());
    fprintf(stderr, "mgc: internal error at %s:%d: %s\n", base ? base + 1 : file, line, msg);
    exit(2);
}
