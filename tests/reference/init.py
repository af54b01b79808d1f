"""Parameter initialisers against CPython's random module (issue #19, item 4).
A model declares uniform(a, b) and gauss(...) parameters whose arguments are
constant expressions; `mgc run MODEL train --steps 0 --save CKPT` draws them
with seed 42, and this script draws the same numbers with random.seed(42),
random.uniform and random.gauss, in declaration order, row by row, and with
the arguments computed here in Python.  Every element must be the same double.
usage: python3 init.py MGC   (works in a temporary folder)"""
import os
import random
import subprocess
import sys
import tempfile

from mgfiles import read_safetensors

MODEL = """\
const vocab = 27
const n_in = 16
const k = 1 / n_in ^ 0.5
dim T <= 8
input tokens[T + 1] < vocab
param wte[vocab, n_in] ~ gauss(0, 1 / n_in ^ 0.5)
param u[4, 5] ~ uniform(-k, k)
param v[3] ~ uniform(-1, 1)
param g[2, 3] ~ gauss(0.5, 2 * k)
param z[3] ~ uniform(2, 2 + 3 * k)
x[t < T, c] = wte[tokens[t], c]
logits[t < T, o < vocab] = sum(c) x[t, c] * wte[o, c] + u[0, 0] + v[0] + g[0, 0] + z[0]
targets[t < T] = tokens[t + 1]
loss = cross_entropy(logits, targets)
"""


def expected():
    """The draws, as the model's declarations say, with Python's arithmetic."""
    n_in = 16
    k = 1 / n_in ** 0.5
    random.seed(42)
    want = {}
    want['wte'] = [random.gauss(0, 1 / n_in ** 0.5) for _ in range(27 * 16)]
    want['u'] = [random.uniform(-k, k) for _ in range(20)]
    want['v'] = [random.uniform(-1, 1) for _ in range(3)]
    want['g'] = [random.gauss(0.5, 2 * k) for _ in range(6)]
    want['z'] = [random.uniform(2, 2 + 3 * k) for _ in range(3)]
    return want


def main():
    mgc = sys.argv[1]
    with tempfile.TemporaryDirectory() as work:
        model = os.path.join(work, 'init.mg')
        ckpt = os.path.join(work, 'init.safetensors')
        data = os.path.join(work, 'one.txt')
        with open(model, 'w') as f:
            f.write(MODEL)
        with open(data, 'w') as f:      # one document: shuffling it draws nothing
            f.write('abcdefghijklmnopqrstuvwxyz\n')
        run = subprocess.run([mgc, 'run', model, 'train', '--data', data, '--steps', '0', '--num', '0',
                              '--save', ckpt],
                             capture_output=True, text=True)
        if run.returncode != 0:
            sys.exit('mgc run train failed: ' + run.stderr)
        got = {k: flat for k, (_, flat) in read_safetensors(ckpt)[0].items()}
    bad = 0
    for name, want in expected().items():
        have = list(got[name])
        same = sum(1 for a, b in zip(have, want) if a == b)
        print('%-4s %3d elements, %3d the same double as CPython; first mgc %.17g python %.17g'
              % (name, len(want), same, have[0], want[0]))
        if len(have) != len(want) or same != len(want):
            bad += 1
    if bad:
        sys.exit('%d parameters differ from CPython random' % bad)
    print('all parameters are the draws of CPython random.seed(42)')


if __name__ == '__main__':
    main()
