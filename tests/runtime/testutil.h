/* testutil.h: small helpers shared by the runtime tests (header-only).
 * Temp directories, whole-file read/write, running a command and capturing
 * its exit status, stdout and stderr. */
#ifndef TESTUTIL_H
#define TESTUTIL_H

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

/* A fresh directory under base (NULL: $TMPDIR, or /tmp); malloc'd path. */
static inline char *tu_tmpdir_in(const char *base) {
    if (!base) base = getenv("TMPDIR");
    char *p = malloc(4096);
    snprintf(p, 4096, "%s/mgrt-test-XXXXXX", base && *base ? base : "/tmp");
    cr_assert_not_null(mkdtemp(p), "mkdtemp failed for %s", p);
    return p;
}

static inline char *tu_tmpdir(void) { return tu_tmpdir_in(NULL); }

/* dir/name in a malloc'd string. */
static inline char *tu_path(const char *dir, const char *name) {
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = malloc(n);
    snprintf(p, n, "%s/%s", dir, name);
    return p;
}

static inline void tu_write(const char *path, const void *data, size_t len) {
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f, "cannot write %s", path);
    cr_assert_eq(fwrite(data, 1, len, f), len);
    fclose(f);
}

static inline void tu_write_str(const char *path, const char *s) { tu_write(path, s, strlen(s)); }

/* Whole file, NUL-terminated; *len gets its size (may be NULL). */
static inline char *tu_read(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "cannot read %s", path);
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    for (size_t k; (k = fread(buf + n, 1, cap - n - 1, f)) > 0;) {
        n += k;
        if (cap - n - 1 == 0) buf = realloc(buf, cap *= 2);
    }
    fclose(f);
    buf[n] = '\0';
    if (len) *len = n;
    return buf;
}

static inline void tu_rmrf(const char *dir) {
    char cmd[4300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    (void)!system(cmd);
}

/* Run `cmd` through sh with stdout and stderr captured (malloc'd, via files in
 * dir).  Returns the exit status, or 128 + signal if it was killed. */
static inline int tu_run(const char *dir, const char *cmd, char **out, char **err) {
    char *o = tu_path(dir, ".stdout"), *e = tu_path(dir, ".stderr");
    size_t n = strlen(cmd) + strlen(o) + strlen(e) + 32;
    char *full = malloc(n);
    snprintf(full, n, "%s >'%s' 2>'%s'", cmd, o, e);
    int st = system(full);
    cr_assert_neq(st, -1, "system() failed");
    *out = tu_read(o, NULL);
    *err = tu_read(e, NULL);
    free(full);
    free(o);
    free(e);
    if (WIFSIGNALED(st)) return 128 + WTERMSIG(st);
    int code = WEXITSTATUS(st);
    return code;
}

/* Number of lines of s starting with prefix. */
static inline int tu_count_prefix(const char *s, const char *prefix) {
    int n = 0;
    size_t k = strlen(prefix);
    for (const char *l = s; *l; ) {
        if (strncmp(l, prefix, k) == 0) n++;
        const char *nl = strchr(l, '\n');
        if (!nl) break;
        l = nl + 1;
    }
    return n;
}

/* Path of the reference names file, or NULL: $MGC_NAMES, else
 * REPO_ROOT/../shared/data/names.txt.  *tried gets the path looked at. */
static inline const char *tu_names_path(const char **tried) {
    static char buf[4096];
    const char *env = getenv("MGC_NAMES");
    if (env && *env) snprintf(buf, sizeof buf, "%s", env);
    else snprintf(buf, sizeof buf, "%s/../shared/data/names.txt", MG_REPO_ROOT);
    *tried = buf;
    FILE *f = fopen(buf, "rb");
    if (!f) return NULL;
    fclose(f);
    return buf;
}

#endif
