/* fuzz_mgc.c: libFuzzer harness for the whole compiler (issue #6): parse,
 * check, trace, differentiate, optimise and emit, on any bytes as a .mg file.
 * An input may be rejected with diagnostics; it must never crash, trip a
 * sanitizer or reach an internal error (which exits, and libFuzzer reports). */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "arena.h"
#include "ast.h"
#include "autodiff.h"
#include "diag.h"
#include "emit_c.h"
#include "ir.h"
#include "parse.h"
#include "pipeline.h"
#include "trace.h"

extern const char mgc_prelude[];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static FILE *null;
    if (!null)
        null = fopen("/dev/null", "w");
    diag_reset();               /* (which also resets the output to stderr) */
    diag_set_output(null);
    diag_add_source("prelude.mg", mgc_prelude);
    Node *prelude = parse_source("prelude.mg", mgc_prelude);
    diag_add_source_n("fuzz.mg", (const char *)data, size);
    Node *prog = parse_source_n("fuzz.mg", (const char *)data, size);
    if (prelude && prog && !diag_errors()) {
        Graph *g = trace_program(prelude, prog, "fuzz", "fuzz.mg", NULL);
        if (g && !diag_errors()) {
            ir_verify(g);
            ad_differentiate(g);
            if (!diag_errors()) {
                ir_verify(g);
                mgc_middle_end(g, 0, 0);
                emit_c(null, g);
            }
        }
    }
    arena_free_all();
    return 0;
}
