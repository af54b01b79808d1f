# makemore part 5's hierarchical model (after WaveNet, van den Oord et al.
# 2016): each position reads the eight characters up to it, BOS where they
# would come before the start, embeds each in 10 dimensions, and merges
# consecutive pairs level by level, 8 -> 4 -> 2 -> 1, each level a linear with
# bias, a normalisation and tanh; an output layer with bias scores the next
# character.  The lecture normalises with BatchNorm1d over the batch; a step
# here is one document, so each level uses LayerNorm (over its channels, with
# gain and bias) in its place, and the linears keep their biases.
const vocab = 27            # 26 letters and BOS
const BOS = vocab - 1
const context = 8
const n_embd = 10
const n_hidden = 68         # the lecture's first hierarchical network: n_embd 10, n_hidden 68

dim T <= 16
input tokens[T + 1] < vocab # BOS, the letters, BOS

# the lecture's Linear: weights N(0, 1 / fan_in), the output layer's scaled by
# 0.1 (1 / sqrt(20) = 0.2236, 1 / sqrt(136) = 0.0857, 0.1 / sqrt(68) = 0.0121)
param emb[vocab, n_embd] ~ gauss(0, 1)
param W1[n_hidden, 2 * n_embd] ~ gauss(0, 0.2236)
param b1[n_hidden] ~ zeros
param g1[n_hidden] ~ ones
param beta1[n_hidden] ~ zeros
param W2[n_hidden, 2 * n_hidden] ~ gauss(0, 0.0857)
param b2[n_hidden] ~ zeros
param g2[n_hidden] ~ ones
param beta2[n_hidden] ~ zeros
param W3[n_hidden, 2 * n_hidden] ~ gauss(0, 0.0857)
param b3[n_hidden] ~ zeros
param g3[n_hidden] ~ ones
param beta3[n_hidden] ~ zeros
param Wout[vocab, n_hidden] ~ gauss(0, 0.0121)
param bout[vocab] ~ zeros

optimizer sgd(lr = 0.1, steps = 1000)

# FlattenConsecutive(2): rows 2k and 2k + 1 side by side in one row
fn merge(x[K, C]) -> y[K // 2, 2 * C] {
    y[k < K // 2, j < 2 * C] = x[2 * k + j // C, j % C]
}

# one level: FlattenConsecutive(2), Linear, LayerNorm (BatchNorm1d's place), Tanh
fn level(x[K, C], w[O, 2 * C], b[O], g[O], beta[O]) -> y[K // 2, O] {
    y = tanh(layernorm(linear(merge(x), w) + b, g, beta))
}

# x[t, k] embeds tokens[t - 7 + k]: the eight characters up to position t
x[t < T, k < context, c < n_embd] = emb[tokens[t - (context - 1) + k] else BOS, c]
h1 = level(x, W1, b1, g1, beta1)        # [T, 4, n_hidden]
h2 = level(h1, W2, b2, g2, beta2)       # [T, 2, n_hidden]
h3 = level(h2, W3, b3, g3, beta3)       # [T, 1, n_hidden]
h[t < T, c < n_hidden] = h3[t, 0, c]    # the lecture's squeeze of the last pair
logits = linear(h, Wout) + bout

targets[t < T] = tokens[t + 1]
loss = cross_entropy(logits, targets)
