const vocab = 27
dim T <= 16
input tokens[T + 1] < vocab
param wte[vocab, 16] ~ gauss(0, 0.08)
param w[27, 16] ~ gauss(0, 0.08)
param q[4] ~ uniform(0, 1)

# ---- expected (mgc bad_init.mg -o OUT.c): exit 1, and on stderr: ----
#| bad_init.mg:6:14: error: unknown initializer 'uniform' (gauss(mean, std), zeros, ones or constant(c))
#|     6 | param q[4] ~ uniform(0, 1)
#|       |              ^~~~~~~~~~~~~
