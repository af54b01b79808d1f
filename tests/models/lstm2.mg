# Differential test model: an LSTM-like recurrence that carries two tensors,
# the cell c and the output h, each read at the previous step; the gates read
# h[t - 1], c reads the gates at t and h reads c at t.
const vocab = 27, block_size = 5, n_embd = 4, n_hidden = 5
dim T <= block_size
input tokens[T + 1] < vocab

param wte[vocab, n_embd] ~ gauss(0, 0.5)
param wf[n_hidden, n_embd] ~ gauss(0, 0.5)
param uf[n_hidden, n_hidden] ~ gauss(0, 0.5)
param wg[n_hidden, n_embd] ~ gauss(0, 0.5)
param ug[n_hidden, n_hidden] ~ gauss(0, 0.5)
param uo[n_hidden, n_hidden] ~ gauss(0, 0.5)
param why[vocab, n_hidden] ~ gauss(0, 0.5)

x[t < T, i < n_embd] = wte[tokens[t], i]
recur t < T {
    f[t, j < n_hidden] = sigmoid((sum(i) wf[j, i] * x[t, i]) + (sum(k) uf[j, k] * (h[t - 1, k] else 0.0)))
    g[t, j < n_hidden] = tanh((sum(i) wg[j, i] * x[t, i]) + (sum(k) ug[j, k] * (h[t - 1, k] else 0.0)))
    c[t, j < n_hidden] = f[t, j] * (c[t - 1, j] else 0.0) + (1 - f[t, j]) * g[t, j]
    h[t, j < n_hidden] = tanh(c[t, j]) * sigmoid(sum(k) uo[j, k] * (h[t - 1, k] else 0.0))
}
logits[t < T, v < vocab] = sum(j) why[v, j] * h[t, j]
targets[t < T] = tokens[t + 1]
loss = cross_entropy(logits, targets)
