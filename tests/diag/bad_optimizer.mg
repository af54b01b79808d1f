const vocab = 27
dim T <= 16
input tokens[T + 1] < vocab
param wte[vocab, 16] ~ gauss(0, 0.08)
param w[27, 16] ~ gauss(0, 0.08)
optimizer rmsprop(lr = 0.1)

# ---- expected (mgc bad_optimizer.mg -o OUT.c): exit 1, and on stderr: ----
#| bad_optimizer.mg:6:1: error: unknown optimizer 'rmsprop' (sgd, adam or adamw)
#|     6 | optimizer rmsprop(lr = 0.1)
#|       | ^~~~~~~~~~~~~~~~~~~~~~~~~~~
