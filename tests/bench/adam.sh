#!/bin/sh
# adam.sh BUILD_DIR [n] [steps] [runs]: the Adam update alone (adam.c), the
# runtime's exact one against the same code with libm's pow replaced by its
# fast candidates g * g and sqrt(v_hat) (not the reference's bits): what
# matching the reference's ** costs.  Both built as CMake builds optim.c.
set -e
B=${1:?usage: adam.sh BUILD_DIR [n] [steps] [runs]}
shift
S=$(cd "$(dirname "$0")/../.." && pwd)
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
CC=${CC:-cc}
OPT="-std=c11 -O3 -fno-math-errno -march=native -ffp-contract=off -I$S/runtime"
RENAME() { echo "-Dmg_optim_init=$1_init -Dmg_optim_free=$1_free -Dmg_optim_step=$1_step -Dmg_optim_lr=$1_lr"; }
$CC $OPT $(RENAME exact) -c "$S/runtime/optim.c" -o "$T/exact.o"
# mg_exactpow.h first, so that optim.c's include of it is empty and the
# checks below replace its own
printf '#include "mg_exactpow.h"\n#define mg_pow2_fast(x, p) 1\n#define mg_pow_half_fast(v, q) 1\n#include "optim.c"\n' \
  > "$T/other.c"
$CC $OPT $(RENAME other) -c "$T/other.c" -o "$T/other.o"
$CC -std=c11 -O2 -I"$S/runtime" "$S/tests/bench/adam.c" "$T/exact.o" "$T/other.o" "$B/runtime/libmgrt.a" -lm \
  -o "$T/adam"
echo "exact: runtime/optim.c; other: the same with g * g and sqrt(v_hat) for libm's pow"
"$T/adam" "$@"
