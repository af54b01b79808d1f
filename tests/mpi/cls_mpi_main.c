/* cls_mpi: the trainer of tests/inputs/cls.mg, a model of examples, linked
 * with the MPI runtime (tests/mpi). */
#include "mg_cli.h"
#include "mg_model.h"

extern const MgModel t_guar_cls_model;

int main(int argc, char **argv)
{
    return mg_cli_main(&t_guar_cls_model, "t_guar_cls", argc, argv);
}
