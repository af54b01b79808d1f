# Differential test model for the exact build's transposed-weight kernel
# (schedule.c: columns): products by parameters whose outputs are not a
# whole vector of 8 (5, 37 and vocab 7, all prime; 37 in tiles of 8, the last
# one partly stored), reductions of 1, 3 and 37, and one vector alone (u, no
# loop over rows).  T <= 6: fewer rows than a
# block of 4 (T = 1, 2, 3), one block (4) and a last block overlapping the
# one before (5, 6).  tests/diff/test_diff.c holds its logits to the
# interpreter's bits and checks that a changed parameter is never read from
# a stale copy.
const vocab = 7, block_size = 6
dim T <= block_size
input tokens[T + 1] < vocab

param wte[vocab, 3] ~ gauss(0, 0.5)
param w1[37, 3] ~ gauss(0, 0.5)
param w2[5, 37] ~ gauss(0, 0.5)
param w0[5, 1] ~ gauss(0, 0.5)
param w3[vocab, 3] ~ gauss(0, 0.5)
param out[vocab, 5] ~ gauss(0, 0.5)

x[t < T, c] = wte[tokens[t], c]
h = tanh(linear(x, w1))
y = linear(h, w2)
s[t < T, j < 1] = y[t, 4]
z = linear(s, w0) + y
x0[c < 3] = x[0, c]
u = linear(x0, w3)
logits[t < T, k < vocab] = linear(z, out)[t, k] + u[k]

targets[t < T] = tokens[t + 1]
loss = cross_entropy(logits, targets)
