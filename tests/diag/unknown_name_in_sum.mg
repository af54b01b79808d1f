const vocab = 27
dim T <= 16
input tokens[T + 1] < vocab
param wte[vocab, 16] ~ gauss(0, 0.08)
param w[27, 16] ~ gauss(0, 0.08)
x[t < T] = sum(i) wte[tokens[t], i] * q

# ---- expected (mgc unknown_name_in_sum.mg -o OUT.c): exit 1, and on stderr: ----
#| unknown_name_in_sum.mg:6:39: error: unknown name 'q'
#|     6 | x[t < T] = sum(i) wte[tokens[t], i] * q
#|       |                                       ^
