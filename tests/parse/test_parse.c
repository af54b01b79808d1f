/* test_parse.c: lexer, parser, ast_dump, diag and arena.
 * Table-driven: each case is a source text and either the exact expected
 * ast_dump (good programs; written by hand from the grammar) or the exact
 * expected diagnostics, caret lines included (bad programs). */
#define _POSIX_C_SOURCE 200809L
#include <criterion/criterion.h>
#include <stdalign.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "ast.h"
#include "diag.h"
#include "parse.h"

/* A source literal with its length, so it may contain NUL bytes. */
#define SRC(s) s, sizeof(s) - 1

typedef struct Case {
    const char *name;
    const char *src;
    size_t len;
    const char *want;
} Case;

#define NCASES(t) (sizeof(t) / sizeof(t)[0])

/* Parse src as "t.mg"; return the diagnostics text (malloc'ed). */
static char *parse_capture(const char *src, size_t len, Node **prog)
{
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    cr_assert_not_null(f);
    diag_reset();
    diag_set_output(f);
    Node *p = parse_source_n("t.mg", src, len);
    diag_set_output(NULL);
    fclose(f);
    cr_assert_not_null(p, "parse_source_n returned NULL");
    cr_assert_eq(p->kind, A_PROGRAM);
    if (prog)
        *prog = p;
    return buf;
}

static char *dump_text(const Node *n)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    cr_assert_not_null(f);
    ast_dump(n, f);
    fclose(f);
    return buf;
}

static void check_good(const Case *c)
{
    Node *prog;
    char *diags = parse_capture(c->src, c->len, &prog);
    cr_expect_str_eq(diags, "", "[%s] unexpected diagnostics", c->name);
    cr_expect_eq(diag_errors(), 0, "[%s] error count", c->name);
    char *got = dump_text(prog);
    cr_expect_str_eq(got, c->want, "[%s] dump:\n%s", c->name, got);
    free(diags);
    free(got);
    arena_free_all();
}

static void check_bad(const Case *c)
{
    char *got = parse_capture(c->src, c->len, NULL);
    cr_expect_str_eq(got, c->want, "[%s] diagnostics:\n%s", c->name, got);
    cr_expect_gt(diag_errors(), 0, "[%s] no error counted", c->name);
    free(got);
    arena_free_all();
}

/* ---- every top-level form ---- */

static const Case good[] = {
    {"const", SRC("const vocab = 27, n_embd = 16  # two at once\n"
                  "const head_dim = n_embd / n_head\n"),
     "program\n"
     "  const vocab 1:7\n"
     "    value 27\n"
     "  const n_embd 1:19\n"
     "    value 16\n"
     "  const head_dim 2:7\n"
     "    value (n_embd / n_head)\n"},
    {"dim", SRC("dim T <= block_size\ndim U < 4\n"),
     "program\n"
     "  dim T 1:1\n"
     "    bound <= block_size\n"
     "  dim U 2:1\n"
     "    bound < 4\n"},
    {"input", SRC("input tokens[T + 1] < vocab\n"),
     "program\n"
     "  input tokens 1:1\n"
     "    dims [(T + 1)]\n"
     "    bound < vocab\n"},
    {"param", SRC("param wte[vocab, n_embd] ~ gauss(0, 0.08)\n"
                  "param bias[n] ~ zeros\n"
                  "param layer[l].attn_wq[n_embd, n_embd] ~ gauss(0, 0.08)\n"
                  "param scale ~ ones\n"),
     "program\n"
     "  param 1:1\n"
     "    path wte\n"
     "    dims [vocab, n_embd]\n"
     "    init gauss(0, 0.08)\n"
     "  param 2:1\n"
     "    path bias\n"
     "    dims [n]\n"
     "    init zeros\n"
     "  param 3:1\n"
     "    path layer[l].attn_wq\n"
     "    dims [n_embd, n_embd]\n"
     "    init gauss(0, 0.08)\n"
     "  param 4:1\n"
     "    path scale\n"
     "    dims []\n"
     "    init ones\n"},
    {"optimizer", SRC("optimizer adam(lr = 0.01, beta1 = 0.85, eps = 1e-8, steps = 1000)\n"
                      "optimizer sgd()\n"),
     "program\n"
     "  optimizer adam 1:1\n"
     "    arg lr = 0.01\n"
     "    arg beta1 = 0.85\n"
     "    arg eps = 1e-8\n"
     "    arg steps = 1000\n"
     "  optimizer sgd 2:1\n"},
    {"fn", SRC("fn linear(x[I], w[O, I]) -> y[O] {\n"
               "    y[o] = sum(i) w[o, i] * x[i]\n"
               "}\n"),
     "program\n"
     "  fn linear 1:1\n"
     "    param x[I]\n"
     "    param w[O, I]\n"
     "    result y[O]\n"
     "    body\n"
     "      assign 2:5\n"
     "        lhs y[o]\n"
     "        rhs (sum(i) (w[o, i] * x[i]))\n"},
    {"fn scalar results", SRC("fn mean_sq(x[N]) -> s { s = mean(i) x[i] ^ 2 }\n"
                              "fn g(a) -> t[] {\n\n  t = a\n\n}\n"
                              "fn h() -> u { }\n"),
     "program\n"
     "  fn mean_sq 1:1\n"
     "    param x[N]\n"
     "    result s\n"
     "    body\n"
     "      assign 1:25\n"
     "        lhs s\n"
     "        rhs (mean(i) (x[i] ^ 2))\n"
     "  fn g 2:1\n"
     "    param a\n"
     "    result t\n"
     "    body\n"
     "      assign 4:3\n"
     "        lhs t\n"
     "        rhs a\n"
     "  fn h 7:1\n"
     "    result u\n"
     "    body\n"},
    {"for", SRC("for l < n_layer {\n"
                "  x = f(x)\n"
                "  for m <= 2 { y[i] = x[i] }\n"
                "}\n"),
     "program\n"
     "  for l 1:1\n"
     "    bound < n_layer\n"
     "    body\n"
     "      assign 2:3\n"
     "        lhs x\n"
     "        rhs f(x)\n"
     "      for m 3:3\n"
     "        bound <= 2\n"
     "        body\n"
     "          assign 3:16\n"
     "            lhs y[i]\n"
     "            rhs x[i]\n"},
    {"for in fn", SRC("fn f(x[N]) -> y[N] { for k < 2 { y[i] = x[i] } }\n"),
     "program\n"
     "  fn f 1:1\n"
     "    param x[N]\n"
     "    result y[N]\n"
     "    body\n"
     "      for k 1:22\n"
     "        bound < 2\n"
     "        body\n"
     "          assign 1:34\n"
     "            lhs y[i]\n"
     "            rhs x[i]\n"},
    {"assign", SRC("x[t < T, c] = wte[tokens[t], c] + wpe[t, c]\n"
                   "att[h < n_head, t < T, s <= t] = a[h, t, s]; loss = cross_entropy(logits, targets)\n"),
     "program\n"
     "  assign 1:1\n"
     "    lhs x[t < T, c]\n"
     "    rhs (wte[tokens[t], c] + wpe[t, c])\n"
     "  assign 2:1\n"
     "    lhs att[h < n_head, t < T, s <= t]\n"
     "    rhs a[h, t, s]\n"
     "  assign 2:46\n"
     "    lhs loss\n"
     "    rhs cross_entropy(logits, targets)\n"},
    {"attention", SRC("att[h < n_head, t < T, s <= t] = (sum(j < head_dim) q[t, h*head_dim + j]"
                      " * k[s, h*head_dim + j]) / head_dim ^ 0.5\n"
                      "o[t, c] = sum(s <= t) w[c // head_dim, t, s] * v[s, c]\n"),
     "program\n"
     "  assign 1:1\n"
     "    lhs att[h < n_head, t < T, s <= t]\n"
     "    rhs ((sum(j < head_dim) (q[t, ((h * head_dim) + j)] * k[s, ((h * head_dim) + j)]))"
     " / (head_dim ^ 0.5))\n"
     "  assign 2:1\n"
     "    lhs o[t, c]\n"
     "    rhs (sum(s <= t) (w[(c // head_dim), t, s] * v[s, c]))\n"},
    {"newlines inside brackets", SRC("y = f(a,\n      b)[\n  i]\nz[i <\n  3] = 1\n"),
     "program\n"
     "  assign 1:1\n"
     "    lhs y\n"
     "    rhs f(a, b)[i]\n"
     "  assign 4:1\n"
     "    lhs z[i < 3]\n"
     "    rhs 1\n"},
    {"separators", SRC("\n\n;x = 1;; y = 2 ;\n\n# comment\n   # indented comment\n"),
     "program\n"
     "  assign 3:2\n"
     "    lhs x\n"
     "    rhs 1\n"
     "  assign 3:10\n"
     "    lhs y\n"
     "    rhs 2\n"},
    {"empty file", SRC(""), "program\n"},
    {"only blanks and comments", SRC("\n  \n# nothing here\n\n"), "program\n"},
    {"no trailing newline", SRC("x = 1"),
     "program\n"
     "  assign 1:1\n"
     "    lhs x\n"
     "    rhs 1\n"},
    {"block without trailing newline", SRC("for i < 2 { x = 1 }"),
     "program\n"
     "  for i 1:1\n"
     "    bound < 2\n"
     "    body\n"
     "      assign 1:13\n"
     "        lhs x\n"
     "        rhs 1\n"},
    {"CRLF", SRC("const a = 1\r\nfor i < a {\r\n  x[j < 2] = (a +\r\n    1)\r\n}\r\n"),
     "program\n"
     "  const a 1:7\n"
     "    value 1\n"
     "  for i 2:1\n"
     "    bound < a\n"
     "    body\n"
     "      assign 3:3\n"
     "        lhs x[j < 2]\n"
     "        rhs (a + 1)\n"},
};

Test(parse, top_level_forms)
{
    for (size_t i = 0; i < NCASES(good); i++)
        check_good(&good[i]);
}

/* ---- precedence and associativity: "x = EXPR" and the rhs it gives ---- */

static const struct { const char *expr, *rhs; } prec[] = {
    {"-x ^ 2", "(-(x ^ 2))"},
    {"2 ^ -1", "(2 ^ (-1))"},
    {"2 ^ -x ^ 2", "(2 ^ (-(x ^ 2)))"},
    {"x ^ 2 ^ -0.5 * 3", "((x ^ (2 ^ (-0.5))) * 3)"},
    {"a ^ b ^ c", "(a ^ (b ^ c))"},
    {"a - b - c", "((a - b) - c)"},
    {"a / b * c // d % e", "((((a / b) * c) // d) % e)"},
    {"a + b * c - d", "((a + (b * c)) - d)"},
    {"-a * b", "((-a) * b)"},
    {"- - a", "(-(-a))"},
    {"(a + b) * c", "((a + b) * c)"},
    {"sum(i) a[i] * b[i] + c", "(sum(i) ((a[i] * b[i]) + c))"},
    {"a + sum(i) b[i]", "(a + (sum(i) b[i]))"},
    {"a * sum(i) b[i] + c", "(a * (sum(i) (b[i] + c)))"},
    {"(sum(i) b[i]) + c", "((sum(i) b[i]) + c)"},
    {"max(s <= t, j < n) a[s, j] - mean(k) b[k]", "(max(s <= t, j < n) (a[s, j] - (mean(k) b[k])))"},
    {"-sum(i) x[i]", "(-(sum(i) x[i]))"},
    {"f(a, g(b))[i].w[j, k]", "f(a, g(b))[i].w[j, k]"},
    {"f()", "f()"},
    {"1.5 + .5 + 3. + 1e-5 + 2E+3", "((((1.5 + .5) + 3.) + 1e-5) + 2E+3)"},
};

Test(parse, precedence)
{
    for (size_t i = 0; i < NCASES(prec); i++) {
        char src[256], want[512];
        snprintf(src, sizeof src, "x = %s\n", prec[i].expr);
        snprintf(want, sizeof want, "program\n  assign 1:1\n    lhs x\n    rhs %s\n", prec[i].rhs);
        Case c = {prec[i].expr, src, strlen(src), want};
        check_good(&c);
    }
}

Test(parse, literal_values)
{
    Node *prog;
    free(parse_capture(SRC("x = 2147483647 + 007 + 1.5e2 + 3.\n"), &prog));
    cr_assert_eq(diag_errors(), 0);
    Node *e = prog->list.items[0]->b;            /* (((a + b) + c) + d) */
    Node *a = e->a->a->a, *b = e->a->a->b, *c = e->a->b, *d = e->b;
    cr_expect(a->is_int && a->inum == 2147483647 && a->num == 2147483647.0);
    cr_expect(b->is_int && b->inum == 7);
    cr_expect_str_eq(b->text, "007");
    cr_expect(!c->is_int && c->num == 150.0);
    cr_expect(!d->is_int && d->num == 3.0);
    cr_expect_eq(c->loc.col, 24);
    cr_expect_eq(c->loc.end_col, 28);
}

/* ---- diagnostics: exact text ---- */

static const Case bad[] = {
    {"unexpected token", SRC("x = (a + )\n"),
     "t.mg:1:10: error: unexpected ')', expected expression\n"
     "    1 | x = (a + )\n"
     "      |          ^\n"},
    {"several errors, no cascade",
     SRC("const a = 1\nx = 2 3\ny = a +\nz = a\nfn f(x) y { y = x }\nw = ]\n"),
     "t.mg:2:7: error: unexpected number '3', expected operator or end of line\n"
     "    2 | x = 2 3\n"
     "      |       ^\n"
     "t.mg:3:8: error: unexpected end of line, expected expression\n"
     "    3 | y = a +\n"
     "      |        ^\n"
     "t.mg:5:9: error: unexpected identifier 'y', expected '->'\n"
     "    5 | fn f(x) y { y = x }\n"
     "      |         ^\n"
     "t.mg:6:5: error: unexpected ']', expected expression\n"
     "    6 | w = ]\n"
     "      |     ^\n"},
    {"keyword where a statement starts", SRC("sum = 3\n"),
     "t.mg:1:1: error: unexpected 'sum'\n"
     "    1 | sum = 3\n"
     "      | ^~~\n"},
    {"unclosed ( at end of line", SRC("const n = 2\n\nx = f(a, b\ny = 3\n"),
     "t.mg:3:11: error: ')' expected (to close '(' at 3:6)\n"
     "    3 | x = f(a, b\n"
     "      |           ^\n"
     "t.mg:3:6: note: to match this '('\n"
     "    3 | x = f(a, b\n"
     "      |      ^\n"},
    {"unclosed [ at end of file", SRC("y = x[t, c\n"),
     "t.mg:1:11: error: ']' expected (to close '[' at 1:6)\n"
     "    1 | y = x[t, c\n"
     "      |           ^\n"
     "t.mg:1:6: note: to match this '['\n"
     "    1 | y = x[t, c\n"
     "      |      ^\n"},
    {"unclosed { at end of file", SRC("for l < n {\n  x = 1\n\n"),
     "t.mg:2:8: error: '}' expected (to close '{' at 1:11)\n"
     "    2 |   x = 1\n"
     "      |        ^\n"
     "t.mg:1:11: note: to match this '{'\n"
     "    1 | for l < n {\n"
     "      |           ^\n"},
    {"wrong closer", SRC("x = f(a]\n"),
     "t.mg:1:8: error: ')' expected (to close '(' at 1:6), found ']'\n"
     "    1 | x = f(a]\n"
     "      |        ^\n"
     "t.mg:1:6: note: to match this '('\n"
     "    1 | x = f(a]\n"
     "      |      ^\n"},
    {"unmatched closers", SRC("x = a)\n}\n"),
     "t.mg:1:6: error: unmatched ')'\n"
     "    1 | x = a)\n"
     "      |      ^\n"
     "t.mg:2:1: error: unmatched '}'\n"
     "    2 | }\n"
     "      | ^\n"},
    {"unexpected characters", SRC("x = a @ b\ny = $\n"),
     "t.mg:1:7: error: unexpected character '@'\n"
     "    1 | x = a @ b\n"
     "      |       ^\n"
     "t.mg:2:5: error: unexpected character '$'\n"
     "    2 | y = $\n"
     "      |     ^\n"},
    {"stray high bytes", SRC("x = \xff\xfe\n"),
     "t.mg:1:5: error: invalid UTF-8 byte 0xFF\n"
     "    1 | x = \\xff\\xfe\n"
     "      |     ^~~~\n"},
    {"NUL byte", SRC("x = 1\0 + 2\ny = 3\n"),
     "t.mg:1:6: error: unexpected character '\\x00'\n"
     "    1 | x = 1\\x00 + 2\n"
     "      |      ^~~~\n"},
    {"number overflow", SRC("n = 2147483647\nm = 2147483648\nr = 1e400\n"),
     "t.mg:2:5: error: integer literal '2147483648' is too large\n"
     "    2 | m = 2147483648\n"
     "      |     ^~~~~~~~~~\n"
     "t.mg:3:5: error: real literal '1e400' is too large\n"
     "    3 | r = 1e400\n"
     "      |     ^~~~~\n"},
    {"exponent without digits", SRC("x = 1e+\n"),
     "t.mg:1:5: error: exponent has no digits in number '1e+'\n"
     "    1 | x = 1e+\n"
     "      |     ^~~\n"},
    {"tabs keep the caret aligned", SRC("\tx = (a +\t)\n"),
     "t.mg:1:11: error: unexpected ')', expected expression\n"
     "    1 |         x = (a +        )\n"
     "      |                         ^\n"},
    {"CRLF", SRC("x = 1\r\ny = (\r\n"),
     "t.mg:2:6: error: unexpected end of file, expected expression\n"
     "    2 | y = (\n"
     "      |      ^\n"},
    {"end of file without newline", SRC("x = "),
     "t.mg:1:4: error: unexpected end of file, expected expression\n"
     "    1 | x = \n"
     "      |    ^\n"},
    {"brace on the next line", SRC("fn f(x) -> y\n{\n  y = x\n}\n"),
     "t.mg:1:13: error: unexpected end of line, expected '{' or '['\n"
     "    1 | fn f(x) -> y\n"
     "      |             ^\n"},
    {"declarations inside a function",
     SRC("fn f(x) -> y {\n  param w[2] ~ zeros\n  y = x\n}\n"
         "for i < 2 {\n  fn g(a) -> b {\n    b = a\n  }\n}\n"),
     "t.mg:2:3: error: 'param' is not allowed inside a function\n"
     "    2 |   param w[2] ~ zeros\n"
     "      |   ^~~~~~~~~~~~~~~~~~\n"
     "t.mg:6:3: error: 'fn' is not allowed inside a 'for' block\n"
     "    6 |   fn g(a) -> b {\n"
     "      |   ^~~~~~~~~~~~~~\n"},
    {"error inside a block", SRC("for i < 2 {\n  x = )\n  y = 1 1\n}\nz = (\n"),
     "t.mg:2:7: error: unexpected ')', expected expression\n"
     "    2 |   x = )\n"
     "      |       ^\n"
     "t.mg:3:9: error: unexpected number '1', expected operator, end of line or '}'\n"
     "    3 |   y = 1 1\n"
     "      |         ^\n"
     "t.mg:5:6: error: unexpected end of file, expected expression\n"
     "    5 | z = (\n"
     "      |      ^\n"},
};

Test(parse, diagnostics)
{
    for (size_t i = 0; i < NCASES(bad); i++)
        check_bad(&bad[i]);
}

/* ---- recovery keeps what can be kept ---- */

Test(parse, recovery_keeps_following_lines)
{
    static const Case cases[] = {
        /* the line after an unclosed '(' is parsed normally */
        {"after unclosed (", SRC("x = f(a, b\ny = 3\n"),
         "program\n  assign 2:1\n    lhs y\n    rhs 3\n"},
        /* a block keeps its good statements */
        {"inside a block", SRC("for i < 2 {\n  x = )\n  y = 1\n}\nz = 2\n"),
         "program\n  for i 1:1\n    bound < 2\n    body\n      assign 3:3\n        lhs y\n"
         "        rhs 1\n  assign 5:1\n    lhs z\n    rhs 2\n"},
        /* a bad header: its body is read as top-level statements, its '}' dropped */
        {"bad for header", SRC("for i < {\n  y = 1\n}\nz = 2\n"),
         "program\n  assign 2:3\n    lhs y\n    rhs 1\n  assign 4:1\n    lhs z\n    rhs 2\n"},
    };
    for (size_t i = 0; i < NCASES(cases); i++) {
        Node *prog;
        free(parse_capture(cases[i].src, cases[i].len, &prog));
        cr_expect_eq(diag_errors(), 1, "[%s] errors", cases[i].name);
        char *got = dump_text(prog);
        cr_expect_str_eq(got, cases[i].want, "[%s] dump:\n%s", cases[i].name, got);
        free(got);
        arena_free_all();
    }
}

Test(parse, crlf_same_tree_as_lf)
{
    Node *p1, *p2;
    free(parse_capture(SRC("fn f(x) -> y {\n  y = x ^ 2\n}\nz = f(3)\n"), &p1));
    char *a = dump_text(p1);
    free(parse_capture(SRC("fn f(x) -> y {\r\n  y = x ^ 2\r\n}\r\nz = f(3)\r\n"), &p2));
    char *b = dump_text(p2);
    cr_expect_eq(diag_errors(), 0);
    cr_expect_str_eq(a, b);
    cr_expect(strstr(a, "assign 4:1") != NULL);
    free(a);
    free(b);
}

/* ---- limits ---- */

static char *repeat(const char *head, const char *unit, int n, const char *tail)
{
    size_t hl = strlen(head), ul = strlen(unit), tl = strlen(tail);
    char *s = malloc(hl + ul * (size_t)n + tl + 1), *p = s;
    memcpy(p, head, hl);
    p += hl;
    for (int i = 0; i < n; i++, p += ul)
        memcpy(p, unit, ul);
    memcpy(p, tail, tl + 1);
    return s;
}

static void check_too_deep(const char *head, const char *unit, int n, const char *tail, const char *msg)
{
    char *src = repeat(head, unit, n, tail);
    char *got = parse_capture(src, strlen(src), NULL);
    cr_expect_eq(diag_errors(), 1, "%s%s...: errors", head, unit);
    cr_expect(strncmp(got, "t.mg:", 5) == 0 && strstr(got, msg) != NULL, "%.200s", got);
    free(got);
    free(src);
    arena_free_all();
}

Test(parse, deep_nesting_is_an_error_not_a_crash)
{
    const char *msg = ": error: expression nested too deeply\n";
    check_too_deep("x = ", "(", 100000, "a\n", msg);          /* parser stack */
    check_too_deep("x = ", "-", 100000, "a\n", msg);
    check_too_deep("x = ", "a[", 100000, "\n", msg);
    check_too_deep("x = a", " + a", 100000, "\n", ": error: expression too long: more than 20000 operations in a row\n");
    check_too_deep("x = a", ".b", 5000, "\n", msg);
    check_too_deep("", "for i < 2 {\n", 20000, "", ": error: blocks nested too deeply\n");
}

Test(parse, depth_limit_is_exact)
{
    /* a chain of PARSE_MAX_EXPR_HEIGHT - 1 additions is fine, one more is not;
     * PARSE_MAX_EXPR_DEPTH nested negations are fine, one more is not */
    struct { const char *head, *unit; int n, errors; } c[] = {
        {"x = a", " + a", PARSE_MAX_EXPR_HEIGHT - 1, 0}, {"x = a", " + a", PARSE_MAX_EXPR_HEIGHT, 1},
        {"x = ", "-", PARSE_MAX_EXPR_DEPTH, 0}, {"x = ", "-", PARSE_MAX_EXPR_DEPTH + 1, 1}};
    for (size_t i = 0; i < sizeof c / sizeof *c; i++) {
        char *src = repeat(c[i].head, c[i].unit, c[i].n, i < 2 ? "\n" : "a\n");
        free(parse_capture(src, strlen(src), NULL));
        cr_expect_eq(diag_errors(), c[i].errors, "%s%s x %d", c[i].head, c[i].unit, c[i].n);
        free(src);
        arena_free_all();
    }
}

Test(parse, too_many_errors)
{
    char *src = repeat("", "x = )\n", 70, "");
    char *got = parse_capture(src, strlen(src), NULL);
    cr_expect_eq(diag_errors(), PARSE_MAX_ERRORS);
    cr_expect(strstr(got, "t.mg:51:5: note: too many errors; giving up on this file\n") != NULL);
    cr_expect(strstr(got, "t.mg:52:") == NULL);
    free(got);
    free(src);
}

Test(parse, arbitrary_bytes)
{
    /* every byte value, in a few arrangements: no crash, a program back */
    char buf[3 * 256];
    for (int i = 0; i < 256; i++) {
        buf[i] = (char)i;
        buf[256 + i] = (char)(255 - i);
        buf[512 + i] = "x=([{"[i % 5];
    }
    for (size_t len = 0; len <= sizeof buf; len += 37) {
        free(parse_capture(buf, len, NULL));
        arena_free_all();
    }
    cr_expect(parse_source("t.mg", "") != NULL);
    cr_expect(parse_source("t.mg", NULL) == NULL);
}

/* ---- ast_dump on trees deeper than any parse allows ---- */

Test(ast, dump_of_deep_trees_does_not_recurse_unboundedly)
{
    SrcLoc l = {"t.mg", 1, 1, 1, 1};
    Node *e = ast_new(A_NAME, l);
    e->name = "a";
    for (int i = 0; i < 200000; i++) {
        Node *b = ast_new(A_BINARY, l);
        b->op = '+';
        b->a = e;
        b->b = e->kind == A_NAME ? e : e->b;
        e = b;
    }
    Node *prog = ast_new(A_PROGRAM, l), *loop = prog, *n = ast_new(A_NAME, l);
    n->name = "n";
    for (int i = 0; i < 1000; i++) {
        Node *f = ast_new(A_FOR, l);
        f->name = "i";
        f->op = '<';
        f->a = i == 0 ? e : n;
        ast_push(&loop->list, f);
        loop = f;
    }
    char *got = dump_text(prog);
    cr_expect(strncmp(got, "program\n  for i 1:1\n    bound < ((((", 36) == 0, "%.60s", got);
    cr_expect(strstr(got, "...") != NULL);
    free(got);
}

Test(ast, names)
{
    cr_expect_str_eq(ast_kind_name(A_TENSORDECL), "tensordecl");
    cr_expect_str_eq(ast_kind_name(A_LHS), "lhs");
    cr_expect_str_eq(ast_op_name(OP_FLOORDIV), "//");
    cr_expect_str_eq(ast_op_name(OP_LE), "<=");
    cr_expect_str_eq(ast_op_name(RED_MEAN), "mean");
    cr_expect_str_eq(ast_op_name('^'), "^");
}

/* ---- diag on its own ---- */

static char *with_output(void (*fn)(void))
{
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    diag_set_output(f);
    fn();
    diag_set_output(NULL);
    fclose(f);
    return buf;
}

static void emit_various(void)
{
    diag_add_source("m.mg", "a = b\r\nfoo(bar,\n    baz)\nx\n");
    diag_warning((SrcLoc){"m.mg", 2, 1, 3, 8}, "spans %d lines", 2);   /* to end of line 2 */
    diag_note((SrcLoc){"m.mg", 4, 3, 4, 3}, "past the end");
    diag_error((SrcLoc){"m.mg", 1, 5, 1, 5}, "CR is not shown");
    diag_error((SrcLoc){"other.mg", 9, 2, 9, 4}, "no source");
    diag_plain("no location");
}

Test(diag, format_and_counts)
{
    diag_reset();
    char *got = with_output(emit_various);
    cr_expect_str_eq(got,
        "m.mg:2:1: warning: spans 2 lines\n"
        "    2 | foo(bar,\n"
        "      | ^~~~~~~~\n"
        "m.mg:4:3: note: past the end\n"
        "    4 | x\n"
        "      |   ^\n"
        "m.mg:1:5: error: CR is not shown\n"
        "    1 | a = b\n"
        "      |     ^\n"
        "other.mg:9:2: error: no source\n"
        "mgc: error: no location\n");
    cr_expect_eq(diag_errors(), 3);             /* diag_plain counts too */
    cr_expect_eq(diag_warnings(), 1);
    char line[16];
    cr_expect(diag_source_line("m.mg", 1, line, sizeof line));
    cr_expect_str_eq(line, "a = b");
    cr_expect(diag_source_line("m.mg", 3, line, 4));
    cr_expect_str_eq(line, "   ");
    cr_expect(!diag_source_line("m.mg", 6, line, sizeof line));
    cr_expect(!diag_source_line("nope.mg", 1, line, sizeof line));
    free(got);
    diag_reset();
    cr_expect_eq(diag_errors(), 0);
}

static void emit_line_100000(void)
{
    char *text = repeat("", "\n", 99999, "é = 1\n");
    diag_add_source("big.mg", text);
    diag_error((SrcLoc){"big.mg", 100000, 3, 100000, 3}, "wide gutter");
    free(text);
}

Test(diag, wide_gutter_and_utf8)
{
    diag_reset();
    char *got = with_output(emit_line_100000);
    cr_expect_str_eq(got,
        "big.mg:100000:3: error: wide gutter\n"
        "100000 | é = 1\n"
        "       |  ^\n");
    free(got);
}

Test(diag, internal_error_exits_2, .exit_code = 2)
{
    MGC_INTERNAL("boom");
}

/* ---- arena ---- */

Test(arena, aligned_zeroed_strings)
{
    for (size_t size = 0; size < 200000; size = size * 3 + 1) {
        unsigned char *p = arena_alloc(size);
        cr_assert_eq((uintptr_t)p % alignof(max_align_t), 0);
        for (size_t i = 0; i < size; i++)
            cr_assert_eq(p[i], 0);
        memset(p, 0xab, size);
    }
    cr_expect_str_eq(arena_strdup("abc"), "abc");
    cr_expect_str_eq(arena_strndup("abcdef", 2), "ab");
    cr_expect_str_eq(arena_printf("%s-%d", "x", 42), "x-42");
    arena_free_all();
    cr_expect_eq(*(char *)arena_alloc(1), 0);
    arena_free_all();
}

/* head, open n times, "a", n ')' and a newline: a closed nesting */
static char *closed(const char *head, const char *open, int n)
{
    char *s = repeat(head, open, n, "a");
    size_t len = strlen(s);
    s = realloc(s, len + (size_t)n + 2);
    cr_assert(s);
    memset(s + len, ')', (size_t)n);
    strcpy(s + len + n, "\n");
    return s;
}

static void check_nested(const char *head, const char *open, int n, int errors)
{
    char *src = closed(head, open, n);
    char *got = parse_capture(src, strlen(src), NULL);
    cr_expect_eq(diag_errors(), errors, "%s%s x %d: %.300s", head, open, n, got);
    if (errors)
        cr_expect(strncmp(got, "t.mg:1:", 7) == 0 && strstr(got, ": error: expression nested too deeply\n"),
                  "%s%s x %d: %.300s", head, open, n, got);
    free(got);
    free(src);
    arena_free_all();
}

/* issue 16: a flat chain (left-associative, mixed + - * / // %) is long, not
 * nested: 10,000 terms parse; real nesting of PARSE_MAX_EXPR_DEPTH + 1 levels
 * (brackets on the right, calls, a right-associative ^ chain) is still
 * "expression nested too deeply", located in the line */
Test(parse, flat_chain_is_long_not_nested)
{
    char *flat = repeat("x = a", " + a * 2 - a / 3 // b % c", 10000 / 5, "\n");
    free(parse_capture(flat, strlen(flat), NULL));
    cr_expect_eq(diag_errors(), 0);
    free(flat);
    arena_free_all();
    int n = PARSE_MAX_EXPR_DEPTH;
    check_nested("x = ", "a + (", n, 0);
    check_nested("x = ", "a + (", n + 1, 1);
    check_nested("x = ", "exp(", n, 0);
    check_nested("x = ", "exp(", n + 1, 1);
    check_nested("x = ", "a ^ (", n + 1, 1);
    check_too_deep("x = a", " ^ a", n + 1, "\n", ": error: expression nested too deeply\n");
}

/* ---- issue 18: a read's fallback outside its axes, `x[t - 1] else 0` ---- */

static const struct { const char *expr, *rhs; } fallback_prec[] = {
    {"x[t - 1, i] else 0.0", "(x[(t - 1), i] else 0.0)"},
    {"a[i] else 0 + 1", "((a[i] else 0) + 1)"},
    {"a[i] else 0 ^ 2", "((a[i] else 0) ^ 2)"},
    {"a[i] else -1 * 2", "((a[i] else (-1)) * 2)"},
    {"a[i] else - -b", "(a[i] else (-(-b)))"},
    {"-a[i] else 1", "(-(a[i] else 1))"},
    {"2 * a[i] else b", "(2 * (a[i] else b))"},
    {"a[i] else (b + c) * d", "((a[i] else (b + c)) * d)"},
    {"h[t - 1, i] else h0[i]", "(h[(t - 1), i] else h0[i])"},
    {"a[i] else f(x, y)[j].w", "(a[i] else f(x, y)[j].w)"},
    {"f(x)[i] else 0", "(f(x)[i] else 0)"},
    {"C[tokens[t - 2 + j // E] else BOS, j % E]", "C[(tokens[((t - 2) + (j // E))] else BOS), (j % E)]"},
    {"sum(i) a[i - 1] else 0 + b[i]", "(sum(i) ((a[(i - 1)] else 0) + b[i]))"},
    {"(a[i]) else 0", "(a[i] else 0)"},
    {"a[i] else (b[i] else 0)", "(a[i] else (b[i] else 0))"},
};

Test(parse, fallback_binds_tighter_than_any_operator)
{
    for (size_t i = 0; i < NCASES(fallback_prec); i++) {
        char src[256], want[512];
        snprintf(src, sizeof src, "x = %s\n", fallback_prec[i].expr);
        snprintf(want, sizeof want, "program\n  assign 1:1\n    lhs x\n    rhs %s\n", fallback_prec[i].rhs);
        Case c = {fallback_prec[i].expr, src, strlen(src), want};
        check_good(&c);
    }
}

static const Case fallback_bad[] = {
    {"else is a keyword", SRC("else = 3\nx = else\n"),
     "t.mg:1:1: error: unexpected 'else'\n"
     "    1 | else = 3\n"
     "      | ^~~~\n"
     "t.mg:2:5: error: unexpected 'else', expected expression\n"
     "    2 | x = else\n"
     "      |     ^~~~\n"},
    {"missing fallback", SRC("x = a[i] else\ny = a[i] else + 1\n"),
     "t.mg:1:14: error: unexpected end of line, expected expression\n"
     "    1 | x = a[i] else\n"
     "      |              ^\n"
     "t.mg:2:15: error: unexpected '+', expected expression\n"
     "    2 | y = a[i] else + 1\n"
     "      |               ^\n"},
    {"not after a read", SRC("x = (a + b) else 0\ny = a else 0\nz = 3 else 0\n"),
     "t.mg:1:6: error: 'else' gives the value of a read outside its axes, so it must follow a read such as 'x[t - 1]'\n"
     "    1 | x = (a + b) else 0\n"
     "      |      ^~~~~\n"
     "t.mg:2:5: error: 'else' gives the value of a read outside its axes, so it must follow a read such as 'x[t - 1]'\n"
     "    2 | y = a else 0\n"
     "      |     ^\n"
     "t.mg:3:5: error: 'else' gives the value of a read outside its axes, so it must follow a read such as 'x[t - 1]'\n"
     "    3 | z = 3 else 0\n"
     "      |     ^\n"},
    {"two fallbacks", SRC("x = (a[i] else 0) else 1\ny = a[i] else b[i] else 1\n"),
     "t.mg:1:6: error: this read already has a fallback\n"
     "    1 | x = (a[i] else 0) else 1\n"
     "      |      ^~~~\n"
     "t.mg:2:20: error: unexpected 'else', expected operator or end of line\n"
     "    2 | y = a[i] else b[i] else 1\n"
     "      |                    ^~~~\n"},
};

Test(parse, fallback_errors)
{
    for (size_t i = 0; i < NCASES(fallback_bad); i++)
        check_bad(&fallback_bad[i]);
}

/* ---- comparisons: looser than + -, tighter than reductions, no chains ---- */

static const struct { const char *expr, *rhs; } cmp_prec[] = {
    {"a + 1 < b * 2", "((a + 1) < (b * 2))"},
    {"a <= b", "(a <= b)"},
    {"-a >= b ^ 2", "((-a) >= (b ^ 2))"},
    {"a == b + c", "(a == (b + c))"},
    {"(a != b) * c", "((a != b) * c)"},
    {"(a < b) < c", "((a < b) < c)"},
    {"a > (b > c)", "(a > (b > c))"},
    {"sum(i < 3) x[i] < 2", "(sum(i < 3) (x[i] < 2))"},
    {"a < sum(i) x[i]", "(a < (sum(i) x[i]))"},
    {"x[t < T]", "x[(t < T)]"},
};

Test(parse, comparisons)
{
    for (size_t i = 0; i < NCASES(cmp_prec); i++) {
        char src[256], want[512];
        snprintf(src, sizeof src, "x = %s\n", cmp_prec[i].expr);
        snprintf(want, sizeof want, "program\n  assign 1:1\n    lhs x\n    rhs %s\n", cmp_prec[i].rhs);
        Case c = {cmp_prec[i].expr, src, strlen(src), want};
        check_good(&c);
    }
    /* ranges and bounds keep their meaning: a comparison sits only in brackets */
    Case ranges = {"ranges", SRC("x[t < T, s <= t] = sum(k < 3) y[(k >= 1) + s]\ndim T <= (4 > 3) + 7\n"),
                   "program\n"
                   "  assign 1:1\n"
                   "    lhs x[t < T, s <= t]\n"
                   "    rhs (sum(k < 3) y[((k >= 1) + s)])\n"
                   "  dim T 2:1\n"
                   "    bound <= ((4 > 3) + 7)\n"};
    check_good(&ranges);
    static const Case chains[] = {
        {"chain", SRC("x = a < b < c\n"),
         "t.mg:1:11: error: comparisons do not chain: '<' follows a comparison; bracket one side to compare its 1 or 0\n"
         "    1 | x = a < b < c\n"
         "      |           ^\n"},
        {"mixed chain", SRC("x = a == b != c\n"),
         "t.mg:1:12: error: comparisons do not chain: '!=' follows a comparison; bracket one side to compare its 1 or 0\n"
         "    1 | x = a == b != c\n"
         "      |            ^~\n"},
        {"dim bound", SRC("dim T <= N < 3\n"),
         "t.mg:1:10: error: comparisons do not chain: this bound is a comparison; bracket it to use its 1 or 0\n"
         "    1 | dim T <= N < 3\n"
         "      |          ^~~~~\n"},
        {"sum range", SRC("x = sum(k < 3 >= 1) y[k]\n"),
         "t.mg:1:13: error: comparisons do not chain: this bound is a comparison; bracket it to use its 1 or 0\n"
         "    1 | x = sum(k < 3 >= 1) y[k]\n"
         "      |             ^~~~~~\n"},
        {"lone '!'", SRC("x = a ! b\n"),
         "t.mg:1:7: error: unexpected character '!'\n"
         "    1 | x = a ! b\n"
         "      |       ^\n"},
    };
    for (size_t i = 0; i < NCASES(chains); i++)
        check_bad(&chains[i]);
}

/* ---- max: a reduction when an expression follows its list, else a call ---- */

static const struct { const char *expr, *rhs; } max_forms[] = {
    {"max(i < n) x[i]", "(max(i < n) x[i])"},
    {"max(s <= t, j) -x[s, j]", "(max(s <= t, j) (-x[s, j]))"},
    {"max(a, b)", "max(a, b)"},
    {"max(a, b) * 2", "(max(a, b) * 2)"},
    {"max(a, b) < c", "(max(a, b) < c)"},
    {"(max(a, b)) - c", "(max(a, b) - c)"},
    {"max(a, max(b, c)) + 1", "(max(a, max(b, c)) + 1)"},
    {"max(i) max(j) x[i, j]", "(max(i) (max(j) x[i, j]))"},
    /* '-' starts an expression: the reduction of -c over ranges a and b, as sum(a) -c */
    {"max(a, b) - c", "(max(a, b) (-c))"},
    {"min(a, b) - c", "(min(a, b) (-c))"},
    {"clamp(x, 0, 1)", "clamp(x, 0, 1)"},
    {"where(a < b, a, -b)", "where((a < b), a, (-b))"},
};

Test(parse, max_reduction_or_call)
{
    for (size_t i = 0; i < NCASES(max_forms); i++) {
        char src[256], want[512];
        snprintf(src, sizeof src, "x = %s\n", max_forms[i].expr);
        snprintf(want, sizeof want, "program\n  assign 1:1\n    lhs x\n    rhs %s\n", max_forms[i].rhs);
        Case c = {max_forms[i].expr, src, strlen(src), want};
        check_good(&c);
    }
    Case bad = {"not a range", SRC("x = max(y[i], 0) - 1\n"),
                "t.mg:1:9: error: max(...) followed by an expression is a reduction, and this is not a range such as "
                "'i' or 'i < n'; for the larger of two values, bracket the call: (max(a, b))\n"
                "    1 | x = max(y[i], 0) - 1\n"
                "      |         ^~~~\n"};
    check_bad(&bad);
    Case bad_min = {"not a range after min", SRC("x = min(y[i], 0) - 1\n"),
                    "t.mg:1:9: error: min(...) followed by an expression is a reduction, and this is not a range such as "
                    "'i' or 'i < n'; for the smaller of two values, bracket the call: (min(a, b))\n"
                    "    1 | x = min(y[i], 0) - 1\n"
                    "      |         ^~~~\n"};
    check_bad(&bad_min);
}
