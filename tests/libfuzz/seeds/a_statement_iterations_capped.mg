# a statement's loops run at most 10^12 times in all (each range is at most
# 10^8, but not their product): the product of its ranges, reductions
# included, at T = its bound, overflow-checked; z is exactly at the cap
const vocab = 27
dim T <= 16
input tokens[T + 1] < vocab
param h[16, 64] ~ gauss(0, 0.08)
logits[t < T, v < vocab] = h[t, v]
loss = sum(t < T) logits[t, tokens[t + 1]]
x = sum(a < 100000000, b < 100000000, c < 100000000) h[0, 0]
y[t < T, c < 64] = h[t, c] * sum(a < 10000, b < 10000, s < 10001) h[0, 0]
u = sum(t < T, a < 100000000, b < 1000) h[0, 0]
z = sum(a < 10000, b < 10000, s < 10000) h[0, 0]

