# split: a loop over c that reads c // 2 becomes c_q < 2 and c_r < 2 with
# c = 2 * c_q + c_r, in the forward statement and in both of its gradients.
const vocab = 3
dim T <= 2
input tokens[T + 1] < vocab
param w[vocab, 4] ~ gauss(0, 0.1)
param g[vocab, 2] ~ gauss(0, 0.1)
y[t < T, c < 4] = g[tokens[t], c // 2] * w[tokens[t], c]
logits[t < T, v < vocab] = sum(c < 4) y[t, c] * w[v, c]
loss = sum(t < T, v < vocab) logits[t, v]
# ---- expected (mgc --dump-changes=split split_head.mg): exit 0, and on stdout: ----
#| # changes made by split
#|   ...
#| -  y[t, c] = g[tokens[t], c / 2] * w[tokens[t], c]    for t < T, c < 4    # split_head.mg:8
#| +  y[t, 2 * c_q + c_r] = g[tokens[t], c_q] * w[tokens[t], 2 * c_q + c_r]    for t < T, c_q < 2, c_r < 2    # split_head.mg:8
#|   ...
#| -  d_g[tokens[t], c / 2] += w[tokens[t], c] * d_y[t, c]    for t < T, c < 4    # split_head.mg:8
#| -  d_w[tokens[t], c] += g[tokens[t], c / 2] * d_y[t, c]    for t < T, c < 4    # split_head.mg:8
#| +  d_g[tokens[t], c_q] += w[tokens[t], 2 * c_q + c_r] * d_y[t, 2 * c_q + c_r]    for t < T, c_q < 2, c_r < 2    # split_head.mg:8
#| +  d_w[tokens[t], 2 * c_q + c_r] += g[tokens[t], c_q] * d_y[t, 2 * c_q + c_r]    for t < T, c_q < 2, c_r < 2    # split_head.mg:8
