# (vocab - 1) * k wraps around to 10: the index check must not believe it
const vocab = 27
const k = 2147483647 * 330382099 + 1817101548
dim T <= 16
input tokens[T + 1] < vocab
param h[16, 64] ~ gauss(0, 0.08)
logits[t < T, v < vocab] = h[t, v]
loss = sum(t < T) logits[t, tokens[t + 1]]
x[t < T, c < 27] = h[t, tokens[t] * k + c]
