import type { TrialParams } from '../experiment/types';
import { coactiveGroups } from './active';
import { distinctCapacity, drawDistinct, takenKeys, type DedupeOptions } from './distinct';
import { defaultStartupTrials, TrialHistory, type Finished } from './history';
import { observationWeights, ParzenEstimator, type ParzenMode } from './parzen';
import { makeRng } from './rng';
import { fromUnit, maskUnit, paramsFromUnit, paramsKey, snapUnit, unitFromParams } from './space';
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

/** The densities of one group of dimensions that are always active together (see coactiveGroups),
 *  fitted on the trials that have them. Points are the group's coordinates only. */
interface GroupModel {
  /** indices into the strategy's dimensions. */
  idx: number[];
  good: ParzenEstimator;
  bad: ParzenEstimator;
  goodPoints: number[][];
  badPoints: number[][];
}

interface TpeModel {
  groups: GroupModel[];
  /** for each dimension: its group and its position there. */
  where: { g: number; j: number }[];
  goodIds: number[];
  badIds: number[];
  threshold: number | null;
}

/**
 * Finished trials in the order TPE ranks them, best first, as Optuna does: complete trials by
 * objective; then pruned ones, those that trained more epochs first (a trial pruned at a later
 * rung beat more competitors before it stopped), each at the value it had when stopped; then the
 * ones with no value (failed, diverged). Ties: lower id first.
 */
export function rankFinished(all: readonly Finished[]): Finished[] {
  const tier = (f: Finished) => (!Number.isFinite(f.value) ? 2 : f.state === 'complete' ? 0 : 1);
  return [...all].sort((a, b) =>
    tier(a) - tier(b)
    || (tier(a) === 1 ? b.steps - a.steps : 0)
    || (tier(a) < 2 ? a.value - b.value : 0)
    || a.id - b.id);
}

/**
 * Splits finished trials (and pending ones) into good and bad, and fits one Parzen estimator
 * to each. Good: the first gamma(n) trials of rankFinished that have a value, so complete trials
 * and, when too few trials completed (a pruner stops most of them), the pruned trials that got
 * furthest. Bad: everything else — the rest of the ranking, failed/diverged trials, and the
 * pending trials (constant liar: a running trial counts as bad, so g(x) is high around it and
 * TPE looks elsewhere). In a conditional space each group of dimensions active together gets its
 * own pair of estimators, fitted on the good and bad trials where it was active (Optuna's group
 * decomposition); without conditions there is one group, every dimension.
 */
function fitModel(dims: Dimension[], history: TrialHistory, pending: TrialParams[], priorWeight: number, gamma: (n: number) => number, mode: ParzenMode): TpeModel {
  const all = history.list();
  const ranked = rankFinished(all).filter((f) => Number.isFinite(f.value));
  const nGood = Math.min(ranked.length, Math.max(0, Math.floor(gamma(all.length + pending.length))));
  const goodSet = new Set(ranked.slice(0, nGood).map((f) => f.id));
  const good = all.filter((f) => goodSet.has(f.id));
  const bad = all.filter((f) => !goodSet.has(f.id));
  const pendingPoints = [...pending].map((p) => unitFromParams(dims, p)).sort(compareVectors);
  const goodAll = good.map((f) => f.u);
  const badAll = [...bad.map((f) => f.u), ...pendingPoints];
  const where: TpeModel['where'] = [];
  const groups = coactiveGroups(dims).map((idx, g): GroupModel => {
    idx.forEach((i, j) => (where[i] = { g, j }));
    const sub = idx.map((i) => dims[i]);
    // a group is active in a point when its coordinates are (they all are, or none)
    const of = (points: number[][]) => points.filter((u) => !Number.isNaN(u[idx[0]])).map((u) => idx.map((i) => u[i]));
    const goodPoints = of(goodAll);
    const badPoints = of(badAll);
    return {
      idx,
      good: new ParzenEstimator(sub, goodPoints, observationWeights(goodPoints.length), priorWeight, mode),
      bad: new ParzenEstimator(sub, badPoints, observationWeights(badPoints.length), priorWeight, mode),
      goodPoints,
      badPoints,
    };
  });
  return {
    groups,
    where,
    goodIds: good.map((f) => f.id),
    badIds: bad.map((f) => f.id),
    threshold: nGood > 0 ? ranked[nGood - 1].value : null,
  };
}

/** A candidate point drawn from the good densities: every group sampled (in order), then the
 *  coordinates its parents leave inactive set to NaN. */
function sampleGood(dims: Dimension[], model: TpeModel, rng: () => number): number[] {
  const u = new Array<number>(dims.length);
  for (const g of model.groups) g.good.sample(rng).forEach((x, j) => (u[g.idx[j]] = x));
  return maskUnit(dims, snapUnit(dims, u));
}

/** log l(u) - log g(u) over the groups active in u. */
function score(model: TpeModel, u: number[]): number {
  let s = 0;
  for (const g of model.groups) {
    if (Number.isNaN(u[g.idx[0]])) continue;
    const x = g.idx.map((i) => u[i]);
    s += g.good.logPdf(x) - g.bad.logPdf(x);
  }
  return s;
}

/** lexicographic order of vectors (NaN, an inactive coordinate, last), so that the order of
 *  `pending` never matters. */
function compareVectors(a: number[], b: number[]): number {
  for (let i = 0; i < a.length; i++) {
    if (a[i] === b[i] || (Number.isNaN(a[i]) && Number.isNaN(b[i]))) continue;
    if (Number.isNaN(a[i])) return 1;
    if (Number.isNaN(b[i])) return -1;
    return a[i] - b[i];
  }
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
        const u = sampleGood(dims, model, rng);
        const params = paramsFromUnit(dims, u);
        if (taken.has(paramsKey(dims, params))) continue;
        const candidate = { params, score: score(model, u) };
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
    const dimSnaps = dims.map((d, i): TpeNumericDim | TpeCategoricalDim => {
      const { g, j } = model.where[i];
      const gm = model.groups[g];
      if (d.spec.type === 'categorical') {
        return { type: 'categorical', name: d.name, choices: [...d.spec.choices], good: gm.good.marginalChoices(j), bad: gm.bad.marginalChoices(j) };
      }
      const spec = d.spec;
      return {
        type: 'numeric',
        name: d.name,
        xs,
        values: xs.map((x) => Number(fromUnit(spec, x))),
        good: xs.map((x) => gm.good.marginalDensity(j, x)),
        bad: xs.map((x) => gm.bad.marginalDensity(j, x)),
        goodPoints: gm.goodPoints.map((p) => p[j]),
        badPoints: gm.badPoints.map((p) => p[j]),
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
