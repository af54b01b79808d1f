# makemore's MLP (Bengio et al. 2003, as in makemore part 2): each position
# reads the three characters up to it, BOS where they would come before the
# start, embeds each in 10 dimensions, and a tanh layer of 200 with biases and
# an output layer with biases score the next character.
const vocab = 27            # 26 letters and BOS
const BOS = vocab - 1
const context = 3
const n_embd = 10
const n_hidden = 200

dim T <= 16
input tokens[T + 1] < vocab # BOS, the letters, BOS

param C[vocab, n_embd] ~ gauss(0, 1)
param W1[n_hidden, context * n_embd] ~ gauss(0, 0.3)    # about (5/3) / sqrt(30), tanh's gain
param b1[n_hidden] ~ gauss(0, 0.01)
param W2[vocab, n_hidden] ~ gauss(0, 0.01)
param b2[vocab] ~ zeros

optimizer sgd(lr = 0.1, steps = 1000)

# the context: x[t] is the embeddings of tokens[t - 2], tokens[t - 1], tokens[t]
x[t < T, j < context * n_embd] = C[tokens[t - (context - 1) + j // n_embd] else BOS, j % n_embd]
h[t < T, o < n_hidden] = tanh((sum(j) W1[o, j] * x[t, j]) + b1[o])
logits[t < T, v < vocab] = (sum(o) W2[v, o] * h[t, o]) + b2[v]

targets[t < T] = tokens[t + 1]
loss = cross_entropy(logits, targets)
