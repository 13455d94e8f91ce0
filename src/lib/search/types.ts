import type { Condition, ParamName, ParamSpec, TrialParams } from '../experiment/types';

/** A searched dimension: a hyperparameter and its (non-fixed) distribution. A conditional one
 *  (`when`) exists only while its parent dimension does and satisfies the condition; a trial
 *  where it does not exist lacks it. A parent that is not among the dimensions never satisfies. */
export interface Dimension {
  name: ParamName;
  spec: Exclude<ParamSpec, { type: 'fixed' }>;
  when?: Condition;
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

/** A pruner's answer after each epoch (`tellEpoch` epochs are 1-based, like EpochMetrics). */
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
  /** plain-data picture of what the sampler currently believes, for the "what the sampler
   *  is thinking" panel. Pure: never consumes randomness or changes what `ask` returns. */
  describe?(): StrategySnapshot;
}

/** Everything a strategy factory needs. */
export interface StrategyContext {
  dims: Dimension[];
  seed: number;
  /** points per continuous axis (grid). */
  gridPoints: number;
  budget: number;
}

// ---------------------------------------------------------------------------------------------
// Sampler snapshots (plain, JSON-serialisable data for a visualisation panel)

/** One observed trial as a point of the unit cube (one coordinate per Dimension, categoricals
 *  at the centre of their bin), with the objective the sampler used for it. */
export interface UnitObservation {
  id: number;
  u: number[];
  /** objective as the sampler saw it (failed trials already replaced by the worst value). */
  objective: number;
}

/** TPE's two densities along one numeric dimension, on a grid of the unit interval. */
export interface TpeNumericDim {
  type: 'numeric';
  name: ParamName;
  /** grid points of the unit interval, length G (100). */
  xs: number[];
  /** the param value at each grid point (log-aware, ints rounded), length G. */
  values: number[];
  /** density l(x) of the good trials (mixture incl. prior), per unit length, length G. */
  good: number[];
  /** density g(x) of the bad trials (incl. pending trials, the constant liar), length G. */
  bad: number[];
  /** unit coordinates of the good / bad observations (the kernel centres). */
  goodPoints: number[];
  badPoints: number[];
}

/** TPE's two choice distributions for one categorical dimension. */
export interface TpeCategoricalDim {
  type: 'categorical';
  name: ParamName;
  choices: (number | string)[];
  /** probability of each choice under l (good) and g (bad); each sums to 1. */
  good: number[];
  bad: number[];
}

/** What TPE believes: which trials are good, and the densities it samples from. */
export interface TpeSnapshot {
  kind: 'tpe';
  /** 'startup': still sampling at random (dims is empty); 'model': densities are in use. */
  phase: 'startup' | 'model';
  nStartup: number;
  /** finished trials so far (complete, pruned, failed, diverged). */
  nFinished: number;
  goodIds: number[];
  badIds: number[];
  /** objective of the worst good trial: the quantile that splits good from bad (null if none). */
  threshold: number | null;
  dims: (TpeNumericDim | TpeCategoricalDim)[];
  /** the candidates drawn from l(x) at the last model-based ask, with log l - log g. */
  lastCandidates: { params: TrialParams; score: number; chosen: boolean }[];
}

/** The GP posterior along one dimension, the other dimensions held at the incumbent. */
export interface GpSlice {
  name: ParamName;
  type: 'numeric' | 'categorical';
  /** unit coordinates of the slice (100 grid points, or one per choice). */
  xs: number[];
  /** param values at xs. */
  values: (number | string)[];
  /** posterior mean and standard deviation of the objective (objective units). */
  mean: number[];
  sd: number[];
  /** expected improvement over the incumbent (objective units, >= 0). */
  ei: number[];
}

/** What the GP believes: fitted hyperparameters, and slices through the incumbent. */
export interface GpSnapshot {
  kind: 'gp';
  phase: 'startup' | 'model';
  nStartup: number;
  nFinished: number;
  /** best finished trial (lowest objective), the point the slices pass through. */
  incumbent: { id: number; params: TrialParams; objective: number } | null;
  /** fitted kernel hyperparameters (null during start-up). Lengthscales are in unit-cube
   *  units, one per dimension; variances are of what the GP models (the standardised normal
   *  scores of the objectives by default, see GpOutput in gp.ts). */
  hyper: { lengthscales: Partial<Record<ParamName, number>>; signalVariance: number; noiseVariance: number; logMarginalLikelihood: number } | null;
  observations: UnitObservation[];
  /** one slice per dimension (empty during start-up). */
  slices: GpSlice[];
}

/** One member of an evolutionary population. */
export interface EvolutionMember {
  /** trial id (null while the member waits to be asked). */
  id: number | null;
  params: TrialParams;
  /** 'random': generation 0; 'child': crossover + mutation; 'elite': carried over unchanged
   *  (not re-trained) from an earlier generation. */
  origin: 'random' | 'child' | 'elite';
  /** trial ids of the parents (empty for random members; [id] for an elite itself). */
  parents: number[];
  /** objective to minimise (null while running or waiting). */
  fitness: number | null;
  state: TrialState | 'queued';
}

/** What the genetic search is doing: its population per generation. */
export interface EvolutionSnapshot {
  kind: 'evolution';
  populationSize: number;
  elites: number;
  generations: { index: number; members: EvolutionMember[] }[];
}

/** Any strategy's snapshot (tagged union on `kind`). */
export type StrategySnapshot = TpeSnapshot | GpSnapshot | EvolutionSnapshot;

// ---------------------------------------------------------------------------------------------
// Pruners

/** Pruner kinds. */
export type PrunerKind = 'none' | 'median' | 'asha' | 'hyperband';

/** A pruner's decision with a sentence a student can read. */
export interface PruneDecision {
  action: EpochDecision;
  /** why; '' for a plain 'continue' with nothing to say. */
  reason: string;
}

/** One prune decision, for the log of a visualisation panel. */
export interface PruneRecord {
  id: number;
  /** 1-based epoch at which the trial was stopped. */
  epoch: number;
  reason: string;
}

/** One rung of successive halving: the trials that reached `epoch` and what happened to them. */
export interface RungSnapshot {
  /** rung index inside its bracket, from 0. */
  index: number;
  /** epochs of training a trial has had when it is judged at this rung. */
  epoch: number;
  /** arrivals in order; `value` is the trial's best objective up to `epoch`. */
  entries: { id: number; value: number; promoted: boolean }[];
  /** the value a newcomer would have to beat (<=) now; null while the rung is empty. */
  cutoff: number | null;
}

/** Plain-data state of a pruner (tagged union on `kind`). */
export type PrunerSnapshot =
  | { kind: 'none'; pruned: PruneRecord[] }
  | {
      kind: 'median';
      warmupTrials: number;
      warmupEpochs: number;
      /** median of completed trials' objective at each epoch, and how many trials it is over. */
      medians: { epoch: number; median: number; count: number }[];
      pruned: PruneRecord[];
    }
  | { kind: 'asha'; eta: number; minEpochs: number; maxEpochs: number | null; rungs: RungSnapshot[]; pruned: PruneRecord[] }
  | {
      kind: 'hyperband';
      eta: number;
      minEpochs: number;
      maxEpochs: number;
      brackets: { index: number; minEpochs: number; trialIds: number[]; rungs: RungSnapshot[] }[];
      pruned: PruneRecord[];
    };

/** Early stopping of whole trials from their learning curves, shared by every strategy. */
export interface Pruner {
  readonly kind: PrunerKind;
  /** objective of trial `id` after `epoch` (1-based) epochs; lower is better. */
  report(id: number, epoch: number, objective: number): PruneDecision;
  /** trial `id` ended (complete, pruned, failed...). */
  complete(id: number, outcome: TrialOutcome): void;
  /** the reason trial `id` was pruned, or null if it was not. */
  reasonFor(id: number): string | null;
  describe(): PrunerSnapshot;
}
