"""mgc's optimizers, schedules and gradient clipping against torch.optim.
For each optimizer x schedule x clipping combination, the same initial
parameters and the same gradients go to torch (torch.optim.SGD / Adam / AdamW,
torch.optim.lr_scheduler, torch.nn.utils.clip_grad_norm_) and to the runtime's
mg_optim_step (tests/runtime/optim_driver.c).  After every step the learning
rate and every parameter must agree to 1e-12 relative (max |difference| over
max |value|), in float64.
usage: python3 optim.py OPTIM_DRIVER
Prints 'SKIPPED: ...' (CTest's skip pattern) when torch is not installed."""
import subprocess
import sys
import warnings

try:
    import torch
except ImportError:
    print(f"SKIPPED: {sys.executable} cannot import torch (apt-get install python3-torch)")
    sys.exit(0)

# SequentialLR steps its second scheduler with an epoch, which torch warns of
warnings.filterwarnings('ignore', category=UserWarning, module='torch')

TOL = 1e-12
N, K, STEPS = 23, 12, 12          # parameters, steps run, the schedule's length
SGD, ADAM, ADAMW = 0, 1, 2
CONSTANT, LINEAR, COSINE, STEP = 0, 1, 2, 3

# name, kind, lr, extra settings: (momentum, nesterov, weight_decay)
OPTIMIZERS = [
    ('sgd', SGD, 0.1, 0.0, 0, 0.0),
    ('sgd momentum', SGD, 0.1, 0.9, 0, 0.0),
    ('sgd nesterov', SGD, 0.1, 0.8, 1, 0.0),
    ('sgd momentum l2', SGD, 0.1, 0.9, 0, 0.05),
    ('adam', ADAM, 0.01, 0.0, 0, 0.0),
    ('adam l2', ADAM, 0.01, 0.0, 0, 0.1),
    ('adamw', ADAMW, 0.01, 0.0, 0, 0.1),
]
# name, schedule, warmup, step_size, gamma, min_lr
SCHEDULES = [
    ('constant', CONSTANT, 0, 0, 0.1, 0.0),
    ('linear', LINEAR, 0, 0, 0.1, 0.0),
    ('linear to min', LINEAR, 0, 0, 0.1, 0.002),
    ('cosine', COSINE, 0, 0, 0.1, 0.0),
    ('cosine to min', COSINE, 0, 0, 0.1, 0.001),
    ('step', STEP, 0, 4, 0.5, 0.0),
    ('warmup constant', CONSTANT, 3, 0, 0.1, 0.0),
    ('warmup linear', LINEAR, 3, 0, 0.1, 0.0),
    ('warmup cosine', COSINE, 4, 0, 0.1, 0.0),
    ('warmup step', STEP, 2, 3, 0.3, 0.0),
]
CLIPS = [0.0, 0.5, 100.0]          # never, usually, never reached


def main_scheduler(opt, sched, lr, span, step_size, gamma, min_lr):
    S = torch.optim.lr_scheduler
    if sched == CONSTANT:
        return S.LambdaLR(opt, lambda t: 1.0)
    if sched == LINEAR:
        return S.LinearLR(opt, start_factor=1.0, end_factor=min_lr / lr, total_iters=span)
    if sched == COSINE:
        return S.CosineAnnealingLR(opt, T_max=span, eta_min=min_lr)
    return S.StepLR(opt, step_size=step_size, gamma=gamma)


def scheduler(opt, sched, warmup, lr, step_size, gamma, min_lr):
    main = lambda: main_scheduler(opt, sched, lr, STEPS - warmup, step_size, gamma, min_lr)
    if not warmup:
        return main()
    # warm-up: lr * (t + 1) / W for t < W, LinearLR from 1/W to 1 over W - 1 steps
    S = torch.optim.lr_scheduler
    first = S.LinearLR(opt, start_factor=1.0 / warmup, end_factor=1.0, total_iters=warmup - 1)
    return S.SequentialLR(opt, [first, main()], milestones=[warmup])


def run_torch(p0, grads, kind, lr, mom, nest, wd, sched, warmup, step_size, gamma, min_lr, clip):
    p = torch.tensor(p0, dtype=torch.float64, requires_grad=True)
    if kind == SGD:
        opt = torch.optim.SGD([p], lr=lr, momentum=mom, nesterov=bool(nest), weight_decay=wd, foreach=False)
    elif kind == ADAM:
        opt = torch.optim.Adam([p], lr=lr, betas=(0.85, 0.99), eps=1e-8, weight_decay=wd, foreach=False)
    else:
        opt = torch.optim.AdamW([p], lr=lr, betas=(0.85, 0.99), eps=1e-8, weight_decay=wd, foreach=False)
    sch = scheduler(opt, sched, warmup, lr, step_size, gamma, min_lr)
    rows = []
    for g in grads:
        p.grad = torch.tensor(g, dtype=torch.float64)
        if clip > 0:
            torch.nn.utils.clip_grad_norm_([p], clip)
        lr_t = opt.param_groups[0]['lr']
        opt.step()
        sch.step()
        rows.append((lr_t, p.detach().tolist()))
    return rows


def run_mgc(driver, p0, grads, kind, lr, mom, nest, wd, sched, warmup, step_size, gamma, min_lr, clip):
    lines = ['%d %r 0.85 0.99 1e-08 %d %d %d %d %r %r %r %d %r %r'
             % (kind, lr, STEPS, sched, warmup, step_size, gamma, min_lr, mom, nest, wd, clip),
             '%d %d' % (len(p0), len(grads)), ' '.join(repr(x) for x in p0)]
    lines += [' '.join(repr(x) for x in g) for g in grads]
    out = subprocess.run([driver], input='\n'.join(lines) + '\n', capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit('optim_driver failed: ' + out.stderr)
    rows = []
    for line in out.stdout.split('\n'):
        if line:
            v = [float(x) for x in line.split()]
            rows.append((v[0], v[1:]))
    return rows


def relative(a, b):
    scale = max(max(abs(x) for x in b), 1e-300)
    return max(abs(x - y) for x, y in zip(a, b)) / scale


def main():
    driver = sys.argv[1]
    gen = torch.Generator().manual_seed(19)
    p0 = torch.randn(N, generator=gen, dtype=torch.float64).tolist()
    grads = [(torch.randn(N, generator=gen, dtype=torch.float64) * (0.3 + k * 0.1)).tolist() for k in range(K)]
    failed, worst, runs = 0, 0.0, 0
    for oname, kind, lr, mom, nest, wd in OPTIMIZERS:
        for sname, sched, warmup, step_size, gamma, min_lr in SCHEDULES:
            for clip in CLIPS:
                args = (p0, grads, kind, lr, mom, nest, wd, sched, warmup, step_size, gamma, min_lr, clip)
                want = run_torch(*args)
                got = run_mgc(driver, *args)
                runs += 1
                err = 0.0
                for s, ((lt, pt), (lm, pm)) in enumerate(zip(want, got)):
                    err = max(err, abs(lt - lm) / max(abs(lt), 1e-300), relative(pm, pt))
                worst = max(worst, err)
                if len(got) != len(want) or not err <= TOL:
                    failed += 1
                    print('FAIL %s, %s, clip %g: relative difference %.3g' % (oname, sname, clip, err))
    print('%d runs of %d steps, %d parameters: worst relative difference %.3g (tolerance %g)'
          % (runs, K, N, worst, TOL))
    if failed:
        sys.exit('%d of %d optimizer runs differ from torch.optim' % (failed, runs))


if __name__ == '__main__':
    main()
