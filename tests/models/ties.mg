# Exact ties for max and min (tests/diff/test_diff.c): the gradient goes to the
# first of equal terms, and a NaN term is skipped, in the compiled code and the
# interpreter alike.  d loss / d w[r, c] is 2 for row r's first largest, 3 for
# its first smallest and 5 for the first largest of all rows read; nograd
# stops the 11.
const vocab = 27, n = 4
dim T <= 3
input tokens[T + 1] < vocab

param w[vocab, n] ~ gauss(0, 0.5)

hi[t < T] = max(c < n) w[tokens[t], c]
lo[t < T] = min(c < n) w[tokens[t], c]
all = max(t < T, c < n) w[tokens[t], c]
logits[t < T, v < vocab] = hi[t] + lo[t]
loss = (sum(t < T) hi[t] * 2 + lo[t] * 3 + nograd(hi[t]) * 11) + all * 5
