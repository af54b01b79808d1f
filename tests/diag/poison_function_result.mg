# a call whose body fails gives a poison result: one error, inside the function
const vocab = 27
dim T <= 16
input tokens[T + 1] < vocab
param wte[vocab, 16] ~ gauss(0, 0.08)
param w[27, 16] ~ gauss(0, 0.08)
fn scaled(x[n]) -> y[n] {
    y = x * gain
}
x[t < T, c] = wte[tokens[t], c]
h = scaled(x)
logits = linear(h, w)
targets[t < T] = tokens[t + 1]
loss = cross_entropy(logits, targets)

# ---- expected (mgc poison_function_result.mg -o OUT.c): exit 1, and on stderr: ----
#| poison_function_result.mg:8:13: error: unknown name 'gain'
#|     8 |     y = x * gain
#|       |             ^~~~
