/* emit_c.h: the C back end.  Takes a scheduled Graph (sched_graph, which
 * mgc_middle_end runs last) and writes one C11
 * file: the parameter table, <model>_forward (logits for sampling),
 * <model>_loss_grad (loss and every parameter's gradient) and the MgModel
 * descriptor <model>_model.  Output depends only on the graph: byte for byte
 * deterministic. */
#ifndef MGC_EMIT_C_H
#define MGC_EMIT_C_H

#include <stdio.h>
#include "ir.h"

void emit_c(FILE *out, Graph *g);
/* Only the inline helpers and <model>_forward (static), with no #include and
 * nothing from mg_model.h: the forward pass of a standalone program. */
void emit_c_forward(FILE *out, Graph *g);
/* used[t->id] = 1 for every tensor (inputs too, read as values or through
 * indices) that the statements of <model>_forward read or write: the inputs
 * a standalone predict needs.  used has g->ntensors entries. */
void emit_c_forward_reads(const Graph *g, char *used);

/* Every string that enters the emitted C goes through one of these two.
 * emit_c_string: s as the inside of a string literal (quotes, backslashes,
 * '?', control and non-ASCII bytes escaped).  emit_c_comment: s as the text
 * of a one-line comment (neither '/' '*' nor '*' '/', no line end, no line
 * splice, no invalid UTF-8). */
void emit_c_string(FILE *out, const char *s);
void emit_c_comment(FILE *out, const char *s);

#endif
