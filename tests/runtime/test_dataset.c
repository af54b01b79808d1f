/* test_dataset.c: datasets of examples from CSV, .npy and safetensors files
 * (runtime/dataset*.c), their errors, and the seeded validation split.
 * Expected values are written out by hand from the small files the tests
 * write, or computed independently: libc's strtod for numbers, CPython's
 * random.shuffle for the split, numpy for .npy files. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "mg_dataset.h"
#include "testutil.h"

/* x: real [2]; y: a label in [0, 3). */
static const MgField XY[] = {
    {"x", 0, 0, 1, {2}, 2, 0, 0},
    {"y", 1, 3, 0, {0}, 1, 0, 0},
};

static int csv(MgExamples *x, const char *text, const MgField *f, int nf, MgErr *e) {
    return mg_examples_load_csv(x, "d.csv", text, strlen(text), f, nf, e);
}

/* The load fails with exactly the message want. */
static void csv_fails(const char *text, const MgField *f, int nf, const char *want) {
    MgExamples x;
    MgErr e = {{0}};
    cr_expect_eq(csv(&x, text, f, nf, &e), -1, "accepted: %s", text);
    cr_expect_str_eq(e.msg, want, "for %s", text);
    cr_expect_eq(x.n, 0);
    cr_expect_null(x.data);
}

Test(dataset, csv_scalar_and_tensor_columns_extra_columns_ignored) {
    MgExamples x;
    MgErr e;
    cr_assert_eq(csv(&x, "id,y,x[1],note,x[0]\n7,2,-1.25,hello,0.5\n8,0,3e2,,-0\n", XY, 2, &e), 0, "%s", e.msg);
    cr_assert_eq(x.n, 2);
    cr_assert_eq(x.nfields, 2);
    cr_expect_str_eq(x.source, "d.csv");
    cr_expect_str_eq(x.fields[0].name, "x");
    cr_expect_neq(x.fields[0].name, XY[0].name, "the names are copies");
    double want_x[] = {0.5, -1.25, -0.0, 300}, want_y[] = {2, 0};
    for (int i = 0; i < 4; i++) cr_expect_eq(x.data[0][i], want_x[i], "x %d: %g", i, x.data[0][i]);
    cr_expect(signbit(x.data[0][2]), "-0 keeps its sign");
    for (int i = 0; i < 2; i++) cr_expect_eq(x.data[1][i], want_y[i]);
    cr_expect_eq(x.row[0], 2);
    cr_expect_eq(x.row[1], 3);
    mg_examples_free(&x);
    cr_expect_null(x.data);
    mg_examples_free(&x);   /* twice is harmless */
}

Test(dataset, csv_rank_2_columns_flat_or_per_axis) {
    static const MgField M[] = {{"m", 0, 0, 2, {2, 3}, 6, 0, 0}};
    /* m[i][j], m[i,j] (quoted: it holds a comma) and the flat m[k], mixed */
    const char *text = "m[0][0],\"m[0, 1]\",m[2],m[1][0], m[4] ,\"m[1,2]\"\n1,2,3,4,5,6\n";
    MgExamples x;
    MgErr e;
    cr_assert_eq(csv(&x, text, M, 1, &e), 0, "%s", e.msg);
    for (int i = 0; i < 6; i++) cr_expect_eq(x.data[0][i], i + 1);
    mg_examples_free(&x);
    /* a flat index past the size, an axis index past its extent, three indices */
    csv_fails("m[6],x\n1,2\n", M, 1, "d.csv:1:1: column 'm[6]' names no element of input 'm' of shape [2, 3]");
    csv_fails("m[0][3]\n1\n", M, 1, "d.csv:1:1: column 'm[0][3]' names no element of input 'm' of shape [2, 3]");
    csv_fails("a,m[0][0][0]\n1\n", M, 1,
              "d.csv:1:3: column 'm[0][0][0]' names no element of input 'm' of shape [2, 3]");
    csv_fails("m[0]x\n1\n", M, 1, "d.csv:1:1: column 'm[0]x' names no element of input 'm' of shape [2, 3]");
}

Test(dataset, csv_rfc4180_quotes_crlf_bom_blank_lines) {
    /* a BOM, CRLF, quoted names and values, "" in an ignored quoted field
     * spanning two lines, a blank line in the middle, blank trailing lines */
    const char *text = "\xEF\xBB\xBF\"x[0]\",x[1],\"y\",c\r\n"
                       "\" 1.5 \",2,\"1\",\"say \"\"hi\"\",\r\nthen go\"\r\n"
                       "\r\n"
                       "3,4,0,\r\n"
                       "5,6,2,x\r\n\r\n\n";
    MgExamples x;
    MgErr e;
    cr_assert_eq(csv(&x, text, XY, 2, &e), 0, "%s", e.msg);
    cr_assert_eq(x.n, 3);
    double want_x[] = {1.5, 2, 3, 4, 5, 6}, want_y[] = {1, 0, 2};
    for (int i = 0; i < 6; i++) cr_expect_eq(x.data[0][i], want_x[i]);
    for (int i = 0; i < 3; i++) cr_expect_eq(x.data[1][i], want_y[i]);
    size_t want_row[] = {2, 5, 6};
    for (int i = 0; i < 3; i++) cr_expect_eq(x.row[i], want_row[i], "row %d: line %zu", i, x.row[i]);
    mg_examples_free(&x);
    /* lone CR line ends, no final line end, spaces around header names */
    cr_assert_eq(csv(&x, " x[0] ,\tx[1],y\r1,2,0\r3,4,1", XY, 2, &e), 0, "%s", e.msg);
    cr_expect_eq(x.n, 2);
    cr_expect_eq(x.data[0][3], 4);
    cr_expect_eq(x.row[1], 3);
    mg_examples_free(&x);
}

/* A small xorshift generator for the number strings. */
static uint64_t rs = 0x9E3779B97F4A7C15ull;
static uint64_t rnd(void) {
    rs ^= rs << 13, rs ^= rs >> 7, rs ^= rs << 17;
    return rs;
}

Test(dataset, csv_numbers_are_the_doubles_strtod_gives) {
    static const MgField V[] = {{"v", 0, 0, 0, {0}, 1, 0, 0}};
    enum { N = 20000 };
    size_t cap = (size_t)N * 48 + 8, w = 0;
    char *text = malloc(cap), (*num)[40] = malloc(N * sizeof *num);
    w += (size_t)sprintf(text, "v\n");
    for (int i = 0; i < N; i++) {
        char *p = num[i];
        int k = 0;
        if (rnd() % 3 == 0) p[k++] = rnd() % 2 ? '-' : '+';
        int ndig = 1 + (int)(rnd() % 24), dot = (int)(rnd() % (ndig + 2));
        for (int d = 0; d < ndig; d++) {
            if (d == dot) p[k++] = '.';
            p[k++] = (char)('0' + rnd() % 10);
        }
        if (rnd() % 2) k += sprintf(p + k, "e%d", (int)(rnd() % 640) - 330);
        p[k] = '\0';
        w += (size_t)sprintf(text + w, "%s\n", p);
    }
    MgExamples x;
    MgErr e;
    int rc = mg_examples_load_csv(&x, "n.csv", text, w, V, 1, &e);
    if (rc < 0) {   /* only for out-of-range values: drop those lines and retry */
        w = (size_t)sprintf(text, "v\n");
        int m = 0;
        for (int i = 0; i < N; i++)
            if (isfinite(strtod(num[i], NULL))) {
                w += (size_t)sprintf(text + w, "%s\n", num[i]);
                memmove(num[m++], num[i], 40);
            }
        cr_assert_eq(mg_examples_load_csv(&x, "n.csv", text, w, V, 1, &e), 0, "%s", e.msg);
        cr_assert_eq(x.n, (size_t)m);
    }
    for (size_t i = 0; i < x.n; i++) {
        double want = strtod(num[i], NULL);
        cr_assert(memcmp(&want, &x.data[0][i], 8) == 0, "%s: %.17g, strtod %.17g", num[i], x.data[0][i], want);
    }
    mg_examples_free(&x);
    free(text);
    free(num);
}

Test(dataset, csv_errors_name_the_line_and_column) {
    csv_fails("x[0],y\n1,2\n", XY, 2,
              "d.csv:1: the header has no column 'x[1]' (input 'x' of shape [2] needs one column per element)");
    csv_fails("x[0],x[1]\n1,2\n", XY, 2, "d.csv:1: the header has no column 'y'");
    csv_fails("x[0],x[1],y\n1,2,0\n1,abc,0\n", XY, 2, "d.csv:3:3: column 'x[1]': 'abc' is not a number");
    csv_fails("x[0],x[1],y\n1,0x10,0\n", XY, 2, "d.csv:2:3: column 'x[1]': '0x10' is not a number");
    csv_fails("x[0],x[1],y\n1,1e5x,0\n", XY, 2, "d.csv:2:3: column 'x[1]': '1e5x' is not a number");
    csv_fails("x[0],x[1],y\n1, ,0\n", XY, 2, "d.csv:2:3: column 'x[1]' is empty; a number is needed");
    csv_fails("x[0],x[1],y\n1,2,\n", XY, 2, "d.csv:2:5: column 'y' is empty; a number is needed");
    csv_fails("x[0],x[1],y\n1,NaN,0\n", XY, 2, "d.csv:2:3: column 'x[1]': non-finite value 'NaN'");
    csv_fails("x[0],x[1],y\n-inf,1,0\n", XY, 2, "d.csv:2:1: column 'x[0]': non-finite value '-inf'");
    csv_fails("x[0],x[1],y\n1e999,1,0\n", XY, 2, "d.csv:2:1: column 'x[0]': non-finite value '1e999'");
    csv_fails("x[0],x[1],y\n1,2,1.5\n", XY, 2,
              "d.csv:2:5: column 'y': 1.5 is not an integer ('y' takes integers in [0, 3))");
    csv_fails("x[0],x[1],y\n1,2,3\n", XY, 2, "d.csv:2:5: column 'y': 3 is outside [0, 3), the range of 'y'");
    csv_fails("x[0],x[1],y\n1,2,-1\n", XY, 2, "d.csv:2:5: column 'y': -1 is outside [0, 3), the range of 'y'");
    csv_fails("x[0],x[1],y\n1,2\n", XY, 2, "d.csv:2:4: this row has 2 fields; the header has 3");
    csv_fails("x[0],x[1],y\n1,2,0,4\n", XY, 2, "d.csv:2:6: this row has more fields than the header's 3");
    csv_fails("x[0],x[1],y\n1,\"2,0\n", XY, 2, "d.csv:2:3: the quote that opens this field is never closed");
    csv_fails("x[0],x[1],y\n1,\"2\"x,0\n", XY, 2,
              "d.csv:2:6: 'x' after the closing quote of a field (a field is either all quoted or not at all)");
    csv_fails("x[0],x[1],y\n1,2\"3,0\n", XY, 2, "d.csv:2:4: a quote inside a field that does not start with one");
    csv_fails("", XY, 2, "d.csv: the file is empty (a CSV file starts with a header naming its columns)");
    csv_fails("\r\n\n", XY, 2, "d.csv: the file is empty (a CSV file starts with a header naming its columns)");
    csv_fails("x[0],x[1],y\r\n\r\n", XY, 2, "d.csv: no examples: the file has only its header");
    csv_fails("x[0],x[1],y,x[0]\n", XY, 2,
              "d.csv:1: columns 'x[0]' (field 1) and 'x[0]' (field 4) are the same element of 'x'");
    csv_fails("x,y\n1,2\n", XY, 2,
              "d.csv:1:1: column 'x': input 'x' is a tensor of shape [2]: its columns are x[0], x[1], ... (row-major)");
    csv_fails("x[0],x[1],y[0]\n1,2,0\n", XY, 2, "d.csv:1:11: column 'y[0]': input 'y' is a scalar: its column is 'y'");
    /* a line after a multi-line quoted field */
    csv_fails("c,x[0],x[1],y\n\"a\nb\",1,2,z\n", XY, 2, "d.csv:3:8: column 'y': 'z' is not a number");
    /* control bytes are shown escaped */
    csv_fails("x[0],x[1],y\n1,2\x01,0\n", XY, 2, "d.csv:2:3: column 'x[1]': '2\\x01' is not a number");
}

Test(dataset, fields_that_make_no_sense_are_refused) {
    static const MgField bad_size[] = {{"x", 0, 0, 1, {2}, 3, 0, 0}};
    static const MgField bad_range[] = {{"y", 1, 0, 0, {0}, 1, 0, 0}};
    static const MgField twice[] = {{"y", 0, 0, 0, {0}, 1, 0, 0}, {"y", 0, 0, 0, {0}, 1, 0, 0}};
    csv_fails("x\n1\n", XY, 0, "d.csv: the model declares no inputs to read");
    csv_fails("x\n1\n", bad_size, 1, "d.csv: input 'x' has size 3, not the product of its shape 2");
    csv_fails("x\n1\n", bad_range, 1, "d.csv: input 'y' has range 0");
    csv_fails("x\n1\n", twice, 2, "d.csv: input 'y' appears twice");
}

Test(dataset, load_reads_a_csv_file_and_names_it) {
    char *dir = tu_tmpdir(), *p = tu_path(dir, "pts.csv"), *missing = tu_path(dir, "none.csv"), want[4400];
    tu_write_str(p, "x[0],x[1],y\n1,2,0\n3,4,x\n");
    MgExamples x;
    MgErr e;
    cr_expect_eq(mg_examples_load(&x, p, XY, 2, &e), -1);
    snprintf(want, sizeof want, "%s:3:5: column 'y': 'x' is not a number", p);
    cr_expect_str_eq(e.msg, want);
    tu_write_str(p, "x[0],x[1],y\n1,2,0\n3,4,1\n");
    cr_assert_eq(mg_examples_load(&x, p, XY, 2, &e), 0, "%s", e.msg);
    cr_expect_str_eq(x.source, p);
    cr_expect_eq(x.n, 2);
    mg_examples_free(&x);
    cr_expect_eq(mg_examples_load_max(&x, p, XY, 2, 10, &e), -1);
    snprintf(want, sizeof want, "%s: 24 bytes is more than the limit of 0 MiB on data files (--max-data)", p);
    cr_expect_str_eq(e.msg, want);
    cr_expect_eq(mg_examples_load(&x, missing, XY, 2, &e), -1);
    snprintf(want, sizeof want, "%s: cannot open: No such file or directory", missing);
    cr_expect_str_eq(e.msg, want);
    tu_rmrf(dir);
}

/* The validation split against CPython:
 *   idx = list(range(n)); random.seed(s); random.shuffle(idx); sorted(idx[:k]) */
Test(dataset, split_is_the_python_shuffle_and_keeps_file_order) {
    static const MgField V[] = {{"v", 0, 0, 0, {0}, 1, 0, 0}, {"w", 1, 1000, 1, {2}, 2, 0, 0}};
    struct { size_t n; double frac; uint64_t seed; size_t k; size_t val[20]; } cases[] = {
        {10, 0.3, 42, 3, {2, 3, 7}},
        {7, 0.5, 1, 4, {2, 3, 5, 6}},
        {100, 0.2, 1337, 20, {7, 9, 10, 17, 22, 32, 34, 37, 52, 55, 56, 61, 63, 66, 69, 75, 77, 78, 83, 89}},
    };
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
        char text[4096];
        size_t w = (size_t)sprintf(text, "v,w[0],w[1]\n");
        for (size_t i = 0; i < cases[c].n; i++) w += (size_t)sprintf(text + w, "%zu.5,%zu,%zu\n", i, i, 999 - i);
        MgExamples all, tr, va;
        MgErr e;
        cr_assert_eq(csv(&all, text, V, 2, &e), 0, "%s", e.msg);
        cr_assert_eq(mg_examples_split(&all, cases[c].frac, cases[c].seed, &tr, &va, &e), 0, "%s", e.msg);
        cr_assert_eq(va.n, cases[c].k);
        cr_assert_eq(tr.n, cases[c].n - cases[c].k);
        size_t j = 0, t = 0;
        for (size_t i = 0; i < cases[c].n; i++) {
            int in_val = j < va.n && cases[c].val[j] == i;
            MgExamples *s = in_val ? &va : &tr;
            size_t at = in_val ? j++ : t++;
            cr_expect_eq(s->data[0][at], (double)i + 0.5, "case %zu example %zu", c, i);
            cr_expect_eq(s->data[1][2 * at], (double)i);
            cr_expect_eq(s->data[1][2 * at + 1], 999.0 - (double)i);
            cr_expect_eq(s->row[at], i + 2);
        }
        cr_expect_eq(all.n, cases[c].n, "the whole is unchanged");
        mg_examples_free(&tr);
        mg_examples_free(&va);
        mg_examples_free(&all);
    }
}

Test(dataset, split_refuses_fractions_that_leave_a_side_empty) {
    MgExamples all, tr, va;
    MgErr e;
    cr_assert_eq(csv(&all, "x[0],x[1],y\n1,2,0\n3,4,1\n5,6,2\n", XY, 2, &e), 0, "%s", e.msg);
    cr_expect_eq(mg_examples_split(&all, 0, 1, &tr, &va, &e), -1);
    cr_expect_str_eq(e.msg, "d.csv: a validation fraction of 0; it must be between 0 and 1");
    cr_expect_eq(mg_examples_split(&all, NAN, 1, &tr, &va, &e), -1);
    cr_expect_eq(mg_examples_split(&all, 0.1, 1, &tr, &va, &e), -1);
    cr_expect_str_eq(e.msg, "d.csv: a validation fraction of 0.1 of 3 examples leaves 0 for validation and 3 for "
                     "training; each needs at least one");
    cr_expect_eq(mg_examples_split(&all, 0.9, 1, &tr, &va, &e), -1);
    cr_expect_null(tr.data);
    cr_expect_null(va.data);
    mg_examples_free(&all);
}

/* ---- .npy ---- */

/* A .npy file of format major.0: the dict, padded to a multiple of 64 with
 * spaces and a newline as numpy pads it, then len bytes of data. */
static unsigned char *npy(int major, const char *dict, const void *data, size_t len, size_t *total) {
    size_t pre = major == 1 ? 10 : 12, h = strlen(dict) + 1, pad = (64 - (pre + h) % 64) % 64;
    size_t hl = h + pad;
    unsigned char *b = malloc(pre + hl + len + 1);
    memcpy(b, "\x93NUMPY", 6);
    b[6] = (unsigned char)major, b[7] = 0;
    for (size_t k = 0; k < pre - 8; k++) b[8 + k] = (unsigned char)(hl >> (8 * k));
    memcpy(b + pre, dict, strlen(dict));
    memset(b + pre + strlen(dict), ' ', pad);
    b[pre + hl - 1] = '\n';
    if (len) memcpy(b + pre + hl, data, len);
    *total = pre + hl + len;
    return b;
}

static void npy_fails(const MgField *f, int major, const char *dict, const void *data, size_t len, const char *want) {
    size_t n;
    unsigned char *b = npy(major, dict, data, len, &n);
    MgExamples x;
    MgErr e = {{0}};
    cr_expect_eq(mg_examples_load_npy(&x, "a.npy", b, n, f, &e), -1, "accepted %s", dict);
    cr_expect_str_eq(e.msg, want);
    cr_expect_null(x.data);
    free(b);
}

Test(dataset, npy_every_dtype_and_byte_order) {
    static const MgField V[] = {{"v", 0, 0, 0, {0}, 1, 0, 0}};
    static const struct { const char *descr; unsigned char bytes[16]; double want[2]; } cases[] = {
        {"<f8", {0, 0, 0, 0, 0, 0, 0xf8, 0x3f, 0, 0, 0, 0, 0, 0, 0x04, 0xc0}, {1.5, -2.5}},
        {">f8", {0x3f, 0xf8, 0, 0, 0, 0, 0, 0, 0xc0, 0x04, 0, 0, 0, 0, 0, 0}, {1.5, -2.5}},
        {"<f4", {0, 0, 0xc0, 0x3f, 0, 0, 0x20, 0xc0}, {1.5, -2.5}},
        {"<f2", {0x00, 0x3e, 0x01, 0x00}, {1.5, 5.9604644775390625e-8}},
        {"<i8", {0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 7, 0, 0, 0, 0, 0, 0, 0}, {-2, 7}},
        {"<i4", {0xfe, 0xff, 0xff, 0xff, 0, 1, 0, 0}, {-2, 256}},
        {">i4", {0xff, 0xff, 0xff, 0xfe, 0, 0, 1, 0}, {-2, 256}},
        {"<i2", {0x00, 0x80, 0xff, 0x7f}, {-32768, 32767}},
        {"|i1", {0x80, 0x7f}, {-128, 127}},
        {"<u8", {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 1, 0, 0, 0, 0, 0, 0, 0}, {18446744073709551615.0, 1}},
        {"<u4", {0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0}, {4294967295.0, 2}},
        {"<u2", {0xff, 0xff, 3, 0}, {65535, 3}},
        {"|u1", {0xff, 4}, {255, 4}},
        {"|b1", {1, 0}, {1, 0}},
    };
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
        char dict[200];
        int size = cases[c].descr[2] - '0';
        snprintf(dict, sizeof dict, "{'descr': '%s', 'fortran_order': False, 'shape': (2,), }", cases[c].descr);
        for (int major = 1; major <= 3; major++) {
            size_t n;
            unsigned char *b = npy(major, dict, cases[c].bytes, 2 * (size_t)size, &n);
            MgExamples x;
            MgErr e;
            cr_assert_eq(mg_examples_load_npy(&x, "a.npy", b, n, V, &e), 0, "%s v%d: %s", cases[c].descr, major, e.msg);
            cr_assert_eq(x.n, 2);
            for (int i = 0; i < 2; i++)
                cr_expect_eq(x.data[0][i], cases[c].want[i], "%s [%d]: %.17g", cases[c].descr, i, x.data[0][i]);
            mg_examples_free(&x);
            free(b);
        }
    }
}

Test(dataset, npy_errors_name_the_array) {
    static const MgField X[] = {{"x", 0, 0, 1, {2}, 2, 0, 0}};
    static const MgField Y[] = {{"y", 1, 3, 0, {0}, 1, 0, 0}};
    double d[6] = {1, 2, 3, NAN, 5, 6};
    npy_fails(X, 1, "{'descr': '<f8', 'fortran_order': False, 'shape': (3, 2), }", d, 48,
              "a.npy: array 'x' at [1, 1]: non-finite value nan");
    npy_fails(X, 1, "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }", d, 48,
              "a.npy: array 'x' has shape (2, 3); input 'x' needs (N, 2), with N examples first");
    npy_fails(X, 1, "{'descr': '<f8', 'fortran_order': False, 'shape': (6,), }", d, 48,
              "a.npy: array 'x' has shape (6,); input 'x' needs (N, 2), with N examples first");
    npy_fails(Y, 1, "{'descr': '<f8', 'fortran_order': False, 'shape': (6, 1), }", d, 48,
              "a.npy: array 'y' has shape (6, 1); input 'y' needs (N,), with N examples first");
    npy_fails(X, 1, "{'descr': '<f8', 'fortran_order': False, 'shape': (0, 2), }", d, 0,
              "a.npy: array 'x' holds no examples (shape (0, 2))");
    npy_fails(X, 1, "{'descr': '<f8', 'fortran_order': False, 'shape': (3, 2), }", d, 40,
              "a.npy: array 'x': its shape and dtype need 48 bytes of data, and the file has 40 (truncated?)");
    npy_fails(X, 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 2), }", d, 48,
              "a.npy: array 'x': its shape and dtype need 24 bytes of data, and the file has 48");
    npy_fails(X, 1, "{'descr': '<f8', 'fortran_order': True, 'shape': (3, 2), }", d, 48,
              "a.npy: array 'x' is in Fortran order; save it in C order (np.ascontiguousarray)");
    npy_fails(X, 1, "{'descr': '<c16', 'fortran_order': False, 'shape': (3, 2), }", d, 48,
              "a.npy: array 'x' has dtype '<c16'; only numbers are read (f8 f4 f2 i8 i4 i2 i1 u8 u4 u2 u1 b1)");
    npy_fails(X, 1, "{'descr': '|O', 'fortran_order': False, 'shape': (3, 2), }", d, 48,
              "a.npy: array 'x' has dtype '|O'; only numbers are read (f8 f4 f2 i8 i4 i2 i1 u8 u4 u2 u1 b1)");
    npy_fails(X, 1, "{'descr': [('a', '<f8')], 'fortran_order': False, 'shape': (3,), }", d, 24,
              "a.npy: array 'x': it holds a structured array (a record dtype); only plain numbers are read");
    npy_fails(X, 1, "{'descr': '<f8', 'shape': (3, 2), }", d, 48,
              "a.npy: array 'x': the header lacks 'descr', 'fortran_order' or 'shape'");
    npy_fails(X, 1, "{'descr': '<f8', 'fortran_order': False, 'shape': (3, -2), }", d, 48,
              "a.npy: array 'x': the header's shape is not a tuple of integers (of rank at most 6)");
    npy_fails(X, 1, "not a dict", d, 48, "a.npy: array 'x': the header is not a Python dict literal");
    double y[3] = {0, 2.5, 1};
    npy_fails(Y, 1, "{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }", y, 24,
              "a.npy: array 'y' at [1]: 2.5 is not an integer ('y' takes integers in [0, 3))");
    int64_t yi[3] = {0, 1, 3};
    npy_fails(Y, 2, "{'descr': '<i8', 'fortran_order': False, 'shape': (3,), }", yi, 24,
              "a.npy: array 'y' at [2]: 3 is outside [0, 3), the range of 'y'");
    npy_fails(Y, 4, "{'descr': '<i8', 'fortran_order': False, 'shape': (3,), }", yi, 24,
              "a.npy: .npy format version 4.0; versions 1.0, 2.0 and 3.0 are read");
    MgExamples x;
    MgErr e;
    cr_expect_eq(mg_examples_load_npy(&x, "a.npy", (const unsigned char *)"PK\3\4 zip file", 14, Y, &e), -1);
    cr_expect_str_eq(e.msg, "a.npy: not a NumPy .npy file (it does not start with \\x93NUMPY)");
    size_t n;
    unsigned char *b = npy(1, "{'descr': '<i8', 'fortran_order': False, 'shape': (3,), }", yi, 24, &n);
    cr_expect_eq(mg_examples_load_npy(&x, "a.npy", b, 40, Y, &e), -1);
    cr_expect_str_eq(e.msg, "a.npy: the header of 118 bytes goes past the end of the file (truncated?)");
    free(b);
}

Test(dataset, npy_directory_one_file_per_input) {
    char *dir = tu_tmpdir(), *px = tu_path(dir, "x.npy"), *py = tu_path(dir, "y.npy"), want[4400];
    double xv[6] = {1, 2, 3, 4, 5, 6};
    uint8_t yv[3] = {2, 0, 1};
    size_t n;
    unsigned char *bx = npy(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (3, 2), }", xv, 48, &n);
    tu_write(px, bx, n);
    unsigned char *by = npy(1, "{'descr': '|u1', 'fortran_order': False, 'shape': (2,), }", yv, 2, &n);
    tu_write(py, by, n);
    MgExamples x;
    MgErr e;
    cr_expect_eq(mg_examples_load(&x, dir, XY, 2, &e), -1);
    snprintf(want, sizeof want, "%s: 2 examples, but %s has 3", py, px);
    cr_expect_str_eq(e.msg, want);
    free(by);
    by = npy(1, "{'descr': '|u1', 'fortran_order': False, 'shape': (3,), }", yv, 3, &n);
    tu_write(py, by, n);
    cr_assert_eq(mg_examples_load(&x, dir, XY, 2, &e), 0, "%s", e.msg);
    cr_expect_str_eq(x.source, dir);
    cr_assert_eq(x.n, 3);
    for (int i = 0; i < 6; i++) cr_expect_eq(x.data[0][i], xv[i]);
    for (int i = 0; i < 3; i++) cr_expect_eq(x.data[1][i], yv[i]);
    cr_expect_eq(x.row[2], 0);
    mg_examples_free(&x);
    /* one field: the file itself; two: a directory is needed */
    cr_assert_eq(mg_examples_load(&x, py, &XY[1], 1, &e), 0, "%s", e.msg);
    cr_expect_eq(x.data[0][0], 2);
    mg_examples_free(&x);
    cr_expect_eq(mg_examples_load(&x, py, XY, 2, &e), -1);
    snprintf(want, sizeof want, "%s: a .npy file holds one array, and the model has 2 inputs: give a directory "
             "holding NAME.npy for each", py);
    cr_expect_str_eq(e.msg, want);
    remove(px);
    cr_expect_eq(mg_examples_load(&x, dir, XY, 2, &e), -1);
    snprintf(want, sizeof want, "%s: no file x.npy for input 'x'", dir);
    cr_expect_str_eq(e.msg, want);
    free(bx);
    free(by);
    tu_rmrf(dir);
}

/* Files numpy itself writes (np.save, and format versions 2 and 3 through
 * np.lib.format), against the values numpy prints. */
Test(dataset, npy_files_numpy_writes) {
    char *dir = tu_tmpdir(), *out, *err, cmd[8000];
    snprintf(cmd, sizeof cmd,
             "cd '%s' && /usr/bin/python3 -c \"\n"
             "import numpy as np\n"
             "r = np.random.default_rng(5)\n"
             "v = r.normal(size=(7, 2, 3)) * 10.0 ** r.integers(-30, 30, size=(7, 2, 3))\n"
             "for i, (t, ver) in enumerate([('<f8', None), ('>f8', (2, 0)), ('<f4', (3, 0)), ('<f2', None)]):\n"
             "    a = (v if t != '<f2' else np.clip(v, -6e4, 6e4)).astype(t)\n"
             "    with open('m%%d.npy' %% i, 'wb') as f: np.lib.format.write_array(f, a, version=ver)\n"
             "    print(' '.join(repr(float(z)) for z in a.ravel()))\n"
             "np.save('y.npy', np.array([2, 0, 1, 1, 0, 2, 2], dtype=np.int32))\n"
             "print(' '.join(repr(float(z)) for z in v.ravel()))\n"
             "np.save('f.npy', np.asfortranarray(v))\n"
             "\"", dir);
    int rc = tu_run(dir, cmd, &out, &err);
    if (rc != 0) {
        cr_log_warn("skipped: /usr/bin/python3 with numpy is not available (%s)", err);
        tu_rmrf(dir);
        return;
    }
    static const MgField M[] = {{"m", 0, 0, 2, {2, 3}, 6, 0, 0}};
    static const MgField Y[] = {{"y", 1, 3, 0, {0}, 1, 0, 0}};
    char *line = out, *end;
    for (int k = 0; k < 4; k++) {
        char name[32];
        snprintf(name, sizeof name, "m%d.npy", k);
        char *p = tu_path(dir, name);
        MgExamples x;
        MgErr e;
        cr_assert_eq(mg_examples_load(&x, p, M, 1, &e), 0, "%s", e.msg);
        cr_assert_eq(x.n, 7);
        for (int i = 0; i < 42; i++) {
            double want = strtod(line, &end);
            cr_assert_neq(end, line, "numpy printed too little");
            line = end;
            cr_expect_eq(x.data[0][i], want, "%s [%d]: %.17g, numpy %.17g", name, i, x.data[0][i], want);
        }
        mg_examples_free(&x);
        free(p);
    }
    char *p = tu_path(dir, "y.npy"), want[4400];
    MgExamples x;
    MgErr e;
    cr_assert_eq(mg_examples_load(&x, p, Y, 1, &e), 0, "%s", e.msg);
    double yv[] = {2, 0, 1, 1, 0, 2, 2};
    for (int i = 0; i < 7; i++) cr_expect_eq(x.data[0][i], yv[i]);
    mg_examples_free(&x);
    free(p);
    p = tu_path(dir, "f.npy");
    cr_expect_eq(mg_examples_load(&x, p, M, 1, &e), -1);
    snprintf(want, sizeof want, "%s: array 'm' is in Fortran order; save it in C order (np.ascontiguousarray)", p);
    cr_expect_str_eq(e.msg, want);
    free(p);
    free(out);
    free(err);
    tu_rmrf(dir);
}

/* ---- safetensors ---- */

#include "mg_safetensors.h"

/* A safetensors file: the 8-byte size, the JSON header, len bytes of data. */
static unsigned char *st_file(const char *json, const void *data, size_t len, size_t *total) {
    size_t h = strlen(json);
    unsigned char *b = malloc(8 + h + len + 1);
    for (int k = 0; k < 8; k++) b[k] = (unsigned char)((uint64_t)h >> (8 * k));
    memcpy(b + 8, json, h);
    if (len) memcpy(b + 8 + h, data, len);
    *total = 8 + h + len;
    return b;
}

static void st_fails(const MgField *f, int nf, const char *json, const void *data, size_t len, const char *want) {
    size_t n;
    unsigned char *b = st_file(json, data, len, &n);
    MgExamples x;
    MgErr e = {{0}};
    cr_expect_eq(mg_examples_load_safetensors(&x, "a.safetensors", b, n, f, nf, &e), -1, "accepted %s", json);
    cr_expect_str_eq(e.msg, want);
    cr_expect_null(x.data);
    free(b);
}

Test(dataset, safetensors_tensors_by_field_name_any_dtype) {
    /* x: F32 [3, 2]; y: I64 [3]; z ignored; metadata ignored */
    float xv[6] = {0.5f, -1, 2, 3.25f, 4, 5};
    int64_t yv[3] = {2, 0, 1};
    double zv[1] = {9};
    unsigned char data[24 + 24 + 8];
    memcpy(data, zv, 8);
    memcpy(data + 8, xv, 24);
    memcpy(data + 32, yv, 24);
    const char *json = "{\"__metadata__\":{\"k\":\"v\"},\"z\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[0,8]},"
                       "\"y\":{\"dtype\":\"I64\",\"shape\":[3],\"data_offsets\":[32,56]},"
                       "\"x\":{\"dtype\":\"F32\",\"shape\":[3,2],\"data_offsets\":[8,32]}}";
    size_t n;
    unsigned char *b = st_file(json, data, sizeof data, &n);
    MgExamples x;
    MgErr e;
    cr_assert_eq(mg_examples_load_safetensors(&x, "a.safetensors", b, n, XY, 2, &e), 0, "%s", e.msg);
    cr_assert_eq(x.n, 3);
    for (int i = 0; i < 6; i++) cr_expect_eq(x.data[0][i], xv[i]);
    for (int i = 0; i < 3; i++) cr_expect_eq(x.data[1][i], yv[i]);
    mg_examples_free(&x);
    free(b);
    static const MgField V[] = {{"v", 0, 0, 0, {0}, 1, 0, 0}};
    static const struct { const char *dtype; unsigned char bytes[16]; double want[2]; } cases[] = {
        {"F64", {0, 0, 0, 0, 0, 0, 0xf8, 0x3f, 0, 0, 0, 0, 0, 0, 0x04, 0xc0}, {1.5, -2.5}},
        {"F32", {0, 0, 0xc0, 0x3f, 0, 0, 0x20, 0xc0}, {1.5, -2.5}},
        {"F16", {0x00, 0x3e, 0x01, 0x80}, {1.5, -5.9604644775390625e-8}},
        {"BF16", {0xc0, 0x3f, 0x20, 0xc0}, {1.5, -2.5}},
        {"I64", {0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 7, 0, 0, 0, 0, 0, 0, 0}, {-2, 7}},
        {"I32", {0xfe, 0xff, 0xff, 0xff, 0, 1, 0, 0}, {-2, 256}},
        {"I16", {0x00, 0x80, 0xff, 0x7f}, {-32768, 32767}},
        {"I8", {0x80, 0x7f}, {-128, 127}},
        {"U64", {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 1, 0, 0, 0, 0, 0, 0, 0}, {18446744073709551615.0, 1}},
        {"U32", {0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0}, {4294967295.0, 2}},
        {"U16", {0xff, 0xff, 3, 0}, {65535, 3}},
        {"U8", {0xff, 4}, {255, 4}},
        {"BOOL", {1, 0}, {1, 0}},
    };
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
        char j[200];
        size_t size = !strcmp(cases[c].dtype, "BOOL") ? 1 : !strcmp(cases[c].dtype, "BF16") ? 2
             : (size_t)atoi(cases[c].dtype + 1) / 8;
        snprintf(j, sizeof j, "{\"v\":{\"dtype\":\"%s\",\"shape\":[2],\"data_offsets\":[0,%zu]}}", cases[c].dtype,
                 2 * size);
        b = st_file(j, cases[c].bytes, 2 * size, &n);
        cr_assert_eq(mg_examples_load_safetensors(&x, "a.safetensors", b, n, V, 1, &e), 0, "%s: %s", cases[c].dtype,
                     e.msg);
        for (int i = 0; i < 2; i++)
            cr_expect_eq(x.data[0][i], cases[c].want[i], "%s [%d]: %.17g", cases[c].dtype, i, x.data[0][i]);
        mg_examples_free(&x);
        free(b);
    }
}

Test(dataset, safetensors_errors_name_the_tensor) {
    double d[6] = {1, 2, 3, 4, INFINITY, 6};
    st_fails(XY, 2, "{\"x\":{\"dtype\":\"F64\",\"shape\":[3,2],\"data_offsets\":[0,48]}}", d, 48,
             "a.safetensors: no tensor 'y' for input 'y'");
    st_fails(XY, 2, "{\"x\":{\"dtype\":\"F64\",\"shape\":[3,2],\"data_offsets\":[0,48]},"
             "\"y\":{\"dtype\":\"F64\",\"shape\":[2],\"data_offsets\":[0,16]}}", d, 48,
             "a.safetensors: tensor 'y' holds 2 examples, and tensor 'x' 3");
    st_fails(XY, 1, "{\"x\":{\"dtype\":\"F64\",\"shape\":[3,2],\"data_offsets\":[0,48]}}", d, 48,
             "a.safetensors: tensor 'x' at [2, 0]: non-finite value inf");
    st_fails(XY, 1, "{\"x\":{\"dtype\":\"F64\",\"shape\":[2,3],\"data_offsets\":[0,48]}}", d, 48,
             "a.safetensors: tensor 'x' has shape [2, 3]; input 'x' needs [N, 2], with N examples first");
    st_fails(&XY[1], 1, "{\"y\":{\"dtype\":\"F64\",\"shape\":[6,1],\"data_offsets\":[0,48]}}", d, 48,
             "a.safetensors: tensor 'y' has shape [6, 1]; input 'y' needs [N], with N examples first");
    st_fails(&XY[1], 1, "{\"y\":{\"dtype\":\"F64\",\"shape\":[6],\"data_offsets\":[0,48]}}", d, 48,
             "a.safetensors: tensor 'y' at [2]: 3 is outside [0, 3), the range of 'y'");
    st_fails(XY, 1, "{\"x\":{\"dtype\":\"C64\",\"shape\":[3,2],\"data_offsets\":[0,48]}}", d, 48,
             "a.safetensors: tensor 'x' has dtype C64; only numbers are read (F64 F32 F16 BF16 I64 I32 I16 I8 U64 "
             "U32 U16 U8 BOOL)");
    st_fails(XY, 1, "{\"x\":{\"dtype\":\"F64\",\"shape\":[3,2],\"data_offsets\":[0,48]}}", d, 40,
             "a.safetensors: tensor 'x': data_offsets [0, 48] go past the end of the data (40 bytes; truncated?)");
    st_fails(XY, 1, "{\"x\":{\"dtype\":\"F32\",\"shape\":[3,2],\"data_offsets\":[0,48]}}", d, 48,
             "a.safetensors: tensor 'x': data_offsets [0, 48] hold 48 bytes, and F32 of its shape needs 24");
    st_fails(XY, 1, "{\"x\":{\"dtype\":\"F64\",\"shape\":[3,2],\"data_offsets\":[48,0]}}", d, 48,
             "a.safetensors: tensor 'x': 'data_offsets' is not two increasing integers");
    st_fails(XY, 1, "{\"x\":{\"dtype\":\"F64\",\"shape\":[3,-2],\"data_offsets\":[0,48]}}", d, 48,
             "a.safetensors: tensor 'x': its shape is not a list of at most 8 non-negative integers");
    st_fails(XY, 1, "{\"x\":{\"dtype\":\"F64\",\"shape\":[3,2]}}", d, 48,
             "a.safetensors: tensor 'x': its entry needs 'dtype', 'shape' and two 'data_offsets'");
    st_fails(XY, 1, "[1, 2]", d, 48, "a.safetensors: the header is not a JSON object");
    MgExamples x;
    MgErr e;
    cr_expect_eq(mg_examples_load_safetensors(&x, "a.safetensors", (const unsigned char *)"\xff\0\0\0\0\0\0\0{}", 10,
                                              XY, 1, &e), -1);
    cr_expect_str_eq(e.msg, "a.safetensors: a header of 255 bytes is more than the rest of the file (2 bytes; not a "
                     "safetensors file, or truncated?)");
    cr_expect_eq(mg_examples_load_safetensors(&x, "a.safetensors", (const unsigned char *)"abc", 3, XY, 1, &e), -1);
    cr_expect_str_eq(e.msg, "a.safetensors: too short for a safetensors file (3 bytes)");
}

/* A file the checkpoint writer makes (F64) and one Python writes with
 * struct and json from numpy arrays, loaded by name. */
Test(dataset, safetensors_files_from_other_writers) {
    char *dir = tu_tmpdir(), *p = tu_path(dir, "d.safetensors"), *out, *err, cmd[6000];
    double xv[4] = {0.25, -8, 1e-300, 7}, yv[2] = {1, 2};
    int xs[2] = {2, 2}, ys[1] = {2};
    MgTensor t[2] = {{"y", 1, ys, yv}, {"x", 2, xs, xv}};
    MgErr e;
    cr_assert_eq(mg_st_write(p, t, 2, NULL, 0, &e), 0, "%s", e.msg);
    MgExamples x;
    cr_assert_eq(mg_examples_load(&x, p, XY, 2, &e), 0, "%s", e.msg);
    cr_assert_eq(x.n, 2);
    for (int i = 0; i < 4; i++) cr_expect_eq(x.data[0][i], xv[i]);
    for (int i = 0; i < 2; i++) cr_expect_eq(x.data[1][i], yv[i]);
    mg_examples_free(&x);
    snprintf(cmd, sizeof cmd,
             "cd '%s' && /usr/bin/python3 -c \"\n"
             "import json, struct, numpy as np\n"
             "x = np.random.default_rng(3).normal(size=(5, 2)).astype('<f4'); y = np.array([0, 2, 1, 1, 0], '<i4')\n"
             "h = json.dumps({'x': {'dtype': 'F32', 'shape': [5, 2], 'data_offsets': [0, 40]},\n"
             "                'y': {'dtype': 'I32', 'shape': [5], 'data_offsets': [40, 60]}}).encode()\n"
             "open('p.safetensors', 'wb').write(struct.pack('<Q', len(h)) + h + x.tobytes() + y.tobytes())\n"
             "print(' '.join(repr(float(v)) for v in list(x.ravel()) + list(y)))\n"
             "\"", dir);
    if (tu_run(dir, cmd, &out, &err) != 0) {
        cr_log_warn("skipped the Python-written file: /usr/bin/python3 with numpy is not available (%s)", err);
    } else {
        free(p);
        p = tu_path(dir, "p.safetensors");
        cr_assert_eq(mg_examples_load(&x, p, XY, 2, &e), 0, "%s", e.msg);
        cr_assert_eq(x.n, 5);
        char *s = out, *end;
        for (int i = 0; i < 15; i++) {
            double want = strtod(s, &end);
            cr_assert_neq(end, s);
            s = end;
            double got = i < 10 ? x.data[0][i] : x.data[1][i - 10];
            cr_expect_eq(got, want, "value %d: %.17g, numpy %.17g", i, got, want);
        }
        mg_examples_free(&x);
        free(out);
        free(err);
    }
    free(p);
    tu_rmrf(dir);
}

/* ---- the moons ---- */

#include "mg_moons.h"

/* mg_moons against the Python in mg_moons.h, run by CPython. */
Test(dataset, moons_are_the_python_generator_bit_for_bit) {
    static const struct { size_t n; double noise; uint64_t seed; } cases[] = {
        {100, 0.1, 1337}, {7, 0.3, 1}, {1, 0.1, 5}, {2, 0, 42}, {333, 0.05, 123456789012345ull}};
    char *dir = tu_tmpdir(), *out, *err, cmd[4000];
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
        snprintf(cmd, sizeof cmd,
                 "/usr/bin/python3 -c \"\n"
                 "import math, random\n"
                 "seed, n, noise = %llu, %zu, %.17g\n"
                 "random.seed(seed)\n"
                 "def arc(k): return [0.0 if k == 1 else math.pi if i == k - 1 else i * (math.pi / (k - 1))\n"
                 "                    for i in range(k)]\n"
                 "pts = [(math.cos(t), math.sin(t), 0) for t in arc(n // 2)] + \\\n"
                 "      [(1 - math.cos(t), 1 - math.sin(t) - 0.5, 1) for t in arc(n - n // 2)]\n"
                 "random.shuffle(pts)\n"
                 "pts = [(a + random.gauss(0, noise), b + random.gauss(0, noise), y) for a, b, y in pts]\n"
                 "print(' '.join('%%r %%r %%d' %% p for p in pts))\n"
                 "\"", (unsigned long long)cases[c].seed, cases[c].n, cases[c].noise);
        if (tu_run(dir, cmd, &out, &err) != 0) {
            cr_log_warn("skipped: /usr/bin/python3 is not available (%s)", err);
            break;
        }
        size_t n = cases[c].n;
        double *x = malloc(2 * n * sizeof *x);
        int *y = malloc(n * sizeof *y);
        mg_moons(n, cases[c].noise, cases[c].seed, x, y);
        char *s = out, *end;
        for (size_t i = 0; i < n; i++) {
            for (int k = 0; k < 3; k++) {
                double want = strtod(s, &end);
                cr_assert_neq(end, s, "Python printed too little");
                s = end;
                double got = k < 2 ? x[2 * i + (size_t)k] : y[i];
                cr_assert_eq(got, want, "case %zu point %zu value %d: %.17g, Python %.17g", c, i, k, got, want);
            }
        }
        free(x);
        free(y);
        free(out);
        free(err);
    }
    tu_rmrf(dir);
}

/* runtime/data/moons.csv is mgc-moons's default output, and loads as
 * 100 examples, 50 on each moon. */
Test(dataset, moons_file_is_the_default_output_and_loads) {
    char *dir = tu_tmpdir(), *p = tu_path(dir, "m.csv"), *out, *err, cmd[8000], repo[4200];
    snprintf(repo, sizeof repo, "%s/runtime/data/moons.csv", MG_REPO_ROOT);
    snprintf(cmd, sizeof cmd, "'%s' -o '%s'", MOONS_EXE, p);
    cr_assert_eq(tu_run(dir, cmd, &out, &err), 0, "%s", err);
    size_t n1, n2;
    char *a = tu_read(p, &n1), *b = tu_read(repo, &n2);
    cr_expect(n1 == n2 && memcmp(a, b, n1) == 0, "runtime/data/moons.csv differs from mgc-moons's output");
    free(a);
    free(b);
    free(out);
    free(err);
    static const MgField F[] = {{"x", 0, 0, 1, {2}, 2, 0, 0}, {"y", 1, 2, 0, {0}, 1, 0, 0}};
    MgExamples x;
    MgErr e;
    cr_assert_eq(mg_examples_load(&x, repo, F, 2, &e), 0, "%s", e.msg);
    cr_assert_eq(x.n, 100);
    int ones = 0;
    for (size_t i = 0; i < x.n; i++) ones += x.data[1][i] == 1;
    cr_expect_eq(ones, 50);
    mg_examples_free(&x);
    /* the library writes the same bytes; the tool's options */
    MgErr e2;
    cr_assert_eq(mg_moons_csv(p, 100, 0.1, 1337, &e2), 0, "%s", e2.msg);
    a = tu_read(p, &n1);
    b = tu_read(repo, &n2);
    cr_expect(n1 == n2 && memcmp(a, b, n1) == 0);
    free(a);
    free(b);
    snprintf(cmd, sizeof cmd, "'%s' -n 3 --noise 0 --seed 9", MOONS_EXE);
    cr_assert_eq(tu_run(dir, cmd, &out, &err), 0, "%s", err);
    cr_expect_eq(strncmp(out, "x[0],x[1],y\n", 12), 0);
    int lines = 0;
    for (char *q = out; *q; q++) lines += *q == '\n';
    cr_expect_eq(lines, 4);
    free(out);
    free(err);
    snprintf(cmd, sizeof cmd, "'%s' --noise -1", MOONS_EXE);
    cr_expect_eq(tu_run(dir, cmd, &out, &err), 1);
    cr_expect_str_eq(err, "mgc-moons: error: --noise takes a number >= 0, not '-1'\n");
    free(out);
    free(err);
    snprintf(cmd, sizeof cmd, "'%s' -n 12x", MOONS_EXE);
    cr_expect_eq(tu_run(dir, cmd, &out, &err), 1);
    cr_expect_str_eq(err, "mgc-moons: error: -n takes an integer from 1 to 100000000, not '12x'\n");
    free(out);
    free(err);
    tu_rmrf(dir);
}

/* Room for rows is estimated from the first MiB: long rows there and short
 * ones after make it far too small, and the rows must survive the growth. */
Test(dataset, csv_rows_survive_growth_past_the_estimate) {
    size_t long_rows = 600, short_rows = 200000, cap = long_rows * 2100 + short_rows * 40 + 64, w = 0;
    char *text = malloc(cap), pad[2001];
    memset(pad, 'a', 2000);
    pad[2000] = '\0';
    w += (size_t)sprintf(text, "note,x[0],x[1],y\n");
    for (size_t i = 0; i < long_rows + short_rows; i++)
        w += (size_t)sprintf(text + w, "%s,%zu,-%zu.5,%zu\n", i < long_rows ? pad : "", i, i, i % 3);
    MgExamples x;
    MgErr e;
    cr_assert_eq(mg_examples_load_csv(&x, "g.csv", text, w, XY, 2, &e), 0, "%s", e.msg);
    cr_assert_eq(x.n, long_rows + short_rows);
    for (size_t i = 0; i < x.n; i++) {
        cr_assert_eq(x.data[0][2 * i], (double)i, "row %zu", i);
        cr_assert_eq(x.data[0][2 * i + 1], -(double)i - 0.5, "row %zu", i);
        cr_assert_eq(x.data[1][i], (double)(i % 3), "row %zu", i);
        cr_assert_eq(x.row[i], i + 2, "row %zu", i);
    }
    mg_examples_free(&x);
    free(text);
}
