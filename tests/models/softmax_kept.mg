# Differential test model: softmaxes and an rmsnorm that mgc --fast and
# --dtype=f32 must NOT replace by the closed-form backward (opt_closed.c):
# the exponentials of one softmax, the sum of another and the scale of the
# rmsnorm are also read by the loss, so their gradients have more parts than
# the closed form's.  cross_entropy and a plain rmsnorm are rewritten.
const vocab = 5, block_size = 4, n_embd = 6
dim T <= block_size
input tokens[T + 1] < vocab

param wte[vocab, n_embd] ~ gauss(0, 0.5)
param lm_head[vocab, n_embd] ~ gauss(0, 0.5)
param head2[vocab, n_embd] ~ gauss(0, 0.5)

x0[t < T, c] = wte[tokens[t], c]

# scale is read twice: by y and by the loss
sq[t < T] = sum(i) x0[t, i] * x0[t, i]
ms[t < T] = sq[t] / n_embd
scale[t < T] = (ms[t] + 1e-5) ^ -0.5
x[t < T, c] = x0[t, c] * scale[t]
z[t < T, o < vocab] = sum(i) lm_head[o, i] * x[t, i]
z2[t < T, o < vocab] = sum(i) head2[o, i] * rmsnorm(x)[t, i]
targets[t < T] = tokens[t + 1]

# e is read twice: by its sum and, below, by the loss
m[t < T] = nograd(max(i) z[t, i])
e[t < T, i < vocab] = exp(z[t, i] - m[t])
s[t < T] = sum(i) e[t, i]
p[t < T, i < vocab] = e[t, i] / s[t]

# s2 is read twice: by its quotient and by the loss
m2[t < T] = nograd(max(i) z2[t, i])
e2[t < T, i < vocab] = exp(z2[t, i] - m2[t])
s2[t < T] = sum(i) e2[t, i]
p2[t < T, i < vocab] = e2[t, i] / s2[t]

logits = z
loss = mean(t) -log(p[t, targets[t]]) - mean(t) log(p2[t, targets[t]]) + 0.1 * mean(t) e[t, 0] + 0.01 * mean(t) s2[t] + cross_entropy(z2, targets) + 0.1 * mean(t) scale[t]
