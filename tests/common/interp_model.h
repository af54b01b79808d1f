/* interp_model.h: a .mg file as the interpreter's MgModel, for the tests
 * that hold compiled models of examples to it. */
#ifndef MGC_TEST_INTERP_MODEL_H
#define MGC_TEST_INTERP_MODEL_H

#include <criterion/criterion.h>

#include "interp.h"
#include "pipeline.h"

/* the model `name` of the .mg file at path, interpreted (asserts it compiles) */
static inline MgModel interp_model(const char *path, const char *name)
{
    MgModel m;
    Graph *g = mgc_front_end(path, name, 0, NULL);
    cr_assert_not_null(g, "%s does not compile", path);
    cr_assert_eq(interp_make_model(g, &m), 0);
    return m;
}

#endif
