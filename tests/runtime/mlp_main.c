/* mlp_main.c: trainer for the hand-written reference MLP. */
#include "mg_cli.h"

extern const MgModel ref_mlp_model;

int main(int argc, char **argv) { return mg_cli_main(&ref_mlp_model, "mlp", argc, argv); }
