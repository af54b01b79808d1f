# logits with a runtime length: a score for each of an example's T rows (tests/inputs)
dim T <= 4
input xs[T, 2]
input t
param w[2] ~ gauss(0, 1)
logits[s < T] = sum(i < 2) w[i] * xs[s, i]
loss = ((sum(s < T) logits[s]) - t) ^ 2
