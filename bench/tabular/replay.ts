/**
 * A tabular objective: "training" a trial replays a stored learning curve of the grid point
 * nearest to the asked params, so a whole study runs in milliseconds. Sequential ask/tell
 * (parallel = 1), the way Sweep drives a strategy with one worker.
 */
import type { TrialParams } from '../../src/lib/experiment/types';
import { makeRng, randInt } from '../../src/lib/search/rng';
import type { Strategy, TrialOutcome } from '../../src/lib/search/types';
import { configIndex, snapIndices, type TableAxis, type TableFile } from './table';

/** Which stored curve a study minimises: 'valAcc' minimises -accuracy (as the app does for
 *  classification), 'valLoss' the validation cross-entropy. The final epoch's value counts. */
export type ObjectiveKey = 'valAcc' | 'valLoss';

/** One replayed trial. */
export interface ReplayedTrial {
  id: number;
  params: TrialParams;
  /** index of the grid point it was snapped to, and of the seed whose run was replayed. */
  config: number;
  seedIndex: number;
  outcome: TrialOutcome;
  /** epochs "trained" (reported, plus the diverged one if any). */
  epochs: number;
}

/** A stored table ready to replay. */
export class TabularObjective {
  readonly axes: TableAxis[];
  readonly epochs: number;
  /** curves[config][seedIndex]: the objective after each epoch (NaN where not finite). */
  private readonly curves: number[][][];
  private readonly diverged: boolean[][];
  /** mean final objective over the seeds of each grid point (Infinity if any seed diverged):
   *  the grid point's "true" value, as tabular benchmarks score an incumbent. */
  readonly meanFinal: number[];

  constructor(readonly table: TableFile, readonly key: ObjectiveKey) {
    this.axes = table.axes.map((a) => ({ name: a.name, spec: a.spec, values: a.values }));
    this.epochs = table.epochs;
    this.curves = table.configs.map((c) => c.runs.map((r) => (key === 'valAcc' ? r.valAcc.map((v) => (v === null ? NaN : -v)) : r.valLoss.map((v) => v ?? NaN))));
    this.diverged = table.configs.map((c) => c.runs.map((r) => r.status === 'diverged'));
    this.meanFinal = this.finals().map((f) => (f.every(Number.isFinite) ? f.reduce((a, b) => a + b, 0) / f.length : Infinity));
  }

  /** grid point index of `params` (nearest neighbour per axis, see snapIndices). */
  snap(params: TrialParams): number {
    return configIndex(this.axes, snapIndices(this.axes, params));
  }

  /** final objective of every stored run: [config][seedIndex]; NaN for diverged runs. */
  finals(): number[][] {
    return this.curves.map((runs, c) => runs.map((curve, s) => (this.diverged[c][s] ? NaN : curve[curve.length - 1])));
  }

  /**
   * Trains trial `id` of a study with seed `studySeed` by replay: the run of a seed drawn from
   * (studySeed, id) alone, so the same trial of the same study gets the same noise with or
   * without a pruner. Every epoch goes through `strategy.tellEpoch` (a pruner may stop it
   * there), then `strategy.tell` gets the outcome the pool would build (state, last value,
   * curve). A diverged run's last epoch is never reported, as in the trainer.
   */
  train(strategy: Strategy, studySeed: number, id: number, params: TrialParams): ReplayedTrial {
    const config = this.snap(params);
    const seedIndex = randInt(makeRng(studySeed, `replay:${id}`), this.curves[config].length);
    const full = this.curves[config][seedIndex];
    const diverged = this.diverged[config][seedIndex];
    const curve: number[] = [];
    let state: TrialOutcome['state'] = 'complete';
    for (let e = 1; e <= full.length; e++) {
      curve.push(full[e - 1]);
      if (diverged && e === full.length) {
        state = 'diverged';
        break;
      }
      if (strategy.tellEpoch?.(id, e, full[e - 1]) === 'prune') {
        state = 'pruned';
        break;
      }
    }
    const last = curve[curve.length - 1];
    const failed = state === 'diverged' || !Number.isFinite(last);
    const outcome: TrialOutcome = { state, objective: failed ? NaN : last, curve };
    strategy.tell(id, params, outcome);
    return { id, params, config, seedIndex, outcome, epochs: curve.length };
  }
}

/** What a sequential study saw, trial by trial. */
export interface StudyTrace {
  trials: ReplayedTrial[];
  /** best complete objective seen after each trial (Infinity while there is none). */
  bestAfter: number[];
  /** meanFinal of the incumbent's grid point after each trial: the incumbent is the complete
   *  trial with the best objective seen (Infinity while there is none). */
  incumbentAfter: number[];
  /** epochs spent after each trial, cumulative. */
  epochsAfter: number[];
  /** true when the strategy returned null (exhausted) before the stop condition. */
  exhausted: boolean;
}

/**
 * Runs `strategy` sequentially against `objective` until `stop(trace)` says so or the strategy
 * has nothing more to propose. Trial ids from 0, as the pool numbers them.
 */
export function runStudy(strategy: Strategy, objective: TabularObjective, studySeed: number, stop: (t: StudyTrace) => boolean): StudyTrace {
  const trace: StudyTrace = { trials: [], bestAfter: [], incumbentAfter: [], epochsAfter: [], exhausted: false };
  let best = Infinity;
  let incumbent = Infinity;
  let epochs = 0;
  while (!stop(trace)) {
    const params = strategy.ask([]);
    if (params === null) {
      trace.exhausted = true;
      break;
    }
    const t = objective.train(strategy, studySeed, trace.trials.length, params);
    if (t.outcome.state === 'complete' && t.outcome.objective < best) {
      best = t.outcome.objective;
      incumbent = objective.meanFinal[t.config];
    }
    epochs += t.epochs;
    trace.trials.push(t);
    trace.bestAfter.push(best);
    trace.incumbentAfter.push(incumbent);
    trace.epochsAfter.push(epochs);
  }
  return trace;
}
