import { describe, expect, it } from 'vitest';
import { replaySeedIndex, runOutcome, runStudy, TabularObjective, type ScoreKind } from '../../../bench/tabular/replay';
import { bootstrapMedian, quantile, wilson } from '../../../bench/tabular/stats';
import type { TableFile } from '../../../bench/tabular/table';
import { createAsha, withPruner } from '../../../src/lib/search/pruners';
import type { Strategy } from '../../../src/lib/search/types';

describe('replaySeedIndex', () => {
  // values computed by bench/optuna_replay.py's replay_seed_index: both replays must agree
  it.each([
    [1, 0, 5, 3],
    [1, 1, 5, 4],
    [7, 0, 2, 1],
    [100, 199, 5, 1],
    [1001, 63, 5, 1],
    [4294967295, 12345, 7, 3],
  ])('study %i, trial %i, %i seeds -> %i', (study, trial, n, want) => {
    expect(replaySeedIndex(study, trial, n)).toBe(want);
  });

  it('spreads the trials of a study over the seeds', () => {
    const counts = [0, 0, 0, 0, 0];
    for (let id = 0; id < 1000; id++) counts[replaySeedIndex(3, id, 5)]++;
    for (const c of counts) expect(c).toBeGreaterThan(150);
  });
});

describe('runOutcome', () => {
  // a curve that improves to epoch 3 and then drifts up: early stopping with patience 10 would
  // need 13 epochs, so over 6 epochs it never stops; restore-best ends at epoch 3
  const losses = [1, 0.8, 0.5, 0.6, 0.7, 0.9];
  const cases: [ScoreKind, number, number][] = [
    // [score, epochs trained, value]
    ['final', 6, 0.9],
    ['restoreBest', 6, 0.5],
    ['lastMean', 6, (0.8 + 0.5 + 0.6 + 0.7 + 0.9) / 5],
  ];
  it.each(cases)('%s', (score, epochs, value) => {
    const r = runOutcome(losses, losses, false, score);
    expect(r.state).toBe('complete');
    expect(r.epochs).toBe(epochs);
    expect(r.value).toBeCloseTo(value, 12);
  });

  it('restoreBest stops once 10 epochs bring no improvement larger than 0.001', () => {
    const flat = [0.5, ...Array.from({ length: 15 }, () => 0.4995)];
    const r = runOutcome(flat, flat, false, 'restoreBest');
    expect(r.epochs).toBe(11);
    expect(r.value).toBe(0.4995);
    expect(r.endEpoch).toBe(2);
  });

  it('scores the metric at the epoch of lowest loss (accuracy under restore-best)', () => {
    const acc = [-0.5, -0.7, -0.9, -0.95];
    expect(runOutcome(acc, [1, 0.5, 0.6, 0.7], false, 'restoreBest').value).toBe(-0.7);
  });

  it.each(['final', 'restoreBest', 'lastMean'] as ScoreKind[])('a diverged run has no value (%s)', (score) => {
    const r = runOutcome([1, 0.5, NaN], [1, 0.5, NaN], true, score);
    expect(r).toMatchObject({ state: 'diverged', epochs: 3 });
    expect(r.value).toBeNaN();
  });
});

/** A one-axis table: lr 0.001 and 0.01, 2 seeds, 9 epochs; lr 0.01 starts fast but ends worse,
 *  except for its lucky seed 1 (final 0.3, mean 0.55 against lr 0.001's 0.45). */
function tinyTable(): TableFile {
  const run = (seed: number, valLoss: number[]) => ({ seed, status: 'complete' as const, valLoss, valAcc: valLoss.map(() => 0.5), trainLoss: valLoss, ms: 1 });
  const slow = [2, 1.8, 1.6, 1.4, 1.2, 1.0, 0.8, 0.6, 0.4];
  const fast = [1, 0.9, 0.85, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8];
  return {
    format: 'hpp-tabular-benchmark', version: 1, name: 'tiny', description: '',
    generated: { date: '', command: '', wallTimeSec: 1, cpuTimeSec: 1, backend: 'cpu', backendProbe: {}, node: '', tfjs: '', commit: '', dirty: false, sources: {}, cpu: '' },
    data: { id: 'x', noise: 0, samples: 0, valFraction: 0.3, seed: 1, testFraction: 0, nTrain: 1, nVal: 1 },
    model: { layers: [], dropout: 0, l1: 0, l2: 0, init: 'glorotUniform', optimizer: 'adam', learningRate: 1e-3, batchSize: 1, epochs: 9 },
    seeds: [1, 2],
    epochs: 9,
    axes: [{ name: 'learningRate', spec: { type: 'float', low: 1e-3, high: 1e-2, log: true }, values: [1e-3, 1e-2] }],
    configs: [
      { params: { learningRate: 1e-3 }, runs: [run(1, slow), run(2, slow.map((v) => v + 0.1))] },
      { params: { learningRate: 1e-2 }, runs: [run(1, [...fast.slice(0, 4), 0.7, 0.6, 0.5, 0.4, 0.3]), run(2, fast)] },
    ],
  };
}

/** Alternates the two grid points, slow one first. */
function alternating(): Strategy & { told: number[] } {
  let n = 0;
  const told: number[] = [];
  return { capacity: Infinity, told, ask: () => ({ learningRate: n++ % 2 === 0 ? 1e-3 : 1e-2 }), tell: (_id, _p, o) => void told.push(o.objective) };
}

describe('TabularObjective', () => {
  it('scores grid points by their mean over seeds, and traces the lenses', () => {
    const obj = new TabularObjective(tinyTable(), { metric: 'valLoss', score: 'final' });
    expect(obj.meanValue).toEqual([0.45, 0.55]);
    // a study whose second trial replays the lucky seed of the worse grid point
    const seed = [1, 2, 3, 4, 5, 6, 7, 8].find((s) => replaySeedIndex(s, 1, 2) === 0)!;
    const trace = runStudy(alternating(), obj, seed, (t) => t.trials.length >= 2);
    expect(trace.trials.map((t) => [t.config, t.seedIndex])).toEqual([[0, replaySeedIndex(seed, 0, 2)], [1, 0]]);
    expect(trace.bestAfter[1]).toBe(0.3);
    // the lucky trial of the worse grid point is the incumbent now; the better one was tried
    expect(trace.incumbentAfter).toEqual([0.45, 0.55]);
    expect(trace.triedAfter).toEqual([0.45, 0.45]);
    expect(trace.epochsAfter).toEqual([9, 18]);
  });

  it('lets a pruner stop a trial, counts its epochs and tells the strategy it was pruned', () => {
    const obj = new TabularObjective(tinyTable(), { metric: 'valLoss', score: 'final' });
    const s = alternating();
    const pruned = withPruner(s, createAsha({ eta: 3, minEpochs: 1, maxEpochs: 9 }));
    // trial 0 (slow) sets the rungs at epochs 1 and 3; trial 1 (fast) beats it and goes on;
    // trial 2 (slow again) is no new best at epoch 1 and is pruned there
    const trace = runStudy(pruned, obj, 1, (t) => t.trials.length >= 3);
    expect(trace.trials.map((t) => [t.state, t.epochs])).toEqual([['complete', 9], ['complete', 9], ['pruned', 1]]);
    expect(trace.bestAfter[2]).toBe(trace.bestAfter[1]);
  });
});

describe('bench statistics', () => {
  it.each([
    [[1, 2, 3, 4], 0.5, 2.5],
    [[1, 2, Infinity, Infinity], 0.5, Infinity],
    [[1, 2, 3, Infinity], 0.5, 2.5],
    [[-Infinity, 1, 2], 0.25, -Infinity],
    [[5], 0.5, 5],
  ])('quantile(%j, %d) = %d', (values, q, want) => {
    expect(quantile(values, q)).toBe(want);
  });

  it('bootstraps a median reproducibly, the interval around it', () => {
    const v = Array.from({ length: 101 }, (_, i) => i);
    const a = bootstrapMedian(v, 1, 'x');
    expect(a).toEqual(bootstrapMedian(v, 1, 'x'));
    expect(a.value).toBe(50);
    expect(a.lo).toBeLessThan(50);
    expect(a.hi).toBeGreaterThan(50);
    expect(a.hi - a.lo).toBeLessThan(30);
  });

  it.each([
    [100, 100, 0.963, 1],
    [95, 100, 0.888, 0.978],
    [0, 20, 0, 0.161],
  ])('wilson(%i, %i) is [%d, %d]', (k, n, lo, hi) => {
    const w = wilson(k, n);
    expect(w.lo).toBeCloseTo(lo, 3);
    expect(w.hi).toBeCloseTo(hi, 3);
  });
});
