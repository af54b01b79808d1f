"""Time per training step of a trainer, robust to a busy machine.

usage: python3 tests/bench/step_time.py [--runs R] TRAINER [TRAIN OPTIONS...]
e.g.   python3 tests/bench/step_time.py --runs 5 build/gpt2 --data ../shared/data/names.txt

Runs `TRAINER train --num 0 --log LOG OPTIONS` R times (each run computes the
same steps: same seed, same documents), takes each step's duration from the
log's elapsed column, keeps for every step its minimum over the runs (a step
slowed by another process in one run is fast in another), and prints the mean
of those minima: the time per step, data loading and sampling excluded.  It
also prints the last step's loss and the mean loss of the last 100 steps."""
import csv
import os
import subprocess
import sys
import tempfile


def main():
    args = sys.argv[1:]
    runs = 5
    if args[:1] == ['--runs']:
        runs, args = int(args[1]), args[2:]
    trainer, options = args[0], args[1:]
    best, losses = None, None
    with tempfile.TemporaryDirectory() as tmp:
        log = os.path.join(tmp, 'log.csv')
        for _ in range(runs):
            subprocess.run([trainer, 'train', '--num', '0', '--progress', 'plain', '--log', log] + options,
                           check=True, stdout=subprocess.DEVNULL)
            with open(log) as f:
                rows = list(csv.DictReader(f))
            elapsed = [0.0] + [float(r['elapsed']) for r in rows]
            steps = [b - a for a, b in zip(elapsed, elapsed[1:])]
            best = steps if best is None else [min(a, b) for a, b in zip(best, steps)]
            losses = [float(r['loss']) for r in rows]
            os.remove(log)
    per_step = sum(best) / len(best)
    tail = losses[-100:]
    print(f"{os.path.basename(trainer)}: {len(best)} steps, {per_step * 1e6:.1f} us per step (mean over steps "
          f"of each step's minimum over {runs} runs); last loss {losses[-1]:.4f}, "
          f"mean of the last {len(tail)} {sum(tail) / len(tail):.4f}")


if __name__ == '__main__':
    main()
