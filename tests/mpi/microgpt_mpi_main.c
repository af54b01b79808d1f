/* microgpt_mpi: the microGPT trainer linked with the MPI runtime (tests/mpi). */
#include "mg_cli.h"
#include "mg_model.h"

extern const MgModel microgpt_model;

int main(int argc, char **argv)
{
    return mg_cli_main(&microgpt_model, "microgpt", argc, argv);
}
