# Differential test model for erf(a), compiled and interpreted to the bit
# (tests/diff/test_diff.c): each gradient element has one path to the loss,
# through two erf, whose derivative 2 / sqrt(pi) * exp(-a^2) spans its
# range (a = w * 1.5 with w ~ 3 * 0.5 * normal, out to where it underflows
# to 0 only for the outer erf's larger arguments).
const vocab = 27, block_size = 5
dim T <= block_size
input tokens[T + 1] < vocab

param w[block_size, vocab] ~ gauss(0, 0.5)

logits[t < T, v < vocab] = erf(w[t, v] * 1.5) * 2
loss = sum(t < T, v < vocab) erf(logits[t, v] - 0.5) * 0.1
