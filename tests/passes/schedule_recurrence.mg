# schedule: a recurrence's statements run one step at a time, inside one loop
# over t forward and one in reverse, so none of them gets a kernel that would
# reorder its loops or run them on threads: each keeps its loops and says
# which step it runs at (step=t).  The input projection (sum) reads no step
# of h, so it leaves the recurrence and runs over every t at once (blocked, on
# threads), and so do its gradients (d_wx, d_x).
const vocab = 27
dim T <= 64
input tokens[T + 1] < vocab
param wte[vocab, 64] ~ gauss(0, 0.1)
param wx[64, 64] ~ gauss(0, 0.1)
param wh[64, 64] ~ gauss(0, 0.1)
param out[vocab, 64] ~ gauss(0, 0.1)
optimizer sgd(lr = 0.1, steps = 10)
x[t < T, c] = wte[tokens[t], c]
h[t < T, j < 64] = tanh((sum(c) wx[j, c] * x[t, c]) + (sum(k) wh[j, k] * (h[t - 1, k] else 0.0)))
logits[t < T, v < vocab] = sum(j) out[v, j] * h[t, j]
targets[t < T] = tokens[t + 1]
loss = cross_entropy(logits, targets)
# ---- expected (mgc --dump=schedule schedule_recurrence.mg): exit 0, and on stdout: ----
#| schedule schedule_recurrence (f64)
#| forward:
#|   schedule_recurrence.mg:15:1   x                        loops
#|   schedule_recurrence.mg:16:26  sum                      blocked u=j block=4 extent=64 parallel=t
#|   schedule_recurrence.mg:16:1   h_steps                  loops
#|   schedule_recurrence.mg:16:56  sum_2                    loops step=t of recurrence 1
#|   schedule_recurrence.mg:16:1   h_steps                  loops step=t of recurrence 1
#|   schedule_recurrence.mg:16:1   h                        loops
#|   schedule_recurrence.mg:17:1   logits                   columns u=v extent=27 pad=32 w=out rows=4 over t tile=16 row_tile=32 rest=overlap
#|   prelude.mg:12:5               softmax_m                loops
#|   prelude.mg:13:5               softmax_e                loops
#|   prelude.mg:14:5               softmax_s                loops group=2
#|   prelude.mg:15:5               pow_2                    fused
#|   prelude.mg:15:5               cross_entropy_p          loops
#|   prelude.mg:28:12              cross_entropy_sum        loops
#|   prelude.mg:28:5               loss                     loops
#| backward:
#|   prelude.mg:28:5               d_loss                   seed
#|   prelude.mg:28:5               d_cross_entropy_sum      loops
#|   prelude.mg:28:12              d_cross_entropy_p        loops group=2
#|   prelude.mg:28:12              d_reach_cross_entropy_p  fused
#|   prelude.mg:15:5               d_softmax_e              loops
#|   prelude.mg:15:5               pow_4                    loops group=2
#|   prelude.mg:15:5               d_softmax_s              fused
#|   prelude.mg:14:5               d_softmax_e              loops group=2
#|   prelude.mg:13:5               d_logits                 fused
#|   schedule_recurrence.mg:17:1   d_out                    vector u=j extent=64 rows=4 w=v tile=16 row_tile=64 rest=overlap
#|   schedule_recurrence.mg:17:1   d_h                      vector u=j extent=64 rows=4 w=t tile=16 row_tile=64 rest=overlap
#|   schedule_recurrence.mg:16:1   d_h_steps                loops group=2
#|   schedule_recurrence.mg:16:1   d_reach_h_steps          fused
#|   schedule_recurrence.mg:16:1   d_sum                    loops step=t of recurrence 1
#|   schedule_recurrence.mg:16:1   d_sum_2                  loops step=t of recurrence 1
#|   schedule_recurrence.mg:16:1   d_reach_sum              loops step=t of recurrence 1
#|   schedule_recurrence.mg:16:1   d_reach_sum_2            loops step=t of recurrence 1
#|   schedule_recurrence.mg:16:56  d_wh                     loops step=t of recurrence 1
#|   schedule_recurrence.mg:16:56  d_h_steps                loops step=t of recurrence 1
#|   schedule_recurrence.mg:16:56  d_reach_h_steps          loops step=t of recurrence 1
#|   schedule_recurrence.mg:16:26  d_wx                     vector u=c extent=64 rows=4 w=j tile=16 row_tile=64 simd parallel=j
#|   schedule_recurrence.mg:16:26  d_x                      vector u=c extent=64 rows=4 w=t tile=16 row_tile=64 rest=rows simd parallel=t
#|   schedule_recurrence.mg:16:26  d_reach_x                vector u=c extent=64 rows=4 w=t tile=16 row_tile=64 rest=rows simd parallel=t
#|   schedule_recurrence.mg:15:1   d_wte                    loops
