# cse: logits reads e where it computes exp(x[t, v]) again over the same range,
# and the backward pass of exp reads e instead of calling exp once more.
const vocab = 3
dim T <= 2
input tokens[T + 1] < vocab
param w[vocab, vocab] ~ gauss(0, 0.1)
x[t < T, v < vocab] = w[tokens[t], v] * 2.0
e[t < T, v < vocab] = exp(x[t, v])
logits[t < T, v < vocab] = e[t, v] + exp(x[t, v]) * 2.0
loss = sum(t < T, v < vocab) logits[t, v]
# ---- expected (mgc --dump-changes=cse cse_reuse_exp.mg): exit 0, and on stdout: ----
#| # changes made by cse
#|   ...
#| -  logits[t, v] = e[t, v] + exp(x[t, v]) * 2.0    for t < T, v < 3    # cse_reuse_exp.mg:9
#| +  logits[t, v] = e[t, v] + e[t, v] * 2.0    for t < T, v < 3    # cse_reuse_exp.mg:9
#|   ...
#| -  d_x[t, v] += exp(x[t, v]) * (2.0 * d_logits[t, v])    for t < T, v < 3    # cse_reuse_exp.mg:9
#| -  d_x[t, v] += exp(x[t, v]) * d_e[t, v]    for t < T, v < 3    # cse_reuse_exp.mg:8
#| +  d_x[t, v] += e[t, v] * (2.0 * d_logits[t, v])    for t < T, v < 3    # cse_reuse_exp.mg:9
#| +  d_x[t, v] += e[t, v] * d_e[t, v]    for t < T, v < 3    # cse_reuse_exp.mg:8
#|   ...
