# reduce: the weight gradient d_w[o, i] += h[t, i] * d_logits[t, o] over t, o, i
# becomes a sum over t kept in a register for each (o, i), starting from d_w.
const vocab = 3
dim T <= 2
input tokens[T + 1] < vocab
param emb[vocab, 2] ~ gauss(0, 0.1)
param w[vocab, 2] ~ gauss(0, 0.1)
logits[t < T, o < vocab] = sum(i < 2) emb[tokens[t], i] * w[o, i]
loss = sum(t < T, v < vocab) logits[t, v]
# ---- expected (mgc --dump-changes=reduce reduce_weight_grad.mg): exit 0, and on stdout: ----
#| # changes made by reduce
#|   ...
#| -  d_w[o, i] += emb[tokens[t], i] * d_logits[t, o]    for t < T, o < 3, i < 2    # reduce_weight_grad.mg:8
#| +  d_w[o, i] += sum(t < T) emb[tokens[t], i] * d_logits[t, o]    for o < 3, i < 2    [sum from out]    # reduce_weight_grad.mg:8
