#!/bin/sh
# compile.sh BUILD_DIR [SCALE]: mgc's compile time on programs that grow (issue
# 16, item 9).  Each row generates one program, runs `mgc PROG -o FILE.c`
# three times and prints the fastest wall time and that run's peak memory.
# SCALE (default 1) multiplies every size: 0.1 for a quick look.  Targets:
# every row under 2 s, and time and memory growing about linearly with size.
#   loop N         mlp.mg with `for l < N { h = h * 1.0 }` (one name rebound N times)
#   rebind N       the same N statements written out one per line
#   microgpt L     models/microgpt.mg with -D n_layer=L
#   params N       N parameter tensors, each added into h by its own statement
#   names N        N top-level constants (scope lookups)
#   fused N        N elementwise statements over the same ranges (one fused run)
#   flat N         mlp.mg with h = h0 * 0.0001 + ... of N terms (one long chain;
#                  19999 is the longest the parser takes, PARSE_MAX_EXPR_HEIGHT)
# Timings are not checked by any test.
set -e
B=${1:?usage: compile.sh BUILD_DIR [SCALE]}
SCALE=${2:-1}
S=$(cd "$(dirname "$0")/../.." && pwd)
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
MLP="$S/models/mlp.mg"

size() { awk -v n="$1" -v s="$SCALE" 'BEGIN { v = int(n * s); print v < 1 ? 1 : v }'; }

# mlp.mg with the text of $1 (a file) put after its hidden layer
mlp_with() {
  awk -v f="$1" '{ print } /^h = relu/ { while ((getline l < f) > 0) print l }' "$MLP"
}

# row NAME SIZE MGC-ARGS...: min wall time of 3 runs and its peak memory
row() {
  name=$1 n=$2
  shift 2
  best=
  for run in 1 2 3; do
    /usr/bin/time -f "%e %M" -o "$T/time" "$B/mgc" "$@" -o "$T/out.c"
    t=$(cut -d' ' -f1 "$T/time") m=$(cut -d' ' -f2 "$T/time")
    if [ -z "$best" ] || awk -v a="$t" -v b="$best" 'BEGIN { exit !(a < b) }'; then best=$t mem=$m; fi
  done
  printf "%-10s %7s %8s s %8s MB %8s lines of C\n" "$name" "$n" "$best" "$((mem / 1024))" "$(wc -l < "$T/out.c")"
}

printf "%-10s %7s %10s %11s\n" "program" "size" "mgc time" "peak memory"

for n in $(size 1000) $(size 3000) $(size 5000); do
  printf 'for l < %d {\n    h = h * 1.0\n}\n' "$n" > "$T/body"
  mlp_with "$T/body" > "$T/loop.mg"
  row loop "$n" "$T/loop.mg"
done

for n in $(size 3000) $(size 10000); do
  awk -v n="$n" 'BEGIN { for (i = 0; i < n; i++) print "h = h * 1.0" }' > "$T/body"
  mlp_with "$T/body" > "$T/rebind.mg"
  row rebind "$n" "$T/rebind.mg"
done

for l in $(size 48) $(size 96) $(size 192); do
  row microgpt "$l" -D n_layer="$l" "$S/models/microgpt.mg"
done

for n in $(size 5000) $(size 10000) $(size 20000); do
  printf 'for l < %d {\n    param b[l].w[n_hidden] ~ gauss(0, 0.08)\n}\nfor l < %d {\n    h[t < T, c] = h[t, c] + b[l].w[c]\n}\n' \
    "$n" "$n" > "$T/body"
  mlp_with "$T/body" > "$T/params.mg"
  row params "$n" "$T/params.mg"
done

for n in $(size 10000) $(size 50000); do
  awk -v n="$n" 'BEGIN { for (i = 0; i < n; i++) printf "const c%d = %d\n", i, i }' > "$T/body"
  mlp_with "$T/body" > "$T/names.mg"
  row names "$n" "$T/names.mg"
done

for n in $(size 5000) $(size 20000); do
  awk -v n="$n" 'BEGIN { for (i = 0; i < n; i++) print "h[t < T, c] = h[t, c] * 0.5 + 0.25" }' > "$T/body"
  mlp_with "$T/body" > "$T/fused.mg"
  row fused "$n" "$T/fused.mg"
done

for n in $(size 5000) $(size 10000) $(size 19999); do
  awk -v n="$n" 'BEGIN { printf "h0 = h\nh = h0 * 0.0001"; for (i = 1; i < n; i++) printf " + h0 * 0.0001"; print "" }' > "$T/body"
  mlp_with "$T/body" > "$T/flat.mg"
  row flat "$n" "$T/flat.mg"
done
