/**
 * A search as an Experiment configures it: the strategy, the pruner (with its wording) and the
 * objective. One place for the page's sweep, the strategy race and a resumed study.
 */
import { conditionalParams } from '../experiment/conditions';
import type { Experiment, TrialParams } from '../experiment/types';
import { formatObjective, METRICS, objectiveFn, type MetricKey } from '../analysis/metric';
import type { EpochMetrics } from '../train/types';
import { createManual } from './manual';
import { createRandom } from './random';
import { createPruner, withPruner, type PrunerSpec } from './pruners';
import { STRATEGIES } from './registry';
import type { Pruner, Strategy, StrategyContext } from './types';

/** What createSearch needs besides the experiment. */
export interface SearchOptions {
  /** the study optimises validation accuracy (classification) rather than validation loss. */
  accuracy: boolean;
  /** manual search: the live queue the strategy takes trials from (shared, not copied). */
  manualQueue?: TrialParams[];
}

/** A ready search: the strategy (with the pruner attached, if any), the pruner, and the objective. */
export interface SearchKit {
  strategy: Strategy;
  /** the pruner inside `strategy` (for its snapshot and reasons); null when pruning is off. */
  pruner: Pruner | null;
  /** the value the search minimises from one epoch: -accuracy (fraction) or validation loss. */
  objective: (m: EpochMetrics) => number;
}

/** The metric key a search on this kind of study optimises. */
export function metricKeyOf(accuracy: boolean): MetricKey {
  return accuracy ? 'valAcc' : 'valLoss';
}

/** The strategy context of an experiment: searched dimensions (with their conditions settled
 *  against fixed parents, see conditionalParams), seed, grid points, budget. */
export function strategyContext(experiment: Experiment): StrategyContext {
  const s = experiment.strategy;
  return { dims: conditionalParams(experiment), seed: s.seed, gridPoints: s.gridPoints, budget: s.budget };
}

/** The pruner an experiment configures as plain data (its label names the metric); null when off. */
export function prunerSpecOf(experiment: Experiment, accuracy: boolean): PrunerSpec | null {
  const pr = experiment.strategy.pruner;
  const label = METRICS[metricKeyOf(accuracy)].name;
  const maxEpochs = largestEpochs(experiment);
  switch (pr.kind) {
    case 'none': return null;
    case 'median': return { kind: 'median', warmupTrials: pr.warmupTrials, warmupEpochs: pr.warmupEpochs, label };
    case 'asha': return { kind: 'asha', minEpochs: pr.minEpochs, eta: pr.eta, maxEpochs, label };
    case 'hyperband': return { kind: 'hyperband', minEpochs: pr.minEpochs, eta: pr.eta, maxEpochs, label };
  }
}

/** The most epochs any trial of `experiment` trains (the top of a searched epoch range). */
export function largestEpochs(experiment: Experiment): number {
  const spec = experiment.space.epochs;
  if (spec.type === 'int' || spec.type === 'float') return Math.max(1, Math.round(spec.high));
  if (spec.type === 'categorical') return Math.max(1, ...spec.choices.map(Number).filter(Number.isFinite));
  return experiment.model.epochs;
}

/**
 * A fresh search for `experiment`: its registered strategy (manual search reads
 * `opts.manualQueue`), wrapped with a fresh pruner when one is configured. Throws an Error naming
 * the strategy when its kind is not registered.
 */
export function createSearch(experiment: Experiment, opts: SearchOptions): SearchKit {
  const kind = experiment.strategy.kind;
  const entry = STRATEGIES[kind];
  if (!entry) throw new Error(`The ${kind} strategy is not available.`);
  const ctx = strategyContext(experiment);
  // Nothing searched: every trial is the same configuration with its own initial weights, which
  // is what a person asks for when they want to see the spread between runs.
  const base = kind === 'manual' && opts.manualQueue ? createManual(ctx, opts.manualQueue)
    : ctx.dims.length === 0 && kind !== 'grid' ? createRandom(ctx, { repeats: true })
    : entry.create(ctx);
  const key = metricKeyOf(opts.accuracy);
  const spec = prunerSpecOf(experiment, opts.accuracy);
  const pruner = spec ? createPruner(spec, (v) => formatObjective(key, v)) : null;
  return { strategy: pruner ? withPruner(base, pruner) : base, pruner, objective: objectiveFn(key) };
}
