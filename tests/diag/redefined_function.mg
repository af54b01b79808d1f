const vocab = 27
dim T <= 16
input tokens[T + 1] < vocab
param wte[vocab, 16] ~ gauss(0, 0.08)
param w[27, 16] ~ gauss(0, 0.08)
fn f(a[N]) -> b[N] {
    b[i] = a[i]
}
fn f(a[N]) -> b[N] {
    b[i] = a[i] * 2
}

# ---- expected (mgc redefined_function.mg -o OUT.c): exit 1, and on stderr: ----
#| redefined_function.mg:9:1: error: redefinition of 'f'
#|     9 | fn f(a[N]) -> b[N] {
#|       | ^~~~~~~~~~~~~~~~~~~~
#| redefined_function.mg:6:1: note: 'f' was first defined here as a function
#|     6 | fn f(a[N]) -> b[N] {
#|       | ^~~~~~~~~~~~~~~~~~~~
