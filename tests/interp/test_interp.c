/* test_interp.c: the graph interpreter on hand-built graphs.
 * A causal-sum layer + linear + relu + softmax cross-entropy checked against a
 * direct double computation (bit for bit) and every gradient against central
 * differences; max and min with their gradient (ties: the first term),
 * and none under nograd; nograd/step/int/floordiv/mod/tanh with
 * analytic gradients; forward given exactly T tokens; the Step-2 MLP and
 * microGPT of REFERENCE.md, built by hand, against the losses the Python
 * references print, bit for bit; and the internal-error paths (undefined
 * element, token past the end, bad graph). */
#define _POSIX_C_SOURCE 200809L
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "arena.h"
#include "interp.h"
#include "ir.h"
#include "mg_rng.h"

static void teardown(void) { arena_free_all(); }
TestSuite(interp, .fini = teardown);

/* ---- graph building ---- */
static const SrcLoc L0 = {"test.mg", 1, 1, 1, 1};

static Graph *new_graph(long Tmax, int vocab)
{
    Graph *g = ir_new_graph("test", "test.mg");
    g->Tmax = Tmax;
    g->vocab = vocab;
    g->params = arena_alloc(16 * sizeof *g->params);
    Ix *ext[1] = {ix_bin(IX_ADD, ix_T(), ix_const(1))};
    g->tokens = ir_new_tensor(g, TK_INPUT, "tokens", 1, ext, L0);
    g->optim = (MgOptim){.kind = MG_OPT_SGD, .lr = 1.0, .steps = 1000, .schedule = MG_SCHED_LINEAR};
    return g;
}

static Tensor *param(Graph *g, const char *name, int rank, long r, long c)
{
    Ix *ext[2] = {ix_const(r), ix_const(c)};
    Tensor *t = ir_new_tensor(g, TK_PARAM, name, rank, ext, L0);
    t->param_index = g->nparams;
    t->offset = g->nscalars;
    t->init = MG_INIT_GAUSS;
    t->init_b = 0.08;
    g->nscalars += t->size;
    g->params[g->nparams++] = t;
    return t;
}

static Tensor *act(Graph *g, const char *name, int rank, Ix *e0, Ix *e1)
{
    Ix *ext[2] = {e0, e1};
    return ir_new_tensor(g, TK_ACT, name, rank, ext, L0);
}

static Stmt *stmt(Graph *g, Tensor *out)
{
    Stmt *s = ir_new_stmt(L0);
    s->out = out;
    ir_push(&g->fwd, s);
    return s;
}

/* Add a loop (output loops first, then reductions); returns its variable. */
static Ix *loop(Graph *g, Stmt *s, const char *name, Ix *hi)
{
    int v = ir_new_var(g, name);
    s->loops[s->nloop++] = (Loop){v, hi};
    return ix_var(v);
}

static Ix *red(Graph *g, Stmt *s, RedKind k, const char *name, Ix *hi)
{
    s->red = k;
    s->nred++;
    return loop(g, s, name, hi);
}

static void out_at(Stmt *s, Ix *i0, Ix *i1)
{
    s->oidx[0] = i0;
    s->oidx[1] = i1;
}

static Ex *rd(Tensor *t, Ix *i0, Ix *i1)
{
    Ix *idx[2] = {i0, i1};
    return ex_read(t, t->rank, idx);
}

#define C(v) ix_const(v)
#define PLUS(a, b) ix_bin(IX_ADD, (a), (b))

/* x[t, c] = wte[tokens[t], c] */
static Tensor *embed(Graph *g, Tensor *wte, long E)
{
    Tensor *x = act(g, "x", 2, ix_T(), C(E));
    Stmt *s = stmt(g, x);
    Ix *t = loop(g, s, "t", ix_T()), *c = loop(g, s, "c", C(E));
    out_at(s, t, c);
    s->e = rd(wte, ix_read(g->tokens, t), c);
    return x;
}

/* y[t, o] = sum(i < I) w[o, i] * x[t, i] */
static Tensor *linear(Graph *g, const char *name, Tensor *x, Tensor *w)
{
    long O = w->maxext[0], I = w->maxext[1];
    Tensor *y = act(g, name, 2, ix_T(), C(O));
    Stmt *s = stmt(g, y);
    Ix *t = loop(g, s, "t", ix_T()), *o = loop(g, s, "o", C(O));
    Ix *i = red(g, s, RED_SUM_, "i", C(I));
    out_at(s, t, o);
    s->e = ex_bin(EX_MUL, rd(w, o, i), rd(x, t, i));
    return y;
}

/* y[t, o] = f(x[t, o]) */
static Tensor *unary(Graph *g, const char *name, ExKind f, Tensor *x)
{
    Tensor *y = act(g, name, 2, ix_T(), C(x->maxext[1]));
    Stmt *s = stmt(g, y);
    Ix *t = loop(g, s, "t", ix_T()), *o = loop(g, s, "o", C(x->maxext[1]));
    out_at(s, t, o);
    s->e = ex_un(f, rd(x, t, o));
    return y;
}

/* loss = (1/T) * sum_t -log(softmax(lg[t])[tokens[t + 1]]), the reference's way:
 * max as a plain number (nograd), exp(l - max), sum, e * sum^-1, log(p) * -1,
 * mean as sum * T^-1. */
static void softmax_ce(Graph *g, Tensor *lg)
{
    long V = lg->maxext[1];
    Tensor *mx = act(g, "mx", 1, ix_T(), NULL);
    Stmt *s = stmt(g, mx);
    Ix *t = loop(g, s, "t", ix_T()), *v = red(g, s, RED_MAX_, "v", C(V));
    out_at(s, t, NULL);
    s->e = rd(lg, t, v);
    s->nograd = 1;

    Tensor *e = act(g, "e", 2, ix_T(), C(V));
    s = stmt(g, e);
    t = loop(g, s, "t", ix_T());
    v = loop(g, s, "v", C(V));
    out_at(s, t, v);
    s->e = ex_un(EX_EXP, ex_bin(EX_SUB, rd(lg, t, v), rd(mx, t, NULL)));

    Tensor *se = act(g, "se", 1, ix_T(), NULL);
    s = stmt(g, se);
    t = loop(g, s, "t", ix_T());
    v = red(g, s, RED_SUM_, "v", C(V));
    out_at(s, t, NULL);
    s->e = rd(e, t, v);

    Tensor *p = act(g, "p", 2, ix_T(), C(V));
    s = stmt(g, p);
    t = loop(g, s, "t", ix_T());
    v = loop(g, s, "v", C(V));
    out_at(s, t, v);
    s->e = ex_bin(EX_MUL, rd(e, t, v), ex_pow(rd(se, t, NULL), -1.0));

    Tensor *nll = act(g, "nll", 1, ix_T(), NULL);
    s = stmt(g, nll);
    t = loop(g, s, "t", ix_T());
    out_at(s, t, NULL);
    s->e = ex_bin(EX_MUL, ex_un(EX_LOG, rd(p, t, ix_read(g->tokens, PLUS(t, C(1))))), ex_const(-1.0));

    Tensor *tot = act(g, "tot", 0, NULL, NULL);
    s = stmt(g, tot);
    t = red(g, s, RED_SUM_, "t", ix_T());
    s->e = rd(nll, t, NULL);

    g->loss = act(g, "loss", 0, NULL, NULL);
    s = stmt(g, g->loss);
    s->e = ex_bin(EX_MUL, rd(tot, NULL, NULL), ex_pow(ex_int(ix_T()), -1.0));
}

/* ---- the small model: causal mixing, linear, relu, linear, cross-entropy ---- */
enum { SV = 5, SE = 3, SH = 4, STMAX = 4 };
enum { OFF_WTE = 0, OFF_W1 = SV * SE, OFF_W2 = OFF_W1 + SH * SE, SN = OFF_W2 + SV * SH };

/*   x[t, c] = wte[tokens[t], c]
 *   d[t, s <= t] = sum(c) x[t, c] * x[s, c];   a[t, s <= t] = exp(d[t, s] * 0.5)
 *   cx[t, c] = sum(s <= t) a[t, s] * x[s, c]
 *   h = relu(linear(cx, w1));  logits = linear(h, w2);  loss = softmax_ce(logits)
 * plus a dead statement reading a tensor nothing writes (must never run). */
static Graph *small_model(void)
{
    Graph *g = new_graph(STMAX, SV);
    Tensor *wte = param(g, "wte", 2, SV, SE);
    Tensor *w1 = param(g, "layer0.w1", 2, SH, SE);
    Tensor *w2 = param(g, "w2", 2, SV, SH);
    Tensor *x = embed(g, wte, SE);

    Tensor *d = act(g, "d", 2, ix_T(), PLUS(ix_axis(0), C(1)));
    Stmt *s = stmt(g, d);
    Ix *t = loop(g, s, "t", ix_T()), *u = loop(g, s, "s", PLUS(t, C(1)));
    Ix *c = red(g, s, RED_SUM_, "c", C(SE));
    out_at(s, t, u);
    s->e = ex_bin(EX_MUL, rd(x, t, c), rd(x, u, c));

    Tensor *a = act(g, "a", 2, ix_T(), PLUS(ix_axis(0), C(1)));
    s = stmt(g, a);
    t = loop(g, s, "t", ix_T());
    u = loop(g, s, "s", PLUS(t, C(1)));
    out_at(s, t, u);
    s->e = ex_un(EX_EXP, ex_bin(EX_MUL, rd(d, t, u), ex_const(0.5)));

    Tensor *cx = act(g, "cx", 2, ix_T(), C(SE));
    s = stmt(g, cx);
    t = loop(g, s, "t", ix_T());
    c = loop(g, s, "c", C(SE));
    u = red(g, s, RED_SUM_, "s", PLUS(t, C(1)));
    out_at(s, t, c);
    s->e = ex_bin(EX_MUL, rd(a, t, u), rd(x, u, c));

    Tensor *h = unary(g, "h", EX_RELU, linear(g, "z", cx, w1));
    g->logits = linear(g, "logits", h, w2);

    Tensor *nothing = act(g, "nothing", 1, ix_T(), NULL);
    Tensor *junk = act(g, "junk", 1, ix_T(), NULL);
    s = stmt(g, junk);
    t = loop(g, s, "t", ix_T());
    out_at(s, t, NULL);
    s->e = rd(nothing, t, NULL);

    softmax_ce(g, g->logits);
    return g;
}

/* The same computation in plain doubles, operation for operation. */
static double small_direct(const double *P, const int *tok, int T, double lg[STMAX][SV])
{
    const double *wte = P + OFF_WTE, *w1 = P + OFF_W1, *w2 = P + OFF_W2;
    double x[STMAX][SE], a[STMAX][STMAX], cx[STMAX][SE], h[STMAX][SH];
    for (int t = 0; t < T; t++)
        for (int c = 0; c < SE; c++)
            x[t][c] = wte[tok[t] * SE + c];
    for (int t = 0; t < T; t++)
        for (int s = 0; s <= t; s++) {
            double d = 0.0;
            for (int c = 0; c < SE; c++)
                d = d + x[t][c] * x[s][c];
            a[t][s] = exp(d * 0.5);
        }
    for (int t = 0; t < T; t++)
        for (int c = 0; c < SE; c++) {
            double acc = 0.0;
            for (int s = 0; s <= t; s++)
                acc = acc + a[t][s] * x[s][c];
            cx[t][c] = acc;
        }
    for (int t = 0; t < T; t++)
        for (int o = 0; o < SH; o++) {
            double z = 0.0;
            for (int i = 0; i < SE; i++)
                z = z + w1[o * SE + i] * cx[t][i];
            h[t][o] = z > 0 ? z : 0.0;
        }
    double tot = 0.0;
    for (int t = 0; t < T; t++) {
        double mx = -INFINITY, e[SV], se = 0.0;
        for (int v = 0; v < SV; v++) {
            double l = 0.0;
            for (int j = 0; j < SH; j++)
                l = l + w2[v * SH + j] * h[t][j];
            lg[t][v] = l;
            if (l > mx)
                mx = l;
        }
        for (int v = 0; v < SV; v++) {
            e[v] = exp(lg[t][v] - mx);
            se = se + e[v];
        }
        double p = e[tok[t + 1]] * pow(se, -1.0);
        tot = tot + log(p) * -1.0;
    }
    return tot * pow((double)T, -1.0);
}

/* Deterministic parameters in [-1, 1). */
static void fill_params(double *p, int n, unsigned seed)
{
    for (int i = 0; i < n; i++) {
        seed = seed * 1103515245u + 12345u;
        p[i] = (double)((seed >> 8) & 0xffff) / 32768.0 - 1.0;
    }
}

Test(interp, model_table)
{
    MgModel m;
    cr_assert_eq(interp_make_model(small_model(), &m), 0);
    cr_expect_str_eq(m.name, "test");
    cr_expect_eq(m.vocab, SV);
    cr_expect_eq(m.block_size, STMAX);
    cr_expect_eq(m.n_params, 3);
    cr_expect_eq(m.n_scalars, (size_t)SN);
    cr_expect_eq(m.scratch, 0u);
    cr_expect_eq(m.optim.kind, MG_OPT_SGD);
    cr_expect_eq(m.optim.steps, 1000);
    cr_expect_str_eq(m.params[1].name, "layer0.w1");
    cr_expect_eq(m.params[1].rank, 2);
    cr_expect_eq(m.params[1].shape[0], SH);
    cr_expect_eq(m.params[1].shape[1], SE);
    cr_expect_eq(m.params[1].offset, (size_t)OFF_W1);
    cr_expect_eq(m.params[1].size, (size_t)(SH * SE));
    cr_expect_eq(m.params[2].offset, (size_t)OFF_W2);
    cr_expect_eq(m.params[2].init, MG_INIT_GAUSS);
    cr_expect_eq(m.params[2].init_b, 0.08);
    interp_free_model(&m);
}

Test(interp, small_model_loss_and_gradients)
{
    MgModel m;
    cr_assert_eq(interp_make_model(small_model(), &m), 0);
    static const int tok[STMAX + 1] = {4, 0, 2, 2, 4};
    double P[SN], G[SN], G2[SN], lg[STMAX][SV];
    fill_params(P, SN, 7);
    for (int T = 1; T <= STMAX; T++) {
        for (int i = 0; i < SN; i++)
            G[i] = NAN; /* overwritten, not accumulated */
        double L = m.loss_grad(m.ctx, P, G, tok, T, NULL);
        double want = small_direct(P, tok, T, lg);
        cr_expect_eq(L, want, "T=%d: loss %.17g, direct %.17g", T, L, want);
        m.loss_grad(m.ctx, P, G2, tok, T, NULL);
        cr_expect(memcmp(G, G2, sizeof G) == 0, "T=%d: a second call changed the gradients", T);
        double maxerr = 0;
        for (int i = 0; i < SN; i++) {
            const double h = 1e-5;
            double save = P[i];
            P[i] = save + h;
            double lp = m.loss_grad(m.ctx, P, G2, tok, T, NULL);
            P[i] = save - h;
            double lm = m.loss_grad(m.ctx, P, G2, tok, T, NULL);
            P[i] = save;
            double fd = (lp - lm) / (2 * h);
            double err = fabs(fd - G[i]) / fmax(1.0, fabs(G[i]));
            maxerr = fmax(maxerr, err);
            cr_expect(err <= 1e-7, "T=%d: d loss / d p[%d]: backward %.12g, finite difference %.12g", T, i, G[i],
                      fd);
        }
        cr_log_info("T=%d: loss %.10f, max gradient error vs finite differences %.2e", T, L, maxerr);
        /* rows of wte for tokens not among the inputs get exactly zero */
        for (int c = 0; c < SE; c++)
            cr_expect_eq(G[OFF_WTE + 1 * SE + c], 0.0);
    }
    interp_free_model(&m);
}

Test(interp, forward_reads_only_T_tokens)
{
    MgModel m;
    cr_assert_eq(interp_make_model(small_model(), &m), 0);
    double P[SN], lg[STMAX][SV];
    fill_params(P, SN, 11);
    static const int full[STMAX + 1] = {4, 3, 0, 1, 4};
    for (int T = 1; T <= STMAX; T++) {
        int *tok = malloc((size_t)T * sizeof *tok); /* exactly T: valgrind sees any read past it */
        memcpy(tok, full, (size_t)T * sizeof *tok);
        const double *out = m.forward(m.ctx, P, tok, T, NULL);
        small_direct(P, full, T, lg);
        for (int t = 0; t < T; t++)
            for (int v = 0; v < SV; v++)
                cr_expect_eq(out[t * SV + v], lg[t][v], "T=%d logits[%d, %d]: %.17g vs %.17g", T, t, v,
                             out[t * SV + v], lg[t][v]);
        free(tok);
    }
    interp_free_model(&m);
}

/* ---- small graphs over one parameter vector w[4] ---- */
static const double W4[4] = {0.5, -1.5, 2.0, 3.0};

/* logits[t, v] = w[v], so interp_make_model accepts the graph */
static Graph *vec_graph(Tensor **w)
{
    Graph *g = new_graph(2, 4);
    *w = param(g, "w", 1, 4, 0);
    g->logits = act(g, "logits", 2, ix_T(), C(4));
    Stmt *s = stmt(g, g->logits);
    Ix *t = loop(g, s, "t", ix_T()), *v = loop(g, s, "v", C(4));
    out_at(s, t, v);
    s->e = rd(*w, v, NULL);
    return g;
}

/* out = red(i < 4) e(i) */
static Tensor *reduce_w(Graph *g, const char *name, RedKind k, Ex *(*body)(Tensor *w, Ix *i), Tensor *w)
{
    Tensor *out = act(g, name, 0, NULL, NULL);
    Stmt *s = stmt(g, out);
    Ix *i = red(g, s, k, "i", C(4));
    s->e = body(w, i);
    return out;
}

static Ex *body_read(Tensor *w, Ix *i) { return rd(w, i, NULL); }

static void set_loss(Graph *g, Ex *e)
{
    g->loss = act(g, "loss", 0, NULL, NULL);
    stmt(g, g->loss)->e = e;
}

/* max and min pass their gradient to the term they chose, the first of
 * equal ones; a max under nograd passes none */
Test(interp, max_and_min_gradients_go_to_the_term_chosen)
{
    Tensor *w;
    Graph *g = vec_graph(&w);
    Tensor *mx = reduce_w(g, "mx", RED_MAX_, body_read, w);
    Tensor *mn = reduce_w(g, "mn", RED_MIN_, body_read, w);
    Tensor *sm = reduce_w(g, "sm", RED_SUM_, body_read, w);
    set_loss(g, ex_bin(EX_ADD, ex_bin(EX_SUB, rd(sm, NULL, NULL), rd(mx, NULL, NULL)),
                       ex_bin(EX_MUL, rd(mn, NULL, NULL), ex_const(2))));
    static const int tok[3] = {0, 1, 2};
    static const double ties[4] = {3.0, -1.5, 3.0, -1.5};
    static const double want[3][4] = {{1, 3, 1, 0}, {0, 3, 1, 1}, {1, 3, 1, 1}};
    const double *params[3] = {W4, ties, W4}, loss[3] = {4.0 - 3.0 - 3.0, 3.0 - 3.0 - 3.0, 4.0 - 3.0 - 3.0};
    for (int k = 0; k < 3; k++) {
        if (k == 2)     /* mx = nograd(max(i) w[i]) */
            for (int i = 0; i < g->fwd.n; i++)
                g->fwd.items[i]->nograd = g->fwd.items[i]->out == mx;
        MgModel m;
        cr_assert_eq(interp_make_model(g, &m), 0);
        double G[4];
        double L = m.loss_grad(m.ctx, params[k], G, tok, 2, NULL);
        cr_expect_eq(L, loss[k], "case %d: loss %g, want %g", k, L, loss[k]);
        for (int i = 0; i < 4; i++)
            cr_expect_eq(G[i], want[k][i], "case %d: d loss / d w[%d] = %g, want %g", k, i, G[i], want[k][i]);
        interp_free_model(&m);
    }
}

static Ex *body_nograd(Tensor *w, Ix *i) { return ex_bin(EX_MUL, rd(w, i, NULL), ex_un(EX_NOGRAD, rd(w, i, NULL))); }
static Ex *body_step(Tensor *w, Ix *i)
{
    Ex *si = ex_bin(EX_MUL, ex_un(EX_STEP, rd(w, i, NULL)), ex_int(PLUS(i, C(1))));
    return ex_bin(EX_MUL, si, rd(w, i, NULL));
}
/* w[i / 2] * w[(i + 3) % 4] */
static Ex *body_divmod(Tensor *w, Ix *i)
{
    return ex_bin(EX_MUL, rd(w, ix_bin(IX_FLOORDIV, i, C(2)), NULL),
                  rd(w, ix_bin(IX_MOD, PLUS(i, C(3)), C(4)), NULL));
}

/* loss = sum w*nograd(w) + sum step(w)*(i+1)*w + sum w[i/2]*w[(i+3)%4] + tanh(w[3]) * 2 */
Test(interp, nograd_step_int_divmod_tanh)
{
    Tensor *w;
    Graph *g = vec_graph(&w);
    Tensor *q1 = reduce_w(g, "q1", RED_SUM_, body_nograd, w);
    Tensor *q2 = reduce_w(g, "q2", RED_SUM_, body_step, w);
    Tensor *q3 = reduce_w(g, "q3", RED_SUM_, body_divmod, w);
    Ex *q4 = ex_bin(EX_MUL, ex_un(EX_TANH, rd(w, C(3), NULL)), ex_const(2.0));
    set_loss(g, ex_bin(EX_ADD, ex_bin(EX_ADD, ex_bin(EX_ADD, rd(q1, NULL, NULL), rd(q2, NULL, NULL)),
                                      rd(q3, NULL, NULL)), q4));
    MgModel m;
    cr_assert_eq(interp_make_model(g, &m), 0);
    double G[4];
    static const int tok[3] = {0, 1, 2};
    double L = m.loss_grad(m.ctx, W4, G, tok, 1, NULL);
    const double *w_ = W4;
    double t3 = tanh(w_[3]);
    double want = (0.25 + 2.25 + 4.0 + 9.0) + (0.5 + 0 + 6.0 + 12.0) +
                  (w_[0] * w_[3] + w_[0] * w_[0] + w_[1] * w_[1] + w_[1] * w_[2]) + 2 * t3;
    cr_expect(fabs(L - want) < 1e-12, "loss %.17g, want %.17g", L, want);
    double gw[4] = {w_[0] + 1.0 + (w_[3] + 2 * w_[0]), w_[1] + 0.0 + (2 * w_[1] + w_[2]), w_[2] + 3.0 + w_[1],
                    w_[3] + 4.0 + w_[0] + 2 * (1 - t3 * t3)};
    for (int i = 0; i < 4; i++)
        cr_expect(fabs(G[i] - gw[i]) < 1e-12, "d loss / d w[%d] = %.17g, want %.17g", i, G[i], gw[i]);
    interp_free_model(&m);
}

/* ---- the Step-2 MLP against the Python reference ---- */
enum { MV = 27, ME = 16, MH = 64 };

static Graph *mlp_graph(void)
{
    Graph *g = new_graph(16, MV);
    Tensor *wte = param(g, "wte", 2, MV, ME);
    Tensor *fc1 = param(g, "mlp_fc1", 2, MH, ME);
    Tensor *fc2 = param(g, "mlp_fc2", 2, MV, MH);
    Tensor *h = unary(g, "h", EX_RELU, linear(g, "z", embed(g, wte, ME), fc1));
    g->logits = linear(g, "logits", h, fc2);
    softmax_ce(g, g->logits);
    return g;
}

static int tokenize(const char *doc, int *tok)
{
    int n = 0;
    tok[n++] = MV - 1;
    for (const char *c = doc; *c; c++)
        tok[n++] = *c - 'a';
    tok[n++] = MV - 1;
    return n - 1; /* T */
}

/* Python prints (seed 42, names.txt shuffled: yuheng, diondre, xavien):
 * losses 3.297830136557929, 3.2973975953792336, 3.296456385341138 and, at
 * step 1, grads wte[26][0] -0.010399333187479017, mlp_fc1[3][5]
 * -0.0008330786352304064, mlp_fc2[0][0] 0.0006686724460771426.  The
 * published run prints 3.2978, 3.2974, 3.2965. */
Test(interp, mlp_matches_python_reference)
{
    MgModel m;
    cr_assert_eq(interp_make_model(mlp_graph(), &m), 0);
    cr_assert_eq(m.n_scalars, (size_t)3184);
    MgRng r;
    mg_rng_seed(&r, 42);
    int *docs = calloc(32033, sizeof *docs); /* only the number of docs matters to the draws */
    mg_rng_shuffle(&r, docs, 32033, sizeof *docs);
    free(docs);
    double *P = malloc(m.n_scalars * sizeof *P), *G = malloc(m.n_scalars * sizeof *G);
    for (size_t i = 0; i < m.n_scalars; i++)
        P[i] = mg_rng_gauss(&r, 0.0, 0.08);
    cr_assert_eq(P[0], -0.04273180935726127);
    cr_assert_eq(P[2], 0.10844210106107166);

    static const char *docs3[3] = {"yuheng", "diondre", "xavien"};
    static const double want[3] = {3.297830136557929, 3.2973975953792336, 3.296456385341138};
    static const char *printed[3] = {"3.2978", "3.2974", "3.2965"};
    for (int step = 0; step < 3; step++) {
        int tok[20];
        int T = tokenize(docs3[step], tok);
        double L = m.loss_grad(m.ctx, P, G, tok, T, NULL);
        char buf[32];
        snprintf(buf, sizeof buf, "%.4f", L);
        cr_expect_str_eq(buf, printed[step], "step %d", step + 1);
        cr_expect_eq(L, want[step], "step %d: loss %.17g, Python %.17g", step + 1, L, want[step]);
        if (step == 0) {
            cr_expect_eq(G[26 * ME + 0], -0.010399333187479017);
            cr_expect_eq(G[MV * ME + 3 * ME + 5], -0.0008330786352304064);
            cr_expect_eq(G[MV * ME + MH * ME + 0], 0.0006686724460771426);
        }
        double lr = 1.0 * (1 - step / 1000.0);
        for (size_t i = 0; i < m.n_scalars; i++)
            P[i] -= lr * G[i];
    }
    free(P);
    free(G);
    interp_free_model(&m);
}

/* ---- microGPT (one layer, four heads) against the Python reference ---- */
static Tensor *act3(Graph *g, const char *name, Ix *e0, Ix *e1, Ix *e2)
{
    Ix *ext[3] = {e0, e1, e2};
    return ir_new_tensor(g, TK_ACT, name, 3, ext, L0);
}

static Ex *rd3(Tensor *t, Ix *i0, Ix *i1, Ix *i2)
{
    Ix *idx[3] = {i0, i1, i2};
    return ex_read(t, 3, idx);
}

/* a statement over h < NH, t < T, s <= t writing out[h, t, s] (or out[h, t]
 * when the s loop is a reduction); *h, *t, *s receive the variables */
static Stmt *head_stmt(Graph *g, Tensor *out, RedKind k, Ix **h, Ix **t, Ix **s)
{
    Stmt *st = stmt(g, out);
    *h = loop(g, st, "h", C(out->maxext[0]));
    *t = loop(g, st, "t", ix_T());
    *s = k == RED_NONE_ ? loop(g, st, "s", PLUS(*t, C(1))) : red(g, st, k, "s", PLUS(*t, C(1)));
    st->oidx[0] = *h;
    st->oidx[1] = *t;
    st->oidx[2] = k == RED_NONE_ ? *s : NULL;
    return st;
}

/* y[t, c] = a[t, c] + b[t, c] */
static Tensor *add2(Graph *g, const char *name, Tensor *a, Tensor *b)
{
    Tensor *y = act(g, name, 2, ix_T(), C(a->maxext[1]));
    Stmt *s = stmt(g, y);
    Ix *t = loop(g, s, "t", ix_T()), *c = loop(g, s, "c", C(a->maxext[1]));
    out_at(s, t, c);
    s->e = ex_bin(EX_ADD, rd(a, t, c), rd(b, t, c));
    return y;
}

/* ms = sum(x * x) * (1/E); scale = (ms + 1e-5)^-0.5 is one Value per row,
 * shared by the row's products as in the reference; y = x * scale. */
static Tensor *rmsnorm(Graph *g, Tensor *x)
{
    long E = x->maxext[1];
    Tensor *ms = act(g, "ms", 1, ix_T(), NULL);
    Stmt *s = stmt(g, ms);
    Ix *t = loop(g, s, "t", ix_T()), *c = red(g, s, RED_SUM_, "c", C(E));
    out_at(s, t, NULL);
    s->e = ex_bin(EX_MUL, rd(x, t, c), rd(x, t, c));
    Tensor *sc = act(g, "scale", 1, ix_T(), NULL);
    s = stmt(g, sc);
    t = loop(g, s, "t", ix_T());
    out_at(s, t, NULL);
    s->e = ex_pow(ex_bin(EX_ADD, ex_bin(EX_MUL, rd(ms, t, NULL), ex_const(1.0 / (double)E)), ex_const(1e-5)), -0.5);
    Tensor *y = act(g, "xn", 2, ix_T(), C(E));
    s = stmt(g, y);
    t = loop(g, s, "t", ix_T());
    c = loop(g, s, "c", C(E));
    out_at(s, t, c);
    s->e = ex_bin(EX_MUL, rd(x, t, c), rd(sc, t, NULL));
    return y;
}

enum { GE = 16, GNH = 4, GHD = 4 };

/* causal self-attention: al = q.k per head, * 0.5 (= / head_dim^0.5),
 * softmax over s <= t, o[t, c] = sum(s <= t) w[c / head_dim, t, s] * v[s, c] */
static Tensor *attention(Graph *g, Tensor *q, Tensor *k, Tensor *v)
{
    Ix *h, *t, *u, *tri = PLUS(ix_axis(1), C(1));
    Tensor *al = act3(g, "al", C(GNH), ix_T(), tri);
    Stmt *s = stmt(g, al);
    h = loop(g, s, "h", C(GNH));
    t = loop(g, s, "t", ix_T());
    u = loop(g, s, "s", PLUS(t, C(1)));
    Ix *j = red(g, s, RED_SUM_, "j", C(GHD));
    Ix *hj = PLUS(ix_bin(IX_MUL, h, C(GHD)), j);
    s->oidx[0] = h;
    s->oidx[1] = t;
    s->oidx[2] = u;
    s->e = ex_bin(EX_MUL, rd(q, t, hj), rd(k, u, hj));
    Tensor *a2 = act3(g, "a2", C(GNH), ix_T(), tri);
    s = head_stmt(g, a2, RED_NONE_, &h, &t, &u);
    s->e = ex_bin(EX_MUL, rd3(al, h, t, u), ex_const(0.5));
    Tensor *mx = act(g, "amax", 2, C(GNH), ix_T());
    s = head_stmt(g, mx, RED_MAX_, &h, &t, &u);
    s->e = rd3(a2, h, t, u);
    s->nograd = 1;
    Tensor *ae = act3(g, "aexp", C(GNH), ix_T(), tri);
    s = head_stmt(g, ae, RED_NONE_, &h, &t, &u);
    s->e = ex_un(EX_EXP, ex_bin(EX_SUB, rd3(a2, h, t, u), rd(mx, h, t)));
    Tensor *ase = act(g, "asum", 2, C(GNH), ix_T());
    s = head_stmt(g, ase, RED_SUM_, &h, &t, &u);
    s->e = rd3(ae, h, t, u);
    Tensor *aw = act3(g, "aw", C(GNH), ix_T(), tri);
    s = head_stmt(g, aw, RED_NONE_, &h, &t, &u);
    s->e = ex_bin(EX_MUL, rd3(ae, h, t, u), ex_pow(rd(ase, h, t), -1.0));
    Tensor *o = act(g, "o", 2, ix_T(), C(GE));
    s = stmt(g, o);
    t = loop(g, s, "t", ix_T());
    Ix *c = loop(g, s, "c", C(GE));
    u = red(g, s, RED_SUM_, "s", PLUS(t, C(1)));
    out_at(s, t, c);
    s->e = ex_bin(EX_MUL, rd3(aw, ix_bin(IX_FLOORDIV, c, C(GHD)), t, u), rd(v, u, c));
    return o;
}

static Graph *gpt_graph(void)
{
    Graph *g = new_graph(16, MV);
    Tensor *wte = param(g, "wte", 2, MV, GE), *wpe = param(g, "wpe", 2, 16, GE);
    Tensor *lm_head = param(g, "lm_head", 2, MV, GE);
    Tensor *wq = param(g, "layer0.attn_wq", 2, GE, GE), *wk = param(g, "layer0.attn_wk", 2, GE, GE);
    Tensor *wv = param(g, "layer0.attn_wv", 2, GE, GE), *wo = param(g, "layer0.attn_wo", 2, GE, GE);
    Tensor *fc1 = param(g, "layer0.mlp_fc1", 2, 4 * GE, GE), *fc2 = param(g, "layer0.mlp_fc2", 2, GE, 4 * GE);
    Tensor *x0 = act(g, "x0", 2, ix_T(), C(GE));
    Stmt *s = stmt(g, x0);
    Ix *t = loop(g, s, "t", ix_T()), *c = loop(g, s, "c", C(GE));
    out_at(s, t, c);
    s->e = ex_bin(EX_ADD, rd(wte, ix_read(g->tokens, t), c), rd(wpe, t, c));
    Tensor *x = rmsnorm(g, x0);
    Tensor *xn = rmsnorm(g, x);
    Tensor *o = attention(g, linear(g, "q", xn, wq), linear(g, "k", xn, wk), linear(g, "v", xn, wv));
    x = add2(g, "x1", linear(g, "attn_out", o, wo), x);
    Tensor *f = unary(g, "f", EX_RELU, linear(g, "fc1", rmsnorm(g, x), fc1));
    x = add2(g, "x2", linear(g, "fc2", f, fc2), x);
    g->logits = linear(g, "logits", x, lm_head);
    softmax_ce(g, g->logits);
    return g;
}

/* tests/reference/microgpt.py on names.txt prints 3.3659669475848504,
 * 3.4242727838717717, 3.177802125458052 (published: 3.3660, 3.4243, 3.1778). */
Test(interp, microgpt_matches_python_reference)
{
    MgModel m;
    cr_assert_eq(interp_make_model(gpt_graph(), &m), 0);
    cr_assert_eq(m.n_scalars, (size_t)4192);
    MgRng r;
    mg_rng_seed(&r, 42);
    int *docs = calloc(32033, sizeof *docs);
    mg_rng_shuffle(&r, docs, 32033, sizeof *docs);
    free(docs);
    size_t n = m.n_scalars;
    double *P = malloc(n * sizeof *P), *G = malloc(n * sizeof *G);
    double *M = calloc(n, sizeof *M), *V = calloc(n, sizeof *V);
    for (size_t i = 0; i < n; i++)
        P[i] = mg_rng_gauss(&r, 0.0, 0.08);
    static const char *docs3[3] = {"yuheng", "diondre", "xavien"};
    static const double want[3] = {3.3659669475848504, 3.4242727838717717, 3.177802125458052};
    for (int step = 0; step < 3; step++) {
        int tok[20];
        int T = tokenize(docs3[step], tok);
        double L = m.loss_grad(m.ctx, P, G, tok, T, NULL);
        cr_expect_eq(L, want[step], "step %d: loss %.17g, Python %.17g", step + 1, L, want[step]);
        double lr = 0.01 * (1 - step / 1000.0);
        for (size_t i = 0; i < n; i++) { /* Adam, as the reference writes it */
            M[i] = 0.85 * M[i] + (1 - 0.85) * G[i];
            V[i] = 0.99 * V[i] + (1 - 0.99) * pow(G[i], 2);
            double mh = M[i] / (1 - pow(0.85, step + 1)), vh = V[i] / (1 - pow(0.99, step + 1));
            P[i] -= lr * mh / (pow(vh, 0.5) + 1e-8);
        }
    }
    int tok[17];
    for (int i = 0; i < 17; i++)
        tok[i] = (i * 5) % MV;
    const double *lg = m.forward(m.ctx, P, tok, 16, NULL); /* T = block size, 16 tokens */
    for (int i = 0; i < 16 * MV; i++)
        cr_assert(isfinite(lg[i]));
    free(P);
    free(G);
    free(M);
    free(V);
    interp_free_model(&m);
}

/* ---- internal errors: run in a child, capture stderr and the exit status ---- */
static int run_child(void (*fn)(void), char *err, size_t cap)
{
    int fd[2];
    cr_assert_eq(pipe(fd), 0);
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    cr_assert(pid >= 0);
    if (pid == 0) {
        close(fd[0]);
        dup2(fd[1], 2);
        fn();
        fflush(stderr);
        _exit(0);
    }
    close(fd[1]);
    size_t n = 0;
    ssize_t k;
    while (n + 1 < cap && (k = read(fd[0], err + n, cap - 1 - n)) > 0)
        n += (size_t)k;
    err[n] = 0;
    close(fd[0]);
    int st;
    waitpid(pid, &st, 0);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* logits read q[t, v], which no statement writes */
static void undefined_read(void)
{
    Graph *g = new_graph(2, 3);
    Tensor *q = act(g, "q", 2, ix_T(), C(3));
    g->logits = act(g, "logits", 2, ix_T(), C(3));
    Stmt *s = stmt(g, g->logits);
    Ix *t = loop(g, s, "t", ix_T()), *v = loop(g, s, "v", C(3));
    out_at(s, t, v);
    s->e = rd(q, t, v);
    g->loss = act(g, "loss", 0, NULL, NULL);
    stmt(g, g->loss)->e = ex_const(0.0);
    MgModel m;
    if (interp_make_model(g, &m))
        return;
    static const int tok[2] = {1, 2};
    m.forward(m.ctx, NULL, tok, 2, NULL);
}

Test(interp, undefined_element_is_internal_error)
{
    char err[512];
    int st = run_child(undefined_read, err, sizeof err);
    cr_expect_eq(st, 2, "exit status %d", st);
    cr_expect_str_eq(err, "mgc: internal error: interpreter read undefined element q[0, 0]\n");
}

/* logits[t, v] = w[v] * tokens[t + 1]: forward has only T tokens */
static void token_past_end(void)
{
    Graph *g = new_graph(2, 4);
    Tensor *w = param(g, "w", 1, 4, 0);
    g->logits = act(g, "logits", 2, ix_T(), C(4));
    Stmt *s = stmt(g, g->logits);
    Ix *t = loop(g, s, "t", ix_T()), *v = loop(g, s, "v", C(4));
    out_at(s, t, v);
    s->e = ex_bin(EX_MUL, rd(w, v, NULL), ex_int(ix_read(g->tokens, PLUS(t, C(1)))));
    set_loss(g, ex_const(0.0));
    MgModel m;
    if (interp_make_model(g, &m))
        return;
    static const int tok[2] = {1, 2};
    m.forward(m.ctx, W4, tok, 2, NULL);
}

Test(interp, token_past_end_is_internal_error)
{
    char err[512];
    int st = run_child(token_past_end, err, sizeof err);
    cr_expect_eq(st, 2, "exit status %d", st);
    cr_expect(strstr(err, "mgc: internal error: interpreter read tokens[2] with only 2 tokens") == err, "got: %s",
              err);
}

static void no_logits(void)
{
    Tensor *w;
    Graph *g = vec_graph(&w);
    g->logits = NULL;
    MgModel m;
    exit(interp_make_model(g, &m) == -1 ? 3 : 0);
}

Test(interp, bad_graph_is_refused)
{
    char err[512];
    int st = run_child(no_logits, err, sizeof err);
    cr_expect_eq(st, 3, "interp_make_model did not return -1");
    cr_expect_str_eq(err, "mgc: internal error: interpreter: graph has no logits\n");
}

/* logits[t, v] = w[z] with z bound by no loop of the statement */
static void unbound_variable(void)
{
    Tensor *w;
    Graph *g = vec_graph(&w);
    g->fwd.items[0]->e = rd(w, ix_var(ir_new_var(g, "z")), NULL);
    set_loss(g, ex_const(0.0));
    MgModel m;
    exit(interp_make_model(g, &m) == -1 ? 3 : 0);
}

Test(interp, unbound_variable_is_refused)
{
    char err[512];
    int st = run_child(unbound_variable, err, sizeof err);
    cr_expect_eq(st, 3, "interp_make_model did not return -1");
    cr_expect(strstr(err, "mgc: internal error: interpreter: statement for logits uses loop variable") == err,
              "got: %s", err);
}
