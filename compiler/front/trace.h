/* trace.h: from the checked syntax tree to the tensor graph.
 * Takes the prelude and the model's A_PROGRAM, evaluates constants, unrolls
 * `for` loops, inlines functions (mapping them over extra leading axes), checks
 * every name, shape and index range, and hands on a Graph of forward
 * statements.  Every user error is reported here or in sema with its location. */
#ifndef MGC_TRACE_H
#define MGC_TRACE_H

#include "ast.h"
#include "ir.h"

/* NULL when errors were reported (diag_errors() > 0). */
Graph *trace_program(const Node *prelude, const Node *prog, const char *model, const char *source);
/* mgc -D NAME=VALUE: the top-level 'const NAME' takes VALUE instead of its
 * expression (checked when the program is traced); -1 when there are too many. */
int trace_override(const char *name, const char *value);

#endif
