# constants that fold to inf or NaN are errors, as 4 / 0 is
const inv = 1.0 / 0.0
const vocab = 27
dim T <= 16
input tokens[T + 1] < vocab
param h[16, 27] ~ gauss(0, 0.08)
logits[t < T, v < vocab] = h[t, v]
loss = sum(t < T) logits[t, tokens[t + 1]] * log(0.0)
z = h[0, 0] * 0 ^ -1
w = h[0, 0] * exp(1000)

