import type { Experiment, TrialParams } from '../experiment/types';
import { resolveModel } from '../model/spec';
import type { TrialConfig } from './types';

/** Seed strides of a trial's later runs: repeat r and fold f train with seeds offset by
 *  r × REPEAT + f × FOLD (primes, so no two runs of a study share a seed). */
export const RUN_SEED_STRIDE = { repeat: 7919, fold: 104729 } as const;

/** The seed offset of run (repeat, fold) of a trial. */
export const runSeedOffset = (repeat: number, fold: number): number => repeat * RUN_SEED_STRIDE.repeat + fold * RUN_SEED_STRIDE.fold;

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
