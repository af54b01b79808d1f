/* test_mpi.c: data-parallel training over MPI (issue #9), with Debian's
 * OpenMPI on this machine (--oversubscribe: two ranks on whatever cores
 * there are).  Two ranks with --batch 4 against one process with --batch 8:
 * the same losses and parameters to 1e-12; a checkpoint resumed on another
 * number of ranks; a rank that cannot read its data stops the job with a
 * message from rank 0 naming it, and nothing hangs (each run is under
 * `timeout`).  A model of examples (tests/inputs/cls.mg) with --data: two
 * ranks are one process, bit for bit. */
#include <criterion/criterion.h>
#include <math.h>

#include "../common/run.h"
#include "mg_safetensors.h"

#define MPIRUN "OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 timeout 120 " MGC_MPIRUN " --oversubscribe"
#define SINGLE MGC_BUILD_DIR "/microgpt"

enum { MAX_STEPS = 200 };

/* the losses of a --log file; returns how many */
static int losses(const char *path, double *loss)
{
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "no log %s", path);
    char line[256];
    int n = 0, step;
    cr_assert_not_null(fgets(line, sizeof line, f));
    while (n < MAX_STEPS && fgets(line, sizeof line, f) && sscanf(line, "%d,%lf", &step, &loss[n]) == 2)
        n++;
    fclose(f);
    return n;
}

static void same_losses(const char *a, const char *b, int want)
{
    static double x[MAX_STEPS], y[MAX_STEPS];
    cr_assert_eq(losses(a, x), want, "%s", a);
    cr_assert_eq(losses(b, y), want, "%s", b);
    double worst = 0;
    for (int i = 0; i < want; i++)
        worst = fmax(worst, fabs(x[i] - y[i]));
    printf("losses of %s and %s: largest difference %.3g over %d steps\n", a, b, worst, want);
    cr_expect_leq(worst, 1e-12);
    cr_expect_eq(worst, 0, "two ranks take nodes of one summation tree: the same bits");
}

/* every parameter of two checkpoints within 1e-12 relative to its tensor's
 * largest magnitude (the element-wise relative difference is printed too: it
 * is larger where a parameter is near 0) */
static void same_params(const char *a, const char *b)
{
    MgSafetensors x, y;
    MgErr e;
    cr_assert_eq(mg_st_read(&x, a, &e), 0, "%s", e.msg);
    cr_assert_eq(mg_st_read(&y, b, &e), 0, "%s", e.msg);
    cr_assert_eq(x.n, y.n);
    double worst = 0, worst_elem = 0;
    for (int i = 0; i < x.n; i++) {
        const MgStTensor *p = &x.t[i], *q = mg_st_find(&y, p->name);
        cr_assert_not_null(q, "%s lacks %s", b, p->name);
        cr_assert_eq(p->numel, q->numel);
        double scale = 0, diff = 0;
        for (size_t k = 0; k < p->numel; k++) {
            double d = fabs(p->data[k] - q->data[k]), s = fmax(fabs(p->data[k]), fabs(q->data[k]));
            scale = fmax(scale, s);
            diff = fmax(diff, d);
            worst_elem = fmax(worst_elem, s > 0 ? d / s : d);
        }
        worst = fmax(worst, scale > 0 ? diff / scale : diff);
    }
    printf("tensors of %s and %s: largest difference %.3g of the tensor's largest magnitude (%.3g of the element)\n",
           a, b, worst, worst_elem);
    cr_expect_leq(worst, 1e-12);
    cr_expect_eq(worst_elem, 0, "two ranks take nodes of one summation tree: the same bits");
    mg_st_free(&x);
    mg_st_free(&y);
}

static int count(const char *s, const char *what)
{
    int n = 0;
    for (const char *p = s; (p = strstr(p, what)); p++)
        n++;
    return n;
}

Test(mpi, two_ranks_of_4_are_one_process_of_8)
{
    const char *d = tmpdir();   /* its own folder: another checkout's run may be going on */
    Run *r = run("%s train --batch 8 --steps 60 --num 0 --progress plain --log %s/one.csv --save %s/one.ck", SINGLE, d, d);
    cr_assert_eq(r->status, 0, "one process: %s", r->err);
    r = run("%s -np 2 %s train --batch 4 --steps 60 --num 2 --progress plain --log %s/two.csv --save %s/two.ck",
            MPIRUN, MPI_TRAINER, d, d);
    cr_assert_eq(r->status, 0, "two ranks (exit %d): %s", r->status, r->err);
    cr_expect_eq(count(r->out, "step "), 60, "only rank 0 prints: %s", r->out);
    cr_expect_eq(count(r->out, "sample "), 2);
    cr_expect(strstr(r->out, "mpi: 2 ranks, each with 4 documents a step;"), "%s", r->out);
    char a[128], b[128];
    snprintf(a, sizeof a, "%s/one.csv", d);
    snprintf(b, sizeof b, "%s/two.csv", d);
    same_losses(a, b, 60);
    snprintf(a, sizeof a, "%s/one.ck", d);
    snprintf(b, sizeof b, "%s/two.ck", d);
    same_params(a, b);

    /* the two-rank checkpoint (8 documents a step) goes on, on one process and on two */
    r = run("%s train --load %s/two.ck --steps 90 --num 0 --progress plain --log %s/r1.csv --save %s/r1.ck", SINGLE, d,
            d, d);
    cr_assert_eq(r->status, 0, "resume on one process: %s", r->err);
    r = run("%s -np 2 %s train --load %s/two.ck --steps 90 --num 0 --progress plain --log %s/r2.csv --save %s/r2.ck",
            MPIRUN, MPI_TRAINER, d, d, d);
    cr_assert_eq(r->status, 0, "resume on two ranks: %s", r->err);
    cr_expect(strstr(r->out, "step   61 /   90"), "resumed at step 61: %.200s", r->out);
    snprintf(a, sizeof a, "%s/r1.csv", d);
    snprintf(b, sizeof b, "%s/r2.csv", d);
    same_losses(a, b, 30);        /* new logs: steps 61 .. 90 */
    snprintf(a, sizeof a, "%s/r1.ck", d);
    snprintf(b, sizeof b, "%s/r2.ck", d);
    same_params(a, b);
    r = run("%s -np 2 %s train --load %s/two.ck --steps 90 --batch 3 --num 0", MPIRUN, MPI_TRAINER, d);
    cr_expect_neq(r->status, 0);
    cr_expect(strstr(r->err, "cannot resume this run with --batch 3 per rank: it trained with 8 documents a step"),
              "stderr: %s", r->err);
    cr_expect_eq(count(r->err, "cannot resume"), 1, "one message, from rank 0: %s", r->err);
    r = run("rm -rf %s", d);
    cr_assert_eq(r->status, 0);
}

Test(mpi, a_rank_that_cannot_read_its_data_stops_the_job)
{
    const char *d = tmpdir();
    char path[128];
    snprintf(path, sizeof path, "%s/words.txt", d);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs("abcdefghijklmnopqrstuvwxyz\nemma\nolivia\n", f);
    fclose(f);
    Run *r = run("MGC_TEST_FAULT=data %s -np 2 %s train --data %s --steps 5 --num 0", MPIRUN, MPI_FAULT_TRAINER, path);
    cr_expect_neq(r->status, 124, "the job hung (timeout)");
    cr_expect_neq(r->status, 0, "the job went on");
    cr_expect(strstr(r->err, "microgpt: error: rank 1 of 2: /nonexistent/rank1-data.txt: cannot open"), "stderr: %s",
              r->err);
    cr_expect_eq(count(r->out, "step "), 0, "trained anyway: %s", r->out);
    r = run("rm -rf %s", d);
    cr_expect_eq(r->status, 0);
}

/* A rank that dies during training (SIGALRM, two seconds in): with mpirun's
 * orte_enable_recovery the other rank goes on to the next reduction, and
 * after --rank-timeout rank 0 names the rank that stopped answering and ends
 * the job.  (Without recovery, mpirun itself stops every rank at once, with
 * exit status 1, naming the dead one.) */
Test(mpi, a_rank_that_dies_is_named_by_rank_0)
{
    Run *r = run("MGC_TEST_FAULT=die %s --mca orte_enable_recovery 1 -np 2 %s train --steps 5000000 --rank-timeout 2 "
                 "--num 0 --progress plain", MPIRUN, MPI_FAULT_TRAINER);
    cr_expect_neq(r->status, 124, "the job hung (timeout)");
    /* rank 0 exits with status 1, but mpirun in recovery mode passes that on
     * only sometimes (it has reported 0 here when run from this test) */
    printf("a rank died: mpirun's exit status %d\n", r->status);
    cr_expect(strstr(r->err, "microgpt: error: rank 1 of 2 stopped answering at step "), "stderr: %s", r->err);
    cr_expect(strstr(r->err, "nothing from it for 2 s (it died or hangs); training stopped"), "stderr: %s", r->err);
    cr_expect(strstr(r->out, "step "), "it trained before the fault: %.200s", r->out);
}

/* A model of examples (cls.mg: 2-D points, a label of 3) reads --data FILE.csv
 * on every rank: two ranks of 6 examples a step are one process of 12, bit for
 * bit, with Adam, a cosine schedule with warm-up and clipping; the checkpoint
 * resumes on one process. */
Test(mpi, a_model_of_examples_on_two_ranks)
{
    const char *d = tmpdir();
    char path[128];
    snprintf(path, sizeof path, "%s/points.csv", d);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs("y,x[0],x[1]\n", f);
    unsigned long long s = 7;
    for (int i = 0; i < 96; i++) {
        double v[2];
        for (int k = 0; k < 2; k++) {
            s = s * 6364136223846793005ULL + 1442695040888963407ULL;
            v[k] = (double)(s >> 11) * (2.0 / 9007199254740992.0) - 1;
        }
        fprintf(f, "%d,%.17g,%.17g\n", (v[0] * v[1] > 0) + (v[0] > 0.5), v[0], v[1]);
    }
    cr_assert_eq(fclose(f), 0);
    const char *opts = "--steps 40 --optimizer adam --lr 0.05 --schedule cosine --warmup 4 --clip 1 --progress plain";
    Run *r = run("%s train --data %s --batch 12 %s --log %s/one.csv --save %s/one.ck", CLS_TRAINER, path, opts, d, d);
    cr_assert_eq(r->status, 0, "one process: %s", r->err);
    r = run("%s -np 2 %s train --data %s --batch 6 %s --log %s/two.csv --save %s/two.ck", MPIRUN, MPI_CLS_TRAINER,
            path, opts, d, d);
    cr_assert_eq(r->status, 0, "two ranks (exit %d): %s", r->status, r->err);
    cr_expect_eq(count(r->out, "step "), 40, "only rank 0 prints: %s", r->out);
    char a[160], b[160];
    snprintf(a, sizeof a, "%s/one.csv", d);
    snprintf(b, sizeof b, "%s/two.csv", d);
    same_losses(a, b, 40);
    snprintf(a, sizeof a, "%s/one.ck", d);
    snprintf(b, sizeof b, "%s/two.ck", d);
    same_params(a, b);
    r = run("%s train --data %s %s --steps 50 --load %s/two.ck --log %s/r.csv", CLS_TRAINER, path, opts, d, d);
    cr_expect_eq(r->status, 0, "the two ranks' checkpoint on one process: %s", r->err);
    cr_expect(strstr(r->out, "step   41 /   50"), "resumed at step 41: %.200s", r->out);
    r = run("rm -rf %s", d);
    cr_assert_eq(r->status, 0);
}
