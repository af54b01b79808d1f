/* microgpt_mpi_fault: as microgpt_mpi, with a fault in the rank that OpenMPI
 * numbers 1 (OMPI_COMM_WORLD_RANK), chosen by MGC_TEST_FAULT, so that
 * tests/mpi sees how the job stops:
 *   data  its --data file does not exist;
 *   die   it is killed by SIGALRM two seconds after it starts (training by then). */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mg_cli.h"
#include "mg_model.h"

extern const MgModel microgpt_model;

int main(int argc, char **argv)
{
    const char *rank = getenv("OMPI_COMM_WORLD_RANK"), *fault = getenv("MGC_TEST_FAULT");
    static char missing[] = "/nonexistent/rank1-data.txt";
    if (rank && !strcmp(rank, "1") && fault && !strcmp(fault, "data"))
        for (int i = 1; i + 1 < argc; i++)
            if (!strcmp(argv[i], "--data"))
                argv[i + 1] = missing;
    if (rank && !strcmp(rank, "1") && fault && !strcmp(fault, "die")) {
        signal(SIGALRM, SIG_DFL);
        alarm(2);
    }
    return mg_cli_main(&microgpt_model, "microgpt", argc, argv);
}
