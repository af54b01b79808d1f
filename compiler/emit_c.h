/* emit_c.h: the C back end.  Takes a differentiated Graph and writes one C11
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

#endif
