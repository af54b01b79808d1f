/* parser.y: tokens from lexer.l to the syntax tree of ast.h.
 * Takes one file's text (parse_source), hands on an A_PROGRAM node.
 * Syntax errors are reported GCC-style through diag and counted; recovery is
 * per statement (skip to the next newline, ';' or '}'), so every error in a
 * file is reported once, without cascades.  Expression trees are kept at
 * most PARSE_MAX_EXPR_HEIGHT high and PARSE_MAX_EXPR_DEPTH deeply nested
 * (a flat chain such as a + b + c is long, not nested), and the parser stack
 * at YYMAXDEPTH, so no input can exhaust the C stack here or in later
 * recursive passes. */

%code top {
#define YYMAXDEPTH 10000
}

%code requires {
#include "ast.h"

#ifndef YY_TYPEDEF_YY_SCANNER_T
#define YY_TYPEDEF_YY_SCANNER_T
typedef void *yyscan_t;
#endif

/* Locations are SrcLocs: the span from the first to the last symbol. */
#define YYLLOC_DEFAULT(Cur, Rhs, N)                                         \
    do {                                                                    \
        if (N) {                                                            \
            (Cur).file = YYRHSLOC(Rhs, 1).file;                             \
            (Cur).line = YYRHSLOC(Rhs, 1).line;                             \
            (Cur).col = YYRHSLOC(Rhs, 1).col;                               \
            (Cur).end_line = YYRHSLOC(Rhs, N).end_line;                     \
            (Cur).end_col = YYRHSLOC(Rhs, N).end_col;                       \
        } else {                                                            \
            (Cur).file = YYRHSLOC(Rhs, 0).file;                             \
            (Cur).line = (Cur).end_line = YYRHSLOC(Rhs, 0).end_line;        \
            (Cur).col = YYRHSLOC(Rhs, 0).end_col + 1;                       \
            (Cur).end_col = YYRHSLOC(Rhs, 0).end_col;                       \
        }                                                                   \
    } while (0)
}

%code provides {
enum { LEX_MAX_BRACKETS = 1 << 16 };

/* An open bracket; skip: a '{' met during error recovery, whose '}' the
 * lexer drops so that it does not close the enclosing block. */
typedef struct Bracket {
    char ch, skip;
    SrcLoc loc;
} Bracket;

typedef struct Pending {
    int tok;
    YYSTYPE val;
    SrcLoc loc;
} Pending;

/* State shared by the lexer and the parser for one file. */
typedef struct LexState {
    const char *file;
    int line, col;               /* where the next byte is */
    Bracket *br;                 /* open brackets, innermost last */
    int nbr, cap_br;
    long lost;                   /* brackets opened beyond LEX_MAX_BRACKETS */
    int recovering;              /* between a syntax error and the next separator */
    int synced;                  /* the last separator ended an error recovery */
    int nl_swallowed;            /* a newline inside ( [ since the last token */
    /* the token being scanned: bracket state before it */
    int tok_depth, tok_unmatched, tok_has_open;
    Bracket tok_open;
    /* the last token handed to the parser (its lookahead at an error) */
    int la_tok;
    YYSTYPE la_val;
    SrcLoc la_loc;
    int la_depth, la_unmatched, la_nl, la_has_open, la_has_prev, la_after_sync;
    Bracket la_open;             /* innermost open bracket before it */
    SrcLoc la_prev;              /* the significant token before it */
    SrcLoc last;                 /* the last token other than NEWLINE */
    int has_last;
    Pending pend[2];             /* tokens to hand out again after an error */
    int npend;
    int at_eof;
    int errors, stopped;
    Node *prog;
} LexState;

int lex_raw(YYSTYPE *val, YYLTYPE *loc, yyscan_t sc);
LexState *lex_state(yyscan_t sc);
int lex_start(LexState *s, const char *text, size_t len, yyscan_t *sc);
void lex_finish(LexState *s, yyscan_t sc);
void lex_recover_brackets(LexState *s, int lim);
void lex_error(LexState *s, SrcLoc loc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
}

%code {
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "arena.h"
#include "diag.h"
#include "parse.h"

#define ST lex_state(scanner)

static int yylex(YYSTYPE *val, YYLTYPE *loc, yyscan_t scanner);
static void yyerror(YYLTYPE *loc, yyscan_t scanner, const char *msg);
static NodeList one(Node *n);
static void append(NodeList *to, NodeList from);
static Node *grow(LexState *s, Node *n);
static Node *mk(AstKind k, SrcLoc loc, int op, Node *a, Node *b);
static Node *named(AstKind k, SrcLoc loc, const char *name);
static int is_cmp_op(int op);
static void as_ranges(LexState *s, NodeList *l, const char *fn);
static void check_fn_body(LexState *s, const NodeList *body, int nested);
static void check_for_body(LexState *s, const NodeList *body);
static void check_recur_body(LexState *s, const char *step, const NodeList *body);
static Node *with_fallback(LexState *s, Node *read, Node *fb);
}

%define api.pure full
%define api.location.type {SrcLoc}
%define parse.error custom
%define parse.lac full
%locations
%param {yyscan_t scanner}
%initial-action { @$ = (SrcLoc){lex_state(scanner)->file, 1, 1, 1, 0}; }
%expect 0

%union {
    Node *node;
    NodeList list;
    const char *str;
    int op;
}

%token <node> NUMBER "number"
%token <str> IDENT "identifier"
%token NEWLINE "end of line"
%token CONST "const" DIM "dim" INPUT "input" PARAM "param"
%token OPTIMIZER "optimizer" FN "fn" FOR "for" RECUR "recur"
%token SUM "sum" MAX "max" MIN "min" MEAN "mean" ELSE "else"
%token LE "<=" ARROW "->" FLOORDIV "//" GE ">=" EQ "==" NE "!="

%type <list> stmt const_list tdecls tdecls_opt args arg_list opt_args exprs ranges seq body block
%type <node> const_item tdecl arg range path init expr primary atom fallback postfix bound
%type <op> rel reduce

%precedence REDUCE
%nonassoc '<' LE '>' GE EQ NE     /* comparisons: one level, no chains */
%left '+' '-'
%left '*' '/' FLOORDIV '%'
%precedence UMINUS
%right '^'

%%

/* program: items separated by newlines or ';'.  Items go straight into the
 * A_PROGRAM node, so a file that ends in an error keeps what came before. */
program
    : top_seq
    | top_seq stmt          { append(&ST->prog->list, $2); }
    | top_seq error
    ;

top_seq
    : %empty
    | top_seq sep
    | top_seq stmt sep      { append(&ST->prog->list, $2); }
    | top_seq error sep
    ;

sep
    : NEWLINE               { yyerrok; ST->synced = ST->recovering; ST->recovering = 0; }
    | ';'                   { yyerrok; ST->synced = ST->recovering; ST->recovering = 0; }
    ;

/* block: '{' statements '}', newlines allowed after '{' and before '}' */
block
    : '{' body '}'          { $$ = $2; yyerrok; ST->recovering = 0; }
    ;

body
    : seq
    | seq stmt              { $$ = $1; append(&$$, $2); }
    | seq error             { $$ = $1; }
    ;

seq
    : %empty                { $$ = (NodeList){0}; }
    | seq sep               { $$ = $1; }
    | seq stmt sep          { $$ = $1; append(&$$, $2); }
    | seq error sep         { $$ = $1; }
    ;

stmt
    : CONST const_list      { $$ = $2; }
    | DIM IDENT rel bound
        {
            Node *n = named(A_DIM, @$, $2);
            n->op = $3;
            n->a = $4;
            $$ = one(n);
        }
    | INPUT IDENT '[' exprs ']' '<' bound
        {
            Node *n = named(A_INPUT, @$, $2);
            n->list = $4;
            n->a = $7;
            $$ = one(n);
        }
    | INPUT IDENT '<' bound
        {
            Node *n = named(A_INPUT, @$, $2);
            n->a = $4;
            $$ = one(n);
        }
    | INPUT IDENT '[' exprs ']'
        {
            Node *n = named(A_INPUT, @$, $2);
            n->list = $4;
            $$ = one(n);
        }
    | INPUT IDENT
        {
            $$ = one(named(A_INPUT, @$, $2));
        }
    | PARAM path '~' init
        {
            /* the last [..] of the path is the shape */
            Node *n = ast_new(A_PARAM, @$);
            if ($2->kind == A_INDEX) {
                n->a = $2->a;
                n->list = $2->list;
            } else {
                n->a = $2;
            }
            n->b = $4;
            $$ = one(n);
        }
    | OPTIMIZER IDENT '(' opt_args ')'
        {
            Node *n = named(A_OPTIMIZER, @$, $2);
            n->list = $4;
            $$ = one(n);
        }
    | FN IDENT '(' tdecls_opt ')' ARROW tdecl block
        {
            Node *n = named(A_FN, @$, $2);
            n->list = $4;
            n->b = $7;
            n->list2 = $8;
            check_fn_body(ST, &n->list2, 0);
            $$ = one(n);
        }
    | FOR IDENT rel bound block
        {
            Node *n = named(A_FOR, @$, $2);
            n->op = $3;
            n->a = $4;
            n->list = $5;
            check_for_body(ST, &n->list);
            $$ = one(n);
        }
    | RECUR IDENT rel expr block
        {
            Node *n = named(A_RECUR, @$, $2);
            n->op = $3;
            n->a = $4;
            n->list = $5;
            check_recur_body(ST, $2, &n->list);
            $$ = one(n);
        }
    | IDENT '=' expr
        { $$ = one(mk(A_ASSIGN, @$, 0, named(A_NAME, @1, $1), $3)); }
    | IDENT '[' ranges ']' '=' expr
        {
            Node *lhs = named(A_LHS, (SrcLoc){@1.file, @1.line, @1.col, @4.end_line, @4.end_col}, $1);
            lhs->list = $3;
            $$ = one(mk(A_ASSIGN, @$, 0, lhs, $6));
        }
    ;

rel
    : '<'                   { $$ = '<'; }
    | LE                    { $$ = OP_LE; }
    ;

const_list
    : const_item            { $$ = one($1); }
    | const_list ',' const_item { $$ = $1; ast_push(&$$, $3); }
    ;

const_item
    : IDENT '=' expr        { $$ = named(A_CONST, @$, $1); $$->a = $3; }
    ;

/* function parameters and result: x, x[], x[N, M] */
tdecls_opt
    : %empty                { $$ = (NodeList){0}; }
    | tdecls
    ;

tdecls
    : tdecl                 { $$ = one($1); }
    | tdecls ',' tdecl      { $$ = $1; ast_push(&$$, $3); }
    ;

tdecl
    : IDENT                 { $$ = named(A_TENSORDECL, @$, $1); }
    | IDENT '[' ']'         { $$ = named(A_TENSORDECL, @$, $1); }
    | IDENT '[' exprs ']'   { $$ = named(A_TENSORDECL, @$, $1); $$->list = $3; }
    ;

opt_args
    : %empty                { $$ = (NodeList){0}; }
    | arg_list
    ;

arg_list
    : arg                   { $$ = one($1); }
    | arg_list ',' arg      { $$ = $1; ast_push(&$$, $3); }
    ;

arg
    : IDENT '=' expr        { $$ = named(A_ARG, @$, $1); $$->a = $3; }
    ;

/* param path: name, path[exprs], path.name */
path
    : IDENT                 { $$ = named(A_NAME, @$, $1); }
    | path '[' exprs ']'    { $$ = mk(A_INDEX, @$, 0, $1, NULL); $$->list = $3; $$ = grow(ST, $$); }
    | path '.' IDENT        { $$ = mk(A_MEMBER, @$, 0, $1, NULL); $$->name = $3; $$ = grow(ST, $$); }
    ;

init
    : IDENT                 { $$ = named(A_NAME, @$, $1); }
    | IDENT '(' args ')'    { $$ = named(A_CALL, @$, $1); $$->list = $3; $$ = grow(ST, $$); }
    ;

ranges
    : range                 { $$ = one($1); }
    | ranges ',' range      { $$ = $1; ast_push(&$$, $3); }
    ;

range
    : IDENT                 { $$ = named(A_RANGE, @$, $1); }
    | IDENT rel bound       { $$ = named(A_RANGE, @$, $1); $$->op = $2; $$->a = $3; $$ = grow(ST, $$); }
    ;

/* bound: the expression after 'i <', 'T <=' or 'input x[..] <'.  One that is
 * itself a comparison, not in brackets, reads as a chain ('dim T <= N < 3')
 * and is refused as 'a < b < c' is: its node spans less than the symbol
 * (whose span includes the brackets) only when it is bracketed. */
bound
    : expr
        {
            $$ = $1;
            if ($1->kind == A_BINARY && is_cmp_op($1->op) && $1->loc.line == @1.line && $1->loc.col == @1.col)
                lex_error(ST, $1->loc, "comparisons do not chain: this bound is a comparison; bracket it to "
                          "use its 1 or 0");
        }
    ;

exprs
    : expr                  { $$ = one($1); }
    | exprs ',' expr        { $$ = $1; ast_push(&$$, $3); }
    ;

args
    : %empty                { $$ = (NodeList){0}; }
    | exprs
    ;

/* expr: reductions bind loosest and take everything to their right;
 * then the comparisons (non-associative: a < b < c is an error), then + -,
 * then * / // %, then unary -, then ^ (right associative). */
expr
    : reduce '(' ranges ')' expr %prec REDUCE
        { $$ = mk(A_REDUCE, @$, $1, NULL, $5); $$->list = $3; $$ = grow(ST, $$); }
    | MAX '(' exprs ')' expr %prec REDUCE
        {
            /* max(...) followed by an expression is the reduction; its list,
             * parsed as expressions (i < n is a comparison), holds ranges */
            as_ranges(ST, &$3, "max");
            $$ = mk(A_REDUCE, @$, RED_MAX, NULL, $5);
            $$->list = $3;
            $$ = grow(ST, $$);
        }
    | MIN '(' exprs ')' expr %prec REDUCE
        {
            as_ranges(ST, &$3, "min");
            $$ = mk(A_REDUCE, @$, RED_MIN, NULL, $5);
            $$->list = $3;
            $$ = grow(ST, $$);
        }
    | expr '<' expr         { $$ = grow(ST, mk(A_BINARY, @$, '<', $1, $3)); }
    | expr LE expr          { $$ = grow(ST, mk(A_BINARY, @$, OP_LE, $1, $3)); }
    | expr '>' expr         { $$ = grow(ST, mk(A_BINARY, @$, '>', $1, $3)); }
    | expr GE expr          { $$ = grow(ST, mk(A_BINARY, @$, OP_GE, $1, $3)); }
    | expr EQ expr          { $$ = grow(ST, mk(A_BINARY, @$, OP_EQ, $1, $3)); }
    | expr NE expr          { $$ = grow(ST, mk(A_BINARY, @$, OP_NE, $1, $3)); }
    | expr '+' expr         { $$ = grow(ST, mk(A_BINARY, @$, '+', $1, $3)); }
    | expr '-' expr         { $$ = grow(ST, mk(A_BINARY, @$, '-', $1, $3)); }
    | expr '*' expr         { $$ = grow(ST, mk(A_BINARY, @$, '*', $1, $3)); }
    | expr '/' expr         { $$ = grow(ST, mk(A_BINARY, @$, '/', $1, $3)); }
    | expr FLOORDIV expr    { $$ = grow(ST, mk(A_BINARY, @$, OP_FLOORDIV, $1, $3)); }
    | expr '%' expr         { $$ = grow(ST, mk(A_BINARY, @$, '%', $1, $3)); }
    | expr '^' expr         { $$ = grow(ST, mk(A_BINARY, @$, '^', $1, $3)); }
    | '-' expr %prec UMINUS { $$ = grow(ST, mk(A_UNARY, @$, '-', $2, NULL)); }
    | primary
    ;

reduce
    : SUM                   { $$ = RED_SUM; }
    | MEAN                  { $$ = RED_MEAN; }
    ;

/* primary: an atom, or a read with its value outside its axes,
 * x[t - 1] else 0: the fallback is an atom or a negated one, so 'else' binds
 * tighter than any operator and `a[i] else 0 + 1` is (a[i] else 0) + 1. */
primary
    : atom
    | atom ELSE fallback    { $$ = with_fallback(ST, $1, $3); }
    ;

/* max(a, b) and min(a, b) not followed by an expression are the builtin
 * calls.  A '-' after the ')' could be either: %prec REDUCE (below '-')
 * shifts it, so max(i) -x[i] stays the reduction of -x[i], like sum(i) -x[i]. */
atom
    : NUMBER
    | MAX '(' exprs ')' %prec REDUCE
        { $$ = named(A_CALL, @$, "max"); $$->list = $3; $$ = grow(ST, $$); }
    | MIN '(' exprs ')' %prec REDUCE
        { $$ = named(A_CALL, @$, "min"); $$->list = $3; $$ = grow(ST, $$); }
    | postfix
    | '(' expr ')'          { $$ = $2; }
    ;

fallback
    : atom
    | '-' fallback          { $$ = grow(ST, mk(A_UNARY, @$, '-', $2, NULL)); }
    ;

postfix
    : IDENT                 { $$ = named(A_NAME, @$, $1); }
    | IDENT '(' args ')'    { $$ = named(A_CALL, @$, $1); $$->list = $3; $$ = grow(ST, $$); }
    | postfix '[' exprs ']' { $$ = mk(A_INDEX, @$, 0, $1, NULL); $$->list = $3; $$ = grow(ST, $$); }
    | postfix '.' IDENT     { $$ = mk(A_MEMBER, @$, 0, $1, NULL); $$->name = $3; $$ = grow(ST, $$); }
    ;

%%

/* ---- tree building ---- */

static NodeList one(Node *n)
{
    NodeList l = {0};
    ast_push(&l, n);
    return l;
}

static void append(NodeList *to, NodeList from)
{
    for (int i = 0; i < from.n; i++)
        ast_push(to, from.items[i]);
}

static Node *mk(AstKind k, SrcLoc loc, int op, Node *a, Node *b)
{
    Node *n = ast_new(k, loc);
    n->op = op;
    n->a = a;
    n->b = b;
    return n;
}

static Node *named(AstKind k, SrcLoc loc, const char *name)
{
    Node *n = ast_new(k, loc);
    n->name = name;
    return n;
}

static int is_cmp_op(int op)
{
    return op == '<' || op == OP_LE || op == '>' || op == OP_GE || op == OP_EQ || op == OP_NE;
}

/* The list of max(...) followed by its body, parsed as expressions, as the
 * ranges it must be: i, i < n, i <= n. */
static void as_ranges(LexState *s, NodeList *l, const char *fn)
{
    for (int i = 0; i < l->n; i++) {
        Node *n = l->items[i];
        if (n->kind == A_NAME) {
            n->kind = A_RANGE;
        } else if (n->kind == A_BINARY && (n->op == '<' || n->op == OP_LE) && n->a->kind == A_NAME) {
            n->kind = A_RANGE;
            n->name = n->a->name;
            n->a = n->b;
            n->b = NULL;
        } else {
            lex_error(s, n->loc, "%s(...) followed by an expression is a reduction, and this is not a range "
                      "such as 'i' or 'i < n'; for the %s of two values, bracket the call: (%s(a, b))", fn,
                      strcmp(fn, "max") ? "smaller" : "larger", fn);
            return;
        }
    }
}

/* How much deeper than child c the node n nests: a left-associative
 * operator's left operand is the chain it continues, not a nesting. */
static int nest_step(const Node *n, const Node *c)
{
    int chain = n->kind == A_BINARY && n->op != '^' && c == n->a;
    return !chain;
}

static int too_big(const Node *c)
{
    return c->height > PARSE_MAX_EXPR_HEIGHT || c->nest > PARSE_MAX_EXPR_DEPTH;
}

/* Raise *h to c's height and *nest to c's nesting plus its step; *over: c was
 * already too big (and reported). */
static void take_child(const Node *n, const Node *c, int *h, int *nest, int *over)
{
    if (!c)
        return;
    if (c->height > *h)
        *h = c->height;
    if (c->nest + nest_step(n, c) > *nest)
        *nest = c->nest + nest_step(n, c);
    *over |= too_big(c);
}

/* Set n's height and nesting from its children and report the first node that
 * is too high or too deeply nested.  Both saturate, and a node over a child
 * that was too big is not reported again, so a chain is reported once. */
static Node *grow(LexState *s, Node *n)
{
    int h = 0, nest = 0, over = 0;
    take_child(n, n->a, &h, &nest, &over);
    take_child(n, n->b, &h, &nest, &over);
    for (int i = 0; i < n->list.n; i++)
        take_child(n, n->list.items[i], &h, &nest, &over);
    n->height = h > PARSE_MAX_EXPR_HEIGHT ? PARSE_MAX_EXPR_HEIGHT + 1 : h + 1;
    n->nest = nest > PARSE_MAX_EXPR_DEPTH ? PARSE_MAX_EXPR_DEPTH + 1 : nest;
    if (over)
        return n;
    if (n->nest > PARSE_MAX_EXPR_DEPTH)
        lex_error(s, n->loc, "expression nested too deeply");
    else if (n->height > PARSE_MAX_EXPR_HEIGHT)
        lex_error(s, n->loc, "expression too long: more than %d operations in a row", PARSE_MAX_EXPR_HEIGHT);
    return n;
}

/* `read else fb`: the fallback goes into the A_INDEX's b.  Anything but a
 * read (a name, a number, a bracketed sum, a read that has one already) is
 * an error here, since 'else' has no other meaning. */
static Node *with_fallback(LexState *s, Node *read, Node *fb)
{
    if (read->kind != A_INDEX) {
        lex_error(s, read->loc, "'else' gives the value of a read outside its axes, so it must follow a read "
                  "such as 'x[t - 1]'");
        return read;
    }
    if (read->b) {
        lex_error(s, read->loc, "this read already has a fallback");
        return read;
    }
    read->b = fb;
    return grow(s, read);
}

static const char *item_keyword(const Node *n)
{
    return ast_kind_name(n->kind);   /* "const", "param", "fn", ... */
}

/* A function body holds only assignments and for loops.  Recursion here is
 * bounded by the parser stack (each nested 'for' takes several entries). */
static void check_fn_body(LexState *s, const NodeList *body, int nested)
{
    for (int i = 0; i < body->n; i++) {
        const Node *n = body->items[i];
        if (n->kind == A_ASSIGN)
            continue;
        if (n->kind == A_FOR)
            check_fn_body(s, &n->list, 1);
        else if (!(nested && n->kind == A_FN))   /* check_for_body told */
            lex_error(s, n->loc, "'%s' is not allowed inside a function", item_keyword(n));
    }
}

static void check_for_body(LexState *s, const NodeList *body)
{
    for (int i = 0; i < body->n; i++)
        if (body->items[i]->kind == A_FN)
            lex_error(s, body->items[i]->loc, "'fn' is not allowed inside a 'for' block");
}

/* A recurrence's body holds only statements that define a tensor element
 * by element; trace checks that each indexes its first axis by the step. */
static void check_recur_body(LexState *s, const char *step, const NodeList *body)
{
    for (int i = 0; i < body->n; i++) {
        const Node *n = body->items[i];
        if (n->kind == A_ASSIGN && n->a->kind != A_LHS)
            lex_error(s, n->loc, "a statement inside a 'recur' block defines its tensor at the step, "
                      "as in '%s[%s, j < H] = ...'", n->a->name, step);
        else if (n->kind != A_ASSIGN)
            lex_error(s, n->loc, "'%s' is not allowed inside a 'recur' block", item_keyword(n));
    }
}

/* ---- errors ---- */

/* Count an error; 0 once the file has had too many. */
static int error_budget(LexState *s, SrcLoc loc)
{
    if (s->stopped)
        return 0;
    if (s->errors >= PARSE_MAX_ERRORS) {
        s->stopped = 1;
        diag_note(loc, "too many errors; giving up on this file");
        return 0;
    }
    s->errors++;
    return 1;
}

void lex_error(LexState *s, SrcLoc loc, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    if (!error_budget(s, loc))
        return;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    diag_error(loc, "%s", msg);
}

static void yyerror(YYLTYPE *loc, yyscan_t scanner, const char *msg)
{
    LexState *s = lex_state(scanner);
    if (strcmp(msg, "memory exhausted") != 0)
        lex_error(s, *loc, "%s", msg);
    else if (s->nbr > 0 && s->br[s->nbr - 1].ch == '{')
        lex_error(s, *loc, "blocks nested too deeply");
    else
        lex_error(s, *loc, "expression nested too deeply");
}

/* The bracket state of the token just scanned or replayed. */
static void snapshot(LexState *s, int depth, int unmatched, int has_open, Bracket open)
{
    s->la_depth = depth;
    s->la_unmatched = unmatched;
    s->la_has_open = has_open;
    s->la_open = open;
}

/* The parser's yylex: the scanner plus the tokens queued by error recovery,
 * recording what error messages need to know about each token. */
static int yylex(YYSTYPE *val, YYLTYPE *loc, yyscan_t scanner)
{
    LexState *s = lex_state(scanner);
    int tok;
    memset(val, 0, sizeof *val);
    s->la_nl = 0;
    if (s->npend > 0) {
        Pending p = s->pend[0];
        s->pend[0] = s->pend[1];
        s->npend--;
        tok = p.tok;
        *val = p.val;
        *loc = p.loc;
        snapshot(s, s->nbr, 0, s->nbr > 0, s->nbr > 0 ? s->br[s->nbr - 1] : (Bracket){0});
    } else if (s->stopped || s->at_eof) {
        tok = 0;
        *loc = (SrcLoc){s->file, s->line, s->col, s->line, s->col - 1};
        snapshot(s, s->nbr, 0, 0, (Bracket){0});
    } else {
        tok = lex_raw(val, loc, scanner);
        if (tok == 0)
            s->at_eof = 1;
        if (s->stopped)
            tok = 0;
        s->la_nl = s->nl_swallowed;
        s->nl_swallowed = 0;
        snapshot(s, s->tok_depth, s->tok_unmatched, s->tok_has_open, s->tok_open);
        if (tok == YYerror) {    /* a bad character, already reported */
            s->recovering = 1;
            lex_recover_brackets(s, s->la_depth);
        }
    }
    s->la_after_sync = s->synced;
    s->synced = 0;
    s->la_tok = tok;
    s->la_val = *val;
    s->la_loc = *loc;
    s->la_prev = s->last;
    s->la_has_prev = s->has_last;
    if (tok != 0 && tok != NEWLINE) {
        s->last = *loc;
        s->has_last = 1;
    }
    return tok;
}

/* A symbol's name as written in the grammar, without its quotes. */
static const char *sym_text(yysymbol_kind_t k, char *buf, size_t cap)
{
    const char *name = yysymbol_name(k);
    size_t n = strlen(name);
    if (n >= 2 && (name[0] == '"' || name[0] == '\'') && name[n - 1] == name[0]) {
        name++;
        n -= 2;
    }
    snprintf(buf, cap, "%.*s", (int)n, name);
    return buf;
}

/* "end of line", "identifier", "'->'" ... for an expected symbol. */
static void sym_desc(yysymbol_kind_t k, char *buf, size_t cap)
{
    char t[64];
    switch (k) {
    case YYSYMBOL_YYEOF:
    case YYSYMBOL_NEWLINE:
    case YYSYMBOL_IDENT:
    case YYSYMBOL_NUMBER:
        snprintf(buf, cap, "%s", sym_text(k, t, sizeof t));
        break;
    default:
        /* (a name longer than buf is cut short; testing the result says so to GCC) */
        if (snprintf(buf, cap, "'%s'", sym_text(k, t, sizeof t)) < 0)
            buf[0] = '\0';
        break;
    }
}

/* Up to 40 bytes of a name or number for a message. */
static void show(char *buf, size_t cap, const char *what, const char *text)
{
    size_t n = strlen(text);
    if (n > 40)
        snprintf(buf, cap, "%s '%.37s...'", what, text);
    else
        snprintf(buf, cap, "%s '%s'", what, text);
}

/* The lookahead token, as a message names it. */
static void tok_desc(const LexState *s, char *buf, size_t cap)
{
    char t[64];
    switch (s->la_tok) {
    case IDENT:
        show(buf, cap, "identifier", s->la_val.str);
        break;
    case NUMBER:
        show(buf, cap, "number", s->la_val.node->text);
        break;
    default:
        sym_desc(YYTRANSLATE(s->la_tok), t, sizeof t);
        snprintf(buf, cap, "%s", t);
        break;
    }
}

static int has(const yysymbol_kind_t *exp, int n, yysymbol_kind_t k)
{
    for (int i = 0; i < n; i++)
        if (exp[i] == k)
            return 1;
    return 0;
}

static int is_expr_start(yysymbol_kind_t k)
{
    return k == YYSYMBOL_NUMBER || k == YYSYMBOL_IDENT || k == YYTRANSLATE('(')
        || k == YYTRANSLATE('-') || k == YYSYMBOL_SUM || k == YYSYMBOL_MAX
        || k == YYSYMBOL_MIN || k == YYSYMBOL_MEAN;
}

static int is_comparison(yysymbol_kind_t k)
{
    return k == YYTRANSLATE('<') || k == YYSYMBOL_LE || k == YYTRANSLATE('>') || k == YYSYMBOL_GE
        || k == YYSYMBOL_EQ || k == YYSYMBOL_NE;
}

static int is_operator(yysymbol_kind_t k)
{
    return is_comparison(k) || k == YYTRANSLATE('+') || k == YYTRANSLATE('-') || k == YYTRANSLATE('*')
        || k == YYTRANSLATE('/') || k == YYSYMBOL_FLOORDIV || k == YYTRANSLATE('%')
        || k == YYTRANSLATE('^') || k == YYTRANSLATE('[') || k == YYTRANSLATE('.')
        || k == YYTRANSLATE('(') || k == YYSYMBOL_ELSE;
}

/* ", expected A, B or C" from the expected tokens, with the tokens that
 * start an expression said as "expression" and binary operators (and the
 * postfix '[' '.' '(') as "operator"; empty if that still says too little. */
static void expected_text(const LexState *s, const yysymbol_kind_t *exp, int n, char *buf, size_t cap)
{
    enum { MAX_ITEMS = 4 };
    char items[MAX_ITEMS + 2][64];
    int k = 0, too_many = 0;
    int has_expr = has(exp, n, YYSYMBOL_NUMBER);
    int has_op = has(exp, n, YYTRANSLATE('+'));
    int has_nl = has(exp, n, YYSYMBOL_NEWLINE);
    int at_end = s->la_tok == 0 || s->la_tok == NEWLINE;
    buf[0] = '\0';
    if (has_expr)
        snprintf(items[k++], sizeof items[0], "expression");
    int op_slot = has_op ? k++ : -1;
    for (int i = 0; i < n; i++) {
        if ((has_expr && is_expr_start(exp[i])) || (has_op && is_operator(exp[i])))
            continue;
        if (has_nl && (exp[i] == YYSYMBOL_YYEOF || exp[i] == YYTRANSLATE(';')))
            continue;
        if (k == MAX_ITEMS) {
            too_many = 1;
            break;
        }
        sym_desc(exp[i], items[k++], sizeof items[0]);
    }
    if (op_slot >= 0) {
        /* "operator" is no help at the end of a line that needs more */
        if (at_end && k > 1) {
            memmove(items[op_slot], items[op_slot + 1], (size_t)(k - op_slot - 1) * sizeof items[0]);
            k--;
        } else {
            snprintf(items[op_slot], sizeof items[0], "operator");
        }
    }
    if (too_many || k == 0)
        return;
    size_t len = (size_t)snprintf(buf, cap, ", expected ");
    for (int i = 0; i < k && len < cap; i++) {
        const char *joint = i == 0 ? "" : i == k - 1 ? " or " : ", ";
        len += (size_t)snprintf(buf + len, cap - len, "%s%s", joint, items[i]);
    }
}

static SrcLoc just_after(SrcLoc l)
{
    return (SrcLoc){l.file, l.end_line, l.end_col + 1, l.end_line, l.end_col + 1};
}

static char closer_of(char opener)
{
    return opener == '(' ? ')' : opener == '[' ? ']' : '}';
}

/* After an error the parser skips to the next separator: forget brackets
 * left open, and if the lookahead began a new line inside brackets, hand
 * out a newline and then the lookahead again so that line still parses. */
static void begin_recovery(LexState *s, SrcLoc after)
{
    int la = s->la_tok;
    s->recovering = 1;
    lex_recover_brackets(s, s->la_depth);
    if (la == '{' && s->nbr > 0 && s->br[s->nbr - 1].ch == '{')
        s->br[s->nbr - 1].skip = 1;          /* this '{' will be skipped */
    if (s->la_nl && la != 0 && la != NEWLINE && la != ';' && la != '{'
        && la != '}' && la != ')' && la != ']') {
        s->pend[0] = (Pending){NEWLINE, {0}, after};
        s->pend[1] = (Pending){la, s->la_val, s->la_loc};
        s->npend = 2;
        s->last = s->la_prev;
        s->has_last = s->la_has_prev;
        s->recovering = 0;       /* the newline ends the recovery */
    }
}

static int yyreport_syntax_error(const yypcontext_t *ctx, yyscan_t scanner)
{
    LexState *s = lex_state(scanner);
    yysymbol_kind_t exp[YYNTOKENS];
    char what[128], expected[512];
    int n = yypcontext_expected_tokens(ctx, exp, YYNTOKENS);
    if (n < 0)
        return n;
    int la = s->la_tok;
    int closer = la == ')' || la == ']' || la == '}';
    SrcLoc at = s->la_loc;
    SrcLoc after = s->la_has_prev ? just_after(s->la_prev) : at;
    tok_desc(s, what, sizeof what);

    if (la == '{' && s->la_after_sync) {
        /* "fn f(x) -> y" then '{' on the next line: already reported */
        begin_recovery(s, after);
        return 0;
    }
    if (s->la_has_open && has(exp, n, YYTRANSLATE((int)closer_of(s->la_open.ch)))
        && (la == 0 || s->la_nl || ((closer || la == ';') && s->la_open.ch != '{'))) {
        /* a bracket left open: say where it was opened */
        Bracket o = s->la_open;
        int at_end = la == 0 || (s->la_nl && !closer && la != ';');
        SrcLoc where = at_end ? after : at;
        if (error_budget(s, where)) {
            if (at_end)
                diag_error(where, "'%c' expected (to close '%c' at %d:%d)",
                           closer_of(o.ch), o.ch, o.loc.line, o.loc.col);
            else
                diag_error(where, "'%c' expected (to close '%c' at %d:%d), found %s",
                           closer_of(o.ch), o.ch, o.loc.line, o.loc.col, what);
            diag_note(o.loc, "to match this '%c'", o.ch);
        }
    } else if (is_comparison(YYTRANSLATE(la)) && has(exp, n, YYTRANSLATE('+')) && !has(exp, n, YYTRANSLATE('<'))) {
        /* after an operand, a comparison is refused only after another one */
        lex_error(s, at, "comparisons do not chain: %s follows a comparison; "
                  "bracket one side to compare its 1 or 0", what);
    } else if (closer && s->la_unmatched && !has(exp, n, YYSYMBOL_NUMBER)) {
        lex_error(s, at, "unmatched '%c'", la);
    } else {
        expected_text(s, exp, n, expected, sizeof expected);
        lex_error(s, la == 0 || la == NEWLINE ? after : at, "unexpected %s%s", what, expected);
    }
    begin_recovery(s, after);
    return 0;
}

/* ---- entry points ---- */

Node *parse_source_n(const char *file, const char *text, size_t len)
{
    LexState s;
    yyscan_t scanner;
    if (!file)
        file = "<input>";
    if (!text)
        return NULL;
    diag_add_source_n(file, text, len);
    memset(&s, 0, sizeof s);
    s.file = arena_strdup(file);
    s.line = s.col = 1;
    s.prog = ast_new(A_PROGRAM, (SrcLoc){s.file, 1, 1, 1, 0});
    if (!lex_start(&s, text, len, &scanner)) {
        diag_error((SrcLoc){s.file, 0, 0, 0, 0}, "file is too large");
        return s.prog;
    }
    yyparse(scanner);
    lex_finish(&s, scanner);
    return s.prog;
}

Node *parse_source(const char *file, const char *text)
{
    return text ? parse_source_n(file, text, strlen(text)) : NULL;
}
