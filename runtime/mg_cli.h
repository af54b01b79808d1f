/* mg_cli.h: the command line every trainer shares (train, sample, grad).
 * Takes a model and argv; hands on printed losses/samples/files and an exit
 * status: 0 on success, 1 after one "PROG: error: ..." line on stderr. */
#ifndef MG_CLI_H
#define MG_CLI_H

#include "mg_model.h"

/* A generated trainer's main is `return mg_cli_main(&mlp_model, "mlp", argc, argv);`.
 * argv[0] is ignored; argv[1] is the command.  prog names the program in messages. */
int mg_cli_main(const MgModel *m, const char *prog, int argc, char **argv);

/* mg_cli_main for a model of examples (MgModel.inputs, loss_grad_x): train
 * and grad take their examples from ex, in memory, whose fields must be the
 * model's inputs (the dataset readers fill one from a file); sample is for
 * text models only.  An example is a document: --batch N takes N of them a
 * step (the mean loss), grad --doc I the I-th (0-based). */
int mg_cli_main_examples(const MgModel *m, const MgExamples *ex, const char *prog, int argc, char **argv);

#endif
