# Fisher's iris: 4 measurements of a flower, 3 species; an MLP with one
# hidden layer of 8, tanh, softmax cross-entropy.  The data (150 flowers) from
# Debian's python3-sklearn, features standardised by the converter:
#   build/mgc-sklearn iris -o iris.csv && build/iris train --data iris.csv --batch 150
input x[4]                      # sepal length, sepal width, petal length, petal width
input y < 3                     # setosa, versicolor, virginica

param w1[8, 4] ~ gauss(0, 0.5)  # 1 / sqrt(4)
param b1[8] ~ zeros
param w2[3, 8] ~ gauss(0, 0.35)
param b2[3] ~ zeros

h[j < 8] = tanh((sum(i < 4) w1[j, i] * x[i]) + b1[j])
logits[c < 3] = (sum(j < 8) w2[c, j] * h[j]) + b2[c]
loss = logsumexp(logits) - logits[y]

optimizer adam(lr = 0.05, steps = 200)
