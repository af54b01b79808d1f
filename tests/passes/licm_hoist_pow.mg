# licm: pow(s[t], -1) does not depend on v, so it is computed once per t by a
# new statement (in the forward pass and again in the backward pass, until cse
# makes the two one); exp(w[.., v]) depends on every loop and stays.
const vocab = 3
dim T <= 2
input tokens[T + 1] < vocab
param w[vocab, vocab] ~ gauss(0, 0.1)
s[t < T] = sum(v < vocab) w[tokens[t], v] * w[tokens[t], v]
logits[t < T, v < vocab] = exp(w[tokens[t], v]) * s[t] ^ -1
loss = sum(t < T, v < vocab) logits[t, v]
# ---- expected (mgc --dump-changes=licm licm_hoist_pow.mg): exit 0, and on stdout: ----
#| # changes made by licm
#|   ...
#| +  act   pow_2 [T]
#| +  act   pow_3 [T]
#| +  act   pow_4 [T]
#|   ...
#| -  logits[t, v] = exp(w[tokens[t], v]) * pow(s[t], -1.0)    for t < T, v < 3    # licm_hoist_pow.mg:9
#| +  pow_2[t] = pow(s[t], -1.0)    for t < T    # licm_hoist_pow.mg:9
#| +  logits[t, v] = exp(w[tokens[t], v]) * pow_2[t]    for t < T, v < 3    # licm_hoist_pow.mg:9
#|   ...
#| -  d_w[tokens[t], v] += exp(w[tokens[t], v]) * (pow(s[t], -1.0) * d_logits[t, v])    for t < T, v < 3    # licm_hoist_pow.mg:9
#| -  d_s[t] += (-1.0) * pow(s[t], -2.0) * (exp(w[tokens[t], v]) * d_logits[t, v])    for t < T, v < 3    # licm_hoist_pow.mg:9
#| +  pow_3[t] = pow(s[t], -1.0)    for t < T    # licm_hoist_pow.mg:9
#| +  d_w[tokens[t], v] += exp(w[tokens[t], v]) * (pow_3[t] * d_logits[t, v])    for t < T, v < 3    # licm_hoist_pow.mg:9
#| +  pow_4[t] = (-1.0) * pow(s[t], -2.0)    for t < T    # licm_hoist_pow.mg:9
#| +  d_s[t] += pow_4[t] * (exp(w[tokens[t], v]) * d_logits[t, v])    for t < T, v < 3    # licm_hoist_pow.mg:9
#|   ...
