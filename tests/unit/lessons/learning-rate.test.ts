import { beforeAll, describe, expect, it } from 'vitest';
import { learningRateLesson as lesson } from '../../../src/lib/lessons/learning-rate';
import type { LessonTrial } from '../../../src/lib/lessons/types';
import { runLesson } from './harness';
import { ctxOf, curve, decay, expectHonest, RUN_TIMEOUT_MS, trial, useCpu } from './helpers';

beforeAll(useCpu);

const last = (t: LessonTrial) => t.epochs[t.epochs.length - 1];

describe('learning-rate lesson', () => {
  it('a real run of the preset crawls at 3e-5, zig-zags at 0.3 and explodes at 10; the numbers are the trials\'', async () => {
    const { trials, experiments } = await runLesson(lesson);
    const r = lesson.read(trials, ctxOf(lesson, experiments));
    expectHonest(r);
    expect(r.appeared).toBe(true);
    const at = (lr: number) => trials.main.find((t) => t.params.learningRate === lr)!;
    expect(r.numbers).toMatchObject({ lowLearningRate: 3e-5, bestLearningRate: 0.01, oscLearningRate: 0.3, highLearningRate: 10 });
    expect(r.numbers.lowFinalValLoss).toBe(last(at(3e-5)).valLoss);
    expect(r.numbers.bestFinalValLoss).toBe(last(at(0.01)).valLoss);
    expect(r.numbers.highPeakLoss).toBe(Math.max(...at(10).epochs.flatMap((e) => [e.trainLoss, e.valLoss])));
    expect(r.numbers.highPeakLoss).toBeGreaterThan(3 * Math.LN2);
    expect(r.numbers.highFinalValAcc).toBe(last(at(10)).valAcc);
    expect(r.numbers.oscRoughness).toBeGreaterThan(3 * r.numbers.smoothRoughness);
    expect(r.sentence).toMatch(/still crawling.*zig-zagged.*exploded/);
  }, RUN_TIMEOUT_MS);

  const lr = (v: number) => ({ learningRate: v });
  const settled = (id: number, v: number) => trial(id, lr(v), curve(40, (e) => ({ train: decay(0.7, 0.2, 3)(e), val: decay(0.7, 0.25, 3)(e), valAcc: 0.9 })));
  const crawling = (id: number, v: number) => trial(id, lr(v), curve(40, (e) => ({ train: 0.8 - 0.006 * e, val: 0.8 - 0.006 * e, valAcc: 0.6 })));
  const zigzag = (id: number, v: number) => trial(id, lr(v), curve(40, (e) => ({ train: 0.3, val: e % 2 ? 0.3 : 0.5, valAcc: 0.85 })));
  const exploded = (id: number, v: number) => trial(id, lr(v), curve(40, (e) => ({ train: 0.7 + e, val: 0.7 + 2 * e, valAcc: 0.9 })));
  const nan = (id: number, v: number) => trial(id, lr(v), curve(5, (e) => ({ train: e < 3 ? 0.7 : NaN, val: e < 3 ? 0.7 : NaN })), { status: 'diverged' });

  it.each([
    ['every rate settles alike: nothing to see', [settled(0, 3e-5), settled(1, 0.01), settled(2, 0.3), settled(3, 10)], false, /not the steady slide.*no clear zig-zag.*no explosion/],
    ['only the top rate explodes', [settled(0, 3e-5), settled(1, 0.01), settled(2, 0.3), exploded(3, 10)], 'partly', /exploded/],
    ['crawl and zig-zag, but no explosion', [crawling(0, 3e-5), settled(1, 0.01), zigzag(2, 0.3), settled(3, 10)], 'partly', /still crawling.*zig-zagged.*no explosion/],
    ['all three, the top rate going NaN', [crawling(0, 3e-5), settled(1, 0.01), zigzag(2, 0.3), nan(3, 10)], true, /blew up: at epoch 3 it was no longer a finite number/],
    ['two rates only', [settled(0, 0.01), settled(1, 10)], false, /nothing to compare/],
  ] as const)('%s', (_, ts, appeared, words) => {
    const r = lesson.read({ main: ts as readonly LessonTrial[] }, ctxOf(lesson));
    expectHonest(r);
    expect(r.appeared).toBe(appeared);
    expect(r.sentence).toMatch(words);
  });
});
