/* schedule.h: how each statement runs, decided after the memory plan and
 * before printing.  sched_graph gives every statement (Stmt.sched) a Schedule:
 * its kernel and that kernel's parameters; emit_c.c prints what it says and
 * decides nothing; mgc --dump=schedule prints it (sched_dump).  Every kernel
 * adds each sum in the reference's order, except where the flags allow
 * another: split and lane sums (--fast, --dtype=f32) and GEMM (--blas). */
#ifndef MGC_SCHEDULE_H
#define MGC_SCHEDULE_H

#include <stdio.h>
#include "ir.h"

/* the most sums a kernel computes side by side in one loop (BLOCK, ROWS) */
enum { SCHED_MAX_BLOCK = 4 };

typedef enum {
    SCHED_SEED,     /* the loss gradient's seed, d_loss[0] = 1.0: no loop */
    SCHED_LOOPS,    /* the statement's loops as written; the fused ones after it inside its output loops */
    SCHED_FUSED,    /* inside the output loops of the SCHED_LOOPS statement before it */
    SCHED_GEMM,     /* one mg_sgemm call (--blas) */
    SCHED_VECTOR,   /* acc_[u] for every u of the last output loop side by side, `rows` rows of w at once */
    SCHED_TILES,    /* a matrix product: `block` x `block` lane sums of (w, u), the rest of w as BLOCKED */
    SCHED_BLOCKED,  /* `block` sums of u side by side */
    SCHED_COLUMNS   /* exact f64: w[u, r] * x[.., r] with w a parameter: acc_[u] side by side over a
                     * transposed copy of w (its columns as rows), `rows` rows at once */
} SchedKind;

/* The kernel of one statement and its parameters; w and u are the last two
 * output loops (u the last), the reduction loops follow. */
typedef struct Schedule {
    SchedKind kind;
    int group;          /* statements in this loop nest: itself and the fused ones after it */
    int par_loop;       /* index in loops[] of the loop that runs on OpenMP threads, or -1 */
    int simd;           /* VECTOR: `omp simd` on the loops over u (a nest large enough for threads) */
    long split;         /* LOOPS, FUSED: a sum over its one constant loop of this extent as four
                         * interleaved partial sums (--fast); 0: one sum in order */
    long extent;        /* VECTOR, TILES, BLOCKED: the constant extent of u */
    int block;          /* TILES, BLOCKED: sums side by side, in u (and in w for TILES) */
    int lanes;          /* TILES, BLOCKED: partial sums of each output over the one reduction loop,
                         * lane l taking the terms i % lanes == l; 0: one sum in order */
    long red;           /* with lanes: the extent of that reduction loop */
    int rows;           /* VECTOR, COLUMNS: rows of w summed together (1: one row at a time) */
    long tile;          /* VECTOR, COLUMNS: the tile of u for those rows (extent: all of u) */
    long row_tile;      /* VECTOR, COLUMNS: the tile of u for a single row */
    int rest;           /* VECTOR, COLUMNS with rows: w may leave fewer than `rows`, done one row at a time */
    /* GEMM: out (row stride ldc) = (beta 0) or += (beta 1) op(A) op(B), M x N over K, op = transposed if ta/tb */
    int ta, tb, beta;
    const Ix *M, *K;
    long N, lda, ldb, ldc;
    const Tensor *A, *B;
    /* COLUMNS: the parameter's read wread (the other factor xread, w_first: wread is the left
     * factor) and its transposed copy, red rows of `pad` doubles (extent rounded up to a whole
     * vector, zeros after extent) at scratch + wt_off; extent, rows, tile, red, rest as above */
    const Ex *wread, *xread;
    int w_first;
    long pad, wt_off;
    int overlap;        /* COLUMNS, VECTOR (exact f64) with rest, stored with = (not from the output): the rest of w (when w has at least `rows`
                         * rows) is one block of `rows` that overlaps the block before it */
} Schedule;

/* a Schedule for every statement of g (after plan_memory; reads g's flags) */
void sched_graph(Graph *g);
/* the schedule as text, one line per statement: where, output, kernel and parameters */
void sched_dump(FILE *f, const Graph *g);

/* A sum starts from its output's value (opt_reduce) unless that output is
 * being assigned for the first time; it then stores with =.  Otherwise it
 * starts from 0 and adds to an accumulated output. */
int sched_from_out(const Stmt *s);
int sched_adds(const Stmt *s);

#endif
