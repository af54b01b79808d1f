# mgfuzz-seed: 308929
# Found by mgfuzz (seed 308929, shrunk): a flaw in the check, not the compiler.
# Every logit of a row is the same (100 x)^6, so the loss is log(3) whatever x
# is: finite differences give exactly 0, while the backward pass sums terms of
# about 1e6 that cancel and leaves a rounding residue (8e-4).  The driver now
# allows the backward pass its own rounding, 64 eps times the sum of the
# magnitudes of its terms (the interpreter's absolute mode).
const vocab = 3
const block_size = 1
const n0 = 1
const n1 = 1
const n2 = 1
const n3 = 1
const L = 1
dim T <= block_size
input tokens[T + 1] < vocab
param wpe[block_size, n3] ~ gauss(0, 0.1)
for l < L {
    param layer[l].w[n3, n3] ~ gauss(0, 0.3)
}
x[t < T, c < n3] = 0.5
for l < L {
    x = linear(rmsnorm(x), layer[l].w)
}
v3[t < T, c < n0] = x[t, c]
logits[t < T, v < vocab] = (((v3[t // 2, (t + 1) % n0] / 1e-2) * (v3[t // 2, (t + 1) % n0] / 1e-2)) ^ 3)
targets[t < T] = 1
loss = cross_entropy(logits, targets)
