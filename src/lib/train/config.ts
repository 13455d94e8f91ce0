import type { Experiment, TrialParams } from '../experiment/types';
import { resolveModel } from '../model/spec';
import type { TrialConfig } from './types';

/**
 * The config of trial `id` of `experiment` with its searched `params`: its model, its seed, and
 * the sweep's shared mini-batch order. One place for the pool and for views rebuilt from a saved
 * study. `boundary`: the decision-surface grid (side, and extent in standardised units) for 2-D data.
 */
export function trialConfig(
  experiment: Experiment,
  id: number,
  params: TrialParams,
  boundary: { grid: number; extent?: [number, number, number, number] } = { grid: 0 },
): TrialConfig {
  const es = experiment.strategy.earlyStopping;
  return {
    trialId: id,
    model: resolveModel(experiment.model, params),
    seed: experiment.strategy.seed * 1000 + id,
    // Every trial of a sweep sees the same mini-batches (per fold and repeat): configurations
    // are compared on equal terms, and batched training gives each trial its solo result.
    shuffleSeed: experiment.strategy.seed * 1000 + 999,
    boundaryGrid: boundary.grid,
    boundaryExtent: boundary.extent,
    ...(es.enabled ? { earlyStopping: { patience: es.patience, minDelta: es.minDelta, restoreBest: es.restoreBest } } : {}),
  };
}
