# dce: 'unused' reaches neither the loss nor the logits, so its statement goes
# (autodiff made no gradient for it); 'used' stays.
const vocab = 3
dim T <= 2
input tokens[T + 1] < vocab
param w[vocab, vocab] ~ gauss(0, 0.1)
used[t < T, v < vocab] = w[tokens[t], v] * 2.0
unused[t < T, v < vocab] = tanh(used[t, v])
logits[t < T, v < vocab] = used[t, v] * used[t, v]
loss = sum(t < T, v < vocab) logits[t, v]
# ---- expected (mgc --dump-changes=dce dce_unused.mg): exit 0, and on stdout: ----
#| # changes made by dce
#|   ...
#| -  unused[t, v] = tanh(used[t, v])    for t < T, v < 3    # dce_unused.mg:8
#|   ...
