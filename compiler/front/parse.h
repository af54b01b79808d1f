/* parse.h: the front of the front end (lexer.l + parser.y).
 * Takes the text of one .mg file, hands on its A_PROGRAM tree (in the arena).
 * Syntax errors are reported through diag and counted (diag_errors()); the
 * tree of a file with errors is partial and only fit for --dump=ast.
 * Invariants on an error-free tree: every expression's height (Node.height)
 * is at most PARSE_MAX_EXPR_HEIGHT and its nesting (Node.nest: the height
 * not counting the step from a left-associative operator to its left
 * operand) at most PARSE_MAX_EXPR_DEPTH, and block nesting is bounded by the
 * parser stack.  Later stages may recurse over nesting but must walk a long
 * left spine (a + b + ... + z) by iteration or with small frames. */
#ifndef MGC_PARSE_H
#define MGC_PARSE_H

#include <stddef.h>

#include "ast.h"

enum {
    PARSE_MAX_EXPR_DEPTH = 1000,   /* more deeply nested expressions are an error */
    PARSE_MAX_EXPR_HEIGHT = 20000, /* higher expression trees (long chains) are an error */
    PARSE_MAX_ERRORS = 50        /* syntax errors reported per file before giving up */
};

/* Parse NUL-terminated text.  Also registers the text with diag_add_source().
 * Returns an A_PROGRAM node, or NULL only on catastrophic failure. */
Node *parse_source(const char *file, const char *text);
/* The same for text of known length: a NUL byte inside is a syntax error. */
Node *parse_source_n(const char *file, const char *text, size_t len);

#endif
