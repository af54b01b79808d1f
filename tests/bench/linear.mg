# linear.mg: one matrix product y = x w^T between an embedding and a small
# head, for tests/bench/blas.sh: at vocab 28 the product over n_in x n_out is
# nearly all of the work.  -D n_in=..., -D n_out=... set its shape.
const vocab = 28, block_size = 64
const n_in = 256, n_out = 1024

dim T <= block_size
input tokens[T + 1] < vocab

param wte[vocab, n_in] ~ gauss(0, 0.02)
param w[n_out, n_in] ~ gauss(0, 0.02)
param head[vocab, n_out] ~ gauss(0, 0.02)

optimizer sgd(lr = 0.1, steps = 10)

x[t < T, c] = wte[tokens[t], c]
y = linear(x, w)
logits = linear(y, head)
targets[t < T] = tokens[t + 1]
loss = cross_entropy(logits, targets)
