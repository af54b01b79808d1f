# schedule with --dtype=f32 --blas: every matrix product, forward and backward,
# is one call of mg_sgemm (gemm) with its shape, transposes and strides.
const vocab = 5
dim T <= 4
input tokens[T + 1] < vocab
param table[vocab, 8] ~ gauss(0, 0.1)
param head[vocab, 8] ~ gauss(0, 0.1)
optimizer sgd(lr = 0.5, steps = 10)
z[t < T, c] = table[tokens[t], c]
logits = linear(z, head)
targets[t < T] = tokens[t + 1]
loss = cross_entropy(logits, targets)
# ---- expected (mgc --dump=schedule --dtype=f32 --blas schedule_gemm.mg): exit 0, and on stdout: ----
#| schedule schedule_gemm (f32, blas)
#| forward:
#|   schedule_gemm.mg:9:1  z                    loops
#|   prelude.mg:7:5        logits               gemm ta=0 tb=1 M=T N=5 K=8 A=z lda=8 B=head ldb=8 ldc=5 beta=0
#|   prelude.mg:12:5       softmax_m            loops
#|   prelude.mg:13:5       softmax_e            loops
#|   prelude.mg:14:5       softmax_s            loops group=2
#|   prelude.mg:15:5       pow_2                fused
#|   prelude.mg:15:5       cross_entropy_p      loops
#|   prelude.mg:28:12      cross_entropy_sum    loops
#|   prelude.mg:28:5       loss                 loops
#| backward:
#|   prelude.mg:28:5       d_loss               seed
#|   prelude.mg:28:5       d_cross_entropy_sum  loops
#|   prelude.mg:28:12      d_cross_entropy_p    loops
#|   prelude.mg:15:5       d_dot_softmax_s      loops
#|   prelude.mg:15:5       d_logits             loops
#|   prelude.mg:7:5        d_head               gemm ta=1 tb=0 M=5 N=8 K=T A=d_logits lda=5 B=z ldb=8 ldc=8 beta=0
#|   prelude.mg:7:5        d_z                  gemm ta=0 tb=0 M=T N=8 K=5 A=d_logits lda=5 B=head ldb=8 ldc=8 beta=0
#|   schedule_gemm.mg:9:1  d_table              loops
