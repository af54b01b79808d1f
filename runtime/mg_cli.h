/* mg_cli.h: the command line every trainer shares (train, sample, grad).
 * Takes a model and argv; hands on printed losses/samples/files and an exit
 * status: 0 on success, 1 after one "PROG: error: ..." line on stderr. */
#ifndef MG_CLI_H
#define MG_CLI_H

#include "mg_model.h"

/* A generated trainer's main is `return mg_cli_main(&mlp_model, "mlp", argc, argv);`.
 * argv[0] is ignored; argv[1] is the command.  prog names the program in messages. */
int mg_cli_main(const MgModel *m, const char *prog, int argc, char **argv);

#endif
