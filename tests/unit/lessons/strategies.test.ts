import { beforeAll, describe, expect, it } from 'vitest';
import { gridEffects, strategiesLesson as lesson } from '../../../src/lib/lessons/strategies';
import type { LessonTrial } from '../../../src/lib/lessons/types';
import { runLesson } from './harness';
import { ctxOf, curve, decay, expectHonest, RUN_TIMEOUT_MS, trial, useCpu } from './helpers';

beforeAll(useCpu);

const finals = (ts: readonly LessonTrial[]) => ts.map((t) => t.epochs[t.epochs.length - 1].valLoss);
const distinct = (ts: readonly LessonTrial[]) => new Set(ts.map((t) => t.params.learningRate)).size;

describe('strategies lesson', () => {
  it('a real run: grid tries 3 learning rates, random 9, and random finds the lower validation loss', async () => {
    const { trials, experiments } = await runLesson(lesson);
    const r = lesson.read(trials, ctxOf(lesson, experiments));
    expectHonest(r);
    expect(r.appeared).toBe(true);
    for (const id of ['grid', 'random', 'tpe']) expect(trials[id]).toHaveLength(9);
    expect(r.numbers).toMatchObject({ gridValues: distinct(trials.grid), randomValues: distinct(trials.random), bayesValues: distinct(trials.tpe) });
    expect(r.numbers.gridValues).toBe(3);
    expect(r.numbers.randomValues).toBe(9);
    expect(r.numbers.gridBestValLoss).toBe(Math.min(...finals(trials.grid)));
    expect(r.numbers.randomBestValLoss).toBe(Math.min(...finals(trials.random)));
    expect(r.numbers.bayesBestValLoss).toBe(Math.min(...finals(trials.tpe)));
    expect(r.numbers.randomBestValLoss).toBeLessThanOrEqual(r.numbers.gridBestValLoss);
  }, RUN_TIMEOUT_MS);

  /** A trial at learning rate `lr` whose validation loss ends at `end`. */
  const at = (id: number, lr: number, end: number, l2 = 1e-5) => trial(id, { learningRate: lr, l2 }, curve(30, (e) => ({ train: decay(0.7, end, 5)(e), val: decay(0.7, end, 5)(e) })));
  const grid = [1e-5, 1.7e-3, 0.3].flatMap((lr, i) => [1e-6, 1e-5, 1e-4].map((l2, j) => at(3 * i + j, lr, lr === 1.7e-3 ? 0.2 + j * 0.01 : 0.6, l2)));
  const randomWide = [1e-5, 3e-5, 1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 0.1].map((lr, i) => at(i, lr, lr === 1e-2 ? 0.15 : 0.5));
  const randomWorse = [1e-5, 3e-5, 1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 0.1].map((lr, i) => at(i, lr, 0.3));
  const randomNarrow = [1e-5, 1e-5, 1e-5, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3].map((lr, i) => at(i, lr, 0.5));

  it.each([
    ['random covers more and finds lower', grid, randomWide, true, /tried 3 different learning rates and random search 9\. Random search found the lower/],
    ['random covers more but grid finds lower', grid, randomWorse, 'partly', /Yet grid search found the lower validation loss here, 0\.2/],
    ['random covers no more and finds worse', grid, randomNarrow, false, /random search 2\. Yet grid search/],
    ['no grid trials', [], randomWide, false, /grid search has no finished trial/],
  ] as const)('%s', (_, g, rnd, appeared, words) => {
    const r = lesson.read({ grid: g as readonly LessonTrial[], random: rnd as readonly LessonTrial[], tpe: [] }, ctxOf(lesson));
    expectHonest(r);
    expect(r.appeared).toBe(appeared);
    expect(r.sentence).toMatch(words);
  });

  it('gridEffects: the median spread within a learning rate against the spread of their means', () => {
    const e = lesson.runs[0].experiment;
    const f = finals(grid);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(gridEffects(grid, e).within).toBe(0); // two of the three learning rates end at the same loss for every L2
    expect(gridEffects(grid, e).between).toBeCloseTo(f[0] - mean(f.slice(3, 6)), 12);
  });
});
