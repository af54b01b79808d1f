/* explain.h: statistics for mgc --explain.  The driver records the graph's
 * size after trace, after autodiff and after each pass (explain_stage, also
 * usable as the middle end's pass hook), then explain_print writes one
 * deterministic report: sizes per stage, parameters, FLOPs, memory, C lines. */
#ifndef MGC_EXPLAIN_H
#define MGC_EXPLAIN_H

#include <stdio.h>
#include "ir.h"

#define EXPLAIN_MAX_STAGES 16

typedef struct ExplainStage {
    const char *name;
    int ran;                /* 0: the pass was turned off */
    int nfwd, nbwd;         /* statements */
    long exfwd, exbwd;      /* expression (Ex) nodes */
} ExplainStage;

typedef struct Explain {
    ExplainStage st[EXPLAIN_MAX_STAGES];
    int n;
    double traced[2];       /* FLOPs at T = Tmax after autodiff: forward, backward */
} Explain;

/* Record g's size under `name`; its signature is the middle end's MgcPassHook. */
void explain_stage(const Graph *g, const char *name, int ran, void *x);
/* FLOPs at T = g->Tmax: out[0] forward, out[1] backward.  `emitted`: count
 * what the emitted code does (a gradient's first writer assigns, no add). */
void explain_flops(const Graph *g, int emitted, double out[2]);
/* The report; c_lines is the number of lines of emitted C. */
void explain_print(FILE *f, const Explain *x, const Graph *g, long c_lines);

#endif
