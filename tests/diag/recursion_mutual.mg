const vocab = 27
dim T <= 16
input tokens[T + 1] < vocab
param wte[vocab, 16] ~ gauss(0, 0.08)
param w[27, 16] ~ gauss(0, 0.08)
fn f(a[N]) -> b[N] {
    b = g(a)
}
fn g(a[N]) -> b[N] {
    b = f(a)
}
x[t < T, c] = wte[tokens[t], c]
y = f(x)

# ---- expected (mgc recursion_mutual.mg -o OUT.c): exit 1, and on stderr: ----
#| recursion_mutual.mg:10:9: error: recursive call to 'f': functions are inlined, so they cannot recurse
#|    10 |     b = f(a)
#|       |         ^~~~
#| recursion_mutual.mg:6:1: note: 'f' defined here
#|     6 | fn f(a[N]) -> b[N] {
#|       | ^~~~~~~~~~~~~~~~~~~~
