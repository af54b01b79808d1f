# schedule: the kernel each statement runs as, in double precision.  The first
# product (T * 64 * 64 = 2^18 iterations) runs its rows on OpenMP threads, four
# outputs side by side (blocked); the second, on a transposed copy of its weight,
# every output side by side, four rows at once (columns).  The weight and input
# gradients sum whole rows of i, four rows of o together (vector); elementwise
# statements keep their loops, some fused; the loss gradient's seed has no loop.
const vocab = 27
dim T <= 64
input tokens[T + 1] < vocab
param wte[vocab, 64] ~ gauss(0, 0.1)
param w[64, 64] ~ gauss(0, 0.1)
param out[vocab, 64] ~ gauss(0, 0.1)
optimizer sgd(lr = 0.1, steps = 10)
x[t < T, c] = wte[tokens[t], c]
h = tanh(linear(x, w))
logits = linear(h, out)
targets[t < T] = tokens[t + 1]
loss = cross_entropy(logits, targets)
# ---- expected (mgc --dump=schedule schedule_kernels.mg): exit 0, and on stdout: ----
#| schedule schedule_kernels (f64)
#| forward:
#|   schedule_kernels.mg:14:1  x                        loops
#|   prelude.mg:7:5            linear_y                 blocked u=o block=4 extent=64 parallel=b0
#|   schedule_kernels.mg:15:1  h                        loops
#|   prelude.mg:7:5            logits                   columns u=o extent=27 pad=32 w=out rows=4 over b0 tile=16 row_tile=32 rest=overlap
#|   prelude.mg:12:5           softmax_m                loops
#|   prelude.mg:13:5           softmax_e                loops
#|   prelude.mg:14:5           softmax_s                loops group=2
#|   prelude.mg:15:5           pow_2                    fused
#|   prelude.mg:15:5           cross_entropy_p          loops
#|   prelude.mg:28:12          cross_entropy_sum        loops
#|   prelude.mg:28:5           loss                     loops
#| backward:
#|   prelude.mg:28:5           d_loss                   seed
#|   prelude.mg:28:5           d_cross_entropy_sum      loops
#|   prelude.mg:28:12          d_cross_entropy_p        loops group=2
#|   prelude.mg:28:12          d_reach_cross_entropy_p  fused
#|   prelude.mg:15:5           d_softmax_e              loops
#|   prelude.mg:15:5           pow_4                    loops group=2
#|   prelude.mg:15:5           d_softmax_s              fused
#|   prelude.mg:14:5           d_softmax_e              loops group=2
#|   prelude.mg:13:5           d_logits                 fused
#|   prelude.mg:7:5            d_out                    vector u=i extent=64 rows=4 w=o tile=16 row_tile=64 rest=overlap
#|   prelude.mg:7:5            d_h                      vector u=i extent=64 rows=4 w=b0 tile=16 row_tile=64 rest=overlap
#|   schedule_kernels.mg:15:1  d_linear_y               loops
#|   prelude.mg:7:5            d_w                      vector u=i extent=64 rows=4 w=o tile=16 row_tile=64 simd parallel=o
#|   prelude.mg:7:5            d_x                      vector u=i extent=64 rows=4 w=b0 tile=16 row_tile=64 rest=rows simd parallel=b0
#|   schedule_kernels.mg:14:1  d_wte                    loops
