# max, min and clamp in an index: the bounds checker knows them, so
# tokens[max(t - 2, 0)] is in range and tokens[min(t - 2, 5)] can still be
# negative (it says how far); a wrong number of arguments is told
const vocab = 27
dim T <= 16
input tokens[T + 1] < vocab
param w[vocab, vocab] ~ gauss(0, 0.08)
logits[t < T, v < vocab] = w[tokens[max(t - 2, 0)], v] + w[tokens[min(t - 2, 5)], v]
y[t < T] = clamp(t, 0) + max(1, 2, 3)
loss = sum(t < T) logits[t, tokens[t + 1]]

# ---- expected (mgc minmax_index.mg -o OUT.c): exit 1, and on stderr: ----
#| minmax_index.mg:8:67: error: index 1 of 'tokens' can be negative (as low as -2)
#|     8 | logits[t < T, v < vocab] = w[tokens[max(t - 2, 0)], v] + w[tokens[min(t - 2, 5)], v]
#|       |                                                                   ^~~~~~~~~~~~~
#| minmax_index.mg:8:67: note: with T = 1
#|     8 | logits[t < T, v < vocab] = w[tokens[max(t - 2, 0)], v] + w[tokens[min(t - 2, 5)], v]
#|       |                                                                   ^~~~~~~~~~~~~
#| minmax_index.mg:6:1: note: 'tokens' defined here
#|     6 | input tokens[T + 1] < vocab
#|       | ^~~~~~~~~~~~~~~~~~~~~~~~~~~
#| minmax_index.mg:9:12: error: 'clamp' takes 3 arguments, got 2
#|     9 | y[t < T] = clamp(t, 0) + max(1, 2, 3)
#|       |            ^~~~~~~~~~~
#| minmax_index.mg:9:26: error: 'max' takes 2 arguments, got 3
#|     9 | y[t < T] = clamp(t, 0) + max(1, 2, 3)
#|       |                          ^~~~~~~~~~~~
