/* trace.h: from the checked syntax tree to the tensor graph.
 * Takes the prelude and the model's A_PROGRAM, evaluates constants, unrolls
 * `for` loops, inlines functions (mapping them over extra leading axes), checks
 * every name, shape and index range, and hands on a Graph of forward
 * statements.  Every user error is reported here or in sema with its location. */
#ifndef MGC_TRACE_H
#define MGC_TRACE_H

#include "ast.h"
#include "ir.h"

/* What the command line sets for tracing: mgc -D NAME=VALUE, the top-level
 * 'const NAME' taking VALUE instead of its expression.  Zeroed: none. */
enum { TRACE_MAX_OVERRIDES = 32 };
typedef struct TraceOpts {
    struct {
        const char *name, *value;
    } def[TRACE_MAX_OVERRIDES];
    int ndef;
} TraceOpts;

/* NULL when errors were reported (diag_errors() > 0).  opts may be NULL. */
Graph *trace_program(const Node *prelude, const Node *prog, const char *model, const char *source,
                     const TraceOpts *opts);
/* Add -D NAME=VALUE to o (a second one for NAME replaces the first; VALUE is
 * checked when the program is traced); -1 when there are too many. */
int trace_override(TraceOpts *o, const char *name, const char *value);

#endif
