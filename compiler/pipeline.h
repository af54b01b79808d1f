/* pipeline.h: the stages before autodiff, as one call. */
#ifndef MGC_PIPELINE_H
#define MGC_PIPELINE_H

#include "ir.h"

enum { DUMP_AST = 1, DUMP_TRACE = 2, DUMP_AUTODIFF = 4 };

/* Read, parse (with the prelude) and trace PATH; NULL after reporting errors. */
Graph *mgc_front_end(const char *path, const char *name, int dump);
/* "models/mlp.mg" -> "mlp", made a C identifier */
const char *mgc_model_name(const char *path);

#endif
