# a poisoned constant read inside a function body: the call's result is poison too,
# without a second error such as "never assigns its result"
const vocab = 27
const gain = 2 * heads
dim T <= 16
input tokens[T + 1] < vocab
param wte[vocab, 16] ~ gauss(0, 0.08)
param w[27, 16] ~ gauss(0, 0.08)
fn scaled(x[n]) -> y[n] {
    for r < gain {
        y = x * 2
    }
}
x[t < T, c] = wte[tokens[t], c]
h = scaled(x)
logits = linear(h, w)
targets[t < T] = tokens[t + 1]
loss = cross_entropy(logits, targets)

# ---- expected (mgc poison_global_in_function.mg -o OUT.c): exit 1, and on stderr: ----
#| poison_global_in_function.mg:4:18: error: unknown name 'heads'
#|     4 | const gain = 2 * heads
#|       |                  ^~~~~
