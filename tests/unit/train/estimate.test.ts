import { describe, expect, it } from 'vitest';
import { defaultExperiment } from '../../../src/lib/experiment/defaults';
import { LIMITS } from '../../../src/lib/experiment/params';
import { estimateSweep, sweepThroughput, sweepWork, workOf, MIN_MEASURED_SWEEP_MS, type EstimateData } from '../../../src/lib/train/estimate';
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

describe('the work of a conv network', () => {
  const mnist = { d: 784, nClasses: 10, task: 'classification' as const, nTrain: 1600, nVal: 400, image: { width: 28, height: 28, channels: 1 } };
  const cnn = (): Experiment => {
    const e = defaultExperiment();
    e.data.id = 'mnist_2500';
    e.model.layers = [{ units: 32, activation: 'relu' }];
    e.model.conv = [{ filters: 8, kernel: 3, stride: 1, padding: 'same', activation: 'relu', pool: 'max' }];
    return e;
  };
  it('counts each conv weight once per output pixel, on the slower layers trainer', () => {
    const e = cnn();
    const dense = defaultExperiment();
    dense.data.id = 'mnist_2500';
    dense.model.layers = [{ units: 32, activation: 'relu' }];
    // 72 conv weights × 784 pixels + the dense layers' 50,496: the conv network is the more work
    expect(workOf(e.model, mnist)).toBe(5 * (72 * 784 + 1568 * 32 + 32 * 10));
    expect(workOf(dense.model, mnist)).toBe(784 * 32 + 32 + 32 * 10 + 10);
    const rate = { samplesPerSec: 10_000, workers: 1, measured: false };
    const t = (x: Experiment) => estimateSweep(x, mnist, rate).seconds;
    expect(t({ ...e, space: { ...e.space, convBlocks: { type: 'int', low: 1, high: 3, log: false } } })).toBeGreaterThan(t(e));
  });
});
