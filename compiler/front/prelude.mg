# The prelude: common pieces, written in .mg so their gradients are derived.
# Every model sees these functions; a model may define its own with the same
# name instead.  Each one follows the reference's operation order exactly.

# y = W x, rows of w are output units: y[o] = sum_i w[o, i] * x[i]
fn linear(x[I], w[O, I]) -> y[O] {
    y[o] = sum(i) w[o, i] * x[i]
}

# softmax over the last axis; the max is subtracted as a plain number (nograd)
fn softmax(x[N]) -> p[N] {
    m = nograd(max(i) x[i])
    e[i] = exp(x[i] - m)
    s = sum(i) e[i]
    p[i] = e[i] / s
}

# root-mean-square normalisation without a gain
fn rmsnorm(x[N]) -> y[N] {
    ms = mean(i) x[i] * x[i]
    scale = (ms + 1e-5) ^ -0.5
    y[i] = x[i] * scale
}

# mean negative log-likelihood of each row's target under softmax(logits)
fn cross_entropy(logits[N, V], targets[N]) -> loss {
    p = softmax(logits)
    loss = mean(t) -log(p[t, targets[t]])
}

# The functions below compute what PyTorch's do in float64 (to rounding), and
# are mapped over leading axes like the ones above.

# layer normalisation with gain g and bias b, as torch.nn.functional.layer_norm:
# the biased variance, eps 1e-5
fn layernorm(x[N], g[N], b[N]) -> y[N] {
    mu = mean(i) x[i]
    var = mean(i) (x[i] - mu) * (x[i] - mu)
    r = (var + 1e-5) ^ -0.5
    y[i] = (x[i] - mu) * r * g[i] + b[i]
}

# exact GELU, torch's default: x / 2 * (1 + erf(x / sqrt(2)))
fn gelu(x[N]) -> y[N] {
    y[i] = 0.5 * x[i] * (1 + erf(x[i] * 0.7071067811865476))
}

# GELU's tanh approximation, GPT-2's (torch's approximate='tanh'):
# x / 2 * (1 + tanh(sqrt(2 / pi) * (x + 0.044715 x^3)))
fn gelu_tanh(x[N]) -> y[N] {
    y[i] = 0.5 * x[i] * (1 + tanh(0.7978845608028654 * (x[i] + 0.044715 * x[i] * x[i] * x[i])))
}

# mean squared error, as torch.nn.functional.mse_loss
fn mse(pred[N], target[N]) -> loss {
    loss = mean(i) (pred[i] - target[i]) * (pred[i] - target[i])
}

# mean binary cross-entropy of probabilities p against targets y in [0, 1], as
# torch.nn.functional.binary_cross_entropy (which also clamps each log at -100)
fn binary_cross_entropy(p[N], y[N]) -> loss {
    loss = mean(i) -(y[i] * log(p[i]) + (1 - y[i]) * log(1 - p[i]))
}

# the same on logits x (p = sigmoid(x)), stable for any x, as
# torch.nn.functional.binary_cross_entropy_with_logits: m = max(-x, 0) is
# subtracted inside the log and added back (nograd: its gradient cancels)
fn binary_cross_entropy_with_logits(x[N], y[N]) -> loss {
    m[i] = nograd((abs(x[i]) - x[i]) * 0.5)
    loss = mean(i) (1 - y[i]) * x[i] + m[i] + log(exp(-m[i]) + exp(-x[i] - m[i]))
}

# log(sum(i) exp(x[i])) without overflow, as torch.logsumexp: the max is
# subtracted inside and added back (nograd: its gradient cancels)
fn logsumexp(x[N]) -> y {
    m = nograd(max(i) x[i])
    y = log(sum(i) exp(x[i] - m)) + m
}
