import { describe, expect, it } from 'vitest';
import type { Finished } from '../../../src/lib/search/history';
import { createTpe, rankFinished } from '../../../src/lib/search/tpe';
import type { TpeSnapshot, TrialOutcome } from '../../../src/lib/search/types';
import { ctxOf, mixedDims } from './helpers';

/** A finished trial with only what the ranking reads. */
const f = (id: number, state: Finished['state'], value: number, steps: number): Finished => ({ id, params: {}, u: [], state, value, steps });

describe('rankFinished (Optuna\'s order: complete, then pruned by epochs reached, then by value)', () => {
  it.each([
    ['complete trials by value', [f(0, 'complete', 0.5, 9), f(1, 'complete', 0.3, 9)], [1, 0]],
    ['complete before pruned, even a better pruned one', [f(0, 'pruned', 0.1, 3), f(1, 'complete', 0.9, 9)], [1, 0]],
    ['pruned later before pruned earlier', [f(0, 'pruned', 0.2, 1), f(1, 'pruned', 0.6, 3), f(2, 'pruned', 0.4, 3)], [2, 1, 0]],
    ['no value last', [f(0, 'diverged', NaN, 2), f(1, 'pruned', 0.9, 1), f(2, 'failed', NaN, 0)], [1, 0, 2]],
    ['ties by id', [f(3, 'complete', 0.5, 9), f(1, 'complete', 0.5, 9)], [1, 3]],
  ])('%s', (_, trials, order) => {
    expect(rankFinished(trials).map((t) => t.id)).toEqual(order);
  });
});

describe('TPE under a pruner', () => {
  it('fills its good set with the pruned trials that got furthest when few trials completed', () => {
    const tpe = createTpe(ctxOf(mixedDims, 1, 40), { nStartup: 5 });
    const outcome = (state: TrialOutcome['state'], curve: number[]): TrialOutcome => ({ state, objective: curve[curve.length - 1], curve });
    // trial 0 completes; 1..29 are pruned at epoch 1, except 7 and 12, stopped at epoch 3
    for (let id = 0; id < 30; id++) {
      const p = tpe.ask([])!;
      if (id === 0) tpe.tell(id, p, outcome('complete', [0.9, 0.8, 0.7, 0.6]));
      else if (id === 7 || id === 12) tpe.tell(id, p, outcome('pruned', [0.5, 0.45, id === 7 ? 0.44 : 0.4]));
      else tpe.tell(id, p, outcome('pruned', [0.3 + id / 100]));
    }
    const snap = tpe.describe!() as TpeSnapshot;
    // gamma(30) = 3 good trials: the complete one, then the two that reached epoch 3 (12 is better there)
    expect(snap.goodIds).toEqual([0, 7, 12]);
    expect(snap.threshold).toBe(0.44);
  });
});
