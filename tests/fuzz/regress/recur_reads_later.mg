# mgfuzz-seed: 200011
# Found by mgfuzz (seed 200011, shrunk): in a recur block, z reads only h[t - 1]
# (defined after it), so one forward pass over the statements did not mark z
# as needing a gradient, and the path h -> z -> h was dropped.  needs_grad is
# now marked to a fixpoint.
const vocab = 2
const block_size = 3
const n0 = 1
const n1 = 1
const L = 1
dim T <= block_size
input tokens[T + 1] < vocab
param p0[n1, n1] ~ gauss(0, 0.1)
param head[vocab, n1] ~ gauss(0, 0.5)
recur t < T {
    z2[t, j < n1] = (h3[t - 1, j] else 0.0)
    h3[t, j < n1] = (p0[(j + 1) % n1, j] + (z2[t - 1, j] else 0.0))
}
logits = linear(rmsnorm(h3), head)
targets[t < T] = 1
loss = cross_entropy(logits, targets)
