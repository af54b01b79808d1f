# split: the loop over c, read as c // 2, becomes loops over c_q and c_r; the
# read past the edge h[t - 1, c // 2] else 0.5 is rewritten with it, and so is
# its gradient, which stays guarded (inside only) by t - 1 >= 0.
const vocab = 3
dim T <= 2
input tokens[T + 1] < vocab
param w[vocab, 2] ~ gauss(0, 0.1)
h[t < T, i < 2] = w[tokens[t], i] * 2.0
y[t < T, c < 4] = h[t - 1, c // 2] else 0.5
loss = sum(t < T, c < 4) y[t, c]
logits[t < T, o < vocab] = sum(i < 2) h[t, i] * w[o, i]
# ---- expected (mgc --dump-changes=split split_pad_guard.mg): exit 0, and on stdout: ----
#| # changes made by split
#|   ...
#| -  y[t, c] = (h[t - 1, c / 2] else 0.5)    for t < T, c < 4    # split_pad_guard.mg:9
#| +  y[t, 2 * c_q + c_r] = (h[t - 1, c_q] else 0.5)    for t < T, c_q < 2, c_r < 2    # split_pad_guard.mg:9
#|   ...
#| -  d_h[t - 1, c / 2] += d_y[t, c]    for t < T, c < 4    [inside only]    # split_pad_guard.mg:9
#| -  d_reach_h[t - 1, c / 2] += 1.0    for t < T, c < 4    [inside only]    # split_pad_guard.mg:9
#| +  d_h[t - 1, c_q] += d_y[t, 2 * c_q + c_r]    for t < T, c_q < 2, c_r < 2    [inside only]    # split_pad_guard.mg:9
#| +  d_reach_h[t - 1, c_q] += 1.0    for t < T, c_q < 2, c_r < 2    [inside only]    # split_pad_guard.mg:9
#|   ...
