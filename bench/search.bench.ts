/**
 * Search-strategy benchmark on the tabular tables (see bench/README.md). A plain node script,
 * run through bench/run-ts.mjs; one JSON document on stdout (and in bench/out/search.json),
 * progress on stderr.
 *
 *   npm run -s bench:search                                   # every table, 100 seeds, with Optuna
 *   npm run -s bench:search -- --tables spiral-mlp --seeds 20 --no-optuna --strategies random,tpe
 *   npm run -s bench:search -- --score final                  # another way to score a trial
 *
 * Options: --tables NAME|PATH,... (default: every committed table); --seeds N (study seeds 1..N,
 * reference seeds REFERENCE_SEED0+1..REFERENCE_SEED0+N; default 100); --metric valLoss|valAcc;
 * --score final|restoreBest|lastMean (default PRIMARY_SCORE); --strategies a,b (registry kinds
 * and variant names); --no-variants; --no-pruners; --min-epochs N (ASHA's and Hyperband's first
 * rung, default 1); --no-optuna; --optuna sampler,... ;
 * --python PATH (default /usr/bin/python3).
 *
 * For every table, every study is sequential (parallel = 1) and replays stored curves
 * (tabular/replay.ts):
 * 1. Reference: random search's best-of-BUDGET, the median over the reference seeds, which no
 *    strategy is scored on.
 * 2. For every automatic strategy of the registry (and a few variants) on the study seeds: the
 *    trials it needs to reach the reference, capped at CAP, and whether it reaches it at all;
 *    and the true value of its incumbent after BUDGET trials (every study runs that many).
 * 3. The same for Optuna's samplers, replayed by bench/optuna_replay.py (a Python process
 *    running beside this one) through the same tables, snapping and scores; its trials are
 *    checked against this replay and scored by this file.
 * 4. ASHA and Hyperband (and the median rule, for comparison) wrapping random and TPE: the
 *    epochs spent until the study is within 1% of what the same strategy and seed reached with
 *    BUDGET trials trained to completion, as a share of the epochs those BUDGET trials took.
 * 5. The GP's ask time around 200 finished trials (gpAskTime): a measurement, not a target test.
 * "Reaching" is measured under two lenses:
 *   tried    - the best true value (mean score over the stored seeds) among the grid points the
 *              study has trained: did the search propose a good configuration? Judged.
 *   observed - the best score seen, noise included (what the study's table shows).
 * The incumbent (the trial with the best score seen, what a person would pick) is reported by
 * its true value after BUDGET trials: with a noisy score it is often not the best grid point
 * tried, whatever the strategy (README, "Lenses").
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { StrategyKind } from '../src/lib/experiment/types';
import { createAsha, createHyperband, createMedianPruner, withPruner } from '../src/lib/search/pruners';
import { STRATEGIES } from '../src/lib/search/registry';
import { createTpe } from '../src/lib/search/tpe';
import type { Dimension, Pruner, Strategy, StrategyContext } from '../src/lib/search/types';
import {
  EARLY_STOPPING, emptyTrace, LAST_MEAN_EPOCHS, pushTrial, replaySeedIndex, runStudy, SCORE_KINDS, TabularObjective,
  type MetricKey, type ObjectiveSpec, type ReplayedTrial, type ScoreKind, type StudyTrace,
} from './tabular/replay';
import { BOOTSTRAP_RESAMPLES, bootstrapMedian, bootstrapMedianDiff, quantile, wilson, type Interval } from './tabular/stats';
import { loadTable, TABLE_SPECS, tablePath, type TableFile, type TableName } from './tabular/table';

/** Trials of the reference studies, and the budget every strategy is created with (it makes
 *  TPE and GP start with 10 random trials and evolution breed populations of 16). */
const BUDGET = 64;
/** Most trials a strategy gets to reach the reference. */
const CAP = 200;
/** Grid search's points per continuous axis (the app's default). */
const GRID_POINTS = 3;
/** Reference seeds are REFERENCE_SEED0 + 1, + 2, ...: never a study seed. */
const REFERENCE_SEED0 = 1000;
/** "Within 1%" of the full-budget value, relative to its magnitude. */
const WITHIN = 0.01;
/** Seed of every bootstrap interval. */
const BOOTSTRAP_SEED = 1;
/** How a trial is scored unless --score says otherwise: the mean of its last epochs, which one
 *  lucky epoch cannot make (see ScoreKind, and README, "Which score"). */
const PRIMARY_SCORE: ScoreKind = 'lastMean';
type Lens = 'tried' | 'observed';
const LENSES: Lens[] = ['tried', 'observed'];
/** The lens the targets are judged on. */
const JUDGED: Lens = 'tried';
/** Targets of the issue, per table. */
const TARGETS = {
  /** TPE's and GP's median trials to reach the reference, as a share of random's. */
  modelVsRandom: 0.5,
  /** share of study seeds that must reach the reference within CAP. */
  reachRate: 0.95,
  /** epochs a pruned study may spend to get within WITHIN of the full-budget value, as a share. */
  prunedEpochShare: 1 / 3,
};
/** Optuna's samplers replayed beside ours. */
const OPTUNA_SAMPLERS = ['random', 'qmc', 'tpe', 'tpe-multivariate', 'cmaes', 'cmaes-random-start'];
const PRUNED_BASES: StrategyKind[] = ['random', 'tpe'];
type PrunerKind = 'asha' | 'hyperband' | 'median';
/** The pruners compared, by the epochs of a full trial and ASHA's and Hyperband's smallest
 *  resource (--min-epochs; 1 by default, rungs at 1, 3, 9, 27). */
const PRUNERS: Record<PrunerKind, (epochs: number, minEpochs: number) => Pruner> = {
  asha: (epochs, minEpochs) => createAsha({ eta: 3, minEpochs, maxEpochs: epochs }),
  hyperband: (epochs, minEpochs) => createHyperband({ eta: 3, minEpochs, maxEpochs: epochs }),
  median: () => createMedianPruner(),
};

const log = (s: string) => process.stderr.write(`${s}\n`);

// ---------------------------------------------------------------------------------------------
// options

interface Options {
  tables: string[];
  seeds: number[];
  referenceSeeds: number[];
  objective: ObjectiveSpec;
  strategies: string[] | null;
  variants: boolean;
  pruners: boolean;
  minEpochs: number;
  optuna: string[];
  python: string;
}

function parseOptions(args: string[]): Options {
  const value = (name: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const list = (name: string) => value(name)?.split(',').filter(Boolean);
  const n = Number(value('--seeds') ?? 100);
  const metric = (value('--metric') ?? 'valLoss') as MetricKey;
  const score = (value('--score') ?? PRIMARY_SCORE) as ScoreKind;
  if (metric !== 'valLoss' && metric !== 'valAcc') throw new Error(`--metric ${metric}: valLoss or valAcc`);
  if (!SCORE_KINDS.includes(score)) throw new Error(`--score ${score}: one of ${SCORE_KINDS.join(', ')}`);
  return {
    tables: list('--tables') ?? Object.keys(TABLE_SPECS),
    seeds: Array.from({ length: n }, (_, i) => i + 1),
    referenceSeeds: Array.from({ length: n }, (_, i) => REFERENCE_SEED0 + i + 1),
    objective: { metric, score },
    strategies: list('--strategies') ?? null,
    variants: !args.includes('--no-variants'),
    pruners: !args.includes('--no-pruners'),
    minEpochs: Number(value('--min-epochs') ?? 1),
    optuna: args.includes('--no-optuna') ? [] : list('--optuna') ?? OPTUNA_SAMPLERS,
    python: value('--python') ?? '/usr/bin/python3',
  };
}

// ---------------------------------------------------------------------------------------------
// strategies

function contextOf(obj: TabularObjective, seed: number): StrategyContext {
  const dims: Dimension[] = obj.axes.map((a) => ({ name: a.name, spec: a.spec }));
  return { dims, seed, budget: BUDGET, gridPoints: GRID_POINTS };
}

/** Registered strategies that run unattended ('manual' waits for a person). */
const KINDS = (Object.keys(STRATEGIES) as StrategyKind[]).filter((k) => k !== 'manual');

function create(kind: StrategyKind, obj: TabularObjective, seed: number): Strategy {
  const entry = STRATEGIES[kind];
  if (!entry) throw new Error(`strategy ${kind} is not registered`);
  return entry.create(contextOf(obj, seed));
}

/** Diagnostic variants (not judged against targets). */
const VARIANTS: Record<string, (obj: TabularObjective, seed: number) => Strategy> = {
  'tpe (univariate)': (obj, seed) => createTpe(contextOf(obj, seed), { multivariate: false }),
};

// ---------------------------------------------------------------------------------------------
// traces

/** `f` of every seed, in order, letting the event loop turn between seeds (the Python process
 *  beside this one is fed and drained through pipes that only move then). */
async function eachSeed<T>(seeds: number[], f: (seed: number, i: number) => T): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < seeds.length; i++) {
    out.push(f(seeds[i], i));
    await new Promise((resolve) => setImmediate(resolve));
  }
  return out;
}

/** The study's value after trial i (0-based) under a lens (Infinity before a complete trial). */
function valueAt(t: StudyTrace, lens: Lens, i: number): number {
  return (lens === 'observed' ? t.bestAfter : t.triedAfter)[i] ?? Infinity;
}

const last = (t: StudyTrace, lens: Lens) => valueAt(t, lens, t.trials.length - 1);

/** 1-based trial at which the lens value first is <= goal, or Infinity. */
function firstReach(t: StudyTrace, lens: Lens, goal: number): number {
  for (let i = 0; i < t.trials.length; i++) if (valueAt(t, lens, i) <= goal) return i + 1;
  return Infinity;
}

/** Share of the first min(BUDGET, n) trials that landed on a grid point tried before. */
function repeats(t: StudyTrace): number {
  const configs = t.trials.slice(0, BUDGET).map((x) => x.config);
  return configs.length ? 1 - new Set(configs).size / configs.length : 0;
}

/** Per study seed: trials to reach the reference under each lens (Infinity: not within CAP). */
interface Runs {
  source: 'ours' | 'optuna';
  settings?: string;
  trials: Record<Lens, number[]>;
  /** per study seed: the true value (meanValue) of the incumbent after BUDGET trials. */
  incumbent: number[];
  /** share of study seeds whose incumbent after BUDGET trials is the best grid point they tried. */
  picksBestTried: number;
  repeats: number[];
  seconds: number;
}

function runsOf(traces: StudyTrace[], reference: Record<Lens, number>, source: Runs['source'], seconds: number, settings?: string): Runs {
  return {
    source,
    settings,
    trials: Object.fromEntries(LENSES.map((l) => [l, traces.map((t) => firstReach(t, l, reference[l]))])) as Record<Lens, number[]>,
    incumbent: traces.map((t) => t.incumbentAfter[BUDGET - 1] ?? Infinity),
    picksBestTried: traces.filter((t) => t.incumbentAfter[BUDGET - 1] === t.triedAfter[BUDGET - 1]).length / traces.length,
    repeats: traces.map(repeats),
    seconds: Number(seconds.toFixed(1)),
  };
}

// ---------------------------------------------------------------------------------------------
// Optuna, through bench/optuna_replay.py

interface OptunaAnswer {
  optuna: string | null;
  reason?: string;
  samplers: Record<string, { status: 'ok'; settings: string; seconds: number; studies: { seed: number; trials: [number, number, number | null, string, number][] }[] } | { status: 'skipped'; reason: string }>;
}

type OptunaResult = { version: string; runs: Record<string, Runs>; skipped: Record<string, string> } | { skipped: string };

/**
 * Starts Optuna's samplers on `table` (see optuna_replay.py) in a Python process beside this one,
 * and resolves to their runs once it ends (or to the reason they could not run). Its trials are
 * checked one by one against this replay.
 */
function runOptuna(opts: Options, tableFile: string, obj: TabularObjective, reference: Record<Lens, number>): Promise<OptunaResult> {
  if (opts.optuna.length === 0) return Promise.resolve({ skipped: 'not asked (--no-optuna)' });
  if (!existsSync(opts.python)) return Promise.resolve({ skipped: `no ${opts.python}` });
  const request = {
    table: tableFile, metric: obj.spec.metric, score: obj.spec.score, earlyStopping: EARLY_STOPPING, lastMeanEpochs: LAST_MEAN_EPOCHS,
    seeds: opts.seeds, minTrials: BUDGET, cap: CAP, reference, samplers: opts.optuna,
  };
  const script = fileURLToPath(new URL('./optuna_replay.py', import.meta.url));
  const child = spawn(opts.python, [script], { stdio: ['pipe', 'pipe', 'inherit'] });
  const chunks: Buffer[] = [];
  child.stdout.on('data', (c: Buffer) => chunks.push(c));
  child.stdin.end(JSON.stringify(request));
  return new Promise((resolve, reject) => {
    child.on('error', (e) => resolve({ skipped: `optuna_replay.py did not start (${e.message})` }));
    child.on('close', (code) => {
      if (code !== 0) return resolve({ skipped: `optuna_replay.py failed (exit ${code})` });
      try {
        resolve(optunaRuns(JSON.parse(Buffer.concat(chunks).toString('utf8')) as OptunaAnswer, obj, reference));
      } catch (e) {
        reject(e);
      }
    });
  });
}

/** The runs of Optuna's answer, every trial checked against this replay (a disagreement throws). */
function optunaRuns(answer: OptunaAnswer, obj: TabularObjective, reference: Record<Lens, number>): OptunaResult {
  if (!answer.optuna) return { skipped: answer.reason ?? 'no optuna' };
  const runs: Record<string, Runs> = {};
  const skipped: Record<string, string> = {};
  for (const [name, s] of Object.entries(answer.samplers)) {
    if (s.status === 'skipped') {
      skipped[name] = s.reason;
      continue;
    }
    const traces = s.studies.map(({ seed, trials }) => {
      const trace = emptyTrace();
      trials.forEach(([config, seedIndex, value, state, epochs], id) => {
        const run = obj.outcome[config]?.[seedIndex];
        const same = (a: number, b: number) => (Number.isNaN(a) && Number.isNaN(b)) || Math.abs(a - b) <= 1e-12 * Math.max(1, Math.abs(b));
        if (!run || seedIndex !== replaySeedIndex(seed, id, obj.seeds) || !same(value ?? NaN, run.value) || state !== run.state || epochs !== run.epochs) {
          throw new Error(`optuna_replay.py disagrees with replay.ts: ${name}, seed ${seed}, trial ${id}: ${JSON.stringify([config, seedIndex, value, state, epochs])} vs ${JSON.stringify(run)}`);
        }
        const t: ReplayedTrial = { id, config, seedIndex, state: run.state, value: run.value, epochs };
        pushTrial(trace, obj, t);
      });
      return trace;
    });
    runs[`optuna ${name}`] = runsOf(traces, reference, 'optuna', s.seconds, s.settings);
  }
  return { version: answer.optuna, runs, skipped };
}

// ---------------------------------------------------------------------------------------------
// pruning

/** Per study seed and lens: epochs until within WITHIN of the same strategy's unpruned
 *  BUDGET-trial value, as a share of the epochs those BUDGET trials took (Infinity: not within
 *  that many epochs). */
interface PrunedRuns {
  share: Record<Lens, number[]>;
  /** per seed: epochs spent / (trials run · E) over the whole pruned study. */
  perTrial: number[];
}

async function benchPruned(obj: TabularObjective, seeds: number[], minEpochs: number, full: Record<string, StudyTrace[]>): Promise<Record<string, PrunedRuns>> {
  const out: Record<string, PrunedRuns> = {};
  for (const base of PRUNED_BASES) {
    for (const pk of Object.keys(PRUNERS) as PrunerKind[]) {
      const r: PrunedRuns = { share: { tried: [], observed: [] }, perTrial: [] };
      await eachSeed(seeds, (seed, i) => {
        const ref = full[base][i];
        const at = Math.min(BUDGET, ref.trials.length) - 1;
        const budget = ref.epochsAfter[at];
        const goal = Object.fromEntries(LENSES.map((l) => {
          const b = valueAt(ref, l, at);
          return [l, b + WITHIN * Math.abs(b)];
        })) as Record<Lens, number>;
        const spent = (t: StudyTrace) => t.epochsAfter[t.epochsAfter.length - 1] ?? 0;
        const trace = runStudy(withPruner(create(base, obj, seed), PRUNERS[pk](obj.epochs, minEpochs)), obj, seed,
          (t) => spent(t) >= budget || LENSES.every((l) => last(t, l) <= goal[l]));
        for (const l of LENSES) {
          const n = firstReach(trace, l, goal[l]);
          r.share[l].push(Number.isFinite(n) && trace.epochsAfter[n - 1] <= budget ? trace.epochsAfter[n - 1] / budget : Infinity);
        }
        r.perTrial.push(spent(trace) / (trace.trials.length * obj.epochs));
      });
      out[`${pk}+${base}`] = r;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// GP ask time

/** Finished trials around which GP asks are timed. */
const GP_TIMED = { from: 190, to: 210 };

/**
 * Wall time of the registry GP's `ask` around 200 finished trials on this table: one sequential
 * study (seed 1) replayed to GP_TIMED.to trials, every ask from GP_TIMED.from finished trials on
 * timed, and at each of them a second ask with that trial still pending (constant liar). A
 * measurement on this machine, printed beside the targets, not a test: its mean includes the
 * hyperparameter refits (every refitInterval(n) trials), its median mostly not.
 */
function gpAskTime(obj: TabularObjective) {
  const gp = create('gp', obj, 1);
  const ms: number[] = [];
  const pendingMs: number[] = [];
  for (let id = 0; id < GP_TIMED.to; id++) {
    let t0 = performance.now();
    const params = gp.ask([]);
    const dt = performance.now() - t0;
    if (params === null) break;
    if (id >= GP_TIMED.from) {
      ms.push(dt);
      t0 = performance.now();
      gp.ask([params]);
      pendingMs.push(performance.now() - t0);
    }
    obj.train(gp, 1, id, params);
  }
  const stats = (v: number[]) => ({
    median: Number(quantile(v, 0.5).toFixed(1)),
    mean: Number((v.reduce((a, b) => a + b, 0) / Math.max(1, v.length)).toFixed(1)),
    max: Number(Math.max(...v).toFixed(1)),
    n: v.length,
  });
  return { finishedTrials: `${GP_TIMED.from}..${GP_TIMED.to - 1}`, askMs: stats(ms), askWithOnePendingMs: stats(pendingMs) };
}

// ---------------------------------------------------------------------------------------------
// report

/** A number for the JSON: rounded, or `>cap` when it is a capped (infinite) statistic. */
function num(v: number, digits: number, cap: string): number | string {
  if (v === Infinity) return cap;
  if (v === -Infinity) return `-${cap}`;
  return Number(v.toFixed(digits));
}

function interval(i: Interval, digits: number, cap: string) {
  return { value: num(i.value, digits, cap), ci95: [num(i.lo, digits, cap), num(i.hi, digits, cap)] };
}

function reachOf(values: number[]) {
  const k = values.filter(Number.isFinite).length;
  const w = wilson(k, values.length);
  return { count: `${k}/${values.length}`, rate: Number(w.value.toFixed(3)), ci95: [Number(w.lo.toFixed(3)), Number(w.hi.toFixed(3))] };
}

/** Median (bootstrap interval), quartiles and reach rate (Wilson interval) of trials-to-reach. */
function summary(values: number[], stream: string, digits = 1, cap = `>${CAP}`) {
  return {
    median: interval(bootstrapMedian(values, BOOTSTRAP_SEED, stream), digits, cap),
    quartiles: [num(quantile(values, 0.25), digits, cap), num(quantile(values, 0.75), digits, cap)],
    reached: reachOf(values),
  };
}

/**
 * How much one run says about its grid point, for each score kind: among the best grid points
 * (the top 10% and 25% by mean score), the standard deviation between a grid point's seeds
 * (within), that of the grid points' true values (between, estimated from their means), and the
 * intraclass correlation between / (between + within): the share of a run's score that is the
 * grid point rather than luck. The measure behind the choice of score (README, "Which score").
 */
function noiseOf(table: TableFile, metric: MetricKey) {
  return Object.fromEntries(SCORE_KINDS.map((score) => {
    const o = new TabularObjective(table, { metric, score });
    const order = o.meanValue.map((m, k) => [m, k]).filter(([m]) => Number.isFinite(m)).sort((a, b) => a[0] - b[0]).map(([, k]) => k);
    const k = table.seeds.length;
    const at = (share: number) => {
      const top = order.slice(0, Math.max(3, Math.floor(order.length * share)));
      const means = top.map((c) => o.meanValue[c]);
      const within = top.map((c, i) => o.outcome[c].reduce((a, r) => a + (r.value - means[i]) ** 2, 0) / (k - 1)).reduce((a, b) => a + b, 0) / top.length;
      const grand = means.reduce((a, b) => a + b, 0) / means.length;
      const between = Math.max(0, means.reduce((a, m) => a + (m - grand) ** 2, 0) / (means.length - 1) - within / k);
      const p3 = (v: number) => Number(v.toPrecision(3));
      return { gridPoints: top.length, withinSd: p3(Math.sqrt(within)), betweenSd: p3(Math.sqrt(between)), icc: Number((between / (between + within || 1)).toFixed(2)) };
    };
    return [score, { top10: at(0.1), top25: at(0.25) }];
  }));
}

/** The pass/fail of `a` no worse than `b` on median and reach rate, with the difference's interval. */
function noWorse(name: string, a: Runs, b: Runs, l: Lens, stream: string) {
  const ma = quantile(a.trials[l], 0.5);
  const mb = quantile(b.trials[l], 0.5);
  const ra = a.trials[l].filter(Number.isFinite).length;
  const rb = b.trials[l].filter(Number.isFinite).length;
  const diff = bootstrapMedianDiff(a.trials[l], b.trials[l], BOOTSTRAP_SEED, stream);
  return {
    name,
    lens: l,
    pass: ma <= mb && ra >= rb,
    detail: {
      median: [num(ma, 1, `>${CAP}`), num(mb, 1, `>${CAP}`)],
      reached: [`${ra}/${a.trials[l].length}`, `${rb}/${b.trials[l].length}`],
      medianDifference: interval(diff, 1, `${CAP}+`),
    },
  };
}

async function benchTable(opts: Options, name: string) {
  const t0 = performance.now();
  const tableFile = name in TABLE_SPECS ? fileURLToPath(tablePath(name as TableName)) : name;
  const table = loadTable(tableFile);
  const obj = new TabularObjective(table, opts.objective);
  log(`${table.name}: ${table.configs.length} grid points x ${table.seeds.length} seeds, ${opts.objective.metric} scored '${opts.objective.score}'`);

  // 1. the reference, from seeds no strategy is scored on
  const refTraces = opts.referenceSeeds.map((seed) => runStudy(create('random', obj, seed), obj, seed, (t) => t.trials.length >= BUDGET));
  const reference = Object.fromEntries(LENSES.map((l) => [l, quantile(refTraces.map((t) => last(t, l)), 0.5)])) as Record<Lens, number>;
  const runValues = obj.values().flat();

  // 2. Optuna's samplers, in a Python process running beside ours
  const s0 = performance.now();
  const optunaDone = runOptuna(opts, tableFile, obj, reference);

  // 3. ours
  const names = [...KINDS, ...(opts.variants ? Object.keys(VARIANTS) : [])].filter((k) => !opts.strategies || opts.strategies.includes(k));
  const runs: Record<string, Runs> = {};
  const full: Record<string, StudyTrace[]> = {};
  for (const k of names) {
    const s0 = performance.now();
    const make = (seed: number) => (k in VARIANTS ? VARIANTS[k](obj, seed) : create(k as StrategyKind, obj, seed));
    const traces = await eachSeed(opts.seeds, (seed) => runStudy(make(seed), obj, seed,
      (t) => t.trials.length >= CAP || (t.trials.length >= BUDGET && LENSES.every((l) => last(t, l) <= reference[l]))));
    runs[k] = runsOf(traces, reference, 'ours', (performance.now() - s0) / 1000);
    full[k] = traces;
    log(`  ${k}: ${runs[k].seconds} s`);
  }

  // 4. the GP's ask time at about 200 trials (when the GP is benched)
  const gpAsk = names.includes('gp') ? gpAskTime(obj) : null;
  if (gpAsk) log(`  gp ask at ${gpAsk.finishedTrials} finished trials: median ${gpAsk.askMs.median} ms, mean ${gpAsk.askMs.mean} ms`);

  // 5. pruning
  const pruned = opts.pruners && PRUNED_BASES.every((b) => full[b]) ? await benchPruned(obj, opts.seeds, opts.minEpochs, full) : {};
  log(`  pruners: done`);

  const optuna = await optunaDone;
  if ('runs' in optuna) Object.assign(runs, optuna.runs);
  log(`  optuna: ${'runs' in optuna ? `done after ${((performance.now() - s0) / 1000).toFixed(0)} s` : `skipped (${optuna.skipped})`}`);

  // targets (judged lens)
  const l = JUDGED;
  const med = (k: string) => quantile(runs[k].trials[l], 0.5);
  const reach = (k: string) => runs[k].trials[l].filter(Number.isFinite).length / runs[k].trials[l].length;
  const targets: object[] = [];
  if (runs.random) {
    for (const k of ['tpe', 'gp'].filter((x) => runs[x])) {
      const m = bootstrapMedian(runs[k].trials[l], BOOTSTRAP_SEED, `${table.name}:${k}:${l}`);
      targets.push({
        name: `${k}: median trials to reach random's best-of-${BUDGET} <= ${TARGETS.modelVsRandom} x random's, reached in >= ${TARGETS.reachRate * 100}% of seeds`,
        lens: l,
        pass: med(k) <= TARGETS.modelVsRandom * med('random') && reach(k) >= TARGETS.reachRate,
        detail: { median: interval(m, 1, `>${CAP}`), threshold: num(TARGETS.modelVsRandom * med('random'), 1, `>${CAP}`), reached: reachOf(runs[k].trials[l]) },
      });
    }
    if (runs.quasirandom) targets.push(noWorse('quasirandom no worse than random', runs.quasirandom, runs.random, l, `${table.name}:qr`));
  }
  const optunaTpe = ['optuna tpe', 'optuna tpe-multivariate'].filter((k) => runs[k]);
  if (runs.tpe && optunaTpe.length) {
    // Optuna's better TPE: lower median, then higher reach rate
    const best = optunaTpe.sort((a, b) => med(a) - med(b) || reach(b) - reach(a))[0];
    targets.push(noWorse(`tpe no worse than Optuna's best TPE (${best.replace('optuna ', '')})`, runs.tpe, runs[best], l, `${table.name}:tpe-optuna`));
  }
  if (runs.evolution && runs['optuna cmaes']) targets.push(noWorse('evolution no worse than Optuna\'s CMA-ES', runs.evolution, runs['optuna cmaes'], l, `${table.name}:evo-cma`));
  for (const k of ['asha+random', 'asha+tpe', 'hyperband+random', 'hyperband+tpe'].filter((x) => pruned[x])) {
    const share = pruned[k].share[l];
    targets.push({
      name: `${k}: within ${WITHIN * 100}% of the full-budget value with <= 1/3 of its epochs (median over seeds)`,
      lens: l,
      pass: quantile(share, 0.5) <= TARGETS.prunedEpochShare,
      detail: { median: interval(bootstrapMedian(share, BOOTSTRAP_SEED, `${table.name}:${k}`), 3, '>1'), threshold: Number(TARGETS.prunedEpochShare.toFixed(3)), reached: reachOf(share) },
    });
  }

  const metricOut = (v: number) => Number((opts.objective.metric === 'valAcc' ? -v : v).toFixed(4));
  /** median and 95% interval of the incumbents' true values, in metric units, and the share of
   *  seeds whose incumbent is the best grid point they tried. */
  const incumbentSummary = (r: Runs, stream: string) => {
    const m = bootstrapMedian(r.incumbent.map(metricOut), BOOTSTRAP_SEED, stream);
    return { median: { value: Number(m.value.toFixed(4)), ci95: [Number(m.lo.toFixed(4)), Number(m.hi.toFixed(4))] }, isBestTried: Number(r.picksBestTried.toFixed(2)) };
  };
  return {
    table: {
      name: table.name,
      generated: table.generated.date,
      trainer: table.generated.trainer ?? 'trainTrial',
      gridPoints: table.configs.length,
      seeds: table.seeds.length,
      epochs: table.epochs,
      axes: Object.fromEntries(table.axes.map((a) => [a.name, a.values])),
    },
    noise: noiseOf(table, opts.objective.metric),
    reference: {
      seeds: `${opts.referenceSeeds[0]}..${opts.referenceSeeds[opts.referenceSeeds.length - 1]}`,
      tried: { value: metricOut(reference.tried), shareOfGridPointsReachingIt: Number((obj.meanValue.filter((v) => v <= reference.tried).length / obj.meanValue.length).toFixed(4)) },
      observed: { value: metricOut(reference.observed), shareOfRunsReachingIt: Number((runValues.filter((v) => v <= reference.observed).length / runValues.length).toFixed(4)) },
    },
    strategies: Object.fromEntries(Object.entries(runs).map(([k, r]) => [k, {
      source: r.source,
      ...(r.settings ? { settings: r.settings } : {}),
      ...Object.fromEntries(LENSES.map((x) => [x, summary(r.trials[x], `${table.name}:${k}:${x}`)])),
      incumbentAt64: incumbentSummary(r, `${table.name}:${k}:incumbent`),
      repeatedGridPoints: Number(quantile(r.repeats, 0.5).toFixed(3)),
      seconds: r.seconds,
    }])),
    optuna: 'runs' in optuna ? { version: optuna.version, skipped: optuna.skipped } : { skipped: optuna.skipped },
    ...(gpAsk ? { gpAskTime: gpAsk } : {}),
    pruned: Object.fromEntries(Object.entries(pruned).map(([k, r]) => [k, {
      ...Object.fromEntries(LENSES.map((x) => [x, summary(r.share[x], `${table.name}:${k}:${x}`, 3, '>1')])),
      epochsPerTrialShare: Number(quantile(r.perTrial, 0.5).toFixed(3)),
    }])),
    targets,
    seconds: Number(((performance.now() - t0) / 1000).toFixed(1)),
  };
}

/** Entry point (see the file comment for the options). */
export async function main(args: string[]): Promise<void> {
  const opts = parseOptions(args);
  const t0 = performance.now();
  const tables: Record<string, Awaited<ReturnType<typeof benchTable>>> = {};
  for (const name of opts.tables) {
    const r = await benchTable(opts, name);
    tables[r.table.name] = r;
  }
  const out = {
    bench: 'search',
    settings: {
      studySeeds: opts.seeds.length, referenceSeeds: `${opts.referenceSeeds.length}, from ${REFERENCE_SEED0 + 1}`, budget: BUDGET, cap: CAP,
      gridPoints: GRID_POINTS, parallel: 1, within: WITHIN, judgedLens: JUDGED,
      pruners: { eta: 3, minEpochs: opts.minEpochs, median: 'createMedianPruner() defaults' },
      objective: {
        ...opts.objective,
        ...(opts.objective.score === 'restoreBest' ? { earlyStopping: EARLY_STOPPING } : {}),
        ...(opts.objective.score === 'lastMean' ? { lastMeanEpochs: LAST_MEAN_EPOCHS } : {}),
      },
      intervals: `95%: medians by percentile bootstrap (${BOOTSTRAP_RESAMPLES} resamples, seed ${BOOTSTRAP_SEED}); reach rates by Wilson score`,
      snapping: 'nearest grid value per axis in the unit interval the strategy samples (log-aware); categoricals exact',
      noise: 'each trial replays the run of one stored seed, a hash of (study seed, trial number)',
      lenses: {
        tried: 'best mean score over the stored seeds among the grid points of the complete trials so far',
        observed: 'best score seen so far, noise included',
        incumbentAt64: 'mean score over the stored seeds of the grid point of the best trial seen, after the first 64 trials',
      },
    },
    tables,
    seconds: Number(((performance.now() - t0) / 1000).toFixed(1)),
  };
  const text = JSON.stringify(out, null, 2);
  const dir = new URL('./out/', import.meta.url);
  mkdirSync(dir, { recursive: true });
  writeFileSync(new URL('./search.json', dir), `${text}\n`);
  process.stdout.write(`${text}\n`);
}
