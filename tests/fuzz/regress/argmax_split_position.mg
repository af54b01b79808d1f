# mgfuzz-seed: 1000192
# Found by mgfuzz (seed 1000192, shrunk): the split pass turned j < 4 in
# max(j < 4) p0[j // 2] into j_q, j_r but left argmax's position naming j,
# so the emitter printed a null name (mgc crashed).  split now rewrites it.
const vocab = 2
const block_size = 1
const n0 = 1
const n1 = 4
const n2 = 1
const n3 = 2
const L = 1
dim T <= block_size
input tokens[T + 1] < vocab
param p0[n3] ~ gauss(0, 1)
param head[vocab, n2] ~ gauss(0, 0.5)
x[t < T, c < n2] = 1
v1 = (max(j2 < n1) p0[j2 // 2])
logits = linear(x, head)
loss = v1
