import { describe, expect, it } from 'vitest';
import { combineRuns, endValue } from '../../../src/lib/train/aggregate';
import type { EpochMetrics, TrialResult } from '../../../src/lib/train/types';

const ep = (epoch: number, valLoss: number, valAcc: number): EpochMetrics => ({ epoch, trainLoss: valLoss / 2, valLoss, trainAcc: valAcc, valAcc, elapsedMs: epoch * 10 });
const run = (vals: [number, number][], extra: Partial<TrialResult> = {}): TrialResult => ({
  trialId: 1, status: 'complete', backend: 'wasm', timeMs: 100, epochs: vals.map(([l, a], i) => ep(i + 1, l, a)),
  confusion: [[5, 1], [2, 4]], test: { loss: 0.5, acc: 0.8 }, ...extra,
});

describe('combineRuns', () => {
  it('averages curves per epoch, reports the spread, sums confusions and times', () => {
    const r = combineRuns([run([[1, 0.5], [0.5, 0.7]]), run([[0.6, 0.6], [0.3, 0.9]], { test: { loss: 0.3, acc: 0.9 } })]);
    expect(r.epochs.map((e) => e.valLoss)).toEqual([0.8, 0.4]);
    expect(r.epochs[1].valAcc).toBeCloseTo(0.8);
    expect(r.spread?.valLoss[0]).toBeCloseTo(Math.sqrt(0.08));
    expect(r.spread?.valAcc?.[1]).toBeCloseTo(Math.sqrt(0.02));
    expect(r.confusion).toEqual([[10, 2], [4, 8]]);
    expect(r.timeMs).toBe(200);
    expect(r.test?.acc).toBeCloseTo(0.85);
    expect(r.runs).toHaveLength(2);
  });

  it('ends as the worst run, averaging epochs over the runs that reached them', () => {
    const r = combineRuns([run([[1, 0.5], [0.5, 0.7], [0.4, 0.8]]), run([[0.6, 0.6]], { status: 'diverged', test: undefined })]);
    expect(r.status).toBe('diverged');
    expect(r.epochs).toHaveLength(3);
    expect(r.epochs[2].valLoss).toBe(0.4);
    expect(r.test).toBeUndefined();
  });

  it('returns a single run untouched', () => {
    const one = run([[1, 0.5]]);
    expect(combineRuns([one])).toBe(one);
  });
});

describe('endValue', () => {
  it('is the best epoch after restore-best, else the last', () => {
    const r = run([[1, 0.5], [0.2, 0.9], [0.7, 0.6]]);
    expect(endValue(r, (m) => m.valLoss)).toBe(0.7);
    expect(endValue({ ...r, bestEpoch: 2, restoredBest: true }, (m) => m.valLoss)).toBe(0.2);
  });
});
