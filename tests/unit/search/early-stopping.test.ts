import { describe, expect, it } from 'vitest';
import { EarlyStopper, earlyStopping } from '../../../src/lib/search/early-stopping';

describe('earlyStopping', () => {
  const curve = [1.0, 0.8, 0.7, 0.71, 0.72, 0.69, 0.7, 0.71, 0.72, 0.6];

  it.each([
    // [options, stopEpoch, bestEpoch, bestValue]
    [{ patience: 3 }, 9, 6, 0.69], // 0.69 resets the wait; epochs 7-9 do not improve
    [{ patience: 3, minDelta: 0.02 }, 6, 6, 0.69], // 0.69 is not 0.02 better than 0.7; best is still epoch 6
    [{ patience: 5 }, null, 10, 0.6], // never waits 5 epochs
    [{ patience: 1 }, 4, 3, 0.7],
    [{ patience: 1, minEpochs: 6 }, 7, 6, 0.69], // epochs 4, 5 would stop but are before minEpochs
  ] as const)('%o stops at %s, best epoch %s', (options, stopEpoch, bestEpoch, bestValue) => {
    expect(earlyStopping(curve, options)).toEqual({ stopEpoch, bestEpoch, bestValue });
  });

  it('never counts NaN as an improvement', () => {
    expect(earlyStopping([0.5, NaN, NaN], { patience: 2 })).toEqual({ stopEpoch: 3, bestEpoch: 1, bestValue: 0.5 });
    expect(earlyStopping([NaN], { patience: 3 })).toEqual({ stopEpoch: null, bestEpoch: null, bestValue: NaN });
  });
});

describe('EarlyStopper', () => {
  it('tracks one epoch at a time and keeps saying stop once stopped', () => {
    const s = new EarlyStopper({ patience: 2 });
    expect([0.5, 0.4, 0.45, 0.41].map((v) => s.update(v))).toEqual(['continue', 'continue', 'continue', 'stop']);
    expect(s.update(0.1)).toBe('stop');
    expect({ epoch: s.epoch, bestEpoch: s.bestEpoch, bestValue: s.bestValue, stopped: s.stopped }).toEqual({ epoch: 4, bestEpoch: 2, bestValue: 0.4, stopped: true });
  });
});
