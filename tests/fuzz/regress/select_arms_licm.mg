# mgfuzz-seed: 27
# Found by mgfuzz (seed 27, shrunk): licm hoisted the arms of min(1, sin(h[i]))
# (a select) out of a max reduction over j as one tensor, leaving a select
# without its arms (internal error at ir.c).  licm now hoists each arm, never
# the pair.
const vocab = 2
const block_size = 1
const n0 = 1
const n1 = 2
const n2 = 2
const n3 = 1
const L = 1
dim T <= block_size
input tokens[T + 1] < vocab
param head[vocab, n2] ~ gauss(0, 0.5)
fn f0(x[N], w[N]) -> y[N] {
    h[i] = (x[i] * 0.5)
    y[i] = (max(j0 < n0) (min(1, sin(h[i]))))
}
x[t < T, c < n2] = 1
v6[c < n1] = 1
v7 = f0(x, v6)
logits = linear(x, head)
loss = 0.5
