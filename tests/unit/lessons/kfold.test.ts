import { beforeAll, describe, expect, it } from 'vitest';
import { kfoldLesson as lesson } from '../../../src/lib/lessons/kfold';
import type { LessonTrial } from '../../../src/lib/lessons/types';
import { runLesson } from './harness';
import { ctxOf, curve, expectHonest, RUN_TIMEOUT_MS, trial, useCpu } from './helpers';

beforeAll(useCpu);

describe('kfold lesson', () => {
  it('a real run: the five folds\' scores spread by several points; the numbers are the folds\'', async () => {
    const { trials, experiments } = await runLesson(lesson);
    const r = lesson.read(trials, ctxOf(lesson, experiments));
    expectHonest(r);
    expect(r.appeared).toBe(true);
    const runs = trials.kfold[0].result!.runs!;
    expect(runs).toHaveLength(5);
    const accs = runs.map((x) => x.epochs![x.epochs!.length - 1].valAcc!);
    expect(r.numbers).toMatchObject({ folds: 5, foldMin: Math.min(...accs), foldMax: Math.max(...accs) });
    expect(r.numbers.foldMean).toBeCloseTo(accs.reduce((a, b) => a + b, 0) / 5, 12);
    expect(r.numbers.foldRange).toBeGreaterThanOrEqual(0.05);
    const single = trials.single[0];
    expect(r.numbers.singleScore).toBe(single.epochs[single.epochs.length - 1].valAcc);
  }, RUN_TIMEOUT_MS);

  /** A k-fold trial whose folds end at these validation accuracies. */
  const folds = (accs: number[]): LessonTrial => {
    const runs = accs.map((a) => ({ status: 'complete' as const, epochs: curve(10, () => ({ train: 0.3, val: 0.4 - a / 10, valAcc: a })) }));
    const m = accs.reduce((x, y) => x + y, 0) / accs.length;
    return trial(0, {}, curve(10, () => ({ train: 0.3, val: 0.35, valAcc: m })), { runs });
  };
  const single = trial(0, {}, curve(10, () => ({ train: 0.3, val: 0.35, valAcc: 0.9 })));
  /** A saved k-fold trial: the mean curve, the spread, and the runs' statuses only. */
  const stored = (sd: number): LessonTrial => trial(0, {}, curve(10, () => ({ train: 0.3, val: 0.35, valAcc: 0.88 })), {
    runs: Array.from({ length: 5 }, () => ({ status: 'complete' as const })),
    spread: { valLoss: new Array(10).fill(0.05), valAcc: new Array(10).fill(sd) },
  });

  it.each([
    ['the folds agree', [folds([0.9, 0.9, 0.91, 0.9, 0.9])], false, /agreed closely/],
    ['the folds spread', [folds([0.8, 0.9, 0.95, 0.85, 0.9])], true, /between 80\.0% and 95\.0%.*15 points.*single 80\/20 split reported 90\.0%/],
    ['a saved study: wide spread', [stored(0.04)], 'partly', /Only the mean over the 5 folds was kept, 88\.0%.*4 points.*9\.3 points apart/],
    ['a saved study: narrow spread', [stored(0.005)], false, /agreed closely/],
    ['no k-fold trial', [], false, /no per-fold scores/],
  ] as const)('%s', (_, kf, appeared, words) => {
    const r = lesson.read({ single: [single], kfold: kf as readonly LessonTrial[] }, ctxOf(lesson));
    expectHonest(r);
    expect(r.appeared).toBe(appeared);
    expect(r.sentence).toMatch(words);
  });
});
