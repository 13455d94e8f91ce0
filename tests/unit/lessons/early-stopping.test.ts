import { beforeAll, describe, expect, it } from 'vitest';
import { earlyStoppingLesson as lesson } from '../../../src/lib/lessons/early-stopping';
import type { LessonResult, LessonTrial } from '../../../src/lib/lessons/types';
import { runLesson } from './harness';
import { ctxOf, curve, decay, expectHonest, RUN_TIMEOUT_MS, trial, useCpu } from './helpers';

beforeAll(useCpu);

describe('early-stopping lesson', () => {
  it('a real run: it stops 20 epochs without improvement after the minimum, keeps the minimum, and the test split agrees', async () => {
    const { trials, experiments } = await runLesson(lesson);
    const r = lesson.read(trials, ctxOf(lesson, experiments));
    expectHonest(r);
    expect(r.appeared).toBe(true);
    const full = trials.full[0];
    const early = trials.early[0];
    const best = full.epochs.reduce((b, e) => (e.valLoss < b.valLoss ? e : b));
    expect(r.numbers).toMatchObject({ fullEpochs: 150, fullBestEpoch: best.epoch, fullBestValLoss: best.valLoss, patience: 20 });
    expect(r.numbers.stopEpoch).toBe(early.epochs.length);
    expect(early.result?.stoppedEarly).toBe(true);
    expect(early.result?.restoredBest).toBe(true);
    expect(r.numbers.keptEpoch).toBe(early.result?.bestEpoch);
    expect(r.numbers.keptValLoss).toBe(early.epochs[r.numbers.keptEpoch - 1].valLoss);
    expect(r.numbers.fullTestLoss).toBe(full.result?.test?.loss);
    expect(r.numbers.earlyTestLoss).toBe(early.result?.test?.loss);
    expect(r.numbers.earlyTestLoss).toBeLessThan(r.numbers.fullTestLoss);
    // Same data, seeds and batches: the early run's curve is the full run's, up to the stop.
    expect(early.epochs.map((e) => e.valLoss)).toEqual(full.epochs.slice(0, early.epochs.length).map((e) => e.valLoss));
  }, RUN_TIMEOUT_MS);

  /** Validation loss with a dip to 0.40 at epoch 5, the real minimum 0.30 at epoch 40, then a climb. */
  const dipped = curve(100, (e) => ({
    train: decay(0.7, 0.05, 20)(e),
    val: e <= 5 ? 0.7 - 0.06 * (e - 1) : e <= 15 ? 0.46 + 0.002 * (e - 5) : e <= 40 ? 0.48 - (0.18 * (e - 15)) / 25 : 0.3 + 0.004 * (e - 40),
  }));
  const fullRun = (test = 0.5) => trial(0, {}, dipped, { test: { loss: test, acc: 0.8 } });
  const stoppedAt = (stop: number, best: number, res: Partial<LessonResult>) => trial(0, {}, dipped.slice(0, stop), { stoppedEarly: true, bestEpoch: best, restoredBest: true, ...res });

  it.each([
    ['never stopped early (restore-best still kept the minimum)', [fullRun()], [trial(0, {}, dipped, { stoppedEarly: false, bestEpoch: 40, restoredBest: true })], 'partly', /never stopped early.*weights of epoch 40/],
    ['never stopped early, restore-best off', [fullRun()], [trial(0, {}, dipped, { stoppedEarly: false, bestEpoch: 40, restoredBest: false })], false, /never stopped early/],
    ['stopped at the early dip', [fullRun()], [stoppedAt(25, 5, { test: { loss: 0.45 } })], 'partly', /stopped at an early dip/],
    ['kept the minimum, but the test split disagrees', [fullRun(0.4)], [stoppedAt(60, 40, { test: { loss: 0.45 } })], 'partly', /no better than the 0.4/],
    ['stopped near the minimum and the test split agrees', [fullRun(0.5)], [stoppedAt(60, 40, { test: { loss: 0.35 } })], true, /ended the run at epoch 60.*saved 40 epochs.*epoch 40/],
    ['the early run is missing', [fullRun()], [], false, /early-stopping run has no trained trial/],
  ] as const)('%s', (_, full, early, appeared, words) => {
    const r = lesson.read({ full: full as readonly LessonTrial[], early: early as readonly LessonTrial[] }, ctxOf(lesson));
    expectHonest(r);
    expect(r.appeared).toBe(appeared);
    expect(r.sentence).toMatch(words);
  });
});
