#!/usr/bin/env python3
"""Optuna's samplers on a tabular benchmark table, replayed exactly as bench/tabular/replay.ts
replays ours, so that bench/search.bench.ts can print them side by side.

The bench runs it (with Debian's /usr/bin/python3, which has optuna) and writes one request to
its standard input; it answers with one JSON document on standard output, progress on stderr:

    request:  {"table": "bench/tabular/digits-mlp.json", "metric": "valLoss", "score": "restoreBest",
               "earlyStopping": {"patience": 10, "minDelta": 0.001}, "lastMeanEpochs": 5,
               "seeds": [1, 2, ...], "minTrials": 64, "cap": 200,
               "reference": {"tried": 0.08, "observed": 0.07},
               "samplers": ["random", "qmc", "tpe", "tpe-multivariate", "cmaes", "cmaes-random-start"]}
    answer:   {"optuna": "3.1.0", "samplers": {"tpe": {"status": "ok", "settings": "...",
               "studies": [{"seed": 1, "trials": [[config, seedIndex, value|null, state, epochs], ...]}]},
               "qmc": {"status": "skipped", "reason": "..."}}}

Replay, as in replay.ts: a trial's params snap to the nearest grid value per axis (numeric axes
by distance in the unit interval the sampler draws from, log-aware, ints widened by half a step
at each end like the app's toUnit; categoricals exactly). The trial replays the stored run of
seed replay_seed_index(study seed, trial number), and Optuna is told that run's score (a
diverged run is a failed trial). A study runs at least minTrials trials, then stops once both
lenses reach the reference (the best score seen, and the best mean score over seeds among the
grid points trained so far), or at the cap. The
bench re-checks every reported trial against its own replay and computes every statistic itself.
"""
import inspect
import json
import math
import sys
import time
import warnings

M32 = 0xFFFFFFFF


def fmix32(h):
    """murmur3's 32-bit finaliser (as replay.ts)."""
    h &= M32
    h ^= h >> 16
    h = (h * 0x85EBCA6B) & M32
    h ^= h >> 13
    h = (h * 0xC2B2AE35) & M32
    h ^= h >> 16
    return h


def replay_seed_index(study_seed, trial_id, n):
    """The stored seed index a trial replays: replaySeedIndex in replay.ts."""
    h = fmix32(((study_seed & M32) * 0x9E3779B1 & M32) ^ fmix32(trial_id + 0x632BE5AB))
    return h % n


def to_unit(spec, value):
    """toUnit of src/lib/search/space.ts for numeric specs."""
    v = float(value)
    low, high, log = spec["low"], spec["high"], spec.get("log", False)
    if high == low:
        return 0.5
    if spec["type"] == "int":
        log_scale = log and low > 0
        lo = math.log(low - 0.5 if low - 0.5 > 0 else low) if log_scale else low - 0.5
        hi = math.log(high + 0.5) if log_scale else high + 0.5
        w = math.log(v) if log_scale else v
        return min(1.0, max(0.0, (w - lo) / (hi - lo)))
    if log and low > 0:
        return (math.log(v) - math.log(low)) / (math.log(high) - math.log(low))
    return (v - low) / (high - low)


def snap(axes, params):
    """Grid point index of params: snapIndices + configIndex of table.ts."""
    k = 0
    for a in axes:
        v = params[a["name"]]
        if a["spec"]["type"] == "categorical":
            i = [str(c) for c in a["values"]].index(str(v))
        else:
            u = to_unit(a["spec"], v)
            dists = [abs(to_unit(a["spec"], g) - u) for g in a["values"]]
            i = dists.index(min(dists))
        k = k * len(a["values"]) + i
    return k


class Stopper:
    """EarlyStopper of src/lib/search/early-stopping.ts (no minEpochs)."""

    def __init__(self, patience, min_delta):
        self.patience = max(1, int(math.floor(patience)))
        self.min_delta = max(0.0, min_delta)
        self.epoch = 0
        self.best_epoch = None
        self.best_value = math.nan
        self.reference = math.inf
        self.wait = 0

    def update(self, v):
        self.epoch += 1
        finite = math.isfinite(v)
        if finite and (self.best_epoch is None or v < self.best_value):
            self.best_epoch, self.best_value = self.epoch, v
        if finite and v < self.reference - self.min_delta:
            self.reference, self.wait = v, 0
        else:
            self.wait += 1
        return "stop" if self.wait >= self.patience else "continue"


def run_outcome(curve, losses, diverged, req):
    """runOutcome of replay.ts: (epochs, state, value)."""
    n = len(curve)
    score = req["score"]
    if score == "restoreBest":
        es = req["earlyStopping"]
        stopper = Stopper(es["patience"], es["minDelta"])
        for e in range(1, n + 1):
            if diverged and e == n:
                return e, "diverged", math.nan
            if stopper.update(losses[e - 1]) == "stop" and e < n:
                break
        end = stopper.best_epoch if stopper.best_epoch is not None else stopper.epoch
        return stopper.epoch, "complete", curve[end - 1]
    if diverged:
        return n, "diverged", math.nan
    if score == "final":
        return n, "complete", curve[n - 1]
    tail = curve[max(0, n - req["lastMeanEpochs"]):]
    total = 0.0
    for v in tail:
        total += v
    return n, "complete", total / len(tail)


def load(req):
    with open(req["table"], encoding="utf8") as f:
        table = json.load(f)
    num = lambda v: math.nan if v is None else float(v)
    outcomes = []
    for c in table["configs"]:
        runs = []
        for r in c["runs"]:
            losses = [num(v) for v in r["valLoss"]]
            curve = [-num(v) for v in r["valAcc"]] if req["metric"] == "valAcc" else losses
            runs.append(run_outcome(curve, losses, r["status"] == "diverged", req))
        outcomes.append(runs)
    means = []
    for runs in outcomes:
        if all(math.isfinite(o[2]) for o in runs):
            total = 0.0
            for o in runs:
                total += o[2]
            means.append(total / len(runs))
        else:
            means.append(math.inf)
    return table, outcomes, means


def distributions(optuna, axes):
    out = {}
    for a in axes:
        s = a["spec"]
        if s["type"] == "categorical":
            out[a["name"]] = optuna.distributions.CategoricalDistribution(s["choices"])
        elif s["type"] == "int":
            out[a["name"]] = optuna.distributions.IntDistribution(s["low"], s["high"], log=s.get("log", False))
        else:
            out[a["name"]] = optuna.distributions.FloatDistribution(s["low"], s["high"], log=s.get("log", False))
    return out


def from_unit(spec, u):
    """fromUnit of src/lib/search/space.ts for numeric specs (u in [0, 1])."""
    low, high, log = spec["low"], spec["high"], spec.get("log", False)
    log_scale = log and low > 0
    if spec["type"] == "int":
        lo = math.log(low - 0.5 if low - 0.5 > 0 else low) if log_scale else low - 0.5
        hi = math.log(high + 0.5) if log_scale else high + 0.5
        w = lo + u * (hi - lo)
        return int(min(high, max(low, round(math.exp(w) if log_scale else w))))
    if log_scale:
        return math.exp(math.log(low) + u * (math.log(high) - math.log(low)))
    return low + u * (high - low)


def random_start(axes, seed):
    """A starting point for CMA-ES drawn uniformly (in the unit interval of each numeric axis)
    from a generator seeded by the study seed: its x0 instead of the centre of the space."""
    import random
    rng = random.Random(seed * 7919 + 17)
    return {a["name"]: from_unit(a["spec"], rng.random()) for a in axes if a["spec"]["type"] != "categorical"}


def sampler_factory(optuna, name, axes):
    """(settings text, seed -> sampler), or raises RuntimeError with the reason it is unavailable."""
    S = optuna.samplers
    if name == "random":
        return "RandomSampler(seed)", lambda seed: S.RandomSampler(seed=seed)
    if name == "qmc":
        try:
            import scipy.stats.qmc  # noqa: F401  (QMCSampler needs it)
        except ImportError as e:
            raise RuntimeError(f"QMCSampler needs scipy ({e}); apt-get install python3-scipy") from e
        return ("QMCSampler(qmc_type='sobol', scramble=True, seed); batchSize and other categoricals by its RandomSampler",
                lambda seed: S.QMCSampler(qmc_type="sobol", scramble=True, seed=seed, warn_independent_sampling=False))
    if name == "tpe":
        return "TPESampler(seed) (defaults: univariate, 10 start-up trials)", lambda seed: S.TPESampler(seed=seed)
    if name == "tpe-multivariate":
        return ("TPESampler(multivariate=True, seed)",
                lambda seed: S.TPESampler(seed=seed, multivariate=True, warn_independent_sampling=False))
    if name in ("cmaes", "cmaes-random-start"):
        try:
            import cmaes  # noqa: F401  (CmaEsSampler needs it)
        except ImportError as e:
            raise RuntimeError(f"CmaEsSampler needs the cmaes package ({e})") from e
        margin = "with_margin" in inspect.signature(S.CmaEsSampler.__init__).parameters
        kw = {"with_margin": True} if margin else {}
        if name == "cmaes-random-start":
            text = (f"CmaEsSampler(x0=a random point per seed, {'with_margin=True, ' if margin else ''}seed); "
                    "categoricals by its RandomSampler")
            return text, lambda seed: S.CmaEsSampler(x0=random_start(axes, seed), seed=seed, warn_independent_sampling=False, **kw)
        text = f"CmaEsSampler({'with_margin=True, ' if margin else ''}seed); categoricals by its RandomSampler"
        return text, lambda seed: S.CmaEsSampler(seed=seed, warn_independent_sampling=False, **kw)
    raise RuntimeError(f"unknown sampler {name}")


def run(optuna, make, table, outcomes, means, req, seed):
    axes = table["axes"]
    dists = distributions(optuna, axes)
    n_seeds = len(table["seeds"])
    ref = req["reference"]
    study = optuna.create_study(direction="minimize", sampler=make(seed))
    trials = []
    best = tried = math.inf
    for i in range(req["cap"]):
        trial = study.ask(dists)
        config = snap(axes, trial.params)
        s = replay_seed_index(seed, trial.number, n_seeds)
        epochs, state, value = outcomes[config][s]
        if state == "complete" and math.isfinite(value):
            study.tell(trial, value)
            best, tried = min(best, value), min(tried, means[config])
        else:
            study.tell(trial, state=optuna.trial.TrialState.FAIL)
        trials.append([config, s, value if math.isfinite(value) else None, state, epochs])
        if len(trials) >= req["minTrials"] and best <= ref["observed"] and tried <= ref["tried"]:
            break
    return trials


def main():
    req = json.load(sys.stdin)
    try:
        import optuna
    except ImportError as e:
        json.dump({"optuna": None, "reason": f"no optuna ({e})", "samplers": {}}, sys.stdout)
        return
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    warnings.simplefilter("ignore")
    table, outcomes, means = load(req)
    out = {"optuna": optuna.__version__, "samplers": {}}
    for name in req["samplers"]:
        try:
            settings, make = sampler_factory(optuna, name, table["axes"])
        except RuntimeError as e:
            out["samplers"][name] = {"status": "skipped", "reason": str(e)}
            print(f"optuna {name}: skipped ({e})", file=sys.stderr)
            continue
        t0 = time.process_time()
        studies = []
        for k, seed in enumerate(req["seeds"]):
            studies.append({"seed": seed, "trials": run(optuna, make, table, outcomes, means, req, seed)})
            if (k + 1) % 20 == 0:
                print(f"optuna {name} on {table['name']}: {k + 1}/{len(req['seeds'])} seeds, {time.process_time() - t0:.0f} s", file=sys.stderr)
        out["samplers"][name] = {"status": "ok", "settings": settings, "seconds": round(time.process_time() - t0, 1), "studies": studies}
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
