/* gen.c: random well-formed .mg programs for differential fuzzing.
 * Takes a seed, hands on a Prog (a statement tree fuzz.h can print and the
 * shrinker can mutate in place).  Same seed, same bytes: the only randomness
 * is the splitmix64 stream seeded here.  Every read is built to be in bounds
 * for every T (or padded with else), every log/pow/sqrt base is kept
 * positive and exp arguments bounded, and nograd only where its gradient
 * would cancel.  Every element builtin of ops.def appears (gen_builtin, and
 * on whole tensors), and so do comparisons, where, max/min (two-argument
 * and reductions), clamp, recurrences, broadcasting and the prelude. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

/* ---- random numbers ---- */
static unsigned long long rs;
static unsigned long long next64(void)
{
    unsigned long long z = (rs += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}
static int rnd(int n) { return n <= 1 ? 0 : (int)(next64() % (unsigned long long)n); }
static int chance(int pct) { return rnd(100) < pct; }

/* ---- construction helpers ---- */
char *fz_strf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *s = malloc((size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return s;
}
static FzEx *ex_new(int kind, const char *text)
{
    FzEx *e = calloc(1, sizeof *e);
    e->kind = kind;
    e->text = text;
    return e;
}
static FzEx *leaf(const char *text) { return ex_new(FX_LEAF, text); }
static FzEx *un(const char *fn, FzEx *a) { FzEx *e = ex_new(FX_UN, fn); e->a[0] = a; e->n = 1; return e; }
static FzEx *bin(const char *op, FzEx *a, FzEx *b) { FzEx *e = ex_new(FX_BIN, op); e->a[0] = a; e->a[1] = b; e->n = 2; return e; }
static FzEx *red(const char *head, FzEx *body) { FzEx *e = ex_new(FX_RED, head); e->a[0] = body; e->n = 1; return e; }
static FzSt *st_new(int kind, const char *head)
{
    FzSt *s = calloc(1, sizeof *s);
    s->kind = kind;
    s->head = head;
    return s;
}
static void add_kid(FzSt *b, FzSt *k)
{
    b->kids = realloc(b->kids, (size_t)(b->nk + 1) * sizeof *b->kids);
    b->kids[b->nk++] = k;
}

/* ---- extents, tensors, scopes ---- */
enum { XK_CONST, XK_T, XK_T1, XK_CAUSAL, XK_SYM };
typedef struct Ext { int kind, val; const char *name; } Ext;
typedef struct Ten { const char *name; int rank; Ext ax[4]; double bound; int isint; } Ten;
typedef struct Var { const char *name; Ext ext; } Var;

#define MAXT 256
typedef struct Env { Ten t[MAXT]; int n; } Env;
typedef struct Scope { Var v[12]; int n; } Scope;

static struct G {
    int vocab, block, nconst, L;
    Ext c[6];               /* n0..n5 */
    Ext vocabx, blockx;
    int fresh;              /* fresh name counter */
    int in_fn;              /* inside a function: no tokens, no views */
    const char *loopvar;    /* compile-time loop variable in scope */
    Env *top;               /* top-level env (params, consts) seen from functions */
} G;

static Ext cx(int i) { return G.c[i]; }
static Ext xT(void) { Ext e = {XK_T, 0, "T"}; return e; }
static const char *fresh(const char *p) { return fz_strf("%s%d", p, G.fresh++); }

static void env_add(Env *env, Ten t)
{
    for (int i = 0; i < env->n; i++)      /* rebinding replaces */
        if (!strcmp(env->t[i].name, t.name)) {
            env->t[i] = t;
            return;
        }
    if (env->n < MAXT) env->t[env->n++] = t;
}
static Ten ten2(const char *name, Ext a, Ext b, double bound)
{
    Ten t = {name, 2, {a, b}, bound, 0};
    return t;
}
static Ten ten1(const char *name, Ext a, double bound)
{
    Ten t = {name, 1, {a}, bound, 0};
    return t;
}

/* an index along T from a variable along T: kept in range by max, min,
 * clamp or where (the bounds check knows each) */
static const char *int_clamped(const char *v)
{
    switch (rnd(4)) {
    case 0: return fz_strf("max(%s - %d, 0)", v, 1 + rnd(2));
    case 1: return fz_strf("min(%s + 1, T - 1)", v);
    case 2: return fz_strf("clamp(%s - 1, 0, T - 1)", v);
    default: return fz_strf("where(%s > 1, %s // 2, %s)", v, v, v);
    }
}

/* a token before the start or past the end, BOS-style: tokens[t - 2 + j] else 0 */
static const char *padded_token(const char *t, const Scope *sc)
{
    const char *j = NULL;
    for (int i = 0; i < sc->n; i++)
        if (sc->v[i].ext.kind == XK_CONST && sc->v[i].ext.val <= 3) j = sc->v[i].name;
    int fb = rnd(G.vocab);
    if (j && chance(60)) return fz_strf("tokens[%s - 2 + %s] else %d", t, j, fb);
    return fz_strf("tokens[%s - %d] else %d", t, 1 + rnd(2), fb);   /* t + 1 would reach the last target */
}

/* an index expression for an axis of extent ax, from the variables in scope */
static const char *gen_index(Ext ax, const Scope *sc, const Env *env)
{
    const char *opts[32];
    int n = 0;
    for (int i = 0; i < sc->n && n < 28; i++) {
        const Var *v = &sc->v[i];
        if (ax.kind == XK_CONST) {
            int m = ax.val;
            if (v->ext.kind == XK_CONST) {
                int k = v->ext.val;
                if (k <= m) opts[n++] = v->name, opts[n++] = v->name;
                opts[n++] = fz_strf("(%s + %d) %% %s", v->name, 1 + rnd(3), ax.name);
                int d = 2 + rnd(2);
                if ((k - 1) / d < m) opts[n++] = fz_strf("%s // %d", v->name, d);
                if (k == m) opts[n++] = fz_strf("%s - 1 - %s", ax.name, v->name);
                opts[n++] = fz_strf("(%s * 2) %% %s", v->name, ax.name);
            } else if (v->ext.kind == XK_T || v->ext.kind == XK_CAUSAL) {
                if (G.block <= m) opts[n++] = v->name;
                opts[n++] = fz_strf("%s %% %s", v->name, ax.name);
                opts[n++] = fz_strf("(%s + 1) %% %s", v->name, ax.name);
            }
            if (v->ext.kind == XK_CONST && v->ext.val > m) opts[n++] = fz_strf("min(%s, %d)", v->name, m - 1);
            if (ax.val == G.vocab && !G.in_fn && (v->ext.kind == XK_T || v->ext.kind == XK_CAUSAL)) {
                opts[n++] = fz_strf("tokens[%s]", v->name);
                opts[n++] = fz_strf("tokens[%s]", int_clamped(v->name));
                opts[n++] = padded_token(v->name, sc);
                for (int j = 0; j < env->n; j++)
                    if (env->t[j].isint) opts[n++] = fz_strf("%s[%s]", env->t[j].name, v->name);
            }
        } else if (ax.kind == XK_T) {
            if (v->ext.kind == XK_T || v->ext.kind == XK_CAUSAL) {
                opts[n++] = v->name, opts[n++] = v->name, opts[n++] = v->name;
                if (v->ext.kind == XK_T) opts[n++] = fz_strf("%s // 2", v->name);
                opts[n++] = int_clamped(v->name);
            }
        } else if (ax.kind == XK_SYM) {
            if (v->ext.kind == XK_SYM && !strcmp(v->ext.name, ax.name)) {
                opts[n++] = v->name, opts[n++] = v->name;
                opts[n++] = fz_strf("(%s + 1) %% %s", v->name, ax.name);
            }
        }
    }
    if (n == 0 || (ax.kind == XK_CONST && chance(5))) {
        if (ax.kind == XK_CONST) return fz_strf("%d", rnd(ax.val));
        return "0";
    }
    return opts[rnd(n)];
}

static FzEx *gen_leaf(const Scope *sc, const Env *env, double *b);
static FzEx *gen_read(const Ten *t, const Scope *sc, const Env *env, double *b)
{
    if (t->rank == 0) {
        *b = t->bound;
        return leaf(t->name);
    }
    const char *tv = NULL;     /* a variable along T, for a read one step away */
    for (int i = 0; i < sc->n; i++)
        if (sc->v[i].ext.kind == XK_T) tv = sc->v[i].name;
    int pad = -1;
    for (int i = 0; i < t->rank && tv; i++)
        if (t->ax[i].kind == XK_T && chance(25)) pad = i;
    char buf[512];
    int k = snprintf(buf, sizeof buf, "%s[", t->name);
    for (int i = 0; i < t->rank; i++) {
        const char *ix = i == pad ? fz_strf("%s %s %d", tv, chance(75) ? "-" : "+", 1 + rnd(2))
                                  : gen_index(t->ax[i], sc, env);
        k += snprintf(buf + k, sizeof buf - (size_t)k, "%s%s", i ? ", " : "", ix);
    }
    snprintf(buf + k, sizeof buf - (size_t)k, "]");
    *b = t->bound;
    if (pad < 0) return leaf(fz_strf("%s", buf));
    /* x[t - 1, i] else 0.0: the fallback is any leaf in the same scope */
    double bf = 0;
    const char *fb = "0.0";
    if (chance(60)) {
        FzEx *f = gen_leaf(sc, env, &bf);
        fb = f->text;
    }
    *b = fmax(*b, bf);
    return leaf(fz_strf("(%s else %s)", buf, fb));
}

static int readable(const Ten *t)
{
    if (t->isint) return 0;
    for (int i = 0; i < t->rank; i++)
        if (t->ax[i].kind == XK_CAUSAL || t->ax[i].kind == XK_T1) return 0;
    return 1;
}

static FzEx *gen_expr(int depth, Scope *sc, const Env *env, double *b);

static FzEx *positive(FzEx *e, double be, double *b)    /* e*e + eps > 0 */
{
    static const char *eps[] = {"1e-3", "1e-2", "0.5", "1.0"};
    const char *c = eps[rnd(4)];
    *b = be * be + atof(c);
    return bin("+", bin("*", e, e), leaf(c));
}

static FzEx *gen_leaf(const Scope *sc, const Env *env, double *b)
{
    int r = rnd(100);
    if (r < 70) {
        int cand[MAXT * 2], n = 0;
        for (int i = 0; i < env->n; i++)
            if (readable(&env->t[i])) cand[n++] = i;
        if (!G.in_fn && G.top != env)
            for (int i = 0; i < G.top->n; i++)
                if (readable(&G.top->t[i]) && G.top->t[i].rank > 0 && G.top->t[i].name[0] == 'p')
                    cand[n++] = MAXT + i;
        if (n) {
            int c = cand[rnd(n)];
            return gen_read(c >= MAXT ? &G.top->t[c - MAXT] : &env->t[c], sc, env, b);
        }
    }
    if (r < 80 && sc->n) {
        const Var *v = &sc->v[rnd(sc->n)];
        *b = 10;
        return leaf(fz_strf("((%s + 1) * 0.1)", v->name));
    }
    if (r < 84 && !G.in_fn) {
        *b = 1;
        return leaf(chance(50) ? "(T * 0.5)" : "(1 / T)");
    }
    if (r < 87 && G.loopvar) {
        *b = 3;
        return leaf(fz_strf("((%s + 1) * 0.5)", G.loopvar));
    }
    static const char *nums[] = {"0.5", "2.0", "1.5", "0.1", "3.0", "0.25", "1e-3", ".75"};
    const char *s = nums[rnd(8)];
    *b = atof(s);
    return leaf(s);
}

/* a fresh reduction variable over a constant or over T, or causal over t */
static FzEx *gen_reduce(int depth, Scope *sc, const Env *env, double *b)
{
    static const char *kw[] = {"sum", "sum", "mean", "max", "min"};
    const char *k = kw[rnd(5)];
    int nr = chance(25) ? 2 : 1, save = sc->n;
    char head[256];
    int hl = snprintf(head, sizeof head, "%s(", k);
    double count = 1;
    for (int r = 0; r < nr; r++) {
        Var v;
        int tvar = -1;
        for (int i = 0; i < sc->n; i++)
            if (sc->v[i].ext.kind == XK_T) tvar = i;
        int pick = rnd(10);
        if (pick < 2 && tvar >= 0 && !G.in_fn) {
            v.name = fresh("s");
            v.ext.kind = XK_CAUSAL, v.ext.val = 0, v.ext.name = sc->v[tvar].name;
            hl += snprintf(head + hl, sizeof head - (size_t)hl, "%s%s <= %s", r ? ", " : "", v.name, sc->v[tvar].name);
            count *= G.block;
        } else if (pick < 4 && !G.in_fn) {
            v.name = fresh("r");
            v.ext = xT();
            hl += snprintf(head + hl, sizeof head - (size_t)hl, "%s%s < T", r ? ", " : "", v.name);
            count *= G.block;
        } else {
            v.name = fresh("j");
            v.ext = cx(rnd(G.nconst));
            hl += snprintf(head + hl, sizeof head - (size_t)hl, "%s%s < %s", r ? ", " : "", v.name, v.ext.name);
            count *= v.ext.val;
        }
        sc->v[sc->n++] = v;
    }
    snprintf(head + hl, sizeof head - (size_t)hl, ")");
    double bb;
    FzEx *body = gen_expr(depth - 1, sc, env, &bb);
    sc->n = save;
    *b = !strcmp(k, "sum") ? bb * count : bb;
    return red(fz_strf("%s", head), body);
}

/* log(sum(j) exp(X[.., j] - M)) + M, M = max(j) X[.., j]: max cancels */
static FzEx *gen_lse(Scope *sc, const Env *env, double *b)
{
    int cand[MAXT], n = 0;
    for (int i = 0; i < env->n; i++)
        if (readable(&env->t[i]) && env->t[i].rank >= 1 && env->t[i].ax[env->t[i].rank - 1].kind == XK_CONST &&
                env->t[i].bound < 50)
            cand[n++] = i;
    if (!n) return gen_leaf(sc, env, b);
    const Ten *t = &env->t[cand[rnd(n)]];
    Ext last = t->ax[t->rank - 1];
    char pre[256] = "";
    int pl = 0;
    for (int i = 0; i < t->rank - 1; i++)
        pl += snprintf(pre + pl, sizeof pre - (size_t)pl, "%s, ", gen_index(t->ax[i], sc, env));
    const char *j1 = fresh("j"), *j2 = fresh("j"), *j3 = fresh("j");
    FzEx *m1 = red(fz_strf("max(%s < %s)", j2, last.name), leaf(fz_strf("%s[%s%s]", t->name, pre, j2)));
    FzEx *m2 = red(fz_strf("max(%s < %s)", j3, last.name), leaf(fz_strf("%s[%s%s]", t->name, pre, j3)));
    FzEx *s = red(fz_strf("sum(%s < %s)", j1, last.name),
            un("exp", bin("-", leaf(fz_strf("%s[%s%s]", t->name, pre, j1)), m1)));
    *b = t->bound + log(last.val) + 1;
    if (chance(50)) {   /* both shifts without gradient, as softmax: still exact */
        s->a[0]->a[0]->a[1] = un("nograd", m1);
        m2 = un("nograd", m2);
    }
    return bin("+", un("log", s), m2);
}

static FzEx *call(const char *fn, int n, FzEx *a, FzEx *b, FzEx *c)
{
    FzEx *e = ex_new(FX_CALL, fn);
    e->a[0] = a, e->a[1] = b, e->a[2] = c, e->n = n;
    return e;
}

/* a real comparison, 1.0 or 0.0, or an integer one of the index along T */
static FzEx *gen_compare(int depth, Scope *sc, const Env *env)
{
    static const char *op[] = {"<", "<=", ">", ">=", "==", "!="};
    for (int i = 0; i < sc->n && chance(30); i++)
        if (sc->v[i].ext.kind == XK_T) return leaf(fz_strf("(%s + 1 < T)", sc->v[i].name));
    double ba, bb;
    FzEx *a = gen_expr(depth - 1, sc, env, &ba);
    FzEx *e = chance(30) ? leaf(chance(50) ? "0" : "0.5") : gen_expr(depth - 1, sc, env, &bb);
    return bin(op[rnd(6)], a, e);
}

/* does e read a tensor (a leaf with an index), or is it a constant? */
static int reads_data(const FzEx *e)
{
    if (e->kind == FX_LEAF)
        return strchr(e->text, '[') != NULL;
    for (int i = 0; i < e->n; i++)
        if (reads_data(e->a[i]))
            return 1;
    return 0;
}

/* the kinked builtins: a gated product, where, max, min, clamp.  Finite
 * differences step over a kink only rarely, and fuzz.c then sees two
 * difference quotients that disagree and skips that element */
static FzEx *gen_choice(int depth, Scope *sc, const Env *env, double *b)
{
    double ba, bb;
    FzEx *a = gen_expr(depth - 1, sc, env, &ba);
    switch (rnd(6)) {
    case 0:
        *b = ba;
        return bin("*", a, gen_compare(depth, sc, env));
    case 1: {   /* the arm not chosen may be NaN: log of a non-positive */
        FzEx *c = gen_expr(depth - 2, sc, env, &bb);
        if (!reads_data(c))   /* mgc folds a constant log and refuses a NaN */
            c = bin("+", un("abs", c), leaf("0.5"));
        *b = fmax(ba, log(bb + 1) + 20);
        return call("where", 3, bin(">", c, leaf("0")), un("log", c), a);
    }
    case 2: {
        FzEx *e = gen_expr(depth - 1, sc, env, &bb);
        *b = fmax(ba, bb);
        return call("where", 3, chance(50) ? gen_compare(depth, sc, env) : gen_expr(depth - 2, sc, env, &bb), a, e);
    }
    case 3: case 4: {
        FzEx *e = gen_expr(depth - 1, sc, env, &bb);
        *b = fmax(ba, bb);
        return call(chance(50) ? "max" : "min", 2, a, e, NULL);
    }
    default: {
        static const char *lo[] = {"-1", "-0.5", "0"}, *hi[] = {"0.5", "1", "2"};
        *b = 2;
        return call("clamp", 3, a, leaf(lo[rnd(3)]), leaf(hi[rnd(3)]));
    }
    }
}

/* a tensor exponent of a positive base, the exponent kept in [-3, 3] */
static FzEx *gen_tpow(int depth, Scope *sc, const Env *env, double *b)
{
    double ba, bb;
    FzEx *a = gen_expr(depth - 1, sc, env, &ba);
    FzEx *base = chance(50) ? un("exp", un("tanh", a)) : bin("+", un("sigmoid", a), leaf("0.5"));
    FzEx *e = gen_expr(depth - 1, sc, env, &bb);
    if (bb > 3) e = bin("*", leaf("3"), un("tanh", e)), bb = 3;
    *b = pow(3, bb);
    return bin("^", base, e);
}

/* a - nograd(a) + nograd(a): a's value and a's gradient, through nograd */
static FzEx *gen_nograd(int depth, Scope *sc, const Env *env, double *b)
{
    FzEx *a = gen_expr(depth - 1, sc, env, b);
    return bin("+", bin("-", a, un("nograd", a)), un("nograd", a));
}

/* an element builtin of ops.def on a random argument: abs, sigmoid, erf,
 * sin, cos, and sqrt of a positive one, sqrt(abs(a) + eps) */
static FzEx *gen_builtin(int depth, Scope *sc, const Env *env, double *b)
{
    static const char *fn[] = {"abs", "sigmoid", "erf", "sin", "cos"};
    static const char *eps[] = {"1e-3", "1e-2", "0.5", "1.0"};
    double ba;
    FzEx *a = gen_expr(depth - 1, sc, env, &ba);
    int k = rnd(6);
    if (k == 5) {
        const char *c = eps[rnd(4)];
        *b = sqrt(ba + atof(c));
        return un("sqrt", bin("+", un("abs", a), leaf(c)));
    }
    *b = k == 0 ? ba : 1;
    return un(fn[k], a);
}

static FzEx *gen_expr(int depth, Scope *sc, const Env *env, double *b)
{
    if (depth <= 0 || chance(20)) return gen_leaf(sc, env, b);
    double ba = 0, bb = 0;
    FzEx *a, *e;
    switch (rnd(25)) {
    case 0: case 1: case 2:
        a = gen_expr(depth - 1, sc, env, &ba);
        e = gen_expr(depth - 1, sc, env, &bb);
        *b = ba + bb;
        return bin(chance(50) ? "+" : "-", a, e);
    case 3: case 4:
        a = gen_expr(depth - 1, sc, env, &ba);
        e = gen_expr(depth - 1, sc, env, &bb);
        *b = ba * bb;
        return bin("*", a, e);
    case 5:   /* division by a positive, bounded-below denominator */
        a = gen_expr(depth - 1, sc, env, &ba);
        if (chance(50)) {
            e = positive(gen_expr(depth - 2, sc, env, &bb), bb, &bb);
            *b = ba / 1e-3;
        } else {
            e = bin("+", leaf("2"), un("tanh", gen_expr(depth - 2, sc, env, &bb)));
            *b = ba;
        }
        return bin("/", a, e);
    case 6:
        a = gen_expr(depth - 1, sc, env, b);
        return un("-", a);
    case 7: {  /* exp of a bounded argument */
        a = gen_expr(depth - 1, sc, env, &ba);
        if (ba > 20) {
            static const char *k[] = {"1", "5", "20"};
            const char *kk = k[rnd(3)];
            *b = exp(atof(kk));
            return un("exp", bin("*", leaf(kk), un("tanh", a)));
        }
        *b = exp(ba);
        return un("exp", a);
    }
    case 8:   /* log of a positive argument, possibly near 0 */
        a = positive(gen_expr(depth - 1, sc, env, &ba), ba, &ba);
        *b = fabs(log(1e-3)) + log(ba + 1);
        return un("log", a);
    case 9:
        a = gen_expr(depth - 1, sc, env, b);
        return un("relu", a);
    case 10:
        a = gen_expr(depth - 1, sc, env, &ba);
        *b = 1;
        return un("tanh", a);
    case 11: { /* powers: of positive bases, any constant exponent */
        static const char *k[] = {"-1.5", "-0.5", "-1", "-2", "0.5", "1.5", "0.25", "3", "-0.75"};
        const char *kk = k[rnd(9)];
        double kv = atof(kk);
        a = positive(gen_expr(depth - 1, sc, env, &ba), ba, &ba);
        *b = kv < 0 ? pow(1e-3, kv) : pow(ba, kv);
        return bin("^", a, leaf(kk));
    }
    case 12: { /* integer powers of any base */
        const char *kk = chance(50) ? "2" : "3";
        a = gen_expr(depth - 1, sc, env, &ba);
        *b = pow(ba, atof(kk));
        return bin("^", a, leaf(kk));
    }
    case 13: case 14:
        return gen_reduce(depth, sc, env, b);
    case 15:
        return gen_lse(sc, env, b);
    case 16: case 17:
        return gen_builtin(depth, sc, env, b);
    case 18: case 19: case 20:
        return gen_choice(depth, sc, env, b);
    case 21:
        return gen_tpow(depth, sc, env, b);
    case 22:
        return gen_nograd(depth, sc, env, b);
    default:
        return gen_leaf(sc, env, b);
    }
}

/* keep magnitudes tame: squash what may be large */
static FzEx *tame(FzEx *e, double *b)
{
    if (*b > 1e3 || !isfinite(*b)) {
        *b = 1;
        return un("tanh", bin("*", leaf("0.1"), e));
    }
    return e;
}

/* ---- statements ---- */
static FzSt *assign(const char *head, FzEx *e)
{
    FzSt *s = st_new(FS_ASSIGN, head);
    s->e = e;
    return s;
}

/* name[t < T, c < nk] = expr */
static FzSt *gen_index_stmt(Env *env, const char *name, int depth, Ten *out)
{
    Scope sc = {0};
    int kind = rnd(10);
    double b;
    if (kind < 6) {
        Ext c = cx(rnd(G.nconst));
        sc.v[0].name = "t", sc.v[0].ext = xT();
        sc.v[1].name = "c", sc.v[1].ext = c;
        sc.n = 2;
        FzEx *e = tame(gen_expr(depth, &sc, env, &b), &b);
        *out = ten2(name, xT(), c, b);
        return assign(fz_strf("%s[t < T, c < %s]", name, c.name), e);
    }
    if (kind < 8) {
        Ext c = cx(rnd(G.nconst));
        sc.v[0].name = "c", sc.v[0].ext = c;
        sc.n = 1;
        FzEx *e = tame(gen_expr(depth, &sc, env, &b), &b);
        *out = ten1(name, c, b);
        return assign(fz_strf("%s[c < %s]", name, c.name), e);
    }
    if (kind < 9) {  /* a scalar */
        FzEx *e = tame(gen_expr(depth, &sc, env, &b), &b);
        if (e->kind != FX_RED) e = tame(gen_reduce(depth, &sc, env, &b), &b);
        Ten t = {name, 0, {{0, 0, 0}}, b, 0};
        *out = t;
        return assign(name, e);
    }
    /* matrix: product of two parameter-like matrices, or anything */
    Ext a = cx(rnd(G.nconst)), c = cx(rnd(G.nconst));
    sc.v[0].name = "i", sc.v[0].ext = a;
    sc.v[1].name = "o", sc.v[1].ext = c;
    sc.n = 2;
    FzEx *e = tame(gen_expr(depth, &sc, env, &b), &b);
    *out = ten2(name, a, c, b);
    return assign(fz_strf("%s[i < %s, o < %s]", name, a.name, c.name), e);
}

static int pick_tc(const Env *env, int want_const)   /* a [T, n] real tensor, or [T, want_const] */
{
    int cand[MAXT], n = 0;
    for (int i = 0; i < env->n; i++) {
        const Ten *t = &env->t[i];
        if (!t->isint && t->rank == 2 && t->ax[0].kind == XK_T && t->ax[1].kind == XK_CONST &&
                (want_const < 0 || t->ax[1].val == want_const))
            cand[n++] = i;
    }
    return n ? cand[rnd(n)] : -1;
}
static int pick_mat(const Env *env, int rows, int cols)   /* a [rows, cols] real tensor (-1: any) */
{
    int cand[MAXT], n = 0;
    for (int i = 0; i < env->n; i++) {
        const Ten *t = &env->t[i];
        if (!t->isint && t->rank == 2 && t->ax[0].kind == XK_CONST && t->ax[1].kind == XK_CONST &&
                (rows < 0 || t->ax[0].val == rows) && (cols < 0 || t->ax[1].val == cols) && t->bound < 100)
            cand[n++] = i;
    }
    return n ? cand[rnd(n)] : -1;
}
static int pick_vec(const Env *env, int len)
{
    int cand[MAXT], n = 0;
    for (int i = 0; i < env->n; i++) {
        const Ten *t = &env->t[i];
        if (!t->isint && t->rank == 1 && t->ax[0].kind == XK_CONST && t->ax[0].val == len) cand[n++] = i;
    }
    return n ? cand[rnd(n)] : -1;
}

typedef struct Fn { const char *name; int kind; } Fn;   /* kind 0: (x[N], w[N]) -> [N]; 1: (x[I], w[O, I]) -> [O] */
static Fn fns[4];
static int nfns;

/* whole-tensor statement over a [T, n] tensor */
static FzSt *gen_call_stmt(Env *env, const char *name, Ten *out)
{
    int xi = pick_tc(env, -1);
    if (xi < 0) return NULL;
    Ten x = env->t[xi];
    int n = x.ax[1].val;
    Ext nx = x.ax[1];
    switch (rnd(7)) {
    case 0: case 1: {   /* linear by a matrix [m, n] */
        int wi = pick_mat(env, -1, n);
        if (wi < 0) return NULL;
        Ten w = env->t[wi];
        *out = ten2(name, xT(), w.ax[0], x.bound * w.bound * n);
        FzEx *e = ex_new(FX_CALL, "linear");
        e->a[0] = leaf(x.name), e->a[1] = leaf(w.name), e->n = 2;
        if (chance(30)) e = un("tanh", e), out->bound = 1;
        return assign(name, tame(e, &out->bound));
    }
    case 2: {
        FzEx *e = ex_new(FX_CALL, chance(50) ? "rmsnorm" : "softmax");
        e->a[0] = leaf(x.name), e->n = 1;
        *out = ten2(name, xT(), nx, e->text[0] == 'r' ? sqrt(n) : 1);
        if (chance(40)) {
            int yi = pick_tc(env, n);
            e = bin(chance(50) ? "+" : "*", e, leaf(env->t[yi].name));
            out->bound = out->bound * env->t[yi].bound + env->t[yi].bound;
        }
        return assign(name, e);
    }
    case 3: {   /* elementwise on whole tensors of one shape */
        int yi = pick_tc(env, n);
        const char *y = env->t[yi].name;
        FzEx *e;
        double b;
        switch (rnd(5)) {
        case 0: e = bin("+", un("relu", leaf(x.name)), bin("*", un("tanh", leaf(y)), leaf(x.name))); b = 2 * x.bound; break;
        case 1: e = bin("-", leaf(y), bin("^", bin("+", bin("*", leaf(x.name), leaf(x.name)), leaf("1e-2")), leaf("-0.5"))); b = env->t[yi].bound + 10; break;
        case 2: e = un("exp", un("tanh", bin("*", leaf(x.name), leaf(y)))); b = 3; break;
        case 3: {   /* builtins on whole tensors */
            static const char *fn[] = {"sigmoid", "erf", "sin", "cos"};
            e = bin("+", un(fn[rnd(4)], leaf(x.name)), bin("*", un("abs", leaf(y)), un("sqrt", bin("+", bin("*", leaf(x.name), leaf(x.name)), leaf("0.5")))));
            b = 1 + env->t[yi].bound * sqrt(x.bound * x.bound + 0.5);
            break;
        }
        default: e = bin("*", un("-", leaf(x.name)), leaf("0.5")); b = x.bound; break;
        }
        *out = ten2(name, xT(), nx, b);
        return assign(name, tame(e, &out->bound));
    }
    default: {
        if (!nfns) return NULL;
        const Fn *f = &fns[rnd(nfns)];
        FzEx *e = ex_new(FX_CALL, f->name);
        e->a[0] = leaf(x.name), e->n = 2;
        if (f->kind == 0) {
            int wi = chance(50) ? pick_vec(env, n) : pick_tc(env, n);
            if (wi < 0) return NULL;
            e->a[1] = leaf(env->t[wi].name);
            *out = ten2(name, xT(), nx, 1e3);
        } else {
            int wi = pick_mat(env, -1, n);
            if (wi < 0) return NULL;
            e->a[1] = leaf(env->t[wi].name);
            *out = ten2(name, xT(), env->t[wi].ax[0], 1e3);
        }
        return assign(name, tame(e, &out->bound));
    }
    }
}

/* prelude functions and broadcasting over a [T, n] tensor: linear(x, W) + b,
 * a scalar against [T, n], layernorm, gelu, gelu_tanh, and the per-row mse,
 * binary_cross_entropy and logsumexp, which give [T] */
static FzSt *gen_prelude_stmt(Env *env, const char *name, Ten *out)
{
    int xi = pick_tc(env, -1);
    if (xi < 0) return NULL;
    Ten x = env->t[xi];
    int n = x.ax[1].val, yi = pick_tc(env, n);
    Ten y = env->t[yi];
    FzEx *e;
    switch (rnd(8)) {
    case 0: {
        int wi = pick_mat(env, -1, n), bi = wi < 0 ? -1 : pick_vec(env, env->t[wi].ax[0].val);
        if (bi < 0) return NULL;
        Ten w = env->t[wi];
        e = bin("+", call("linear", 2, leaf(x.name), leaf(w.name), NULL), leaf(env->t[bi].name));
        *out = ten2(name, xT(), w.ax[0], x.bound * w.bound * n + env->t[bi].bound);
        break;
    }
    case 1: {
        int si = -1;
        for (int i = 0; i < env->n; i++)
            if (env->t[i].rank == 0 && !env->t[i].isint) si = i;
        const char *sn = si < 0 ? "0.5" : env->t[si].name;
        double sb = si < 0 ? 0.5 : env->t[si].bound;
        e = bin(chance(50) ? "*" : "-", leaf(x.name), leaf(sn));
        if (chance(50)) e = bin("+", e, leaf("1.5"));
        *out = ten2(name, xT(), x.ax[1], x.bound * sb + x.bound + sb + 1.5);
        break;
    }
    case 2: {
        int gi = pick_vec(env, n), bi = pick_vec(env, n);
        if (gi < 0) return NULL;
        e = call("layernorm", 3, leaf(x.name), leaf(env->t[gi].name), leaf(env->t[bi].name));
        *out = ten2(name, xT(), x.ax[1], sqrt(n) * env->t[gi].bound + env->t[bi].bound);
        break;
    }
    case 3: case 4:
        e = call(chance(50) ? "gelu" : "gelu_tanh", 1, leaf(x.name), NULL, NULL);
        *out = ten2(name, xT(), x.ax[1], x.bound);
        break;
    case 5:
        e = call("mse", 2, leaf(x.name), leaf(y.name), NULL);
        *out = ten1(name, xT(), (x.bound + y.bound) * (x.bound + y.bound));
        break;
    case 6:   /* probabilities kept away from 0 and 1 */
        e = call("binary_cross_entropy", 2, un("sigmoid", un("tanh", leaf(x.name))), un("sigmoid", leaf(y.name)), NULL);
        *out = ten1(name, xT(), 2);
        break;
    default:
        e = call("logsumexp", 1, leaf(x.name), NULL, NULL);
        *out = ten1(name, xT(), x.bound + log(n) + 1);
        break;
    }
    return assign(name, tame(e, &out->bound));
}

/* the previous step of a recurrent tensor, with the same fallback at every read */
static FzEx *prev(const char *h, const char *j, const char *h0)
{
    return leaf(h0 ? fz_strf("(%s[t - 1, %s] else %s[%s])", h, j, h0, j) : fz_strf("(%s[t - 1, %s] else 0.0)", h, j));
}
static const char *initial_state(const Env *env, int n)   /* a parameter [n], or NULL: 0.0 */
{
    int vi = pick_vec(env, n);
    return vi >= 0 && env->t[vi].name[0] == 'p' && chance(60) ? env->t[vi].name : NULL;
}

/* h[t < T, j < n] = tanh(a + b * (h[t - 1, j] else ..) + sum(k) (h[t - 1, k] else ..) * c) */
static void gen_recurrence(FzSt *root, Env *env)
{
    Ext nx = cx(rnd(G.nconst));
    const char *h = fresh("h"), *k = fresh("k"), *h0 = initial_state(env, nx.val);
    Scope sc = {{{"t", xT()}, {"j", nx}}, 2};
    double b;
    FzEx *a = tame(gen_expr(2, &sc, env, &b), &b);
    FzEx *g = tame(gen_expr(2, &sc, env, &b), &b);
    sc.v[2].name = k, sc.v[2].ext = nx, sc.n = 3;
    FzEx *c = tame(gen_expr(2, &sc, env, &b), &b);
    FzEx *s = red(fz_strf("sum(%s < %s)", k, nx.name), bin("*", prev(h, k, h0), c));
    add_kid(root, assign(fz_strf("%s[t < T, j < %s]", h, nx.name),
            un("tanh", bin("+", bin("+", a, bin("*", g, prev(h, "j", h0))), bin("*", leaf("0.5"), s)))));
    env_add(env, ten2(h, xT(), nx, 1));
}

/* recur t < T { z[t, j < n] = sigmoid(..h[t - 1, j]..); h[t, j < n] = mix of h[t - 1, j] and .. by z[t, j] } */
static void gen_recur_block(FzSt *root, Env *env)
{
    Ext nx = cx(rnd(G.nconst));
    const char *z = fresh("z"), *h = fresh("h"), *h0 = initial_state(env, nx.val);
    Scope sc = {{{"t", xT()}, {"j", nx}}, 2};
    double b;
    FzSt *blk = st_new(FS_BLOCK, "recur t < T");
    FzEx *a = tame(gen_expr(2, &sc, env, &b), &b);
    FzEx *g = tame(gen_expr(2, &sc, env, &b), &b);
    add_kid(blk, assign(fz_strf("%s[t, j < %s]", z, nx.name), un("sigmoid", bin("+", a, bin("*", g, prev(h, "j", h0))))));
    FzEx *c = tame(gen_expr(2, &sc, env, &b), &b);
    FzEx *zt = leaf(fz_strf("%s[t, j]", z));
    FzEx *mix = bin("+", bin("*", bin("-", leaf("1"), zt), prev(h, "j", h0)),
            bin("*", zt, un("tanh", bin("+", c, chance(50) ? prev(z, "j", NULL) : leaf("0.25")))));
    add_kid(blk, assign(fz_strf("%s[t, j < %s]", h, nx.name), mix));
    add_kid(root, blk);
    env_add(env, ten2(z, xT(), nx, 1));
    env_add(env, ten2(h, xT(), nx, 3));
}

/* causal attention with H heads over a [T, H*d] tensor */
static void gen_attention(FzSt *blk, Env *env)
{
    int xi = -1;
    for (int tries = 0; tries < 8 && xi < 0; tries++) {
        int i = pick_tc(env, -1);
        if (i >= 0 && env->t[i].ax[1].val >= 2 && env->t[i].bound < 100) xi = i;
    }
    if (xi < 0) return;
    Ten x = env->t[xi];
    int C = x.ax[1].val, H = C % 2 == 0 && chance(60) ? 2 : 1, d = C / H;
    const char *att = fresh("att"), *w = fresh("w"), *o = fresh("o");
    int yi = pick_tc(env, C);
    add_kid(blk, assign(fz_strf("%s[h < %d, t < T, s <= t]", att, H),
            bin("/", red(fz_strf("sum(j < %d)", d), bin("*", leaf(fz_strf("%s[t, h * %d + j]", x.name, d)),
                    leaf(fz_strf("%s[s, h * %d + j]", env->t[yi].name, d)))), bin("^", leaf(fz_strf("%d", d)), leaf("0.5")))));
    FzEx *sm = ex_new(FX_CALL, "softmax");
    sm->a[0] = leaf(att), sm->n = 1;
    add_kid(blk, assign(w, sm));
    int vi = pick_tc(env, C);
    add_kid(blk, assign(fz_strf("%s[t < T, c < %s]", o, x.ax[1].name),
            red("sum(s <= t)", bin("*", leaf(fz_strf("%s[c // %d, t, s]", w, d)), leaf(fz_strf("%s[s, c]", env->t[vi].name))))));
    env_add(env, ten2(o, xT(), x.ax[1], env->t[vi].bound));
}

static void gen_fn(FzSt *prog, int k)
{
    Fn *f = &fns[nfns++];
    f->name = fz_strf("f%d", k);
    f->kind = rnd(2);
    Env *fe = calloc(1, sizeof *fe);
    Scope sc = {0};
    double b;
    G.in_fn = 1;
    FzSt *blk;
    if (f->kind == 0) {
        Ext N = {XK_SYM, 0, "N"};
        blk = st_new(FS_BLOCK, fz_strf("fn %s(x[N], w[N]) -> y[N]", f->name));
        env_add(fe, ten1("x", N, 3));
        env_add(fe, ten1("w", N, 3));
        sc.v[0].name = "i", sc.v[0].ext = N, sc.n = 1;
        if (chance(50)) {
            Ten u = {"u", 0, {{0, 0, 0}}, 0, 0};
            FzEx *e = tame(red("mean(k)", bin("*", leaf("x[k]"), leaf("w[k]"))), &b);
            u.bound = 9;
            add_kid(blk, assign("u", e));
            env_add(fe, u);
        }
        if (chance(50)) {
            FzEx *e = tame(gen_expr(2, &sc, fe, &b), &b);
            add_kid(blk, assign("h[i]", bin("*", leaf("x[i]"), e)));
            env_add(fe, ten1("h", N, b));
        }
        FzEx *e = tame(gen_expr(3, &sc, fe, &b), &b);
        add_kid(blk, assign("y[i]", chance(50) ? bin("+", leaf("x[i]"), e) : bin("*", un("tanh", leaf("x[i]")), e)));
    } else {
        Ext I = {XK_SYM, 0, "I"}, O = {XK_SYM, 0, "O"};
        blk = st_new(FS_BLOCK, fz_strf("fn %s(x[I], w[O, I]) -> y[O]", f->name));
        env_add(fe, ten1("x", I, 3));
        add_kid(blk, assign("z[o]", red("sum(i)", bin("*", leaf("w[o, i]"), leaf("x[i]")))));
        env_add(fe, ten1("z", O, 10));
        sc.v[0].name = "o", sc.v[0].ext = O, sc.n = 1;
        FzEx *e = tame(gen_expr(3, &sc, fe, &b), &b);
        add_kid(blk, assign("y[o]", chance(50) ? bin("+", leaf("z[o]"), e) : bin("*", un("tanh", leaf("z[o]")), e)));
    }
    G.in_fn = 0;
    add_kid(prog, blk);
}

Prog *fz_generate(unsigned long long seed)
{
    rs = seed * 0x2545F4914F6CDD1DULL + 12345;
    memset(&G, 0, sizeof G);
    nfns = 0;
    Prog *p = calloc(1, sizeof *p);
    FzSt *root = st_new(FS_ROOT, "");
    p->root = root;
    Env *env = calloc(1, sizeof *env);
    G.top = env;
    G.vocab = 2 + rnd(6);
    G.block = 1 + rnd(5);
    G.nconst = 2 + rnd(3);
    G.L = 1 + rnd(2);
    add_kid(root, st_new(FS_RAW, fz_strf("# mgfuzz program, seed %llu", seed)));
    FzSt *c = st_new(FS_CONST, "vocab");
    c->ival = G.vocab, c->min = 2;
    add_kid(root, c);
    c = st_new(FS_CONST, "block_size");
    c->ival = G.block, c->min = 1;
    add_kid(root, c);
    for (int i = 0; i < G.nconst; i++) {
        int v = 1 + rnd(5);
        G.c[i].kind = XK_CONST, G.c[i].val = v, G.c[i].name = fz_strf("n%d", i);
        c = st_new(FS_CONST, G.c[i].name);
        c->ival = v, c->min = 1;
        add_kid(root, c);
    }
    c = st_new(FS_CONST, "L");
    c->ival = G.L, c->min = 1;
    add_kid(root, c);
    G.vocabx.kind = XK_CONST, G.vocabx.val = G.vocab, G.vocabx.name = "vocab";
    G.blockx.kind = XK_CONST, G.blockx.val = G.block, G.blockx.name = "block_size";
    add_kid(root, st_new(FS_RAW, "dim T <= block_size"));
    add_kid(root, st_new(FS_RAW, "input tokens[T + 1] < vocab"));

    /* parameters */
    int E = rnd(G.nconst);
    static const char *stds[] = {"0.1", "0.3", "0.5", "1"};
    add_kid(root, st_new(FS_RAW, fz_strf("param wte[vocab, %s] ~ gauss(0, %s)", G.c[E].name, stds[rnd(4)])));
    int haswpe = chance(50);
    if (haswpe) add_kid(root, st_new(FS_RAW, fz_strf("param wpe[block_size, %s] ~ gauss(0, %s)", G.c[E].name, stds[rnd(4)])));
    int np = 2 + rnd(4);
    for (int i = 0; i < np; i++) {
        const char *nm = fz_strf("p%d", i);
        int r = rnd(10);
        if (r < 6) {
            Ext a = cx(rnd(G.nconst)), b = cx(rnd(G.nconst));
            add_kid(root, st_new(FS_RAW, fz_strf("param %s[%s, %s] ~ gauss(0, %s)", nm, a.name, b.name, stds[rnd(4)])));
            env_add(env, ten2(nm, a, b, 3));
        } else {
            Ext a = cx(rnd(G.nconst));
            static const char *inits[] = {"gauss(0.5, 0.2)", "ones", "zeros", "constant(0.3)", "gauss(0, 1)"};
            add_kid(root, st_new(FS_RAW, fz_strf("param %s[%s] ~ %s", nm, a.name, inits[rnd(5)])));
            env_add(env, ten1(nm, a, 3));
        }
    }
    int haslayers = chance(60);
    if (haslayers) {
        FzSt *blk = st_new(FS_BLOCK, "for l < L");
        add_kid(blk, st_new(FS_RAW, fz_strf("param layer[l].w[%s, %s] ~ gauss(0, 0.3)", G.c[E].name, G.c[E].name)));
        add_kid(blk, st_new(FS_RAW, fz_strf("param layer[l].b[%s] ~ gauss(0, 0.3)", G.c[E].name)));
        add_kid(root, blk);
    }
    int H = rnd(G.nconst);
    add_kid(root, st_new(FS_RAW, fz_strf("param head[vocab, %s] ~ gauss(0, 0.5)", G.c[H].name)));
    add_kid(root, st_new(FS_RAW, chance(50) ? "optimizer sgd(lr = 0.1, steps = 10)"
            : "optimizer adam(lr = 0.01, beta1 = 0.85, beta2 = 0.99, eps = 1e-8, steps = 10)"));

    int nf = rnd(3);
    for (int i = 0; i < nf; i++) gen_fn(root, i);

    /* the forward pass */
    if (chance(40)) {
        add_kid(root, assign("tk[t < T]", leaf(chance(50) ? "tokens[t]" : "(tokens[t] * 2 + 1) % vocab")));
        Ten t = {"tk", 1, {xT()}, 0, 1};
        env_add(env, t);
    }
    add_kid(root, assign(fz_strf("x[t < T, c < %s]", G.c[E].name),
            haswpe ? bin("+", leaf("wte[tokens[t], c]"), leaf("wpe[t, c]")) : leaf("wte[tokens[t], c]")));
    env_add(env, ten2("x", xT(), G.c[E], 3));
    int ns = 2 + rnd(6);
    for (int i = 0; i < ns; i++) {
        int r = rnd(25);
        Ten out;
        if (r < 9) {
            const char *nm = fresh("v");
            add_kid(root, gen_index_stmt(env, nm, 2 + rnd(3), &out));
            env_add(env, out);
        } else if (r < 14) {
            const char *nm = chance(20) ? "x" : fresh("v");
            FzSt *s = gen_call_stmt(env, nm, &out);
            if (s) add_kid(root, s), env_add(env, out);
        } else if (r < 16) {
            gen_attention(root, env);
        } else if (r < 19 && haslayers) {
            Ext e = G.c[E];
            int xi = pick_tc(env, e.val);
            if (xi < 0) continue;
            FzSt *blk = st_new(FS_BLOCK, "for l < L");
            G.loopvar = "l";
            const char *xn = env->t[xi].name;
            if (chance(50)) {
                add_kid(blk, assign(fz_strf("%s", xn), bin("+", ex_new(FX_LEAF, fz_strf("linear(rmsnorm(%s), layer[l].w)", xn)), leaf(xn))));
            } else {
                Scope sc = {{{"t", xT()}, {"c", e}}, 2};
                double b;
                Env sub = *env;
                env_add(&sub, ten1("layer[l].b", e, 3));
                env_add(&sub, ten2("layer[l].w", e, e, 3));
                FzEx *ex = tame(gen_expr(3, &sc, &sub, &b), &b);
                add_kid(blk, assign(fz_strf("%s[t < T, c < %s]", xn, e.name), bin("+", un("tanh", ex), leaf(fz_strf("%s[t, c]", xn)))));
            }
            env->t[xi].bound += G.L * 10;
            G.loopvar = NULL;
            add_kid(root, blk);
        } else if (r == 19) {
            gen_recurrence(root, env);
        } else if (r == 20) {
            gen_recur_block(root, env);
        } else if (r < 24) {
            FzSt *s = gen_prelude_stmt(env, fresh("v"), &out);
            if (s) add_kid(root, s), env_add(env, out);
        }
    }
    /* logits[T, vocab] */
    int li = pick_tc(env, G.c[H].val);
    if (li >= 0 && chance(70)) {
        const char *xn = env->t[li].name;
        add_kid(root, assign("logits", ex_new(FX_LEAF, fz_strf(chance(50) ? "linear(%s, head)" : "linear(rmsnorm(%s), head)", xn))));
    } else {
        Scope sc = {{{"t", xT()}, {"v", G.vocabx}}, 2};
        double b;
        FzEx *e = gen_expr(3, &sc, env, &b);
        if (b > 1e3) e = bin("*", leaf("10"), un("tanh", bin("*", leaf("0.01"), e)));
        add_kid(root, assign("logits[t < T, v < vocab]", e));
    }
    add_kid(root, assign("targets[t < T]", leaf("tokens[t + 1]")));
    FzEx *loss = leaf("cross_entropy(logits, targets)");
    for (int i = 0; i < env->n; i++)
        if (env->t[i].rank == 0 && chance(70)) {
            const char *s = env->t[i].name;
            if (chance(50)) loss = bin("+", loss, bin("*", leaf("0.01"), un("tanh", leaf(s))));
            else loss = bin("+", loss, bin("*", leaf("1e-3"), bin("^", bin("+", bin("*", leaf(s), leaf(s)), leaf("1e-3")), leaf("-0.5"))));
        }
    for (int i = 0; i < env->n; i++)
        if (env->t[i].rank == 1 && env->t[i].ax[0].kind == XK_T && !env->t[i].isint && chance(70))
            loss = bin("+", loss, bin("*", leaf("0.01"), un("tanh", red("mean(r < T)", leaf(fz_strf("%s[r]", env->t[i].name))))));
    add_kid(root, assign("loss", loss));
    return p;
}
