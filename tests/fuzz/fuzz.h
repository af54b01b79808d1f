/* fuzz.h: the differential fuzzer's program tree, shared by the generator
 * (gen.c) and the driver/shrinker (fuzz.c).  A Prog is statements holding
 * expression trees; fz_print turns it into .mg text.  The shrinker mutates
 * nodes in place (and undoes), so nothing here is ever freed. */
#ifndef MGFUZZ_H
#define MGFUZZ_H

enum { FX_LEAF, FX_UN, FX_BIN, FX_CALL, FX_RED };
typedef struct FzEx {
    int kind;
    const char *text;     /* leaf text, function name, operator, or reduction head */
    struct FzEx *a[3];
    int n;
} FzEx;

enum { FS_ROOT, FS_RAW, FS_CONST, FS_ASSIGN, FS_BLOCK };
typedef struct FzSt {
    int kind;
    const char *head;     /* raw text, const name, assignment target, block header */
    FzEx *e;                /* FS_ASSIGN: right-hand side */
    int ival, min;        /* FS_CONST: value and smallest sensible value */
    int dead;             /* dropped by the shrinker */
    struct FzSt **kids;
    int nk;
} FzSt;

typedef struct Prog { FzSt *root; } Prog;

Prog *fz_generate(unsigned long long seed);
char *fz_print(const Prog *p);          /* malloc'd .mg text */
char *fz_strf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
