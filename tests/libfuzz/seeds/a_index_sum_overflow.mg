# (t + big) + 1: the folded constant of a sum overflows
const p = (2147483647 + 1) * (2147483647 + 1)    # 2^62
const big = p - 1 + p                           # 2^63 - 1, INT64_MAX
const vocab = 27
dim T <= 16
input tokens[T + 1] < vocab
param h[16, 64] ~ gauss(0, 0.08)
logits[t < T, v < vocab] = h[t, v]
loss = sum(t < T) logits[t, tokens[t + 1]]
x[t < T] = h[t, t + big + 2]
