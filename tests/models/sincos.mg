# Differential test model for sin(a) and cos(a) (each the other's
# derivative), compiled and interpreted to the bit (tests/diff/test_diff.c):
# each gradient element has one path to the loss, through one sin and one
# cos; the arguments span several periods (w * 3 with w ~ 3 * 1.0 * normal).
const vocab = 27, block_size = 5
dim T <= block_size
input tokens[T + 1] < vocab

param w[block_size, vocab] ~ gauss(0, 1)

logits[t < T, v < vocab] = sin(w[t, v] * 3) * 2
loss = sum(t < T, v < vocab) cos(logits[t, v] + 0.5) * 0.1
