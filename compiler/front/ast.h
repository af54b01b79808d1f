/* ast.h: the syntax tree of a .mg program, as the parser builds it.
 * Every node carries its source span.  Nodes live in the compilation arena
 * and are never freed one by one; the tree is read-only after parsing. */
#ifndef MGC_AST_H
#define MGC_AST_H

#include "diag.h"

typedef struct Node Node;

typedef struct NodeList {
    Node **items;
    int n, cap;
} NodeList;

typedef enum {
    /* expressions */
    A_NUM,       /* literal: is_int ? inum : num; text = spelling */
    A_NAME,      /* name */
    A_INDEX,     /* a[list] else b (a: A_NAME, A_MEMBER, A_INDEX or A_CALL; b: the fallback or NULL) */
    A_MEMBER,    /* a.name         (a path such as layer[l].attn_wq) */
    A_CALL,      /* name(list) */
    A_UNARY,     /* op a           (op: '-') */
    A_BINARY,    /* a op b         (op: '+' '-' '*' '/' '^' OP_FLOORDIV '%', or a comparison:
                                  '<' OP_LE '>' OP_GE OP_EQ OP_NE) */
    A_REDUCE,    /* op(list of A_RANGE) b   (op: RED_SUM, RED_MAX, RED_MIN, RED_MEAN) */
    A_RANGE,     /* name < a | name <= a | name (a == NULL: inferred); op: '<', OP_LE or 0 */
    /* declarations and statements */
    A_PROGRAM,   /* list: top-level items in order */
    A_CONST,     /* const name = a */
    A_DIM,       /* dim name <= a   (op: '<' or OP_LE) */
    A_INPUT,     /* input name[list] < a; no list: a scalar; no a: real */
    A_PARAM,     /* param a[list] ~ b   (a: the name path; b: initializer, A_CALL or A_NAME) */
    A_OPTIMIZER, /* optimizer name(list of A_ARG) */
    A_ARG,       /* name = a   (a setting inside optimizer(...)) */
    A_FN,        /* fn name(list of A_TENSORDECL) -> b { list2 } */
    A_TENSORDECL,/* name[list]: a function parameter or result; list: dim exprs (empty: scalar) */
    A_FOR,       /* for name < a { list }   (op: '<' or OP_LE) */
    A_RECUR,     /* recur name < a { list }: list's statements once per step name (op: '<' or OP_LE) */
    A_ASSIGN,    /* a = b   (a: A_NAME, or A_LHS) */
    A_LHS        /* name[list of A_RANGE] */
} AstKind;

/* operator codes beyond single characters */
enum { OP_LE = 256, OP_FLOORDIV, RED_SUM, RED_MAX, RED_MIN, RED_MEAN, OP_GE, OP_EQ, OP_NE };

struct Node {
    AstKind kind;
    SrcLoc loc;
    const char *name;
    const char *text;     /* A_NUM: the literal as written */
    int op;
    int is_int;           /* A_NUM: literal has no '.', 'e' or 'E' */
    long long inum;
    double num;
    Node *a, *b;
    NodeList list, list2;
    int height;           /* expressions: 1 + the tallest child (parser keeps it <= PARSE_MAX_EXPR_HEIGHT) */
    int nest;             /* expressions: nesting, the height without left-operand steps (<= PARSE_MAX_EXPR_DEPTH) */
};

Node *ast_new(AstKind kind, SrcLoc loc);
void ast_push(NodeList *l, Node *n);
const char *ast_kind_name(AstKind k);
const char *ast_op_name(int op);
/* Print the tree (for --dump=ast), one node per line, indented. */
void ast_dump(const Node *n, FILE *out);

#endif
