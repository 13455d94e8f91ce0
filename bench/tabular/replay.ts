/**
 * A tabular objective: "training" a trial replays a stored learning curve of the grid point
 * nearest to the asked params, so a whole study runs in milliseconds. Sequential ask/tell
 * (parallel = 1), the way the pool drives a strategy with one worker.
 *
 * bench/optuna_replay.py implements the same replay for Optuna's samplers (snapping, the seed a
 * trial replays, early stopping and the scores); the bench checks every trial it reports against
 * this file.
 */
import { defaultEarlyStopping } from '../../src/lib/experiment/defaults';
import type { TrialParams } from '../../src/lib/experiment/types';
import { EarlyStopper } from '../../src/lib/search/early-stopping';
import { fmix32 } from '../../src/lib/search/permutation';
import type { Strategy, TrialOutcome, TrialState } from '../../src/lib/search/types';
import { configIndex, snapIndices, type TableAxis, type TableFile } from './table';

/** The metric a study minimises: 'valAcc' minimises -accuracy (as the app does for
 *  classification), 'valLoss' the validation cross-entropy. */
export type MetricKey = 'valAcc' | 'valLoss';

/**
 * How one training run becomes a trial's number.
 * - 'final': the metric after the last epoch (what the app reports without early stopping).
 * - 'restoreBest': early stopping on the validation loss with the app's default settings
 *   (EARLY_STOPPING: patience 10, min. improvement 0.001) and restore-best, so the metric at the
 *   epoch of lowest validation loss up to the stop; the trial trains only until the stop (what
 *   the app reports with early stopping switched on).
 * - 'lastMean': the mean of the metric over the last LAST_MEAN_EPOCHS epochs.
 */
export type ScoreKind = 'final' | 'restoreBest' | 'lastMean';

/** Every score kind, in report order. */
export const SCORE_KINDS: ScoreKind[] = ['final', 'restoreBest', 'lastMean'];

/** What a study minimises. */
export interface ObjectiveSpec {
  metric: MetricKey;
  score: ScoreKind;
}

/** Epochs averaged by the 'lastMean' score. */
export const LAST_MEAN_EPOCHS = 5;

/** Early stopping of the 'restoreBest' score: the app's defaults (one place: defaults.ts). */
export const EARLY_STOPPING = (({ patience, minDelta }) => ({ patience, minDelta }))(defaultEarlyStopping());

/**
 * The stored seed (index into the table's seeds, 0..n-1) whose run trial `trialId` (from 0) of
 * study `studySeed` replays: a hash of the two, so the same trial of the same study gets the same
 * noise with or without a pruner, in every strategy, and in bench/optuna_replay.py (which computes
 * the same hash).
 */
export function replaySeedIndex(studySeed: number, trialId: number, n: number): number {
  const h = fmix32(Math.imul(studySeed >>> 0, 0x9e3779b1) ^ fmix32(trialId + 0x632be5ab));
  return h % n;
}

/** One stored run as a trial trained to completion (no pruner) sees it. */
export interface RunOutcome {
  /** epochs trained: the early stop, the diverged epoch, or all of them. */
  epochs: number;
  state: 'complete' | 'diverged';
  /** the run's score (NaN when diverged). */
  value: number;
  /** epoch (1-based) whose weights the run ends with: the best epoch under restore-best, else the last. */
  endEpoch: number;
}

/** One replayed trial. */
export interface ReplayedTrial {
  id: number;
  /** index of the grid point it was snapped to, and of the seed whose run was replayed. */
  config: number;
  seedIndex: number;
  state: Exclude<TrialState, 'running'>;
  /** the score told to the strategy (NaN when diverged). */
  value: number;
  /** epochs "trained" (reported, plus the diverged one if any). */
  epochs: number;
}

/** A stored table ready to replay under one objective. */
export class TabularObjective {
  readonly axes: TableAxis[];
  readonly epochs: number;
  readonly seeds: number;
  /** curves[config][seedIndex]: the minimised metric after each epoch (NaN where not finite). */
  readonly curves: number[][][];
  /** outcome[config][seedIndex] of training the run to completion (no pruner). */
  readonly outcome: RunOutcome[][];
  /** mean score over the seeds of each grid point (Infinity if any seed diverged): the grid
   *  point's "true" value, as tabular benchmarks score an incumbent. */
  readonly meanValue: number[];

  constructor(readonly table: TableFile, readonly spec: ObjectiveSpec) {
    this.axes = table.axes.map((a) => ({ name: a.name, spec: a.spec, values: a.values }));
    this.epochs = table.epochs;
    this.seeds = table.seeds.length;
    const num = (v: number | null) => v ?? NaN;
    this.curves = table.configs.map((c) => c.runs.map((r) => (spec.metric === 'valAcc' ? r.valAcc.map((v) => -num(v)) : r.valLoss.map(num))));
    this.outcome = table.configs.map((c, k) => c.runs.map((r, s) => runOutcome(this.curves[k][s], r.valLoss.map(num), r.status === 'diverged', spec.score)));
    this.meanValue = this.outcome.map((runs) => (runs.every((o) => Number.isFinite(o.value)) ? runs.reduce((a, o) => a + o.value, 0) / runs.length : Infinity));
  }

  /** grid point index of `params` (nearest neighbour per axis, see snapIndices). */
  snap(params: TrialParams): number {
    return configIndex(this.axes, snapIndices(this.axes, params));
  }

  /** score of every stored run: [config][seedIndex]; NaN for diverged runs. */
  values(): number[][] {
    return this.outcome.map((runs) => runs.map((o) => o.value));
  }

  /**
   * Trains trial `id` of a study with seed `studySeed` by replay: the run of seed
   * replaySeedIndex(studySeed, id). Every epoch goes through `strategy.tellEpoch` (a pruner may
   * stop it there) up to the run's early stop, then `strategy.tell` gets the outcome the pool
   * would build (state, score, curve). A diverged run's last epoch is never reported, as in the
   * trainer. A pruned trial's score is its metric at the best epoch so far under restore-best
   * (the trainer restores those weights), else at its last epoch.
   */
  train(strategy: Strategy, studySeed: number, id: number, params: TrialParams): ReplayedTrial {
    const config = this.snap(params);
    const seedIndex = replaySeedIndex(studySeed, id, this.seeds);
    const full = this.curves[config][seedIndex];
    const run = this.outcome[config][seedIndex];
    const curve: number[] = [];
    let state: TrialOutcome['state'] = run.state;
    for (let e = 1; e <= run.epochs; e++) {
      curve.push(full[e - 1]);
      if (run.state === 'diverged' && e === run.epochs) break;
      if (strategy.tellEpoch?.(id, e, full[e - 1]) === 'prune') {
        state = 'pruned';
        break;
      }
    }
    let value = run.value;
    if (state === 'pruned') {
      const losses = this.table.configs[config].runs[seedIndex].valLoss.slice(0, curve.length).map((v) => v ?? NaN);
      value = this.spec.score === 'restoreBest' ? curve[bestEpochOf(losses) - 1] : curve[curve.length - 1];
    }
    const objective = state === 'diverged' || !Number.isFinite(value) ? NaN : value;
    strategy.tell(id, params, { state, objective, curve });
    return { id, config, seedIndex, state, value: objective, epochs: curve.length };
  }
}

/** Epoch (1-based) of the lowest finite value, the earliest on ties; 1 when none is finite. */
function bestEpochOf(losses: readonly number[]): number {
  let best = 0;
  losses.forEach((v, i) => {
    if (Number.isFinite(v) && !(losses[best] <= v)) best = i;
  });
  return best + 1;
}

/** What training one stored run to completion gives under `score` (see ScoreKind). */
export function runOutcome(curve: readonly number[], losses: readonly number[], diverged: boolean, score: ScoreKind): RunOutcome {
  const n = curve.length;
  if (score === 'restoreBest') {
    // the trainer feeds the stopper every finite epoch; a diverged epoch ends the run before it
    const stopper = new EarlyStopper(EARLY_STOPPING);
    for (let e = 1; e <= n; e++) {
      if (diverged && e === n) return { epochs: e, state: 'diverged', value: NaN, endEpoch: e };
      if (stopper.update(losses[e - 1]) === 'stop' && e < n) break;
    }
    const endEpoch = stopper.bestEpoch ?? stopper.epoch;
    return { epochs: stopper.epoch, state: 'complete', value: curve[endEpoch - 1], endEpoch };
  }
  if (diverged) return { epochs: n, state: 'diverged', value: NaN, endEpoch: n };
  if (score === 'final') return { epochs: n, state: 'complete', value: curve[n - 1], endEpoch: n };
  const tail = curve.slice(Math.max(0, n - LAST_MEAN_EPOCHS));
  return { epochs: n, state: 'complete', value: tail.reduce((a, b) => a + b, 0) / tail.length, endEpoch: n };
}

/** What a sequential study saw, trial by trial. */
export interface StudyTrace {
  trials: ReplayedTrial[];
  /** best complete score seen after each trial (Infinity while there is none). */
  bestAfter: number[];
  /** the best meanValue among the grid points of the complete trials so far, after each trial
   *  (Infinity while there is none): how good a configuration the study has trained, whether or
   *  not its noisy score let it be recognised. */
  triedAfter: number[];
  /** meanValue of the incumbent's grid point after each trial: the incumbent is the complete
   *  trial with the best score seen, what a person would pick (Infinity while there is none).
   *  Not monotone: a later, luckier run of a worse grid point can take its place. */
  incumbentAfter: number[];
  /** epochs spent after each trial, cumulative. */
  epochsAfter: number[];
  /** true when the strategy returned null (exhausted) before the stop condition. */
  exhausted: boolean;
}

/** An empty trace. */
export function emptyTrace(): StudyTrace {
  return { trials: [], bestAfter: [], triedAfter: [], incumbentAfter: [], epochsAfter: [], exhausted: false };
}

/** Appends trial `t` to `trace` (the one place the lenses are computed, for ours and Optuna's). */
export function pushTrial(trace: StudyTrace, objective: TabularObjective, t: ReplayedTrial): void {
  const n = trace.trials.length;
  let best = n ? trace.bestAfter[n - 1] : Infinity;
  let tried = n ? trace.triedAfter[n - 1] : Infinity;
  let incumbent = n ? trace.incumbentAfter[n - 1] : Infinity;
  if (t.state === 'complete') {
    tried = Math.min(tried, objective.meanValue[t.config]);
    if (t.value < best) {
      best = t.value;
      incumbent = objective.meanValue[t.config];
    }
  }
  trace.trials.push(t);
  trace.bestAfter.push(best);
  trace.triedAfter.push(tried);
  trace.incumbentAfter.push(incumbent);
  trace.epochsAfter.push((n ? trace.epochsAfter[n - 1] : 0) + t.epochs);
}

/**
 * Runs `strategy` sequentially against `objective` until `stop(trace)` says so or the strategy
 * has nothing more to propose. Trial ids from 0, as the pool numbers them.
 */
export function runStudy(strategy: Strategy, objective: TabularObjective, studySeed: number, stop: (t: StudyTrace) => boolean): StudyTrace {
  const trace = emptyTrace();
  while (!stop(trace)) {
    const params = strategy.ask([]);
    if (params === null) {
      trace.exhausted = true;
      break;
    }
    pushTrial(trace, objective, objective.train(strategy, studySeed, trace.trials.length, params));
  }
  return trace;
}
