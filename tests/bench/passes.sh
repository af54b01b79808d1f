#!/bin/sh
# passes.sh BUILD_DIR [DATA]: what each optimisation pass buys on microGPT.
# For each setting, mgc emits microgpt.mg, cc compiles it as the build does
# (-O3 -march=native -ffp-contract=off), and lossgrad.c times loss_grad alone
# over the first 1000 documents (the best, i.e. minimum, of 9 runs).  Prints scratch size, emitted
# lines and time; the loss sums must all agree (every pass is exact, except
# --fast, which is shown last).
set -e
B=${1:?usage: passes.sh BUILD_DIR [DATA]}
DATA=${2:-$(dirname "$0")/../../../shared/data/names.txt}
[ -r "$DATA" ] || DATA=-
S=$(cd "$(dirname "$0")/../.." && pwd)
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
CC=${CC:-cc}
printf "%-18s %9s %7s  %s\n" "mgc options" "scratch" "lines" "loss_grad"
for cfg in -O0 --no-opt=fold --no-opt=licm --no-opt=cse --no-opt=dce --no-opt=split --no-opt=reduce --no-opt=fuse \
           --no-opt=reuse --no-opt=block default --fast; do
  opt=$cfg; [ "$cfg" = default ] && opt=
  "$B/mgc" $opt "$S/models/microgpt.mg" --name microgpt -o "$T/m.c"
  $CC -std=c11 -O3 -march=native -ffp-contract=off -I"$S/runtime" -c "$T/m.c" -o "$T/m.o"
  $CC -std=c11 -O2 -I"$S/runtime" "$S/tests/bench/lossgrad.c" "$T/m.o" "$B/runtime/libmgrt.a" -lm -o "$T/lg"
  printf "%-18s %9s %7s  %s\n" "$cfg" "$(sed -n 's/.*Scratch: \([0-9]*\) doubles.*/\1/p' "$T/m.c")" \
    "$(wc -l < "$T/m.c")" "$("$T/lg" "$DATA" 9)"
done
