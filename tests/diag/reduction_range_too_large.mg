# a reduction's range has the same cap as a loop bound or an extent
const vocab = 27
dim T <= 16
input tokens[T + 1] < vocab
param h[16, 64] ~ gauss(0, 0.08)
logits[t < T, v < vocab] = h[t, v]
loss = sum(t < T) logits[t, tokens[t + 1]]
x = sum(s < 2147483647 * 2147483647) h[0, 0]

# ---- expected (mgc reduction_range_too_large.mg -o OUT.c): exit 1, and on stderr: ----
#| reduction_range_too_large.mg:8:13: error: the range of 's' must be at most 100000000, but it can reach 4611686014132420609
#|     8 | x = sum(s < 2147483647 * 2147483647) h[0, 0]
#|       |             ^~~~~~~~~~~~~~~~~~~~~~~
