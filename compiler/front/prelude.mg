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
