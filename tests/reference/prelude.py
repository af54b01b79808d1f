"""The prelude's layernorm, gelu, gelu_tanh, mse, binary_cross_entropy,
binary_cross_entropy_with_logits and logsumexp against PyTorch in float64.
tests/models/prelude_fns.mg uses each one; `mgc run ... grad` gives its loss
and gradients from a checkpoint, and this script computes the same from the
same checkpoint with torch.nn.functional's definitions.  The model's loss is a
sum of terms coef[k] * f_k, so d loss / d coef[k] checks f_k's value and the
other gradients its derivative.  Every number must agree to 1e-12 relative
(a tensor's max |difference| over its max |value|).
usage: python3 prelude.py MGC MODEL.mg   (works in a temporary folder)
Prints 'SKIPPED: ...' (CTest's skip pattern) when torch is not installed."""
import os
import subprocess
import sys
import tempfile

from mgfiles import read_torch

try:
    import torch
    import torch.nn.functional as F
except ImportError:
    print(f"SKIPPED: {sys.executable} cannot import torch (apt-get install python3-torch)")
    sys.exit(0)

TOL = 1e-12


def model_loss(p, tokens):
    T = len(tokens) - 1
    inp, nxt = torch.tensor(tokens[:T]), torch.tensor(tokens[1:])
    x = p['emb'][inp]
    y = torch.sigmoid(p['emb'][nxt])
    n = x.shape[1]
    ln = F.layer_norm(x, (n,), p['g'], p['b'], eps=1e-5)
    ge = F.gelu(ln)
    gt = F.gelu(x, approximate='tanh')
    m = F.mse_loss(ge, y, reduction='none').mean(-1)
    pr = torch.sigmoid(gt + p['b'])
    bce = F.binary_cross_entropy(pr, y, reduction='none').mean(-1)
    bcl = F.binary_cross_entropy_with_logits(x, y, reduction='none').mean(-1)
    lse = torch.logsumexp(x, -1)
    logits = ge @ p['out'].T
    c = p['coef']
    terms = c[0] * m + c[1] * bce + c[2] * bcl + c[3] * lse
    return (F.cross_entropy(logits, nxt) + terms.sum() * 0.1 + c[4] * (ln * ln).mean() + c[5] * gt.mean()
            + c[6] * ge.mean())


def rel(a, b):
    scale = max(a.abs().max().item(), b.abs().max().item())
    return (a - b).abs().max().item() / scale if scale > 0 else 0.0


def check(mgc, model, work, ckpt, doc):
    out = os.path.join(work, 'grad_%s.safetensors' % doc)
    run = subprocess.run([mgc, 'run', model, 'grad', '--load', ckpt, '--doc', doc, '--out', out],
                         capture_output=True, text=True)
    if run.returncode != 0:
        sys.exit('mgc run grad failed: ' + run.stderr)
    params, meta = read_torch(ckpt)
    grads, _ = read_torch(out)
    vocab = meta['vocab']
    bos = len(vocab)
    tokens = [bos] + [vocab.index(ch) for ch in doc] + [bos]
    p = {k: v.clone().requires_grad_(True) for k, v in params.items()}
    loss = model_loss(p, tokens)
    loss.backward()
    mine = float(run.stdout.split()[1])
    worst = abs(mine - loss.item()) / abs(loss.item())
    bad = worst > TOL
    print('%s: loss mgc %.17g torch %.17g (relative %.3g)' % (doc, mine, loss.item(), worst))
    names = ['mse', 'binary_cross_entropy', 'binary_cross_entropy_with_logits', 'logsumexp', 'layernorm',
             'gelu_tanh', 'gelu']
    for k, name in enumerate(names):
        a, b = grads['coef'][k].item(), p['coef'].grad[k].item()
        r = abs(a - b) / max(abs(a), abs(b))
        bad |= r > TOL
        print('%s:   %-34s value term mgc %.17g torch %.17g (relative %.3g)' % (doc, name, a, b, r))
    for name in params:
        r = rel(grads[name], p[name].grad)
        bad |= r > TOL
        worst = max(worst, r)
        print('%s:   d%-5s relative difference %.3g' % (doc, name, r))
    return bad


def main(work):
    mgc, model = sys.argv[1:3]
    ckpt = os.path.join(work, 'prelude_fns.safetensors')
    train = subprocess.run([mgc, 'run', model, 'train', '--steps', '3', '--seed', '7', '--save', ckpt],
                           capture_output=True, text=True)
    if train.returncode != 0:
        sys.exit('mgc run train failed: ' + train.stderr)
    bad = False
    for doc in ['ava', 'al', 'q']:
        bad |= check(mgc, model, work, ckpt, doc)
    if bad:
        sys.exit('FAILED: a number differs from PyTorch by more than %g relative' % TOL)
    print('every value and gradient agrees with PyTorch to %g relative' % TOL)


with tempfile.TemporaryDirectory() as tmp:
    main(tmp)
