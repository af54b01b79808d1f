# mgfuzz-seed: 116
# Found by mgfuzz (seed 116): mgc crashed ("internal error at ir.c: index
# mentions a loop variable that is not in scope") on a mean whose second range
# is bounded by its first, mean(r < T, s <= r): the count was the product of
# the extents, T * (r + 1), read outside r's loop (and wrong: the terms number
# T (T + 1) / 2).  Fixed in trace.c: such a mean divides by a count of its terms.
const vocab = 3
const block_size = 4
const n = 2
dim T <= block_size
input tokens[T + 1] < vocab
param wte[vocab, n] ~ gauss(0, 1)
x[t < T, c < n] = wte[tokens[t], c]
v[i < n, o < n] = (mean(r < T, s <= r) x[s, i] * x[r, o])
m = mean(r < T, s <= r, c < n) x[s, c]
logits[t < T, w < vocab] = (x[t, w % n] * v[w % n, 0] + m)
targets[t < T] = tokens[t + 1]
loss = cross_entropy(logits, targets)
