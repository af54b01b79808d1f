# A character-level LSTM (Hochreiter and Schmidhuber 1997, PyTorch's LSTM
# equations): an embedding, a recurrence that carries the cell c and the
# output h over the positions, and an output projection with a bias.

const vocab = 27            # 26 letters and BOS
const n_embd = 16
const n_hidden = 64

dim T <= 16                 # positions per document (BOS + letters)
input tokens[T + 1] < vocab # BOS, the letters, BOS

param wte[vocab, n_embd] ~ gauss(0, 0.08)
param wi[n_hidden, n_embd] ~ gauss(0, 0.08)
param ui[n_hidden, n_hidden] ~ gauss(0, 0.08)
param bi[n_hidden] ~ zeros
param wf[n_hidden, n_embd] ~ gauss(0, 0.08)
param uf[n_hidden, n_hidden] ~ gauss(0, 0.08)
param bf[n_hidden] ~ ones
param wg[n_hidden, n_embd] ~ gauss(0, 0.08)
param ug[n_hidden, n_hidden] ~ gauss(0, 0.08)
param bg[n_hidden] ~ zeros
param wo[n_hidden, n_embd] ~ gauss(0, 0.08)
param uo[n_hidden, n_hidden] ~ gauss(0, 0.08)
param bo[n_hidden] ~ zeros
param why[vocab, n_hidden] ~ gauss(0, 0.08)
param by[vocab] ~ zeros

optimizer adam(lr = 0.01, steps = 1000)

x[t < T, e] = wte[tokens[t], e]
recur t < T {
    i[t, j < n_hidden] = sigmoid((sum(e) wi[j, e] * x[t, e]) + (sum(k) ui[j, k] * (h[t - 1, k] else 0.0)) + bi[j])
    f[t, j < n_hidden] = sigmoid((sum(e) wf[j, e] * x[t, e]) + (sum(k) uf[j, k] * (h[t - 1, k] else 0.0)) + bf[j])
    g[t, j < n_hidden] = tanh((sum(e) wg[j, e] * x[t, e]) + (sum(k) ug[j, k] * (h[t - 1, k] else 0.0)) + bg[j])
    o[t, j < n_hidden] = sigmoid((sum(e) wo[j, e] * x[t, e]) + (sum(k) uo[j, k] * (h[t - 1, k] else 0.0)) + bo[j])
    c[t, j < n_hidden] = f[t, j] * (c[t - 1, j] else 0.0) + i[t, j] * g[t, j]
    h[t, j < n_hidden] = o[t, j] * tanh(c[t, j])
}
logits[t < T, v < vocab] = (sum(j) why[v, j] * h[t, j]) + by[v]

targets[t < T] = tokens[t + 1]
loss = cross_entropy(logits, targets)
