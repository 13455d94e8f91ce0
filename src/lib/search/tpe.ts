import type { TrialParams } from '../experiment/types';
import { distinctCapacity, drawDistinct, takenKeys, type DedupeOptions } from './distinct';
import { defaultStartupTrials, TrialHistory } from './history';
import { observationWeights, ParzenEstimator, type ParzenMode } from './parzen';
import { makeRng } from './rng';
import { fromUnit, paramsFromUnit, paramsKey, snapUnit, unitFromParams } from './space';
import type { Dimension, Strategy, StrategyContext, TpeCategoricalDim, TpeNumericDim, TpeSnapshot } from './types';

/** Tuning knobs of TPE; every field has an Optuna-like default. */
export interface TpeOptions extends DedupeOptions {
  /** random trials before the model is used; default defaultStartupTrials(budget). */
  nStartup?: number;
  /** candidates drawn from l(x) per ask; default 24. */
  nCandidates?: number;
  /** weight of the prior (uniform-ish) kernel in both mixtures; default 1. */
  priorWeight?: number;
  /** how many of n trials are "good"; default defaultGamma. */
  gamma?: (n: number) => number;
  /** true (default): multivariate TPE, one joint density with Optuna's multivariate kernel
   *  width; false: independent TPE, one density per parameter with neighbour widths (Optuna's
   *  default sampler). See ParzenMode. */
  multivariate?: boolean;
}

/**
 * Optuna's default split: the best min(ceil(0.1 n), 25) of n trials are "good". With the small
 * budgets of this app that is 1–3 good trials, which makes TPE exploit early; the prior kernel
 * keeps some exploration going.
 */
export function defaultGamma(n: number): number {
  return Math.min(Math.ceil(0.1 * n), 25);
}

/** Grid points of the snapshot densities. */
const SNAPSHOT_GRID = 100;
/** Extra rounds of candidates when every candidate of a round was already tried or pending. */
const MAX_ROUNDS = 4;

interface TpeModel {
  good: ParzenEstimator;
  bad: ParzenEstimator;
  goodIds: number[];
  badIds: number[];
  goodPoints: number[][];
  badPoints: number[][];
  threshold: number | null;
}

/**
 * Splits finished trials (and pending ones) into good and bad, and fits one Parzen estimator
 * to each. Good: the best gamma(n) complete trials. Bad: everything else — worse complete
 * trials, every pruned trial, failed/diverged trials (as the worst), and the pending trials
 * (constant liar: a running trial counts as bad, so g(x) is high around it and TPE looks
 * elsewhere).
 */
function fitModel(dims: Dimension[], history: TrialHistory, pending: TrialParams[], priorWeight: number, gamma: (n: number) => number, mode: ParzenMode): TpeModel {
  const all = history.list();
  const complete = all.filter((f) => f.state === 'complete' && Number.isFinite(f.value)).sort((a, b) => a.value - b.value || a.id - b.id);
  const nGood = Math.min(complete.length, Math.max(0, Math.floor(gamma(all.length + pending.length))));
  const goodSet = new Set(complete.slice(0, nGood).map((f) => f.id));
  const good = all.filter((f) => goodSet.has(f.id));
  const bad = all.filter((f) => !goodSet.has(f.id));
  const pendingPoints = [...pending].map((p) => unitFromParams(dims, p)).sort(compareVectors);
  const goodPoints = good.map((f) => f.u);
  const badPoints = [...bad.map((f) => f.u), ...pendingPoints];
  return {
    good: new ParzenEstimator(dims, goodPoints, observationWeights(goodPoints.length), priorWeight, mode),
    bad: new ParzenEstimator(dims, badPoints, observationWeights(badPoints.length), priorWeight, mode),
    goodIds: good.map((f) => f.id),
    badIds: bad.map((f) => f.id),
    goodPoints,
    badPoints,
    threshold: nGood > 0 ? complete[nGood - 1].value : null,
  };
}

/** lexicographic order of vectors, so that the order of `pending` never matters. */
function compareVectors(a: number[], b: number[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return 0;
}

/**
 * Tree-structured Parzen estimator (Bergstra et al. 2011, as in Optuna). After `nStartup`
 * random trials it ranks the finished trials, fits a density l(x) to the good ones and g(x)
 * to the bad ones, draws `nCandidates` points from l and proposes the one with the largest
 * log l(x) - log g(x). By default both densities are multivariate (one joint mixture of product
 * kernels with Optuna's multivariate width, see ParzenMode): candidates are drawn jointly, so
 * every dimension needs a kernel wide enough to leave the incumbent's neighbourhood.
 * Pending trials count as bad (constant liar). A configuration that
 * finished or is running is never proposed again (candidates are snapped first: ints rounded,
 * choices picked); when every configuration of a small discrete space ran, ask returns null.
 */
export function createTpe(ctx: StrategyContext, options: TpeOptions = {}): Strategy {
  const dims = ctx.dims;
  const nStartup = options.nStartup ?? defaultStartupTrials(ctx.budget);
  const nCandidates = options.nCandidates ?? 24;
  const priorWeight = options.priorWeight ?? 1;
  const gamma = options.gamma ?? defaultGamma;
  const mode: ParzenMode = options.multivariate === false ? 'independent' : 'multivariate';
  const rng = makeRng(ctx.seed, 'tpe');
  const history = new TrialHistory(dims);
  let lastPending: TrialParams[] = [];
  let lastCandidates: TpeSnapshot['lastCandidates'] = [];

  function ask(pending: TrialParams[]): TrialParams | null {
    lastPending = pending.map((p) => ({ ...p }));
    const taken = takenKeys(dims, history.keys(), pending, options.repeats);
    if (history.size < nStartup || dims.length === 0) return drawDistinct(dims, rng, taken);

    const model = fitModel(dims, history, pending, priorWeight, gamma, mode);
    let best: { params: TrialParams; score: number } | null = null;
    const scored: { params: TrialParams; score: number }[] = [];
    for (let round = 0; round < MAX_ROUNDS && !best; round++) {
      for (let i = 0; i < nCandidates; i++) {
        const u = snapUnit(dims, model.good.sample(rng));
        const params = paramsFromUnit(dims, u);
        if (taken.has(paramsKey(dims, params))) continue;
        const candidate = { params, score: model.good.logPdf(u) - model.bad.logPdf(u) };
        scored.push(candidate);
        if (!best || candidate.score > best.score) best = candidate;
      }
    }
    lastCandidates = scored.map((c) => ({ ...c, chosen: c === best }));
    return best ? best.params : drawDistinct(dims, rng, taken);
  }

  function describe(): TpeSnapshot {
    const base = { kind: 'tpe' as const, nStartup, nFinished: history.size };
    if (history.size < nStartup || dims.length === 0) {
      return { ...base, phase: 'startup', goodIds: [], badIds: history.list().map((f) => f.id), threshold: null, dims: [], lastCandidates: [] };
    }
    const model = fitModel(dims, history, lastPending, priorWeight, gamma, mode);
    const xs = Array.from({ length: SNAPSHOT_GRID }, (_, i) => (i + 0.5) / SNAPSHOT_GRID);
    const dimSnaps = dims.map((d, j): TpeNumericDim | TpeCategoricalDim => {
      if (d.spec.type === 'categorical') {
        return { type: 'categorical', name: d.name, choices: [...d.spec.choices], good: model.good.marginalChoices(j), bad: model.bad.marginalChoices(j) };
      }
      const spec = d.spec;
      return {
        type: 'numeric',
        name: d.name,
        xs,
        values: xs.map((x) => Number(fromUnit(spec, x))),
        good: xs.map((x) => model.good.marginalDensity(j, x)),
        bad: xs.map((x) => model.bad.marginalDensity(j, x)),
        goodPoints: model.goodPoints.map((p) => p[j]),
        badPoints: model.badPoints.map((p) => p[j]),
      };
    });
    return { ...base, phase: 'model', goodIds: model.goodIds, badIds: model.badIds, threshold: model.threshold, dims: dimSnaps, lastCandidates };
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
