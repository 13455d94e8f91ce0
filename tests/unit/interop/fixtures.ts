/** Experiments, datasets and studies shared by the interop tests. */
import { defaultEarlyStopping, defaultExperiment, defaultPruner, fixedSpace } from '../../../src/lib/experiment/defaults';
import type { Experiment } from '../../../src/lib/experiment/types';
import { generateDataset, getDataset } from '../../../src/lib/data/registry';
import type { Dataset } from '../../../src/lib/data/types';
import { newStudy, storeTrial } from '../../../src/lib/study/record';
import type { StudyRecord, StudyTrial } from '../../../src/lib/study/types';
import type { EpochMetrics, TrialResult } from '../../../src/lib/train/types';

/** The generated 2-D dataset an experiment names (a 2-D id). */
export function dataset2d(e: Experiment): Dataset {
  const entry = getDataset(e.data.id);
  if (!entry || entry.kind !== '2d') throw new Error(`${e.data.id} is not a 2-D dataset`);
  return generateDataset(entry, e.data);
}

/** A small moons experiment: 2 ReLU layers, the default search space replaced by `space`. */
export function moonsExperiment(o: Partial<{ budget: number; epochs: number; samples: number; noise: number }> = {}): Experiment {
  const e = defaultExperiment();
  e.data = { id: 'moons', noise: o.noise ?? 0.3, samples: o.samples ?? 240, valFraction: 0.3, seed: 3, testFraction: 0.2 };
  e.model = {
    layers: [{ units: 12, activation: 'relu' }, { units: 12, activation: 'relu' }],
    dropout: 0, l1: 0, l2: 0, init: 'glorotUniform', optimizer: 'adam', learningRate: 0.01, batchSize: 16, epochs: o.epochs ?? 8,
  };
  e.space = fixedSpace();
  e.strategy = {
    ...e.strategy, kind: 'random', budget: o.budget ?? 6, concurrency: 1, autoWorkers: false, batching: false, seed: 5, gridPoints: 3,
    pruner: defaultPruner(), earlyStopping: defaultEarlyStopping(), validation: { scheme: 'holdout', k: 3 }, repeats: 1,
  };
  return e;
}

/** An epoch of a plausible classification curve. */
function epochAt(i: number, scale: number): EpochMetrics {
  const t = i + 1;
  return { epoch: t, trainLoss: scale / t, valLoss: scale / t + 0.05, trainAcc: 1 - 0.4 / t, valAcc: 1 - 0.45 / t, elapsedMs: 12.5 * t };
}

/** A finished result of `epochs`. */
function resultOf(id: number, status: TrialResult['status'], epochs: EpochMetrics[], extra: Partial<TrialResult> = {}): TrialResult {
  return { trialId: id, status, epochs, backend: 'cpu', timeMs: 100 + id, ...extra };
}

/**
 * A study made with the lib's record helpers: a search over every kind of axis (float log and
 * linear, int log and linear, numeric and text categoricals) and a trial in every state.
 */
export function mixedStudy(): StudyRecord {
  const e = moonsExperiment({ budget: 8, epochs: 6 });
  e.space.learningRate = { type: 'float', low: 1e-4, high: 0.3, log: true };
  e.space.dropout = { type: 'float', low: 0, high: 0.5, log: false };
  e.space.units = { type: 'int', low: 4, high: 64, log: true };
  e.space.depth = { type: 'int', low: 1, high: 3, log: false };
  e.space.batchSize = { type: 'categorical', choices: [8, 16, 32] };
  e.space.optimizer = { type: 'categorical', choices: ['sgd', 'adam', 'rmsprop'] };
  e.strategy.kind = 'tpe';
  e.strategy.earlyStopping = { enabled: true, patience: 3, minDelta: 0, restoreBest: true };
  const study = newStudy({ id: 'mixed-1', now: 1_700_000_000_000, experiment: e, metric: 'valAcc', name: 'Mixed study' });
  const curve = (n: number, scale: number) => Array.from({ length: n }, (_, i) => epochAt(i, scale));
  const p = (i: number) => ({
    learningRate: [0.001, 0.02, 0.3, 1e-4, 0.0123456789, 0.05, 0.007, 0.2][i],
    dropout: [0, 0.1, 0.25, 0.5, 0.3, 0.05, 0.2, 0.45][i],
    units: [4, 8, 64, 16, 33, 5, 12, 20][i],
    depth: [1, 2, 3, 1, 2, 3, 1, 2][i],
    batchSize: [8, 16, 32, 8, 16, 32, 8, 16][i],
    optimizer: ['sgd', 'adam', 'rmsprop', 'adam', 'sgd', 'adam', 'rmsprop', 'adam'][i],
  });
  const t0 = 1_700_000_000_000;
  const snap = (id: number, state: StudyTrial['state'], epochs: EpochMetrics[], result?: TrialResult, extra: Partial<Pick<StudyTrial, 'pruneReason' | 'endedAt'>> = {}) =>
    storeTrial({ id, params: p(id), state, epochs, result, startedAt: t0 + id * 1000, endedAt: t0 + id * 1000 + 900, backend: 'cpu', worker: 0, ...extra });
  const diverged = curve(3, 1).map((x, i) => (i === 2 ? { ...x, trainLoss: NaN, valLoss: Infinity } : x));
  const trials = [
    snap(0, 'complete', curve(6, 0.9), resultOf(0, 'complete', curve(6, 0.9), { bestEpoch: 6, test: { loss: 0.3, acc: 0.9 } })),
    snap(1, 'complete', curve(6, 0.5), resultOf(1, 'complete', curve(6, 0.5), { bestEpoch: 4, restoredBest: true, stoppedEarly: true })),
    snap(2, 'pruned', curve(2, 1.2), resultOf(2, 'pruned', curve(2, 1.2)), { pruneReason: 'at epoch 2: below the median' }),
    snap(3, 'diverged', diverged, resultOf(3, 'diverged', diverged, { message: 'The loss became NaN at epoch 3' })),
    snap(4, 'failed', [], resultOf(4, 'failed', [], { message: 'worker lost' })),
    snap(5, 'cancelled', curve(1, 1), resultOf(5, 'cancelled', curve(1, 1))),
    snap(6, 'complete', curve(6, 0.7), resultOf(6, 'complete', curve(6, 0.7))),
    { ...snap(7, 'running', curve(2, 0.8)), endedAt: undefined },
  ];
  return { ...study, trials: trials.map((t) => Object.fromEntries(Object.entries(t).filter(([, v]) => v !== undefined)) as StudyTrial) };
}
