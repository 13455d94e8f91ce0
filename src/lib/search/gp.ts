import type { TrialParams } from '../experiment/types';
import { distinctCapacity, drawDistinct, takenKeys, type DedupeOptions } from './distinct';
import { expectedImprovement, fitHyper, GaussianProcess, type GpHyper } from './gaussian-process';
import { defaultStartupTrials, TrialHistory } from './history';
import { makeRng, normal, randInt } from './rng';
import { fromUnit, maskUnit, paramsFromUnit, paramsKey, snapUnit, unitFromParams } from './space';
import type { GpSlice, GpSnapshot, Strategy, StrategyContext } from './types';

/** Tuning knobs of GP-EI; every field has a default. */
export interface GpOptions extends DedupeOptions {
  /** random trials before the GP is used; default defaultStartupTrials(budget). */
  nStartup?: number;
  /** uniformly random EI candidates per ask; default 1500. */
  nRandomCandidates?: number;
  /** candidates perturbed around the incumbent per ask; default 500. */
  nLocalCandidates?: number;
  /** EI exploration margin ξ, in standard deviations of the objective; default 0.01. */
  xi?: number;
}

/** Grid points of a numeric slice in the snapshot. */
const SLICE_GRID = 100;
/** Widths (unit-cube units) of the Gaussian perturbations around the incumbent. */
const LOCAL_SIGMAS = [0.02, 0.06, 0.15];

/**
 * Gaussian-process Bayesian optimisation with expected improvement. After `nStartup` random
 * trials it standardises the objectives, fits a Matérn 5/2 GP (ARD lengthscales, signal and
 * noise variance by marginal likelihood; categoricals one-hot) and proposes the candidate with
 * the highest EI among a few thousand random points and perturbations of the incumbent.
 * Pending trials join the GP as if they had returned the mean objective (constant liar), which
 * removes their EI. A configuration that finished or is running is never proposed again
 * (candidates are snapped first); when every configuration of a small discrete space ran, ask
 * returns null.
 */
export function createGp(ctx: StrategyContext, options: GpOptions = {}): Strategy {
  const dims = ctx.dims;
  const nStartup = options.nStartup ?? defaultStartupTrials(ctx.budget);
  const nRandom = options.nRandomCandidates ?? 1500;
  const nLocal = options.nLocalCandidates ?? 500;
  const xi = options.xi ?? 0.01;
  const rng = makeRng(ctx.seed, 'gp');
  const history = new TrialHistory(dims);
  let hyper: GpHyper | undefined;

  /** standardised data of the finished trials: failed ones count as the worst value. */
  function data() {
    const scored = history.scored();
    const raw = scored.map((s) => s.y);
    const mean = raw.reduce((a, b) => a + b, 0) / raw.length;
    const sd = Math.sqrt(raw.reduce((a, b) => a + (b - mean) ** 2, 0) / raw.length) || 1;
    return { xs: scored.map((s) => s.f.u), ys: raw.map((y) => (y - mean) / sd), mean, sd };
  }

  function fit() {
    const d = data();
    const fitted = fitHyper(dims, d.xs, d.ys, hyper);
    hyper = fitted.hyper;
    return { ...d, gp: fitted.gp, best: Math.min(...d.ys) };
  }

  function localCandidate(centre: number[]): number[] {
    const sigma = LOCAL_SIGMAS[randInt(rng, LOCAL_SIGMAS.length)];
    // a coordinate the incumbent lacks (inactive there) starts anywhere
    return centre.map((x) => (Number.isNaN(x) ? rng() : x)).map((c, j) => {
      const spec = dims[j].spec;
      if (spec.type === 'categorical') return rng() < 0.2 ? rng() : c;
      let v = c + sigma * normal(rng);
      if (v < 0) v = -v;
      if (v > 1) v = 2 - v;
      return Math.min(1, Math.max(0, v));
    });
  }

  function ask(pending: TrialParams[]): TrialParams | null {
    const taken = takenKeys(dims, history.keys(), pending, options.repeats);
    if (history.size < nStartup || dims.length === 0) return drawDistinct(dims, rng, taken);

    const m = fit();
    // constant liar: condition on pending points at the mean (0 after standardising)
    let gp = m.gp;
    if (pending.length > 0) {
      const lies = pending.map((p) => unitFromParams(dims, p));
      gp = new GaussianProcess(dims, [...m.xs, ...lies], [...m.ys, ...lies.map(() => 0)], m.gp.hyper);
    }
    const incumbent = history.best();
    const centre = incumbent ? incumbent.u : dims.map(() => 0.5);
    const candidates: { u: number[]; ei: number }[] = [];
    for (let i = 0; i < nRandom + nLocal; i++) {
      // inactive coordinates masked (NaN): the GP sees the configuration the trial would be
      const u = maskUnit(dims, snapUnit(dims, i < nRandom ? dims.map(() => rng()) : localCandidate(centre)));
      const p = gp.predict(u);
      candidates.push({ u, ei: expectedImprovement(p.mean, p.variance, m.best, xi) });
    }
    // best EI first (stable: ties keep draw order); the first one not tried or running wins
    candidates.sort((a, b) => b.ei - a.ei);
    for (const c of candidates) {
      const params = paramsFromUnit(dims, c.u);
      if (!taken.has(paramsKey(dims, params))) return params;
    }
    return drawDistinct(dims, rng, taken);
  }

  function describe(): GpSnapshot {
    const base = { kind: 'gp' as const, nStartup, nFinished: history.size };
    const incumbent = history.best();
    const inc = incumbent ? { id: incumbent.id, params: { ...incumbent.params }, objective: incumbent.value } : null;
    const scored = history.scored();
    const observations = scored.map((s) => ({ id: s.f.id, u: [...s.f.u], objective: s.y }));
    if (history.size < nStartup || dims.length === 0) {
      return { ...base, phase: 'startup', incumbent: inc, hyper: null, observations, slices: [] };
    }
    const d = data();
    // the last fitted hyperparameters (a fresh fit that is not kept before the first model-based
    // ask), so describe() never changes what ask() does next
    const h = hyper ?? fitHyper(dims, d.xs, d.ys).hyper;
    const gp = new GaussianProcess(dims, d.xs, d.ys, h);
    const best = Math.min(...d.ys);
    const centre = incumbent ? incumbent.u : dims.map(() => 0.5);
    const slices = dims.map((dim, j): GpSlice => {
      const spec = dim.spec;
      const xs = spec.type === 'categorical'
        ? spec.choices.map((_, i) => (i + 0.5) / spec.choices.length)
        : Array.from({ length: SLICE_GRID }, (_, i) => (i + 0.5) / SLICE_GRID);
      const preds = xs.map((x) => {
        const u = centre.map((c) => (Number.isNaN(c) ? 0.5 : c));
        u[j] = x;
        return gp.predict(maskUnit(dims, snapUnit(dims, u)));
      });
      return {
        name: dim.name,
        type: spec.type === 'categorical' ? 'categorical' : 'numeric',
        xs,
        values: xs.map((x) => fromUnit(spec, x)),
        mean: preds.map((p) => d.mean + d.sd * p.mean),
        sd: preds.map((p) => d.sd * Math.sqrt(p.variance)),
        ei: preds.map((p) => d.sd * expectedImprovement(p.mean, p.variance, best, xi)),
      };
    });
    const names = Object.fromEntries(dims.map((dim, j) => [dim.name, h.lengthscales[j]]));
    return {
      ...base,
      phase: 'model',
      incumbent: inc,
      hyper: { lengthscales: names, signalVariance: h.signalVariance, noiseVariance: h.noiseVariance, logMarginalLikelihood: gp.logMarginalLikelihood },
      observations,
      slices,
    };
  }

  return {
    capacity: distinctCapacity(dims, options.repeats),
    ask,
    tell(id, params, outcome) {
      history.add(id, params, outcome);
    },
    describe,
  };
}
