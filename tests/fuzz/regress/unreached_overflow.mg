# mgfuzz-seed: 206910
# Found by mgfuzz (seed 206910, shrunk): the compiled gradient was NaN where
# the interpreter's was finite.  v2 = exp((1 - x)^6) overflows to inf in
# elements that nothing reads (v4 reads only even columns).  The reference
# backpropagates only through Values the loss reaches, so those elements pass
# nothing on; the compiled backward multiplied their inf by a zero gradient.
# Fixed in autodiff.c: where mgc cannot show that the loss reaches every
# element of a tensor, it counts reached readers per element (reach_x) and
# guards what the tensor passes on.
const vocab = 4
const block_size = 3
const n0 = 4
const n1 = 5
const n2 = 4
const n3 = 5
const L = 1
dim T <= block_size
input tokens[T + 1] < vocab
param wte[vocab, n1] ~ gauss(0, 0.5)
param wpe[block_size, n1] ~ gauss(0, 1)
param p0[n0, n1] ~ gauss(0, 1)
param p1[n0, n0] ~ gauss(0, 0.5)
param p2[n1] ~ zeros
param p3[n3, n3] ~ gauss(0, 0.5)
param p4[n3, n2] ~ gauss(0, 1)
for l < L {
    param layer[l].w[n1, n1] ~ gauss(0, 0.3)
    param layer[l].b[n1] ~ gauss(0, 0.3)
}
param head[vocab, n1] ~ gauss(0, 0.5)
x[t < T, c < n1] = (wte[tokens[t], c] + wpe[t, c])
v2[t < T, c < n0] = exp((((1 - x[t // 2, t]) * (1 - x[t // 2, t])) ^ 3))
x = v2
v4[t < T, c < n3] = x[t // 2, (c * 2) % n0]
logits = linear(v4, head)
targets[t < T] = 1
loss = cross_entropy(logits, targets)
