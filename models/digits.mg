# The 8x8 handwritten digits (UCI, 1797 images, from Debian's python3-sklearn):
# an MLP 64 -> 32 (ReLU) -> 10, softmax cross-entropy, Adam on batches of 32.
# The converter scales the pixels (0 to 16) to [0, 1]:
#   build/mgc-sklearn digits -o digits.csv && build/digits train --data digits.csv --batch 32
input img[8, 8]                 # the pixels, row by row
input y < 10                    # the digit

param w1[32, 64] ~ gauss(0, 1 / 64 ^ 0.5)   # 1 / sqrt(fan-in)
param b1[32] ~ zeros
param w2[10, 32] ~ gauss(0, 1 / 32 ^ 0.5)
param b2[10] ~ zeros

h[j < 32] = relu((sum(r < 8, c < 8) w1[j, 8 * r + c] * img[r, c]) + b1[j])
logits[k < 10] = (sum(j < 32) w2[k, j] * h[j]) + b2[k]
loss = logsumexp(logits) - logits[y]

optimizer adam(lr = 0.01, steps = 1000)
