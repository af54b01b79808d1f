# 30 bad lines: the first 20 are reported, then mgc stops
x0 = $
x1 = $
x2 = $
x3 = $
x4 = $
x5 = $
x6 = $
x7 = $
x8 = $
x9 = $
x10 = $
x11 = $
x12 = $
x13 = $
x14 = $
x15 = $
x16 = $
x17 = $
x18 = $
x19 = $
x20 = $
x21 = $
x22 = $
x23 = $
x24 = $
x25 = $
x26 = $
x27 = $
x28 = $
x29 = $

# ---- expected (mgc c_too_many_errors.mg -o OUT.c): exit 1, and on stderr: ----
#| c_too_many_errors.mg:2:6: error: unexpected character '$'
#|     2 | x0 = $
#|       |      ^
#| c_too_many_errors.mg:3:6: error: unexpected character '$'
#|     3 | x1 = $
#|       |      ^
#| c_too_many_errors.mg:4:6: error: unexpected character '$'
#|     4 | x2 = $
#|       |      ^
#| c_too_many_errors.mg:5:6: error: unexpected character '$'
#|     5 | x3 = $
#|       |      ^
#| c_too_many_errors.mg:6:6: error: unexpected character '$'
#|     6 | x4 = $
#|       |      ^
#| c_too_many_errors.mg:7:6: error: unexpected character '$'
#|     7 | x5 = $
#|       |      ^
#| c_too_many_errors.mg:8:6: error: unexpected character '$'
#|     8 | x6 = $
#|       |      ^
#| c_too_many_errors.mg:9:6: error: unexpected character '$'
#|     9 | x7 = $
#|       |      ^
#| c_too_many_errors.mg:10:6: error: unexpected character '$'
#|    10 | x8 = $
#|       |      ^
#| c_too_many_errors.mg:11:6: error: unexpected character '$'
#|    11 | x9 = $
#|       |      ^
#| c_too_many_errors.mg:12:7: error: unexpected character '$'
#|    12 | x10 = $
#|       |       ^
#| c_too_many_errors.mg:13:7: error: unexpected character '$'
#|    13 | x11 = $
#|       |       ^
#| c_too_many_errors.mg:14:7: error: unexpected character '$'
#|    14 | x12 = $
#|       |       ^
#| c_too_many_errors.mg:15:7: error: unexpected character '$'
#|    15 | x13 = $
#|       |       ^
#| c_too_many_errors.mg:16:7: error: unexpected character '$'
#|    16 | x14 = $
#|       |       ^
#| c_too_many_errors.mg:17:7: error: unexpected character '$'
#|    17 | x15 = $
#|       |       ^
#| c_too_many_errors.mg:18:7: error: unexpected character '$'
#|    18 | x16 = $
#|       |       ^
#| c_too_many_errors.mg:19:7: error: unexpected character '$'
#|    19 | x17 = $
#|       |       ^
#| c_too_many_errors.mg:20:7: error: unexpected character '$'
#|    20 | x18 = $
#|       |       ^
#| c_too_many_errors.mg:21:7: error: unexpected character '$'
#|    21 | x19 = $
#|       |       ^
#| mgc: error: too many errors; stopping
