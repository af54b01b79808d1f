# Differential test model: a GRU-like recurrence of two statements in one
# recur block.  The gate z reads h at the previous step; h reads z at the
# same step and itself at the previous one, starting from a learned state h0
# (each read gives it at its own index: h0[k], h0[j]).
const vocab = 27, block_size = 5, n_embd = 4, n_hidden = 5
dim T <= block_size
input tokens[T + 1] < vocab

param wte[vocab, n_embd] ~ gauss(0, 0.5)
param wz[n_hidden, n_embd] ~ gauss(0, 0.5)
param uz[n_hidden, n_hidden] ~ gauss(0, 0.5)
param wh[n_hidden, n_embd] ~ gauss(0, 0.5)
param uh[n_hidden, n_hidden] ~ gauss(0, 0.5)
param why[vocab, n_hidden] ~ gauss(0, 0.5)
param h0[n_hidden] ~ gauss(0, 0.5)

x[t < T, i < n_embd] = wte[tokens[t], i]
recur t < T {
    z[t, j < n_hidden] = sigmoid((sum(i) wz[j, i] * x[t, i]) + (sum(k) uz[j, k] * (h[t - 1, k] else h0[k])))
    h[t, j < n_hidden] = (1 - z[t, j]) * (h[t - 1, j] else h0[j]) + z[t, j] * tanh((sum(i) wh[j, i] * x[t, i]) + (sum(k) uh[j, k] * (h[t - 1, k] else h0[k])))
}
logits[t < T, v < vocab] = sum(j) why[v, j] * h[t, j]
targets[t < T] = tokens[t + 1]
loss = cross_entropy(logits, targets)
