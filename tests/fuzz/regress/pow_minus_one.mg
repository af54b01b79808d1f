# mgfuzz-seed: 42
# Found by mgfuzz (seed 42): logits differed in the last bit.  gcc folds
# pow(x, -1.0) into 1.0 / x (and pow(x, 2.0) into x * x) even without
# -ffast-math; the interpreter, like the Python reference, calls pow.  Fixed
# in emit_c.c: those exponents go through pow_, which calls pow via a
# volatile pointer.
const vocab = 5
const block_size = 5
const n0 = 4
const n1 = 3
const n2 = 1
const n3 = 2
const L = 1
dim T <= block_size
input tokens[T + 1] < vocab
param wte[vocab, n1] ~ gauss(0, 0.5)
param wpe[block_size, n1] ~ gauss(0, 1)
param p0[n3, n3] ~ gauss(0, 0.1)
param p1[n0, n0] ~ gauss(0, 0.1)
param p2[n3] ~ gauss(0, 1)
param p3[n0] ~ constant(0.3)
param p4[n0] ~ ones
for l < L {
    param layer[l].w[n1, n1] ~ gauss(0, 0.3)
    param layer[l].b[n1] ~ gauss(0, 0.3)
}
param head[vocab, n0] ~ gauss(0, 0.5)
x[t < T, c < n1] = (1 + wpe[t, c])
o2[t < T, c < n1] = (sum(s <= t) x[s, c])
logits[t < T, v < vocab] = ((1 / ((o2[t // 2, (t + 1) % n1] * o2[t // 2, (t + 1) % n1]) + 1)) + 0 * wte[tokens[t], 0])
targets[t < T] = tokens[t + 1]
loss = cross_entropy(logits, targets)
