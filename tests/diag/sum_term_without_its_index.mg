# a term of a sum's body that does not depend on the sum's index (the bias
# trap) gets a warning that shows the fix; the right ways to write it, and
# max and mean (where such a term means what it says), get none
const vocab = 27
dim T <= 16
input tokens[T + 1] < vocab
param wte[vocab, 16] ~ gauss(0, 0.08)
param w[vocab, 16] ~ gauss(0, 0.08)
param b[vocab] ~ zeros
x[t < T, c] = wte[tokens[t], c]
y[t < T, o < vocab] = sum(i) w[o, i] * x[t, i] + b[o]
z[t < T, o < vocab] = sum(i < 16, j < 2) b[o] - w[o, i] * x[t, i]
logits[t < T, o < vocab] = (sum(i) w[o, i] * x[t, i]) + b[o]
m[t < T, o < vocab] = max(i < 16) w[o, i] * x[t, i] + b[o]
n[t < T, o < vocab] = mean(i < 16) w[o, i] + b[o]
c = sum(i < 16) 1.0
q[t < T] = tanh(sum(i) x[t, i] + 1.0)
targets[t < T] = tokens[t + 1]
loss = cross_entropy(logits, targets)


# ---- expected (mgc sum_term_without_its_index.mg -o OUT.c): exit 0, and on stderr: ----
#| sum_term_without_its_index.mg:11:50: warning: this term does not depend on the sum's index 'i', so the sum adds it once for every 'i'
#|    11 | y[t < T, o < vocab] = sum(i) w[o, i] * x[t, i] + b[o]
#|       |                                                  ^~~~
#| sum_term_without_its_index.mg:11:23: note: to add it once, write it outside the sum, as in (sum(...) ...) + term; to add it for every term, multiply it by their number
#|    11 | y[t < T, o < vocab] = sum(i) w[o, i] * x[t, i] + b[o]
#|       |                       ^~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
#| sum_term_without_its_index.mg:12:42: warning: this term does not depend on the sum's indices 'i', 'j', so the sum adds it once for every combination of them
#|    12 | z[t < T, o < vocab] = sum(i < 16, j < 2) b[o] - w[o, i] * x[t, i]
#|       |                                          ^~~~
#| sum_term_without_its_index.mg:12:23: note: to add it once, write it outside the sum, as in (sum(...) ...) + term; to add it for every term, multiply it by their number
#|    12 | z[t < T, o < vocab] = sum(i < 16, j < 2) b[o] - w[o, i] * x[t, i]
#|       |                       ^~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
#| sum_term_without_its_index.mg:17:34: warning: this term does not depend on the sum's index 'i', so the sum adds it once for every 'i'
#|    17 | q[t < T] = tanh(sum(i) x[t, i] + 1.0)
#|       |                                  ^~~
#| sum_term_without_its_index.mg:17:17: note: to add it once, write it outside the sum, as in (sum(...) ...) + term; to add it for every term, multiply it by their number
#|    17 | q[t < T] = tanh(sum(i) x[t, i] + 1.0)
#|       |                 ^~~~~~~~~~~~~~~~~~~~
