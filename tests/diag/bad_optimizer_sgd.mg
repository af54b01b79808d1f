# settings that need another: step needs step_size, nesterov needs momentum
const vocab = 27
dim T <= 16
input tokens[T + 1] < vocab
param wte[vocab, 16] ~ gauss(0, 0.08)
param w[27, 16] ~ gauss(0, 0.08)
optimizer sgd(lr = 0.1, nesterov = 1, schedule = step, beta1 = 0.9)

# ---- expected (mgc bad_optimizer_sgd.mg -o OUT.c): exit 1, and on stderr: ----
#| bad_optimizer_sgd.mg:7:56: error: sgd does not take 'beta1' (it takes lr, steps, schedule, decay, warmup, min_lr, step_size, gamma, weight_decay, clip, momentum, nesterov)
#|     7 | optimizer sgd(lr = 0.1, nesterov = 1, schedule = step, beta1 = 0.9)
#|       |                                                        ^~~~~~~~~~~
#| bad_optimizer_sgd.mg:7:1: error: schedule = step needs step_size, a positive number of steps
#|     7 | optimizer sgd(lr = 0.1, nesterov = 1, schedule = step, beta1 = 0.9)
#|       | ^~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
#| bad_optimizer_sgd.mg:7:1: error: nesterov needs a momentum above 0
#|     7 | optimizer sgd(lr = 0.1, nesterov = 1, schedule = step, beta1 = 0.9)
#|       | ^~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
