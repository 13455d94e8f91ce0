import type { Experiment, ParamName, ParamSpec, SearchSpace } from './types';
import { PARAMS } from './params';

/** A search space where every parameter is fixed. */
export function fixedSpace(): SearchSpace {
  return Object.fromEntries(PARAMS.map((p) => [p.name, { type: 'fixed' }])) as SearchSpace;
}

/**
 * The experiment the page opens on: a two-spiral problem with a sweep over learning rate,
 * units and L2. Its 12 trials finish in about a minute on a laptop CPU and span from tiny
 * learning rates (underfitting) to wide, unregularised nets (overfitting the noisy spiral).
 */
export function defaultExperiment(): Experiment {
  const searched: Partial<Record<ParamName, ParamSpec>> = {
    learningRate: { type: 'float', low: 3e-4, high: 0.3, log: true },
    units: { type: 'int', low: 4, high: 48, log: true },
    l2: { type: 'float', low: 1e-5, high: 3e-2, log: true },
  };
  return {
    version: 1,
    data: { id: 'spiral', noise: 0.2, samples: 300, valFraction: 0.3, seed: 1 },
    model: {
      layers: [
        { units: 16, activation: 'tanh' },
        { units: 16, activation: 'tanh' },
      ],
      dropout: 0,
      l1: 0,
      l2: 0,
      init: 'glorotUniform',
      optimizer: 'adam',
      learningRate: 0.01,
      batchSize: 16,
      epochs: 60,
    },
    space: { ...fixedSpace(), ...searched },
    strategy: { kind: 'random', budget: 12, concurrency: 2, seed: 7, gridPoints: 3 },
    backend: 'auto',
  };
}
