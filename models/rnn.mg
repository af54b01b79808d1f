# A character-level vanilla RNN (makemore's RNN): an embedding, one tanh
# recurrence over the positions, and an output projection with a bias.  Each
# position predicts the next character from everything up to it.

const vocab = 27            # 26 letters and BOS
const n_embd = 16
const n_hidden = 64

dim T <= 16                 # positions per document (BOS + letters)
input tokens[T + 1] < vocab # BOS, the letters, BOS

param wte[vocab, n_embd] ~ gauss(0, 0.08)
param wxh[n_hidden, n_embd] ~ gauss(0, 0.08)
param whh[n_hidden, n_hidden] ~ gauss(0, 0.08)
param bh[n_hidden] ~ zeros
param why[vocab, n_hidden] ~ gauss(0, 0.08)
param by[vocab] ~ zeros

optimizer adam(lr = 0.01, steps = 1000)

x[t < T, c] = wte[tokens[t], c]
h[t < T, j < n_hidden] = tanh((sum(c) wxh[j, c] * x[t, c]) + (sum(k) whh[j, k] * (h[t - 1, k] else 0.0)) + bh[j])
logits[t < T, v < vocab] = (sum(j) why[v, j] * h[t, j]) + by[v]

targets[t < T] = tokens[t + 1]
loss = cross_entropy(logits, targets)
