/* Command-line tests for mgc --emit=dot and mgc --explain.  The DOT text is
 * parsed here (a small tokenizer for quoted strings, ids and punctuation) and
 * checked for structure; --explain's numbers are checked against figures
 * worked out by hand from models/mlp.mg, never against a file mgc wrote. */
#include <criterion/criterion.h>
#include <ctype.h>
#include <math.h>

#include "../common/run.h"

#define MGC MGC_BUILD_DIR "/mgc"
#define MLP_MG MGC_SOURCE_DIR "/models/mlp.mg"
#define GPT_MG MGC_SOURCE_DIR "/models/microgpt.mg"

/* ---- a small DOT reader ---- */
enum { MAXN = 2000, MAXE = 8000 };

typedef struct Dot {
    char *id[MAXN], *label[MAXN], *fill[MAXN];
    int cluster[MAXN];      /* 0 none, 1 forward, 2 backward */
    int nn;
    char *from[MAXE], *to[MAXE];
    int ne;
    int clusters;           /* bit 1: cluster_forward seen, bit 2: cluster_backward */
    char *name;
} Dot;

typedef struct Tok {
    char *s;
    int quoted;
} Tok;

/* Split DOT text into tokens: "strings" (unescaped), ids, ->, and { } [ ] = ; , */
static int tokenize(const char *p, Tok *t, int cap)
{
    int n = 0;
    while (*p && n < cap) {
        if (isspace((unsigned char)*p)) {
            p++;
        } else if (p[0] == '/' && p[1] == '/') {
            while (*p && *p != '\n')
                p++;
        } else if (*p == '"') {
            char *s = malloc(strlen(p) + 1), *q = s;
            for (p++; *p && *p != '"'; p++)
                if (*p == '\\' && p[1]) {
                    p++;
                    *q++ = *p == 'n' ? '\n' : *p;
                } else {
                    *q++ = *p;
                }
            cr_assert(*p == '"', "unterminated string in the DOT text");
            p++;
            *q = 0;
            t[n++] = (Tok){s, 1};
        } else if (p[0] == '-' && p[1] == '>') {
            t[n++] = (Tok){strdup("->"), 0};
            p += 2;
        } else if (strchr("{}[]=;,", *p)) {
            t[n++] = (Tok){strndup(p, 1), 0};
            p++;
        } else {
            const char *b = p;
            while (*p && (isalnum((unsigned char)*p) || *p == '_' || *p == '.'))
                p++;
            cr_assert(p > b, "unexpected character '%c' in the DOT text", *p);
            t[n++] = (Tok){strndup(b, (size_t)(p - b)), 0};
        }
    }
    cr_assert(n < cap, "too many tokens");
    return n;
}

static int is(const Tok *t, const char *s) { return !t->quoted && !strcmp(t->s, s); }

/* [k=v, ...] starting at t[i] == "["; returns the index after "]" */
static int attrs(Tok *t, int n, int i, Dot *d, int node)
{
    for (i++; i < n && !is(&t[i], "]"); i++) {
        if (is(&t[i], ",") || is(&t[i], ";"))
            continue;
        cr_assert(i + 2 < n && is(&t[i + 1], "="), "bad attribute list near '%s'", t[i].s);
        if (node >= 0 && !strcmp(t[i].s, "label"))
            d->label[node] = t[i + 2].s;
        if (node >= 0 && !strcmp(t[i].s, "fillcolor"))
            d->fill[node] = t[i + 2].s;
        i += 2;
    }
    cr_assert(i < n, "unclosed '['");
    return i + 1;
}

static int find_node(const Dot *d, const char *id)
{
    for (int i = 0; i < d->nn; i++)
        if (!strcmp(d->id[i], id))
            return i;
    return -1;
}

/* digraph NAME { stmt* } with stmts: subgraph ID { ... } | ID -> ID [..] | ID [..] | ID = ID */
static void parse_dot(const char *text, Dot *d)
{
    static Tok t[200000];
    memset(d, 0, sizeof *d);
    int n = tokenize(text, t, 200000);
    cr_assert(n > 3 && is(&t[0], "digraph") && is(&t[2], "{"), "not 'digraph NAME {'");
    d->name = t[1].s;
    int depth = 1, cluster = 0;
    for (int i = 3; i < n;) {
        if (is(&t[i], ";")) {
            i++;
        } else if (is(&t[i], "}")) {
            depth--, i++;
            if (depth == 1)
                cluster = 0;
            if (!depth) {
                cr_assert(i == n, "text after the closing '}'");
                return;
            }
        } else if (is(&t[i], "subgraph")) {
            cr_assert(depth == 1 && i + 2 < n && is(&t[i + 2], "{"), "bad subgraph");
            cluster = !strcmp(t[i + 1].s, "cluster_forward") ? 1 : !strcmp(t[i + 1].s, "cluster_backward") ? 2 : 3;
            d->clusters |= cluster;
            depth++, i += 3;
        } else if (is(&t[i], "node") || is(&t[i], "edge") || is(&t[i], "graph")) {
            i = attrs(t, n, i + 1, d, -1);
        } else if (i + 1 < n && is(&t[i + 1], "=")) {
            i += 3;
        } else if (i + 1 < n && is(&t[i + 1], "->")) {
            cr_assert(i + 2 < n && d->ne < MAXE);
            d->from[d->ne] = t[i].s;
            d->to[d->ne++] = t[i + 2].s;
            i += 3;
            if (i < n && is(&t[i], "["))
                i = attrs(t, n, i, d, -1);
        } else {
            cr_assert(d->nn < MAXN && find_node(d, t[i].s) < 0, "node '%s' declared twice", t[i].s);
            int k = d->nn++;
            d->id[k] = t[i].s;
            d->cluster[k] = cluster;
            i++;
            if (i < n && is(&t[i], "["))
                i = attrs(t, n, i, d, k);
        }
    }
    cr_assert_fail("no closing '}'");
}

/* The leaf names of the parameters a .mg file declares: "param layer[l].attn_wq[16, 16] ~" -> "attn_wq" */
static int mg_params(const char *path, char names[][64], int cap)
{
    static char text[1 << 16];
    run_slurp(path, text, sizeof text);
    int n = 0;
    for (char *line = strtok(text, "\n"); line && n < cap; line = strtok(NULL, "\n")) {
        while (*line == ' ')
            line++;
        char *tilde = strchr(line, '~');
        if (strncmp(line, "param ", 6) || !tilde)
            continue;
        char *e = tilde;
        while (e > line && *e != ']')
            e--;
        for (int depth = 0; e > line; e--) {   /* back to the '[' of the shape */
            depth += *e == ']' ? 1 : *e == '[' ? -1 : 0;
            if (!depth)
                break;
        }
        char *b = e;
        while (b > line && (isalnum((unsigned char)b[-1]) || b[-1] == '_'))
            b--;
        cr_assert(e > b, "cannot read the parameter name in: %s", line);
        snprintf(names[n++], 64, "%.*s", (int)(e - b), b);
    }
    return n;
}

/* Structure every model's graph must have. */
static void check_graph(const Dot *d, const char *mg, const char *file_colon, int max_nodes)
{
    cr_expect_eq(d->clusters, 3, "cluster_forward and cluster_backward: %d", d->clusters);
    for (int e = 0; e < d->ne; e++) {
        cr_expect(find_node(d, d->from[e]) >= 0, "edge from undeclared node '%s'", d->from[e]);
        cr_expect(find_node(d, d->to[e]) >= 0, "edge to undeclared node '%s'", d->to[e]);
    }
    char names[32][64];
    int np = mg_params(mg, names, 32);
    cr_assert(np > 0, "no parameters found in %s", mg);
    /* both models declare mlp_fc2 last (microGPT as layer[l].mlp_fc2) */
    cr_expect_str_eq(names[np - 1], "mlp_fc2", "the parameter names were misread");
    for (int p = 0; p < np; p++) {
        int param = 0, grad = 0;
        size_t len = strlen(names[p]);
        for (int i = 0; i < d->nn; i++) {
            const char *l = d->label[i];
            if (!l)
                continue;
            const char *nl = strchr(l, '\n');
            size_t first = nl ? (size_t)(nl - l) : strlen(l);
            /* "param layer0.attn_wq\n..." outside the clusters */
            if (!strncmp(l, "param ", 6) && first >= len && !strncmp(l + first - len, names[p], len) &&
                d->cluster[i] == 0)
                param = 1;
            /* its gradient is written in the backward cluster: "...\nd_layer0_attn_wq [16, 16]\n..." */
            const char *dn = nl ? strstr(nl, "\nd_") : NULL;
            if (d->cluster[i] == 2 && dn && strstr(dn, names[p]))
                grad = 1;
        }
        cr_expect(param, "no parameter node for '%s'", names[p]);
        cr_expect(grad, "no backward statement writes the gradient of '%s'", names[p]);
    }
    int lines = 0, loss = 0, fwd = 0, bwd = 0;
    for (int i = 0; i < d->nn; i++) {
        lines += d->label[i] && strstr(d->label[i], file_colon);
        loss += d->fill[i] && !strcmp(d->fill[i], "gold") && d->cluster[i] == 1;
        fwd += d->cluster[i] == 1;
        bwd += d->cluster[i] == 2;
    }
    cr_expect(lines > 0, "no label quotes a line of %s", file_colon);
    cr_expect_eq(loss, 1, "one highlighted loss statement in the forward cluster, not %d", loss);
    cr_expect(fwd > 0 && bwd > 0, "forward %d and backward %d statements", fwd, bwd);
    cr_expect(d->nn <= max_nodes, "%d nodes, more than %d", d->nn, max_nodes);
}

static Dot dot;

/* mlp.mg by hand: forward tensor ops x (gather), linear, relu, linear, and
 * cross_entropy = softmax (max, exp, sum, divide) + sum of logs + mean: 10.
 * Reverse mode adds at most one accumulation per read (two reads per op at
 * most) plus the seed and a reach count: at most 10 + 2 * 10 + 2 = 32
 * statements; with 3 parameters and 1 input, 36 nodes.  One node per scalar
 * or per expression node would be hundreds. */
Test(emit_dot, mlp_graph_has_the_models_structure)
{
    Run *r = run("%s --emit=dot %s", MGC, MLP_MG);
    cr_assert_eq(r->status, 0, "%s", r->err);
    cr_assert(!strncmp(r->out, "digraph", 7), "does not start with digraph: %.40s", r->out);
    parse_dot(r->out, &dot);
    check_graph(&dot, MLP_MG, "mlp.mg:", 36);
    int fwd = 0;
    for (int i = 0; i < dot.nn; i++)
        fwd += dot.cluster[i] == 1;
    cr_expect_eq(fwd, 10, "the 10 forward tensor ops counted by hand, not %d", fwd);
    for (int i = 0; i < dot.nn; i++)   /* linear's sum of products */
        if (dot.label[i] && strstr(dot.label[i], "\nlinear.y [T, 64]\n"))
            cr_expect(!strncmp(dot.label[i], "matvec/sum\n", 11), "label: %s", dot.label[i]);
}

/* microgpt.mg by hand: embedding add 1, rmsnorm 3 x 3, seven linears,
 * attention 6 (scores, softmax 4, weighted sum), relu 1, two residual adds,
 * cross_entropy 6: 32 forward ops (a few more after function inlining);
 * at most 3 statements each with the backward, 9 parameters and the input:
 * 10 + 3 * 32 = 106, so 150 leaves room for the extra copies inlining makes
 * and still means one node per tensor op (microGPT has thousands of scalars). */
Test(emit_dot, microgpt_graph_has_the_models_structure)
{
    Run *r = run("%s --emit=dot %s -o -", MGC, GPT_MG);
    cr_assert_eq(r->status, 0, "%s", r->err);
    cr_assert(!strncmp(r->out, "digraph", 7));
    parse_dot(r->out, &dot);
    check_graph(&dot, GPT_MG, "microgpt.mg:", 150);
    cr_expect(dot.nn >= 10 + 32, "only %d nodes", dot.nn);
}

Test(emit_dot, output_is_deterministic_and_ignores_the_passes)
{
    const char *d = tmpdir();
    Run *r = run("%s --emit=dot %s -o %s/a.dot && %s --emit=dot %s -o %s/b.dot && cmp %s/a.dot %s/b.dot",
                 MGC, GPT_MG, d, MGC, GPT_MG, d, d, d);
    cr_assert_eq(r->status, 0, "two runs differ: %s", r->err);
    r = run("%s --emit=dot -O0 %s -o %s/c.dot && %s --emit=dot --no-opt=cse,fuse %s > %s/e.dot"
            " && cmp %s/a.dot %s/c.dot && cmp %s/a.dot %s/e.dot",
            MGC, GPT_MG, d, MGC, GPT_MG, d, d, d, d, d);
    cr_assert_eq(r->status, 0, "the passes changed the graph: %s", r->err);
}

/* A file name with a quote and a backslash comes back intact through DOT's escapes. */
Test(emit_dot, strings_are_escaped)
{
    const char *d = tmpdir();
    Run *r = run("cp %s '%s/we\"ird\\name.mg' && cd %s && %s --emit=dot 'we\"ird\\name.mg'", MLP_MG, d, d, MGC);
    cr_assert_eq(r->status, 0, "%s", r->err);
    parse_dot(r->out, &dot);
    int found = 0;
    for (int i = 0; i < dot.nn; i++)
        found |= dot.label[i] && strstr(dot.label[i], "we\"ird\\name.mg:17") != NULL;
    cr_expect(found, "no label names we\"ird\\name.mg:17");
    if (run("command -v dot")->status == 0) {   /* Debian's graphviz, when installed */
        r = run("cd %s && %s --emit=dot 'we\"ird\\name.mg' | dot -Tsvg -o g.svg", d, MGC);
        cr_expect_eq(r->status, 0, "dot refused it: %s", r->err);
        cr_expect_str_eq(r->err, "", "dot warned: %s", r->err);
        r = run("%s --emit=dot %s | dot -Tsvg -o %s/gpt.svg", MGC, GPT_MG, d);
        cr_expect_eq(r->status, 0, "dot refused it: %s", r->err);
        cr_expect_str_eq(r->err, "", "dot warned: %s", r->err);
    }
}

Test(emit_dot, unknown_emit_kind_is_refused)
{
    Run *r = run("%s --emit=foo %s -o %s/out.dot", MGC, MLP_MG, tmpdir());
    cr_assert_eq(r->status, 1);
    cr_assert(strstr(r->err, "mgc: error: unknown output kind 'foo' for --emit (c, dot)"), "stderr: %s", r->err);
    cr_assert_str_eq(r->out, "");
}

/* ---- --explain ---- */
/* The numbers of a row "  NAME  n1 n2 ..." of the report; the count read. */
static int row(const char *out, const char *name, double *v, int nv)
{
    char key[64];
    snprintf(key, sizeof key, "\n  %s ", name);
    const char *p = strstr(out, key);
    if (!p)
        return -1;
    p += strlen(key);
    int k = 0;
    for (char *end; k < nv; p = end) {
        while (*p == ' ')
            p++;
        v[k] = strtod(p, &end);
        if (end == p)
            break;
        k++;
    }
    return k;
}

static const char *explain_mlp(const char *opts)
{
    static char out[1 << 20];
    Run *r = run("%s --explain %s %s", MGC, opts, MLP_MG);
    cr_assert_eq(r->status, 0, "%s", r->err);
    snprintf(out, sizeof out, "%s", r->out);
    return out;
}

/* mlp.mg: vocab 27, n_embd 16, n_hidden 64, T <= 16. */
Test(explain, mlp_parameters_and_forward_flops_match_the_hand_count)
{
    const char *out = explain_mlp("");
    /* wte 27*16 + mlp_fc1 64*16 + mlp_fc2 27*64 = 432 + 1024 + 1728 */
    cr_expect(strstr(out, "\nparameters: 3184 scalars in 3 tensors\n"), "%s", out);
    cr_expect(strstr(out, "FLOPs at T = 16"), "%s", out);
    /* per position, one op per +, -, *, exp, log, pow, relu and compare:
     *   linear fc1   2 * 64 * 16 (a multiply and an add per weight)   2048
     *   relu         64                                                  64
     *   linear fc2   2 * 27 * 64                                       3456
     *   softmax      max 27, exp(l - m) 2 * 27, sum 27, e * pow(s, -1) 2 * 27   162
     *   loss         log, * -1 and the sum's add for the position         3
     * = 5733 per position, and once per document the mean's
     * sum * pow(T, -1): 2.  At T = 16: 16 * 5733 + 2 = 91730. */
    double v[4];
    cr_assert_eq(row(out, "forward", v, 4), 4, "%s", out);
    cr_expect_eq(v[0], 91730, "traced forward FLOPs %.0f, by hand 91730", v[0]);
    cr_expect(fabs(v[1] - 91730 / 16.0) < 0.06, "per position %.1f", v[1]);
    /* each linear y = W x needs dW += x dy and dx += W dy in the backward:
     * 2 * (2048 + 3456) per position at least, and the emitted code no more than traced */
    double b[4];
    cr_assert_eq(row(out, "backward", b, 4), 4, "%s", out);
    cr_expect(b[1] >= 2 * (2048 + 3456), "backward per position %.1f", b[1]);
    cr_expect(b[2] <= b[0] && v[2] <= v[0], "the passes added arithmetic: %s", out);
}

Test(explain, statement_counts_follow_the_stages)
{
    const char *out = explain_mlp("");
    double tr[4], ad[4], fold[4], licm[4], cse[4], dce[4], red[4], fuse[4], plan[4];
    cr_assert_eq(row(out, "trace", tr, 4), 4, "%s", out);
    cr_assert_eq(row(out, "autodiff", ad, 4), 4);
    cr_assert_eq(row(out, "fold", fold, 4), 4);
    cr_assert_eq(row(out, "licm", licm, 4), 4);
    cr_assert_eq(row(out, "cse", cse, 4), 4);
    cr_assert_eq(row(out, "dce", dce, 4), 4);
    cr_assert_eq(row(out, "reduce", red, 4), 4);
    cr_assert_eq(row(out, "fuse", fuse, 4), 4);
    cr_assert_eq(row(out, "plan", plan, 4), 4);
    /* columns: statements, forward, backward, expression nodes */
    cr_expect_eq(tr[1], 10, "the 10 forward tensor ops of mlp.mg");
    cr_expect_eq(tr[2], 0, "no backward before autodiff");
    cr_expect_eq(ad[1], tr[1], "autodiff changed the forward");
    cr_expect(ad[2] > 0 && ad[3] > tr[3]);
    cr_expect_eq(tr[0], tr[1] + tr[2]);
    cr_expect_eq(plan[0], plan[1] + plan[2]);
    cr_expect(fold[0] <= ad[0], "fold added statements");
    cr_expect(dce[0] <= cse[0] && dce[3] <= cse[3], "dce added to the graph");
    cr_expect(red[0] <= dce[0] && fuse[0] <= red[0] && plan[0] == fuse[0], "counts grew after dce");
}

Test(explain, every_pass_off_with_O0)
{
    const char *out = explain_mlp("-O0");
    const char *passes[] = {"fold", "licm", "cse", "dce", "split", "reduce", "fuse"};
    for (int i = 0; i < 7; i++) {
        char want[64];
        snprintf(want, sizeof want, "\n  %-10s %10s\n", passes[i], "(off)");
        cr_expect(strstr(out, want), "no '%s' off in: %s", passes[i], out);
    }
    double ad[4], plan[4];
    cr_assert_eq(row(out, "autodiff", ad, 4), 4);
    cr_assert_eq(row(out, "plan", plan, 4), 4);
    cr_expect(ad[0] == plan[0] && ad[3] == plan[3]);
}

/* The scratch size and line count agree with the C mgc writes. */
Test(explain, memory_and_lines_match_the_emitted_c)
{
    const char *out = explain_mlp("");
    long doubles = -1, bytes = -1, lines = -1;
    const char *p = strstr(out, "activation memory (memory plan): ");
    cr_assert(p, "%s", out);
    cr_assert_eq(sscanf(p, "activation memory (memory plan): %ld doubles = %ld bytes", &doubles, &bytes), 2);
    cr_expect_eq(bytes, 8 * doubles);
    p = strstr(out, "emitted C: ");
    cr_assert(p && sscanf(p, "emitted C: %ld lines", &lines) == 1, "%s", out);
    Run *r = run("%s %s -o -", MGC, MLP_MG);
    cr_assert_eq(r->status, 0);
    long n = 0;
    for (const char *c = r->out; *c; c++)
        n += *c == '\n';
    cr_expect_eq(lines, n, "explain says %ld lines, the C has %ld", lines, n);
    char want[80];
    snprintf(want, sizeof want, "Scratch: %ld doubles.", doubles);
    cr_expect(strstr(r->out, want), "the C does not say '%s'", want);
}

Test(explain, writes_c_only_with_o_and_is_deterministic)
{
    const char *d = tmpdir();
    Run *r = run("cd %s && %s --explain %s > a.txt && %s --explain %s > b.txt && cmp a.txt b.txt && ls", d, MGC,
                 MLP_MG, MGC, MLP_MG);
    cr_assert_eq(r->status, 0, "%s", r->err);
    cr_expect_str_eq(r->out, "a.txt\nb.txt\n", "files left behind: %s", r->out);
    r = run("cd %s && %s --explain %s -o e.c > explain.txt && %s %s -o p.c && cmp e.c p.c", d, MGC, MLP_MG, MGC, MLP_MG);
    cr_assert_eq(r->status, 0, "--explain -o changed the C: %s", r->err);
}
