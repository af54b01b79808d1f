/* run.h: run a command line in a shell for command-line tests; capture its
 * exit status, standard output and standard error (each up to 1 MiB). */
#ifndef MGC_TEST_RUN_H
#define MGC_TEST_RUN_H

#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

typedef struct Run {
    int status;        /* exit status, or -1 if it did not exit normally */
    char out[1 << 20];
    char err[1 << 16];
} Run;

static inline char *run_slurp(const char *path, char *buf, size_t cap)
{
    FILE *f = fopen(path, "rb");
    size_t n = 0;
    if (f) {
        n = fread(buf, 1, cap - 1, f);
        fclose(f);
    }
    buf[n] = 0;
    return buf;
}

/* printf-style command; runs in a fresh temporary directory's files */
static inline Run *run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static inline Run *run(const char *fmt, ...)
{
    static Run r;
    char cmd[8192], full[9000];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    char outp[] = "/tmp/mgc-test-out-XXXXXX", errp[] = "/tmp/mgc-test-err-XXXXXX";
    int fo = mkstemp(outp), fe = mkstemp(errp);
    if (fo >= 0) close(fo);
    if (fe >= 0) close(fe);
    snprintf(full, sizeof full, "( %s ) >%s 2>%s </dev/null", cmd, outp, errp);
    int st = system(full);
    r.status = (st != -1 && WIFEXITED(st)) ? WEXITSTATUS(st) : -1;
    run_slurp(outp, r.out, sizeof r.out);
    run_slurp(errp, r.err, sizeof r.err);
    remove(outp);
    remove(errp);
    return &r;
}

/* The names of the .mg files in dir (at most 512, in directory order): a
 * static list, filled anew at each call. */
static inline int run_mg_files(const char *dir, char ***out)
{
    static char *list[512];
    static int n;
    while (n > 0)
        free(list[--n]);
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d)) && n < 512) {
        size_t len = strlen(e->d_name);
        if (len > 3 && !strcmp(e->d_name + len - 3, ".mg"))
            list[n++] = strdup(e->d_name);
    }
    if (d)
        closedir(d);
    *out = list;
    return n;
}

/* a fresh temporary directory for a test's files */
static inline const char *tmpdir(void)
{
    static char dir[64];
    strcpy(dir, "/tmp/mgc-test-XXXXXX");
    if (!mkdtemp(dir))
        return "/tmp";
    return dir;
}

static inline void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

/* A training log's losses (a header line, then "step,loss,..." a line from
 * step 1): up to cap of them into loss; how many, or -1 without the file */
static inline int run_read_losses(const char *path, double *loss, int cap)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    char line[256];
    int n = 0, step;
    double v;
    if (!fgets(line, sizeof line, f)) {
        fclose(f);
        return -1;
    }
    while (n < cap && fgets(line, sizeof line, f) && sscanf(line, "%d,%lf", &step, &v) == 2 && step == n + 1)
        loss[n++] = v;
    fclose(f);
    return n;
}

#endif
