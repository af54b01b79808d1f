# micrograd's demo: MLP(2, [16, 16, 1]) on the two moons (runtime/data/moons.csv),
# a max-margin loss and L2 regularisation, full-batch SGD from 1.0 down to 0.1.
#   build/moons train --data runtime/data/moons.csv --batch 100
input x[2]                      # a point
input y < 2                     # its moon: 0 the upper, 1 the lower

# micrograd's Neuron: weights from random.uniform(-1, 1), the bias 0
param w1[16, 2] ~ uniform(-1, 1)
param b1[16] ~ zeros
param w2[16, 16] ~ uniform(-1, 1)
param b2[16] ~ zeros
param w3[1, 16] ~ uniform(-1, 1)
param b3[1] ~ zeros

h1[j < 16] = relu((sum(i < 2) w1[j, i] * x[i]) + b1[j])
h2[j < 16] = relu((sum(i < 16) w2[j, i] * h1[i]) + b2[j])
logits[k < 1] = (sum(i < 16) w3[k, i] * h2[i]) + b3[k]    # the score: > 0 says the lower moon

# the label as micrograd's y in {-1, +1}; the hinge; alpha * the sum of every
# parameter squared (the mean over a batch of the hinge plus it is micrograd's total_loss)
sign = 2 * y - 1
reg = ((sum(j < 16, i < 2) w1[j, i] * w1[j, i]) + (sum(j < 16) b1[j] * b1[j])
    + (sum(j < 16, i < 16) w2[j, i] * w2[j, i]) + (sum(j < 16) b2[j] * b2[j])
    + (sum(i < 16) w3[0, i] * w3[0, i]) + b3[0] * b3[0])
loss = relu(1 - sign * logits[0]) + 1e-4 * reg

# learning_rate = 1.0 - 0.9 * k / 100 at step k = 0 .. 99
optimizer sgd(lr = 1.0, min_lr = 0.1, schedule = linear, steps = 100)
