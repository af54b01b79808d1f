# an integer input the logits read, a real one, and a label (tests/inputs/test_guarantees.c)
input k < 4
input x[2]
input y < 2
param e[4, 2] ~ gauss(0, 1)
param w[2, 2] ~ gauss(0, 1)
logits[c < 2] = e[k, c] + (sum(i < 2) w[c, i] * x[i])
loss = logsumexp(logits) - logits[y]
