/* report.c: `mgc report RUN.csv... -o report.html`.  Takes the trainers'
 * --log files (a header line naming the columns, then one line per step with
 * an increasing step; `step` and `loss` are read, and `val_loss` and
 * `val_accuracy` when there, empty cells being steps without them; other
 * columns, any number of them, are ignored; a UTF-8 BOM is skipped) and hands on one
 * self-contained HTML page: report_page.html with the runs as a JSON literal.
 * Invariants: every bad input is reported with its file (and line and column)
 * and exits 1 before the output is touched; the output is checked (writable,
 * not one of the inputs) before anything is read, and written with mg_out (a
 * temporary in its folder renamed into place). */
#define _POSIX_C_SOURCE 200809L
#include "report.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "diag.h"
#include "mg_outfile.h"

extern const char mgc_report_page[];   /* report_page.html, embedded by embed.cmake */

static const char report_usage[] =
    "usage: mgc report [--label NAME] RUN.csv... [--smooth N] -o REPORT.html\n"
    "\n"
    "Writes one self-contained HTML page (inline CSS and JavaScript, nothing\n"
    "fetched) that overlays the loss curves of training runs: the CSV files the\n"
    "trainers write with '--log FILE.csv'.  Each file needs a header line naming\n"
    "its columns, with 'step' and 'loss' among them.  A log with 'val_loss' (a\n"
    "validation set's loss, trainers' --val) draws it dashed beside its run's\n"
    "curve, and 'val_accuracy' (a fraction) in a panel of its own below; their\n"
    "empty cells are steps without an evaluation.  Other columns (any number)\n"
    "are ignored, and so is a UTF-8 byte order mark.  Steps must increase from\n"
    "line to line (a run resumed with the same --log keeps them so).\n"
    "A log is read up to 256 MiB (a FIFO too); a NUL byte in it is an error.\n"
    "Hover to read every run's loss at a step; click a legend entry to hide it.\n"
    "\n"
    "options:\n"
    "  -o FILE          write the page to FILE (required)\n"
    "  --label NAME     name the next run NAME in the legend (default: its file\n"
    "                   name without folder and .csv)\n"
    "  --smooth N       draw an N-step moving average over the faint raw curves\n"
    "                   (default 0: off; the page has a switch and the window too)\n"
    "  -h, --help       show this help\n"
    "\n"
    "Exit status: 0 on success, 1 on any error in the input or the options.\n";

/* (x, y) points of one curve */
typedef struct Curve {
    double *x, *y;
    size_t n, cap;
} Curve;

typedef struct Series {
    const char *path;
    char *name;              /* the legend's; malloc'd */
    Curve train;             /* x: step, y: loss, one point a line */
    Curve val, acc;          /* val_loss and val_accuracy at the steps that have them */
    int cv, ca;              /* their columns, -1 when the log has none */
    const char *prev;        /* while reading: the last step's text, and its line */
    size_t prev_len;
    int prev_line;
} Series;

typedef struct Buf {
    char *p;
    size_t n, cap;
    int oom;
} Buf;

static void buf_add(Buf *b, const char *s, size_t n)
{
    if (b->oom)
        return;
    if (b->n + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 1 << 16;
        while (cap < b->n + n + 1)
            cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p) {
            b->oom = 1;
            return;
        }
        b->p = p, b->cap = cap;
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = '\0';
}

static void buf_puts(Buf *b, const char *s)
{
    buf_add(b, s, strlen(s));
}

static void buf_printf(Buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void buf_printf(Buf *b, const char *fmt, ...)
{
    char tmp[64];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n > 0)
        buf_add(b, tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

/* ---- reading a log ---- */

/* Append (x, y) to c, growing it; 1 when out of memory */
static int push_point(Curve *c, double x, double y)
{
    if (c->n == c->cap) {
        size_t cap = c->cap ? 2 * c->cap : 1024;
        double *a = realloc(c->x, cap * sizeof *a);
        if (a)
            c->x = a;
        double *b = a ? realloc(c->y, cap * sizeof *b) : NULL;
        if (!b)
            return 1;
        c->y = b, c->cap = cap;
    }
    c->x[c->n] = x, c->y[c->n] = y;
    c->n++;
    return 0;
}

/* The field of line[0..n) that starts at *i, trimmed of blanks and a
 * surrounding pair of double quotes, into *start and *len; *i moves past its
 * comma.  Returns 0 once the last field has been taken.  A line may have any
 * number of fields. */
static int next_field(const char *line, size_t n, size_t *i, const char **start, size_t *len)
{
    if (*i > n)
        return 0;
    size_t j = *i;
    while (j < n && line[j] != ',')
        j++;
    size_t b = *i, e = j;
    while (b < e && (line[b] == ' ' || line[b] == '\t'))
        b++;
    while (e > b && (line[e - 1] == ' ' || line[e - 1] == '\t' || line[e - 1] == '\r'))
        e--;
    if (e - b >= 2 && line[b] == '"' && line[e - 1] == '"')
        b++, e--;
    *start = line + b, *len = e - b;
    *i = j + 1;
    return 1;
}

static int is_name(const char *s, size_t n, const char *name)
{
    if (n != strlen(name))
        return 0;
    for (size_t i = 0; i < n; i++)
        if ((s[i] >= 'A' && s[i] <= 'Z' ? s[i] | 0x20 : s[i]) != name[i])     /* letters in any case */
            return 0;
    return 1;
}

/* A finite number filling the whole field, or a non-zero return. */
static int number(const char *s, size_t n, double *v)
{
    char tmp[64];
    if (n == 0 || n >= sizeof tmp)
        return 1;
    memcpy(tmp, s, n);
    tmp[n] = '\0';
    char *end;
    errno = 0;
    *v = strtod(tmp, &end);
    return *end != '\0' || !isfinite(*v);
}

static SrcLoc at(const char *path, int line, const char *text, const char *field, size_t len)
{
    int col = (int)(field - text) + 1;
    SrcLoc loc = {path, line, col, line, col + (len ? (int)len - 1 : 0)};
    return loc;
}

/* The header: column numbers of step and loss into *cs, *cl, and of
 * val_loss and val_accuracy (-1: none) into s->cv, s->ca. */
static int read_header(Series *s, const char *line, size_t n, int *cs, int *cl)
{
    const char *f, *first = line, *path = s->path;
    size_t len, first_len = 0;
    double v;
    *cs = *cl = s->cv = s->ca = -1;
    size_t i = 0;
    for (int k = 0; k < INT_MAX && next_field(line, n, &i, &f, &len); k++) {
        if (k == 0)
            first = f, first_len = len;
        if (is_name(f, len, "step") && *cs < 0)
            *cs = k;
        else if (is_name(f, len, "loss") && *cl < 0)
            *cl = k;
        else if (is_name(f, len, "val_loss") && s->cv < 0)
            s->cv = k;
        else if (is_name(f, len, "val_accuracy") && s->ca < 0)
            s->ca = k;
    }
    SrcLoc loc = at(path, 1, line, line, n);
    if (*cs < 0 && *cl < 0 && number(first, first_len, &v) == 0) {
        diag_error(loc, "no header line: the first line must name the columns, e.g. 'step,loss'");
        return 1;
    }
    if (*cs < 0 || *cl < 0) {
        diag_error(loc, "the header has no '%s' column (it needs 'step' and 'loss')", *cs < 0 ? "step" : "loss");
        return 1;
    }
    return 0;
}

/* A validation cell of the step `step`: empty (no evaluation then), or a
 * finite number added to c. */
static int read_val(Series *s, Curve *c, const char *what, int lineno, const char *line, const char *f, size_t len,
                    double step)
{
    double v;
    if (!f || len == 0)
        return 0;
    if (number(f, len, &v)) {
        diag_error(at(s->path, lineno, line, f, len), "'%s' is not empty or a finite number: '%.*s'", what,
                   (int)(len < 40 ? len : 40), f);
        return 1;
    }
    if (push_point(c, step, v)) {
        diag_plain("out of memory reading '%s'", s->path);
        return 1;
    }
    return 0;
}

/* One data line: its step and loss (and validation cells), after the line before (s->prev*). */
static int read_row(Series *s, int lineno, const char *line, size_t n, int cs, int cl)
{
    const char *start[4] = {NULL, NULL, NULL, NULL}, *f;
    size_t len[4] = {0, 0, 0, 0}, flen;
    int col[4] = {cs, cl, s->cv, s->ca}, k = 0;
    size_t i = 0;
    for (; k < INT_MAX && next_field(line, n, &i, &f, &flen); k++)
        for (int j = 0; j < 4; j++)
            if (k == col[j])
                start[j] = f, len[j] = flen;
    int need = (cs > cl ? cs : cl) + 1;
    if (k < need) {
        diag_error(at(s->path, lineno, line, line, n), "%d field%s, but the header puts '%s' in column %d",
                   k, k == 1 ? "" : "s", cs > cl ? "step" : "loss", need);
        return 1;
    }
    double v[2];
    const char *what[2] = {"step", "loss"};
    for (int j = 0; j < 2; j++) {
        if (number(start[j], len[j], &v[j])) {
            diag_error(at(s->path, lineno, line, start[j], len[j]), "'%s' is not a finite number: '%.*s'",
                       what[j], (int)(len[j] < 40 ? len[j] : 40), start[j]);
            return 1;
        }
    }
    if (s->train.n > 0 && !(v[0] > s->train.x[s->train.n - 1])) {
        diag_error(at(s->path, lineno, line, start[0], len[0]),
                   "step %.*s is not after step %.*s (line %d): a log's steps must increase (two runs in one "
                   "file? give each its own file)",
                   (int)(len[0] < 40 ? len[0] : 40), start[0], (int)(s->prev_len < 40 ? s->prev_len : 40), s->prev,
                   s->prev_line);
        return 1;
    }
    if (push_point(&s->train, v[0], v[1])) {
        diag_plain("out of memory reading '%s'", s->path);
        return 1;
    }
    s->prev = start[0], s->prev_len = len[0], s->prev_line = lineno;
    return read_val(s, &s->val, "val_loss", lineno, line, start[2], len[2], v[0]) ||
           read_val(s, &s->acc, "val_accuracy", lineno, line, start[3], len[3], v[0]);
}

enum { LOG_MAX_MIB = 256 };          /* the largest log read */

/* A NUL byte at b[at] (no log has one): where it is, as an error. */
static void nul_byte(const char *path, const char *b, size_t at)
{
    int line = 1;
    size_t start = 0;
    for (size_t i = 0; i < at; i++)
        if (b[i] == '\n')
            line++, start = i + 1;
    SrcLoc loc = {path, line, (int)(at - start) + 1, line, (int)(at - start) + 1};
    diag_error(loc, "a NUL byte: a log is text (step,loss,... lines)");
}

/* The whole log, NUL-terminated, in *n bytes; NULL after a message.  At most
 * LOG_MAX_MIB MiB: a larger regular file is refused before it is read, and a
 * stream (a FIFO, a device) once it goes past that or at its first NUL byte. */
static char *slurp(const char *path, size_t *n)
{
    const size_t max = (size_t)LOG_MAX_MIB << 20;
    int fd = open(path, O_RDONLY);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        diag_plain("cannot open '%s': %s", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return NULL;
    }
    if (S_ISREG(st.st_mode) && (uintmax_t)st.st_size > max) {
        diag_plain("'%s' is %jd bytes, more than the %d MiB a log may have", path, (intmax_t)st.st_size,
                   LOG_MAX_MIB);
        close(fd);
        return NULL;
    }
    Buf b = {0};
    char chunk[1 << 14];
    int bad = 0;
    while (!bad) {
        ssize_t k = read(fd, chunk, sizeof chunk);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0) {
            if (k < 0)
                diag_plain("cannot read '%s': %s", path, strerror(errno));
            bad = k < 0;
            break;
        }
        const char *z = memchr(chunk, 0, (size_t)k);
        int over = b.n + (size_t)k > max;
        if (over) {
            diag_plain("'%s' goes on past %d MiB, the most a log may have (not a file that ends?)", path,
                       LOG_MAX_MIB);
        } else {
            buf_add(&b, chunk, z ? (size_t)(z - chunk) : (size_t)k);
            if (b.oom)
                diag_plain("out of memory reading '%s'", path);
            else if (z)
                nul_byte(path, b.p, b.n);
        }
        bad = over || b.oom || z;
    }
    close(fd);
    if (bad || (!b.p && !(b.p = calloc(1, 1)))) {
        free(b.p);
        return NULL;
    }
    *n = b.n;
    return b.p;
}

/* Reads s->path into s; reports the first problem and returns 1. */
static int read_log(Series *s)
{
    struct stat st;
    size_t n = 0;
    if (stat(s->path, &st) == 0 && S_ISDIR(st.st_mode)) {
        diag_plain("cannot open '%s': %s", s->path, strerror(EISDIR));
        return 1;
    }
    char *text = slurp(s->path, &n);
    if (!text)
        return 1;
    diag_add_source_n(s->path, text, n);
    int rc = 0, lineno = 0, cs = -1, cl = -1, header = 0;
    for (size_t i = diag_bom(text, n); i < n && rc == 0;) {   /* a byte order mark is no part of line 1 */
        const char *line = text + i;
        const char *nl = memchr(line, '\n', n - i);
        size_t len = nl ? (size_t)(nl - line) : n - i;
        i += len + 1;
        lineno++;
        size_t blank = 0;
        while (blank < len && (line[blank] == ' ' || line[blank] == '\t' || line[blank] == '\r'))
            blank++;
        if (blank == len)
            continue;                 /* blank lines (a trailing one, say) */
        if (!header) {
            if (lineno != 1) {
                diag_error(at(s->path, lineno, line, line, len), "no header line: the first line must name the columns, e.g. 'step,loss'");
                rc = 1;
            } else {
                rc = read_header(s, line, len, &cs, &cl);
            }
            header = 1;
        } else {
            rc = read_row(s, lineno, line, len, cs, cl);
        }
    }
    if (rc == 0 && !header) {
        SrcLoc loc = {s->path, 0, 0, 0, 0};
        diag_error(loc, "empty file: expected a header line such as 'step,loss' and one line per step");
        rc = 1;
    } else if (rc == 0 && s->train.n == 0) {
        SrcLoc loc = {s->path, 0, 0, 0, 0};
        diag_error(loc, "no steps: the file has a header line but no data");
        rc = 1;
    }
    free(text);
    return rc;
}

/* ---- writing the page ---- */

/* Text for HTML element content or attribute values. */
static void put_html(Buf *b, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&': buf_puts(b, "&amp;"); break;
        case '<': buf_puts(b, "&lt;"); break;
        case '>': buf_puts(b, "&gt;"); break;
        case '"': buf_puts(b, "&quot;"); break;
        case '\'': buf_puts(b, "&#39;"); break;
        default: buf_add(b, s, 1);
        }
    }
}

/* A JSON string that is also safe inside <script>: no '<', '>' or '&'. */
static void put_json_string(Buf *b, const char *s)
{
    buf_puts(b, "\"");
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            buf_printf(b, "\\%c", c);
        else if (c < 0x20 || c == '<' || c == '>' || c == '&' || c == 0x7f)
            buf_printf(b, "\\u%04x", c);
        else
            buf_add(b, s, 1);
    }
    buf_puts(b, "\"");
}

/* The shortest decimal that reads back as the same double (whole steps as
 * integers: 1000, not 1e+03). */
static void put_number(Buf *b, double v)
{
    char tmp[40];
    if (v == floor(v) && fabs(v) < 1e15) {
        buf_printf(b, "%.0f", v);
        return;
    }
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(tmp, sizeof tmp, "%.*g", prec, v);
        if (strtod(tmp, NULL) == v)
            break;
    }
    buf_puts(b, tmp);
}

static void put_array(Buf *b, const double *v, size_t n)
{
    buf_puts(b, "[");
    for (size_t i = 0; i < n; i++) {
        if (i)
            buf_puts(b, ",");
        put_number(b, v[i]);
    }
    buf_puts(b, "]");
}

/* [{"name":"...","step":[...],"loss":[...]},...], one run per line; a run
 * with validation figures adds "val_step", "val_loss" and "acc_step",
 * "val_accuracy" (each pair only when the log has that column) */
static void put_data(Buf *b, const Series *s, int n)
{
    buf_puts(b, "[");
    for (int i = 0; i < n; i++) {
        buf_puts(b, i ? ",\n{\"name\":" : "\n{\"name\":");
        put_json_string(b, s[i].name);
        buf_puts(b, ",\"step\":");
        put_array(b, s[i].train.x, s[i].train.n);
        buf_puts(b, ",\"loss\":");
        put_array(b, s[i].train.y, s[i].train.n);
        if (s[i].cv >= 0) {
            buf_puts(b, ",\"val_step\":");
            put_array(b, s[i].val.x, s[i].val.n);
            buf_puts(b, ",\"val_loss\":");
            put_array(b, s[i].val.y, s[i].val.n);
        }
        if (s[i].ca >= 0) {
            buf_puts(b, ",\"acc_step\":");
            put_array(b, s[i].acc.x, s[i].acc.n);
            buf_puts(b, ",\"val_accuracy\":");
            put_array(b, s[i].acc.y, s[i].acc.n);
        }
        buf_puts(b, "}");
    }
    buf_puts(b, "]");
}

static void put_caption(Buf *b, const Series *s, int n)
{
    for (int i = 0; i < n; i++) {
        buf_puts(b, i ? ", " : "");
        put_html(b, s[i].path);
        buf_printf(b, " (%zu step%s)", s[i].train.n, s[i].train.n == 1 ? "" : "s");
    }
}

/* The template with each @@NAME@@ replaced. */
static void put_page(Buf *b, const Series *s, int n, int smooth)
{
    const char *p = mgc_report_page;
    for (const char *q; (q = strstr(p, "@@")) != NULL;) {
        buf_add(b, p, (size_t)(q - p));
        if (!strncmp(q, "@@DATA@@", 8))
            put_data(b, s, n);
        else if (!strncmp(q, "@@SMOOTH@@", 10))
            buf_printf(b, "%d", smooth);
        else if (!strncmp(q, "@@CAPTION@@", 11))
            put_caption(b, s, n);
        else {
            buf_add(b, q, 2);        /* not a placeholder: keep it */
            p = q + 2;
            continue;
        }
        p = strchr(q + 2, '@') + 2;
    }
    buf_puts(b, p);
}

/* ---- the command line ---- */

/* "runs/adam.csv" -> "adam" */
static char *series_name(const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t n = strlen(base);
    if (n > 4 && !strcmp(base + n - 4, ".csv"))
        n -= 4;
    char *s = malloc(n + 1);
    if (s) {
        memcpy(s, base, n);
        s[n] = '\0';
    }
    return s;
}

typedef struct ReportOpts {
    const char *output;
    int smooth;
    Series *runs;
    int nruns;
} ReportOpts;

static int parse_smooth(const char *v, int *out)
{
    char *end;
    errno = 0;
    long n = strtol(v, &end, 10);
    if (!*v || *end || errno || n < 0 || n > 1000000) {
        diag_plain("--smooth needs a whole number of steps from 0 to 1000000, not '%s'", v);
        return 1;
    }
    *out = (int)n;
    return 0;
}

static int parse_report_opts(int argc, char **argv, ReportOpts *o)
{
    const char *label = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            fputs(report_usage, stdout);
            return -1;
        } else if (!strcmp(a, "-o") || !strcmp(a, "--label") || !strcmp(a, "--smooth")) {
            if (i + 1 >= argc) {
                diag_plain("option '%s' needs a value (see 'mgc report --help')", a);
                return 1;
            }
            const char *v = argv[++i];
            if (!strcmp(a, "-o"))
                o->output = v;
            else if (!strcmp(a, "--label"))
                label = v;
            else if (parse_smooth(v, &o->smooth))
                return 1;
        } else if (a[0] == '-' && a[1]) {
            diag_plain("unknown option '%s' (see 'mgc report --help')", a);
            return 1;
        } else {
            Series *s = &o->runs[o->nruns++];
            s->path = a;
            s->name = label ? strdup(label) : series_name(a);
            if (!s->name) {
                diag_plain("out of memory");
                return 1;
            }
            label = NULL;
        }
    }
    if (label) {
        diag_plain("--label '%s' names no run: put it before a CSV file", label);
        return 1;
    }
    if (o->nruns == 0) {
        diag_plain("no input files: give one or more CSV files written by a trainer's --log (see 'mgc report --help')");
        return 1;
    }
    if (!o->output) {
        diag_plain("no output given: add '-o REPORT.html'");
        return 1;
    }
    return 0;
}

/* -o, before any input is read: writable, and none of the CSV files. */
static int check_output(const ReportOpts *o)
{
    MgErr e;
    int bad = mg_out_check(o->output, &e) != 0;
    for (int i = 0; !bad && i < o->nruns; i++)
        bad = mg_out_distinct(o->output, o->runs[i].path, &e) != 0;
    if (bad)
        diag_plain("%s", e.msg);
    return bad;
}

int report_main(int argc, char **argv)
{
    ReportOpts o = {0};
    o.runs = calloc((size_t)argc + 1, sizeof *o.runs);
    if (!o.runs) {
        diag_plain("out of memory");
        return 1;
    }
    int rc = parse_report_opts(argc, argv, &o);
    if (rc == 0)
        rc = check_output(&o);
    if (rc == 0) {
        for (int i = 0; i < o.nruns; i++)
            rc |= read_log(&o.runs[i]);   /* every file is checked, not just the first bad one */
    }
    if (rc == 0) {
        Buf page = {0};
        put_page(&page, o.runs, o.nruns, o.smooth);
        if (page.oom) {
            diag_plain("out of memory writing '%s'", o.output);
            rc = 1;
        } else {
            MgErr e;
            if ((rc = mg_out_write(o.output, page.p, page.n, &e) != 0))
                diag_plain("%s", e.msg);
        }
        free(page.p);
    }
    for (int i = 0; i < o.nruns; i++) {
        Series *s = &o.runs[i];
        free(s->train.x);
        free(s->train.y);
        free(s->val.x);
        free(s->val.y);
        free(s->acc.x);
        free(s->acc.y);
        free(s->name);
    }
    free(o.runs);
    diag_reset();
    return rc < 0 ? 0 : rc;
}
