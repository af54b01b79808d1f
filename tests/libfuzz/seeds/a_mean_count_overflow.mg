# each range is within the cap, but the number of terms of the mean is not
const vocab = 27
dim T <= 16
input tokens[T + 1] < vocab
param h[16, 64] ~ gauss(0, 0.08)
logits[t < T, v < vocab] = h[t, v]
loss = sum(t < T) logits[t, tokens[t + 1]]
x = mean(a < 100000000, b < 100000000, c < 100000000) h[0, 0]
