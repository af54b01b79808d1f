/* ir.c: constructors, algebra, evaluation, printing and the verifier for the
 * tensor graph of ir.h.  Everything is arena-allocated and immutable once
 * built, so subtrees may be shared between expressions. */
#include <limits.h>
#include <stdint.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "ir.h"
#include "ops.h"

/* ---- affine forms: c + tc*T + sum coef*key, key = 2*var (IX_VAR) or 2*axis+1 ---- */
#define AFF_MAX 16
typedef struct Aff {
    long c, tc;
    int n;
    int key[AFF_MAX];
    long coef[AFF_MAX];
} Aff;

/* Checked long arithmetic: 1 on overflow (then *r is not to be used). */
static int ck_add(long a, long b, long *r) { return __builtin_add_overflow(a, b, r); }
static int ck_sub(long a, long b, long *r) { return __builtin_sub_overflow(a, b, r); }
static int ck_mul(long a, long b, long *r) { return __builtin_mul_overflow(a, b, r); }

/* 0, or -1 when the sum overflows or there is no room for another term */
static int aff_addterm(Aff *a, int key, long coef)
{
    for (int i = 0; i < a->n; i++)
        if (a->key[i] == key)
            return ck_add(a->coef[i], coef, &a->coef[i]) ? -1 : 0;
    if (a->n == AFF_MAX)
        return -1;
    a->key[a->n] = key;
    a->coef[a->n++] = coef;
    return 0;
}

/* out = out + s * b (s is 1 or -1, or any constant for a product); 0 or -1 on overflow */
static int aff_addscaled(Aff *out, const Aff *b, long s)
{
    long c, tc;
    if (ck_mul(s, b->c, &c) || ck_add(out->c, c, &out->c) || ck_mul(s, b->tc, &tc) || ck_add(out->tc, tc, &out->tc))
        return -1;
    for (int i = 0; i < b->n; i++) {
        long k;
        if (ck_mul(s, b->coef[i], &k) || aff_addterm(out, b->key[i], k))
            return -1;
    }
    return 0;
}

/* 1 if x is affine (then *out holds it), 0 if it is not, -1 if it is but a
 * coefficient overflows a long. */
static int aff_of(const Ix *x, Aff *out)
{
    Aff a, b;
    memset(out, 0, sizeof *out);
    switch (x->kind) {
    case IX_CONST: out->c = x->val; return 1;
    case IX_T: out->tc = 1; return 1;
    case IX_VAR: aff_addterm(out, 2 * x->var, 1); return 1;
    case IX_AXIS: aff_addterm(out, 2 * x->var + 1, 1); return 1;
    case IX_ADD:
    case IX_SUB: {
        int ra = aff_of(x->a, &a), rb = aff_of(x->b, &b);
        if (ra != 1 || rb != 1)
            return ra == 0 || rb == 0 ? 0 : -1;
        *out = a;
        return aff_addscaled(out, &b, x->kind == IX_ADD ? 1 : -1) ? -1 : 1;
    }
    case IX_MUL: {
        int ra = aff_of(x->a, &a), rb = aff_of(x->b, &b);
        if (ra != 1 || rb != 1)
            return ra == 0 || rb == 0 ? 0 : -1;
        if (b.n == 0 && b.tc == 0) {
            Aff t = a; a = b; b = t;
        }
        if (a.n != 0 || a.tc != 0)
            return 0;            /* neither side is constant */
        return aff_addscaled(out, &b, a.c) ? -1 : 1;
    }
    default: return 0;
    }
}

static int aff_equal(const Aff *a, const Aff *b)
{
    if (a->c != b->c || a->tc != b->tc)
        return 0;
    for (int i = 0; i < a->n; i++) {
        long cb = 0;
        for (int j = 0; j < b->n; j++)
            if (b->key[j] == a->key[i])
                cb = b->coef[j];
        if (cb != a->coef[i])
            return 0;
    }
    for (int j = 0; j < b->n; j++) {
        long ca = 0;
        for (int i = 0; i < a->n; i++)
            if (a->key[i] == b->key[j])
                ca = a->coef[i];
        if (ca != b->coef[j])
            return 0;
    }
    return 1;
}

/* ---- constructors ---- */
static Ix *ix_new(IxKind k)
{
    Ix *x = arena_alloc(sizeof *x);
    x->kind = k;
    return x;
}

Ix *ix_const(long v) { Ix *x = ix_new(IX_CONST); x->val = v; return x; }
Ix *ix_T(void) { return ix_new(IX_T); }
Ix *ix_var(int var) { Ix *x = ix_new(IX_VAR); x->var = var; return x; }
Ix *ix_axis(int axis) { Ix *x = ix_new(IX_AXIS); x->var = axis; return x; }

static long floordiv(long a, long b)
{
    long q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0)))
        q--;
    return q;
}

static long floormod(long a, long b)
{
    long m = a % b;
    if (m != 0 && ((m < 0) != (b < 0)))
        m += b;
    return m;
}

const char *ix_cmp_text(IxKind k)
{
#define CMP_TEXT_(K, s) if (k == IX_##K) return s;
    MG_CMPS(CMP_TEXT_)
#undef CMP_TEXT_
    return NULL;
}

const char *ex_cmp_text(ExKind k)
{
#define CMP_TEXT_(K, s) if (k == EX_##K) return s;
    MG_CMPS(CMP_TEXT_)
#undef CMP_TEXT_
    return NULL;
}

/* a k b for a comparison k: 1 or 0 */
static long cmp_fold(IxKind k, long a, long b)
{
    switch (k) {
    case IX_LT: return a < b;
    case IX_LE: return a <= b;
    case IX_GT: return a > b;
    case IX_GE: return a >= b;
    case IX_EQ: return a == b;
    case IX_NE: return a != b;
    default: MGC_INTERNAL("cmp_fold of a non-comparison");
    }
}

/* a k b for constants: 1 and *r, or 0 when it overflows or is not folded */
static int fold(IxKind k, long a, long b, long *r)
{
    switch (k) {
    IX_CMPS *r = cmp_fold(k, a, b); return 1;
    case IX_MIN: *r = a < b ? a : b; return 1;
    case IX_MAX: *r = a > b ? a : b; return 1;
    case IX_ADD: return !ck_add(a, b, r);
    case IX_SUB: return !ck_sub(a, b, r);
    case IX_MUL: return !ck_mul(a, b, r);
    case IX_FLOORDIV: if (b <= 0) return 0; *r = floordiv(a, b); return 1;
    case IX_MOD: if (b <= 0) return 0; *r = floormod(a, b); return 1;
    default: return 0;
    }
}

Ix *ix_bin(IxKind k, Ix *a, Ix *b)
{
    int overflow = 0;
    return ix_bin_checked(k, a, b, &overflow);
}

Ix *ix_bin_checked(IxKind k, Ix *a, Ix *b, int *overflow)
{
    long va = 0, vb = 0, r;
    int ca = ix_is_const(a, &va), cb = ix_is_const(b, &vb);
    if (ca && cb) {
        if (fold(k, va, vb, &r))
            return ix_const(r);
        if (k == IX_ADD || k == IX_SUB || k == IX_MUL)
            *overflow = 1;
    }
    if (k == IX_SELECT)
        return ix_select(a, b->a, b->b);    /* rebuilt by a substitution */
    if ((k == IX_ADD || k == IX_SUB) && cb && vb == 0)
        return a;
    if (k == IX_ADD && ca && va == 0)
        return b;
    if (k == IX_MUL && cb && vb == 1)
        return a;
    if (k == IX_MUL && ca && va == 1)
        return b;
    if (k == IX_MUL && ((ca && va == 0) || (cb && vb == 0)))
        return ix_const(0);
    if (k == IX_FLOORDIV && cb && vb == 1)
        return a;
    /* keep constants on the right of + so "t + 1" prints naturally */
    if (k == IX_ADD && ca && !cb) {
        Ix *t = a; a = b; b = t;
    }
    /* (x + c1) + c2 -> x + (c1 + c2), when that sum and its negation fit */
    long vi, total;
    if ((k == IX_ADD || k == IX_SUB) && cb && (a->kind == IX_ADD || a->kind == IX_SUB) &&
        ix_is_const(a->b, &vi) && vi != LONG_MIN && vb != LONG_MIN &&
        !ck_add(a->kind == IX_ADD ? vi : -vi, k == IX_ADD ? vb : -vb, &total) && total != LONG_MIN)
        return ix_bin_checked(total >= 0 ? IX_ADD : IX_SUB, a->a, ix_const(total >= 0 ? total : -total), overflow);
    Ix *x = ix_new(k);
    x->a = a;
    x->b = b;
    return x;
}

Ix *ix_select(Ix *c, Ix *x, Ix *y)
{
    long v;
    if (ix_is_const(c, &v))
        return v ? x : y;
    Ix *arms = ix_new(IX_ARMS);
    arms->a = x;
    arms->b = y;
    Ix *s = ix_new(IX_SELECT);
    s->a = c;
    s->b = arms;
    return s;
}

Ix *ix_read(Tensor *t, Ix *i0)
{
    Ix *x = ix_new(IX_READ);
    x->t = t;
    x->idx[0] = i0;
    return x;
}

Ix *ix_pad(Ix **idx, int n, Ix **ext, unsigned pad, Ix *in, Ix *fallback)
{
    Ix *x = ix_new(IX_PAD);
    for (int k = 0; k < n && k < IR_MAX_RANK; k++)
        x->idx[k] = idx[k];
    x->var = n;
    x->ext = ext;
    x->val = pad;
    x->a = in;
    x->b = fallback;
    return x;
}

static Ex *ex_new(ExKind k)
{
    Ex *e = arena_alloc(sizeof *e);
    e->kind = k;
    return e;
}

Ex *ex_const(double c) { Ex *e = ex_new(EX_CONST); e->c = c; return e; }

Ex *ex_read(Tensor *t, int n, Ix **idx)
{
    Ex *e = ex_new(EX_READ);
    e->t = t;
    for (int i = 0; i < n && i < IR_MAX_RANK; i++)
        e->idx[i] = idx[i];
    return e;
}

Ex *ex_int(Ix *ix) { Ex *e = ex_new(EX_INT); e->ix = ix; return e; }

Ex *ex_bin(ExKind k, Ex *a, Ex *b)
{
    Ex *e = ex_new(k);
    e->a = a;
    e->b = b;
    return e;
}

Ex *ex_pad(Tensor *t, Ix **idx, unsigned pad, Ex *in, Ex *out)
{
    Ex *e = ex_read(t, t->rank, idx);
    e->kind = EX_PAD;
    e->pad = pad;
    e->a = in;
    e->b = out;
    return e;
}

Ex *ex_pow(Ex *a, double c)
{
    Ex *e = ex_new(EX_POW);
    e->a = a;
    e->c = c;
    return e;
}

Ex *ex_select(Ex *c, Ex *x, Ex *y) { return ex_bin(EX_SELECT, c, ex_bin(EX_ARMS, x, y)); }

Ex *ex_un(ExKind k, Ex *a)
{
    Ex *e = ex_new(k);
    e->a = a;
    return e;
}

Ex *ex_pick(Ix *at, Ex *chosen, Ex *value)
{
    Ex *e = ex_bin(EX_PICK, chosen, value);
    e->ix = at;
    return e;
}

const char *ir_red_name(RedKind r)
{
    switch (r) {
    case RED_NONE_: return NULL;
    case RED_SUM_: return "sum";
    case RED_MAX_: return "max";
    case RED_MIN_: return "min";
    case RED_ARGMAX_: return "argmax";
    case RED_ARGMIN_: return "argmin";
    }
    MGC_INTERNAL("unknown reduction kind");
}

Graph *ir_new_graph(const char *model, const char *source)
{
    Graph *g = arena_alloc(sizeof *g);
    g->model = model;
    g->source = source;
    return g;
}

static void *grow(void *p, int *cap, int need, size_t elem)
{
    if (need <= *cap)
        return p;
    int ncap = *cap ? *cap * 2 : 16;
    while (ncap < need)
        ncap *= 2;
    void *q = arena_alloc((size_t)ncap * elem);
    if (p)
        memcpy(q, p, (size_t)*cap * elem);
    *cap = ncap;
    return q;
}

/* Largest value of an extent, with T = Tmax and each axis j at maxext[j] - 1:
 * 0 and *out, or -1 when it overflows a long. */
static int ext_max(const Ix *x, long Tmax, const long *maxext, long *out)
{
    Aff a;
    int r = aff_of(x, &a);
    if (r == 0)
        MGC_INTERNAL("tensor extent is not affine");
    long v, t;
    if (r < 0 || ck_mul(a.tc, a.tc > 0 ? Tmax : 1, &t) || ck_add(a.c, t, &v))
        return -1;
    for (int i = 0; i < a.n; i++) {
        if (a.key[i] % 2 == 0)
            MGC_INTERNAL("tensor extent mentions a loop variable");
        long hi = maxext[a.key[i] / 2] - 1;
        if (a.coef[i] > 0 && (ck_mul(a.coef[i], hi, &t) || ck_add(v, t, &v)))
            return -1;
    }
    *out = v;
    return 0;
}

/* Words a tensor's C name must not take: C keywords, the math functions and
 * the names the emitter declares itself (with, from the op table, each element
 * op's C functions and helper: take_reserved). */
static const char *reserved[] = {
    "auto", "break", "case", "char", "const", "continue", "default", "do", "double", "else",
    "enum", "extern", "float", "for", "goto", "if", "inline", "int", "long", "register",
    "restrict", "return", "short", "signed", "sizeof", "static", "struct", "switch", "typedef",
    "union", "unsigned", "void", "volatile", "while", "pow", "fmax",
    "INFINITY", "T", "tokens", "params", "grads", "scratch", "ctx", "acc_", "val_", "main",
    "inputs", NULL};

/* The names taken so far, in a hash table (open addressing, FNV-1a): a
 * name once taken stays taken (a tensor's C name never changes).  Each entry
 * also remembers, for names used as a stem, the next suffix worth trying:
 * every stem_k below it is taken. */
typedef struct NameEntry {
    const char *key;
    int taken;
    int next;       /* as a stem: stem_k is taken for every 2 <= k < next */
} NameEntry;

struct IrNames {
    NameEntry **slot;
    size_t cap, n;  /* cap: a power of two, at least twice n */
};

size_t ir_str_hash(const char *s)
{
    size_t h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

/* the entry of key, made (not taken) if there is none */
static NameEntry *name_entry(struct IrNames *t, const char *key)
{
    if (2 * (t->n + 1) > t->cap) {
        size_t cap = t->cap ? 2 * t->cap : 256;
        NameEntry **slot = arena_alloc(cap * sizeof *slot);
        for (size_t i = 0; i < t->cap; i++)
            if (t->slot[i]) {
                size_t j = ir_str_hash(t->slot[i]->key) & (cap - 1);
                while (slot[j])
                    j = (j + 1) & (cap - 1);
                slot[j] = t->slot[i];
            }
        t->slot = slot;
        t->cap = cap;
    }
    size_t j = ir_str_hash(key) & (t->cap - 1);
    for (; t->slot[j]; j = (j + 1) & (t->cap - 1))
        if (!strcmp(t->slot[j]->key, key))
            return t->slot[j];
    NameEntry *e = arena_alloc(sizeof *e);
    e->key = arena_strdup(key);
    t->slot[j] = e;
    t->n++;
    return e;
}

int ir_name_taken(const Graph *g, const char *name)
{
    if (!g->names)
        return 0;
    struct IrNames *t = g->names;
    for (size_t j = ir_str_hash(name) & (t->cap - 1); t->slot[j]; j = (j + 1) & (t->cap - 1))
        if (!strcmp(t->slot[j]->key, name))
            return t->slot[j]->taken;
    return 0;
}

static void take_reserved(struct IrNames *t)
{
    for (int i = 0; reserved[i]; i++)
        name_entry(t, reserved[i])->taken = 1;
    for (int i = 0; i < op_count(); i++) {
        const OpInfo *o = op_at(i);
        name_entry(t, o->c)->taken = 1;
        name_entry(t, o->cf)->taken = 1;
        name_entry(t, arena_printf("%s_", o->name))->taken = 1;
    }
}

/* A C-friendly unique name: the display name with '.' turned into '_', a
 * prefix for adjoints, and the smallest numeric suffix (from 2) that is free
 * when the name itself is taken. */
static const char *unique_name(Graph *g, const char *prefix, const char *display)
{
    if (!g->names) {
        g->names = arena_alloc(sizeof *g->names);
        take_reserved(g->names);
    }
    char base[96];
    int n = 0;
    for (const char *p = display; *p && n < 80; p++)
        base[n++] = (*p == '.' || *p == '[' || *p == ']') ? '_' : *p;
    base[n] = 0;
    char stem[128], name[160];
    snprintf(stem, sizeof stem, "%s%s", prefix, base);
    NameEntry *e = name_entry(g->names, stem);
    if (!e->taken) {
        e->taken = 1;
        return e->key;
    }
    for (int k = e->next > 2 ? e->next : 2;; k++) {
        snprintf(name, sizeof name, "%s_%d", stem, k);
        NameEntry *c = name_entry(g->names, name);
        if (!c->taken) {
            c->taken = 1;
            e->next = k + 1;
            return c->key;
        }
    }
}

Tensor *ir_new_tensor(Graph *g, TensorKind kind, const char *display, int rank, Ix **ext, SrcLoc loc)
{
    Tensor *t = arena_alloc(sizeof *t);
    t->id = g->ntensors;
    t->kind = kind;
    t->display = display;
    t->rank = rank;
    t->loc = loc;
    t->size = 1;
    int too_big = 0;
    for (int k = 0; k < rank; k++) {
        t->ext[k] = ext[k];
        too_big |= ext_max(ext[k], g->Tmax, t->maxext, &t->maxext[k]) != 0;
        if (too_big || t->maxext[k] < 0)
            t->maxext[k] = 0;
        too_big |= ck_mul(t->size, t->maxext[k], &t->size) || t->size > IR_MAX_ELEMS;
    }
    if (too_big) {
        diag_error(loc, "'%s' would hold more than 2^40 elements, the largest tensor mgc compiles", display);
        t->size = 0;
    }
    /* the token input is the emitted functions' parameter 'tokens' (a reserved word);
     * names.c makes the other integer inputs as TK_DATA, then changes their kind */
    t->name = kind == TK_INPUT ? "tokens" : unique_name(g, kind == TK_GRAD ? "d_" : "", display);
    g->tensors = grow(g->tensors, &g->captensors, g->ntensors + 1, sizeof *g->tensors);
    g->tensors[g->ntensors++] = t;
    return t;
}

void ir_rename_tensor(Graph *g, Tensor *t, const char *display)
{
    name_entry(g->names, t->name)->taken = 0;
    t->display = display;
    t->name = unique_name(g, "", display);
}

IrInput *ir_add_input(Graph *g, const IrInput *in)
{
    g->inputs = grow(g->inputs, &g->capinputs, g->ninputs + 1, sizeof *g->inputs);
    g->inputs[g->ninputs] = *in;
    in->t->field = g->ninputs;
    return &g->inputs[g->ninputs++];
}

void ir_add_param(Graph *g, Tensor *t)
{
    g->params = grow(g->params, &g->capparams, g->nparams + 1, sizeof *g->params);
    g->params[g->nparams++] = t;
}

int ir_new_var(Graph *g, const char *hint)
{
    g->varname = grow(g->varname, &g->capvars, g->nvars + 1, sizeof *g->varname);
    g->varname[g->nvars] = hint ? hint : "i";
    return g->nvars++;
}

Stmt *ir_new_stmt(SrcLoc loc)
{
    Stmt *s = arena_alloc(sizeof *s);
    s->loc = loc;
    return s;
}

void ir_push(StmtList *l, Stmt *s)
{
    l->items = grow(l->items, &l->cap, l->n + 1, sizeof *l->items);
    l->items[l->n++] = s;
}

int ir_rec_run(const StmtList *l, int i)
{
    int j = i + 1;
    while (l->items[i]->rec && j < l->n && l->items[j]->rec == l->items[i]->rec)
        j++;
    return j - i;
}

/* ---- per-node memo: open addressing on the node's address ---- */
typedef struct MemoSlot {
    const Ex *key;
    unsigned long v;
} MemoSlot;

struct ExMemo {
    MemoSlot *slot;
    size_t cap, n;      /* cap: a power of two, at least twice n */
};

static size_t memo_hash(const Ex *e)
{
    return (size_t)(((uintptr_t)e >> 4) * 0x9E3779B97F4A7C15u);
}

ExMemo *ex_memo_new(void)
{
    ExMemo *m = arena_alloc(sizeof *m);
    m->cap = 256;
    m->slot = arena_alloc(m->cap * sizeof *m->slot);
    return m;
}

static MemoSlot *memo_find(const ExMemo *m, const Ex *e)
{
    size_t j = memo_hash(e) & (m->cap - 1);
    while (m->slot[j].key && m->slot[j].key != e)
        j = (j + 1) & (m->cap - 1);
    return &m->slot[j];
}

int ex_memo_get(const ExMemo *m, const Ex *e, unsigned long *v)
{
    const MemoSlot *s = memo_find(m, e);
    if (!s->key)
        return 0;
    *v = s->v;
    return 1;
}

void ex_memo_put(ExMemo *m, const Ex *e, unsigned long v)
{
    if (2 * (m->n + 1) > m->cap) {
        ExMemo old = *m;
        m->cap *= 2;
        m->slot = arena_alloc(m->cap * sizeof *m->slot);
        for (size_t i = 0; i < old.cap; i++)
            if (old.slot[i].key)
                *memo_find(m, old.slot[i].key) = old.slot[i];
    }
    MemoSlot *s = memo_find(m, e);
    if (!s->key)
        m->n++;
    *s = (MemoSlot){e, v};
}

/* ---- substitution and evaluation ---- */
static Ix *ix_map(Ix *x, int kind, int which, Ix *with, Ix **axes)
{
    switch (x->kind) {
    case IX_CONST:
    case IX_T: return x;
    case IX_VAR: return (kind == IX_VAR && x->var == which) ? with : x;
    case IX_AXIS:
        if (kind == IX_AXIS)
            return axes[x->var];
        return x;
    case IX_READ: {
        Ix *i0 = ix_map(x->idx[0], kind, which, with, axes);
        return i0 == x->idx[0] ? x : ix_read(x->t, i0);
    }
    case IX_PAD: {
        Ix *idx[IR_MAX_RANK];
        int same = 1;
        for (int k = 0; k < x->var; k++) {
            idx[k] = ix_map(x->idx[k], kind, which, with, axes);
            same &= idx[k] == x->idx[k];
        }
        Ix *a = ix_map(x->a, kind, which, with, axes);
        Ix *b = ix_map(x->b, kind, which, with, axes);
        return same && a == x->a && b == x->b ? x : ix_pad(idx, x->var, x->ext, (unsigned)x->val, a, b);
    }
    default: {
        Ix *a = ix_map(x->a, kind, which, with, axes);
        Ix *b = ix_map(x->b, kind, which, with, axes);
        return (a == x->a && b == x->b) ? x : ix_bin(x->kind, a, b);
    }
    }
}

Ix *ix_subst_axes(Ix *x, Ix **axes) { return ix_map(x, IX_AXIS, 0, NULL, axes); }
Ix *ix_subst_var(Ix *x, int var, Ix *with) { return ix_map(x, IX_VAR, var, with, NULL); }

int ix_is_const(const Ix *x, long *v)
{
    if (x->kind != IX_CONST)
        return 0;
    if (v)
        *v = x->val;
    return 1;
}

int ix_equal(const Ix *a, const Ix *b)
{
    Aff fa, fb;
    if (aff_of(a, &fa) == 1 && aff_of(b, &fb) == 1)
        return aff_equal(&fa, &fb);
    if (a->kind != b->kind)
        return 0;
    switch (a->kind) {
    case IX_READ: return a->t == b->t && ix_equal(a->idx[0], b->idx[0]);
    case IX_PAD:
        if (a->var != b->var || a->ext != b->ext || a->val != b->val)
            return 0;
        for (int k = 0; k < a->var; k++)
            if (!ix_equal(a->idx[k], b->idx[k]))
                return 0;
        return ix_equal(a->a, b->a) && ix_equal(a->b, b->b);
    IX_CMPS
    case IX_SELECT:
    case IX_ARMS:
    case IX_MIN:
    case IX_MAX:
    case IX_FLOORDIV:
    case IX_MOD:
    case IX_MUL:
    case IX_ADD:
    case IX_SUB: return ix_equal(a->a, b->a) && ix_equal(a->b, b->b);
    default: return 0;
    }
}

long ix_eval(const Ix *x, long T, const long *vals, const int *tokens)
{
    switch (x->kind) {
    case IX_CONST: return x->val;
    case IX_T: return T;
    case IX_VAR: return vals[x->var];
    case IX_AXIS: MGC_INTERNAL("ix_eval of an axis reference");
    case IX_ADD: return ix_eval(x->a, T, vals, tokens) + ix_eval(x->b, T, vals, tokens);
    case IX_SUB: return ix_eval(x->a, T, vals, tokens) - ix_eval(x->b, T, vals, tokens);
    case IX_MUL: return ix_eval(x->a, T, vals, tokens) * ix_eval(x->b, T, vals, tokens);
    case IX_FLOORDIV: return floordiv(ix_eval(x->a, T, vals, tokens), ix_eval(x->b, T, vals, tokens));
    case IX_MOD: return floormod(ix_eval(x->a, T, vals, tokens), ix_eval(x->b, T, vals, tokens));
    case IX_READ: return tokens[ix_eval(x->idx[0], T, vals, tokens)];
    case IX_PAD:
        return ix_eval(ir_inside(x->idx, x->var, x->ext, (unsigned)x->val, T, vals, tokens) ? x->a : x->b,
                       T, vals, tokens);
    IX_CMPS return cmp_fold(x->kind, ix_eval(x->a, T, vals, tokens), ix_eval(x->b, T, vals, tokens));
    case IX_SELECT: return ix_eval(ix_eval(x->a, T, vals, tokens) ? x->b->a : x->b->b, T, vals, tokens);
    case IX_ARMS: break;
    case IX_MIN:
    case IX_MAX: {
        long a = ix_eval(x->a, T, vals, tokens), b = ix_eval(x->b, T, vals, tokens);
        return (x->kind == IX_MIN) == (a < b) ? a : b;
    }
    }
    MGC_INTERNAL("bad integer expression");
}

Ix *ir_pad_extent(Ix *const *idx, Ix *const *ext, int k)
{
    Ix *axes[IR_MAX_RANK];
    for (int j = 0; j < IR_MAX_RANK; j++)
        axes[j] = idx[j] ? idx[j] : ix_axis(j);
    return ix_subst_axes(ext[k], axes);
}

int ir_inside(Ix *const *idx, int n, Ix *const *ext, unsigned pad, long T, const long *vals, const int *tokens)
{
    for (int k = 0; k < n; k++) {
        if (!(pad & (IR_PAD_LO(k) | IR_PAD_HI(k))))
            continue;
        long i = ix_eval(idx[k], T, vals, tokens);
        if ((pad & IR_PAD_LO(k)) && i < 0)
            return 0;
        if ((pad & IR_PAD_HI(k)) && i >= ix_eval(ir_pad_extent(idx, ext, k), T, vals, tokens))
            return 0;
    }
    return 1;
}

long ix_max_at(const Ix *extent, long T)
{
    Aff a;
    if (aff_of(extent, &a) != 1 || a.n != 0)
        MGC_INTERNAL("ix_max_at needs an extent in T only");
    long v;
    if (ck_mul(a.tc, T, &v) || ck_add(a.c, v, &v))
        return a.tc > 0 ? LONG_MAX : LONG_MIN;
    return v;
}

/* ---- printing ---- */
static int ix_prec(IxKind k)
{
    switch (k) {
    case IX_ADD:
    case IX_SUB: return 1;
    case IX_MUL:
    case IX_FLOORDIV:
    case IX_MOD: return 2;
    default: return 3;
    }
}

static void ix_print_p(FILE *f, const Ix *x, const Graph *g, int prec)
{
    int p = ix_prec(x->kind);
    if (p < prec)
        fputc('(', f);
    switch (x->kind) {
    case IX_CONST: fprintf(f, "%ld", x->val); break;
    case IX_T: fputc('T', f); break;
    case IX_VAR:
        if (g && x->var < g->nvars)
            fprintf(f, "%s", g->varname[x->var]);
        else
            fprintf(f, "v%d", x->var);
        break;
    case IX_AXIS: fprintf(f, "axis%d", x->var); break;
    case IX_READ:
        fprintf(f, "%s[", x->t->name);
        ix_print_p(f, x->idx[0], g, 0);
        fputc(']', f);
        break;
    case IX_PAD:
        fputc('(', f);
        ix_print_p(f, x->a, g, 0);
        fputs(" else ", f);
        ix_print_p(f, x->b, g, 3);
        fputc(')', f);
        break;
    case IX_SELECT:
        fputs("where(", f);
        ix_print_p(f, x->a, g, 0);
        fputs(", ", f);
        ix_print_p(f, x->b->a, g, 0);
        fputs(", ", f);
        ix_print_p(f, x->b->b, g, 0);
        fputc(')', f);
        break;
    case IX_ARMS: MGC_INTERNAL("arms of a select printed alone");
    case IX_MIN:
    case IX_MAX:
        fputs(x->kind == IX_MIN ? "min(" : "max(", f);
        ix_print_p(f, x->a, g, 0);
        fputs(", ", f);
        ix_print_p(f, x->b, g, 0);
        fputc(')', f);
        break;
    IX_CMPS    /* always in brackets: C's == binds looser than < */
        fputc('(', f);
        ix_print_p(f, x->a, g, 1);
        fprintf(f, " %s ", ix_cmp_text(x->kind));
        ix_print_p(f, x->b, g, 1);
        fputc(')', f);
        break;
    default: {
        const char *op = x->kind == IX_ADD ? " + " : x->kind == IX_SUB ? " - " :
                         x->kind == IX_MUL ? " * " : x->kind == IX_FLOORDIV ? " / " : " % ";
        ix_print_p(f, x->a, g, p);
        fputs(op, f);
        ix_print_p(f, x->b, g, p + 1);
    }
    }
    if (p < prec)
        fputc(')', f);
}

void ix_print(FILE *f, const Ix *x, const Graph *g) { ix_print_p(f, x, g, 0); }

void ir_print_num(FILE *f, double c)
{
    char buf[64];
    /* shortest spelling that reads back to the same double */
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(buf, sizeof buf, "%.*g", prec, c);
        if (strtod(buf, NULL) == c)
            break;
    }
    fputs(buf, f);
    if (!strpbrk(buf, ".eEni"))
        fputs(".0", f);
}

static void ex_print_p(FILE *f, const Ex *e, const Graph *g, int prec)
{
    switch (e->kind) {
    case EX_CONST:
        if (e->c < 0 && prec > 0) {
            fputc('(', f);
            ir_print_num(f, e->c);
            fputc(')', f);
        } else {
            ir_print_num(f, e->c);
        }
        break;
    case EX_READ:
        fprintf(f, "%s", e->t->name);
        if (e->t->rank) {
            fputc('[', f);
            for (int i = 0; i < e->t->rank; i++) {
                if (i)
                    fputs(", ", f);
                ix_print(f, e->idx[i], g);
            }
            fputc(']', f);
        }
        break;
    case EX_INT: fputs("(double)(", f); ix_print(f, e->ix, g); fputc(')', f); break;
    case EX_ADD:
    case EX_SUB:
        if (prec > 1) fputc('(', f);
        ex_print_p(f, e->a, g, 1);
        fputs(e->kind == EX_ADD ? " + " : " - ", f);
        ex_print_p(f, e->b, g, 2);
        if (prec > 1) fputc(')', f);
        break;
    case EX_MUL:
        if (prec > 2) fputc('(', f);
        ex_print_p(f, e->a, g, 2);
        fputs(" * ", f);
        ex_print_p(f, e->b, g, 3);
        if (prec > 2) fputc(')', f);
        break;
    case EX_POW:
        fputs("pow(", f);
        ex_print_p(f, e->a, g, 0);
        fputs(", ", f);
        ir_print_num(f, e->c);
        fputc(')', f);
        break;
    case EX_POWX:
    case EX_DPOWA:
    case EX_DPOWB:
    case EX_IFPOS:
        fputs(e->kind == EX_POWX ? "pow(" : e->kind == EX_DPOWA ? "dpow_a(" : e->kind == EX_DPOWB ? "dpow_b(" : "ifpos(",
              f);
        ex_print_p(f, e->a, g, 0);
        fputs(", ", f);
        ex_print_p(f, e->b, g, 0);
        fputc(')', f);
        break;
    case EX_PICK:
        fputs("pick(", f);
        ix_print(f, e->ix, g);
        fputs(" == ", f);
        ex_print_p(f, e->a, g, 0);
        fputs(", ", f);
        ex_print_p(f, e->b, g, 0);
        fputc(')', f);
        break;
    case EX_PAD:
        /* inside ? a : b; a forward read past the edge shows as the read and its fallback */
        fputc('(', f);
        if (e->a->kind == EX_READ) {
            ex_print_p(f, e->a, g, 0);
            fputs(" else ", f);
            ex_print_p(f, e->b, g, 3);
        } else {
            /* a backward one: no read, the same test */
            Ex r = *e;
            r.kind = EX_READ;
            fputs("inside(", f);
            ex_print_p(f, &r, g, 0);
            fputs(") ? ", f);
            ex_print_p(f, e->a, g, 1);
            fputs(" : ", f);
            ex_print_p(f, e->b, g, 1);
        }
        fputc(')', f);
        break;
    case EX_SELECT:
        fputs("where(", f);
        ex_print_p(f, e->a, g, 0);
        fputs(", ", f);
        ex_print_p(f, e->b->a, g, 0);
        fputs(", ", f);
        ex_print_p(f, e->b->b, g, 0);
        fputc(')', f);
        break;
    case EX_ARMS: MGC_INTERNAL("arms of a select printed alone");
    EX_CMPS
        fputc('(', f);
        ex_print_p(f, e->a, g, 1);
        fprintf(f, " %s ", ex_cmp_text(e->kind));
        ex_print_p(f, e->b, g, 1);
        fputc(')', f);
        break;
    case EX_NOGRAD:
    MG_OPS(OP_CASE) {
        const OpInfo *o = op_info(e->kind);
        fprintf(f, "%s(", o ? o->name : "nograd");
        ex_print_p(f, e->a, g, 0);
        fputc(')', f);
        break;
    }
    }
}

void ex_print(FILE *f, const Ex *e, const Graph *g) { ex_print_p(f, e, g, 0); }

static void dump_shape(FILE *f, const Tensor *t, const Graph *g)
{
    fputc('[', f);
    for (int k = 0; k < t->rank; k++) {
        if (k)
            fputs(", ", f);
        ix_print(f, t->ext[k], g);
    }
    fputc(']', f);
}

static void dump_stmt(FILE *f, const Stmt *s, const Graph *g)
{
    fprintf(f, "  %s", s->out->name);
    if (s->out->rank) {
        fputc('[', f);
        for (int i = 0; i < s->out->rank; i++) {
            if (i)
                fputs(", ", f);
            ix_print(f, s->oidx[i], g);
        }
        fputc(']', f);
    }
    fputs(s->accumulate ? " += " : " = ", f);
    if (s->red != RED_NONE_) {
        fputs(ir_red_name(s->red), f);
        fputc('(', f);
        for (int i = s->nloop - s->nred; i < s->nloop; i++) {
            if (i > s->nloop - s->nred)
                fputs(", ", f);
            fprintf(f, "%s < ", g->varname[s->loops[i].var]);
            ix_print(f, s->loops[i].hi, g);
        }
        fputs(") ", f);
    }
    ex_print(f, s->e, g);
    if (s->arg) {
        fputs(" at ", f);
        ix_print(f, s->arg, g);
    }
    fputs("    for ", f);
    for (int i = 0; i < s->nloop - s->nred; i++) {
        if (i)
            fputs(", ", f);
        fprintf(f, "%s < ", g->varname[s->loops[i].var]);
        ix_print(f, s->loops[i].hi, g);
    }
    if (s->nloop == s->nred)
        fputs("(scalar)", f);
    /* what the passes and the plan decided about it */
    const char *marks[] = {s->fused ? "fused" : NULL, s->acc_from_out ? "sum from out" : NULL,
                           s->zero_first ? "zero first" : NULL, s->assign_first ? "assign first" : NULL,
                           s->guard ? "inside only" : NULL};
    int nm = 0;
    for (int i = 0; i < 5; i++)
        if (marks[i])
            fprintf(f, "%s%s", nm++ ? ", " : "    [", marks[i]);
    if (s->rec)
        fprintf(f, "%srecurrence %d", nm++ ? ", " : "    [", s->rec);
    if (nm)
        fputc(']', f);
    if (s->loc.file)
        fprintf(f, "    # %s:%d", s->loc.file, s->loc.line);
    fputc('\n', f);
}

void ir_dump(FILE *f, const Graph *g, int with_bwd)
{
    static const char *kinds[] = {"param", "input", "act", "grad", "data"};
    fprintf(f, "graph %s (T <= %ld, vocab %d)\n", g->model, g->Tmax, g->vocab);
    for (int i = 0; i < g->ntensors; i++) {
        const Tensor *t = g->tensors[i];
        fprintf(f, "  %-5s %s ", kinds[t->kind], t->name);
        dump_shape(f, t, g);
        if (t->needs_grad)
            fputs(" grad", f);
        if (t->local)
            fputs(" local", f);
        fputc('\n', f);
    }
    fputs("forward:\n", f);
    for (int i = 0; i < g->fwd.n; i++)
        dump_stmt(f, g->fwd.items[i], g);
    if (with_bwd) {
        fputs("backward:\n", f);
        for (int i = 0; i < g->bwd.n; i++)
            dump_stmt(f, g->bwd.items[i], g);
    }
}

/* ---- dependencies ---- */
static void mark_reads(const Ex *e, char *need_t)
{
    if (e->kind == EX_READ)
        need_t[e->t->id] = 1;
    if (e->a)
        mark_reads(e->a, need_t);
    if (e->b)
        mark_reads(e->b, need_t);
}

/* A recurrence reads what its later statements write (at an earlier step),
 * so one walk back can miss a writer: walk again until nothing changes. */
static void depends_closure(const Graph *g, char *need_t, char *need_s)
{
    char *done = calloc((size_t)g->fwd.n + 1, 1);
    if (!done)
        MGC_INTERNAL("out of memory");
    for (int again = 1; again;) {
        again = 0;
        for (int i = g->fwd.n - 1; i >= 0; i--) {
            const Stmt *s = g->fwd.items[i];
            if (done[i] || !need_t[s->out->id])
                continue;
            done[i] = 1;
            if (need_s)
                need_s[i] = 1;
            mark_reads(s->e, need_t);
            again |= s->rec != 0;
        }
    }
    free(done);
}

void ir_depends(const Graph *g, const Tensor *target, char *need_t, char *need_s)
{
    if (!target)
        return;     /* a model of examples without logits */
    need_t[target->id] = 1;
    depends_closure(g, need_t, need_s);
}

/* The loss's statements and those the backward reads, which CSE can make
 * of a forward statement nothing else needs (a sigmoid's derivative reading
 * an unused s = sigmoid(x)). */
void ir_depends_grad(const Graph *g, char *need_t, char *need_s)
{
    need_t[g->loss->id] = 1;
    for (int i = 0; i < g->bwd.n; i++)
        mark_reads(g->bwd.items[i]->e, need_t);
    depends_closure(g, need_t, need_s);
}

/* ---- verifier ---- */
static void verify_ix(const Ix *x, const int *bound, int depth)
{
    switch (x->kind) {
    case IX_VAR: {
        int ok = 0;
        for (int i = 0; i < depth; i++)
            ok |= bound[i] == x->var;
        if (!ok)
            MGC_INTERNAL("index mentions a loop variable that is not in scope");
        break;
    }
    case IX_AXIS: MGC_INTERNAL("axis reference inside a statement");
    case IX_READ: verify_ix(x->idx[0], bound, depth); break;
    case IX_PAD:
        for (int k = 0; k < x->var; k++)
            verify_ix(x->idx[k], bound, depth);
        verify_ix(x->a, bound, depth);
        verify_ix(x->b, bound, depth);
        break;
    case IX_CONST:
    case IX_T: break;
    default:
        verify_ix(x->a, bound, depth);
        verify_ix(x->b, bound, depth);
    }
}

static void verify_ex(const Ex *e, const int *bound, int depth)
{
    switch (e->kind) {
    case EX_CONST: break;
    case EX_READ:
        if (e->t->kind == TK_INPUT)
            MGC_INTERNAL("real read of the integer input");
        for (int i = 0; i < e->t->rank; i++) {
            if (!e->idx[i])
                MGC_INTERNAL("read with too few indices");
            verify_ix(e->idx[i], bound, depth);
        }
        break;
    case EX_INT: verify_ix(e->ix, bound, depth); break;
    case EX_PAD:
        if (!e->pad)
            MGC_INTERNAL("read past the edge that tests nothing");
        for (int i = 0; i < e->t->rank; i++)
            verify_ix(e->idx[i], bound, depth);
        verify_ex(e->a, bound, depth);
        verify_ex(e->b, bound, depth);
        break;
    case EX_PICK:
        verify_ix(e->ix, bound, depth);
        /* fall through */
    case EX_ADD:
    case EX_SUB:
    case EX_MUL:
    case EX_POWX:
    case EX_POW:
    case EX_NOGRAD:
    case EX_DPOWA:
    case EX_DPOWB:
    case EX_IFPOS:
    case EX_SELECT:
    case EX_ARMS:
    EX_CMPS
    MG_OPS(OP_CASE)
        if ((e->kind == EX_SELECT) != (e->b && e->b->kind == EX_ARMS))
            MGC_INTERNAL("a select without its arms, or arms outside a select");
        verify_ex(e->a, bound, depth);
        if (e->b)
            verify_ex(e->b, bound, depth);
    }
}

static void verify_list(const StmtList *l)
{
    for (int k = 0; k < l->n; k++) {
        const Stmt *s = l->items[k];
        int bound[IR_MAX_LOOPS];
        if (s->nred > s->nloop || (s->nred > 0) != (s->red != RED_NONE_))
            MGC_INTERNAL("reduction loops and reduction kind disagree");
        for (int i = 0; i < s->nloop; i++) {
            verify_ix(s->loops[i].hi, bound, i);
            for (int j = 0; j < i; j++)
                if (bound[j] == s->loops[i].var)
                    MGC_INTERNAL("loop variable bound twice");
            bound[i] = s->loops[i].var;
        }
        for (int i = 0; i < s->out->rank; i++) {
            if (!s->oidx[i])
                MGC_INTERNAL("statement output has too few indices");
            verify_ix(s->oidx[i], bound, s->nloop - s->nred);
        }
        verify_ex(s->e, bound, s->nloop);
    }
}

int ix_var_offset(const Ix *x, int var, long *c)
{
    return ix_is_const(ix_subst_var((Ix *)x, var, ix_const(0)), c) &&
           ix_equal(x, ix_bin(IX_ADD, ix_var(var), ix_const(*c)));
}

/* the constant c with x == var + c, or 0 with *ok = 0 */
static long step_offset(const Ix *x, int var, int *ok)
{
    long c;
    *ok = ix_var_offset(x, var, &c);
    return *ok ? c : 0;
}

/* A read of what the recurrence writes, by statement k of the run from
 * first to end: where is it written, relative to the step? */
static void verify_rec_read(const StmtList *l, int first, int end, int k, const Ex *e)
{
    if (e->kind != EX_READ) {
        if (e->a)
            verify_rec_read(l, first, end, k, e->a);
        if (e->b)
            verify_rec_read(l, first, end, k, e->b);
        return;
    }
    const Stmt *r = l->items[k];
    for (int w = first; w < end; w++) {
        const Stmt *s = l->items[w];
        if (s->out != e->t)
            continue;
        int ok1, ok2;
        long at = step_offset(e->idx[0], r->loops[0].var, &ok1);
        long wr = step_offset(s->oidx[0], s->loops[0].var, &ok2);
        if (!ok1 || !ok2 || at > wr || (at == wr && w >= k))
            MGC_INTERNAL("a recurrence reads a step it has not computed yet");
    }
}

/* the forward statements of each recurrence: one run, one step extent */
static void verify_recs(const StmtList *l, int fwd)
{
    char *seen = NULL;
    int nseen = 0;
    for (int i = 0; i < l->n;) {
        int n = ir_rec_run(l, i), rec = l->items[i]->rec;
        if (rec) {
            if (rec >= nseen) {
                seen = realloc(seen, (size_t)rec + 1);
                if (!seen)
                    MGC_INTERNAL("out of memory");
                memset(seen + nseen, 0, (size_t)(rec + 1 - nseen));
                nseen = rec + 1;
            }
            if (seen[rec])
                MGC_INTERNAL("a recurrence's statements are not consecutive");
            seen[rec] = 1;
        }
        for (int k = i; rec && k < i + n; k++) {
            const Stmt *s = l->items[k];
            if (s->nloop == s->nred || !ix_equal(s->loops[0].hi, l->items[i]->loops[0].hi) ||
                (fwd && !s->out->rank))
                MGC_INTERNAL("a recurrence's statements do not share their step loop");
            if (fwd)
                verify_rec_read(l, i, i + n, k, s->e);
        }
        i += n;
    }
    free(seen);
}

void ir_verify(const Graph *g)
{
    verify_list(&g->fwd);
    verify_list(&g->bwd);
    verify_recs(&g->fwd, 1);
    verify_recs(&g->bwd, 0);
}

/* ---- bounds reasoning ---- */
static const Loop *find_loop(const Loop *loops, int n, int var)
{
    for (int i = 0; i < n; i++)
        if (loops[i].var == var)
            return &loops[i];
    return NULL;
}

int ix_is_affine(const Ix *x)
{
    Aff a;
    return aff_of(x, &a) != 0;
}

int ix_mentions_var(const Ix *x, int var)
{
    switch (x->kind) {
    case IX_VAR: return x->var == var;
    case IX_CONST:
    case IX_T:
    case IX_AXIS: return 0;
    case IX_READ: return ix_mentions_var(x->idx[0], var);
    case IX_PAD:
        for (int k = 0; k < x->var; k++)
            if (ix_mentions_var(x->idx[k], var))
                return 1;
        return ix_mentions_var(x->a, var) || ix_mentions_var(x->b, var);
    default: return ix_mentions_var(x->a, var) || ix_mentions_var(x->b, var);
    }
}

int ix_nonneg(const Ix *x, const Loop *loops, int nloops, long Tmax)
{
    Aff a;
    if (ix_cmp_text(x->kind))
        return 1;           /* 1 or 0 */
    if (x->kind == IX_SELECT)
        return ix_nonneg(x->b->a, loops, nloops, Tmax) && ix_nonneg(x->b->b, loops, nloops, Tmax);
    if (x->kind == IX_MAX)
        return ix_nonneg(x->a, loops, nloops, Tmax) || ix_nonneg(x->b, loops, nloops, Tmax);
    if (x->kind == IX_MIN)
        return ix_nonneg(x->a, loops, nloops, Tmax) && ix_nonneg(x->b, loops, nloops, Tmax);
    if (aff_of(x, &a) != 1)
        return 0;
    /* eliminate loop variables innermost first: a positive coefficient takes the
     * variable's least value 0, a negative one its largest, hi - 1 */
    for (int li = nloops - 1; li >= 0; li--) {
        int key = 2 * loops[li].var;
        long coef = 0;
        for (int i = 0; i < a.n; i++)
            if (a.key[i] == key) {
                coef = a.coef[i];
                a.coef[i] = 0;
            }
        if (coef >= 0)
            continue;
        Aff h;
        if (aff_of(loops[li].hi, &h) != 1 || ck_sub(h.c, 1, &h.c) || aff_addscaled(&a, &h, coef))
            return 0;
    }
    for (int i = 0; i < a.n; i++)
        if (a.coef[i] != 0)
            return 0;          /* a variable not among the loops */
    long at1, atmax;
    if (ck_add(a.c, a.tc, &at1) || ck_mul(a.tc, Tmax, &atmax) || ck_add(a.c, atmax, &atmax))
        return 0;
    return at1 >= 0 && atmax >= 0;
}

/* The least and largest of the four corner products, or 1 on overflow. */
static int mul_interval(long al, long ah, long bl, long bh, long *lo, long *hi)
{
    long c[4];
    if (ck_mul(al, bl, &c[0]) || ck_mul(al, bh, &c[1]) || ck_mul(ah, bl, &c[2]) || ck_mul(ah, bh, &c[3]))
        return 1;
    *lo = *hi = c[0];
    for (int i = 1; i < 4; i++) {
        if (c[i] < *lo) *lo = c[i];
        if (c[i] > *hi) *hi = c[i];
    }
    return 0;
}

/* The values a k b takes for a in [al, ah], b in [bl, bh]: [1, 1] when
 * every pair compares true, [0, 0] when none does, else [0, 1]. */
static void cmp_interval(IxKind k, long al, long ah, long bl, long bh, long *lo, long *hi)
{
    long c[4] = {cmp_fold(k, al, bl), cmp_fold(k, al, bh), cmp_fold(k, ah, bl), cmp_fold(k, ah, bh)};
    int always = c[0] && c[1] && c[2] && c[3], never = !(c[0] || c[1] || c[2] || c[3]);
    if ((k == IX_EQ || k == IX_NE) && !(al == ah && bl == bh))
        always = never = 0;    /* equality can hold inside the ranges, not only at their corners */
    if (k == IX_NE && (ah < bl || bh < al))
        always = 1;
    if (k == IX_EQ && (ah < bl || bh < al))
        never = 1;
    *lo = always ? 1 : 0;
    *hi = never ? 0 : 1;
}

static int interval(const Ix *x, const Loop *loops, int n, long Tlo, long Thi, long vocab, long *lo, long *hi,
                    int depth)
{
    long al, ah, bl, bh;
    if (depth > 64)
        return -1;
    switch (x->kind) {
    case IX_CONST: *lo = *hi = x->val; return 1;
    case IX_T: *lo = Tlo; *hi = Thi; return 1;
    case IX_VAR: {
        const Loop *l = find_loop(loops, n, x->var);
        if (!l)
            return -1;
        int r = interval(l->hi, loops, n, Tlo, Thi, vocab, &al, &ah, depth + 1);
        if (r != 1)
            return r;
        if (ah <= 0)
            return 0;          /* the loop never runs */
        *lo = 0;
        *hi = ah - 1;
        return 1;
    }
    case IX_READ: *lo = 0; *hi = (x->t->range > 0 ? x->t->range : vocab) - 1; return 1;
    case IX_AXIS: return -1;
    case IX_PAD: {
        /* the read's values or the fallback's */
        int ra = interval(x->a, loops, n, Tlo, Thi, vocab, &al, &ah, depth + 1);
        if (ra != 1)
            return ra;
        int rb = interval(x->b, loops, n, Tlo, Thi, vocab, &bl, &bh, depth + 1);
        if (rb != 1)
            return rb;
        *lo = al < bl ? al : bl;
        *hi = ah > bh ? ah : bh;
        return 1;
    }
    default: break;
    }
    int ra = interval(x->a, loops, n, Tlo, Thi, vocab, &al, &ah, depth + 1);
    if (ra != 1)
        return ra;
    int rb = interval(x->b, loops, n, Tlo, Thi, vocab, &bl, &bh, depth + 1);
    if (rb != 1)
        return rb;
    switch (x->kind) {
    case IX_ADD:
        return ck_add(al, bl, lo) || ck_add(ah, bh, hi) ? IX_OVERFLOW : 1;
    case IX_SUB:
        return ck_sub(al, bh, lo) || ck_sub(ah, bl, hi) ? IX_OVERFLOW : 1;
    case IX_MUL:
        return mul_interval(al, ah, bl, bh, lo, hi) ? IX_OVERFLOW : 1;
    case IX_FLOORDIV:
        if (bl != bh || bl <= 0)
            return -1;
        *lo = floordiv(al, bl);
        *hi = floordiv(ah, bl);
        return 1;
    case IX_MOD:
        if (bl != bh || bl <= 0)
            return -1;
        if (al >= 0 && ah < bl) {
            *lo = al;
            *hi = ah;
        } else {
            *lo = 0;
            *hi = bl - 1;
        }
        return 1;
    IX_CMPS
        cmp_interval(x->kind, al, ah, bl, bh, lo, hi);
        return 1;
    case IX_SELECT:     /* either arm: the union of theirs (b's) */
        *lo = bl;
        *hi = bh;
        return 1;
    case IX_ARMS:
        *lo = al < bl ? al : bl;
        *hi = ah > bh ? ah : bh;
        return 1;
    case IX_MIN:
        *lo = al < bl ? al : bl;
        *hi = ah < bh ? ah : bh;
        return 1;
    case IX_MAX:
        *lo = al > bl ? al : bl;
        *hi = ah > bh ? ah : bh;
        return 1;
    default: return -1;
    }
}

int ix_interval(const Ix *x, const Loop *loops, int nloops, long Tlo, long Thi, long vocab, long *lo, long *hi)
{
    return interval(x, loops, nloops, Tlo, Thi, vocab, lo, hi, 0);
}

long ir_runtime_row(const Tensor *t)
{
    long c;
    if (!t || t->rank == 0 || ix_is_const(t->ext[0], &c) || t->maxext[0] <= 0)
        return 0;
    return t->size / t->maxext[0];
}
