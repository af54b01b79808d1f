"""bench_text_torch.py: models/gpt_text.mg in PyTorch eager float32, for
tests/bench/scale.sh.  The same model: embeddings, rmsnorm without a gain,
causal multi-head attention, a ReLU MLP, residuals, a final rmsnorm and a
separate lm_head; the mean cross-entropy over every position of a batch of
pieces of 64 characters; Adam (lr 0.01, betas 0.85/0.99, eps 1e-8).
Prints the training tokens per second (target positions per second) of
the shortest of --steps steps after two warm-up steps (a per-step minimum:
the machine is shared), on --threads threads."""
import argparse
import time

import torch


def rmsnorm(x):
    return x * (x.pow(2).mean(-1, keepdim=True) + 1e-5).pow(-0.5)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--embd", type=int, default=64)
    ap.add_argument("--layers", type=int, default=2)
    ap.add_argument("--heads", type=int, default=4)
    ap.add_argument("--block", type=int, default=64)
    ap.add_argument("--vocab", type=int, default=28)
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--steps", type=int, default=10)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(42)
    E, L, H, T, V, B = a.embd, a.layers, a.heads, a.block, a.vocab, a.batch
    hd = E // H

    def p(*shape):
        return torch.nn.Parameter(torch.randn(*shape) * 0.02)

    wte, wpe, lm_head = p(V, E), p(T, E), p(V, E)
    layers = [dict(wq=p(E, E), wk=p(E, E), wv=p(E, E), wo=p(E, E), fc1=p(4 * E, E), fc2=p(E, 4 * E))
              for _ in range(L)]
    params = [wte, wpe, lm_head] + [w for l in layers for w in l.values()]
    opt = torch.optim.Adam(params, lr=0.01, betas=(0.85, 0.99), eps=1e-8)
    mask = torch.tril(torch.ones(T, T, dtype=torch.bool))
    tokens = torch.randint(0, V, (B, T + 1))

    def step():
        x = rmsnorm(wte[tokens[:, :T]] + wpe)
        for l in layers:
            h = rmsnorm(x)
            q = (h @ l["wq"].T).view(B, T, H, hd).transpose(1, 2)
            k = (h @ l["wk"].T).view(B, T, H, hd).transpose(1, 2)
            v = (h @ l["wv"].T).view(B, T, H, hd).transpose(1, 2)
            att = (q @ k.transpose(-1, -2)) / hd ** 0.5
            att = att.masked_fill(~mask, float("-inf")).softmax(-1)
            x = ((att @ v).transpose(1, 2).reshape(B, T, E)) @ l["wo"].T + x
            x = torch.relu(rmsnorm(x) @ l["fc1"].T) @ l["fc2"].T + x
        logits = rmsnorm(x) @ lm_head.T
        loss = torch.nn.functional.cross_entropy(logits.reshape(B * T, V), tokens[:, 1:].reshape(B * T))
        opt.zero_grad()
        loss.backward()
        opt.step()

    for _ in range(2):
        step()
    best = None
    for _ in range(a.steps):
        t0 = time.perf_counter()
        step()
        dt = time.perf_counter() - t0
        best = dt if best is None else min(best, dt)
    print(f"{B * T / best:.0f}")


if __name__ == "__main__":
    main()
