"""One runner for every gallery model's PyTorch reference (issue #18).

usage: /usr/bin/python3 gradcheck.py TRAINER MODEL.py

TRAINER is the mgc-built trainer of a model (build/bigram); MODEL.py its
PyTorch definition in float64 (tests/reference/bigram.py).  In a temporary
folder the runner trains TRAINER for a few steps from a fixed seed (so biases
and gains are no longer 0 and 1) and saves the checkpoint, then for documents
of T = 1, 2, a middle length and the block size (cropped) it runs
`TRAINER grad --load CKPT --doc WORD --out G` and MODEL.py's forward and
backward on the same checkpoint and tokens, and compares the loss and every
gradient tensor: relative difference max|a - b| / max(|a|, |b|) over the
tensor, at most 1e-9.  Exits 1 on a mismatch, printing the worst entries.

MODEL.py defines from_checkpoint(tensors, block_size) -> (module, names):
an nn.Module in float64 whose forward(idx, targets) returns (logits, loss) as
nanoGPT's does, and a dict from each checkpoint name to its nn.Parameter.

Without PyTorch it prints "SKIPPED: ..." (CTest reports the test skipped)."""
import importlib.util
import os
import re
import sys
import tempfile

from mgfiles import read_torch, run

TOLERANCE = 1e-9
SEED, STEPS = 7, 5

try:
    import torch
except ImportError:
    print(f"SKIPPED: {sys.executable} cannot import torch (apt-get install python3-torch)")
    sys.exit(0)


def load_model(path):
    spec = importlib.util.spec_from_file_location(os.path.splitext(os.path.basename(path))[0], path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def rel_diff(a, b):
    d = (a - b).abs().max().item() if a.numel() else 0.0
    scale = max(a.abs().max().item(), b.abs().max().item()) if a.numel() else 0.0
    return 0.0 if d == 0 else (float('inf') if d != d else d / scale)


def tokens_of(word, vocab, block_size):
    """BOS, the letters, BOS, cropped to block_size positions, as the trainer does."""
    bos = len(vocab)
    ids = [bos] + [vocab.index(ch) for ch in word] + [bos]
    T = min(len(ids) - 1, block_size)
    return torch.tensor(ids[:T + 1])


def check_doc(trainer, model_py, ckpt, word, vocab, block_size, out):
    printed = run([trainer, 'grad', '--load', ckpt, '--doc', word, '--out', out])
    mgc_loss = float(re.search(r'^loss (\S+)$', printed, re.M).group(1))
    mgc_grads, meta = read_torch(out)
    params, _ = read_torch(ckpt)
    params = {k: v for k, v in params.items() if not k.startswith('optimizer.')}
    module, names = model_py.from_checkpoint(params, block_size)
    assert sorted(names) == sorted(mgc_grads), f"names differ: {sorted(names)} vs {sorted(mgc_grads)}"
    tok = tokens_of(word, vocab, block_size)
    _, loss = module(tok[:-1].unsqueeze(0), tok[1:].unsqueeze(0))
    loss.backward()
    T = len(tok) - 1
    failures, worst = [], rel_diff(loss.detach(), torch.tensor(mgc_loss, dtype=torch.float64))
    if worst > TOLERANCE:
        failures.append(f"loss: mgc {mgc_loss!r}, torch {loss.item()!r}")
    for name, p in names.items():
        g = p.grad if p.grad is not None else torch.zeros_like(p)
        r = rel_diff(g, mgc_grads[name])
        worst = max(worst, r)
        if r > TOLERANCE:
            k = (g - mgc_grads[name]).abs().argmax().item()
            failures.append(f"d{name}: relative difference {r:.3g} (element {k}: mgc "
                            f"{mgc_grads[name].flatten()[k].item()!r}, torch {g.flatten()[k].item()!r})")
    print(f"T={T:3d} doc {word!r:30}: loss {mgc_loss:.17g}, worst relative difference {worst:.3g} over "
          f"the loss and {len(names)} gradients")
    return failures


def main():
    trainer, model_path = sys.argv[1], sys.argv[2]
    torch.set_default_dtype(torch.float64)
    model_py = load_model(model_path)
    helptext = run([trainer, 'help'])
    block_size = int(re.search(r'block size (\d+)', helptext).group(1))
    with tempfile.TemporaryDirectory() as tmp:
        ckpt = os.path.join(tmp, 'ckpt.safetensors')
        run([trainer, 'train', '--steps', str(STEPS), '--seed', str(SEED), '--save', ckpt, '--num', '0'])
        vocab = read_torch(ckpt)[1]['vocab']
        docs = ['', 'a', 'emma', 'abcdefghijklmnopqrstuvwxyz' * (block_size // 26 + 1)]
        failures = []
        for word in docs:
            failures += check_doc(trainer, model_py, ckpt, word, vocab, block_size, os.path.join(tmp, 'g.safetensors'))
    if failures:
        print(f"{model_path}: {len(failures)} mismatches above {TOLERANCE:g}:\n  " + "\n  ".join(failures))
        sys.exit(1)
    print(f"{os.path.basename(model_path)}: loss and every gradient within {TOLERANCE:g} of {trainer}")


if __name__ == '__main__':
    main()
