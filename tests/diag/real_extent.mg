# 16.0 is a real number: it says so instead of "but this is 16"
const vocab = 27, width = 16.0
dim T <= 16
input tokens[T + 1] < vocab
param h[16, width] ~ gauss(0, 0.08)

# ---- expected (mgc real_extent.mg -o OUT.c): exit 1, and on stderr: ----
#| real_extent.mg:5:13: error: a parameter's extent must be an integer, but 16.0 is a real number
#|     5 | param h[16, width] ~ gauss(0, 0.08)
#|       |             ^~~~~
