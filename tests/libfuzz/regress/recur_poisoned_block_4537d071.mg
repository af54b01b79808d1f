# Found by libfuzz_mgc (a ChangeASCIIInt of tests/fuzz/regress/recur_reads_recurrence.mg):
# 'k2' is unknown, so h1 is poisoned and the recur block that reads it makes no
# statement; order_block then did memcpy from a null list (UBSan).
const vocab = 2
const block_size = 3
const n0 = 1
const n1 = 1
const n2 = 1
const n3 = 1
const L = 1
dim T <= block_size
input tokens[T + 1] < vocab
param p2[n1, n1] ~ gauss(0, 0.1)
param head[vocab, n2] ~ gauss(0, 0.5)
h1[t < T, j < n3] = (p2[j // 3, (j * 2) % n1] + (sum(k4 < n3) (h1[t - 1, k2] else 0.0)))
recur t < T {
    z5[t, j < n2] = h1[t // 2, min(j, 0)]
    h6[t, j < n2] = z5[t, j]
}
logits = linear(h6, head)
targets[t < T] = 1
loss = cross_entropy(logits, targets)
