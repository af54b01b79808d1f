# an error inside the prelude is reported at the innermost call the user wrote,
# here inside the user's own function, with the argument shapes
const vocab = 27
dim T <= 16
input tokens[T + 1] < vocab
param wte[vocab, 16] ~ gauss(0, 0.08)
param w[10, 16] ~ gauss(0, 0.08)
fn head_loss(h[N, C], tg[N]) -> l {
    l = cross_entropy(linear(h, w), tg)
}
x[t < T, c] = wte[tokens[t], c]
logits[t < T, v < vocab] = x[t, v % 16]
targets[t < T] = tokens[t + 1]
loss = head_loss(x, targets)

# ---- expected (mgc prelude_error_in_user_function.mg -o OUT.c): exit 1, and on stderr: ----
#| prelude_error_in_user_function.mg:9:9: error: in this call of cross_entropy(logits[T, 10], targets[T]): index 2 of 'p' is out of range: it reaches 26 but the extent is 10
#|     9 |     l = cross_entropy(linear(h, w), tg)
#|       |         ^~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
#| prelude.mg:28:30: note: inside 'cross_entropy', here
#|    28 |     loss = mean(t) -log(p[t, targets[t]])
#|       |                              ^~~~~~~~~~
#| prelude.mg:28:30: note: with T = 1
#|    28 |     loss = mean(t) -log(p[t, targets[t]])
#|       |                              ^~~~~~~~~~
#| prelude.mg:27:5: note: 'p' defined here
#|    27 |     p = softmax(logits)
#|       |     ^~~~~~~~~~~~~~~~~~~
