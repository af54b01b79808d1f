# The tutorial's Step-2 MLP: an embedding, one hidden ReLU layer, no biases.
# Each position predicts the next character from the current one alone.

const vocab = 27            # 26 letters and BOS
const n_embd = 16
const n_hidden = 64

dim T <= 16                 # positions per document (BOS + letters)
input tokens[T + 1] < vocab # BOS, the letters, BOS

param wte[vocab, n_embd] ~ gauss(0, 0.08)
param mlp_fc1[n_hidden, n_embd] ~ gauss(0, 0.08)
param mlp_fc2[vocab, n_hidden] ~ gauss(0, 0.08)

optimizer sgd(lr = 1.0, steps = 1000)

x[t < T, c] = wte[tokens[t], c]
h = relu(linear(x, mlp_fc1))
logits = linear(h, mlp_fc2)

targets[t < T] = tokens[t + 1]
loss = cross_entropy(logits, targets)
