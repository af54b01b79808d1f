/* mg_outfile.h: the one way every output is written: mgc's -o (C, DOT,
 * --standalone), `mgc report -o`, checkpoints, gradients and trainer logs.
 * Takes a destination path; hands on a stream whose contents replace the
 * destination in one step when closed.  Invariants: a regular file (or a new
 * one) is written to a unique temporary in its own folder (mkstemp), synced and
 * renamed over it, keeping its mode (a new file gets 0666 & ~umask); a symlink
 * is followed to its target, which is replaced while the link stays; a device,
 * FIFO or socket is written through directly, never replaced (a FIFO must have
 * a reader); "-" is standard output.  Nothing here prints: errors fill an MgErr. */
#ifndef MG_OUTFILE_H
#define MG_OUTFILE_H

#include <stddef.h>
#include <stdio.h>

#include "mg_err.h"

typedef struct MgOut {
    FILE *f;            /* write the contents here */
    const char *path;   /* as given, for messages */
    char *target;       /* the file written: path with symlinks followed */
    char *tmp;          /* the temporary until it is renamed; NULL when written through */
    unsigned mode;      /* the mode the file gets */
    long uid, gid;      /* the replaced file's owner (kept when run as root), or -1 */
} MgOut;

/* Fail early, before any work: an empty name, a directory, a missing or
 * unwritable folder (probed with a temporary that is removed at once). */
int mg_out_check(const char *path, MgErr *e);

/* Start writing path (see above).  On error nothing was created. */
int mg_out_open(MgOut *o, const char *path, MgErr *e);

/* Flush, sync and rename the temporary into place; o->f stays open, and what
 * is written next goes straight to the file (a log after its header). */
int mg_out_publish(MgOut *o, MgErr *e);

/* Publish (if not yet done) and close, checking every error; on error the
 * temporary is removed and the destination is as it was. */
int mg_out_close(MgOut *o, MgErr *e);

/* Close without publishing and remove the temporary (no-op on a closed MgOut). */
void mg_out_abort(MgOut *o);

/* Write n bytes as the whole of path. */
int mg_out_write(const char *path, const void *p, size_t n, MgErr *e);

/* Refuse an output that is the same file as the input `in` (after following
 * symlinks): "'names.txt' is both input and output".  NULL or "-" pass. */
int mg_out_distinct(const char *out, const char *in, MgErr *e);

/* Flush standard output and check that everything reached it:
 * "writing standard output: No space left on device". */
int mg_out_stdout(MgErr *e);

/* A lock on a checkpoint for as long as a trainer writes it: a lock file
 * beside it (.NAME.lock, removed by mg_out_unlock), held with fcntl.  A
 * second holder is refused: "'ck' is being written by another trainer (pid
 * 1234)".  A non-regular destination is not locked. */
typedef struct MgOutLock {
    int fd;
    char *name;         /* the lock file; NULL when not held (a zeroed MgOutLock) */
} MgOutLock;

int mg_out_lock(MgOutLock *l, const char *path, MgErr *e);
void mg_out_unlock(MgOutLock *l);

#endif
