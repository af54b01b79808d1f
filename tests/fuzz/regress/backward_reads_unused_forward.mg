# mgfuzz-seed: 2003
# Found by mgfuzz (seed 2003, shrunk): CSE made sigmoid's derivative read the
# unused v3 = sigmoid(x), but loss_grad computed only what the logits and the
# loss need, so v3 was never written (the gradient read stale scratch).
# loss_grad now also computes what the backward reads.
const vocab = 2
const block_size = 2
const n0 = 1
const n1 = 1
const n2 = 2
const L = 1
dim T <= block_size
input tokens[T + 1] < vocab
param wte[vocab, n2] ~ gauss(0, 1)
param head[vocab, n1] ~ gauss(0, 0.5)
x[t < T, c < n2] = wte[tokens[t], c]
v1 = (sigmoid(x) + abs(x))
v3 = sigmoid(x)
v4 = v1
v6[t < T, c < n1] = v4[t, 1]
logits = linear(v6, head)
targets[t < T] = 1
loss = cross_entropy(logits, targets)
