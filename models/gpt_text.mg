# gpt_text: microGPT's model for running text.  A longer context (64
# characters, newlines included), wider (64) and two layers deep.  Train it
# with `--docs text`: the data file is cut into pieces of block_size
# characters.  vocab fits the default text (the embedded word list read as one
# text: a-z and the newline, + BOS); for another text, `mgc -D vocab=N`, with
# the N the trainer names.  -D n_embd=..., n_layer=... make it wider or deeper;
# GPT-2's initial std 0.02 and final norm keep that trainable (microGPT's 0.08
# and no final norm give a loss of 12 at n_embd 256 with four layers).

const vocab = 28, block_size = 64
const n_embd = 64, n_head = 4, n_layer = 2
const head_dim = n_embd / n_head

dim T <= block_size           # positions in this piece of text
input tokens[T + 1] < vocab   # BOS, then the characters

param wte[vocab, n_embd] ~ gauss(0, 0.02)
param wpe[block_size, n_embd] ~ gauss(0, 0.02)
param lm_head[vocab, n_embd] ~ gauss(0, 0.02)
for l < n_layer {
    param layer[l].attn_wq[n_embd, n_embd] ~ gauss(0, 0.02)
    param layer[l].attn_wk[n_embd, n_embd] ~ gauss(0, 0.02)
    param layer[l].attn_wv[n_embd, n_embd] ~ gauss(0, 0.02)
    param layer[l].attn_wo[n_embd, n_embd] ~ gauss(0, 0.02)
    param layer[l].mlp_fc1[4 * n_embd, n_embd] ~ gauss(0, 0.02)
    param layer[l].mlp_fc2[n_embd, 4 * n_embd] ~ gauss(0, 0.02)
}

optimizer adam(lr = 0.01, beta1 = 0.85, beta2 = 0.99, eps = 1e-8, steps = 1000)

# as in microgpt.mg: head h owns channels h*head_dim .. h*head_dim + head_dim - 1
fn attention(q[S, C], k[S, C], v[S, C]) -> out[S, C] {
    att[h < n_head, t < S, s <= t] = (sum(j < head_dim) q[t, h * head_dim + j] * k[s, h * head_dim + j]) / head_dim ^ 0.5
    w = softmax(att)
    out[t < S, c] = sum(s <= t) w[c // head_dim, t, s] * v[s, c]
}

x[t < T, c] = wte[tokens[t], c] + wpe[t, c]
x = rmsnorm(x)
for l < n_layer {
    h = rmsnorm(x)
    q = linear(h, layer[l].attn_wq)
    k = linear(h, layer[l].attn_wk)
    v = linear(h, layer[l].attn_wv)
    x = linear(attention(q, k, v), layer[l].attn_wo) + x
    x = linear(relu(linear(rmsnorm(x), layer[l].mlp_fc1)), layer[l].mlp_fc2) + x
}
logits = linear(rmsnorm(x), lm_head)    # a final norm, as GPT-2 has, keeps wide, deep logits in range

targets[t < T] = tokens[t + 1]
loss = cross_entropy(logits, targets)
