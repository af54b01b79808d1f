

# ---- expected (mgc empty_file.mg -o OUT.c): exit 1, and on stderr: ----
#| empty_file.mg:1:1: error: the model declares no runtime length; add 'dim T <= block_size'
#|     1 | 
#|       | ^
#| empty_file.mg:1:1: error: the model declares no input; add 'input tokens[T + 1] < vocab'
#|     1 | 
#|       | ^
