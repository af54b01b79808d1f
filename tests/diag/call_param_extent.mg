const vocab = 27
dim T <= 16
input tokens[T + 1] < vocab
param wte[vocab, 16] ~ gauss(0, 0.08)
param w8[8, 16] ~ gauss(0, 0.08)
x[t < T, c] = wte[tokens[t], c]
z[r < 8, c] = w8[r, c]
fn h(a[27]) -> o[27] {
    o[i] = a[i]
}
q = h(x)

# ---- expected (mgc call_param_extent.mg -o OUT.c): exit 1, and on stderr: ----
#| call_param_extent.mg:11:7: error: argument 1 of 'h' has shape [T, 16], but 'a' expects extent 27 for axis 1
#|    11 | q = h(x)
#|       |       ^
#| call_param_extent.mg:8:6: note: parameter 'a' declared here
#|     8 | fn h(a[27]) -> o[27] {
#|       |      ^~~~~
