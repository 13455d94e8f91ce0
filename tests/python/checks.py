"""Checks the tests ask Optuna to make, all in one process (torch and optuna take seconds to load).

    python3 checks.py jobs.json      prints one JSON object: {job name: result}

Jobs (a JSON object of name -> job):
  {"kind": "journal", "path": P, "study": NAME?}
      load the journal with Optuna's own JournalStorage; per trial: number, state, value, params,
      FrozenTrial._validate() ("ok" or the error), user attribute keys, intermediate steps; the
      best trial; and whether every stored distribution text is exactly what
      distribution_to_json writes for it.
  {"kind": "rdb", "url": U, "study": NAME}
      the trials of a study in an RDB storage (number, state), and its best trial.
  {"kind": "data", "bundle": DIR, "expected": NPZ}
      import the exported study.py, prepare its splits, and compare them with the app's arrays.
  {"kind": "optim", "bundle": DIR, "w0": [...], "a": [...], "b": [...], "lr": LR, "steps": N}
      the weights after each step of the script's four optimisers on sum((a*w - b)^2).
  {"kind": "init", "bundle": DIR, "fan_in": I, "fan_out": O}
      mean, std and largest |w| of a kernel drawn by each of the script's initialisers.
"""
import importlib.util
import json
import math
import os
import sys
import warnings

import numpy as np
import optuna

warnings.filterwarnings("ignore")
optuna.logging.set_verbosity(optuna.logging.WARNING)


def journal_storage(path):
    try:
        from optuna.storages.journal import JournalFileBackend as backend
    except ImportError:
        from optuna.storages import JournalFileStorage as backend
    return optuna.storages.JournalStorage(backend(path))


def clean(v):
    """JSON-safe: NaN/inf as None."""
    if isinstance(v, float) and not math.isfinite(v):
        return None
    return v


def best_of(study):
    try:
        b = study.best_trial
        return {"number": b.number, "value": b.value, "params": b.params}
    except ValueError:
        return None


def trial_summary(t):
    try:
        t._validate()
        valid = "ok"
    except Exception as e:  # noqa: BLE001 - the message is the result
        valid = f"{type(e).__name__}: {e}"
    return {
        "number": t.number,
        "state": t.state.name,
        "value": clean(t.value) if t.values is not None and len(t.values) == 1 else None,
        "params": t.params,
        "valid": valid,
        "user_attrs": sorted(t.user_attrs.keys()),
        "steps": sorted(t.intermediate_values.keys()),
        "curves_epochs": len(t.user_attrs.get("hpp_curves", {}).get("epoch", [])),
    }


def job_journal(job):
    from optuna.distributions import distribution_to_json, json_to_distribution
    storage = journal_storage(job["path"])
    names = [s.study_name for s in optuna.get_all_study_summaries(storage)]
    study = optuna.load_study(study_name=job.get("study") or names[0], storage=storage)
    texts_equal, n_texts = True, 0
    with open(job["path"], encoding="utf-8") as f:
        for line in f:
            op = json.loads(line)
            dists = list(op.get("distributions", {}).values()) + ([op["distribution"]] if "distribution" in op else [])
            for text in dists:
                n_texts += 1
                texts_equal = texts_equal and distribution_to_json(json_to_distribution(text)) == text
    return {
        "studies": names,
        "direction": study.direction.name,
        "user_attrs": sorted(study.user_attrs.keys()),
        "trials": [trial_summary(t) for t in study.get_trials(deepcopy=False)],
        "best": best_of(study),
        "distribution_texts": n_texts,
        "distribution_texts_equal": texts_equal,
    }


def job_rdb(job):
    study = optuna.load_study(study_name=job["study"], storage=job["url"])
    return {"trials": [{"number": t.number, "state": t.state.name} for t in study.get_trials(deepcopy=False)], "best": best_of(study)}


_scripts = {}


def load_script(bundle):
    """The exported study.py as a module (imported once per folder)."""
    if bundle not in _scripts:
        spec = importlib.util.spec_from_file_location(f"exported_study_{len(_scripts)}", os.path.join(bundle, "study.py"))
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        _scripts[bundle] = mod
    return _scripts[bundle]


def job_optim(job):
    import torch
    mod = load_script(job["bundle"])
    manifest = mod.load_manifest(os.path.join(job["bundle"], "study.json"))
    a = torch.tensor(job["a"], dtype=torch.float32)
    b = torch.tensor(job["b"], dtype=torch.float32)
    out = {}
    for name in ("sgd", "momentum", "adam", "rmsprop"):
        w = torch.tensor(job["w0"], dtype=torch.float32, requires_grad=True)
        opt = mod.make_optimizer({"learningRate": job["lr"], "optimizer": name}, [w], manifest["training"])
        steps = []
        for _ in range(job["steps"]):
            loss = ((a * w - b) ** 2).sum()
            opt.zero_grad()
            loss.backward()
            opt.step()
            steps.append(w.detach().tolist())
        out[name] = steps
    return out


def job_init(job):
    import torch
    mod = load_script(job["bundle"])
    torch.manual_seed(0)
    out = {}
    for kind in ("glorotUniform", "heNormal", "leCunNormal", "randomNormal"):
        w = torch.empty(job["fan_out"], job["fan_in"])
        with torch.no_grad():
            mod.init_kernel(w, kind, 0.05)
        out[kind] = {"mean": float(w.mean()), "std": float(w.std()), "absmax": float(w.abs().max())}
    return out


def job_data(job):
    mod = load_script(job["bundle"])
    manifest = mod.load_manifest(os.path.join(job["bundle"], "study.json"))
    with np.load(os.path.join(job["bundle"], "data.npz")) as arrays:
        splits = mod.prepare_splits(manifest, arrays)
    out = {}
    with np.load(job["expected"]) as expected:
        for i, split in enumerate(splits):
            for k in ("x_train", "y_train", "x_val", "y_val", "x_test", "y_test"):
                want = expected[f"{k}_{i}"] if f"{k}_{i}" in expected.files else None
                got = split[k]
                if want is None or got is None:
                    out[f"{k}_{i}"] = "missing" if (want is None) != (got is None) else "none"
                    continue
                want = want.reshape(got.shape) if want.size == got.size else want
                out[f"{k}_{i}"] = float(np.max(np.abs(got.astype(np.float64) - want.astype(np.float64)))) if got.shape == want.shape else f"shape {got.shape} != {want.shape}"
    return out


JOBS = {"journal": job_journal, "rdb": job_rdb, "data": job_data, "optim": job_optim, "init": job_init}


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        jobs = json.load(f)
    result = {}
    for name, job in jobs.items():
        try:
            result[name] = JOBS[job["kind"]](job)
        except Exception as e:  # noqa: BLE001 - reported to the test
            result[name] = {"error": f"{type(e).__name__}: {e}"}
    print(json.dumps(result))


if __name__ == "__main__":
    main()
