# 22 parameters of 10^8 doubles each: more than the default limit of 2^31
const vocab = 27
dim T <= 16
input tokens[T + 1] < vocab
param h[16, 27] ~ gauss(0, 0.08)
for l < 22 {
    param layer[l].w[100000000] ~ zeros
}
logits[t < T, v < vocab] = h[t, v]
s = sum(t < T) logits[t, tokens[t + 1]]
for l < 22 {
    s = s + layer[l].w[0]
}
loss = s

# ---- expected (mgc params_over_memory_limit.mg -o OUT.c): exit 1, and on stderr: ----
#| params_over_memory_limit.mg:7:5: error: the parameters up to 'layer21.w' need 16.4 GiB (2200000432 doubles), more than the limit of 16.0 GiB (2^31 doubles); mgc --max-memory=BYTES sets the limit
#|     7 |     param layer[l].w[100000000] ~ zeros
#|       |     ^~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
