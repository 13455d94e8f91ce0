#!/usr/bin/python3
"""Native baseline for `npm run bench`: the reference MLP trained by PyTorch on the CPU.

Usage: /usr/bin/python3 bench/native.py <reference.json>
The JSON (written by bench/bench.mjs) holds the app's digits8x8 split (standardised, as the
browser trains on it), the model settings and the run counts. Prints one JSON object to stdout,
or {"skipped": "<why>"} when torch cannot be imported.

What it measures, mirroring the browser bench:
- per-trial throughput: one trial, epochs of shuffled mini-batches (Adam, softmax cross-entropy)
  with a validation pass after each epoch; steady-state epoch time is the median of epochs 2..E,
  samples/s = training rows / that time; the median over `runs` runs;
- the reference sweep as a script would run it: `sweep_trials` trials one after another
  (fresh model and optimizer each, learning rates spread as in the browser sweep), wall time.
"""
import json
import math
import statistics
import sys
import time


def main() -> None:
    try:
        import torch
        from torch import nn
    except Exception as e:  # noqa: BLE001 - any import failure means "no native baseline"
        print(json.dumps({"skipped": f"torch is not importable: {e}"}))
        return

    ref = json.load(open(sys.argv[1]))
    d, n_classes = ref["d"], ref["nClasses"]
    x = torch.tensor(ref["xTrain"], dtype=torch.float32).reshape(-1, d)
    y = torch.tensor(ref["yTrain"], dtype=torch.int64)
    xv = torch.tensor(ref["xVal"], dtype=torch.float32).reshape(-1, d)
    yv = torch.tensor(ref["yVal"], dtype=torch.int64)
    units, batch, lr, epochs, runs = ref["units"], ref["batchSize"], ref["learningRate"], ref["epochs"], ref["runs"]
    n = x.shape[0]
    torch.manual_seed(0)

    def make(lr_: float):
        model = nn.Sequential(nn.Linear(d, units), nn.ReLU(), nn.Linear(units, n_classes))
        for m in model:
            if isinstance(m, nn.Linear):  # Glorot-uniform kernels, zero biases: what tfjs uses
                nn.init.xavier_uniform_(m.weight)
                nn.init.zeros_(m.bias)
        return model, torch.optim.Adam(model.parameters(), lr=lr_, eps=1e-7)

    loss_fn = nn.CrossEntropyLoss()

    def train(model, opt, n_epochs: int) -> list:
        ends = []
        t0 = time.perf_counter()
        for _ in range(n_epochs):
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
                vloss = loss_fn(outv, yv).item()  # one read-back per epoch, as in the browser
                _ = (total / n).item(), correct.item(), (outv.argmax(1) == yv).sum().item()
            ends.append(time.perf_counter() - t0)
            if not math.isfinite(vloss):
                break
        return ends

    train(*make(lr), 1)  # warm-up (allocator, kernels)
    steady, first = [], []
    for _ in range(runs):
        ends = train(*make(lr), epochs)
        per = [b - a for a, b in zip(ends, ends[1:])]
        steady.append(statistics.median(per) if per else ends[0])
        first.append(ends[0])
    steady_ms = statistics.median(steady) * 1000

    sweep_trials, sweep_epochs = ref["sweepTrials"], ref["sweepEpochs"]
    t0 = time.perf_counter()
    for k in range(sweep_trials):
        train(*make(lr * (1 + 0.1 * k)), sweep_epochs)
    sweep_s = time.perf_counter() - t0

    print(json.dumps({
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "nTrain": n,
        "steadyEpochMs": steady_ms,
        "firstEpochMs": statistics.median(first) * 1000,
        "samplesPerSec": n / (steady_ms / 1000),
        "sweep": {"trials": sweep_trials, "epochs": sweep_epochs, "wallMs": sweep_s * 1000,
                  "trialSamplesPerSec": sweep_trials * sweep_epochs * n / sweep_s},
    }))


if __name__ == "__main__":
    main()
