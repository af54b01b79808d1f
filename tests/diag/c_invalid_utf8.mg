const vocab = 27
dim T <= 16
input tokens[T + 1] < vocab
param wte[vocab, 16] ~ gauss(0, 0.08)
param w[27, 16] ~ gauss(0, 0.08)
x[t < T, c] = wte[tokens[t], c] Ã 2

# ---- expected (mgc c_invalid_utf8.mg -o OUT.c): exit 1, and on stderr: ----
#| c_invalid_utf8.mg:6:33: error: invalid UTF-8 byte 0xC3
#|     6 | x[t < T, c] = wte[tokens[t], c] \xc3 2
#|       |                                 ^~~~
