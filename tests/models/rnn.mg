# Differential test model: a vanilla RNN over the runtime length, written as
# one statement that reads its own previous step (a recurrence, run forward
# in t and backpropagated through time in reverse).
const vocab = 27, block_size = 5, n_embd = 4, n_hidden = 6
dim T <= block_size
input tokens[T + 1] < vocab

param wte[vocab, n_embd] ~ gauss(0, 0.5)
param wxh[n_hidden, n_embd] ~ gauss(0, 0.5)
param whh[n_hidden, n_hidden] ~ gauss(0, 0.5)
param bh[n_hidden] ~ gauss(0, 0.1)
param why[vocab, n_hidden] ~ gauss(0, 0.5)
param by[vocab] ~ gauss(0, 0.1)

x[t < T, i < n_embd] = wte[tokens[t], i]
h[t < T, j < n_hidden] = tanh((sum(i) wxh[j, i] * x[t, i]) + (sum(k) whh[j, k] * (h[t - 1, k] else 0.0)) + bh[j])
logits[t < T, v < vocab] = (sum(j) why[v, j] * h[t, j]) + by[v]
targets[t < T] = tokens[t + 1]
loss = cross_entropy(logits, targets)
