/* ir.h: the tensor graph that trace builds and every later stage reads.
 * A Graph is a list of tensors and a list of statements.  Each statement is one
 * loop nest with static bounds (apart from the runtime length T) that defines
 * or accumulates one tensor element by element:
 *
 *     for (output loops) { acc = init; for (reduction loops) acc op= e; out[idx] (=|+=) acc; }
 *
 * Shapes are static: every extent is an affine Ix in T and the indices of
 * earlier axes (a causal triangle has extent "axis1 + 1").  Tensors are stored
 * row-major at their largest extents, so strides are constants.
 * A recurrence (Stmt.rec) is a run of consecutive statements that run
 * together once per step of their first loop, forward in g->fwd and in
 * reverse in g->bwd:  for (t) { s1 at t; s2 at t; ... }.
 * Invariants (checked by ir_verify): loop variables are unique per statement,
 * loop bounds only mention outer loops and T, reads stay inside the tensor;
 * a recurrence's statements are consecutive, share the extent of their first
 * loop (an output loop), and in the forward pass read what the recurrence
 * writes only at a step already computed: an earlier one, or this one after
 * the statement that writes it. */
#ifndef MGC_IR_H
#define MGC_IR_H

#include <stdio.h>
#include "diag.h"
#include "mg_model.h"     /* MgInitKind, MgOptKind: the descriptor's enums */
#include "ops.def"

#define IR_MAX_RANK 4
#define IR_MAX_LOOPS 12
#define IR_MAX_ELEMS (1L << 40)   /* the largest tensor, in elements (ir_new_tensor refuses more) */

typedef struct Tensor Tensor;

/* The comparisons, one row each: X(KIND, C spelling).  They are IxKinds on
 * integers and ExKinds on reals (IX_LT, EX_LT, ...); both give 1 or 0. */
#define MG_CMPS(X) X(LT, "<") X(LE, "<=") X(GT, ">") X(GE, ">=") X(EQ, "==") X(NE, "!=")
/* case labels for every comparison: switch (e->kind) { EX_CMPS ... } */
#define EX_CMP_CASE_(K, s) case EX_##K:
#define IX_CMP_CASE_(K, s) case IX_##K:
#define EX_CMPS MG_CMPS(EX_CMP_CASE_)
#define IX_CMPS MG_CMPS(IX_CMP_CASE_)

/* ---- integer expressions: indices, extents, loop bounds ---- */
typedef enum {
    IX_CONST,   /* val */
    IX_T,       /* the runtime length T */
    IX_VAR,     /* loop variable `var` */
    IX_AXIS,    /* index of axis `var` of the tensor being described (extents only) */
    IX_ADD, IX_SUB, IX_MUL, IX_FLOORDIV, IX_MOD,   /* a op b (FLOORDIV/MOD: b > 0 const) */
    IX_READ,    /* t[idx[0]]: an element of the integer input (tokens) */
    IX_PAD,     /* idx[0..var) inside the axes ext[0..var) ? a : b: a read past the edge of the
                   input or of an integer view (a: the read, b: its fallback); val: the tests
                   made (IR_PAD_LO/HI of each axis); ext over IX_AXIS, as a tensor's */
#define IX_CMP_KIND_(K, s) IX_##K,
    MG_CMPS(IX_CMP_KIND_)   /* a < b, ...: 1 or 0 */
#undef IX_CMP_KIND_
    IX_SELECT,  /* a != 0 ? b->a : b->b, with b an IX_ARMS (three operands in binary nodes) */
    IX_ARMS,    /* the two values of an IX_SELECT; only ever its b */
    IX_MIN, IX_MAX,   /* the lesser, the greater of a and b */
} IxKind;

/* The tests of a read past the edge: axis k's index may be below 0, or at
 * or above its extent.  A padded read tests only the sides it can reach. */
#define IR_PAD_LO(k) (1u << (2 * (k)))
#define IR_PAD_HI(k) (1u << (2 * (k) + 1))

typedef struct Ix Ix;
struct Ix {
    IxKind kind;
    long val;
    int var;
    Ix *a, *b;
    Tensor *t;
    Ix *idx[IR_MAX_RANK];
    Ix **ext;                 /* IX_PAD: the extents tested */
};

/* ---- real expressions: the element computation ---- */
typedef enum {
    EX_CONST,   /* c */
    EX_READ,    /* t[idx...]  (t real) */
    EX_INT,     /* (double) ix */
    EX_ADD, EX_SUB, EX_MUL,   /* a op b */
    EX_POWX,    /* pow(a, b): the exponent is an expression */
    EX_POW,     /* pow(a, c): the exponent is a constant */
#define EX_KIND_(K, ...) EX_##K,
    MG_OPS(EX_KIND_)   /* f(a), one per row of ops.def: EX_EXP, EX_LOG, ... */
#undef EX_KIND_
#define EX_CMP_KIND_(K, s) EX_##K,
    MG_CMPS(EX_CMP_KIND_)   /* a < b, ...: 1.0 or 0.0, no gradient */
#undef EX_CMP_KIND_
    EX_SELECT,  /* a != 0 ? b->a : b->b, b an EX_ARMS; a carries no gradient */
    EX_ARMS,    /* the two values of an EX_SELECT; only ever its b.  (Walks that visit
                 * a and b visit all three operands; the gradient goes to the arm chosen) */
    EX_NOGRAD,  /* a, with gradient stopped (nograd(a)) */
    /* backward only: */
    EX_DPOWA,   /* d pow(a, b) / d a: b == 0 ? 0 : b * pow(a, b - 1), as PyTorch */
    EX_DPOWB,   /* d pow(a, b) / d b: b >= 0 && a == 0 ? 0 : pow(a, b) * log(a), as PyTorch */
    EX_PICK,    /* ix == a ? b : 0  (a max's chosen term: its index ix, the stored index a) */
    EX_PAD,     /* idx inside t's axes ? a : b, testing `pad` (IR_PAD_LO/HI): a read past the
                   edge, a = t[idx] (which only this test guards) and b its fallback; in the
                   backward, a = 0 and b the gradient its fallback gets */
    EX_IFPOS    /* a > 0 ? b : 0  (a reach count guards b); the last kind */
} ExKind;

typedef struct Ex Ex;
struct Ex {
    ExKind kind;
    double c;
    Tensor *t;
    Ix *idx[IR_MAX_RANK];
    Ix *ix;
    Ex *a, *b;
    unsigned pad;             /* EX_PAD: the tests */
};

/* ---- tensors ---- */
typedef enum {
    TK_PARAM,   /* trainable, in the flat parameter array */
    TK_INPUT,   /* an integer input: the token sequence, or a label (tensor), stored flat */
    TK_ACT,     /* activation computed by a statement */
    TK_GRAD,    /* adjoint of another tensor (made by autodiff) */
    TK_DATA     /* a real input: read like a parameter, never differentiated */
} TensorKind;

struct Tensor {
    int id;
    TensorKind kind;
    const char *name;       /* unique C-friendly name: "wte", "x_3", "layer0_attn_wq" */
    const char *display;    /* name as the user wrote it: "layer0.attn_wq", "x" */
    int rank;
    Ix *ext[IR_MAX_RANK];   /* extent of each axis: affine in T and IX_AXIS(j < k) */
    long maxext[IR_MAX_RANK];   /* extent at T = Tmax and every axis at its largest */
    long size;              /* product of maxext (elements allocated) */
    int needs_grad;         /* depends on a parameter through a differentiable path */
    Tensor *grad;           /* adjoint (autodiff), or NULL */
    Tensor *primal;         /* for TK_GRAD: the tensor it is the adjoint of */
    /* parameters */
    int param_index;        /* draw order, 0-based */
    MgInitKind init;        /* the runtime's enum (mg_model.h): one list of kinds */
    double init_a, init_b;
    long offset;            /* params: offset in the parameter array; others: set by the planner */
    long range;             /* TK_INPUT: every element lies in [0, range) (the vocabulary for tokens) */
    int field;              /* TK_INPUT, TK_DATA: its position in Graph.inputs */
    int local;              /* kept in a C local inside a fused loop nest, not in memory */
    SrcLoc loc;             /* where it was declared or defined */
};

/* ---- statements ---- */
/* max and min keep the first of equal terms and skip NaN terms (the first
 * term strictly above, or below, every earlier one and -inf, or +inf).
 * ARGMAX and ARGMIN (backward only) store that term's position, Stmt.arg,
 * or -1 when there is none. */
typedef enum { RED_NONE_, RED_SUM_, RED_MAX_, RED_MIN_, RED_ARGMAX_, RED_ARGMIN_ } RedKind;

typedef struct Loop {
    int var;
    Ix *hi;                 /* exclusive bound; lower bound is 0 */
} Loop;

typedef struct Stmt {
    int nloop;              /* all loops, outermost first */
    int nred;               /* the last nred loops are reduction loops */
    Loop loops[IR_MAX_LOOPS];
    RedKind red;
    int accumulate;         /* out[idx] += value instead of = */
    unsigned guard;         /* runs only where oidx lies inside out's axes, on these tests
                               (IR_PAD_LO/HI): the gradient of a read past the edge */
    Tensor *out;
    Ix *oidx[IR_MAX_RANK];
    Ex *e;
    SrcLoc loc;             /* the .mg statement it implements */
    SrcLoc site;            /* the top-level statement it was traced from (inside a function) */
    const char *what;       /* a short note for the emitted comment, e.g. "d/d w of ..." */
    int nograd;             /* no gradient passes through it: nograd(max(i) ...) */
    Ix *arg;                /* RED_ARGMAX_, RED_ARGMIN_: the position of a term, row-major */
    /* set by the memory plan for a gradient's first writer: */
    int zero_first;         /* clear the whole output before this statement */
    int assign_first;       /* it writes every element once: = instead of += */
    int fused;              /* shares the output loops of the statement before (opt_fuse) */
    int acc_from_out;       /* a sum that starts from out[idx] and stores back (opt_reduce) */
    struct Schedule *sched; /* its kernel, set after the plan (schedule.c) */
    int rec;                /* > 0: a statement of recurrence number rec; loops[0] is its step */
} Stmt;

typedef struct StmtList {
    Stmt **items;
    int n, cap;
} StmtList;

/* One input the model declares, as the user wrote it: an integer input's
 * tensor is flat (one axis of `size` elements) and read through an index
 * expression over these axes.  Only ext[0] of a real input may mention T. */
typedef struct IrInput {
    Tensor *t;
    const char *name;
    int is_int;             /* integers in [0, range); else reals */
    long range;
    int rank;               /* 0: a scalar */
    Ix *ext[IR_MAX_RANK];
    long maxext[IR_MAX_RANK];   /* at T = Tmax */
    int tokens;             /* the token sequence (input tokens[T + 1] < vocab) */
    SrcLoc loc;
} IrInput;

typedef struct Graph {
    const char *model;      /* model name (C identifier) */
    const char *source;     /* the .mg file */
    long Tmax;              /* bound of the runtime length T */
    int vocab;              /* number of token ids (BOS = vocab - 1) */
    Tensor **tensors;       /* every tensor, in creation order */
    int ntensors, captensors;
    Tensor **params;        /* parameters, in draw order */
    int nparams, capparams;
    long nscalars;          /* total parameter elements */
    Tensor *tokens;         /* the token sequence, extent T + 1, or NULL */
    IrInput *inputs;        /* every input, in declaration order */
    int ninputs, capinputs;
    Tensor *loss;           /* scalar objective */
    Tensor *logits;         /* [T, vocab] */
    StmtList fwd;           /* forward statements, in order */
    StmtList bwd;           /* backward statements (autodiff), in order */
    int nvars;              /* loop variables allocated so far */
    int nrec;               /* recurrences so far (Stmt.rec numbers them from 1) */
    const char **varname;   /* name hint per loop variable (for the emitted C) */
    int capvars;
    MgOptim optim;          /* the optimizer line's settings (mg_model.h) */
    long scratch;           /* doubles of scratch (set by plan_memory) */
    int block_sums;         /* emit_c computes independent sums 4 at a time */
    int fast;               /* mgc --fast: reorder and simplify floating point (not exact) */
    int f32;                /* mgc --dtype=f32: compute in float (the interface stays double) */
    int blas;               /* mgc --blas (with f32): matrix products call mg_sgemm */
    struct IrNames *names;  /* the C names taken (ir.c's hash table) */
} Graph;

/* a comparison's C (and .mg) spelling: "<" for IX_LT or EX_LT */
const char *ix_cmp_text(IxKind k);
const char *ex_cmp_text(ExKind k);

/* constructors (arena-allocated) */
Ix *ix_const(long v);
Ix *ix_T(void);
Ix *ix_var(int var);
Ix *ix_axis(int axis);
/* Folds constants and keeps affine forms tidy.  A fold that would overflow a
 * long is left unfolded; ix_bin_checked then also sets *overflow to 1. */
Ix *ix_bin(IxKind k, Ix *a, Ix *b);
Ix *ix_bin_checked(IxKind k, Ix *a, Ix *b, int *overflow);
Ix *ix_read(Tensor *t, Ix *i0);
/* idx[0..n) inside ext[0..n) (over IX_AXIS) ? in : fallback, testing `pad` */
Ix *ix_pad(Ix **idx, int n, Ix **ext, unsigned pad, Ix *in, Ix *fallback);
Ix *ix_select(Ix *c, Ix *x, Ix *y);    /* c != 0 ? x : y; folds a constant c */
Ex *ex_const(double c);
Ex *ex_read(Tensor *t, int n, Ix **idx);
Ex *ex_int(Ix *ix);
Ex *ex_bin(ExKind k, Ex *a, Ex *b);
Ex *ex_pow(Ex *a, double c);
Ex *ex_un(ExKind k, Ex *a);
Ex *ex_pick(Ix *at, Ex *chosen, Ex *value);
/* inside t's axes at idx (testing `pad`) ? in : out */
Ex *ex_pad(Tensor *t, Ix **idx, unsigned pad, Ex *in, Ex *out);
Ex *ex_select(Ex *c, Ex *x, Ex *y);    /* c != 0 ? x : y */

Graph *ir_new_graph(const char *model, const char *source);
Tensor *ir_new_tensor(Graph *g, TensorKind kind, const char *display, int rank, Ix **ext, SrcLoc loc);
/* an activation a call returned, renamed after the variable it is bound to */
void ir_rename_tensor(Graph *g, Tensor *t, const char *display);
int ir_new_var(Graph *g, const char *hint);
void ir_add_param(Graph *g, Tensor *t);     /* appended to g->params */
IrInput *ir_add_input(Graph *g, const IrInput *in);   /* appended to g->inputs; sets in->t->field */
/* is name some tensor's C name, or a word no tensor may take (a C keyword...) */
int ir_name_taken(const Graph *g, const char *name);
size_t ir_str_hash(const char *s);           /* FNV-1a, for tables keyed by a name */
Stmt *ir_new_stmt(SrcLoc loc);
void ir_push(StmtList *l, Stmt *s);
/* the number of statements from l->items[i] on that run as one unit: the
 * rest of its recurrence (1 for a statement outside any) */
int ir_rec_run(const StmtList *l, int i);

/* substitution and evaluation */
Ix *ix_subst_axes(Ix *x, Ix **axes);           /* IX_AXIS(k) -> axes[k] */
Ix *ix_subst_var(Ix *x, int var, Ix *with);
int ix_is_const(const Ix *x, long *v);
/* The values per row of t when its first axis has the runtime length T
 * (its size is Tmax such rows), else 0 */
long ir_runtime_row(const Tensor *t);
int ix_equal(const Ix *a, const Ix *b);        /* structural equality after normalisation */
/* Evaluate with T and loop variable values (vals[var]); tokens for IX_READ. */
long ix_eval(const Ix *x, long T, const long *vals, const int *tokens);
long ix_max_at(const Ix *extent, long T);       /* an extent's largest value, axes at their largest */
/* Is idx[0..n) inside ext[0..n) (over IX_AXIS) on the tests `pad`? */
int ir_inside(Ix *const *idx, int n, Ix *const *ext, unsigned pad, long T, const long *vals, const int *tokens);
/* axis k's extent at idx: ext[k] with IX_AXIS(j) replaced by idx[j] */
Ix *ir_pad_extent(Ix *const *idx, Ix *const *ext, int k);

/* Bounds reasoning for trace's checks.  `loops` gives the range of every
 * loop variable an expression may mention (by var id), `vocab` bounds IX_READ. */
int ix_nonneg(const Ix *x, const Loop *loops, int nloops, long Tmax);   /* provably >= 0 */
/* Interval of x for every T in [Tlo, Thi] (one value when Tlo == Thi): 1 and
 * [*lo, *hi]; 0 when some loop it mentions is empty for all of them; -1 when
 * it cannot tell; IX_OVERFLOW when some part of x can overflow a long (the
 * caller reports an error for the last two).  Every operation is checked. */
enum { IX_OVERFLOW = -2 };
int ix_interval(const Ix *x, const Loop *loops, int nloops, long Tlo, long Thi, long vocab, long *lo, long *hi);
int ix_is_affine(const Ix *x);
int ix_mentions_var(const Ix *x, int var);
int ix_var_offset(const Ix *x, int var, long *c);   /* 1 and *c if x is var + c for a constant c */

/* A pass's memo of a value per expression node (by address), so a walk that
 * asks the same question of every node of a long chain (a + b + ... + z)
 * answers each node once instead of walking its subtree again.  Valid only
 * while the nodes it has seen are not changed; arena-allocated. */
typedef struct ExMemo ExMemo;
ExMemo *ex_memo_new(void);
int ex_memo_get(const ExMemo *m, const Ex *e, unsigned long *v);   /* 1 and *v if e has a value */
void ex_memo_put(ExMemo *m, const Ex *e, unsigned long v);

/* printing: the same syntax is used by --dump and by the emitter's comments */
/* A double in the shortest spelling that reads back exactly, with a '.0' if integral. */
void ir_print_num(FILE *f, double c);
void ix_print(FILE *f, const Ix *x, const Graph *g);
void ex_print(FILE *f, const Ex *e, const Graph *g);
const char *ir_red_name(RedKind r);             /* "sum", "max", ...; NULL for none */
void ir_dump(FILE *f, const Graph *g, int with_bwd);
/* Mark in need_t (by tensor id) every tensor `target` depends on, and in
 * need_s (by forward statement index, may be NULL) every statement it needs. */
void ir_depends(const Graph *g, const Tensor *target, char *need_t, char *need_s);   /* target NULL: nothing */
/* the same for the loss and every tensor the backward reads */
void ir_depends_grad(const Graph *g, char *need_t, char *need_s);
/* Check the invariants listed at the top; internal error on a violation. */
void ir_verify(const Graph *g);

#endif
