# mgfuzz-seed: 5
# Found by mgfuzz (seed 5, shrunk): a max read only under nograd got a gradient
# buffer that nothing wrote, and its backward statement (the pick of the term
# it chose) read it; the memory plan shared it with logits, so dp2 got garbage.
# Autodiff now gives gradients only to what the loss reaches through
# gradient-carrying paths.
const vocab = 2
const block_size = 1
const n0 = 1
const n1 = 1
const n2 = 1
const n3 = 1
const L = 1
dim T <= block_size
input tokens[T + 1] < vocab
param p2[n1] ~ zeros
logits[t < T, v < vocab] = ((sum(j6 < n1) p2[j6]) + nograd((max(j8 < n1) p2[j8])))
targets[t < T] = 1
loss = cross_entropy(logits, targets)
