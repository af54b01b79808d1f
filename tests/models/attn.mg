# Differential test model: causal multi-head attention over a runtime length,
# rmsnorm, softmax, residuals, a loop over layers, matrix products written out.
const vocab = 27, block_size = 6, n_embd = 8, n_head = 2, n_layer = 2
const head_dim = n_embd / n_head
dim T <= block_size
input tokens[T + 1] < vocab

param wte[vocab, n_embd] ~ gauss(0, 0.3)
param wpe[block_size, n_embd] ~ gauss(0, 0.3)
for l < n_layer {
    param layer[l].wq[n_embd, n_embd] ~ gauss(0, 0.3)
    param layer[l].wk[n_embd, n_embd] ~ gauss(0, 0.3)
    param layer[l].wv[n_embd, n_embd] ~ gauss(0, 0.3)
    param layer[l].fc[2 * n_embd, n_embd] ~ gauss(0, 0.3)
    param layer[l].proj[n_embd, 2 * n_embd] ~ gauss(0, 0.3)
}
param lm_head[vocab, n_embd] ~ gauss(0, 0.3)

fn attention(q[S, C], k[S, C], v[S, C]) -> o[S, C] {
    att[h < n_head, t < S, s <= t] = (sum(j < head_dim) q[t, h * head_dim + j] * k[s, h * head_dim + j]) / head_dim ^ 0.5
    w = softmax(att)
    o[t < S, c] = sum(s <= t) w[c // head_dim, t, s] * v[s, c]
}

x[t < T, c] = wte[tokens[t], c] + wpe[t, c]
x = rmsnorm(x)
for l < n_layer {
    h = rmsnorm(x)
    q[t < T, o < n_embd] = sum(i) h[t, i] * layer[l].wq[o, i]
    x = attention(q, linear(h, layer[l].wk), linear(h, layer[l].wv)) + x
    f[t < T, o < 2 * n_embd] = sum(i) layer[l].fc[o, i] * rmsnorm(x)[t, i]
    x = linear(relu(f), layer[l].proj) + x
}
logits = linear(x, lm_head)
targets[t < T] = tokens[t + 1]
loss = cross_entropy(logits, targets)
