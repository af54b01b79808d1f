/* value.h: the scalar autograd engine of the reference interpreter (micrograd).
 * Takes doubles and builds a DAG of Values, each recording its children's local
 * gradients at forward time; hands on val_backward, which fills every grad in
 * exactly the order of the Python reference's recursive build_topo.
 * Invariants: every Value lives in a ValPool and all die together at
 * val_pool_reset; after creation only `grad` (and the visit mark) change. */
#ifndef MG_VALUE_H
#define MG_VALUE_H

#include <stddef.h>

typedef struct Value Value;
struct Value {
    double data;
    double grad;            /* d(root)/d(this) after val_backward; 0 before */
    Value *child[2];        /* operands, in the order the op received them */
    double local[2];        /* d(this)/d(child[i]), recorded at forward time */
    unsigned nchild;        /* 0 for a leaf */
    unsigned mark;          /* visit stamp used by val_backward */
};

typedef struct ValChunk ValChunk;
typedef struct ValVisit ValVisit;

/* A pool of Values carved from large chunks: no allocation per node.
 * Zero-initialise it (or call val_pool_init) before use. */
typedef struct ValPool {
    ValChunk *first, *cur;  /* chunk list; cur is being filled */
    size_t used;            /* Values taken from cur */
    size_t count;           /* Values handed out since the last reset */
    unsigned stamp;         /* visit stamp of the latest val_backward */
    ValVisit *stack;        /* val_backward's depth-first stack */
    Value **topo;           /* val_backward's topological order */
    size_t cap;             /* capacity of stack and topo */
    int absolute;           /* val_backward sums |local| * grad (see below) */
} ValPool;

void val_pool_init(ValPool *p);
/* Forget every Value (their memory is reused); keeps the chunks. */
void val_pool_reset(ValPool *p);
void val_pool_free(ValPool *p);
/* Values created since the last reset. */
size_t val_pool_count(const ValPool *p);

/* A leaf: a constant or a parameter.  No children. */
Value *val_leaf(ValPool *p, double x);
/* The primitives; locals as in micrograd:
 *   add (1, 1)   mul (b, a)   pow k * a^(k-1)   exp e^a   log 1/a
 *   relu a > 0 ? 1 : 0   tanh 1 - t*t
 *   sub (1, -1): bit for bit the same values and gradients as a + (b * -1). */
Value *val_add(ValPool *p, Value *a, Value *b);
Value *val_sub(ValPool *p, Value *a, Value *b);
Value *val_mul(ValPool *p, Value *a, Value *b);
Value *val_pow(ValPool *p, Value *a, double k);
Value *val_exp(ValPool *p, Value *a);
Value *val_log(ValPool *p, Value *a);
Value *val_relu(ValPool *p, Value *a);
Value *val_tanh(ValPool *p, Value *a);
/* Any other primitive f(a): its value and local derivative d f/d a, both
 * computed by the caller (an element op's rule in interp.c). */
Value *val_unary(ValPool *p, double data, Value *a, double local);
/* Any other primitive f(a, b), as val_unary: value and both local derivatives. */
Value *val_binary(ValPool *p, double data, Value *a, double la, Value *b, double lb);
/* Built from primitives, as in the reference: -a is a * -1, a / b is a * b^-1. */
Value *val_neg(ValPool *p, Value *a);
Value *val_div(ValPool *p, Value *a, Value *b);

/* Reverse mode from root: topological order by depth-first post-order
 * (children in order, as the reference's recursive build_topo, but with an
 * explicit stack), root->grad = 1, then for each node in reverse order
 * child->grad += local * node->grad.  Grads are not cleared first: every
 * Value starts at 0, so call it once per graph.  All Values must be from p.
 * With p->absolute set it sums |local| * grad instead: each grad becomes the
 * sum of the magnitudes of the chain-rule terms that make up the gradient,
 * the scale its rounding error is relative to (the differential fuzzer
 * judges a gradient that cancels against it). */
void val_backward(ValPool *p, Value *root);

#endif
