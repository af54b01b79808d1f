/* cli_mpi.c: the ranks of a data-parallel run under MPI: their agreement on
 * failures, their timeouts and the sum of their gradients.
 * Takes each rank's failure or node sum; hands on one answer, the same on every rank.
 * Without MGC_MPI there is one rank and each function passes its input through. */
#include "cli_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#ifdef MGC_MPI
#include <mpi.h>
#endif


/* Every rank says whether it failed (bad != 0); when any did, rank 0 prints
 * each failed rank's message, naming the rank, and every rank returns 1.
 * Called at the same points by all ranks, so none waits forever on another
 * that has stopped. */
#ifdef MGC_MPI
static void ranks_wait(Cli *c, MPI_Request *req, int n, int per_rank, int step);
#endif

int cli_ranks_agree(Cli *c, int bad) {
#ifdef MGC_MPI
    if (c->ranks == 1) return bad;
    int any = 0;
    MPI_Request req;
    MPI_Iallreduce(&bad, &any, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD, &req);
    ranks_wait(c, &req, 1, 0, 0);
    if (!any) return 0;
    char msg[sizeof c->rank_error];
    snprintf(msg, sizeof msg, "%s", bad ? c->rank_error : "");
    char *all = c->rank == 0 ? malloc(sizeof msg * (size_t)c->ranks) : NULL;
    int *flags = c->rank == 0 ? malloc(sizeof *flags * (size_t)c->ranks) : NULL;
    MPI_Igather(msg, (int)sizeof msg, MPI_CHAR, all, (int)sizeof msg, MPI_CHAR, 0, MPI_COMM_WORLD, &req);
    ranks_wait(c, &req, 1, 0, 0);
    MPI_Igather(&bad, 1, MPI_INT, flags, 1, MPI_INT, 0, MPI_COMM_WORLD, &req);
    ranks_wait(c, &req, 1, 0, 0);
    /* (a rank that failed as rank 0 did, with its message, is not repeated) */
    for (int k = 1; c->rank == 0 && all && flags && k < c->ranks; k++)
        if (flags[k] && !(bad && !strcmp(all + (size_t)k * sizeof msg, c->rank_error)))
            cli_error(c, "rank %d of %d: %s", k, c->ranks, all + (size_t)k * sizeof msg);
    free(all);
    free(flags);
    return 1;
#else
    (void)c;
    return bad;
#endif
}

#ifdef MGC_MPI
enum { TAG_SUM = 7, TAG_RESULT = 8 };

/* Wait for req[0..n) for at most --rank-timeout seconds.  When time runs out
 * on rank 0 and `per_rank` is set, req[k] is the message to or from rank k,
 * and the ranks whose message has not gone through are named ("stopped
 * answering"); then the process exits with status 1, which stops the job, so
 * no rank waits forever on one that died or hangs.
 * (mpirun by default stops the whole job itself when a process dies, naming
 * it; with --mca orte_enable_recovery 1 the others go on and this message
 * comes from rank 0.) */
static void ranks_wait(Cli *c, MPI_Request *req, int n, int per_rank, int step) {
    double t0 = MPI_Wtime();
    for (;;) {
        int done = 0;
        MPI_Testall(n, req, &done, MPI_STATUSES_IGNORE);
        if (done) return;
        if (MPI_Wtime() - t0 > c->rank_timeout) break;
    }
    if (c->rank == 0) {
        int named = 0;
        for (int k = 1; per_rank && k < n; k++) {
            int arrived = 0;
            MPI_Test(&req[k], &arrived, MPI_STATUS_IGNORE);
            if (!arrived)
                named += cli_error(c, "rank %d of %d stopped answering at step %d: nothing from it for %g s "
                                   "(it died or hangs); training stopped", k, c->ranks, step, c->rank_timeout);
        }
        if (!named)
            cli_error(c, "the %d ranks did not all answer within %g s (one died or hangs); stopped", c->ranks,
                      c->rank_timeout);
    } else {
        fflush(stdout);
        fprintf(stderr, "%s: error: rank %d of %d: rank 0 did not answer within %g s (at step %d); stopped\n", c->prog,
                c->rank, c->ranks, c->rank_timeout, step);
    }
    /* exit status 1 stops the job (mpirun's orte_abort_on_non_zero_status);
     * MPI_Abort's status is not always passed on when recovery is enabled */
    fflush(stderr);
    _exit(1);
}
#endif

/* Add up the ranks' node sums x[0..n) and losses as the top of the batch's
 * summation tree (tree_top), on rank 0, and send the result to every rank:
 * the same bits everywhere, and with a power of two of ranks the bits of one
 * process.  Point to point, not a collective: rank 0 receives each rank's
 * sum as its own message, so when one does not come within --rank-timeout
 * rank 0 knows which rank to name (a rank that dies after its result was
 * sent is named at the next step, when its sum does not come).  Returns the
 * total loss. */
double cli_ranks_combine(Run *r, double *x, size_t n, double loss, int step) {
#ifdef MGC_MPI
    Cli *c = r->cli;
    double t0 = MPI_Wtime();
    int P = c->ranks;
    /* n + 1 doubles a rank: its sum, then its loss (n < 2^31 here) */
    int len = (int)(n + 1);
    if (c->rank != 0) {
        double *mine = r->gdoc;     /* free between steps: the last document's gradients */
        memcpy(mine, x, n * sizeof *x);
        mine[n] = loss;
        MPI_Request req[2];
        MPI_Isend(mine, len, MPI_DOUBLE, 0, TAG_SUM, MPI_COMM_WORLD, &req[0]);
        ranks_wait(c, req, 1, 0, step);
        MPI_Irecv(mine, len, MPI_DOUBLE, 0, TAG_RESULT, MPI_COMM_WORLD, &req[1]);
        ranks_wait(c, &req[1], 1, 0, step);
        memcpy(x, mine, n * sizeof *x);
        c->comm_seconds += MPI_Wtime() - t0;
        return mine[n];
    }
    MPI_Request *req = r->rank_req;
    double **sums = r->rank_sums, *losses = r->rank_losses;
    req[0] = MPI_REQUEST_NULL;
    for (int k = 1; k < P; k++)
        MPI_Irecv(r->gathered + (size_t)k * (n + 1), len, MPI_DOUBLE, k, TAG_SUM, MPI_COMM_WORLD, &req[k]);
    ranks_wait(c, req, P, 1, step);
    memcpy(r->gathered, x, n * sizeof *x);
    r->gathered[n] = loss;
    int top = 1;
    while (top * 2 <= P) top *= 2;
    for (int k = 0; k < P; k++) {
        sums[k] = r->gathered + (size_t)k * (n + 1);
        losses[k] = sums[k][n];
    }
    cli_tree_top(sums, losses, top, n, 1);
    for (int k = top; k < P; k++) {      /* not a power of two: the rest in order */
        for (size_t i = 0; i < n; i++) sums[0][i] += sums[k][i];
        losses[0] += losses[k];
    }
    sums[0][n] = losses[0];
    for (int k = 1; k < P; k++)
        MPI_Isend(sums[0], len, MPI_DOUBLE, k, TAG_RESULT, MPI_COMM_WORLD, &req[k]);
    ranks_wait(c, req, P, 1, step);
    memcpy(x, sums[0], n * sizeof *x);
    c->comm_seconds += MPI_Wtime() - t0;
    return losses[0];
#else
    (void)r, (void)x, (void)n, (void)step;
    return loss;
#endif
}
