# each bad setting of an optimizer line is its own located error; a setting of
# another optimizer says whose it is, a misspelt one or schedule gets the nearest
const vocab = 27
dim T <= 16
input tokens[T + 1] < vocab
param wte[vocab, 16] ~ gauss(0, 0.08)
param w[27, 16] ~ gauss(0, 0.08)
optimizer adam(lr = 0.1, momentum = 0.9, wieght_decay = 0.01,
               schedule = cosin, warmup = 2.5, lr = 0.2, beta1 = 1, clip = -1,
               decay = 3, nosuch = 1)

# ---- expected (mgc bad_optimizer_setting.mg -o OUT.c): exit 1, and on stderr: ----
#| bad_optimizer_setting.mg:8:26: error: adam does not take 'momentum' (it takes lr, steps, schedule, decay, warmup, min_lr, step_size, gamma, weight_decay, clip, beta1, beta2, eps)
#|     8 | optimizer adam(lr = 0.1, momentum = 0.9, wieght_decay = 0.01,
#|       |                          ^~~~~~~~~~~~~~
#| bad_optimizer_setting.mg:8:42: error: unknown setting 'wieght_decay'; did you mean 'weight_decay'?
#|     8 | optimizer adam(lr = 0.1, momentum = 0.9, wieght_decay = 0.01,
#|       |                                          ^~~~~~~~~~~~~~~~~~~
#| bad_optimizer_setting.mg:9:27: error: unknown schedule 'cosin'; did you mean 'cosine'?
#|     9 |                schedule = cosin, warmup = 2.5, lr = 0.2, beta1 = 1, clip = -1,
#|       |                           ^~~~~
#| bad_optimizer_setting.mg:9:43: error: warmup must be a non-negative integer
#|     9 |                schedule = cosin, warmup = 2.5, lr = 0.2, beta1 = 1, clip = -1,
#|       |                                           ^~~
#| bad_optimizer_setting.mg:9:48: error: 'lr' is set twice
#|     9 |                schedule = cosin, warmup = 2.5, lr = 0.2, beta1 = 1, clip = -1,
#|       |                                                ^~~~~~~~
#| bad_optimizer_setting.mg:8:16: note: first set here
#|     8 | optimizer adam(lr = 0.1, momentum = 0.9, wieght_decay = 0.01,
#|       |                ^~~~~~~~
#| bad_optimizer_setting.mg:9:66: error: beta1 must be at least 0 and below 1
#|     9 |                schedule = cosin, warmup = 2.5, lr = 0.2, beta1 = 1, clip = -1,
#|       |                                                                  ^
#| bad_optimizer_setting.mg:9:76: error: clip must not be negative
#|     9 |                schedule = cosin, warmup = 2.5, lr = 0.2, beta1 = 1, clip = -1,
#|       |                                                                            ^~
#| bad_optimizer_setting.mg:10:24: error: decay is 'linear' or 'none'
#|    10 |                decay = 3, nosuch = 1)
#|       |                        ^
#| bad_optimizer_setting.mg:10:27: error: unknown setting 'nosuch' (lr, steps, schedule, decay, warmup, min_lr, step_size, gamma, weight_decay, clip, beta1, beta2, eps)
#|    10 |                decay = 3, nosuch = 1)
#|       |                           ^~~~~~~~~~
#| bad_optimizer_setting.mg:10:16: error: 'decay' is the older spelling of 'schedule'; give one of them
#|    10 |                decay = 3, nosuch = 1)
#|       |                ^~~~~~~~~
#| bad_optimizer_setting.mg:9:16: note: 'schedule' set here
#|     9 |                schedule = cosin, warmup = 2.5, lr = 0.2, beta1 = 1, clip = -1,
#|       |                ^~~~~~~~~~~~~~~~
