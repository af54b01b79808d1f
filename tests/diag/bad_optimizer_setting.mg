const vocab = 27
dim T <= 16
input tokens[T + 1] < vocab
param wte[vocab, 16] ~ gauss(0, 0.08)
param w[27, 16] ~ gauss(0, 0.08)
optimizer adam(lr = 0.1, momentum = 0.9)

# ---- expected (mgc bad_optimizer_setting.mg -o OUT.c): exit 1, and on stderr: ----
#| bad_optimizer_setting.mg:6:26: error: unknown setting 'momentum' for adam (lr, beta1, beta2, eps, steps, decay)
#|     6 | optimizer adam(lr = 0.1, momentum = 0.9)
#|       |                          ^~~~~~~~~~~~~~
