# A GPT-2 style model (nanoGPT's GPT at a small size): token and learned
# position embeddings, pre-norm blocks of causal self-attention and a GELU
# MLP, LayerNorm with gain and bias, biased linears, a final LayerNorm, and
# the token embedding reused as the output layer (tied weights).  Parameter
# names are nanoGPT's state_dict keys without "transformer." ("h0.ln_1.weight").

const vocab = 27, block_size = 16
const n_embd = 32, n_head = 4, n_layer = 2
const head_dim = n_embd / n_head

dim T <= block_size           # positions in this document (names are cropped to it)
input tokens[T + 1] < vocab   # BOS, the letters, BOS

# GPT-2's initialisation: weights N(0, 0.02), the residual projections
# N(0, 0.02 / sqrt(2 * n_layer)), biases 0, LayerNorm gains 1.
param wte.weight[vocab, n_embd] ~ gauss(0, 0.02)
param wpe.weight[block_size, n_embd] ~ gauss(0, 0.02)
for l < n_layer {
    param h[l].ln_1.weight[n_embd] ~ ones
    param h[l].ln_1.bias[n_embd] ~ zeros
    param h[l].attn.c_attn.weight[3 * n_embd, n_embd] ~ gauss(0, 0.02)
    param h[l].attn.c_attn.bias[3 * n_embd] ~ zeros
    param h[l].attn.c_proj.weight[n_embd, n_embd] ~ gauss(0, 0.01)
    param h[l].attn.c_proj.bias[n_embd] ~ zeros
    param h[l].ln_2.weight[n_embd] ~ ones
    param h[l].ln_2.bias[n_embd] ~ zeros
    param h[l].mlp.c_fc.weight[4 * n_embd, n_embd] ~ gauss(0, 0.02)
    param h[l].mlp.c_fc.bias[4 * n_embd] ~ zeros
    param h[l].mlp.c_proj.weight[n_embd, 4 * n_embd] ~ gauss(0, 0.01)
    param h[l].mlp.c_proj.bias[n_embd] ~ zeros
}
param ln_f.weight[n_embd] ~ ones
param ln_f.bias[n_embd] ~ zeros

optimizer adam(lr = 0.003, beta1 = 0.9, beta2 = 0.99, eps = 1e-8, steps = 1000)

# layernorm(x, g, b) and gelu_tanh(x) are the prelude's, PyTorch's
# F.layer_norm and F.gelu(approximate='tanh'); a biased nn.Linear is
# linear(x, w) + b, the bias broadcast over the positions.

# Each head h owns channels h*head_dim .. h*head_dim + head_dim - 1.  Position t
# attends to every s <= t: scaled dot products, softmax over s, weighted sum of v.
fn attention(q[S, C], k[S, C], v[S, C]) -> out[S, C] {
    att[h < n_head, t < S, s <= t] = (sum(j < head_dim) q[t, h * head_dim + j] * k[s, h * head_dim + j]) / head_dim ^ 0.5
    w = softmax(att)
    out[t < S, c] = sum(s <= t) w[c // head_dim, t, s] * v[s, c]
}

x[t < T, c] = wte.weight[tokens[t], c] + wpe.weight[t, c]
for l < n_layer {
    qkv = linear(layernorm(x, h[l].ln_1.weight, h[l].ln_1.bias), h[l].attn.c_attn.weight) + h[l].attn.c_attn.bias
    q[t < T, c < n_embd] = qkv[t, c]
    k[t < T, c < n_embd] = qkv[t, n_embd + c]
    v[t < T, c < n_embd] = qkv[t, 2 * n_embd + c]
    x = linear(attention(q, k, v), h[l].attn.c_proj.weight) + h[l].attn.c_proj.bias + x
    u = gelu_tanh(linear(layernorm(x, h[l].ln_2.weight, h[l].ln_2.bias), h[l].mlp.c_fc.weight) + h[l].mlp.c_fc.bias)
    x = linear(u, h[l].mlp.c_proj.weight) + h[l].mlp.c_proj.bias + x
}
x = layernorm(x, ln_f.weight, ln_f.bias)
logits = linear(x, wte.weight)          # tied: the output layer is wte

targets[t < T] = tokens[t + 1]
loss = cross_entropy(logits, targets)
