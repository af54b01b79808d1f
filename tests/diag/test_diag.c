/* test_diag.c: the catalogue of diagnostics (issue #6).  Each .mg file in tests/diag
 * is a bad (or, for a warning, suspicious) program followed by its expected
 * result, written by hand and reviewed as a message a user should see:
 *
 *     # ---- expected (mgc NAME.mg -o OUT.c): exit 1, and on stderr: ----
 *     #| NAME.mg:6:35: error: unknown name 'scale'
 *     #|     6 | x[t < T, c] = wte[tokens[t], c] * scale
 *     #|       |                                   ^~~~~
 *
 * ('#|' alone is an empty line).  The test runs mgc in tests/diag on each file
 * and checks the exit status, the exact standard error, that no output file is
 * left behind on failure, and that no internal error is ever printed. */
#define _POSIX_C_SOURCE 200809L
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "../common/run.h"

#define DIAG_DIR MGC_SOURCE_DIR "/tests/diag"
#define MARK "\n# ---- expected (mgc "

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    size_t got = fread(s, 1, (size_t)n, f);
    s[got] = 0;
    fclose(f);
    return s;
}

/* the expected exit status and stderr from the file's trailing block */
static int expected(const char *text, int *status, char *err, size_t cap)
{
    const char *b = strstr(text, MARK);
    if (!b)
        return -1;
    const char *ex = strstr(b, "): exit ");
    if (!ex || sscanf(ex, "): exit %d", status) != 1)
        return -1;
    const char *line = strchr(b + 1, '\n');
    size_t w = 0;
    while (line && *++line) {
        const char *end = strchr(line, '\n');
        size_t n = end ? (size_t)(end - line) : strlen(line);
        if (n < 2 || line[0] != '#' || line[1] != '|')
            return -1;
        const char *body = n > 2 ? line + 3 : line + 2;
        size_t bn = n > 2 ? n - 3 : 0;
        if (w + bn + 2 > cap)
            return -1;
        memcpy(err + w, body, bn);
        w += bn;
        err[w++] = '\n';
        line = end;
    }
    err[w] = 0;
    return 0;
}

static int names(char ***out) { return run_mg_files(DIAG_DIR, out); }

Test(diag, catalogue_has_at_least_forty_programs)
{
    char **list;
    int n = names(&list);
    cr_expect_geq(n, 40, "only %d programs in tests/diag", n);
}

Test(diag, every_program_gets_its_exact_message)
{
    char **list;
    int n = names(&list), checked = 0;
    char dir[] = "/tmp/mgc_diag_XXXXXX";
    cr_assert(mkdtemp(dir));
    static char want[1 << 16];
    for (int i = 0; i < n; i++) {
        char path[1024], outc[1100];
        snprintf(path, sizeof path, "%s/%s", DIAG_DIR, list[i]);
        snprintf(outc, sizeof outc, "%s/out.c", dir);
        remove(outc);
        char *text = slurp(path);
        int status;
        if (!text || expected(text, &status, want, sizeof want) < 0) {
            cr_expect_fail("%s: no well-formed expected block", list[i]);
            free(text);
            continue;
        }
        Run *r = run("cd '%s' && '%s/mgc' '%s' -o '%s'", DIAG_DIR, MGC_BUILD_DIR, list[i], outc);
        cr_expect_eq(r->status, status, "%s: exit %d, expected %d", list[i], r->status, status);
        cr_expect_str_eq(r->err, want, "%s: the message differs", list[i]);
        cr_expect(!strstr(r->err, "internal error"), "%s: internal error", list[i]);
        FILE *f = fopen(outc, "r");
        if (status != 0)
            cr_expect_null(f, "%s: failed but left %s behind", list[i], outc);
        else
            cr_expect_not_null(f, "%s: succeeded but wrote nothing", list[i]);
        if (f)
            fclose(f);
        checked++;
        free(text);
    }
    remove(MGC_BUILD_DIR "/diag_out.c");
    char outc[1100];
    snprintf(outc, sizeof outc, "%s/out.c", dir);
    remove(outc);
    rmdir(dir);
    cr_expect_eq(checked, n);
}
