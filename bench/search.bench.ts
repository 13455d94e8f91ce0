/**
 * Search-strategy benchmark on the tabular digits-mlp fixture (see bench/README.md).
 *
 *   npm run bench:search                            # one JSON object on stdout and in bench/out/search.json
 *   BENCH_TABLE=other.json npm run bench:search     # another fixture of the same format
 *   BENCH_OBJECTIVES=valLoss npm run bench:search   # the primary objective only (faster)
 *
 * Every study is sequential (parallel = 1) and replays stored curves (bench/tabular/replay.ts).
 * 1. For every automatic strategy of the registry and 20 study seeds: the trials it needs until
 *    it reaches random search's best-of-64 (the median over the same 20 seeds), capped at CAP.
 * 2. For ASHA and Hyperband (and the median rule, for comparison) wrapping random and TPE: the
 *    epochs spent until the study is within 1% of what the same strategy and seed reached with
 *    64 trials trained to completion, as a share of those 64·E epochs.
 * Each is scored two ways ("lenses"):
 *   observed  - the best final value seen, noise included (what the study's table shows);
 *   incumbent - the mean over the stored seeds of the incumbent's grid point (the trial with the
 *               best value seen), as HPOBench/NAS-Bench score an optimiser: did the search find
 *               a good configuration, rather than a lucky seed of one.
 * and for both objectives the app offers: val loss (primary: the targets are judged on it) and
 * val accuracy (the app's default for classification).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { StrategyKind } from '../src/lib/experiment/types';
import { createAsha, createHyperband, createMedianPruner, withPruner } from '../src/lib/search/pruners';
import { STRATEGIES } from '../src/lib/search/registry';
import { createRandom } from '../src/lib/search/random';
import { createTpe } from '../src/lib/search/tpe';
import type { Dimension, Pruner, Strategy, StrategyContext } from '../src/lib/search/types';
import { runStudy, TabularObjective, type ObjectiveKey, type StudyTrace } from './tabular/replay';
import { loadTable } from './tabular/table';

/** Study seeds (the issue asks for medians over 20). */
const SEEDS = Array.from({ length: 20 }, (_, i) => i + 1);
/** Trials of the reference studies, and the budget every strategy is created with (it makes
 *  TPE and GP start with 10 random trials and evolution breed populations of 16). */
const BUDGET = 64;
/** Most trials a strategy gets to reach the reference. */
const CAP = 200;
/** Grid search's points per continuous axis (the app's default). */
const GRID_POINTS = 3;
/** "Within 1%" of the full-budget value, relative to its magnitude. */
const WITHIN = 0.01;
/** Targets of issue #3. */
const TARGETS = { trialsToRandomBest64: 24, prunedEpochShare: 1 / 3 };
/** Objective the targets are judged on: val loss. Val accuracy on 449 rows moves in steps of
 *  0.22 points, the top runs tie, and 1% of it is 4 rows (see README). */
const PRIMARY: ObjectiveKey = 'valLoss';
/** Objectives to report: $BENCH_OBJECTIVES (e.g. "valLoss" alone takes a third of the time), else both. */
const OBJECTIVES = (process.env.BENCH_OBJECTIVES?.split(',') ?? ['valLoss', 'valAcc']).filter((k): k is ObjectiveKey => k === 'valLoss' || k === 'valAcc');
/** Registered strategies that run unattended ('manual' waits for a person). */
const KINDS = (Object.keys(STRATEGIES) as StrategyKind[]).filter((k) => k !== 'manual');
const PRUNED_BASES: StrategyKind[] = ['random', 'tpe'];
type Lens = 'observed' | 'incumbent';
const LENSES: Lens[] = ['observed', 'incumbent'];

type PrunerKind = 'asha' | 'hyperband' | 'median';
const PRUNERS: Record<PrunerKind, (epochs: number) => Pruner> = {
  asha: (epochs) => createAsha({ eta: 3, minEpochs: 1, maxEpochs: epochs }),
  hyperband: (epochs) => createHyperband({ eta: 3, minEpochs: 1, maxEpochs: epochs }),
  median: () => createMedianPruner(),
};

// ---------------------------------------------------------------------------------------------
// small statistics

/** Linear-interpolation quantile (type 7) of values that may include +Infinity (capped runs). */
function quantile(values: readonly number[], q: number): number {
  const s = [...values].sort((a, b) => a - b);
  const h = (s.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.ceil(h);
  if (!Number.isFinite(s[hi])) return h === lo ? s[lo] : Infinity;
  return s[lo] + (h - lo) * (s[hi] - s[lo]);
}

/** Median and quartiles; a statistic that falls on a capped run reads `>cap`. */
interface Spread {
  median: number | string;
  q25: number | string;
  q75: number | string;
}

function spread(values: readonly number[], digits: number, cap = 'capped'): Spread {
  const f = (v: number) => (Number.isFinite(v) ? Number(v.toFixed(digits)) : cap);
  return { median: f(quantile(values, 0.5)), q25: f(quantile(values, 0.25)), q75: f(quantile(values, 0.75)) };
}

const reachedCount = (v: readonly number[]) => `${v.filter(Number.isFinite).length}/${v.length}`;

// ---------------------------------------------------------------------------------------------

/** The context every strategy is created with; `gridAsChoices` declares each axis as a
 *  categorical of exactly its grid values (a diagnostic: then nothing needs snapping, and a
 *  strategy that avoids re-proposing tried params also avoids re-training a grid point). */
function contextOf(obj: TabularObjective, seed: number, gridAsChoices = false): StrategyContext {
  const dims: Dimension[] = obj.axes.map((a) => ({ name: a.name, spec: gridAsChoices ? { type: 'categorical', choices: a.values } : a.spec }));
  return { dims, seed, budget: BUDGET, gridPoints: GRID_POINTS };
}

function create(kind: StrategyKind, obj: TabularObjective, seed: number): Strategy {
  const entry = STRATEGIES[kind];
  if (!entry) throw new Error(`strategy ${kind} is not registered`);
  return entry.create(contextOf(obj, seed));
}

/** Diagnostic variants, run on the primary objective only (not judged against targets). */
const VARIANTS: Record<string, (obj: TabularObjective, seed: number) => Strategy> = {
  'tpe (nStartup 5)': (obj, seed) => createTpe(contextOf(obj, seed), { nStartup: 5 }),
  'tpe (nStartup 20)': (obj, seed) => createTpe(contextOf(obj, seed), { nStartup: 20 }),
  'tpe (grid as categoricals)': (obj, seed) => createTpe(contextOf(obj, seed, true)),
  'random (grid as categoricals)': (obj, seed) => createRandom(contextOf(obj, seed, true)),
};

/** The study's value after trial i (0-based) under a lens (Infinity before a complete trial). */
function valueAt(t: StudyTrace, lens: Lens, i: number): number {
  return (lens === 'observed' ? t.bestAfter : t.incumbentAfter)[i] ?? Infinity;
}

const last = (t: StudyTrace, lens: Lens) => valueAt(t, lens, t.trials.length - 1);

/** 1-based trial at which the lens value first is <= goal, or Infinity. */
function firstReach(t: StudyTrace, lens: Lens, goal: number): number {
  for (let i = 0; i < t.trials.length; i++) if (valueAt(t, lens, i) <= goal) return i + 1;
  return Infinity;
}

interface StrategyRuns {
  /** per seed: the study's value at trial BUDGET, per lens. */
  at64: Record<Lens, number[]>;
  /** per seed: trials to reach each lens's reference (Infinity = not within CAP). */
  trials: Record<Lens, number[]>;
  /** per seed: share of the first BUDGET trials spent on a grid point already tried. */
  repeats: number[];
  seconds: number;
}

/** Unpruned studies of every strategy (and the diagnostic variants when `variants`); random
 *  first, since its best-of-64 is the reference. */
function benchStrategies(obj: TabularObjective, variants: boolean): { reference: Record<Lens, number>; runs: Record<string, StrategyRuns> } {
  const randomTraces = SEEDS.map((seed) => runStudy(create('random', obj, seed), obj, seed, (t) => t.trials.length >= BUDGET));
  const reference = Object.fromEntries(LENSES.map((l) => [l, quantile(randomTraces.map((t) => last(t, l)), 0.5)])) as Record<Lens, number>;
  const reached = (t: StudyTrace) => LENSES.every((l) => last(t, l) <= reference[l]);
  const runs: Record<string, StrategyRuns> = {};
  const makers: [string, (obj: TabularObjective, seed: number) => Strategy][] = [
    ...KINDS.map((k): [string, (o: TabularObjective, s: number) => Strategy] => [k, (o, s) => create(k, o, s)]),
    ...(variants ? Object.entries(VARIANTS) : []),
  ];
  for (const [name, make] of makers) {
    const t0 = performance.now();
    const r: StrategyRuns = { at64: { observed: [], incumbent: [] }, trials: { observed: [], incumbent: [] }, repeats: [], seconds: 0 };
    for (const seed of SEEDS) {
      const trace = runStudy(make(obj, seed), obj, seed, (t) => t.trials.length >= CAP || (t.trials.length >= BUDGET && reached(t)));
      for (const l of LENSES) {
        r.trials[l].push(firstReach(trace, l, reference[l]));
        r.at64[l].push(valueAt(trace, l, Math.min(BUDGET, trace.trials.length) - 1));
      }
      const configs = trace.trials.slice(0, BUDGET).map((t) => t.config);
      r.repeats.push(1 - new Set(configs).size / configs.length);
    }
    r.seconds = (performance.now() - t0) / 1000;
    runs[name] = r;
  }
  return { reference, runs };
}

interface PrunedRuns {
  /** per seed and lens: epochs until within WITHIN of the seed's unpruned 64-trial value, as a
   *  share of BUDGET·E (Infinity = not within that budget). */
  share: Record<Lens, number[]>;
  /** per seed and lens: trials run by then. */
  trials: Record<Lens, number[]>;
  /** per seed: epochs spent / (trials run · E) over the whole pruned study, what pruning saved
   *  on the trials it did run. */
  perTrial: number[];
}

function benchPruned(obj: TabularObjective, at64: Record<string, Record<Lens, number[]>>): Record<string, PrunedRuns> {
  const full = BUDGET * obj.epochs;
  const out: Record<string, PrunedRuns> = {};
  for (const base of PRUNED_BASES) {
    for (const pk of Object.keys(PRUNERS) as PrunerKind[]) {
      const r: PrunedRuns = { share: { observed: [], incumbent: [] }, trials: { observed: [], incumbent: [] }, perTrial: [] };
      SEEDS.forEach((seed, i) => {
        const goal = Object.fromEntries(LENSES.map((l) => {
          const b = at64[base][l][i];
          return [l, b + WITHIN * Math.abs(b)];
        })) as Record<Lens, number>;
        const spent = (t: StudyTrace) => t.epochsAfter[t.epochsAfter.length - 1] ?? 0;
        const trace = runStudy(withPruner(create(base, obj, seed), PRUNERS[pk](obj.epochs)), obj, seed,
          (t) => spent(t) >= full || LENSES.every((l) => last(t, l) <= goal[l]));
        for (const l of LENSES) {
          const n = firstReach(trace, l, goal[l]);
          r.trials[l].push(n);
          r.share[l].push(Number.isFinite(n) && trace.epochsAfter[n - 1] <= full ? trace.epochsAfter[n - 1] / full : Infinity);
        }
        r.perTrial.push(spent(trace) / (trace.trials.length * obj.epochs));
      });
      out[`${pk}+${base}`] = r;
    }
  }
  return out;
}

/** Everything for one objective, in report form. */
function report(obj: TabularObjective) {
  const key = obj.key;
  const metric = (v: number) => Number((key === 'valAcc' ? -v : v).toFixed(4));
  const metricSpread = (v: number[]) => {
    const s = spread(v, 6);
    const m = (x: number | string) => (typeof x === 'number' ? metric(x) : x);
    // for accuracy the quartiles swap when the sign flips
    return key === 'valAcc' ? { median: m(s.median), q25: m(s.q75), q75: m(s.q25) } : { median: m(s.median), q25: m(s.q25), q75: m(s.q75) };
  };
  const { reference, runs } = benchStrategies(obj, key === PRIMARY);
  const pruned = benchPruned(obj, Object.fromEntries(Object.entries(runs).map(([k, r]) => [k, r.at64])));
  const finals = obj.finals().flat();

  const lens = (l: Lens) => {
    const med = (k: string) => quantile(runs[k].trials[l], 0.5);
    const share = (k: string) => quantile(pruned[k].share[l], 0.5);
    return {
      reference: {
        value: metric(reference[l]),
        randomBest64: metricSpread(runs.random.at64[l]),
        // how rare the reference is: stored runs (observed) or grid points (incumbent) that reach it
        shareOfTableReachingIt: Number((l === 'observed' ? finals.filter((v) => v <= reference[l]).length / finals.length : obj.meanFinal.filter((v) => v <= reference[l]).length / obj.meanFinal.length).toFixed(4)),
      },
      strategies: Object.fromEntries(Object.entries(runs).map(([k, r]) => [k, {
        trialsToReach: { ...spread(r.trials[l], 1, `>${CAP}`), reached: reachedCount(r.trials[l]) },
        at64: metricSpread(r.at64[l]),
      }])),
      pruned: Object.fromEntries(Object.entries(pruned).map(([k, r]) => [k, {
        shareOfFullBudget: { ...spread(r.share[l], 3, '>1'), reached: reachedCount(r.share[l]) },
        trials: spread(r.trials[l], 1, 'capped'),
      }])),
      targets: [
        ...['tpe', 'gp'].map((k) => ({
          name: `${k}: trials to reach random's best-of-${BUDGET}`,
          value: Number.isFinite(med(k)) ? med(k) : `>${CAP}`,
          threshold: TARGETS.trialsToRandomBest64,
          pass: med(k) <= TARGETS.trialsToRandomBest64,
        })),
        ...PRUNED_BASES.map((b) => `asha+${b}`).map((k) => ({
          name: `${k}: share of ${BUDGET}x${obj.epochs} epochs spent to get within ${WITHIN * 100}% of the full-budget value`,
          value: Number.isFinite(share(k)) ? Number(share(k).toFixed(3)) : '>1',
          threshold: Number(TARGETS.prunedEpochShare.toFixed(3)),
          pass: share(k) <= TARGETS.prunedEpochShare,
        })),
      ],
    };
  };

  return {
    objective: key === 'valAcc' ? 'maximise final val accuracy (strategies minimise -accuracy, as the app does)' : 'minimise final val loss (cross-entropy)',
    lenses: { observed: lens('observed'), incumbent: lens('incumbent') },
    strategies: Object.fromEntries(Object.entries(runs).map(([k, r]) => [k, { repeatedGridPoints: spread(r.repeats, 3), seconds: Number(r.seconds.toFixed(1)) }])),
    pruned: Object.fromEntries(Object.entries(pruned).map(([k, r]) => [k, { epochsPerTrialShare: spread(r.perTrial, 3) }])),
  };
}

/** The fixture: bench/tabular/digits-mlp.json, or the file named by $BENCH_TABLE. */
const table = loadTable(process.env.BENCH_TABLE || undefined);

describe('search strategies on the digits-mlp table', () => {
  it('replays every strategy and pruner over 20 seeds and reports', () => {
    const t0 = performance.now();
    const objectives = Object.fromEntries(OBJECTIVES.map((k) => [k, report(new TabularObjective(table, k))]));
    const out = {
      bench: 'search',
      table: {
        name: table.name,
        generated: table.generated.date,
        gridPoints: table.configs.length,
        seeds: table.seeds.length,
        epochs: table.epochs,
        axes: Object.fromEntries(table.axes.map((a) => [a.name, a.values])),
      },
      settings: {
        studySeeds: SEEDS.length, budget: BUDGET, cap: CAP, gridPoints: GRID_POINTS, parallel: 1, within: WITHIN,
        primaryObjective: PRIMARY,
        snapping: 'nearest grid value per axis in the unit interval the strategy samples (log-aware); categoricals exact',
        noise: 'each trial replays the run of one stored seed, drawn from (study seed, trial id)',
        lenses: {
          observed: 'best final value seen so far, noise included',
          incumbent: 'mean over the stored seeds of the grid point of the best trial seen so far',
        },
      },
      targets: objectives[PRIMARY] ? Object.fromEntries(LENSES.map((l) => [l, objectives[PRIMARY].lenses[l].targets])) : null,
      objectives,
      seconds: Number(((performance.now() - t0) / 1000).toFixed(1)),
    };
    mkdirSync(new URL('./out/', import.meta.url), { recursive: true });
    const text = JSON.stringify(out, null, 2);
    writeFileSync(new URL('./out/search.json', import.meta.url), `${text}\n`);
    process.stdout.write(`${text}\n`);
    // the bench reports misses rather than failing on them; it fails only when it is broken
    for (const o of Object.values(objectives)) expect(Object.keys(o.strategies)).toEqual(expect.arrayContaining(KINDS));
  });
});
