"""Checks of an exported study.py's CNNs and image augmentation, for python-cnn.test.ts.

Usage: /usr/bin/python3 cnn_checks.py jobs.json  ->  one JSON object {job name: result} on stdout.
Each job is {"kind": ..., "bundle": DIR (the unpacked export, whose study.py is checked), ...}:
  {"kind": "trials", "url": RDB_URL, "study": NAME}
      every trial: number, state, params, distributions, param_count, final valAcc and epochs.
  {"kind": "forward", "bundle", "cases": [{"spec", "d", "n_out", "image", "weights": [{"data", "shape"}], "x", "n"}]}
      the script's Net with the app's weights (tfjs layouts: conv kernel [k, k, in, out], dense
      kernel [in, out], biases), in eval mode, on rows x [n, d]: each block's output shape per
      sample (channels last), the parameter count and the logits (flat).
  {"kind": "warp", "bundle", "image", "x", "n", "flip", "theta", "dx", "dy"}
      transform_images (no noise) of rows x [n, d] with these per-image draws (flat result).
  {"kind": "augstats", "bundle", "image", "x", "n", "aug", "seed"}
      per-pixel mean and std of n augment_images draws of the one row x.
  {"kind": "leak", "bundle", "specs": [spec, ...], "seed", "head"}
      train_run on split 0 (its first `head` training rows) once per spec: epochs and test.
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
        acc = curves.get("valAcc") or []
        out.append({"number": t.number, "state": t.state.name, "params": t.params, "distributions": sorted(t.distributions),
                    "param_count": t.user_attrs.get("hpp_param_count"), "val_acc": acc[-1] if acc else None,
                    "train_loss": curves.get("trainLoss"), "epochs": len(curves.get("epoch") or []),
                    "message": t.user_attrs.get("hpp_message")})
    return out


def job_forward(job):
    import torch
    mod = load_script(job["bundle"])
    torch.set_num_threads(1)
    out = []
    for c in job["cases"]:
        model, _ = mod.build_model(c["spec"], c["d"], c["n_out"], {"randomNormalStd": 0.05}, c.get("image"))
        model.eval()
        layers = [*model.convs, *model.dense, model.out]
        w = [torch.tensor(a["data"], dtype=torch.float32).reshape(a["shape"]) for a in c["weights"]]
        if len(w) != 2 * len(layers):
            raise ValueError(f"{len(w)} weight arrays for {len(layers)} layers")
        with torch.no_grad():
            for i, layer in enumerate(layers):
                kernel, bias = w[2 * i], w[2 * i + 1]
                # tfjs [k, k, in, out] -> torch [out, in, k, k]; tfjs [in, out] -> torch [out, in]
                layer.weight.copy_(kernel.permute(3, 2, 0, 1) if kernel.dim() == 4 else kernel.t())
                layer.bias.copy_(bias)
            trace = []
            logits = model(torch.tensor(c["x"], dtype=torch.float32).reshape(c["n"], c["d"]), trace)
        out.append({"trace": trace, "param_count": sum(p.numel() for p in model.parameters()), "logits": logits.reshape(-1).tolist()})
    return out


def job_warp(job):
    import torch
    mod = load_script(job["bundle"])
    x = torch.tensor(job["x"], dtype=torch.float32).reshape(job["n"], -1)
    y = mod.transform_images(x, job["image"], torch.tensor(job["flip"]), torch.tensor(job["theta"], dtype=torch.float64),
                             torch.tensor(job["dx"], dtype=torch.float64), torch.tensor(job["dy"], dtype=torch.float64))
    return y.reshape(-1).tolist()


def job_augstats(job):
    import torch
    mod = load_script(job["bundle"])
    x = torch.tensor(job["x"], dtype=torch.float32).reshape(1, -1).repeat(job["n"], 1)
    y = mod.augment_images(x, job["image"], job["aug"], torch.Generator().manual_seed(job["seed"])).to(torch.float64)
    return {"mean": y.mean(0).tolist(), "std": y.std(0).tolist(), "x_unchanged": bool((x[0] == torch.tensor(job["x"], dtype=torch.float32)).all())}


def job_leak(job):
    import numpy as np
    import torch
    mod = load_script(job["bundle"])
    torch.set_num_threads(1)
    manifest = mod.load_manifest(os.path.join(job["bundle"], "study.json"))
    with np.load(os.path.join(job["bundle"], "data.npz")) as arrays:
        split = mod.prepare_splits(manifest, arrays)[0]
    head = job["head"]
    split = {**split, "x_train": split["x_train"][:head], "y_train": split["y_train"][:head]}
    ctx = {"device": "cpu", "classification": True, "d": int(manifest["data"]["features"]), "n_out": int(manifest["nClasses"]),
           "training": manifest["training"], "early_stopping": {"enabled": False, "patience": 1, "minDelta": 0, "restoreBest": False},
           "image": manifest["data"].get("image")}
    out = []
    for spec in job["specs"]:
        run = mod.train_run(split, {**manifest["model"], **spec}, ctx, job["seed"], job["seed"] + 1)
        out.append({"epochs": run["epochs"], "test": run["test"], "status": run["status"]})
    return out


JOBS = {"trials": job_trials, "forward": job_forward, "warp": job_warp, "augstats": job_augstats, "leak": job_leak}


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        jobs = json.load(f)
    out = {}
    for name, job in jobs.items():
        try:
            out[name] = JOBS[job["kind"]](job)
        except Exception as e:  # reported per job, so one failure does not hide the others
            import traceback
            out[name] = {"error": f"{type(e).__name__}: {e}\n{traceback.format_exc()}"}
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
