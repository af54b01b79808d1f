# a reduction's range has the same cap as a loop bound or an extent
const vocab = 27
dim T <= 16
input tokens[T + 1] < vocab
param h[16, 64] ~ gauss(0, 0.08)
logits[t < T, v < vocab] = h[t, v]
loss = sum(t < T) logits[t, tokens[t + 1]]
x = sum(s < 2147483647 * 2147483647) h[0, 0]
