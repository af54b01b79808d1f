/* csv.c: how fast mg_examples_load reads a large CSV (issue #19: a million
 * rows "well under a second").  `mgc-bench-csv [rows] [runs]` writes rows
 * (default 1,000,000) of 10 columns -- x[0] .. x[8], reals printed with 9
 * significant digits as numpy's savetxt and pandas write them, and a label
 * y in [0, 10) -- into a temporary folder, loads it `runs` times (default
 * 3) and prints the best time, wall clock and CPU (on a busy machine the
 * CPU time is the one to read).  Exit status 1 if a load fails. */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mg_dataset.h"
#include "now.h"

static double cpu(void) {
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static uint64_t state = 88172645463325252ull;
static double uniform(void) {
    state ^= state << 13, state ^= state >> 7, state ^= state << 17;
    return (double)(state >> 11) * 0x1.0p-53;
}

int main(int argc, char **argv) {
    long rows = argc > 1 ? atol(argv[1]) : 1000000, runs = argc > 2 ? atol(argv[2]) : 3;
    if (rows < 1 || runs < 1) {
        fprintf(stderr, "usage: mgc-bench-csv [rows] [runs]\n");
        return 1;
    }
    const char *tmp = getenv("TMPDIR");
    char dir[4096], path[4200];
    snprintf(dir, sizeof dir, "%s/mgc-bench-csv-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    snprintf(path, sizeof path, "%s/big.csv", dir);
    FILE *f = fopen(path, "w");
    if (!f) {
        perror(path);
        return 1;
    }
    fputs("x[0],x[1],x[2],x[3],x[4],x[5],x[6],x[7],x[8],y\n", f);
    for (long i = 0; i < rows; i++) {
        for (int k = 0; k < 9; k++) fprintf(f, "%.9g,", (uniform() - 0.5) * 200.0);
        fprintf(f, "%d\n", (int)(uniform() * 10));
    }
    long bytes = ftell(f);
    if (fclose(f) != 0) {
        perror(path);
        return 1;
    }
    MgField fields[] = {{"x", 0, 0, 1, {9}, 9, 0, 0}, {"y", 1, 10, 0, {0}, 1, 0, 0}};
    double best = 1e30, best_cpu = 1e30;
    int rc = 0;
    for (long r = 0; r < runs && rc == 0; r++) {
        MgExamples x;
        MgErr e;
        double t0 = now(), c0 = cpu();
        if (mg_examples_load(&x, path, fields, 2, &e) < 0) {
            fprintf(stderr, "mgc-bench-csv: error: %s\n", e.msg);
            rc = 1;
            break;
        }
        double t = now() - t0, c = cpu() - c0;
        if (t < best) best = t;
        if (c < best_cpu) best_cpu = c;
        if ((long)x.n != rows) {
            fprintf(stderr, "mgc-bench-csv: error: %zu examples loaded, %ld written\n", x.n, rows);
            rc = 1;
        }
        mg_examples_free(&x);
    }
    remove(path);
    rmdir(dir);
    if (rc == 0)
        printf("csv load: %ld rows x 10 columns, %.1f MB: best (minimum) of %ld %.3f s (%.0f rows/s, %.0f MB/s); "
               "CPU time %.3f s\n", rows, (double)bytes / 1e6, runs, best, (double)rows / best,
               (double)bytes / 1e6 / best, best_cpu);
    return rc;
}
