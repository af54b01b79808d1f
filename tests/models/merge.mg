# Differential test model for result shapes computed from shape variables
# (tests/diff/test_diff.c), WaveNet's hierarchy in small: eight context
# slots per position are merged in consecutive pairs, level by level, by a
# function whose result is y[K // 2, O] and whose weight is declared
# w[O, 2 * C]; each level adds its bias by broadcasting.
const vocab = 27, block_size = 4, n_embd = 3, n_hidden = 5
dim T <= block_size
input tokens[T + 1] < vocab

param wte[vocab, n_embd] ~ gauss(0, 0.5)
param pos[8, n_embd] ~ gauss(0, 0.5)
param w1[n_hidden, 2 * n_embd] ~ gauss(0, 0.5)
param b1[n_hidden] ~ gauss(0, 0.5)
param w2[n_hidden, 2 * n_hidden] ~ gauss(0, 0.5)
param b2[n_hidden] ~ gauss(0, 0.5)
param w3[n_hidden, 2 * n_hidden] ~ gauss(0, 0.5)
param b3[n_hidden] ~ gauss(0, 0.5)
param wo[vocab, n_hidden] ~ gauss(0, 0.5)

# consecutive pairs side by side: row k of y is rows 2k and 2k + 1 of x
fn merge(x[K, C]) -> y[K // 2, 2 * C] {
    y[k < K // 2, j < 2 * C] = x[2 * k + j // C, j % C]
}

fn block(x[K, C], w[O, 2 * C], b[O]) -> y[K // 2, O] {
    y = tanh(linear(merge(x), w) + b)
}

e[t < T, k < 8, c] = wte[tokens[t], c] + pos[k, c]
h1 = block(e, w1, b1)                        # [T, 4, n_hidden]
h2 = block(h1, w2, b2)                       # [T, 2, n_hidden]
h3 = block(h2, w3, b3)                       # [T, 1, n_hidden]
logits[t < T, v < vocab] = sum(c < n_hidden) wo[v, c] * h3[t, 0, c]
targets[t < T] = tokens[t + 1]
loss = cross_entropy(logits, targets)
