#!/bin/sh
# mpi.sh BUILD_DIR: issue #9's measurement.  gpt_text at n_embd 128 (3 layers)
# and 256 (4 layers), float32, 8 documents of 64 characters a step: one
# process with --batch 8, then 2 ranks with --batch 4 each (mpirun
# --oversubscribe, one thread a rank).  Prints training tokens per second and
# the share of the training time the ranks spent in the gradient reduction.
# Needs OpenMPI (libopenmpi-dev, openmpi-bin) and BUILD_DIR/runtime/libmgrt_mpi.a
# (built when OpenMPI is installed) or a build configured with -DMGC_MPI=ON.
set -e
B=${1:?usage: mpi.sh BUILD_DIR}
S=$(cd "$(dirname "$0")/../.." && pwd)
LIB=$B/runtime/libmgrt_mpi.a
[ -r "$LIB" ] || LIB=$B/runtime/libmgrt.a
command -v mpicc >/dev/null || { echo "mpi.sh: no mpicc (apt-get install libopenmpi-dev openmpi-bin)"; exit 1; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
printf '#include "mg_cli.h"\n#include "mg_model.h"\nextern const MgModel g_model;\nint main(int argc, char **argv) { return mg_cli_main(&g_model, "g", argc, argv); }\n' > "$T/main.c"
printf '%-22s %6s %12s %14s\n' model ranks "tok/s" "in reduction"
for cfg in "128 3 8" "256 4 3"; do
  set -- $cfg
  E=$1 L=$2 N=$3
  "$B/mgc" -D n_embd=$E -D n_layer=$L --dtype=f32 "$S/models/gpt_text.mg" --name g -o "$T/g.c"
  mpicc -std=c11 -O3 -march=native -ffp-contract=fast -fopenmp -I"$S/runtime" "$T/g.c" "$T/main.c" "$LIB" -lm -o "$T/g"
  for np in 1 2; do
    mpirun --oversubscribe -np $np "$T/g" train --docs text --batch $((8 / np)) --steps $N --num 0 --progress plain \
      --log "$T/g.csv" > "$T/out.txt"
    TOK=$(tail -1 "$T/g.csv" | awk -F, -v n=$N '{printf "%.0f", n * 512 / $4}')
    COMM=$(sed -n 's/.*; \([0-9.]*%\) of the training time.*/\1/p' "$T/out.txt")
    printf '%-22s %6s %12s %14s\n' "n_embd $E, $L layers" $np $TOK "${COMM:--}"
  done
done
