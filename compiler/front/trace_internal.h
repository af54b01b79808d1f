/* trace_internal.h: what the files of the trace share (trace.h is its public face).
 * names.c   scopes and bindings, poison, constant evaluation, name paths, the
 *           declarations (const, dim, input, param, optimizer, fn)
 * shapes.c  index bounds, written and inferred ranges, the iteration cap, the
 *           model's outputs, the broadcast shape of `y = expr`; shapes printed
 *           for messages
 * lower.c   the statement builder, element expressions (Ix, Ex), reductions,
 *           definitions and assignments, function calls (inlined)
 * recur.c   recurrences: `recur t < T { ... }` and self-reading statements
 * trace.c   the driver: the program's items in order, `for` unrolled
 * One trace's state is a Tr, passed to every function; nothing is file-static. */
#ifndef MGC_TRACE_INTERNAL_H
#define MGC_TRACE_INTERNAL_H

#include "ops.h"
#include "trace.h"

/* B_POISON: a definition that failed.  Its error was reported where it failed;
 * every later use fails silently, so one mistake gives one error. */
typedef enum { B_INT, B_REAL, B_DIM, B_SHAPE, B_INDEX, B_TENSOR, B_VIEW, B_FN, B_POISON } BKind;

/* An integer tensor that is an index expression over its own axes
 * (the token input, or a view such as targets[t] = tokens[t + 1]). */
typedef struct View {
    int rank;                 /* physical: nb batch axes, then logical ones */
    Ix *ext[IR_MAX_RANK];
    Ix *tmpl;                 /* value, over IX_AXIS(k) */
} View;

typedef struct Bind Bind;
typedef struct RecT RecT;
struct Bind {
    const char *name;
    BKind kind;
    long ival;
    double rval;
    Ix *ix;                   /* B_SHAPE: value over batch axes */
    int var;                  /* B_INDEX */
    Tensor *t;                /* B_TENSOR */
    View *view;               /* B_VIEW */
    int nb;                   /* B_TENSOR, B_VIEW: leading batch axes */
    const Node *fn;           /* B_FN */
    const char *what;         /* B_POISON: what it would have been, for messages */
    int decl;                 /* const, dim, input, param, fn: cannot be assigned */
    int prelude;              /* declared by the prelude (a user fn may replace it) */
    SrcLoc loc;
    Bind *shadow;             /* the older binding of the same name in its Scope */
    RecT *rec;                /* B_TENSOR inside a recur block: the block's tensor it is */
};

/* The bindings of one frame: for each name ever bound in it, its newest
 * binding (NULL once that is unlinked and nothing older remains), by open
 * addressing on ir_str_hash.  An entry is never removed. */
typedef struct Name {
    const char *key;
    Bind *top;
} Name;

typedef struct Scope {
    Name *slot;
    size_t cap, n;            /* cap: a power of two, at least twice n */
} Scope;

typedef struct Val {
    enum { V_ERR, V_INT, V_REAL } kind;
    Ix *ix;
    Ex *e;
} Val;

typedef struct SB {
    Loop loops[IR_MAX_LOOPS];
    int nloops;
    int bvar[IR_MAX_LOOPS];   /* loop variable of each batch axis */
    int nbatch;
    int impl_rank;            /* implicit output axes of `y = expr` */
    int impl_var[IR_MAX_RANK];
    int impl_ext_nb;          /* the shape-giving operand's batch axes */
} SB;

/* A tensor a recurrence defines: written into buf, `back` rows after the
 * start, the rows before holding `init` (recur.c). */
struct RecT {
    const char *name;
    Tensor *buf;              /* [steps + back, ...] */
    long back;                /* the furthest step back any statement reads it at */
    Ex *init;                 /* its value before the first step (NULL: none yet), over axvar */
    int axvar[IR_MAX_RANK];   /* the loop variable of each other axis in init */
    int defined;              /* its statement has been traced */
    Bind *bind;
    SrcLoc loc;
};

typedef struct Rec {
    const Node *n;            /* the recur block */
    const char *step;         /* the step index's name */
    Ix *steps;                /* its extent */
    int id;                   /* Stmt.rec of its statements */
    int step_var;             /* the step's loop variable in the statement being traced */
    RecT *t, *current;        /* its tensors, the one being defined */
    int nt;
} Rec;

typedef struct Tr {
    Graph *g;
    Scope *scope;
    Scope *globals;           /* declarations a function body can see */
    int in_fn;
    int depth;                /* batch axes of the current frame */
    Ix *bext[IR_MAX_LOOPS];   /* their extents, over IX_AXIS(j < k) */
    const char *prefix;       /* display prefix for locals: "softmax." */
    const Node *calls[64];
    int ncalls;
    SrcLoc site;
    SrcLoc too_long;          /* the last statement that ran too many iterations */
    SB sb;
    int have_dim, have_input, have_optim;
    Bind *dim_bind;
    int npoison;              /* uses of poison so far: failures already reported */
    const TraceOpts *opts;    /* -D overrides (never NULL) */
    char used[TRACE_MAX_OVERRIDES];   /* which of them a const took */
    SrcLoc unused_fb[16];     /* fallbacks already warned about: once each, not per loop pass or call */
    int nunused_fb;
    Rec *rec;                 /* the recur block being traced, or NULL */
} Tr;

/* The cap on every extent, loop bound and index range. */
enum { MAX_EXTENT = 100000000 };

/* ---- names.c: scopes, poison, constants, name paths, declarations */

Bind *new_bind(Tr *tr, const char *name, BKind kind, SrcLoc loc);
Scope *new_scope(void);
Bind *scope_find(Scope *sc, const char *name);
void push_bind(Tr *tr, Bind *b);
void unlink_bind(Tr *tr, Bind *b);
Bind *lookup(Tr *tr, const char *name);
void unknown_name(Tr *tr, SrcLoc loc, const char *name, int fn);
/* The builtins that are not element ops of ops.def (lower.c): where(c, a, b),
 * max(a, b), min(a, b), clamp(x, lo, hi); NULL-terminated.  A builtin's name
 * is never a user function's. */
extern const char *const tr_builtins[];
int tr_is_builtin(const char *name);
const char *kind_word(const Bind *b);
const char *a_kind(const Bind *b);
int poisoned(Tr *tr, const Bind *b);
void poison(Tr *tr, const char *name, const char *what, int decl, SrcLoc loc);
int finite_const(const Node *n, double r);
int const_dim(Tr *tr, const Node *n, const char *what, long *out, int allow_zero);
Ix *shape_extent(Tr *tr, const Node *n);
const char *path_name(Tr *tr, const Node *n, int quiet);
void do_const(Tr *tr, const Node *n);
void do_dim(Tr *tr, const Node *n);
void do_input(Tr *tr, const Node *n);
void do_param(Tr *tr, const Node *n);
void do_optimizer(Tr *tr, const Node *n);
void do_fn(Tr *tr, const Node *n);

/* ---- shapes.c: shapes as text, bounds and range checks, the outputs */

const char *shape_str(Tr *tr, Tensor *t, int nb);
const char *ix_str(Tr *tr, Ix *x);
const char *call_text(Tr *tr, const Node *call, const Node *fn, Bind **args, int n);
int check_iterations(Tr *tr, const Stmt *s);
int interval_all_T(Tr *tr, const Ix *x, long *lo, long *hi);
int check_index(Tr *tr, Ix *idx, Ix *ext, const Node *at, const char *tname, int axis, SrcLoc decl);
int pad_tests(Tr *tr, Ix *idx, Ix *ext, const Node *at, const char *tname, int axis, SrcLoc decl, unsigned *lo_hi);
int check_range(Tr *tr, const Node *r, Ix *hi);
int mentions_axis_from(const Ix *x, int lo, int hi);
Ix *infer_range(Tr *tr, const char *var, const Node *body, const Node *at);
Bind *whole_operand(Tr *tr, const Node *n);
int whole_rank(Tr *tr, const Node *n);
int broadcast_shape(Tr *tr, const Node *rhs, Ix **ext);
void check_outputs(Tr *tr, const Node *prog);

/* ---- lower.c: the statement builder, expressions, statements, calls */

void begin_stmt(Tr *tr, SrcLoc loc);
Val elab(Tr *tr, const Node *n);
void do_assign(Tr *tr, Node *n);

/* ---- recur.c: recurrences */

void do_recur(Tr *tr, const Node *n);
int rec_self_read(Tr *tr, Node *n);    /* 1 if n was a self-reading statement, traced as a recurrence */
RecT *rec_tensor(Tr *tr, const char *name);
int rec_read(Tr *tr, RecT *rt, Ix **idx, const Node *n);
Bind *rec_output(Tr *tr, const char *name, Stmt *s);

/* ---- trace.c: the driver */

void exec_list(Tr *tr, const NodeList *l);

#endif
