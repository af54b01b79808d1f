/* toy_main.c: the toy trainer, exactly as a generated model's main looks. */
#include "mg_cli.h"
#include "toy_model.h"

int main(int argc, char **argv) { return mg_cli_main(&toy_model, "toy", argc, argv); }
