# mgfuzz-seed: 100429
# Found by mgfuzz (seeds 100429, 106007): logits differed in the last bit.
# With vocab = 2 gcc unrolls the v loop and evaluates tanh(1.5 * (2 * 0.1)) at
# compile time, correctly rounded, where glibc's tanh (which the interpreter
# and the Python reference call) is 1 ulp away.  Fixed in emit_c.c together
# with pow_minus_one.mg: exp, log, tanh and pow are called through volatile
# function pointers (exp_, log_, tanh_, pow_), so nothing is folded or rewritten.
const vocab = 2
const block_size = 1
const n0 = 1
dim T <= block_size
input tokens[T + 1] < vocab
param wte[vocab, n0] ~ gauss(0, 0.3)
logits[t < T, v < vocab] = (tanh((1.5 * ((v + 1) * 0.1))) + 0 * wte[tokens[t], 0])
targets[t < T] = tokens[t + 1]
loss = cross_entropy(logits, targets)
