# INT64_MIN / -1 does not fit in 64 bits; folding it used to kill mgc with SIGFPE
const p = (2147483647 + 1) * (2147483647 + 1)    # 2^62
const low = -p - p                              # -2^63, INT64_MIN
const high = low / -1
const vocab = 27
dim T <= 16
input tokens[T + 1] < vocab
param wte[vocab, 16] ~ gauss(0, 0.08)
