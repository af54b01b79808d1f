const vocab = 27
dim T <= -1
input tokens[T + 1] < vocab

# ---- expected (mgc negative_dim_bound.mg -o OUT.c): exit 1, and on stderr: ----
#| negative_dim_bound.mg:2:10: error: the bound of a runtime length must be between 1 and 100000000, got -1
#|     2 | dim T <= -1
#|       |          ^~
