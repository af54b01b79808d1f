# where takes three arguments; a select with a real arm is real, so it
# cannot index a tensor (an integer select can)
const vocab = 27
dim T <= 16
input tokens[T + 1] < vocab
param w[16, vocab] ~ gauss(0, 0.08)
logits[t < T, v < vocab] = w[where(t > 1, t - 1, 0.5), v] + where(t > 2, w[t, v])
loss = sum(t < T) logits[t, tokens[t + 1]]

# ---- expected (mgc where_misuse.mg -o OUT.c): exit 1, and on stderr: ----
#| where_misuse.mg:7:30: error: an index must be an integer expression
#|     7 | logits[t < T, v < vocab] = w[where(t > 1, t - 1, 0.5), v] + where(t > 2, w[t, v])
#|       |                              ^~~~~~~~~~~~~~~~~~~~~~~~
#| where_misuse.mg:7:61: error: 'where' takes 3 arguments, got 2
#|     7 | logits[t < T, v < vocab] = w[where(t > 1, t - 1, 0.5), v] + where(t > 2, w[t, v])
#|       |                                                             ^~~~~~~~~~~~~~~~~~~~~
