"""Checks of an exported study.py's search space and training details, for python-space.test.ts.

    python3 space_checks.py JOBS.json     prints {name: result} as JSON

Every job names an unpacked bundle ("bundle"); the script is imported from it as a module, as a
person's own code would. Jobs:
  {"kind": "trials", "url": sqlite-url, "study": name}
      every trial of the study: number, state, params (Optuna names), its distributions' names,
      and the user attributes hpp_curves.lr and hpp_param_count.
  {"kind": "schedule", "bundle": DIR, "cases": [{spec, epochs}]}
      lr_at(spec, epoch, epochs) for every epoch of every case.
  {"kind": "topk", "bundle": DIR, "split": i, "ks": [k, ...]}
      the training rows of split i after top-k selection, for each k (nested lists).
  {"kind": "optim", "bundle": DIR, "specs": [spec], "w0", "a", "b", "steps"}
      the weights after each step of make_optimizer(spec) on sum((a*w - b)^2).
"""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "python"))
from checks import load_script  # noqa: E402  (the exported study.py as a module, once per folder)


def job_trials(job):
    import optuna
    study = optuna.load_study(study_name=job["study"], storage=job["url"])
    out = []
    for t in study.get_trials(deepcopy=False):
        curves = t.user_attrs.get("hpp_curves") or {}
        out.append({"number": t.number, "state": t.state.name, "params": t.params, "distributions": sorted(t.distributions),
                    "lr": curves.get("lr"), "param_count": t.user_attrs.get("hpp_param_count"),
                    "grid_config": t.system_attrs.get("hpp_grid_config")})
    return out


def job_schedule(job):
    mod = load_script(job["bundle"])
    return [[mod.lr_at(c["spec"], e, c["epochs"]) for e in range(1, c["epochs"] + 1)] for c in job["cases"]]


def job_topk(job):
    import numpy as np
    mod = load_script(job["bundle"])
    manifest = mod.load_manifest(os.path.join(job["bundle"], "study.json"))
    with np.load(os.path.join(job["bundle"], "data.npz")) as arrays:
        split = mod.prepare_splits(manifest, arrays)[job["split"]]
    out = {}
    for k in job["ks"]:
        cols = mod.top_k_columns({"topK": k}, int(manifest["data"]["features"]), split["rank"])
        x = split["x_train"] if cols is None else split["x_train"][:, cols]
        out[str(k)] = {"cols": cols, "x_train": x.astype(float).tolist()}
    return out


def job_optim(job):
    import torch
    mod = load_script(job["bundle"])
    manifest = mod.load_manifest(os.path.join(job["bundle"], "study.json"))
    a = torch.tensor(job["a"], dtype=torch.float32)
    b = torch.tensor(job["b"], dtype=torch.float32)
    out = []
    for spec in job["specs"]:
        w = torch.tensor(job["w0"], dtype=torch.float32, requires_grad=True)
        opt = mod.make_optimizer(spec, [w], manifest["training"])
        steps = []
        for _ in range(job["steps"]):
            loss = ((a * w - b) ** 2).sum()
            opt.zero_grad()
            loss.backward()
            opt.step()
            steps.append(w.detach().tolist())
        out.append(steps)
    return out


JOBS = {"trials": job_trials, "schedule": job_schedule, "topk": job_topk, "optim": job_optim}


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        jobs = json.load(f)
    out = {}
    for name, job in jobs.items():
        try:
            out[name] = JOBS[job["kind"]](job)
        except Exception as e:  # reported per job, so one failure does not hide the others
            out[name] = {"error": f"{type(e).__name__}: {e}"}
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
