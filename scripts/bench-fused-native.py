#!/usr/bin/python3
"""Native baseline for scripts/bench-fused.ts: bench/native.py's per-trial measurement for any
stack of ReLU hidden layers (bench/native.py fixes one).

Usage: /usr/bin/python3 scripts/bench-fused-native.py <spec.json>
The JSON holds the data as bench/native.py reads it (d, nClasses, xTrain, yTrain, xVal, yVal),
plus layers (hidden units, e.g. [256, 256, 256]), batchSize, learningRate, epochs, runs.
Prints {"steadyEpochMs", "samplesPerSec", and the same from CPU time: "steadyEpochCpuMs",
"cpuSamplesPerSec"} or {"skipped": why}. Same protocol as
bench/native.py: one thread, Adam (eps 1e-7), softmax cross-entropy, a validation pass with one
read-back per epoch; steady epoch = median of epochs 2..E; median over runs.
"""
import json
import statistics
import sys
import time


def main() -> None:
    try:
        import torch
        from torch import nn
    except Exception as e:  # noqa: BLE001
        print(json.dumps({"skipped": f"torch is not importable: {e}"}))
        return
    torch.set_num_threads(1)
    ref = json.load(open(sys.argv[1]))
    d, n_classes = ref["d"], ref["nClasses"]
    x = torch.tensor(ref["xTrain"], dtype=torch.float32).reshape(-1, d)
    y = torch.tensor(ref["yTrain"], dtype=torch.int64)
    xv = torch.tensor(ref["xVal"], dtype=torch.float32).reshape(-1, d)
    yv = torch.tensor(ref["yVal"], dtype=torch.int64)
    layers, batch, lr, epochs, runs = ref["layers"], ref["batchSize"], ref["learningRate"], ref["epochs"], ref["runs"]
    n = x.shape[0]
    torch.manual_seed(0)

    def make():
        mods, fan = [], d
        for u in layers:
            mods += [nn.Linear(fan, u), nn.ReLU()]
            fan = u
        mods.append(nn.Linear(fan, n_classes))
        model = nn.Sequential(*mods)
        for m in model:
            if isinstance(m, nn.Linear):
                nn.init.xavier_uniform_(m.weight)
                nn.init.zeros_(m.bias)
        return model, torch.optim.Adam(model.parameters(), lr=lr, eps=1e-7)

    loss_fn = nn.CrossEntropyLoss()

    def train(model, opt, n_epochs):
        ends, cpu = [], []
        t0, c0 = time.perf_counter(), time.process_time()
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
                _ = loss_fn(outv, yv).item(), (total / n).item(), correct.item(), (outv.argmax(1) == yv).sum().item()
            ends.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
        return ends, cpu

    train(*make(), 1)
    steady, steady_cpu = [], []
    for _ in range(runs):
        ends, cpu = train(*make(), epochs)
        steady.append(statistics.median([b - a for a, b in zip(ends, ends[1:])]))
        steady_cpu.append(statistics.median([b - a for a, b in zip(cpu, cpu[1:])]))
    ms = statistics.median(steady) * 1000
    cpu_ms = statistics.median(steady_cpu) * 1000
    print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads(), "layers": layers,
                      "steadyEpochMs": ms, "samplesPerSec": n / (ms / 1000),
                      "steadyEpochCpuMs": cpu_ms, "cpuSamplesPerSec": n / (cpu_ms / 1000)}))


if __name__ == "__main__":
    main()
