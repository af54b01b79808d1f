# a classifier of 2-D points: an MLP, a label, the cross-entropy (tests/inputs)
input x[2]
input y < 3
param w1[4, 2] ~ gauss(0, 0.5)
param b1[4] ~ zeros
param w2[3, 4] ~ gauss(0, 0.5)
h[j < 4] = tanh((sum(i < 2) w1[j, i] * x[i]) + b1[j])
logits[c < 3] = sum(j < 4) w2[c, j] * h[j]
loss = log(sum(c < 3) exp(logits[c])) - logits[y]
optimizer sgd(lr = 0.1, steps = 10, decay = none)
