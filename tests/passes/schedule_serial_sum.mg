# schedule: a sum over the rows of a long sequence into one short row stays on
# one thread.  The gradient of the bias b sums d_x over every t (8192 x 64
# iterations, enough for threads) into the 64 elements of d_b: its vector
# kernel has one output loop (c, untiled), so no loop of it may take the
# threads: every iteration of t adds to the same acc_[c] (a race, once).
# The other large statements keep theirs, on output loops.
const vocab = 27
dim T <= 8192
input tokens[T + 1] < vocab
param wte[vocab, 64] ~ gauss(0, 0.1)
param b[64] ~ gauss(0, 0.1)
param out[vocab, 64] ~ gauss(0, 0.1)
optimizer sgd(lr = 0.1, steps = 10)
x[t < T, c] = wte[tokens[t], c] + b[c]
logits = linear(x, out)
targets[t < T] = tokens[t + 1]
loss = cross_entropy(logits, targets)
# ---- expected (mgc --dump=schedule schedule_serial_sum.mg): exit 0, and on stdout: ----
#| schedule schedule_serial_sum (f64)
#| forward:
#|   schedule_serial_sum.mg:14:1  x                        loops
#|   prelude.mg:7:5               logits                   blocked u=o block=4 extent=27 parallel=b0
#|   prelude.mg:12:5              softmax_m                loops
#|   prelude.mg:13:5              softmax_e                loops
#|   prelude.mg:14:5              softmax_s                loops group=2
#|   prelude.mg:15:5              pow_2                    fused
#|   prelude.mg:15:5              cross_entropy_p          loops
#|   prelude.mg:28:12             cross_entropy_sum        loops
#|   prelude.mg:28:5              loss                     loops
#| backward:
#|   prelude.mg:28:5              d_loss                   seed
#|   prelude.mg:28:5              d_cross_entropy_sum      loops
#|   prelude.mg:28:12             d_cross_entropy_p        loops group=2
#|   prelude.mg:28:12             d_reach_cross_entropy_p  fused
#|   prelude.mg:15:5              d_softmax_e              loops
#|   prelude.mg:15:5              pow_4                    loops group=2
#|   prelude.mg:15:5              d_softmax_s              fused
#|   prelude.mg:15:5              d_reach_softmax_e        loops
#|   prelude.mg:15:5              d_reach_softmax_s        loops
#|   prelude.mg:14:5              d_softmax_e              loops group=4
#|   prelude.mg:14:5              d_reach_softmax_e        fused
#|   prelude.mg:13:5              d_logits                 fused
#|   prelude.mg:13:5              d_reach_logits           fused
#|   prelude.mg:7:5               d_out                    vector u=i extent=64 rows=4 w=o tile=16 row_tile=64 rest=rows simd parallel=o
#|   prelude.mg:7:5               d_x                      vector u=i extent=64 rows=4 w=b0 tile=16 row_tile=64 rest=rows simd parallel=b0
#|   prelude.mg:7:5               d_reach_x                vector u=i extent=64 rows=4 w=b0 tile=16 row_tile=64 rest=rows simd parallel=b0
#|   schedule_serial_sum.mg:14:1  d_wte                    loops
#|   schedule_serial_sum.mg:14:1  d_b                      vector u=c extent=64 rows=1 row_tile=64 simd
