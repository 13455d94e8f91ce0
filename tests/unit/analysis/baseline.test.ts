import { describe, expect, it } from 'vitest';
import { KNN_KS, knnReference } from '../../../src/lib/analysis/baseline';
import { parseMlpg } from '../../../src/lib/data/mlpg';
import { prepare } from '../../../src/lib/data/split';
import type { TrainData } from '../../../src/lib/train/types';
import { readMlpg } from '../data/fixtures';

type Split = Pick<TrainData, 'task' | 'd' | 'nClasses' | 'xTrain' | 'yTrain' | 'xVal' | 'yVal'>;

/** A split from row arrays: x as rows of d numbers. */
function split(task: TrainData['task'], nClasses: number, train: [number[], number][], val: [number[], number][]): Split {
  const d = train[0]?.[0].length ?? val[0]?.[0].length ?? 1;
  return {
    task, d, nClasses,
    xTrain: Float32Array.from(train.flatMap(([x]) => x)), yTrain: Float32Array.from(train.map(([, y]) => y)),
    xVal: Float32Array.from(val.flatMap(([x]) => x)), yVal: Float32Array.from(val.map(([, y]) => y)),
  };
}

// two well-separated 1-D clusters, one row of class 1 planted inside class 0's cluster
const clusters = split('classification', 2,
  [[[0], 0], [[0.1], 0], [[0.2], 0], [[0.15], 1], [[5], 1], [[5.1], 1], [[5.2], 1]],
  [[[0.14], 0], [[0.05], 0], [[5.05], 1], [[4.9], 1]]);

describe('knnReference', () => {
  it.each([
    // 1-NN copies the planted row's class for the first validation row; 3-NN out-votes it
    { name: 'majority vote beats a planted outlier', data: clusters, metric: 'accuracy', value: 1, k: 3 },
    { name: 'regression: the neighbours\' mean target', data: split('regression', 1,
      [[[0], 0], [[1], 1], [[2], 2], [[3], 3]], [[[0.1], 0], [[2.9], 3]]), metric: 'loss', value: 0, k: 1 },
    { name: 'k is capped at the training rows', data: split('classification', 2, [[[0], 1]], [[[1], 1], [[2], 0]]),
      metric: 'accuracy', value: 0.5, k: 1 },
    // nearest first: classes 2, 1, 0, 0, 1. 1-NN and 3-NN (a three-way tie) say 2; 5-NN ties 1 and 0
    // at two votes each and must pick 1, the class of the nearer tied neighbour (not the lower index)
    { name: 'ties go to the class of the nearest tied neighbour', data: split('classification', 3,
      [[[1], 2], [[1.1], 1], [[1.2], 0], [[1.3], 0], [[1.4], 1]], [[[0.95], 1]]), metric: 'accuracy', value: 1, k: 5 },
  ])('$name', ({ data, metric, value, k }) => {
    const r = knnReference(data)!;
    expect(r.metric).toBe(metric);
    expect(r.value).toBeCloseTo(value, 6);
    expect(r.name).toBe(`a ${k}-nearest-neighbour ${metric === 'accuracy' ? 'classifier' : 'regressor'}`);
  });

  it('returns null for an empty split', () => {
    expect(knnReference({ ...clusters, xVal: new Float32Array(0), yVal: new Float32Array(0) })).toBeNull();
    expect(knnReference({ ...clusters, xTrain: new Float32Array(0), yTrain: new Float32Array(0) })).toBeNull();
  });

  it('tries every k of KNN_KS that the training rows allow', () => {
    expect(KNN_KS[0]).toBe(1);
    expect([...KNN_KS].sort((a, b) => a - b)).toEqual(KNN_KS);
  });

  const digits = prepare(parseMlpg(readMlpg('digits8x8').header, readMlpg('digits8x8').bin),
    { id: 'digits8x8', noise: 0, samples: 0, valFraction: 0.25, seed: 1, testFraction: 0 }).data;

  it('digits8x8: about 98% on the verdict fixtures\' split, in tens of milliseconds', () => {
    knnReference(digits); // warm-up (JIT)
    const t = performance.now();
    const r = knnReference(digits)!;
    const ms = performance.now() - t;
    expect(r.metric).toBe('accuracy');
    expect(r.value).toBeGreaterThan(0.97);
    expect(r.value).toBeLessThan(0.99);
    // about 30-45 ms on one core of the dev machine; generous for a shared CI runner
    expect(ms).toBeLessThan(400);
  });

  it('thins both splits evenly when the work would exceed maxWork, deterministically', () => {
    const a = knnReference(digits, 1e6)!;
    const b = knnReference(digits, 1e6)!;
    expect(a).toEqual(b);
    expect(a.value).toBeGreaterThan(0.85); // ~1/6 of the rows each side still classify digits well
  });
});
