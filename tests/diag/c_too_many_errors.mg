# 60 unknown names: the first 50 are reported, then mgc stops
const vocab = 27
dim T <= 16
input tokens[T + 1] < vocab
param wte[vocab, 16] ~ gauss(0, 0.08)
a0 = nope
a1 = nope
a2 = nope
a3 = nope
a4 = nope
a5 = nope
a6 = nope
a7 = nope
a8 = nope
a9 = nope
a10 = nope
a11 = nope
a12 = nope
a13 = nope
a14 = nope
a15 = nope
a16 = nope
a17 = nope
a18 = nope
a19 = nope
a20 = nope
a21 = nope
a22 = nope
a23 = nope
a24 = nope
a25 = nope
a26 = nope
a27 = nope
a28 = nope
a29 = nope
a30 = nope
a31 = nope
a32 = nope
a33 = nope
a34 = nope
a35 = nope
a36 = nope
a37 = nope
a38 = nope
a39 = nope
a40 = nope
a41 = nope
a42 = nope
a43 = nope
a44 = nope
a45 = nope
a46 = nope
a47 = nope
a48 = nope
a49 = nope
a50 = nope
a51 = nope
a52 = nope
a53 = nope
a54 = nope
a55 = nope
a56 = nope
a57 = nope
a58 = nope
a59 = nope

# ---- expected (mgc c_too_many_errors.mg -o OUT.c): exit 1, and on stderr: ----
#| c_too_many_errors.mg:6:6: error: unknown name 'nope'
#|     6 | a0 = nope
#|       |      ^~~~
#| c_too_many_errors.mg:7:6: error: unknown name 'nope'
#|     7 | a1 = nope
#|       |      ^~~~
#| c_too_many_errors.mg:8:6: error: unknown name 'nope'
#|     8 | a2 = nope
#|       |      ^~~~
#| c_too_many_errors.mg:9:6: error: unknown name 'nope'
#|     9 | a3 = nope
#|       |      ^~~~
#| c_too_many_errors.mg:10:6: error: unknown name 'nope'
#|    10 | a4 = nope
#|       |      ^~~~
#| c_too_many_errors.mg:11:6: error: unknown name 'nope'
#|    11 | a5 = nope
#|       |      ^~~~
#| c_too_many_errors.mg:12:6: error: unknown name 'nope'
#|    12 | a6 = nope
#|       |      ^~~~
#| c_too_many_errors.mg:13:6: error: unknown name 'nope'
#|    13 | a7 = nope
#|       |      ^~~~
#| c_too_many_errors.mg:14:6: error: unknown name 'nope'
#|    14 | a8 = nope
#|       |      ^~~~
#| c_too_many_errors.mg:15:6: error: unknown name 'nope'
#|    15 | a9 = nope
#|       |      ^~~~
#| c_too_many_errors.mg:16:7: error: unknown name 'nope'
#|    16 | a10 = nope
#|       |       ^~~~
#| c_too_many_errors.mg:17:7: error: unknown name 'nope'
#|    17 | a11 = nope
#|       |       ^~~~
#| c_too_many_errors.mg:18:7: error: unknown name 'nope'
#|    18 | a12 = nope
#|       |       ^~~~
#| c_too_many_errors.mg:19:7: error: unknown name 'nope'
#|    19 | a13 = nope
#|       |       ^~~~
#| c_too_many_errors.mg:20:7: error: unknown name 'nope'
#|    20 | a14 = nope
#|       |       ^~~~
#| c_too_many_errors.mg:21:7: error: unknown name 'nope'
#|    21 | a15 = nope
#|       |       ^~~~
#| c_too_many_errors.mg:22:7: error: unknown name 'nope'
#|    22 | a16 = nope
#|       |       ^~~~
#| c_too_many_errors.mg:23:7: error: unknown name 'nope'
#|    23 | a17 = nope
#|       |       ^~~~
#| c_too_many_errors.mg:24:7: error: unknown name 'nope'
#|    24 | a18 = nope
#|       |       ^~~~
#| c_too_many_errors.mg:25:7: error: unknown name 'nope'
#|    25 | a19 = nope
#|       |       ^~~~
#| c_too_many_errors.mg:26:7: error: unknown name 'nope'
#|    26 | a20 = nope
#|       |       ^~~~
#| c_too_many_errors.mg:27:7: error: unknown name 'nope'
#|    27 | a21 = nope
#|       |       ^~~~
#| c_too_many_errors.mg:28:7: error: unknown name 'nope'
#|    28 | a22 = nope
#|       |       ^~~~
#| c_too_many_errors.mg:29:7: error: unknown name 'nope'
#|    29 | a23 = nope
#|       |       ^~~~
#| c_too_many_errors.mg:30:7: error: unknown name 'nope'
#|    30 | a24 = nope
#|       |       ^~~~
#| c_too_many_errors.mg:31:7: error: unknown name 'nope'
#|    31 | a25 = nope
#|       |       ^~~~
#| c_too_many_errors.mg:32:7: error: unknown name 'nope'
#|    32 | a26 = nope
#|       |       ^~~~
#| c_too_many_errors.mg:33:7: error: unknown name 'nope'
#|    33 | a27 = nope
#|       |       ^~~~
#| c_too_many_errors.mg:34:7: error: unknown name 'nope'
#|    34 | a28 = nope
#|       |       ^~~~
#| c_too_many_errors.mg:35:7: error: unknown name 'nope'
#|    35 | a29 = nope
#|       |       ^~~~
#| c_too_many_errors.mg:36:7: error: unknown name 'nope'
#|    36 | a30 = nope
#|       |       ^~~~
#| c_too_many_errors.mg:37:7: error: unknown name 'nope'
#|    37 | a31 = nope
#|       |       ^~~~
#| c_too_many_errors.mg:38:7: error: unknown name 'nope'
#|    38 | a32 = nope
#|       |       ^~~~
#| c_too_many_errors.mg:39:7: error: unknown name 'nope'
#|    39 | a33 = nope
#|       |       ^~~~
#| c_too_many_errors.mg:40:7: error: unknown name 'nope'
#|    40 | a34 = nope
#|       |       ^~~~
#| c_too_many_errors.mg:41:7: error: unknown name 'nope'
#|    41 | a35 = nope
#|       |       ^~~~
#| c_too_many_errors.mg:42:7: error: unknown name 'nope'
#|    42 | a36 = nope
#|       |       ^~~~
#| c_too_many_errors.mg:43:7: error: unknown name 'nope'
#|    43 | a37 = nope
#|       |       ^~~~
#| c_too_many_errors.mg:44:7: error: unknown name 'nope'
#|    44 | a38 = nope
#|       |       ^~~~
#| c_too_many_errors.mg:45:7: error: unknown name 'nope'
#|    45 | a39 = nope
#|       |       ^~~~
#| c_too_many_errors.mg:46:7: error: unknown name 'nope'
#|    46 | a40 = nope
#|       |       ^~~~
#| c_too_many_errors.mg:47:7: error: unknown name 'nope'
#|    47 | a41 = nope
#|       |       ^~~~
#| c_too_many_errors.mg:48:7: error: unknown name 'nope'
#|    48 | a42 = nope
#|       |       ^~~~
#| c_too_many_errors.mg:49:7: error: unknown name 'nope'
#|    49 | a43 = nope
#|       |       ^~~~
#| c_too_many_errors.mg:50:7: error: unknown name 'nope'
#|    50 | a44 = nope
#|       |       ^~~~
#| c_too_many_errors.mg:51:7: error: unknown name 'nope'
#|    51 | a45 = nope
#|       |       ^~~~
#| c_too_many_errors.mg:52:7: error: unknown name 'nope'
#|    52 | a46 = nope
#|       |       ^~~~
#| c_too_many_errors.mg:53:7: error: unknown name 'nope'
#|    53 | a47 = nope
#|       |       ^~~~
#| c_too_many_errors.mg:54:7: error: unknown name 'nope'
#|    54 | a48 = nope
#|       |       ^~~~
#| c_too_many_errors.mg:55:7: error: unknown name 'nope'
#|    55 | a49 = nope
#|       |       ^~~~
#| mgc: error: too many errors; stopping
