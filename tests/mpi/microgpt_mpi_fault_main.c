/* microgpt_mpi_fault: as microgpt_mpi, but the rank that OpenMPI numbers 1
 * (OMPI_COMM_WORLD_RANK) gets a --data file that does not exist, so that
 * tests/mpi sees how a rank that cannot read its data stops the job. */
#include <stdlib.h>
#include <string.h>

#include "mg_cli.h"
#include "mg_model.h"

extern const MgModel microgpt_model;

int main(int argc, char **argv)
{
    const char *rank = getenv("OMPI_COMM_WORLD_RANK");
    static char missing[] = "/nonexistent/rank1-data.txt";
    for (int i = 1; rank && !strcmp(rank, "1") && i + 1 < argc; i++)
        if (!strcmp(argv[i], "--data"))
            argv[i + 1] = missing;
    return mg_cli_main(&microgpt_model, "microgpt", argc, argv);
}
