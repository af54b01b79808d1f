# comparisons are non-associative: a < b < c is an error (it would compare
# the 1 or 0 of a < b with c), in an expression and in a range's bound alike
const vocab = 27
dim T <= 16
input tokens[T + 1] < vocab
param w[16, vocab] ~ gauss(0, 0.08)
logits[t < T, v < vocab] = w[t, v] * (0 < w[t, v] < 1)
y[t < T < 8] = w[t, 0]
loss = sum(t < T) logits[t, tokens[t + 1]]

# ---- expected (mgc chained_comparison.mg -o OUT.c): exit 1, and on stderr: ----
#| chained_comparison.mg:7:51: error: comparisons do not chain: '<' follows a comparison; bracket one side to compare its 1 or 0
#|     7 | logits[t < T, v < vocab] = w[t, v] * (0 < w[t, v] < 1)
#|       |                                                   ^
#| chained_comparison.mg:8:7: error: comparisons do not chain: this bound is a comparison; bracket it to use its 1 or 0
#|     8 | y[t < T < 8] = w[t, 0]
#|       |       ^~~~~
