/* opt.h: the optimising middle end.  Each pass takes the differentiated Graph
 * and rewrites its statement lists in place; main.c runs them as a flat list,
 * each switchable (--no-opt=PASS) and dumpable (--dump=PASS), with ir_verify
 * between passes.  Every pass keeps the value of every tensor the emitted code
 * returns (logits, loss, parameter gradients) bit for bit: none reorders
 * floating-point arithmetic.
 *
 *   opt_fold.c   constant folding and algebraic simplification
 *   opt_licm.c   hoist loop-invariant libm calls into their own statements
 *   opt_cse.c    reuse a value an earlier statement already computed
 *   opt_dce.c    drop statements whose results nobody reads
 *   opt_split.c  a loop over c whose statement reads c // K becomes loops
 *                over c // K and c % K (attention's heads)
 *   opt_reduce.c accumulations over loops the output does not depend on
 *                become sums kept in a register
 *   opt_fuse.c   fuse elementwise chains into one loop nest; keep a value
 *                used only there in a register instead of a buffer
 *   plan.c       the memory plan: buffers share scratch by liveness
 *   opt_closed.c --fast and --dtype=f32 only, before the others (they make no
 *                claim to the reference's bits): closed-form softmax,
 *                cross-entropy and rmsnorm backward statements */
#ifndef MGC_OPT_H
#define MGC_OPT_H

#include "ir.h"

void opt_fold(Graph *g);
void opt_licm(Graph *g);
void opt_cse(Graph *g);
void opt_dce(Graph *g);
void opt_split(Graph *g);
void opt_reduce(Graph *g);
void opt_fuse(Graph *g);
/* --fast, --dtype=f32 only (before the passes above): closed-form softmax and rmsnorm backward */
void opt_closed(Graph *g);
/* the schedule (back/schedule.c) computes this sum four outputs at a time (opt_fuse leaves it alone) */
int opt_blockable(const Stmt *s, long *extent);
/* Give every scratch tensor its offset; returns the doubles of scratch. */
long plan_memory(Graph *g, int reuse);

/* ---- helpers shared by the passes (opt_util.c) ---- */
/* Apply f to every expression slot of every statement, in order. */
typedef Ex *(*ExRewrite)(Ex *e, Stmt *s, void *arg);
Ex *opt_rewrite(Ex *e, Stmt *s, ExRewrite f, void *arg);   /* bottom-up */
/* e with loop variable var replaced by `with` in every index. */
Ex *opt_subst(Ex *e, int var, Ix *with);
/* mark (by var id) every loop variable e mentions */
void opt_ex_vars(const Ex *e, char *mask);
void opt_ix_vars(const Ix *x, char *mask);
/* 1 if e calls exp, log, pow or tanh */
int opt_has_call(const Ex *e);
/* Structural equality; vars of `a` listed in from[] match vars to[] of `b`. */
int opt_ex_equal(const Ex *a, const Ex *b);
/* the same, with each index of a passed through map(arg, index) first */
int opt_ex_equal_map(const Ex *a, const Ex *b, Ix *(*map)(void *, Ix *), void *arg);
/* x is loop variable var plus an affine part that does not mention var (the
 * index c_q * K + c_r after opt_split, in c_r) */
int opt_plus_var(const Ix *x, int var);
/* Does e read tensor t? */
int opt_reads(const Ex *e, const Tensor *t);
/* Remove the statements with del[i] set from l. */
void opt_compact(StmtList *l, const char *del);
/* Number of statements (forward and backward) that write t. */
int opt_writers(const Graph *g, const Tensor *t);
/* writers[t->id] = opt_writers(g, t) for every tensor, in one pass */
void opt_count_writers(const Graph *g, int *writers);

#endif
