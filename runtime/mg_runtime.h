/* mg_runtime.h: the whole runtime API in one include.
 * Takes nothing; hands on every public mg_ header, in pipeline order. */
#ifndef MG_RUNTIME_H
#define MG_RUNTIME_H

#include "mg_model.h"
#include "mg_err.h"
#include "mg_utf8.h"
#include "mg_rng.h"
#include "mg_data.h"
#include "mg_optim.h"
#include "mg_json.h"
#include "mg_safetensors.h"
#include "mg_checkpoint.h"
#include "mg_sample.h"
#include "mg_cli.h"

#endif
