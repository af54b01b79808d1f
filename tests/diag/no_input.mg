const vocab = 27
dim T <= 16
param w[27, 16] ~ gauss(0, 0.08)

# ---- expected (mgc no_input.mg -o OUT.c): exit 1, and on stderr: ----
#| no_input.mg:1:1: error: the model declares no input; add 'input tokens[T + 1] < vocab'
#|     1 | const vocab = 27
#|       | ^
