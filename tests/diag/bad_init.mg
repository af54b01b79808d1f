const vocab = 27
dim T <= 16
input tokens[T + 1] < vocab
param wte[vocab, 16] ~ gauss(0, 0.08)
param w[27, 16] ~ gauss(0, 0.08)
param q[4] ~ unifrom(0, 1)
param r[4] ~ xavier(0, 1)
param s[4] ~ uniform(0)
param t[4] ~ uniform(0, n_in)

# ---- expected (mgc bad_init.mg -o OUT.c): exit 1, and on stderr: ----
#| bad_init.mg:6:14: error: unknown initializer 'unifrom'; did you mean 'uniform'?
#|     6 | param q[4] ~ unifrom(0, 1)
#|       |              ^~~~~~~~~~~~~
#| bad_init.mg:7:14: error: unknown initializer 'xavier' (gauss(mean, std), uniform(a, b), zeros, ones or constant(c))
#|     7 | param r[4] ~ xavier(0, 1)
#|       |              ^~~~~~~~~~~~
#| bad_init.mg:8:14: error: 'uniform' takes 2 arguments, got 1
#|     8 | param s[4] ~ uniform(0)
#|       |              ^~~~~~~~~~
#| bad_init.mg:9:25: error: unknown name 'n_in'
#|     9 | param t[4] ~ uniform(0, n_in)
#|       |                         ^~~~
