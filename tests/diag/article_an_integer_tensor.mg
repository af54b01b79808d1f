# the messages say "an integer tensor" and "an index", not "a integer tensor"
const vocab = 27
dim T <= 16
input tokens[T + 1] < vocab
param h[16, 27] ~ gauss(0, 0.08)
logits[t < T, v < vocab] = h[t, v]
loss = sum(t < T) logits[t, tokens[t + 1]]
const c = tokens
x[t < T] = h[t, 0] * t[0]

# ---- expected (mgc article_an_integer_tensor.mg -o OUT.c): exit 1, and on stderr: ----
#| article_an_integer_tensor.mg:8:11: error: 'tokens' is an integer tensor, not a compile-time constant
#|     8 | const c = tokens
#|       |           ^~~~~~
#| article_an_integer_tensor.mg:4:1: note: 'tokens' defined here
#|     4 | input tokens[T + 1] < vocab
#|       | ^~~~~~~~~~~~~~~~~~~~~~~~~~~
#| article_an_integer_tensor.mg:9:22: error: 't' is an index and cannot be indexed
#|     9 | x[t < T] = h[t, 0] * t[0]
#|       |                      ^~~~
