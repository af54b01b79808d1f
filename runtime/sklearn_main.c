/* sklearn_main.c: mgc-sklearn, the data files Debian's python3-sklearn ships
 * (sklearn/datasets/data/) as CSV files mgc reads, for models/iris.mg,
 * models/digits.mg and models/diabetes.mg.
 *   mgc-sklearn iris|digits|diabetes [-o FILE] [--from DIR]
 * Takes sklearn's own formats (a count header line, gzip, no column names);
 * hands on one header line of input names and one example per row, values
 * as %.17g so they read back exactly.  What each set becomes:
 *   iris      x[0..3] standardised, y < 3        150 rows
 *   digits    img[0..63] = pixel / 16, y < 10    1797 rows
 *   diabetes  x[0..9] standardised, t standardised   442 rows
 * "Standardised": minus the column's mean, divided by its standard deviation
 * (the population one, numpy's std), both over every row.  .gz files are
 * read through `gzip -dc` (no library).  Every malformed file is an error
 * naming the file, line and column; a missing one says which package. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define DEFAULT_DIR "/usr/lib/python3/dist-packages/sklearn/datasets/data"

static const char *prog = "mgc-sklearn";

/* "mgc-sklearn: error: MSG" on standard error; returns -1. */
#if defined(__GNUC__)
__attribute__((format(printf, 1, 2)))
#endif
static int fail(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "%s: error: ", prog);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return -1;
}

/* A whole file in memory (NUL-terminated). */
typedef struct Text {
    char *buf;
    size_t len;
} Text;

static int append(Text *t, const char *p, size_t n, size_t *cap) {
    if (t->len + n + 1 > *cap) {
        size_t c = *cap ? *cap : 1 << 16;
        while (c < t->len + n + 1) c *= 2;
        char *b = realloc(t->buf, c);
        if (!b) return -1;
        t->buf = b, *cap = c;
    }
    memcpy(t->buf + t->len, p, n);
    t->len += n;
    t->buf[t->len] = 0;
    return 0;
}

static int read_stream(FILE *f, Text *t) {
    char chunk[1 << 16];
    size_t n, cap = 0;
    t->buf = NULL, t->len = 0;
    if (append(t, "", 0, &cap) < 0) return -1;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        if (append(t, chunk, n, &cap) < 0) return -1;
    return ferror(f) ? -1 : 0;
}

/* path's bytes; a name ending in .gz is decompressed by `gzip -dc`. */
static int read_file(const char *path, Text *t) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        if (errno == ENOENT)
            return fail("%s: no such file (it comes with Debian's python3-sklearn: apt-get install python3-sklearn; "
                        "or give the folder that holds it with --from DIR)", path);
        return fail("%s: %s", path, strerror(errno));
    }
    size_t n = strlen(path);
    if (n < 3 || strcmp(path + n - 3, ".gz") != 0) {
        int rc = read_stream(f, t);
        fclose(f);
        if (rc < 0) free(t->buf), t->buf = NULL;
        return rc < 0 ? fail("%s: read error", path) : 0;
    }
    int fd[2];
    if (pipe(fd) < 0) return fclose(f), fail("pipe: %s", strerror(errno));
    pid_t pid = fork();
    if (pid < 0) return fclose(f), fail("fork: %s", strerror(errno));
    if (pid == 0) {     /* gzip -dc < path > pipe 2> /dev/null: the one message is ours */
        int null = open("/dev/null", O_WRONLY);
        dup2(fileno(f), 0);
        dup2(fd[1], 1);
        if (null >= 0) dup2(null, 2);
        close(fd[0]);
        close(fd[1]);
        execlp("gzip", "gzip", "-dc", (char *)NULL);
        _exit(127);
    }
    fclose(f);
    close(fd[1]);
    FILE *in = fdopen(fd[0], "rb");
    int rc = in ? read_stream(in, t) : -1;
    if (in) fclose(in);
    else close(fd[0]);
    int status;
    if (waitpid(pid, &status, 0) < 0) rc = fail("%s: waitpid: %s", path, strerror(errno));
    else if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
        rc = fail("%s: cannot run gzip to read it (apt-get install gzip)", path);
    else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        rc = fail("%s: gzip -dc failed (not a gzip file, or a damaged one)", path);
    else if (rc < 0)
        rc = fail("%s: read error", path);
    if (rc < 0) free(t->buf), t->buf = NULL;
    return rc;
}

/* Rows of numbers: `sep` between fields (' ' for runs of spaces and tabs).
 * Every row must have `cols` fields; the file `rows` rows (0: any number).
 * Lines before `skip` are not read. */
typedef struct Table {
    size_t rows, cols;
    double *v;
} Table;

static int parse(const char *path, const Text *t, char sep, size_t cols, size_t rows, int skip, Table *out) {
    size_t cap = 64, line = 1, n = 0;
    const char *p = t->buf, *end = t->buf + t->len;
    out->cols = cols, out->rows = 0;
    out->v = malloc(cap * cols * sizeof *out->v);
    if (!out->v) return fail("out of memory");
    for (; p < end; line++) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        if (!eol) eol = end;
        const char *q = p, *start = p;
        p = eol + 1;
        if ((int)line <= skip) continue;
        if (eol > start && eol[-1] == '\r') eol--;
        if (eol == start) continue;     /* a blank line (the last one) */
        if (n == cap) {
            double *v = realloc(out->v, 2 * cap * cols * sizeof *v);
            if (!v) return fail("out of memory");
            out->v = v, cap *= 2;
        }
        size_t k = 0;
        while (q < eol) {
            if (sep == ' ')
                while (q < eol && (*q == ' ' || *q == '\t')) q++;
            if (q == eol) break;
            const char *f = q;
            while (q < eol && *q != sep && !(sep == ' ' && *q == '\t')) q++;
            char field[64];
            size_t len = (size_t)(q - f);
            if (k == cols) {
                return fail("%s:%zu:%zu: more than %zu fields in this row", path, line,
                         (size_t)(f - start) + 1, cols);
            }
            char *e2 = field;
            double x = 0;
            if (len > 0 && len < sizeof field) {
                memcpy(field, f, len);
                field[len] = 0;
                x = strtod(field, &e2);
            }
            if (len == 0 || len >= sizeof field || *e2 || !isfinite(x)) {
                return fail("%s:%zu:%zu: '%.*s' is not a finite number", path, line,
                         (size_t)(f - start) + 1, (int)(q - f), f);
            }
            out->v[n * cols + k++] = x;
            if (sep != ' ' && q < eol) {
                q++;
                if (q == eol) {     /* a trailing separator: an empty last field */
                    return fail("%s:%zu:%zu: an empty field", path, line, (size_t)(q - start) + 1);
                }
            }
        }
        if (k < cols) {
            return fail("%s:%zu: %zu fields in this row; %zu expected", path, line, k, cols);
        }
        n++;
    }
    out->rows = n;
    if (rows && n != rows) {
        return fail("%s: %zu rows; %zu expected", path, n, rows);
    }
    if (n == 0) return fail("%s: no rows", path);
    return 0;
}

/* Column c of every row: as a class label in [0, classes). */
static int check_labels(const char *path, const Table *t, size_t c, int classes, int first_line) {
    for (size_t i = 0; i < t->rows; i++) {
        double y = t->v[i * t->cols + c];
        if (y != floor(y) || y < 0 || y >= classes) {
            return fail("%s:%zu: the label %.17g is not a class in [0, %d)", path, i + (size_t)first_line,
                     y, classes);
        }
    }
    return 0;
}

/* Column c minus its mean, divided by its (population) standard deviation. */
static void standardise(Table *t, size_t c) {
    double mean = 0, var = 0;
    for (size_t i = 0; i < t->rows; i++) mean += t->v[i * t->cols + c];
    mean /= (double)t->rows;
    for (size_t i = 0; i < t->rows; i++) {
        double d = t->v[i * t->cols + c] - mean;
        var += d * d;
    }
    double sd = sqrt(var / (double)t->rows);
    for (size_t i = 0; i < t->rows; i++) {
        double *x = &t->v[i * t->cols + c];
        *x = sd > 0 ? (*x - mean) / sd : *x - mean;
    }
}

/* The CSV: the header `name[0],...,name[k-1],label`, then the rows. */
static int write_csv(const char *out, const Table *t, const char *name, const char *label, int label_is_int) {
    FILE *f = strcmp(out, "-") ? fopen(out, "w") : stdout;
    if (!f) return fail("%s: %s", out, strerror(errno));
    for (size_t k = 0; k + 1 < t->cols; k++) fprintf(f, "%s[%zu],", name, k);
    fprintf(f, "%s\n", label);
    for (size_t i = 0; i < t->rows; i++)
        for (size_t k = 0; k < t->cols; k++) {
            double x = t->v[i * t->cols + k];
            if (k + 1 == t->cols && label_is_int) fprintf(f, "%d\n", (int)x);
            else fprintf(f, "%.17g%c", x, k + 1 == t->cols ? '\n' : ',');
        }
    int bad = ferror(f);
    if (f != stdout ? fclose(f) != 0 : fflush(f) != 0) bad = 1;
    return bad ? fail("%s: write error", out) : 0;
}

static char *join(const char *dir, const char *file) {
    size_t n = strlen(dir) + strlen(file) + 2;
    char *p = malloc(n);
    if (p) snprintf(p, n, "%s/%s", dir, file);
    return p;
}

/* iris.csv: "150,4,setosa,versicolor,virginica", then 4 features and the class. */
static int iris(const char *dir, Table *t) {
    char *path = join(dir, "iris.csv");
    Text x;
    int rc = -1;
    if (!path || read_file(path, &x) < 0) return free(path), -1;
    unsigned long rows, cols;
    char c;
    if (sscanf(x.buf, "%lu,%lu%c", &rows, &cols, &c) != 3 || c != ',' || cols != 4 || rows == 0)
        fail("%s:1:1: the header is not 'ROWS,4,CLASS NAMES...' (sklearn's iris.csv)", path);
    else if (parse(path, &x, ',', 5, rows, 1, t) == 0 && check_labels(path, t, 4, 3, 2) == 0) {
        for (size_t k = 0; k < 4; k++) standardise(t, k);
        rc = 0;
    }
    free(x.buf);
    free(path);
    return rc;
}

/* digits.csv.gz: 64 pixels (0 to 16) and the digit, no header. */
static int digits(const char *dir, Table *t) {
    char *path = join(dir, "digits.csv.gz");
    Text x;
    int rc = -1;
    if (!path || read_file(path, &x) < 0) return free(path), -1;
    if (parse(path, &x, ',', 65, 0, 0, t) == 0 && check_labels(path, t, 64, 10, 1) == 0) {
        for (size_t i = 0; i < t->rows; i++)
            for (size_t k = 0; k < 64; k++) t->v[i * 65 + k] /= 16;
        rc = 0;
    }
    free(x.buf);
    free(path);
    return rc;
}

/* diabetes_data_raw.csv.gz: 10 features separated by spaces;
 * diabetes_target.csv.gz: the target, one a line, as many lines. */
static int diabetes(const char *dir, Table *t) {
    char *px = join(dir, "diabetes_data_raw.csv.gz"), *pt = join(dir, "diabetes_target.csv.gz");
    Text x = {0}, y = {0};
    Table tx = {0}, ty = {0};
    int rc = -1;
    if (px && pt && read_file(px, &x) == 0 && read_file(pt, &y) == 0 && parse(px, &x, ' ', 10, 0, 0, &tx) == 0 &&
        parse(pt, &y, ' ', 1, tx.rows, 0, &ty) == 0) {
        t->rows = tx.rows, t->cols = 11;
        t->v = malloc(t->rows * 11 * sizeof *t->v);
        if (!t->v) {
            fail("out of memory");
        } else {
            for (size_t i = 0; i < t->rows; i++) {
                memcpy(t->v + i * 11, tx.v + i * 10, 10 * sizeof *t->v);
                t->v[i * 11 + 10] = ty.v[i];
            }
            for (size_t k = 0; k < 11; k++) standardise(t, k);
            rc = 0;
        }
    }
    free(x.buf), free(y.buf), free(tx.v), free(ty.v), free(px), free(pt);
    return rc;
}

static int usage(void) {
    fprintf(stderr, "usage: mgc-sklearn iris|digits|diabetes [-o FILE] [--from DIR]\n");
    return 1;
}

int main(int argc, char **argv) {
    const char *set = NULL, *out = "-", *dir = DEFAULT_DIR;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            printf("mgc-sklearn: a data set of Debian's python3-sklearn as a CSV file for mgc\n"
                   "  iris       x[0..3] (standardised), y < 3: models/iris.mg\n"
                   "  digits     img[0..63] (the 8x8 pixels / 16), y < 10: models/digits.mg\n"
                   "  diabetes   x[0..9] (standardised), t (standardised): models/diabetes.mg\n"
                   "  -o FILE    output (default: standard output)\n"
                   "  --from DIR the folder of sklearn's files (default %s)\n", DEFAULT_DIR);
            return 0;
        }
        if (!strcmp(a, "-o") || !strcmp(a, "--from")) {
            if (i + 1 == argc) return usage();
            if (!strcmp(a, "-o")) out = argv[++i];
            else dir = argv[++i];
        } else if (!set && *a != '-') {
            set = a;
        } else {
            return usage();
        }
    }
    if (!set) return usage();
    Table t = {0};
    int rc;
    if (!strcmp(set, "iris")) rc = iris(dir, &t) < 0 || write_csv(out, &t, "x", "y", 1) < 0;
    else if (!strcmp(set, "digits")) rc = digits(dir, &t) < 0 || write_csv(out, &t, "img", "y", 1) < 0;
    else if (!strcmp(set, "diabetes")) rc = diabetes(dir, &t) < 0 || write_csv(out, &t, "x", "t", 0) < 0;
    else {
        fprintf(stderr, "%s: error: unknown data set '%s' (iris, digits or diabetes)\n", prog, set);
        return 1;
    }
    free(t.v);
    return rc;
}
