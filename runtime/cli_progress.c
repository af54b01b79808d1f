/* cli_progress.c: what training shows as it goes: the progress line (live on a
 * terminal, a line per step otherwise) and the CSV log, resumed with its run.
 * Takes each step's loss and time; hands on stdout lines and the --log file. */
#include "cli_internal.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

double cli_wall_seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

void cli_progress_start(Progress *p, Cli *c, const Opts *o) {
    p->cli = c;
    p->live = o->progress == PROGRESS_LINE || (o->progress == PROGRESS_AUTO && isatty(STDOUT_FILENO));
    p->t0 = p->flushed = cli_wall_seconds();
    p->tokens = 0;
}

/* "2m05s", "42s", "4.2s", "0.35s" */
static void duration_text(double sec, char *buf, size_t cap) {
    if (sec >= 60) snprintf(buf, cap, "%dm%02ds", (int)(sec / 60), (int)fmod(sec, 60));
    else if (sec >= 10) snprintf(buf, cap, "%ds", (int)sec);
    else snprintf(buf, cap, sec >= 1 ? "%.1fs" : "%.2fs", sec);
}

/* after step `step` of steps (the run started after step `first`) */
void cli_progress_step(Progress *p, int step, int first, int steps, double loss, long T, double now) {
    p->tokens += T;
    if (p->cli->rank != 0) return;
    int last = step == steps, due = last || step == first + 1 || now - p->flushed >= 0.1;
    if (!p->live) {     /* flushed after the first and the last step, every 0.1 s and under MPI every step
                           (a failing rank ends them all); errors, saves and signals flush first too */
        printf("step %4d / %4d | loss %.4f\n", step, steps, loss);
        if (due || p->cli->ranks > 1) {
            fflush(stdout);
            p->flushed = now;
        }
        return;
    }
    if (due) {
        double el = now - p->t0;
        char t[32];
        duration_text(last ? el : el / (step - first) * (steps - step), t, sizeof t);
        printf("\rstep %4d / %4d | loss %.4f | %.0f tok/s | %s%s\033[K%s", step, steps, loss,
               el > 0 ? (double)p->tokens / el : 0.0, last ? "done in " : "", t, last ? "\n" : " left");
        p->cli->live_line_open = !last;
        fflush(stdout);
        p->flushed = now;
    }
}

/* the log's header: step,loss,lr,elapsed, and the validation's columns */
/* after step `step`, the validation set's figures: a line of their own
 * (a live progress line gets its newline first and goes on below) */
void cli_progress_val(Progress *p, int step, int steps, const EvalSums *s, int classifier) {
    if (p->cli->rank != 0) return;
    cli_end_line(p->cli);
    printf("val  %4d / %4d | loss %.4f", step, steps, s->loss);
    if (classifier) printf(" | accuracy %.2f%% (%zu/%zu)", 100.0 * (double)s->correct / (double)s->n, s->correct, s->n);
    putchar('\n');
    fflush(stdout);
}

static void log_header(Run *r) {
    snprintf(r->log_head, sizeof r->log_head, "step,loss,lr,elapsed%s%s\n", r->val ? ",val_loss" : "",
             r->val && r->label >= 0 ? ",val_accuracy" : "");
}

/* One log line "STEP,LOSS,LR,ELAPSED" and `extra` cells (each empty or a
 * number) for `step` at s[0..n); returns its length with the newline, or 0
 * when it is not one; *elapsed = ELAPSED. */
static size_t log_row(const char *s, size_t n, int step, int extra, double *elapsed) {
    const char *nl = memchr(s, '\n', n), *c = s;
    char *end;
    if (!nl || *c < '0' || *c > '9' || strtol(c, &end, 10) != step || *end != ',') return 0;
    for (int field = 0; field < 3 + extra; field++) {
        int last = field == 2 + extra;
        if (field >= 3 && (end[1] == ',' || end[1] == '\n')) {     /* an empty cell */
            if (end + 1 > nl || end[1] != (last ? '\n' : ',')) return 0;
            end++;
            continue;
        }
        double v = strtod(end + 1, &end);
        if (end > nl || *end != (last ? '\n' : ',') || (field == 2 && !(v >= 0))) return 0;
        if (field == 2) *elapsed = v;
    }
    return (size_t)(nl - s) + 1;
}

/* A resumed run's log must be this run's: the header, then a well-formed line
 * for each step 1..start (lines after start, from steps after the
 * checkpoint, are dropped).  Returns the bytes that are (*elapsed = the last
 * kept line's elapsed seconds); *steps = the steps they hold, -1 when even
 * the header is not there. */
static size_t log_keep(const Run *r, const char *s, size_t n, int start, double *elapsed, int *steps) {
    size_t keep = strlen(r->log_head);
    int extra = (r->val != NULL) + (r->val && r->label >= 0);
    *steps = -1;
    if (n < keep || memcmp(s, r->log_head, keep) != 0) return 0;
    for (*steps = 0; *steps < start; ++*steps) {
        size_t len = log_row(s + keep, n - keep, *steps + 1, extra, elapsed);
        if (!len) break;
        keep += len;
    }
    return keep;
}

/* A resumed run's existing regular log, checked (see log_keep): *old and
 * *keep are what the new log starts with.  A missing log starts afresh;
 * any other is refused, with its line, and left as it is. */
static int log_resume(Run *r, const char *path, char **old, size_t *keep) {
    struct stat sb;
    *old = NULL;
    *keep = 0;
    if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode)) return 0;
    FILE *f = fopen(path, "rb");
    size_t n = 0, len = (size_t)sb.st_size;
    if (!f || !(*old = malloc(len + 1)) || (n = fread(*old, 1, len, f)) != len) {
        int err = errno;
        if (f) fclose(f);
        return cli_error(r->cli, "%s: cannot read the log to resume it: %s", path, strerror(err));
    }
    fclose(f);
    int steps;
    *keep = log_keep(r, *old, n, r->start, &r->log_elapsed, &steps);
    if (steps == r->start) return 0;
    char why[160];
    if (steps < 0)
        snprintf(why, sizeof why, "its first line is not '%.*s' (not a trainer's log, or not with the same "
                 "validation?)", (int)strlen(r->log_head) - 1, r->log_head);
    else if (*keep == n || !memchr(*old + *keep, '\n', n - *keep))
        snprintf(why, sizeof why, "it ends at step %d, before the checkpoint's step %d", steps, r->start);
    else
        snprintf(why, sizeof why, "this is not step %d's line '%.*s' (damaged, or another run's?)", steps + 1,
                 (int)strlen(r->log_head) - 1, r->log_head);
    return cli_error(r->cli, "%s:%d: cannot resume this log: %s; move it aside or give another --log", path,
                     steps < 0 ? 1 : steps + 2, why);
}

int cli_open_log(Run *r, const char *path) {
    MgErr e;
    char *old = NULL;
    size_t keep = 0;
    log_header(r);
    if (r->start > 0 && log_resume(r, path, &old, &keep)) {
        free(old);
        return 1;
    }
    r->log_path = path;
    int rc = mg_out_open(&r->logout, path, &e);
    if (rc == 0) {
        if (keep) fwrite(old, 1, keep, r->logout.f);
        else fputs(r->log_head, r->logout.f), r->log_elapsed = 0;
        rc = mg_out_publish(&r->logout, &e);    /* in place now: each step's line follows */
    }
    free(old);
    if (rc != 0) {
        mg_out_abort(&r->logout);
        return cli_error(r->cli, "%s", e.msg);
    }
    r->log = r->logout.f;
    return 0;
}

/* Close the --log file (if open), checking that every line reached it. */
int cli_close_log(Run *r) {
    MgErr e;
    if (!r->log) return 0;
    r->log = NULL;
    if (mg_out_close(&r->logout, &e) != 0) return cli_error(r->cli, "%s", e.msg);
    return 0;
}
