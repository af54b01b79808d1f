#!/usr/bin/python3
"""bench_torch.py: the Step-2 MLP and microGPT in PyTorch eager, float64: the
PyTorch column of mgc-bench (issues #5, #20).  Takes --model, --steps, --runs,
--threads (torch.set_num_threads, default 1) and --data; prints one line per
run, then the machine-readable line
    per_step_us <minimum over the runs of a run's mean microseconds per step> final_loss <last loss>
(the minimum: on a shared machine other work only ever adds time).  mgc-bench
runs it in several settings (threads, huge pages) and keeps the fastest.

It trains as tests/reference/mlp.py and microgpt.py do: random.seed(42), the
shuffle, then every weight drawn with random.gauss(0, 0.08) in the reference's
state_dict order, one document per step (cropped to 16 positions), the mean
cross-entropy, and SGD (lr 1.0) or Adam (0.01, 0.85, 0.99, 1e-8) with the
learning rate decaying linearly to 0.  PyTorch's kernels sum in their own order
and its Adam rounds differently, so the last loss is close to the reference's,
not equal.  Only the training loop is timed (tokens are made beforehand).
Needs Debian's python3-torch:
    /usr/bin/python3 tests/bench/bench_torch.py --model microgpt --steps 1000
"""
import argparse
import os
import random
import time

import torch

torch.set_default_dtype(torch.float64)

HERE = os.path.dirname(os.path.abspath(__file__))
NAMES = os.path.join(HERE, "..", "..", "..", "shared", "data", "names.txt")
WORDS = os.path.join(HERE, "..", "..", "runtime", "data", "words.txt")
BLOCK, N_EMBD, N_HEAD = 16, 16, 4


def load(path):
    """Documents shuffled as the reference shuffles them; the random state after."""
    with open(path, encoding="utf-8") as f:
        docs = [line.strip() for line in f if line.strip()]
    random.seed(42)
    random.shuffle(docs)
    return docs, sorted(set("".join(docs))), random.getstate()


def matrix(nout, nin):
    """A parameter drawn row by row from Python's generator, as the reference draws it."""
    rows = [[random.gauss(0, 0.08) for _ in range(nin)] for _ in range(nout)]
    return torch.nn.Parameter(torch.tensor(rows))


def rmsnorm(x):
    return x * (x.pow(2).mean(-1, keepdim=True) + 1e-5) ** -0.5


class MLP(torch.nn.Module):
    """models/mlp.mg: embedding, one ReLU layer of 64, no biases."""

    def __init__(self, vocab):
        super().__init__()
        self.wte = matrix(vocab, N_EMBD)
        self.mlp_fc1 = matrix(64, N_EMBD)
        self.mlp_fc2 = matrix(vocab, 64)

    def forward(self, idx):
        return torch.relu(self.wte[idx] @ self.mlp_fc1.T) @ self.mlp_fc2.T


class MicroGPT(torch.nn.Module):
    """models/microgpt.mg: one layer, four causal heads, rmsnorm, residuals."""

    def __init__(self, vocab):
        super().__init__()
        e = N_EMBD
        self.wte, self.wpe, self.lm_head = matrix(vocab, e), matrix(BLOCK, e), matrix(vocab, e)
        self.attn_wq, self.attn_wk = matrix(e, e), matrix(e, e)
        self.attn_wv, self.attn_wo = matrix(e, e), matrix(e, e)
        self.mlp_fc1, self.mlp_fc2 = matrix(4 * e, e), matrix(e, 4 * e)

    def forward(self, idx):
        T, H, D = idx.shape[0], N_HEAD, N_EMBD // N_HEAD
        x = rmsnorm(self.wte[idx] + self.wpe[:T])
        h = rmsnorm(x)
        q = (h @ self.attn_wq.T).view(T, H, D).transpose(0, 1)
        k = (h @ self.attn_wk.T).view(T, H, D).transpose(0, 1)
        v = (h @ self.attn_wv.T).view(T, H, D).transpose(0, 1)
        att = (q @ k.transpose(1, 2)) / D**0.5
        causal = torch.ones(T, T, dtype=torch.bool).tril()
        att = torch.softmax(att.masked_fill(~causal, float("-inf")), dim=-1)
        x = (att @ v).transpose(0, 1).reshape(T, N_EMBD) @ self.attn_wo.T + x
        x = torch.relu(rmsnorm(x) @ self.mlp_fc1.T) @ self.mlp_fc2.T + x
        return x @ self.lm_head.T


def batches(docs, chars, steps):
    stoi = {c: i for i, c in enumerate(chars)}
    bos = len(chars)
    out = []
    for s in range(steps):
        toks = [bos] + [stoi[c] for c in docs[s % len(docs)]] + [bos]
        n = min(BLOCK, len(toks) - 1)
        out.append((torch.tensor(toks[:n]), torch.tensor(toks[1 : n + 1])))
    return out


def run(name, data, state, steps):
    """Seconds for `steps` steps from the reference's initial weights; last loss."""
    docs, chars = data
    random.setstate(state)
    model = (MLP if name == "mlp" else MicroGPT)(len(chars) + 1)
    if name == "mlp":
        base, opt = 1.0, torch.optim.SGD(model.parameters(), lr=1.0)
    else:
        base, opt = 0.01, torch.optim.Adam(model.parameters(), lr=0.01, betas=(0.85, 0.99), eps=1e-8)
    work = batches(docs, chars, steps)
    t0 = time.perf_counter()
    for s, (x, y) in enumerate(work):
        for group in opt.param_groups:
            group["lr"] = base * (1 - s / steps)
        loss = torch.nn.functional.cross_entropy(model(x), y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
    return time.perf_counter() - t0, loss.item()


def main():
    ap = argparse.ArgumentParser(description="PyTorch float64 timing for mgc-bench")
    ap.add_argument("--model", choices=["mlp", "microgpt"], required=True)
    ap.add_argument("--steps", type=int, default=1000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--threads", type=int, default=1, help="torch.set_num_threads (default 1)")
    ap.add_argument("--data", help="documents, one per line (default: names.txt, else the embedded words)")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    docs, chars, state = load(a.data or (NAMES if os.path.exists(NAMES) else WORDS))
    times, last = [], 0.0
    for r in range(a.runs):
        t, last = run(a.model, (docs, chars), state, a.steps)
        times.append(t / a.steps * 1e6)
        print(f"run {r + 1}: {times[-1]:.1f} us per step, last loss {last:.4f}", flush=True)
    print(f"per_step_us {min(times):.3f} final_loss {last:.6f}")


if __name__ == "__main__":
    main()
