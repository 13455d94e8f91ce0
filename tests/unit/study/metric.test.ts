import { describe, expect, it } from 'vitest';
import {
  bestIndex, bestMetric, epochMetric, finalMetric, formatMetric, formatObjective, fromDisplay, isBetter, kindOf,
  metricCurve, metricForTask, objectiveFn, objectiveToDisplay, toDisplay, type MetricKey,
} from '../../../src/lib/analysis/metric';
import type { EpochMetrics } from '../../../src/lib/train/types';

const ep = (epoch: number, valLoss: number, valAcc?: number, trainLoss = valLoss, trainAcc = valAcc): EpochMetrics =>
  ({ epoch, valLoss, trainLoss, valAcc, trainAcc, elapsedMs: epoch });
const curve = [ep(1, 0.9, 0.5, 1, 0.4), ep(2, 0.5, 0.8, 0.6, 0.7), ep(3, 0.7, 0.75, 0.3, 0.9)];

describe('study metric', () => {
  it.each([
    ['classification', 'valAcc', true],
    ['regression', 'valLoss', false],
    [undefined, 'valAcc', true],
  ] as const)('metricForTask(%s) optimises %s', (task, key, higher) => {
    expect(metricForTask(task)).toMatchObject({ key, higherBetter: higher });
  });

  it.each<[MetricKey, 'val' | 'train', number, number | undefined, number | undefined]>([
    ['valAcc', 'val', 50, 75, 80],
    ['valAcc', 'train', 40, 90, undefined],
    ['valLoss', 'val', 0.9, 0.7, 0.5],
    ['valLoss', 'train', 1, 0.3, undefined],
  ])('%s %s: first epoch %d, final %d, best %d', (key, split, first, final, best) => {
    expect(epochMetric(curve[0], key, split)).toBeCloseTo(first);
    expect(finalMetric(curve, key, split)).toBeCloseTo(final!);
    if (best !== undefined) expect(bestMetric(curve, key)).toBeCloseTo(best);
    expect(metricCurve(curve, key, split).map((p) => p.x)).toEqual([1, 2, 3]);
  });

  it('missing values: undefined without epochs, NaN without accuracy', () => {
    expect(finalMetric([], 'valAcc')).toBeUndefined();
    expect(bestMetric([], 'valLoss')).toBeUndefined();
    expect(epochMetric(ep(1, 0.5), 'valAcc')).toBeNaN();
    expect(bestMetric([ep(1, NaN)], 'valLoss')).toBeNaN();
    expect(toDisplay('valAcc', undefined)).toBeNaN();
  });

  it.each<[MetricKey, number, number, boolean]>([
    ['valAcc', 80, 70, true],
    ['valAcc', 70, 80, false],
    ['valLoss', 0.2, 0.3, true],
    ['valLoss', NaN, 0.3, false],
    ['valLoss', 0.3, NaN, true],
    ['valLoss', 0.3, 0.3, false],
  ])('isBetter(%s, %d, %d) = %s', (key, a, b, yes) => expect(isBetter(key, a, b)).toBe(yes));

  it.each<[MetricKey, number[], number]>([
    ['valAcc', [NaN, 60, 80, 80], 2],
    ['valLoss', [0.5, 0.2, NaN, 0.2], 1],
    ['valLoss', [NaN], -1],
  ])('bestIndex(%s, %j) = %d', (key, vs, i) => expect(bestIndex(vs, key)).toBe(i));

  it.each<[MetricKey, EpochMetrics, number, number, string]>([
    ['valAcc', ep(1, 0.4, 0.853), -0.853, 85.3, '85.3%'],
    ['valLoss', ep(1, 0.4123, 0.8), 0.4123, 0.4123, '0.412'],
  ])('%s: objective, display and words agree', (key, e, objective, display, words) => {
    expect(objectiveFn(key)(e)).toBeCloseTo(objective);
    expect(objectiveToDisplay(key, objective)).toBeCloseTo(display);
    expect(formatObjective(key, objective)).toBe(words);
    expect(formatMetric(key, display)).toBe(words);
    expect(fromDisplay(key, toDisplay(key, 0.5))).toBeCloseTo(0.5);
  });

  it.each([
    [{ state: 'complete' as const, verdict: { kind: 'overfitting' as const } }, 'overfitting'],
    [{ state: 'complete' as const }, 'complete'],
    [{ state: 'pruned' as const, verdict: null }, 'pruned'],
    [{ state: 'cancelled' as const }, 'cancelled'],
  ])('kindOf(%j) = %s', (t, kind) => expect(kindOf(t)).toBe(kind));

  it("formats missing values as '—'", () => {
    expect(formatMetric('valAcc', undefined)).toBe('—');
    expect(formatMetric('valLoss', NaN)).toBe('—');
  });
});
