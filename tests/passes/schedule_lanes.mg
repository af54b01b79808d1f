# schedule with --fast: the order of a sum may change, so the matrix product
# is tiled four by four with eight lane sums over i (tiles), and softmax's sum
# over nine values is split into four interleaved partial sums (split).
const vocab = 9
dim T <= 8
input tokens[T + 1] < vocab
param emb[vocab, 16] ~ gauss(0, 0.1)
param proj[vocab, 16] ~ gauss(0, 0.1)
optimizer adam(lr = 0.01, steps = 10)
e[t < T, c] = emb[tokens[t], c]
logits = linear(e, proj)
next[t < T] = tokens[t + 1]
loss = cross_entropy(logits, next)
# ---- expected (mgc --dump=schedule --fast schedule_lanes.mg): exit 0, and on stdout: ----
#| schedule schedule_lanes (f64, fast)
#| forward:
#|   schedule_lanes.mg:10:1  e                    loops
#|   prelude.mg:7:5          logits               tiles w=b0 u=o block=4x4 extent=9 lanes=8 over i < 16
#|   prelude.mg:12:5         softmax_m            loops
#|   prelude.mg:13:5         softmax_e            loops
#|   prelude.mg:14:5         softmax_s            loops group=2 split=4 over i < 9
#|   prelude.mg:15:5         pow_2                fused
#|   prelude.mg:15:5         cross_entropy_p      loops
#|   prelude.mg:28:12        cross_entropy_sum    loops
#|   prelude.mg:28:5         loss                 loops
#| backward:
#|   prelude.mg:28:5         d_loss               seed
#|   prelude.mg:28:5         d_cross_entropy_sum  loops
#|   prelude.mg:28:12        d_cross_entropy_p    loops
#|   prelude.mg:15:5         d_dot_softmax_s      loops split=4 over i < 9
#|   prelude.mg:15:5         d_logits             loops
#|   prelude.mg:7:5          d_proj               vector u=i extent=16 rows=4 w=o tile=16 row_tile=16 rest=rows
#|   prelude.mg:7:5          d_e                  vector u=i extent=16 rows=4 w=b0 tile=16 row_tile=16 rest=rows
#|   schedule_lanes.mg:10:1  d_emb                loops
