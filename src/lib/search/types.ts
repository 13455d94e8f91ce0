import type { ParamName, ParamSpec, TrialParams } from '../experiment/types';

/** A searched dimension: a hyperparameter and its (non-fixed) distribution. */
export interface Dimension {
  name: ParamName;
  spec: Exclude<ParamSpec, { type: 'fixed' }>;
}

/** Lifecycle state of a trial (literal union, as in Optuna). */
export type TrialState = 'running' | 'complete' | 'pruned' | 'failed' | 'diverged';

/** What a strategy learns at the end of a trial. `objective` is always minimised
 *  (the pool passes -accuracy for classification, validation loss for regression). */
export interface TrialOutcome {
  state: Exclude<TrialState, 'running'>;
  /** objective to minimise; NaN when the trial failed or diverged. */
  objective: number;
  /** per-epoch objective values seen (same sign convention). */
  curve: number[];
}

/** One trial as the strategy sees its history. */
export interface TrialRecord {
  id: number;
  params: TrialParams;
  state: TrialState;
  objective: number;
  curve: number[];
}

/** A pruner's answer after each epoch. */
export type EpochDecision = 'continue' | 'prune';

/**
 * Every strategy sits behind this ask/tell interface. The pool calls `ask` when a worker is
 * free, `tellEpoch` after every epoch of a running trial, and `tell` once when a trial ends.
 */
export interface Strategy {
  /** next trial's params, or null when the strategy has nothing more to propose
   *  (grid exhausted, or it waits for running trials). `pending` are the params of trials
   *  still running, so parallel-aware strategies do not propose the same point twice. */
  ask(pending: TrialParams[]): TrialParams | null;
  /** per-epoch report; a strategy with a pruner may answer 'prune'. */
  tellEpoch?(id: number, epoch: number, objective: number): EpochDecision;
  /** final report of trial `id` (ids are assigned by the pool in ask order, from 0). */
  tell(id: number, params: TrialParams, outcome: TrialOutcome): void;
  /** total trials this strategy can propose (grid size); Infinity when unbounded. */
  readonly capacity: number;
}

/** Everything a strategy factory needs. */
export interface StrategyContext {
  dims: Dimension[];
  seed: number;
  /** points per continuous axis (grid). */
  gridPoints: number;
  budget: number;
}
