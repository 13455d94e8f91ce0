import { describe, expect, it } from 'vitest';
import { defaultExperiment } from '../../../src/lib/experiment/defaults';
import { LIMITS } from '../../../src/lib/experiment/params';
import { estimateSweep, type EstimateData } from '../../../src/lib/train/estimate';
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
