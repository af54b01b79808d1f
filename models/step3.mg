# The tutorial's Step 3: the MLP of Step 2 grows position embeddings, rmsnorm,
# one 16-dimensional attention head and residual connections.  SGD, lr 0.1.
# (Our reading of the tutorial's description in REFERENCE.md: the same
# building blocks as microGPT with a single head.)

const vocab = 27, block_size = 16
const n_embd = 16, n_head = 1, n_layer = 1
const head_dim = n_embd / n_head

dim T <= block_size           # positions in this document (names are cropped to it)
input tokens[T + 1] < vocab   # BOS, the letters, BOS

param wte[vocab, n_embd] ~ gauss(0, 0.08)
param wpe[block_size, n_embd] ~ gauss(0, 0.08)
param lm_head[vocab, n_embd] ~ gauss(0, 0.08)
for l < n_layer {
    param layer[l].attn_wq[n_embd, n_embd] ~ gauss(0, 0.08)
    param layer[l].attn_wk[n_embd, n_embd] ~ gauss(0, 0.08)
    param layer[l].attn_wv[n_embd, n_embd] ~ gauss(0, 0.08)
    param layer[l].attn_wo[n_embd, n_embd] ~ gauss(0, 0.08)
    param layer[l].mlp_fc1[4 * n_embd, n_embd] ~ gauss(0, 0.08)
    param layer[l].mlp_fc2[n_embd, 4 * n_embd] ~ gauss(0, 0.08)
}

optimizer sgd(lr = 0.1, steps = 1000)

# Each head h owns channels h*head_dim .. h*head_dim + head_dim - 1.  Position t
# attends to every s <= t: scaled dot products, softmax over s, weighted sum of v.
fn attention(q[S, C], k[S, C], v[S, C]) -> out[S, C] {
    att[h < n_head, t < S, s <= t] = (sum(j < head_dim) q[t, h * head_dim + j] * k[s, h * head_dim + j]) / head_dim ^ 0.5
    w = softmax(att)
    out[t < S, c] = sum(s <= t) w[c // head_dim, t, s] * v[s, c]
}

x[t < T, c] = wte[tokens[t], c] + wpe[t, c]
x = rmsnorm(x)
for l < n_layer {              # one layer here
    h = rmsnorm(x)
    q = linear(h, layer[l].attn_wq)
    k = linear(h, layer[l].attn_wk)
    v = linear(h, layer[l].attn_wv)
    x = linear(attention(q, k, v), layer[l].attn_wo) + x
    x = linear(relu(linear(rmsnorm(x), layer[l].mlp_fc1)), layer[l].mlp_fc2) + x
}
logits = linear(x, lm_head)

targets[t < T] = tokens[t + 1]
loss = cross_entropy(logits, targets)
