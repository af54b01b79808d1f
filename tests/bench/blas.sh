#!/bin/sh
# blas.sh BUILD_DIR: mgc's float32 matrix products against the BLAS (OpenBLAS
# when libopenblas0-pthread is installed) at gpt_text's shapes, one thread,
# T = 64 (one 64-character piece): the n_embd x n_embd products (attention's
# q, k, v, o) and the n_embd x 4 n_embd ones (the MLP).  See blas.c.
# OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE are unset here (this benchmark
# only): OpenBLAS then picks its kernels for this CPU (AVX-512 where it has them).
set -e
unset OPENBLAS_CORETYPE OPENBLAS_L2_SIZE
B=${1:?usage: blas.sh BUILD_DIR}
S=$(cd "$(dirname "$0")/../.." && pwd)
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
CC=${CC:-cc}
for shape in "64 64" "64 256" "128 128" "128 512" "256 256" "256 1024"; do
  set -- $shape
  "$B/mgc" --dtype=f32 -D n_in=$1 -D n_out=$2 "$S/tests/bench/linear.mg" --name g -o "$T/g.c"
  $CC -std=c11 -O3 -march=native -ffp-contract=fast -fopenmp -I"$S/runtime" "$T/g.c" "$S/tests/bench/blas.c" \
      "$B/runtime/libmgrt.a" -lm -o "$T/blas"
  OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 "$T/blas" $1 $2
done
