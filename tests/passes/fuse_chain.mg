# fuse: a and logits loop over the same ranges as the statement before each
# (x, then a), so the three share one loop nest; a is read only there, at the
# element being made, so it becomes a C local.  The loss's sum has other loops
# and is not fused.  The backward pass's four statements share one nest too.
const vocab = 3
dim T <= 2
input tokens[T + 1] < vocab
param w[vocab, vocab] ~ gauss(0, 0.1)
x[t < T, v < vocab] = w[tokens[t], v] * 2.0
a[t < T, v < vocab] = x[t, v] * x[t, v]
logits[t < T, v < vocab] = a[t, v] * 3.0
loss = sum(t < T, v < vocab) logits[t, v]
# ---- expected (mgc --dump-changes=fuse fuse_chain.mg): exit 0, and on stdout: ----
#| # changes made by fuse
#|   ...
#| -  act   a [T, 3] grad
#| +  act   a [T, 3] grad local
#|   ...
#| -  a[t, v] = x[t, v] * x[t, v]    for t < T, v < 3    # fuse_chain.mg:10
#| -  logits[t, v] = a[t, v] * 3.0    for t < T, v < 3    # fuse_chain.mg:11
#| +  a[t, v] = x[t, v] * x[t, v]    for t < T, v < 3    [fused]    # fuse_chain.mg:10
#| +  logits[t, v] = a[t, v] * 3.0    for t < T, v < 3    [fused]    # fuse_chain.mg:11
#|   ...
#| -  d_a[t, v] += 3.0 * d_logits[t, v]    for t < T, v < 3    # fuse_chain.mg:11
#| -  d_x[t, v] += x[t, v] * d_a[t, v]    for t < T, v < 3    # fuse_chain.mg:10
#| -  d_x[t, v] += x[t, v] * d_a[t, v]    for t < T, v < 3    # fuse_chain.mg:10
#| -  d_w[tokens[t], v] += 2.0 * d_x[t, v]    for t < T, v < 3    # fuse_chain.mg:9
#| +  d_a[t, v] += 3.0 * d_logits[t, v]    for t < T, v < 3    [fused]    # fuse_chain.mg:11
#| +  d_x[t, v] += x[t, v] * d_a[t, v]    for t < T, v < 3    [fused]    # fuse_chain.mg:10
#| +  d_x[t, v] += x[t, v] * d_a[t, v]    for t < T, v < 3    [fused]    # fuse_chain.mg:10
#| +  d_w[tokens[t], v] += 2.0 * d_x[t, v]    for t < T, v < 3    [fused]    # fuse_chain.mg:9
