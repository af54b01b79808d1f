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
    {"x", 0, 0, 1, {2}, 2},
    {"y", 1, 3, 0, {0}, 1},
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
    static const MgField M[] = {{"m", 0, 0, 2, {2, 3}, 6}};
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
    static const MgField V[] = {{"v", 0, 0, 0, {0}, 1}};
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
    static const MgField bad_size[] = {{"x", 0, 0, 1, {2}, 3}};
    static const MgField bad_range[] = {{"y", 1, 0, 0, {0}, 1}};
    static const MgField twice[] = {{"y", 0, 0, 0, {0}, 1}, {"y", 0, 0, 0, {0}, 1}};
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
    static const MgField V[] = {{"v", 0, 0, 0, {0}, 1}, {"w", 1, 1000, 1, {2}, 2}};
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
