#!/bin/sh
# adam.sh BUILD_DIR [n] [steps] [runs]: the runtime's Adam update alone
# (adam.c): the exact update against MgOptim.fast (g * g and sqrt for the
# reference's pow: mgc --fast, --dtype=f32), i.e. what matching the
# reference's ** costs.  libmgrt builds optim.c with -O3 (and -march=native
# unless MGC_NATIVE is off).
set -e
B=${1:?usage: adam.sh BUILD_DIR [n] [steps] [runs]}
shift
S=$(cd "$(dirname "$0")/../.." && pwd)
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
${CC:-cc} -std=c11 -O2 -fopenmp -I"$S/runtime" "$S/tests/bench/adam.c" "$B/runtime/libmgrt.a" -lm -o "$T/adam"
"$T/adam" "$@"
