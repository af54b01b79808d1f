# Differential test model: a recurrence two steps back as well as one, with
# a nonzero initial state (0.5), so the fallback rows and the second step
# back both reach the loss.
const vocab = 27, block_size = 6, n_embd = 3, n_hidden = 4, back = 2
dim T <= block_size
input tokens[T + 1] < vocab

param wte[vocab, n_embd] ~ gauss(0, 0.5)
param wx[n_hidden, n_embd] ~ gauss(0, 0.5)
param w1[n_hidden, n_hidden] ~ gauss(0, 0.5)
param w2[n_hidden, n_hidden] ~ gauss(0, 0.5)
param why[vocab, n_hidden] ~ gauss(0, 0.5)

x[t < T, i < n_embd] = wte[tokens[t], i]
h[t < T, j < n_hidden] = tanh((sum(i) wx[j, i] * x[t, i]) + (sum(k) w1[j, k] * (h[t - 1, k] else 0.5)) + (sum(k) w2[j, k] * (h[t - back, k] else 0.5)))
logits[t < T, v < vocab] = sum(j) why[v, j] * h[t, j]
targets[t < T] = tokens[t + 1]
loss = cross_entropy(logits, targets)
