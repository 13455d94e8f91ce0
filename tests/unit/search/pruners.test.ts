import { describe, expect, it } from 'vitest';
import {
  createAsha,
  createHyperband,
  createMedianPruner,
  createNoPruner,
  createPruner,
  hyperbandBrackets,
  rungCutoff,
  rungEpochs,
  withPruner,
} from '../../../src/lib/search/pruners';
import { createGrid } from '../../../src/lib/search/grid';
import { createTpe } from '../../../src/lib/search/tpe';
import type { Pruner, PrunerSnapshot, TrialOutcome } from '../../../src/lib/search/types';
import { ctxOf, mixedDims } from './helpers';

/** Reports a curve epoch by epoch (1-based) until the pruner says prune; returns the epoch it was pruned at, or null. */
function feed(pruner: Pruner, id: number, curve: number[]): number | null {
  for (let e = 1; e <= curve.length; e++) if (pruner.report(id, e, curve[e - 1]).action === 'prune') return e;
  return null;
}

const complete = (curve: number[]): TrialOutcome => ({ state: 'complete', objective: curve[curve.length - 1], curve });

/** Runs a whole trial through a pruner: reports, then complete(). */
function trial(pruner: Pruner, id: number, curve: number[]): number | null {
  const at = feed(pruner, id, curve);
  pruner.complete(id, at === null ? complete(curve) : { state: 'pruned', objective: curve[at - 1], curve: curve.slice(0, at) });
  return at;
}

describe('median stopping rule', () => {
  // three completed trials; medians at epochs 2, 3, 4 are 0.8, 0.6, 0.5
  const finished = [
    [1.0, 0.8, 0.6, 0.5],
    [1.0, 0.7, 0.5, 0.4],
    [1.2, 0.9, 0.7, 0.6],
  ];

  it('prunes exactly the trials whose best-so-far is worse than the median at that epoch', () => {
    // warmupTrials 3: the first three run unjudged (else trial 2 would lose to 0 and 1 at epoch 2)
    const p = createMedianPruner({ warmupTrials: 3, warmupEpochs: 1, label: 'val loss' });
    finished.forEach((c, id) => expect(trial(p, id, c)).toBeNull());
    expect(trial(p, 3, [5.0, 0.95, 0.5, 0.4])).toBe(2); // 0.95 > 0.8
    expect(trial(p, 4, [1.1, 0.75, 0.72, 0.3])).toBe(3); // 0.75 <= 0.8, then 0.72 > 0.6
    expect(trial(p, 5, [1.1, 0.8, 0.6, 0.5])).toBeNull(); // ties continue
    expect(trial(p, 6, [0.5, 0.9, 0.9, 0.9])).toBeNull(); // best so far (0.5) counts, not the last value
    expect(p.reasonFor(3)).toBe('at epoch 2: best val loss so far 0.95 was worse than the median 0.8 of 3 completed trials at epoch 2');
    expect(p.reasonFor(5)).toBeNull();
  });

  it('prunes nothing before warmupTrials trials completed, nor at or before warmupEpochs', () => {
    const p = createMedianPruner({ warmupTrials: 2, warmupEpochs: 2 });
    expect(trial(p, 0, finished[0])).toBeNull();
    expect(feed(p, 1, [9, 9, 9, 9])).toBeNull(); // only 1 completed trial
    p.complete(1, complete([9, 9, 9, 9]));
    expect(feed(p, 2, [9, 9, 9, 9])).toBe(3); // epochs 1-2 are warm-up; median at 3 of (0.6, 9) is 4.8
  });

  it('takes the median over completed trials only and describes it per epoch', () => {
    const p = createMedianPruner({ warmupTrials: 1, warmupEpochs: 0 });
    trial(p, 0, [1, 1, 1]);
    expect(trial(p, 1, [2, 2, 2])).toBe(1);
    const snap = p.describe() as Extract<PrunerSnapshot, { kind: 'median' }>;
    expect(snap.medians).toEqual([1, 2, 3].map((epoch) => ({ epoch, median: 1, count: 1 })));
    expect(snap.pruned.map((r) => [r.id, r.epoch])).toEqual([[1, 1]]);
  });
});

describe('ASHA', () => {
  it('places rungs at minEpochs·η^k below maxEpochs', () => {
    expect(rungEpochs(1, 3, 0, 27)).toEqual([1, 3, 9]);
    expect(rungEpochs(2, 2, 1, 40)).toEqual([4, 8, 16, 32]);
  });

  it('computes the top-1/η cut-off (with fewer than η trials: the best so far)', () => {
    expect(rungCutoff([0.5, 0.6], 3)).toEqual({ cutoff: 0.5, top: 0 });
    expect(rungCutoff([0.6, 0.3, 0.5, 0.4, 0.45, 0.42], 3)).toEqual({ cutoff: 0.4, top: 2 });
  });

  it('promotes the top 1/η at the first rung as trials arrive, and prunes the rest there', () => {
    const p = createAsha({ minEpochs: 1, eta: 3, maxEpochs: 27, label: 'val loss' });
    const arrivals = [0.5, 0.6, 0.4, 0.45, 0.3, 0.42, 0.35];
    const decisions = arrivals.map((v, id) => p.report(id, 1, v).action);
    expect(decisions).toEqual(['continue', 'prune', 'continue', 'prune', 'continue', 'prune', 'continue']);
    expect(p.reasonFor(5)).toBe('at epoch 1, rung 1 (epoch 1): val loss 0.42 was not in the top 1/3 of the 6 trials at this rung (top 2, cut-off 0.4)');
    expect(p.reasonFor(1)).toMatch(/not the best of the 2 trials at this rung so far \(best 0.5\)/);
    const snap = p.describe() as Extract<PrunerSnapshot, { kind: 'asha' }>;
    expect(snap.rungs.map((r) => r.epoch)).toEqual([1, 3, 9]);
    expect(snap.rungs[0].entries.filter((e) => e.promoted).map((e) => e.id)).toEqual([0, 2, 4, 6]);
    expect(snap.rungs[0].cutoff).toBe(0.35);
    expect(snap.pruned.map((r) => r.id)).toEqual([1, 3, 5]);
  });

  it('judges a trial by its best value so far, at every rung it passes, even when epochs are skipped', () => {
    const p = createAsha({ minEpochs: 1, eta: 2, maxEpochs: 100 });
    // trial 0 sets the bar at rungs 1, 2, 4
    expect(feed(p, 0, [0.5, 0.4, 0.35, 0.3])).toBeNull();
    // trial 1: at epoch 1 its best is 0.5 (tie, continues); at epoch 2 best 0.5 > 0.4 -> pruned
    expect(feed(p, 1, [0.5, 0.6, 0.1])).toBe(2);
    // trial 2 jumps from epoch 1 to epoch 4: it passes rungs 2 and 4 at once and is judged at both
    expect(p.report(2, 1, 0.45).action).toBe('continue'); // rung 1: 3 trials, top 1 (0.5); 0.45 <= 0.5
    expect(p.report(2, 4, 0.2).action).toBe('continue');
    const rungs = (p.describe() as Extract<PrunerSnapshot, { kind: 'asha' }>).rungs;
    expect(rungs[1].entries.map((e) => e.id)).toEqual([0, 1, 2]);
    expect(rungs[2].entries.map((e) => [e.id, e.value])).toEqual([[0, 0.3], [2, 0.2]]);
  });

  it('keeps answering prune for a trial it pruned', () => {
    const p = createAsha({ eta: 2 });
    p.report(0, 1, 0.1);
    expect(p.report(1, 1, 0.9).action).toBe('prune');
    expect(p.report(1, 2, 0.01).action).toBe('prune');
  });
});

describe('Hyperband', () => {
  it('makes ⌊log_η(max/min)⌋ + 1 brackets, the last without early stopping', () => {
    expect(hyperbandBrackets(1, 27, 3)).toBe(4);
    expect(hyperbandBrackets(1, 26, 3)).toBe(3);
    const p = createHyperband({ minEpochs: 1, maxEpochs: 27, eta: 3 });
    const snap = p.describe() as Extract<PrunerSnapshot, { kind: 'hyperband' }>;
    expect(snap.brackets.map((b) => b.rungs.map((r) => r.epoch))).toEqual([[1, 3, 9], [3, 9], [9], []]);
    expect(snap.brackets.map((b) => b.minEpochs)).toEqual([1, 3, 9, 27]);
  });

  it('deals trials to brackets round-robin by id; trials compete only inside their bracket', () => {
    const p = createHyperband({ minEpochs: 1, maxEpochs: 27, eta: 3 });
    for (let id = 0; id < 8; id++) p.report(id, 1, 1);
    const snap = p.describe() as Extract<PrunerSnapshot, { kind: 'hyperband' }>;
    expect(snap.brackets.map((b) => b.trialIds)).toEqual([[0, 4], [1, 5], [2, 6], [3, 7]]);

    const q = createHyperband({ minEpochs: 1, maxEpochs: 27, eta: 3, label: 'val loss' });
    expect(feed(q, 0, [0.5])).toBeNull(); // bracket 0, rung at epoch 1
    expect(feed(q, 4, [0.9])).toBe(1); // bracket 0: not the best of 2
    expect(feed(q, 1, [0.1, 0.1, 0.1])).toBeNull(); // bracket 1: first rung at epoch 3
    expect(feed(q, 5, [0.9, 0.9, 0.9])).toBe(3); // bracket 1: loses to trial 1 at epoch 3, not before
    expect(feed(q, 3, new Array(27).fill(99))).toBeNull(); // bracket 3: never pruned
    expect(feed(q, 7, new Array(27).fill(999))).toBeNull();
    expect(q.reasonFor(4)).toMatch(/^bracket 0, at epoch 1, rung 1 \(epoch 1\): val loss 0.9 was not the best/);
    expect(q.reasonFor(5)).toMatch(/^bracket 1, at epoch 3, rung 1 \(epoch 3\)/);
  });
});

describe('withPruner', () => {
  it('lets the pruner answer tellEpoch and forwards everything else to the strategy', () => {
    const grid = createGrid(ctxOf(mixedDims, 1));
    const s = withPruner(grid, createAsha({ eta: 2 }));
    expect(s.capacity).toBe(grid.capacity);
    const a = s.ask([])!;
    expect(s.tellEpoch!(0, 1, 0.5)).toBe('continue');
    expect(s.tellEpoch!(1, 1, 0.9)).toBe('prune');
    s.tell(0, a, { state: 'complete', objective: 0.4, curve: [0.5, 0.4] });
    expect(s.pruner.describe().kind).toBe('asha');
    expect(s.describe).toBeUndefined();
  });

  it('passes describe() through and feeds the strategy the final outcomes', () => {
    const s = withPruner(createTpe(ctxOf(mixedDims, 1, 20)), createMedianPruner());
    const p = s.ask([])!;
    s.tell(0, p, { state: 'pruned', objective: 1, curve: [2, 1] });
    expect(s.describe!().kind).toBe('tpe');
    expect(s.describe!()).toMatchObject({ nFinished: 1 });
  });

  it('builds pruners from plain specs', () => {
    expect(createPruner({ kind: 'none' }).report(0, 1, 1).action).toBe('continue');
    expect(createNoPruner().describe()).toEqual({ kind: 'none', pruned: [] });
    expect(createPruner({ kind: 'hyperband', maxEpochs: 9 }).kind).toBe('hyperband');
    const accuracy = createPruner({ kind: 'asha', eta: 2, label: 'val accuracy' }, (v) => (-v).toFixed(2));
    accuracy.report(0, 1, -0.9);
    accuracy.report(1, 1, -0.6);
    expect(accuracy.reasonFor(1)).toMatch(/val accuracy 0.60 was not in the top 1\/2 of the 2 trials at this rung \(top 1, cut-off 0.90\)$/);
  });
});
