/* outfile.c: the one writer of every output (see mg_outfile.h).
 * Takes a destination path; hands on a stream, then a renamed temporary (or,
 * for a device or FIFO, the bytes written through).  Invariants: the
 * destination is never replaced by anything but a whole file of the same
 * mode; a temporary is unique (mkstemp) and its name no longer than the file
 * system's limit whatever the destination's; no error leaves a temporary. */
#include "mg_outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum { NAME_LIMIT = 255, MAX_LINKS = 40 };

/* Length of path's folder part, its last '/' included ("" for "file"). */
static size_t dir_len(const char *path) {
    const char *slash = strrchr(path, '/');
    return slash ? (size_t)(slash - path) + 1 : 0;
}

/* path with every symlink in its last component followed (a dangling link
 * gives the file it would create); NULL when out of memory. */
static char *resolve(const char *path) {
    char *p = malloc(strlen(path) + 1);
    if (p) strcpy(p, path);
    for (int hops = 0; p && hops < MAX_LINKS; hops++) {
        struct stat sb;
        char link[4096];
        if (lstat(p, &sb) != 0 || !S_ISLNK(sb.st_mode)) break;
        ssize_t n = readlink(p, link, sizeof link - 1);
        if (n < 0) break;
        size_t d = link[0] == '/' ? 0 : dir_len(p);
        char *q = malloc(d + (size_t)n + 1);
        if (q) {
            memcpy(q, p, d);
            memcpy(q + d, link, (size_t)n);
            q[d + (size_t)n] = '\0';
        }
        free(p);
        p = q;
    }
    return p;
}

/* "DIR/.BASE" + suffix, BASE shortened so the name fits in NAME_LIMIT bytes. */
static char *sibling(const char *target, const char *suffix) {
    size_t d = dir_len(target), b = strlen(target + d), s = strlen(suffix);
    if (b > NAME_LIMIT - 1 - s) b = NAME_LIMIT - 1 - s;
    char *t = malloc(d + 1 + b + s + 1);
    if (!t) return NULL;
    memcpy(t, target, d);
    t[d] = '.';
    memcpy(t + d + 1, target + d, b);
    memcpy(t + d + 1 + b, suffix, s + 1);
    return t;
}

/* fsync the folder holding path, so a rename is durable (best effort). */
static void sync_dir(const char *path) {
    size_t d = dir_len(path);
    char *dir = malloc(d + 2);
    if (!dir) return;
    if (d) memcpy(dir, path, d), dir[d] = '\0';
    else strcpy(dir, ".");
    int fd = open(dir, O_RDONLY);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
    free(dir);
}

static unsigned new_file_mode(void) {
    mode_t mask = umask(0);
    umask(mask);
    return 0666u & ~(unsigned)mask;
}

static int cannot_write(MgErr *e, const char *path, int err) {
    return mg_err(e, "%s: cannot write: %s", path, strerror(err));
}

/* A device, FIFO or socket: open it for writing as it is.  A FIFO without a
 * reader is refused rather than waited on. */
static int open_direct(MgOut *o, const struct stat *sb, MgErr *e) {
    int fd = open(o->target, O_WRONLY | O_NONBLOCK);
    if (fd < 0 && errno == ENXIO && S_ISFIFO(sb->st_mode))
        return mg_err(e, "%s: cannot write: it is a FIFO with no reader (start the reader first)", o->path);
    if (fd < 0) return cannot_write(e, o->path, errno);
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0) fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
    o->f = fdopen(fd, "wb");
    if (!o->f) {
        int err = errno;
        close(fd);
        return cannot_write(e, o->path, err);
    }
    return 0;
}

int mg_out_open(MgOut *o, const char *path, MgErr *e) {
    memset(o, 0, sizeof *o);
    o->path = path;
    o->uid = o->gid = -1;
    if (!*path) return mg_err(e, "empty output file name");
    if (!strcmp(path, "-")) {
        o->f = stdout;
        return 0;
    }
    if (!(o->target = resolve(path))) return mg_err(e, "%s: out of memory", path);
    struct stat sb;
    int rc = 0;
    if (stat(o->target, &sb) != 0) {
        o->mode = new_file_mode();
    } else if (S_ISDIR(sb.st_mode)) {
        rc = cannot_write(e, path, EISDIR);
    } else if (!S_ISREG(sb.st_mode)) {
        rc = open_direct(o, &sb, e);
    } else {
        o->mode = (unsigned)sb.st_mode & 07777u;
        o->uid = (long)sb.st_uid;
        o->gid = (long)sb.st_gid;
    }
    if (rc == 0 && !o->f) {
        int fd = (o->tmp = sibling(o->target, ".XXXXXX")) ? mkstemp(o->tmp) : (errno = ENOMEM, -1);
        if (fd < 0) {
            rc = cannot_write(e, path, errno);
            free(o->tmp);
            o->tmp = NULL;
        } else if (!(o->f = fdopen(fd, "wb"))) {
            rc = cannot_write(e, path, errno);
            close(fd);
            remove(o->tmp);
            free(o->tmp);
            o->tmp = NULL;
        }
    }
    if (rc != 0) {
        free(o->target);
        o->target = NULL;
    }
    return rc;
}

int mg_out_check(const char *path, MgErr *e) {
    struct stat sb;
    char *target;
    if (!*path) return mg_err(e, "empty output file name");
    if (!strcmp(path, "-")) return 0;
    if (!(target = resolve(path))) return mg_err(e, "%s: out of memory", path);
    int special = stat(target, &sb) == 0 && !S_ISREG(sb.st_mode) && !S_ISDIR(sb.st_mode);
    free(target);
    if (special) return 0;      /* written through when the time comes */
    MgOut o;
    if (mg_out_open(&o, path, e) != 0) return -1;
    mg_out_abort(&o);
    return 0;
}

/* Flush o->f and check that every write so far reached the file. */
static int flush_checked(MgOut *o, MgErr *e) {
    errno = 0;
    if (fflush(o->f) == 0 && !ferror(o->f)) return 0;
    int err = errno ? errno : EIO;
    if (o->f == stdout) return mg_err(e, "writing standard output: %s", strerror(err));
    return cannot_write(e, o->path, err);
}

int mg_out_publish(MgOut *o, MgErr *e) {
    if (flush_checked(o, e) != 0) return -1;
    if (!o->tmp) return 0;
    int fd = fileno(o->f);
    if (fsync(fd) != 0) return cannot_write(e, o->path, errno);
    if (o->uid >= 0 && geteuid() == 0 && fchown(fd, (uid_t)o->uid, (gid_t)o->gid) != 0) {
        /* best effort: the file stays root's */
    }
    if (fchmod(fd, (mode_t)o->mode) != 0) return cannot_write(e, o->path, errno);
    if (rename(o->tmp, o->target) != 0) return cannot_write(e, o->path, errno);
    sync_dir(o->target);
    free(o->tmp);
    o->tmp = NULL;
    return 0;
}

void mg_out_abort(MgOut *o) {
    if (o->f && o->f != stdout) fclose(o->f);
    if (o->tmp) remove(o->tmp);
    free(o->tmp);
    free(o->target);
    o->f = NULL;
    o->tmp = o->target = NULL;
}

int mg_out_close(MgOut *o, MgErr *e) {
    int rc = mg_out_publish(o, e);
    if (rc == 0 && o->f != stdout) {
        FILE *f = o->f;
        o->f = NULL;
        if (fclose(f) != 0) rc = cannot_write(e, o->path, errno);
    }
    mg_out_abort(o);
    return rc;
}

int mg_out_write(const char *path, const void *p, size_t n, MgErr *e) {
    MgOut o;
    if (mg_out_open(&o, path, e) != 0) return -1;
    if (fwrite(p, 1, n, o.f) != n) {
        int rc = cannot_write(e, path, errno ? errno : EIO);
        mg_out_abort(&o);
        return rc;
    }
    return mg_out_close(&o, e);
}

int mg_out_distinct(const char *out, const char *in, MgErr *e) {
    struct stat a, b;
    if (!out || !in || !strcmp(out, "-") || stat(out, &a) != 0 || stat(in, &b) != 0) return 0;
    if (a.st_dev != b.st_dev || a.st_ino != b.st_ino) return 0;
    if (!strcmp(out, in)) return mg_err(e, "'%s' is both input and output", out);
    return mg_err(e, "'%s' is both input and output (it is the file '%s')", out, in);
}

int mg_out_stdout(MgErr *e) {
    MgOut o = {.f = stdout, .path = "-"};
    return flush_checked(&o, e);
}

int mg_out_lock(MgOutLock *l, const char *path, MgErr *e) {
    struct stat sb, a, b;
    char *target = resolve(path);
    l->name = NULL;
    if (!target) return mg_err(e, "%s: out of memory", path);
    int special = stat(target, &sb) == 0 && !S_ISREG(sb.st_mode);
    char *name = special ? NULL : sibling(target, ".lock");
    free(target);
    if (special) return 0;
    if (!name) return mg_err(e, "%s: out of memory", path);
    for (;;) {
        int fd = open(name, O_RDWR | O_CREAT, 0666);
        if (fd < 0) {
            int err = errno;
            free(name);
            return mg_err(e, "%s: cannot lock: %s", path, strerror(err));
        }
        struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
        if (fcntl(fd, F_SETLK, &fl) != 0) {
            int err = errno;
            struct flock who = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
            int known = (err == EACCES || err == EAGAIN) && fcntl(fd, F_GETLK, &who) == 0;
            close(fd);
            if (known && who.l_type == F_UNLCK) continue;   /* released meanwhile: try again */
            free(name);
            if (known) return mg_err(e, "'%s' is being written by another trainer (pid %ld)", path, (long)who.l_pid);
            return mg_err(e, "%s: cannot lock: %s", path, strerror(err));
        }
        /* the holder before us removes the file it locked: ours must still be it */
        if (fstat(fd, &a) == 0 && stat(name, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino) {
            l->fd = fd;
            l->name = name;
            return 0;
        }
        close(fd);
    }
}

void mg_out_unlock(MgOutLock *l) {
    if (!l->name) return;
    remove(l->name);
    close(l->fd);
    free(l->name);
    l->name = NULL;
}
