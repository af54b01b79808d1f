# a runtime-length real input and a label, with logits (tests/inputs/test_guarantees.c)
dim T <= 5
input xs[T, 3]
input y < 2
param w[2, 3] ~ gauss(0, 1)
logits[c < 2] = sum(t < T, i < 3) w[c, i] * xs[t, i]
loss = logsumexp(logits) - logits[y]
