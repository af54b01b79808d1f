# A tiny bigram MLP for the install test: an embedding, one ReLU layer.
# Each position predicts the next character from the current one alone.

const vocab = 27            # 26 letters and BOS
const n_embd = 4
const n_hidden = 8

dim T <= 16                 # positions per document (BOS + letters)
input tokens[T + 1] < vocab # BOS, the letters, BOS

param wte[vocab, n_embd] ~ gauss(0, 0.08)
param fc1[n_hidden, n_embd] ~ gauss(0, 0.08)
param fc2[vocab, n_hidden] ~ gauss(0, 0.08)

optimizer sgd(lr = 1.0, steps = 100)

x[t < T, c] = wte[tokens[t], c]
h = relu(linear(x, fc1))
logits = linear(h, fc2)

targets[t < T] = tokens[t + 1]
loss = cross_entropy(logits, targets)
