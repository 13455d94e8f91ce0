import type { ConvBlockSpec, EarlyStoppingConfig, Experiment, ModelSpec, ParamName, ParamSpec, PrunerConfig, SearchSpace } from './types';
import { PARAMS } from './params';

/** The ModelSpec fields a saved experiment may lack, and the value each one then has: a constant
 *  learning rate, tfjs' own momentum and Adam constants, every feature. The one home of these defaults. */
export const MODEL_DEFAULTS = {
  lrSchedule: 'constant',
  lrWarmup: 0,
  lrStepSize: 10,
  lrDecay: 0.5,
  lrFinal: 0.01,
  momentum: 0.9,
  beta1: 0.9,
  beta2: 0.999,
  topK: 0,
  augShift: 0,
  augRotate: 0,
  augNoise: 0,
  augFlip: 'off',
} as const satisfies Required<Pick<ModelSpec, OptionalModelKey>>;

/** The optional ModelSpec fields. */
export type OptionalModelKey = 'lrSchedule' | 'lrWarmup' | 'lrStepSize' | 'lrDecay' | 'lrFinal' | 'momentum' | 'beta1' | 'beta2' | 'topK'
  | 'augShift' | 'augRotate' | 'augNoise' | 'augFlip';

/** The convolution block that `convBlocks` adds when a model has none to copy. */
export const DEFAULT_CONV_BLOCK = { filters: 8, kernel: 3, stride: 1, padding: 'same', activation: 'relu', pool: 'max' } as const satisfies ConvBlockSpec;

/** `model`'s value of an optional field, or its default. */
export function modelValue<K extends OptionalModelKey>(model: ModelSpec, key: K): NonNullable<ModelSpec[K]> {
  return (model[key] ?? MODEL_DEFAULTS[key]) as NonNullable<ModelSpec[K]>;
}

/** No pruning, with the settings the UI proposes when a pruner is switched on. */
export function defaultPruner(): PrunerConfig {
  return { kind: 'none', minEpochs: 5, eta: 3, warmupTrials: 4, warmupEpochs: 5 };
}

/** Early stopping off, with the settings the UI proposes when it is switched on. */
export function defaultEarlyStopping(): EarlyStoppingConfig {
  return { enabled: false, patience: 10, minDelta: 0.001, restoreBest: true };
}

/** A search space where every parameter is fixed. */
export function fixedSpace(): SearchSpace {
  return Object.fromEntries(PARAMS.map((p) => [p.name, { type: 'fixed' }])) as SearchSpace;
}

/**
 * The experiment the page opens on: a two-spiral problem with a sweep over learning rate,
 * units and L2 for a 3-layer ReLU net. Its 12 trials finish in well under a minute on a laptop
 * CPU and span from tiny learning rates or heavy L2 (underfitting) to wide, barely regularised
 * nets whose validation loss turns up after ~40 epochs (overfitting the noisy spiral).
 */
export function defaultExperiment(): Experiment {
  const searched: Partial<Record<ParamName, ParamSpec>> = {
    learningRate: { type: 'float', low: 3e-4, high: 0.03, log: true },
    units: { type: 'int', low: 8, high: 128, log: true },
    l2: { type: 'float', low: 1e-6, high: 1e-2, log: true },
  };
  return {
    version: 1,
    data: { id: 'spiral', noise: 0.1, samples: 300, valFraction: 0.3, seed: 1, testFraction: 0.2 },
    model: {
      layers: [
        { units: 32, activation: 'relu' },
        { units: 32, activation: 'relu' },
        { units: 32, activation: 'relu' },
      ],
      dropout: 0,
      l1: 0,
      l2: 0,
      init: 'glorotUniform',
      optimizer: 'adam',
      learningRate: 0.01,
      batchSize: 16,
      epochs: 80,
    },
    space: { ...fixedSpace(), ...searched },
    strategy: {
      kind: 'random', budget: 12, concurrency: 2, autoWorkers: true, batching: true, seed: 7, gridPoints: 3,
      pruner: defaultPruner(),
      earlyStopping: defaultEarlyStopping(),
      validation: { scheme: 'holdout', k: 5 },
      repeats: 1,
    },
    backend: 'auto',
  };
}
