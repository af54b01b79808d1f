/* value.c: Values, their pool, and reverse mode (see value.h).
 * Takes operand Values; hands on new Values with their local gradients, and
 * val_backward's gradients.  Invariants: a chunk is never freed before
 * val_pool_free; stack and topo always hold at least `count` entries when a
 * walk starts, so the walk itself never allocates. */
#include "value.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define VAL_CHUNK 32768         /* Values per chunk (about 1.8 MB) */

struct ValChunk {
    ValChunk *next;
    Value v[VAL_CHUNK];
};

/* one frame of the depth-first walk: a node and its next child to visit */
struct ValVisit {
    Value *v;
    unsigned next;
};

static void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q) {
        fputs("mgc: error: out of memory in the Value interpreter\n", stderr);
        exit(1);
    }
    return q;
}

void val_pool_init(ValPool *p) { memset(p, 0, sizeof *p); }

void val_pool_reset(ValPool *p)
{
    p->cur = p->first;
    p->used = 0;
    p->count = 0;
}

void val_pool_free(ValPool *p)
{
    ValChunk *c = p->first;
    while (c) {
        ValChunk *next = c->next;
        free(c);
        c = next;
    }
    free(p->stack);
    free(p->topo);
    memset(p, 0, sizeof *p);
}

size_t val_pool_count(const ValPool *p) { return p->count; }

/* Move to the next chunk, reusing one kept from before the last reset. */
static void next_chunk(ValPool *p)
{
    if (p->cur && p->cur->next) {
        p->cur = p->cur->next;
    } else {
        ValChunk *c = xrealloc(NULL, sizeof *c);
        c->next = NULL;
        if (p->cur)
            p->cur->next = c;
        else
            p->first = c;
        p->cur = c;
    }
    p->used = 0;
}

static Value *val_new(ValPool *p, double data, unsigned nchild)
{
    if (!p->cur || p->used == VAL_CHUNK)
        next_chunk(p);
    Value *v = &p->cur->v[p->used++];
    p->count++;
    v->data = data;
    v->grad = 0.0;
    v->nchild = nchild;
    v->mark = 0;
    return v;
}

Value *val_unary(ValPool *p, double data, Value *a, double la)
{
    Value *v = val_new(p, data, 1);
    v->child[0] = a;
    v->local[0] = la;
    return v;
}

Value *val_binary(ValPool *p, double data, Value *a, double la, Value *b, double lb)
{
    Value *v = val_new(p, data, 2);
    v->child[0] = a;
    v->child[1] = b;
    v->local[0] = la;
    v->local[1] = lb;
    return v;
}

Value *val_leaf(ValPool *p, double x) { return val_new(p, x, 0); }

Value *val_add(ValPool *p, Value *a, Value *b) { return val_binary(p, a->data + b->data, a, 1.0, b, 1.0); }

/* a + (b * -1): b * -1 is exactly -b, and a + (-b) is exactly a - b.  The
 * reference's extra node sits right after this one in reverse topological
 * order and passes on -1 * grad, so the fused node accumulates the same. */
Value *val_sub(ValPool *p, Value *a, Value *b) { return val_binary(p, a->data - b->data, a, 1.0, b, -1.0); }

Value *val_mul(ValPool *p, Value *a, Value *b)
{
    return val_binary(p, a->data * b->data, a, b->data, b, a->data);
}

Value *val_pow(ValPool *p, Value *a, double k)
{
    return val_unary(p, pow(a->data, k), a, k * pow(a->data, k - 1.0));
}

Value *val_exp(ValPool *p, Value *a)
{
    double e = exp(a->data);
    return val_unary(p, e, a, e);
}

Value *val_log(ValPool *p, Value *a) { return val_unary(p, log(a->data), a, 1.0 / a->data); }

Value *val_relu(ValPool *p, Value *a)
{
    double x = a->data;
    return val_unary(p, x > 0 ? x : 0.0, a, x > 0 ? 1.0 : 0.0);
}

Value *val_tanh(ValPool *p, Value *a)
{
    double t = tanh(a->data);
    return val_unary(p, t, a, 1.0 - t * t);
}

Value *val_neg(ValPool *p, Value *a) { return val_mul(p, a, val_leaf(p, -1.0)); }

Value *val_div(ValPool *p, Value *a, Value *b) { return val_mul(p, a, val_pow(p, b, -1.0)); }

/* A fresh visit stamp; on wrap-around clear every mark so none looks visited. */
static unsigned new_stamp(ValPool *p)
{
    if (++p->stamp == 0) {
        for (ValChunk *c = p->first; c; c = c->next) {
            size_t n = c == p->cur ? p->used : VAL_CHUNK;
            for (size_t i = 0; i < n; i++)
                c->v[i].mark = 0;
            if (c == p->cur)
                break;
        }
        p->stamp = 1;
    }
    return p->stamp;
}

/* build_topo(root) without recursion: a node is marked when first entered,
 * its children are entered in order, and it is appended once they are done.
 * Leaves are skipped: they have nothing to pass on, and leaving them out does
 * not change the relative order of the other nodes.  Returns the length. */
static size_t build_topo(ValPool *p, Value *root)
{
    if (p->cap < p->count + 1) {
        p->cap = p->count + 1;
        p->stack = xrealloc(p->stack, p->cap * sizeof *p->stack);
        p->topo = xrealloc(p->topo, p->cap * sizeof *p->topo);
    }
    unsigned stamp = new_stamp(p);
    size_t n = 0, sp = 0;
    if (root->nchild == 0)
        return 0;
    root->mark = stamp;
    p->stack[sp++] = (ValVisit){root, 0};
    while (sp) {
        ValVisit *top = &p->stack[sp - 1];
        if (top->next < top->v->nchild) {
            Value *c = top->v->child[top->next++];
            if (c->nchild && c->mark != stamp) {
                c->mark = stamp;
                p->stack[sp++] = (ValVisit){c, 0};
            }
        } else {
            p->topo[n++] = top->v;
            sp--;
        }
    }
    return n;
}

void val_backward(ValPool *p, Value *root)
{
    size_t n = build_topo(p, root);
    root->grad = 1.0;
    for (size_t k = n; k-- > 0;) {
        Value *v = p->topo[k];
        for (unsigned i = 0; i < v->nchild; i++)
            v->child[i]->grad += (p->absolute ? fabs(v->local[i]) : v->local[i]) * v->grad;
    }
}
