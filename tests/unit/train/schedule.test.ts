import { describe, expect, it } from 'vitest';
import { epochRates, lrAt, lrCurve, scheduleOf, scheduleText, type LrSchedule } from '../../../src/lib/train/schedule';
import type { ModelSpec } from '../../../src/lib/experiment/types';

const S = (s: Partial<LrSchedule>): LrSchedule => ({ kind: 'constant', warmup: 0, stepSize: 10, decay: 0.5, final: 0.01, ...s });
const cos = (p: number, f: number) => f + ((1 - f) * (1 + Math.cos(Math.PI * p))) / 2;

describe('lrAt', () => {
  it.each([
    // [what, schedule, base, epoch, epochs, expected]
    ['constant, first epoch', S({}), 0.1, 1, 10, 0.1],
    ['constant, last epoch', S({}), 0.1, 10, 10, 0.1],
    ['constant with 3 warm-up epochs, epoch 1', S({ warmup: 3 }), 0.1, 1, 10, 0.1 / 4],
    ['constant with 3 warm-up epochs, epoch 3', S({ warmup: 3 }), 0.1, 3, 10, 0.3 / 4],
    ['constant with 3 warm-up epochs, epoch 4', S({ warmup: 3 }), 0.1, 4, 10, 0.1],
    ['step: before the first step', S({ kind: 'step', stepSize: 5, decay: 0.5 }), 0.1, 5, 20, 0.1],
    ['step: after the first step', S({ kind: 'step', stepSize: 5, decay: 0.5 }), 0.1, 6, 20, 0.05],
    ['step: after three steps', S({ kind: 'step', stepSize: 5, decay: 0.5 }), 0.1, 16, 20, 0.0125],
    ['step counts from the end of warm-up', S({ kind: 'step', stepSize: 5, decay: 0.1, warmup: 2 }), 1, 7, 20, 1],
    ['step counts from the end of warm-up (next)', S({ kind: 'step', stepSize: 5, decay: 0.1, warmup: 2 }), 1, 8, 20, 0.1],
    ['exponential: first epoch at the base', S({ kind: 'exponential', final: 0.01 }), 0.1, 1, 11, 0.1],
    ['exponential: halfway at √final', S({ kind: 'exponential', final: 0.01 }), 0.1, 6, 11, 0.01],
    ['exponential: last epoch at final · base', S({ kind: 'exponential', final: 0.01 }), 0.1, 11, 11, 0.001],
    ['cosine: first epoch at the base', S({ kind: 'cosine', final: 0 }), 0.2, 1, 11, 0.2],
    ['cosine: halfway at the mean of base and final', S({ kind: 'cosine', final: 0.1 }), 0.2, 6, 11, 0.2 * 0.55],
    ['cosine: a quarter of the way', S({ kind: 'cosine', final: 0 }), 1, 4, 11, cos(0.3, 0)],
    ['cosine: last epoch at final · base', S({ kind: 'cosine', final: 0.1 }), 0.2, 11, 11, 0.02],
    ['cosine after warm-up: first epoch after it', S({ kind: 'cosine', final: 0, warmup: 4 }), 1, 5, 15, 1],
    ['cosine after warm-up: last epoch', S({ kind: 'cosine', final: 0, warmup: 4 }), 1, 15, 15, 0],
    ['cosine, a one-epoch trial: the base', S({ kind: 'cosine', final: 0 }), 0.3, 1, 1, 0.3],
    ['warm-up as long as the trial: the last epoch reaches the base', S({ kind: 'cosine', warmup: 50 }), 1, 5, 5, 1],
    ['warm-up as long as the trial: the first epoch', S({ kind: 'cosine', warmup: 50 }), 1, 1, 5, 1 / 5],
    ['past the last epoch: held at the end', S({ kind: 'exponential', final: 0.5 }), 1, 20, 11, 0.5],
  ] as [string, LrSchedule, number, number, number, number][])('%s', (_what, s, base, epoch, epochs, expected) => {
    expect(lrAt(s, base, epoch, epochs)).toBeCloseTo(expected, 12);
  });

  it.each(['constant', 'step', 'exponential', 'cosine'] as const)('%s: never above the base, never negative, non-increasing after warm-up', (kind) => {
    const s = S({ kind, warmup: 3, stepSize: 4, decay: 0.7, final: 0.05 });
    const curve = Array.from({ length: 40 }, (_, i) => lrAt(s, 0.1, i + 1, 40));
    for (const lr of curve) {
      expect(lr).toBeGreaterThanOrEqual(0);
      expect(lr).toBeLessThanOrEqual(0.1 + 1e-15);
    }
    for (let i = 4; i < curve.length; i++) expect(curve[i]).toBeLessThanOrEqual(curve[i - 1] + 1e-15);
    for (let i = 1; i < 3; i++) expect(curve[i]).toBeGreaterThan(curve[i - 1]);
  });
});

describe('scheduleOf and lrCurve', () => {
  const model: ModelSpec = { layers: [], dropout: 0, l1: 0, l2: 0, init: 'glorotUniform', optimizer: 'adam', learningRate: 0.1, batchSize: 8, epochs: 4 };

  it('a model saved before schedules trains at a constant rate', () => {
    expect(scheduleOf(model)).toEqual({ kind: 'constant', warmup: 0, stepSize: 10, decay: 0.5, final: 0.01 });
    expect(lrCurve(model)).toEqual([0.1, 0.1, 0.1, 0.1]);
  });

  it('reads the schedule fields of the model', () => {
    const m: ModelSpec = { ...model, lrSchedule: 'step', lrStepSize: 1, lrDecay: 0.5, lrWarmup: 1 };
    expect(lrCurve(m).map((x) => Number(x.toPrecision(12)))).toEqual([0.05, 0.1, 0.05, 0.025]);
  });
});

describe('epochRates and scheduleText', () => {
  const model: ModelSpec = { layers: [], dropout: 0, l1: 0, l2: 0, init: 'glorotUniform', optimizer: 'adam', learningRate: 1, batchSize: 8, epochs: 5, lrSchedule: 'step', lrStepSize: 2, lrDecay: 0.5 };

  it('takes the reported rate, else the schedule\'s (sampled epochs of a results link too)', () => {
    expect(epochRates(model, [{ epoch: 1, lr: 0.3 }, { epoch: 3 }, { epoch: 5 }])).toEqual([0.3, 0.5, 0.25]);
  });

  it.each([
    [S({}), 'constant'],
    [S({ kind: 'step', decay: 0.5, stepSize: 10 }), '×0.5 every 10 epochs'],
    [S({ kind: 'exponential', final: 0.01 }), 'exponential decay to 1% of the base'],
    [S({ kind: 'cosine', final: 0, warmup: 1 }), 'cosine to 0% of the base, after 1 warm-up epoch'],
  ] as [LrSchedule, string][])('%j reads "%s"', (s, text) => {
    expect(scheduleText(s)).toBe(text);
  });
});
