"""The PyTorch reference of the models of examples (issue #19, item 5).

usage: /usr/bin/python3 examples.py TRAINER MODEL.py DATA [CONVERTER]

TRAINER is the mgc-built trainer of a model of examples (build/moons);
MODEL.py its definition in PyTorch, float64 (tests/reference/moons.py); DATA
the CSV of examples, or with CONVERTER (build/mgc-sklearn) the name of the
set it writes (iris, digits, diabetes).  In a temporary folder the runner
saves the trainer's initial weights (`train --steps 0`), trains it STEPS
full-batch steps with a --log, and runs the same steps in PyTorch from the
same weights on the same examples: torch.optim's SGD or Adam at the rate the
log gives for each step (the schedules themselves are held to torch by
optim.py).  Every step's loss must agree to 1e-12 relative, and so must the
weights after the last step.  Exits 1 on a mismatch.

MODEL.py defines OPTIMIZER ('sgd' or 'adam'), optionally STEPS, and
loss(p, d): the mean loss over the examples, from p (each checkpoint name
to its tensor) and d (each input's name to a tensor whose first axis
indexes examples: (N,) for a scalar, (N, size) for a tensor input).

Without PyTorch, or with a CONVERTER but without python3-sklearn's files, it
prints "SKIPPED: ..." (CTest reports the test skipped)."""
import csv
import importlib.util
import os
import re
import sys
import tempfile

from mgfiles import read_torch, run

TOLERANCE = 1e-12
SKLEARN_DIR = '/usr/lib/python3/dist-packages/sklearn/datasets/data'

try:
    import torch
except ImportError:
    print(f"SKIPPED: {sys.executable} cannot import torch (apt-get install python3-torch)")
    sys.exit(0)


def read_examples(path):
    """Each input's column(s) of a CSV, `name[k]` columns gathered into (N, size)."""
    with open(path, newline='') as f:
        rows = list(csv.reader(f))
    head, rows = rows[0], rows[1:]
    groups = {}
    for j, col in enumerate(head):
        m = re.fullmatch(r'(\w+)\[(\d+)\]', col)
        name, k = (m.group(1), int(m.group(2))) if m else (col, None)
        groups.setdefault(name, []).append((k, j))
    d = {}
    for name, cols in groups.items():
        if cols[0][0] is None:
            d[name] = torch.tensor([float(r[cols[0][1]]) for r in rows], dtype=torch.float64)
        else:
            cols.sort()
            d[name] = torch.tensor([[float(r[j]) for _, j in cols] for r in rows], dtype=torch.float64)
    return d


def read_log(path):
    """(loss, lr) of each step of a trainer's --log."""
    with open(path) as f:
        lines = f.read().split('\n')[1:]
    return [(float(l.split(',')[1]), float(l.split(',')[2])) for l in lines if l]


def rel(a, b):
    d = abs(a - b)
    return 0.0 if d == 0 else d / max(abs(a), abs(b))


def main():
    trainer, model_py, data = sys.argv[1:4]
    spec = importlib.util.spec_from_file_location('model', model_py)
    model = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(model)
    steps = getattr(model, 'STEPS', 5)
    name = os.path.basename(trainer)
    with tempfile.TemporaryDirectory() as tmp:
        if len(sys.argv) > 4:
            if not os.path.isdir(SKLEARN_DIR):
                print(f"SKIPPED: {SKLEARN_DIR} not found (apt-get install python3-sklearn)")
                return 0
            run([sys.argv[4], data, '-o', os.path.join(tmp, 'data.csv')])
            data = os.path.join(tmp, 'data.csv')
        d = read_examples(data)
        n = len(next(iter(d.values())))
        p0, p1, log = (os.path.join(tmp, f) for f in ('p0.ckpt', 'p1.ckpt', 'log.csv'))
        run([trainer, 'train', '--steps', '0', '--data', data, '--save', p0])
        run([trainer, 'train', '--steps', str(steps), '--batch', str(n), '--data', data, '--save', p1, '--log', log])
        trained = read_log(log)
        mgc_after = read_torch(p1)[0]
        p = {k: v.requires_grad_() for k, v in read_torch(p0)[0].items() if not k.startswith('optimizer.')}
    params = list(p.values())
    kind, settings = model.OPTIMIZER
    opt = (torch.optim.SGD if kind == 'sgd' else torch.optim.Adam)(params, lr=1.0, **settings)
    worst, bad = 0.0, 0
    for t, (mgc_loss, lr) in enumerate(trained):
        for g in opt.param_groups:
            g['lr'] = lr
        opt.zero_grad()
        loss = model.loss(p, d)
        loss.backward()
        opt.step()
        r = rel(loss.item(), mgc_loss)
        worst = max(worst, r)
        print(f"{name}: step {t + 1}: loss {mgc_loss:.17g} (mgc), {loss.item():.17g} (torch), rel {r:.2e}")
        bad += r > TOLERANCE
    for k, v in p.items():
        a, b = v.detach(), mgc_after[k]
        d_ = (a - b).abs().max().item()
        r = 0.0 if d_ == 0 else d_ / max(a.abs().max().item(), b.abs().max().item())
        worst = max(worst, r)
        if r > TOLERANCE:
            print(f"{name}: {k} after {steps} steps: rel {r:.2e}")
            bad += 1
    print(f"{name}: {steps} steps on {n} examples; worst relative difference {worst:.2e} (tolerance {TOLERANCE:g})")
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
