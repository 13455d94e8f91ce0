import { beforeAll, describe, expect, it } from 'vitest';
import { winnersCurseLesson as lesson } from '../../../src/lib/lessons/winners-curse';
import type { LessonTrial } from '../../../src/lib/lessons/types';
import { runLesson } from './harness';
import { ctxOf, curve, expectHonest, RUN_TIMEOUT_MS, trial, useCpu } from './helpers';

beforeAll(useCpu);

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('winners-curse lesson', () => {
  it('a real run: the winner by validation accuracy loses most of its lead on the test split', async () => {
    const { trials, experiments } = await runLesson(lesson);
    const r = lesson.read(trials, ctxOf(lesson, experiments));
    expectHonest(r);
    expect(r.appeared).toBe(true);
    const ts = trials.main;
    expect(ts).toHaveLength(24);
    const val = ts.map((t) => t.epochs[t.epochs.length - 1].valAcc!);
    const test = ts.map((t) => t.result!.test!.acc!);
    // The sweep's winner: the best final validation accuracy, the first trial on ties.
    const w = val.indexOf(Math.max(...val));
    expect(r.numbers).toMatchObject({ trials: 24, winnerId: ts[w].id + 1, winnerVal: val[w], winnerTest: test[w] });
    expect(r.numbers.valLead).toBeCloseTo(val[w] - mean(val), 12);
    expect(r.numbers.testLead).toBeCloseTo(test[w] - mean(test), 12);
    expect(r.numbers.shrink).toBeGreaterThanOrEqual(0.02);
    expect(r.numbers.winnerTestRank).toBe(1 + test.filter((t, i) => i !== w && t > test[w]).length);
  }, RUN_TIMEOUT_MS);

  /** A trial whose final validation accuracy is `val` and test accuracy `test`. */
  const scored = (id: number, val: number, test: number | null) => trial(id, {}, curve(10, () => ({ train: 0.3, val: 0.35, valAcc: val })), test === null ? {} : { test: { loss: 0.35, acc: test } });
  const honest = [0.8, 0.82, 0.84, 0.86, 0.88, 0.9].map((v, i) => scored(i, v, v));
  const lucky = [0.8, 0.82, 0.84, 0.86, 0.88, 0.94].map((v, i) => scored(i, v, i === 5 ? 0.84 : v));

  it.each([
    ['every trial scores the same on test as on validation', honest, false, /lead held up/],
    ['the winner\'s lead vanishes on test', lucky, true, /trial 6.*94\.0%.*On the test split.*84\.0%.*luck/],
    ['no test split', [0.8, 0.82, 0.84, 0.86, 0.88, 0.9].map((v, i) => scored(i, v, null)), false, /no test score/],
    ['too few trials', honest.slice(0, 3), false, /winner's curse needs many/],
  ] as const)('%s', (_, ts, appeared, words) => {
    const r = lesson.read({ main: ts as readonly LessonTrial[] }, ctxOf(lesson));
    expectHonest(r);
    expect(r.appeared).toBe(appeared);
    expect(r.sentence).toMatch(words);
  });

  it('reads the loss when the study metric is the loss (lower is better)', () => {
    const byLoss = [0.5, 0.45, 0.4, 0.3].map((v, i) => trial(i, {}, curve(10, () => ({ train: 0.2, val: v })), { test: { loss: i === 3 ? 0.48 : v } }));
    const r = lesson.read({ main: [...byLoss, ...byLoss.map((t) => ({ ...t, id: t.id + 4 }))] }, { ...ctxOf(lesson), metric: 'valLoss' });
    expectHonest(r);
    expect(r.appeared).toBe(true);
    expect(r.numbers.winnerVal).toBe(0.3);
    expect(r.numbers.winnerTest).toBe(0.48);
  });
});
