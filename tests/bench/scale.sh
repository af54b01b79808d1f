#!/bin/sh
# scale.sh BUILD_DIR: issue #8's benchmark.  models/gpt_text.mg at n_embd 64,
# 128 and 256 (2, 3 and 4 layers), batch 8 of 64-character pieces of the
# embedded text, float32 (mgc --dtype=f32), on 1 and 2 threads; beside each
# mgc row the same model in PyTorch eager float32 (bench_text_torch.py) on as
# many threads (torch_best below), when /usr/bin/python3 has torch.  Training
# tokens (target positions) per second over the steps after two warm-up steps
# (for both: mgc's first step also faults in its buffers and loads OpenBLAS),
# the median of REPS (default 3) runs of each, mgc's and PyTorch's
# alternating (this machine is shared and noisy); % of peak = tokens/s x the
# FLOPs per position mgc --explain counts
# (forward and backward, not Adam) / (peak.c's one-core fp32 peak x threads).
set -e
B=${1:?usage: scale.sh BUILD_DIR}
S=$(cd "$(dirname "$0")/../.." && pwd)
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
CC=${CC:-cc}
PY=/usr/bin/python3
REPS=${REPS:-3}
FLAGS=${MGC_FLAGS:---dtype=f32}     # MGC_FLAGS="--dtype=f32 --blas": the products in OpenBLAS
median() { printf '%s\n' "$@" | sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }
$CC -std=c11 -O3 -march=native -ffp-contract=fast "$S/tests/bench/peak.c" -o "$T/peak"
PEAK=$("$T/peak" | sed -n 's/.*: \([0-9.]*\) GFLOP.*/\1/p')
echo "fp32 peak of one core (tests/bench/peak.c): $PEAK GFLOP/s"
TORCH=1
$PY -c "import torch" 2>/dev/null || TORCH=0
[ $TORCH = 1 ] || echo "PyTorch rows skipped: $PY has no torch (apt-get install python3-torch)"
# PyTorch's tokens per second on TH threads: with more than one, the best of
# its three ways to use them (its OpenMP threads and OpenBLAS's both on TH,
# OpenMP waiting passively; OpenMP on 1 and OpenBLAS on TH; OpenMP on TH and
# OpenBLAS on 1).  Both pools spinning at once, the default, measured up to
# 2.5x slower than one thread at n_embd 256 on this 2-core machine.
torch_run() {  # OMP_THREADS OPENBLAS_THREADS E L N
  OMP_WAIT_POLICY=PASSIVE OMP_NUM_THREADS=$1 OPENBLAS_NUM_THREADS=$2 \
    $PY "$S/tests/bench/bench_text_torch.py" --embd $3 --layers $4 --threads $1 --steps $5
}
torch_best() {  # TH E L N
  if [ $1 = 1 ]; then
    torch_run 1 1 $2 $3 $4
  else
    printf '%s\n' "$(torch_run $1 $1 $2 $3 $4)" "$(torch_run 1 $1 $2 $3 $4)" "$(torch_run $1 1 $2 $3 $4)" | sort -n | tail -1
  fi
}
printf '%-22s %7s %12s %8s %12s %8s\n' model threads "mgc tok/s" "% peak" "torch tok/s" "mgc/torch"
printf '#include "mg_cli.h"\n#include "mg_model.h"\nextern const MgModel g_model;\nint main(int argc, char **argv) { return mg_cli_main(&g_model, "g", argc, argv); }\n' > "$T/main.c"
for cfg in "64 2 20" "128 3 8" "256 4 3"; do
  set -- $cfg
  E=$1 L=$2 N=$3
  "$B/mgc" -D n_embd=$E -D n_layer=$L $FLAGS "$S/models/gpt_text.mg" --name g -o "$T/g.c"
  FLOPS=$("$B/mgc" -D n_embd=$E -D n_layer=$L "$S/models/gpt_text.mg" --explain | awk '/^  total/ {print $5}')
  $CC -std=c11 -O3 -march=native -ffp-contract=fast -fopenmp -I"$S/runtime" "$T/g.c" "$T/main.c" \
      "$B/runtime/libmgrt.a" -lm -o "$T/g" 2>/dev/null
  for th in 1 2; do
    # REPS runs of each, mgc and PyTorch alternating; the medians
    MS= TS=
    for rep in $(seq $REPS); do
      "$T/g" train --docs text --batch 8 --threads $th --steps $((N + 2)) --num 0 --progress plain \
          --log "$T/g.csv" >/dev/null
      # every piece of the embedded text used here is a full 64 characters: 8 x 64
      # positions a step; the time from the end of step 2 to the end of the last
      MS="$MS $(awk -F, -v n=$N '$1 == 2 {t0 = $4} END {printf "%.0f", n * 512 / ($4 - t0)}' "$T/g.csv")"
      if [ $TORCH = 1 ]; then TS="$TS $(torch_best $th $E $L $N)"; fi
    done
    MGC=$(median $MS)
    PCT=$(awk -v t=$MGC -v f=$FLOPS -v p=$PEAK -v th=$th 'BEGIN {printf "%.1f", 100 * t * f / (p * 1e9 * th)}')
    if [ $TORCH = 1 ]; then
      TT=$(median $TS)
      R=$(awk -v a=$MGC -v b=$TT 'BEGIN {printf "%.2fx", a / b}')
    else
      TT=- R=-
    fi
    printf '%-22s %7s %12s %8s %12s %8s\n' "n_embd $E, $L layers" $th $MGC "$PCT" "$TT" "$R"
  done
done
