/* pipeline.h: the stages before autodiff as one call, and the optimising
 * middle end (opt.h) as another. */
#ifndef MGC_PIPELINE_H
#define MGC_PIPELINE_H

#include "ir.h"
#include "trace.h"

enum { DUMP_AST = 1, DUMP_TRACE = 2, DUMP_AUTODIFF = 4, DUMP_PASS = 8 };

/* What the command line sets for one compilation. */
typedef struct MgcOpts {
    TraceOpts trace;    /* mgc -D NAME=VALUE */
    long max_memory;    /* bytes (MGC_DEFAULT_MAX_MEMORY, or mgc --max-memory) */
} MgcOpts;
/* The defaults: no -D, the default memory limit. */
void mgc_opts_init(MgcOpts *o);

/* Read, parse (with the prelude) and trace PATH; NULL after reporting errors.
 * opts NULL: the defaults. */
Graph *mgc_front_end(const char *path, const char *name, int dump, const MgcOpts *opts);
/* The passes after autodiff, in order: fold, licm, cse, dce, reduce, fuse, then the memory
 * plan and the schedule.  Bit i of `off` turns pass i off (mgc_pass_bit; "reuse" is the plan's
 * buffer sharing); bit i of `dump` prints the graph after pass i. */
void mgc_middle_end(Graph *g, unsigned off, unsigned dump);
/* A pass's bit shifted by this in `dump`: print only the lines of the graph that pass
 * changed ('-' removed, '+' added), as --dump-changes=PASS does. */
#define MGC_DUMP_CHANGES(bit) ((bit) << 16)
/* This bit in `dump`: print the schedule, the kernel of every statement
 * (schedule.c), which mgc_middle_end makes after the plan. */
#define MGC_DUMP_SCHEDULE (1u << 31)
/* Called after each pass in order (ran = 0 when it was turned off), then with
 * "plan"; it only looks (mgc --explain counts the graph with it). */
typedef void (*MgcPassHook)(const Graph *g, const char *pass, int ran, void *arg);
/* mgc_middle_end with a hook (NULL: none) */
void mgc_middle_end_hook(Graph *g, unsigned off, unsigned dump, MgcPassHook hook, void *arg);
/* The bit of a pass name ("cse", ..., "plan", "reuse"), or 0 if unknown. */
unsigned mgc_pass_bit(const char *name);
/* Comma-separated names of the passes, for messages. */
extern const char mgc_pass_names[];

/* The limit on the parameters and, separately, on the scratch memory of a
 * model, in bytes: 2^31 doubles (16 GiB) each unless mgc --max-memory sets
 * MgcOpts.max_memory.  mgc_front_end refuses parameters beyond it;
 * mgc_scratch_fits (after the memory plan) reports scratch beyond it and
 * returns 0. */
#define MGC_DEFAULT_MAX_MEMORY (8L << 31)
int mgc_scratch_fits(const Graph *g, const MgcOpts *opts);

/* "models/mlp.mg" -> "mlp", made a C identifier */
const char *mgc_model_name(const char *path);

#endif
