/* emit_dot.h: the traced graph as Graphviz DOT (mgc --emit=dot).  Takes the
 * Graph after autodiff (before the optimisation passes) and writes one node
 * per tensor statement and per parameter or input, with an edge from each
 * writer of a tensor to every later statement that reads it; the forward and
 * backward statements are in two clusters.  Deterministic, like emit_c. */
#ifndef MGC_EMIT_DOT_H
#define MGC_EMIT_DOT_H

#include <stdio.h>
#include "ir.h"

void emit_dot(FILE *out, const Graph *g);
/* A short name for what statement s computes: "matvec/sum", "exp -", "+= *". */
const char *emit_dot_op(const Stmt *s);

#endif
