#!/usr/bin/python3
"""Native baseline of the CNN bench (issue 12): the reference CNN trained by PyTorch on one thread.

Usage: /usr/bin/python3 bench/cnn_torch.py [--runs 2] [--epochs 3] [--threads 1] [--datasets DIR]
Prints one JSON line on stdout: {"torch", "threads", "nTrain", "nVal", "params", "runs": [...],
"steadyEpochMs", "samplesPerSec", "peakSamplesPerSec", "cpuShare", "valAcc"}, or {"skipped": why}
when torch cannot be imported.

The reference CNN, as bench/cnn.mjs trains it in the page: conv 8 × 3×3 'same' + ReLU + 2×2 max
pool, dense 32 ReLU, output 10 (80 + 50,208 + 330 = 50,618 parameters), Adam (lr 1e-3, eps 1e-7
as tfjs), batch 32, softmax cross-entropy. The data: datasets/mnist_2500 as the page splits it,
1,600 training and 400 validation images of its 2,000 training rows (stratified, seeded; the
page's own rows differ, not their number), standardised with one mean and sd over all training
pixels. Each epoch: shuffled mini-batches, then a validation pass and one read-back, as the page's
trainer does. Idiomatic PyTorch (NCHW, its own conv and pooling): what a script would run. A run's
steady epoch is the median of its epochs 2..E (the first includes allocation and kernel set-up);
samples/s = training rows / median steady epoch; cpuShare < 1 means the process waited for a core
(load from elsewhere on the machine).
"""
import argparse
import json
import os
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def load_mnist(folder: str):
    """x uint8 [n, 28, 28, 1] and y of datasets/mnist_2500 (the app's .json header + .bin), and its train rows range."""
    import numpy as np
    with open(os.path.join(folder, "mnist_2500.json"), encoding="utf-8") as f:
        h = json.load(f)
    raw = np.fromfile(os.path.join(folder, "mnist_2500.bin"), dtype=np.uint8)
    x = raw[h["x"]["byteOffset"]:h["x"]["byteOffset"] + h["x"]["byteLength"]].reshape(h["x"]["shape"])
    y = raw[h["y"]["byteOffset"]:h["y"]["byteOffset"] + h["y"]["byteLength"]].astype(np.int64)
    return x, y, h["splits"]["train"]


def split(y, rows: range, val_fraction: float, seed: int):
    """A stratified train/validation split of `rows` (per class, val_fraction rounded), seeded."""
    import numpy as np
    rng = np.random.default_rng(seed)
    train, val = [], []
    for c in sorted(set(y[rows.start:rows.stop].tolist())):
        idx = np.array([i for i in rows if y[i] == c])
        rng.shuffle(idx)
        k = int(round(len(idx) * val_fraction))
        val += idx[:k].tolist()
        train += idx[k:].tolist()
    return np.array(train), np.array(val)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--runs", type=int, default=2)
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--datasets", default=os.path.join(HERE, "..", "datasets"))
    p.add_argument("--seed", type=int, default=3)
    args = p.parse_args()
    try:
        import numpy as np
        import torch
        from torch import nn
    except Exception as e:  # noqa: BLE001 - any import failure means "no native baseline"
        print(json.dumps({"skipped": f"torch is not importable: {e}"}), flush=True)
        return
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    x8, y8, (lo, hi) = load_mnist(args.datasets)
    tr, va = split(y8, range(lo, hi), 0.2, args.seed)
    xs = x8.reshape(len(x8), -1).astype(np.float64)
    mean = xs[tr].mean()
    std = xs[tr].std()
    to_x = lambda rows: torch.tensor(((xs[rows] - mean) / std).astype(np.float32)).reshape(-1, 1, 28, 28)  # noqa: E731
    x, xv = to_x(tr), to_x(va)
    y, yv = torch.tensor(y8[tr]), torch.tensor(y8[va])
    n, batch = len(tr), 32
    loss_fn = nn.CrossEntropyLoss()

    def make():
        model = nn.Sequential(
            nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
            nn.Linear(8 * 14 * 14, 32), nn.ReLU(), nn.Linear(32, 10),
        )
        return model, torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)

    def train(model, opt, epochs: int):
        ends, cpu, acc = [], [], None
        t0, c0 = time.perf_counter(), time.process_time()
        for _ in range(epochs):
            model.train()
            perm = torch.randperm(n)
            total = torch.zeros(())
            correct = torch.zeros((), dtype=torch.int64)
            for s in range(0, n, batch):
                idx = perm[s:s + batch]
                out = model(x[idx])
                loss = loss_fn(out, y[idx])
                opt.zero_grad(set_to_none=True)
                loss.backward()
                opt.step()
                total += loss.detach() * idx.shape[0]
                correct += (out.argmax(1) == y[idx]).sum()
            model.eval()
            with torch.no_grad():
                outv = model(xv)
                # one read-back per epoch, as in the page
                _, _, _, hits = loss_fn(outv, yv).item(), (total / n).item(), correct.item(), (outv.argmax(1) == yv).sum().item()
            acc = hits / len(yv)
            ends.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
        return ends, cpu, acc

    def steady(ends):
        per = [b - a for a, b in zip(ends, ends[1:])]
        return statistics.median(per) if per else ends[0]

    runs = []
    for _ in range(args.runs):
        ends, cpu, acc = train(*make(), args.epochs)
        per = [b - a for a, b in zip(ends, ends[1:])] or [ends[0]]
        runs.append({"steadyEpochMs": steady(ends) * 1000, "firstEpochMs": ends[0] * 1000, "bestEpochMs": min(per) * 1000,
                     "steadyEpochCpuMs": steady(cpu) * 1000, "valAcc": acc})
    ms = statistics.median(r["steadyEpochMs"] for r in runs)
    print(json.dumps({
        "torch": torch.__version__, "threads": torch.get_num_threads(), "nTrain": n, "nVal": len(va),
        "params": sum(q.numel() for q in make()[0].parameters()), "epochs": args.epochs, "runs": runs,
        "steadyEpochMs": ms, "samplesPerSec": n / (ms / 1000),
        "peakSamplesPerSec": n / (min(r["bestEpochMs"] for r in runs) / 1000),
        "cpuShare": statistics.median(r["steadyEpochCpuMs"] for r in runs) / ms,
        "valAcc": statistics.median(r["valAcc"] for r in runs),
    }), flush=True)


if __name__ == "__main__":
    sys.exit(main())
