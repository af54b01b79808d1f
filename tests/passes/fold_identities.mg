# fold: x * 1, 1 * x and x - 0 go; x * 0 and x + 0 stay (inf * 0 is NaN, and
# -0 + 0 is +0).  (2.0 + 3.0 is folded by trace already, so logits stays as it is.)
const vocab = 3
dim T <= 2
input tokens[T + 1] < vocab
param w[vocab, vocab] ~ gauss(0, 0.1)
a[t < T, v < vocab] = 1.0 * w[tokens[t], v] * 1.0 - 0.0
b[t < T, v < vocab] = a[t, v] * 0.0 + a[t, v] + 0.0
logits[t < T, v < vocab] = b[t, v] * (2.0 + 3.0)
loss = sum(t < T, v < vocab) logits[t, v] * logits[t, v]
# ---- expected (mgc --dump-changes=fold fold_identities.mg): exit 0, and on stdout: ----
#| # changes made by fold
#|   ...
#| -  a[t, v] = 1.0 * w[tokens[t], v] * 1.0 - 0.0    for t < T, v < 3    # fold_identities.mg:7
#| +  a[t, v] = w[tokens[t], v]    for t < T, v < 3    # fold_identities.mg:7
#|   ...
