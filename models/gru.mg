# A character-level GRU (Cho et al. 2014, PyTorch's GRU equations): an
# embedding, a gated recurrence over the positions, and an output projection
# with a bias.  The gates z and r and the candidate n read h at the previous
# step; h mixes the candidate with its previous value.

const vocab = 27            # 26 letters and BOS
const n_embd = 16
const n_hidden = 64

dim T <= 16                 # positions per document (BOS + letters)
input tokens[T + 1] < vocab # BOS, the letters, BOS

param wte[vocab, n_embd] ~ gauss(0, 0.08)
param wz[n_hidden, n_embd] ~ gauss(0, 0.08)
param uz[n_hidden, n_hidden] ~ gauss(0, 0.08)
param bz[n_hidden] ~ zeros
param wr[n_hidden, n_embd] ~ gauss(0, 0.08)
param ur[n_hidden, n_hidden] ~ gauss(0, 0.08)
param br[n_hidden] ~ zeros
param wn[n_hidden, n_embd] ~ gauss(0, 0.08)
param un[n_hidden, n_hidden] ~ gauss(0, 0.08)
param bn[n_hidden] ~ zeros
param bhn[n_hidden] ~ zeros
param why[vocab, n_hidden] ~ gauss(0, 0.08)
param by[vocab] ~ zeros

optimizer adam(lr = 0.01, steps = 1000)

x[t < T, c] = wte[tokens[t], c]
recur t < T {
    z[t, j < n_hidden] = sigmoid((sum(c) wz[j, c] * x[t, c]) + (sum(k) uz[j, k] * (h[t - 1, k] else 0.0)) + bz[j])
    r[t, j < n_hidden] = sigmoid((sum(c) wr[j, c] * x[t, c]) + (sum(k) ur[j, k] * (h[t - 1, k] else 0.0)) + br[j])
    n[t, j < n_hidden] = tanh((sum(c) wn[j, c] * x[t, c]) + bn[j] + r[t, j] * ((sum(k) un[j, k] * (h[t - 1, k] else 0.0)) + bhn[j]))
    h[t, j < n_hidden] = (1 - z[t, j]) * n[t, j] + z[t, j] * (h[t - 1, j] else 0.0)
}
logits[t < T, v < vocab] = (sum(j) why[v, j] * h[t, j]) + by[v]

targets[t < T] = tokens[t + 1]
loss = cross_entropy(logits, targets)
