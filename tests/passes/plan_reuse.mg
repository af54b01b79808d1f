# plan: buffers share scratch memory where their lives do not overlap: logits
# takes x's place (x is dead once s is made), d_x takes s's (s is last read by
# d_u) and d_s takes logits' (last read by d_logits).  Each gradient's first
# writer assigns, except d_w's, which is cleared first (tokens[t] may repeat).
const vocab = 3
dim T <= 2
input tokens[T + 1] < vocab
param w[vocab, vocab] ~ gauss(0, 0.1)
param u[vocab, vocab] ~ gauss(0, 0.1)
x[t < T, v < vocab] = w[tokens[t], v] * 2.0
s[t < T] = sum(v < vocab) x[t, v]
logits[t < T, v < vocab] = sum(i < vocab) u[v, i] * s[t]
loss = sum(t < T, v < vocab) logits[t, v] * logits[t, v]
# ---- expected (mgc --dump-changes=plan plan_reuse.mg): exit 0, and on stdout: ----
#| # changes made by plan
#|   ...
#| -  d_loss = 1.0    for (scalar)    # plan_reuse.mg:13
#| -  d_logits[t, v] += logits[t, v] * d_loss    for t < T, v < 3    # plan_reuse.mg:13
#| +  d_loss = 1.0    for (scalar)    [assign first]    # plan_reuse.mg:13
#| +  d_logits[t, v] += logits[t, v] * d_loss    for t < T, v < 3    [assign first]    # plan_reuse.mg:13
#|   ...
#| -  d_u[v, i] += sum(t < T) s[t] * d_logits[t, v]    for v < 3, i < 3    [sum from out]    # plan_reuse.mg:12
#| -  d_s[t] += sum(v < 3, i < 3) u[v, i] * d_logits[t, v]    for t < T    [sum from out]    # plan_reuse.mg:12
#| -  d_x[t, v] += d_s[t]    for t < T, v < 3    # plan_reuse.mg:11
#| -  d_w[tokens[t], v] += 2.0 * d_x[t, v]    for t < T, v < 3    [fused]    # plan_reuse.mg:10
#| +  d_u[v, i] += sum(t < T) s[t] * d_logits[t, v]    for v < 3, i < 3    [sum from out, assign first]    # plan_reuse.mg:12
#| +  d_s[t] += sum(v < 3, i < 3) u[v, i] * d_logits[t, v]    for t < T    [sum from out, assign first]    # plan_reuse.mg:12
#| +  d_x[t, v] += d_s[t]    for t < T, v < 3    [assign first]    # plan_reuse.mg:11
#| +  d_w[tokens[t], v] += 2.0 * d_x[t, v]    for t < T, v < 3    [fused, zero first]    # plan_reuse.mg:10
#| +  scratch x                             0 ..      6
#| +  scratch s                             8 ..     10
#| +  scratch logits                        0 ..      6
#| +  scratch loss                         16 ..     17
#| +  scratch d_x                           8 ..     14
#| +  scratch d_s                           0 ..      2
#| +  scratch d_logits                     32 ..     38
#| +  scratch d_loss                       24 ..     25
#| +  scratch total 38 doubles
