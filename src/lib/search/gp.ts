import type { TrialParams } from '../experiment/types';
import { distinctCapacity, drawDistinct, takenKeys, type DedupeOptions } from './distinct';
import { expectedImprovement, extendFactor, fitHyper, GaussianProcess, type GpHyper } from './gaussian-process';
import { defaultStartupTrials, TrialHistory } from './history';
import { makeRng, normal, randInt } from './rng';
import { normalScores } from './stats';
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
  /** widths (unit-cube units) of the Gaussian perturbations around the incumbent, one drawn per
   *  local candidate; default LOCAL_SIGMAS. */
  localSigmas?: readonly number[];
  /** EI exploration margin ξ, in standard deviations of the objective; default 0.01. */
  xi?: number;
  /** finished trials up to which the hyperparameters are refitted at every ask; default 32. */
  refitAlwaysBelow?: number;
  /** what the GP is fitted to (see GpOutput); default 'normalScores'. */
  output?: GpOutput;
}

/**
 * What the GP models. 'normalScores' (default): the objectives' normal scores (ranks through
 * the inverse normal CDF, see normalScores), so a plateau of equally bad trials or one outlier
 * does not set the scale, and the good region keeps its resolution (the copula transform of
 * Salinas et al. 2020). On the spiral table, where most configurations sit on the same plateau
 * at chance, it halved the trials GP needed (bench/README.md). 'standardised': the objectives
 * shifted and scaled to mean 0 and sd 1.
 */
export type GpOutput = 'normalScores' | 'standardised';

/** Grid points of a numeric slice in the snapshot. */
const SLICE_GRID = 100;
/** Widths (unit-cube units) of the Gaussian perturbations around the incumbent. Wide enough
 *  that most of them leave the incumbent's neighbourhood: a perturbation that lands on (or next
 *  to) a configuration already tried teaches the model nothing new. */
export const LOCAL_SIGMAS = [0.05, 0.1, 0.2];

/**
 * New finished trials after which the hyperparameters are refitted, once there are n of them
 * (and at least `refitAlwaysBelow`): about every n/16 (every 12 at 200). In between, the
 * covariance factor is extended by one row per new trial under the last hyperparameters.
 */
export function refitInterval(n: number): number {
  return Math.max(2, Math.floor(n / 16));
}

/**
 * Share of the candidates drawn at n finished trials: all of them up to 100, then 100/n (half
 * at 200), so that scoring them, O(n) each, keeps an ask's cost about level.
 */
export function candidateShare(n: number): number {
  return Math.min(1, 100 / Math.max(1, n));
}

/** `v` shifted and scaled to mean 0 and standard deviation 1 (all zeros when constant). */
function standardise(v: number[]): number[] {
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  const sd = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length) || 1;
  return v.map((y) => (y - mean) / sd);
}

/** The GP's data in the order its covariance factor holds them (by id, then appended). */
interface Model {
  /** trial ids, in factor order. */
  ids: number[];
  /** their unit points. */
  xs: number[][];
  /** a GP on exactly these points (its ys are refreshed at every ask). */
  gp: GaussianProcess;
  /** finished trials when the hyperparameters were last fitted. */
  fittedAt: number;
}

/**
 * Gaussian-process Bayesian optimisation with expected improvement. After `nStartup` random
 * trials it turns the objectives into normal scores (see GpOutput), fits a Matérn 5/2 GP (ARD
 * lengthscales, signal and noise variance by marginal likelihood; categoricals one-hot) and
 * proposes the candidate with the highest EI among a few thousand random points and
 * perturbations of the incumbent. The hyperparameters are refitted at every ask early on and
 * every refitInterval(n) trials later; in between, each new trial extends the covariance's
 * Cholesky factor by one row (O(n²) instead of O(n³)). Candidates are snapped first (ints
 * rounded, choices picked), and a candidate whose configuration finished, is running or was
 * already drawn in this ask is dropped before the GP scores it. Candidates are ranked by a cheap
 * upper bound on their EI and scored exactly only while that bound can still beat the best so
 * far, which finds the same maximum as scoring them all. Pending trials join the GP as if they
 * had returned the worst objective seen (constant liar, CL-max), which removes the EI around
 * them. When every configuration of a small discrete space ran, ask returns null.
 */
export function createGp(ctx: StrategyContext, options: GpOptions = {}): Strategy {
  const dims = ctx.dims;
  const nStartup = options.nStartup ?? defaultStartupTrials(ctx.budget);
  const nRandom = options.nRandomCandidates ?? 1500;
  const nLocal = options.nLocalCandidates ?? 500;
  const sigmas = options.localSigmas ?? LOCAL_SIGMAS;
  const xi = options.xi ?? 0.01;
  const refitAlwaysBelow = options.refitAlwaysBelow ?? 32;
  const output = options.output ?? 'normalScores';
  const rng = makeRng(ctx.seed, 'gp');
  const history = new TrialHistory(dims);
  let hyper: GpHyper | undefined;
  let model: Model | null = null;

  /** the finished trials as the GP sees them (see GpOutput; failed ones count as the worst
   *  value), and the mean and sd of their objectives. */
  function data() {
    const scored = history.scored();
    const raw = scored.map((s) => s.y);
    const mean = raw.reduce((a, b) => a + b, 0) / raw.length;
    const sd = Math.sqrt(raw.reduce((a, b) => a + (b - mean) ** 2, 0) / raw.length) || 1;
    const zs = raw.map((y) => (y - mean) / sd);
    const ys = output === 'normalScores' ? standardise(normalScores(raw)) : zs;
    return { ids: scored.map((s) => s.f.id), xs: scored.map((s) => s.f.u), ys, zs, mean, sd };
  }

  /**
   * The GP on every finished trial: refitted (hyperparameters and factor) when due or when the
   * cached factor cannot be extended, else the cached factor extended by the trials told since.
   */
  function fit() {
    const d = data();
    const n = d.ids.length;
    const byId = new Map(d.ids.map((id, i) => [id, i]));
    const known = model ? new Set(model.ids) : null;
    const due = !model || !hyper || n < refitAlwaysBelow || n - model.fittedAt >= refitInterval(model.fittedAt)
      // a trial reported twice replaces its first report: its point may have changed
      || model.ids.some((id, i) => !byId.has(id) || history.get(id)!.u !== model!.xs[i]);
    if (!due && model && known) {
      const newIds = d.ids.filter((id) => !known.has(id));
      const newXs = newIds.map((id) => d.xs[byId.get(id)!]);
      const factor = newIds.length ? extendFactor(model.gp, dims, newXs) : model.gp.factor;
      if (factor) {
        const ids = [...model.ids, ...newIds];
        const xs = [...model.xs, ...newXs];
        const ys = ids.map((id) => d.ys[byId.get(id)!]);
        model = { ids, xs, gp: new GaussianProcess(dims, xs, ys, model.gp.hyper, undefined, factor), fittedAt: model.fittedAt };
        return { ...d, gp: model.gp, best: Math.min(...d.ys) };
      }
    }
    const fitted = fitHyper(dims, d.xs, d.ys, hyper, { warm: n >= refitAlwaysBelow && hyper !== undefined });
    hyper = fitted.hyper;
    model = { ids: d.ids, xs: d.xs, gp: fitted.gp, fittedAt: n };
    return { ...d, gp: fitted.gp, best: Math.min(...d.ys) };
  }

  function localCandidate(centre: number[]): number[] {
    const sigma = sigmas[randInt(rng, sigmas.length)];
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
    // constant liar: condition on pending points at the worst value seen (CL-max; at the mean,
    // a running trial's close neighbours kept much of their EI once normal scores sharpened the
    // model, and parallel asks bunched up)
    let gp = m.gp;
    if (pending.length > 0) {
      const lies = pending.map((p) => unitFromParams(dims, p));
      const xs = [...model!.xs, ...lies];
      const at = new Map(m.ids.map((id, i) => [id, i]));
      const worst = Math.max(...m.ys);
      const ys = [...model!.ids.map((id) => m.ys[at.get(id)!]), ...lies.map(() => worst)];
      const factor = extendFactor(m.gp, dims, lies);
      gp = new GaussianProcess(dims, xs, ys, m.gp.hyper, undefined, factor ?? undefined);
    }
    const incumbent = history.best();
    const centre = incumbent ? incumbent.u : dims.map(() => 0.5);
    // draw every candidate first (the draws do not depend on the model), dropping the ones
    // whose configuration is taken or already drawn
    const seen = new Set<string>();
    const candidates: { u: number[]; params: TrialParams; bound: number; order: number }[] = [];
    const kx = new Float64Array(gp.n);
    const scale = candidateShare(history.size);
    const [nR, nL] = [Math.round(nRandom * scale), Math.round(nLocal * scale)];
    for (let i = 0; i < nR + nL; i++) {
      // inactive coordinates masked (NaN): the GP sees the configuration the trial would be
      const u = maskUnit(dims, snapUnit(dims, i < nR ? dims.map(() => rng()) : localCandidate(centre)));
      const params = paramsFromUnit(dims, u);
      const key = paramsKey(dims, params);
      if (taken.has(key) || seen.has(key)) continue;
      seen.add(key);
      // upper bound on EI: the exact mean, and the variance given only the few nearest data
      // points (conditioning on all of them can only lower it; EI grows with the variance)
      gp.covariances(u, kx);
      let mean = 0;
      for (let j = 0; j < gp.n; j++) mean += kx[j] * gp.alphaAt(j);
      const varBound = gp.varianceBound(kx);
      candidates.push({ u, params, bound: expectedImprovement(mean, varBound, m.best, xi), order: candidates.length });
    }
    // best EI first (ties: draw order); exact EI only while the bound can still win
    candidates.sort((a, b) => b.bound - a.bound || a.order - b.order);
    let best: { params: TrialParams; ei: number; order: number } | null = null;
    for (const c of candidates) {
      // (the slack covers rounding: the bound is exact when one data point dominates)
      if (best && c.bound * (1 + 1e-9) < best.ei) break;
      const p = gp.predict(c.u);
      const ei = expectedImprovement(p.mean, p.variance, m.best, xi);
      if (!best || ei > best.ei || (ei === best.ei && c.order < best.order)) best = { params: c.params, ei, order: c.order };
    }
    return best ? best.params : drawDistinct(dims, rng, taken);
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
    // ask), so describe() never changes what ask() does next. The slices are in objective units:
    // a GP on the standardised objectives under those hyperparameters (fitted to the normal
    // scores by default, which have the same order but not the same scale).
    const h = hyper ?? fitHyper(dims, d.xs, d.ys).hyper;
    const gp = new GaussianProcess(dims, d.xs, d.zs, h);
    const best = Math.min(...d.zs);
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
