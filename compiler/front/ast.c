/* ast.c: syntax tree constructors, names and the --dump=ast printer.
 * Nodes and lists live in the arena.  The dump prints one declaration or
 * statement per line with its fields indented below it; expressions are
 * printed inline, fully parenthesised, so precedence is visible.  The
 * statement walk is iterative and the expression printer is depth-capped,
 * so no tree can overflow the stack. */
#include "ast.h"

#include <stdlib.h>
#include <string.h>

#include "arena.h"

enum { DUMP_MAX_EXPR_DEPTH = 2000 };

Node *ast_new(AstKind kind, SrcLoc loc)
{
    Node *n = arena_alloc(sizeof *n);
    n->kind = kind;
    n->loc = loc;
    n->height = 1;
    return n;
}

void ast_push(NodeList *l, Node *n)
{
    if (l->n == l->cap) {
        if (l->cap > (1 << 29))
            MGC_INTERNAL("node list too long");
        int cap = l->cap ? 2 * l->cap : 4;
        Node **items = arena_alloc((size_t)cap * sizeof *items);
        if (l->n)
            memcpy(items, l->items, (size_t)l->n * sizeof *items);
        l->items = items;
        l->cap = cap;
    }
    l->items[l->n++] = n;
}

const char *ast_kind_name(AstKind k)
{
    static const char *const names[] = {
        [A_NUM] = "num", [A_NAME] = "name", [A_INDEX] = "index",
        [A_MEMBER] = "member", [A_CALL] = "call", [A_UNARY] = "unary",
        [A_BINARY] = "binary", [A_REDUCE] = "reduce", [A_RANGE] = "range",
        [A_PROGRAM] = "program", [A_CONST] = "const", [A_DIM] = "dim",
        [A_INPUT] = "input", [A_PARAM] = "param", [A_OPTIMIZER] = "optimizer",
        [A_ARG] = "arg", [A_FN] = "fn", [A_TENSORDECL] = "tensordecl",
        [A_FOR] = "for", [A_RECUR] = "recur", [A_ASSIGN] = "assign", [A_LHS] = "lhs",
    };
    if ((unsigned)k < sizeof names / sizeof names[0] && names[k])
        return names[k];
    return "?";
}

const char *ast_op_name(int op)
{
    switch (op) {
    case '+': return "+";
    case '-': return "-";
    case '*': return "*";
    case '/': return "/";
    case '%': return "%";
    case '^': return "^";
    case '<': return "<";
    case OP_LE: return "<=";
    case '>': return ">";
    case OP_GE: return ">=";
    case OP_EQ: return "==";
    case OP_NE: return "!=";
    case OP_FLOORDIV: return "//";
    case RED_SUM: return "sum";
    case RED_MAX: return "max";
    case RED_MIN: return "min";
    case RED_MEAN: return "mean";
    default: return "?";
    }
}

/* ---- expressions, inline ---- */

static void pexpr(FILE *f, const Node *n, int depth);

static void plist(FILE *f, const NodeList *l, int depth)
{
    for (int i = 0; i < l->n; i++) {
        if (i)
            fputs(", ", f);
        pexpr(f, l->items[i], depth);
    }
}

static void pexpr(FILE *f, const Node *n, int depth)
{
    if (!n) {
        fputs("<null>", f);
        return;
    }
    if (depth > DUMP_MAX_EXPR_DEPTH) {
        fputs("...", f);
        return;
    }
    depth++;
    switch (n->kind) {
    case A_NUM:
        fputs(n->text ? n->text : "?", f);
        break;
    case A_NAME:
        fputs(n->name, f);
        break;
    case A_INDEX:
        if (n->b)
            fputc('(', f);
        pexpr(f, n->a, depth);
        fputc('[', f);
        plist(f, &n->list, depth);
        fputc(']', f);
        if (n->b) {
            fputs(" else ", f);
            pexpr(f, n->b, depth);
            fputc(')', f);
        }
        break;
    case A_MEMBER:
        pexpr(f, n->a, depth);
        fprintf(f, ".%s", n->name);
        break;
    case A_CALL:
        fprintf(f, "%s(", n->name);
        plist(f, &n->list, depth);
        fputc(')', f);
        break;
    case A_UNARY:
        fprintf(f, "(%s", ast_op_name(n->op));
        pexpr(f, n->a, depth);
        fputc(')', f);
        break;
    case A_BINARY:
        fputc('(', f);
        pexpr(f, n->a, depth);
        fprintf(f, " %s ", ast_op_name(n->op));
        pexpr(f, n->b, depth);
        fputc(')', f);
        break;
    case A_REDUCE:
        fprintf(f, "(%s(", ast_op_name(n->op));
        plist(f, &n->list, depth);
        fputs(") ", f);
        pexpr(f, n->b, depth);
        fputc(')', f);
        break;
    case A_RANGE:
        fputs(n->name, f);
        if (n->a) {
            fprintf(f, " %s ", ast_op_name(n->op));
            pexpr(f, n->a, depth);
        }
        break;
    case A_ARG:
        fprintf(f, "%s = ", n->name);
        pexpr(f, n->a, depth);
        break;
    case A_TENSORDECL:
    case A_LHS:
        fputs(n->name, f);
        if (n->list.n) {
            fputc('[', f);
            plist(f, &n->list, depth);
            fputc(']', f);
        }
        break;
    default:
        fprintf(f, "<%s>", ast_kind_name(n->kind));
        break;
    }
}

/* ---- declarations and statements, one per line ---- */

typedef struct Item {
    const Node *n;
    int indent;
} Item;

typedef struct Stack {
    Item *items;
    size_t n, cap;
} Stack;

static void push(Stack *s, const Node *n, int indent)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 64;
        Item *p = realloc(s->items, cap * sizeof *p);
        if (!p)
            MGC_INTERNAL("out of memory in ast_dump");
        s->items = p;
        s->cap = cap;
    }
    s->items[s->n++] = (Item){n, indent};
}

static void push_body(Stack *s, const NodeList *l, int indent)
{
    for (int i = l->n; i-- > 0; )
        push(s, l->items[i], indent);
}

/* One field line: INDENT LABEL EXPR */
static void field(FILE *f, int indent, const char *label, const Node *e)
{
    fprintf(f, "%*s%s ", indent, "", label);
    pexpr(f, e, 0);
    fputc('\n', f);
}

static void field_op(FILE *f, int indent, const char *label, int op, const Node *e)
{
    fprintf(f, "%*s%s %s ", indent, "", label, ast_op_name(op));
    pexpr(f, e, 0);
    fputc('\n', f);
}

static void field_dims(FILE *f, int indent, const NodeList *l)
{
    fprintf(f, "%*sdims [", indent, "");
    plist(f, l, 0);
    fputs("]\n", f);
}

static void header(FILE *f, int indent, const Node *n, const char *name)
{
    fprintf(f, "%*s%s", indent, "", ast_kind_name(n->kind));
    if (name)
        fprintf(f, " %s", name);
    fprintf(f, " %d:%d\n", n->loc.line, n->loc.col);
}

static void dump_one(FILE *f, Stack *s, const Node *n, int in)
{
    int k = in + 2;
    switch (n->kind) {
    case A_PROGRAM:
        fprintf(f, "%*sprogram\n", in, "");
        push_body(s, &n->list, k);
        break;
    case A_CONST:
        header(f, in, n, n->name);
        field(f, k, "value", n->a);
        break;
    case A_DIM:
        header(f, in, n, n->name);
        field_op(f, k, "bound", n->op, n->a);
        break;
    case A_INPUT:
        header(f, in, n, n->name);
        if (n->list.n)
            field_dims(f, k, &n->list);
        if (n->a)
            field_op(f, k, "bound", '<', n->a);
        break;
    case A_PARAM:
        header(f, in, n, NULL);
        field(f, k, "path", n->a);
        field_dims(f, k, &n->list);
        field(f, k, "init", n->b);
        break;
    case A_OPTIMIZER:
        header(f, in, n, n->name);
        for (int i = 0; i < n->list.n; i++)
            field(f, k, "arg", n->list.items[i]);
        break;
    case A_FN:
        header(f, in, n, n->name);
        for (int i = 0; i < n->list.n; i++)
            field(f, k, "param", n->list.items[i]);
        field(f, k, "result", n->b);
        fprintf(f, "%*sbody\n", k, "");
        push_body(s, &n->list2, k + 2);
        break;
    case A_FOR:
    case A_RECUR:
        header(f, in, n, n->name);
        field_op(f, k, "bound", n->op, n->a);
        fprintf(f, "%*sbody\n", k, "");
        push_body(s, &n->list, k + 2);
        break;
    case A_ASSIGN:
        header(f, in, n, NULL);
        field(f, k, "lhs", n->a);
        field(f, k, "rhs", n->b);
        break;
    default:                     /* an expression or a fragment on its own */
        fprintf(f, "%*s", in, "");
        pexpr(f, n, 0);
        fprintf(f, " %d:%d\n", n->loc.line, n->loc.col);
        break;
    }
}

void ast_dump(const Node *n, FILE *out)
{
    Stack s = {0};
    if (!n)
        return;
    push(&s, n, 0);
    while (s.n > 0) {
        Item it = s.items[--s.n];
        if (it.n)
            dump_one(out, &s, it.n, it.indent);
        else
            fprintf(out, "%*s<null>\n", it.indent, "");
    }
    free(s.items);
}
