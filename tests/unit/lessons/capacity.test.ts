import { beforeAll, describe, expect, it } from 'vitest';
import { capacityLesson as lesson } from '../../../src/lib/lessons/capacity';
import type { LessonTrial } from '../../../src/lib/lessons/types';
import { runLesson } from './harness';
import { ctxOf, curve, decay, expectHonest, RUN_TIMEOUT_MS, trial, useCpu } from './helpers';

beforeAll(useCpu);

const last = (t: LessonTrial) => t.epochs[t.epochs.length - 1];

describe('capacity lesson', () => {
  it('a real run: 2 units underfit, 64 units overfit, against 8 units', async () => {
    const { trials, experiments } = await runLesson(lesson);
    const r = lesson.read(trials, ctxOf(lesson, experiments));
    expectHonest(r);
    expect(r.appeared).toBe(true);
    const at = (u: number) => trials.main.find((t) => t.params.units === u)!;
    expect(r.numbers).toMatchObject({ tinyUnits: 2, midUnits: 8, wideUnits: 64 });
    expect(r.numbers.tinyTrainLoss).toBe(last(at(2)).trainLoss);
    expect(r.numbers.midTrainLoss).toBe(last(at(8)).trainLoss);
    expect(r.numbers.wideValLoss).toBe(last(at(64)).valLoss);
    expect(r.numbers.wideGap).toBe(last(at(64)).valLoss - last(at(64)).trainLoss);
    expect(r.numbers.tinyTrainLoss).toBeGreaterThan(1.3 * r.numbers.midTrainLoss);
    expect(r.numbers.wideTrainLoss).toBeLessThan(r.numbers.midTrainLoss);
    expect(r.numbers.wideValLoss).toBeGreaterThan(1.1 * r.numbers.midValLoss);
  }, RUN_TIMEOUT_MS);

  const net = (id: number, units: number, train: number, val: number) =>
    trial(id, { units }, curve(100, (e) => ({ train: decay(0.7, train, 10)(e), val: decay(0.7, val, 10)(e) })));

  it.each([
    ['all sizes fit alike', [net(0, 2, 0.3, 0.35), net(1, 8, 0.3, 0.35), net(2, 64, 0.3, 0.35)], false, /not clearly unable.*no clear overfitting/],
    ['the tiny one underfits, the wide one is fine', [net(0, 2, 0.6, 0.6), net(1, 8, 0.3, 0.35), net(2, 64, 0.25, 0.33)], 'partly', /underfitting.*no clear overfitting/],
    ['the wide one overfits, the tiny one is fine', [net(0, 2, 0.32, 0.36), net(1, 8, 0.3, 0.35), net(2, 64, 0.05, 0.8)], 'partly', /not clearly unable.*That is overfitting/],
    ['two sizes only', [net(0, 2, 0.6, 0.6), net(1, 64, 0.05, 0.8)], false, /compares a small, a medium and a wide/],
  ] as const)('%s', (_, ts, appeared, words) => {
    const r = lesson.read({ main: ts as readonly LessonTrial[] }, ctxOf(lesson));
    expectHonest(r);
    expect(r.appeared).toBe(appeared);
    expect(r.sentence).toMatch(words);
  });
});
