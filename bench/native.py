#!/usr/bin/python3
"""Native baseline for `npm run bench`: the bench's MLPs trained by PyTorch on the CPU.

Usage: /usr/bin/python3 bench/native.py <data.json>
The JSON (written by bench/bench.mjs) holds the app's digits8x8 split, standardised as the
browser trains on it: d, nClasses, xTrain, yTrain, xVal, yVal, plus batchSize and learningRate.

The script stays up and answers jobs, so that bench.mjs can interleave native and in-browser
measurements (A B A B) and load from elsewhere on the machine hits both alike. It prints one
JSON line when ready ({"torch", "defaultThreads", "nTrain"}, or {"skipped": why} when torch
cannot be imported, then exits), then reads one JSON job per line on stdin and prints one
JSON line per job, until stdin closes:

- {"kind": "trial", "layers": [128], "runs": 3, "epochs": 6, "threads": 1}
  per-trial throughput: one trial, epochs of shuffled mini-batches (Adam, softmax
  cross-entropy) with a validation pass and one read-back after each epoch; a run's steady
  epoch is the median of its epochs 2..E; answers every run's steady, best and first epoch
  (wall and process CPU ms), the median, samples/s = training rows / median steady epoch, and
  peak samples/s from the fastest epoch (the least disturbed by load from elsewhere).
- {"kind": "sweep", "layers": [128], "trials": 16, "epochs": 10, "threads": null, "l2": 1e-4}
  a sweep as a script would run it: `trials` trials one after another (fresh model and
  optimizer each, learning rates spread as in the browser bench), wall time.
`threads`: torch.set_num_threads for the job; null keeps PyTorch's default (its own choice
for this machine, reported as defaultThreads). The BLAS library has its own threads
(OPENBLAS_NUM_THREADS, read at start-up): bench.mjs starts one process with every thread
count set to 1 for the per-trial jobs and one with the defaults for the sweep; the ready line
reports the BLAS ("blas").
"""
import json
import statistics
import sys
import time


def blas_info(torch) -> dict:
    """The BLAS PyTorch multiplies with: its build's BLAS_INFO, and OpenBLAS' core type and
    thread count when OpenBLAS is loaded (Debian's torch uses the system libblas)."""
    import ctypes
    import re
    cfg = torch.__config__.show()
    out = {"build": (re.search(r"BLAS_INFO=([^,\s]+)", cfg) or [None, None])[1]}
    try:
        libs = sorted({line.split()[-1] for line in open("/proc/self/maps") if "blas" in line and line.split()[-1].startswith("/")})
        for path in libs:
            lib = ctypes.CDLL(path)
            if hasattr(lib, "openblas_get_corename"):
                lib.openblas_get_corename.restype = ctypes.c_char_p
                lib.openblas_get_config.restype = ctypes.c_char_p
                out.update(library=path, openblas=lib.openblas_get_config().decode(), core=lib.openblas_get_corename().decode(),
                           threads=lib.openblas_get_num_threads())
                break
        else:
            out["library"] = libs[0] if libs else None
    except Exception as e:  # noqa: BLE001 - informative only
        out["error"] = str(e)
    return out


def main() -> None:
    try:
        import torch
        from torch import nn
    except Exception as e:  # noqa: BLE001 - any import failure means "no native baseline"
        print(json.dumps({"skipped": f"torch is not importable: {e}"}), flush=True)
        return

    ref = json.load(open(sys.argv[1]))
    d, n_classes = ref["d"], ref["nClasses"]
    x = torch.tensor(ref["xTrain"], dtype=torch.float32).reshape(-1, d)
    y = torch.tensor(ref["yTrain"], dtype=torch.int64)
    xv = torch.tensor(ref["xVal"], dtype=torch.float32).reshape(-1, d)
    yv = torch.tensor(ref["yVal"], dtype=torch.int64)
    batch, lr = ref["batchSize"], ref["learningRate"]
    n = x.shape[0]
    default_threads = torch.get_num_threads()
    torch.manual_seed(0)
    loss_fn = nn.CrossEntropyLoss()

    def make(layers, lr_: float, l2: float = 0.0):
        mods, fan = [], d
        for u in layers:
            mods += [nn.Linear(fan, u), nn.ReLU()]
            fan = u
        mods.append(nn.Linear(fan, n_classes))
        model = nn.Sequential(*mods)
        for m in model:
            if isinstance(m, nn.Linear):  # Glorot-uniform kernels, zero biases: what tfjs uses
                nn.init.xavier_uniform_(m.weight)
                nn.init.zeros_(m.bias)
        # eps as tfjs' Adam; weight_decay is Adam's coupled L2 (the app searches an L2 penalty)
        return model, torch.optim.Adam(model.parameters(), lr=lr_, eps=1e-7, weight_decay=l2)

    def train(model, opt, n_epochs: int):
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
                # one read-back per epoch, as in the browser
                _ = loss_fn(outv, yv).item(), (total / n).item(), correct.item(), (outv.argmax(1) == yv).sum().item()
            ends.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
        return ends, cpu

    def steady(ends):
        per = [b - a for a, b in zip(ends, ends[1:])]
        return statistics.median(per) if per else ends[0]

    warm = set()

    def job(j):
        torch.set_num_threads(j.get("threads") or default_threads)
        layers = j.get("layers", [128])
        key = (j["kind"], tuple(layers))
        if key not in warm:  # warm-up (allocator, kernels) once per kind and shape
            train(*make(layers, lr), 1)
            warm.add(key)
        if j["kind"] == "trial":
            runs = []
            for _ in range(j["runs"]):
                ends, cpu = train(*make(layers, lr), j["epochs"])
                per = [b - a for a, b in zip(ends, ends[1:])] or [ends[0]]
                runs.append({"steadyEpochMs": steady(ends) * 1000, "firstEpochMs": ends[0] * 1000,
                             "bestEpochMs": min(per) * 1000, "steadyEpochCpuMs": steady(cpu) * 1000})
            ms = statistics.median(r["steadyEpochMs"] for r in runs)
            cpu_ms = statistics.median(r["steadyEpochCpuMs"] for r in runs)
            # cpuShare < 1: the process waited for a core (load from elsewhere); > 1: more than one thread ran
            return {"kind": "trial", "layers": layers, "threads": torch.get_num_threads(), "nTrain": n,
                    "runs": runs, "steadyEpochMs": ms, "samplesPerSec": n / (ms / 1000), "cpuShare": cpu_ms / ms,
                    "peakSamplesPerSec": n / (min(r["bestEpochMs"] for r in runs) / 1000)}
        if j["kind"] == "sweep":
            trials, epochs = j["trials"], j["epochs"]
            t0, c0 = time.perf_counter(), time.process_time()
            for k in range(trials):
                train(*make(layers, lr * (1 + 0.1 * k), j.get("l2", 0.0)), epochs)
            wall, cpu = time.perf_counter() - t0, time.process_time() - c0
            return {"kind": "sweep", "layers": layers, "threads": torch.get_num_threads(), "trials": trials,
                    "epochs": epochs, "wallMs": wall * 1000, "cpuMs": cpu * 1000,
                    "trialSamplesPerSec": trials * epochs * n / wall}
        return {"error": f"unknown job kind {j['kind']!r}"}

    print(json.dumps({"torch": torch.__version__, "defaultThreads": default_threads, "blas": blas_info(torch), "nTrain": n}), flush=True)
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            out = job(json.loads(line))
        except Exception as e:  # noqa: BLE001 - report, keep serving
            out = {"error": f"{type(e).__name__}: {e}"}
        print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
