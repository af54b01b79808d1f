/* diag.h: diagnostics that point into the user's file.
 * Messages are GCC-style: "file:line:col: error: msg", then the source line and
 * a caret under the span.  Errors are counted, never fatal; each stage runs to
 * its end and the driver stops when diag_errors() is non-zero. */
#ifndef MGC_DIAG_H
#define MGC_DIAG_H

#include <stdio.h>

/* A span in a source file (1-based lines and columns, end inclusive). */
typedef struct SrcLoc {
    const char *file;
    int line, col;
    int end_line, end_col;
} SrcLoc;

/* Register a file's text so messages can quote its lines. */
void diag_add_source(const char *file, const char *text);
/* The same for text of known length, which may contain NUL bytes. */
void diag_add_source_n(const char *file, const char *text, size_t len);
void diag_error(SrcLoc loc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void diag_warning(SrcLoc loc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void diag_note(SrcLoc loc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* An error with no location: "mgc: error: msg". */
void diag_plain(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int diag_errors(void);
/* The calls being inlined, innermost last: `site` is the call, `what` how it
 * reads with its arguments' shapes ("cross_entropy(logits[T, 10],
 * targets[T])"), `fn` the function's name.  The user's file is that of the
 * outermost call.  An error or warning located in another file (a prelude
 * function's body, which the user did not write) is reported at the
 * innermost call made from the user's file, "in this call of WHAT: ...",
 * with a note where it arose. */
void diag_call_enter(SrcLoc site, const char *what, const char *fn);
void diag_call_leave(void);
/* After an error at `at` inside a function that depends on the arguments (a
 * shape), a note at the innermost call from the user's file: "in this call of
 * WHAT".  Nothing at the top level, or when the error was moved to the call. */
void diag_call_note(SrcLoc at);
/* Past this many errors the rest (and their notes) are counted, not printed:
 * "too many errors; stopping" once.  The parser gives up on a file at the
 * same count (PARSE_MAX_ERRORS), so this caps the later stages' errors. */
enum { DIAG_MAX_ERRORS = 50 };
/* Length of the valid UTF-8 sequence of 2..4 bytes at p (n bytes left), or 0:
 * what every quoted line, comment and message treats as one character. */
size_t diag_utf8_len(const unsigned char *p, size_t n);
/* 3 if text starts with a UTF-8 byte order mark (skipped as no part of line 1), else 0 */
size_t diag_bom(const char *text, size_t len);
int diag_warnings(void);
/* Where messages go (stderr by default); tests redirect it. */
void diag_set_output(FILE *f);
void diag_reset(void);
/* The text of line `line` of `file` (without newline) into buf; 0 if unknown. */
int diag_source_line(const char *file, int line, char *buf, int cap);

/* Internal compiler bugs: never dressed up as user errors. */
#define MGC_INTERNAL(msg) diag_internal(__FILE__, __LINE__, msg)
_Noreturn void diag_internal(const char *file, int line, const char *msg);

#endif
