import { describe, expect, it } from 'vitest';
import { defaultExperiment } from '../../../src/lib/experiment/defaults';
import { LIMITS } from '../../../src/lib/experiment/params';
import { estimateSweep, sweepThroughput, sweepWork, MIN_MEASURED_SWEEP_MS, type EstimateData } from '../../../src/lib/train/estimate';
import type { Experiment } from '../../../src/lib/experiment/types';

const data: EstimateData = { d: 2, nClasses: 2, task: 'classification', nTrain: 400, nVal: 100 };
const rate = { samplesPerSec: 20_000, workers: 1, measured: true };

describe('estimateSweep', () => {
  it('is proportional to trials, epochs and rows for a fixed network', () => {
    const e = defaultExperiment();
    const a = estimateSweep(e, data, rate).seconds;
    const twice = structuredClone(e);
    twice.strategy.budget *= 2;
    expect(estimateSweep(twice, data, rate).seconds).toBeCloseTo(2 * a, 6);
    expect(estimateSweep(e, { ...data, nTrain: 800, nVal: 200 }, rate).seconds).toBeCloseTo(2 * a, 6);
    expect(estimateSweep(e, data, { ...rate, samplesPerSec: 40_000 }).seconds).toBeCloseTo(a / 2, 6);
  });

  it('counts k-fold and repeats as extra runs', () => {
    const e = defaultExperiment();
    const a = estimateSweep(e, data, rate).seconds;
    const k: Experiment = structuredClone(e);
    k.strategy.validation = { ...k.strategy.validation, scheme: 'kfold', k: 5 };
    k.strategy.repeats = 2;
    expect(estimateSweep(k, data, rate).seconds).toBeCloseTo(10 * a, 6);
  });

  it('says hours for a link at every limit, and answers at once', () => {
    const e: Experiment = structuredClone(defaultExperiment());
    e.model.layers = Array.from({ length: LIMITS.maxLayers }, () => ({ units: LIMITS.maxUnits, activation: 'relu' as const }));
    e.model.epochs = LIMITS.maxEpochs;
    e.model.batchSize = 1;
    for (const k of Object.keys(e.space) as (keyof Experiment['space'])[]) e.space[k] = { type: 'fixed' };
    e.strategy.budget = LIMITS.maxBudget;
    e.strategy.validation = { ...e.strategy.validation, scheme: 'kfold', k: 10 };
    e.strategy.repeats = 5;
    const t0 = performance.now();
    const est = estimateSweep(e, { d: 64, nClasses: 10, task: 'classification', nTrain: 1000, nVal: 400 }, rate);
    expect(performance.now() - t0).toBeLessThan(50);
    expect(est.seconds).toBeGreaterThan(3600 * 24);
  });
});

describe('sweep throughput (the worker count is chosen from it)', () => {
  const e = defaultExperiment();
  const rows = data.nTrain + data.nVal / 3;
  const fixedNet = (epochs: number, runs = 1) => ({ params: {}, epochs, runs });

  it('counts the base network\'s samples: epochs × rows × runs', () => {
    expect(sweepWork(e, data, [fixedNet(10)])).toBeCloseTo(10 * rows, 6);
    expect(sweepWork(e, data, [fixedNet(10), fixedNet(5, 2)])).toBeCloseTo(20 * rows, 6);
  });

  it('weighs a bigger network and a smaller batch as more work', () => {
    const base = sweepWork(e, data, [fixedNet(10)]);
    const wide = e.model.layers.map((l) => l.units * 4);
    expect(sweepWork(e, data, [{ params: { units: wide[0] }, epochs: 10, runs: 1 }])).toBeGreaterThan(2 * base);
    expect(sweepWork(e, data, [{ params: { batchSize: 4 }, epochs: 10, runs: 1 }])).toBeGreaterThan(base);
  });

  it.each([
    ['a whole sweep', 2000, 2, 4, { workers: 2, samplesPerSec: (4 * 10 * rows) / 2 }],
    ['too short to tell', MIN_MEASURED_SWEEP_MS - 1, 2, 4, null],
    ['fewer trials than workers', 2000, 3, 2, null],
    ['no worker announced', 2000, 0, 4, null],
  ])('%s', (_, ms, workers, n, want) => {
    const r = sweepThroughput(e, data, Array.from({ length: n }, () => fixedNet(10)), ms, workers);
    if (want === null) expect(r).toBeNull();
    else {
      expect(r?.workers).toBe(want.workers);
      expect(r?.samplesPerSec).toBeCloseTo(want.samplesPerSec, 6);
    }
  });
});
