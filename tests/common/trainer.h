/* trainer.h: the trainer called in this process, for the tests of models of
 * examples: a command line given as one string (split at blanks), the
 * examples from memory or from --data, standard output into a file. */
#ifndef MGC_TEST_TRAINER_H
#define MGC_TEST_TRAINER_H

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

#endif
