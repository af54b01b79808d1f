/* trainer.h: the trainer called in this process, for the tests of models of
 * examples: a command line given as one string (split at blanks), the
 * examples from memory or from --data, standard output into a file. */
#ifndef MGC_TEST_TRAINER_H
#define MGC_TEST_TRAINER_H

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "mg_cli.h"

/* mg_cli_main_examples(m, ex, prog, ...) (mg_cli_main when ex is NULL) on
 * "trainer ARGS"; its standard output goes to `out` when not NULL.  Returns
 * its exit status, or -1 when standard output could not be redirected. */
static inline int trainer_call(const MgModel *m, const MgExamples *ex, const char *prog, const char *args,
                               const char *out)
{
    char buf[2048], *argv[64];
    int argc = 0;
    snprintf(buf, sizeof buf, "trainer %s", args);
    for (char *t = strtok(buf, " "); t && argc < 63; t = strtok(NULL, " "))
        argv[argc++] = t;
    argv[argc] = NULL;
    FILE *saved = NULL;
    if (out) {
        fflush(stdout);
        int fd = dup(fileno(stdout));
        if (fd < 0 || !(saved = fdopen(fd, "w")) || !freopen(out, "w", stdout))
            return -1;
    }
    int rc = ex ? mg_cli_main_examples(m, ex, prog, argc, argv) : mg_cli_main(m, prog, argc, argv);
    if (out) {
        fflush(stdout);
        dup2(fileno(saved), fileno(stdout));
        fclose(saved);
    }
    return rc;
}

/* The losses of a --log file (a header, then "step,loss,..." from step 1),
 * at most cap of them; returns their number.  Asserts the file is there and
 * every line read is a loss of the next step. */
static inline int trainer_log_losses(const char *path, double *loss, int cap)
{
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "no log %s", path);
    char line[256];
    int n = 0;
    cr_assert_not_null(fgets(line, sizeof line, f));
    while (n < cap && fgets(line, sizeof line, f)) {
        int step;
        cr_assert_eq(sscanf(line, "%d,%lf", &step, &loss[n]), 2, "log line '%s'", line);
        cr_assert_eq(step, n + 1, "log line '%s'", line);
        n++;
    }
    fclose(f);
    return n;
}

#endif
